//! The doses taken of medicines whose stock is tracked, read from the dose log once and kept
//! (by [`crate::Records`]) between calls: the log only grows, so each call reads just the
//! events added since, whichever process added them. Amounts logged with a dose are sealed;
//! only tracked medicines' events are opened.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use rusqlite::Connection;

use crate::dose::{DoseAction, SELECT_EVENT, event_from_row};
use crate::error::Result;
use crate::schedule::Quantity;
use crate::store::seal::Sealer;
use crate::time::Timestamp;

/// A dose that counts as taken.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TakenDose {
    /// The event.
    pub id: i64,
    /// When it was taken.
    pub actual_at: Timestamp,
    /// The scheduled dose it answers, if any.
    pub scheduled_at: Option<Timestamp>,
    /// The amount logged with it, if any.
    pub amount: Option<Quantity>,
}

/// What a kept stock rests on: while all of it is unchanged (and no event is dated after the
/// instant it was made for), the stock stands.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StockKey {
    /// The medicine's newest event in the dose log.
    pub newest_dose_event: i64,
    /// The medicine's newest supply event.
    pub last_event: Option<i64>,
    /// The planning snapshot's generation (schedules, settings).
    pub generation: i64,
    /// How the stock is counted.
    pub settings: super::SupplySettings,
}

/// A stock kept between calls.
struct Remembered {
    key: StockKey,
    /// The newest instant of anything it counted.
    latest: Timestamp,
    stock: super::Stock,
}

/// Every answer read so far for the tracked medicines.
#[derive(Default)]
pub(crate) struct Ledger {
    /// Which medicines were read; another set means reading again.
    tracked: BTreeSet<i64>,
    /// The highest event id read.
    watermark: i64,
    /// Events by medicine, in id order.
    events: BTreeMap<i64, Vec<(i64, DoseAction, TakenDose)>>,
    /// Ids of events a later event corrects.
    corrected: HashSet<i64>,
    /// The stock last worked out for each medicine.
    stocks: BTreeMap<i64, Remembered>,
}

impl Ledger {
    /// Reads what the log gained since the last call, for the medicines in `tracked`.
    pub(crate) fn catch_up(
        &mut self,
        conn: &Connection,
        sealer: &Sealer,
        tracked: &BTreeSet<i64>,
    ) -> Result<()> {
        if *tracked != self.tracked {
            *self = Ledger {
                tracked: tracked.clone(),
                ..Ledger::default()
            };
        }
        if tracked.is_empty() {
            return Ok(());
        }
        // Corrections may name any event: read every event's `corrects`, open only tracked ones.
        let mut corrections =
            conn.prepare_cached("SELECT id, corrects FROM dose_event WHERE id > ?1 ORDER BY id")?;
        let mut rows = corrections.query([self.watermark])?;
        let mut newest = self.watermark;
        while let Some(row) = rows.next()? {
            newest = row.get(0)?;
            if let Some(target) = row.get::<_, Option<i64>>(1)? {
                self.corrected.insert(target);
            }
        }
        let ids: Vec<String> = tracked.iter().map(i64::to_string).collect();
        let mut statement = conn.prepare_cached(&format!(
            "{SELECT_EVENT} WHERE id > ?1 AND id <= ?2 AND medicine_id IN ({}) ORDER BY id",
            ids.join(",")
        ))?;
        let mut rows = statement.query([self.watermark, newest])?;
        while let Some(row) = rows.next()? {
            let event = event_from_row(row, sealer)?;
            self.events.entry(event.medicine_id).or_default().push((
                event.id,
                event.action,
                TakenDose {
                    id: event.id,
                    actual_at: event.actual_at,
                    scheduled_at: event.scheduled_at,
                    amount: event.amount,
                },
            ));
        }
        self.watermark = newest;
        Ok(())
    }

    /// The newest event read for `medicine_id` (0 when none): what its stock rests on from the
    /// dose log (a correction is an event of the same medicine).
    pub(crate) fn newest_of(&self, medicine_id: i64) -> i64 {
        self.events
            .get(&medicine_id)
            .and_then(|events| events.last())
            .map_or(0, |(id, _, _)| *id)
    }

    /// The stock kept for `medicine_id`, moved to `now`, if `key` still holds and nothing it
    /// counted is dated after the instant it was made for.
    pub(crate) fn remembered(
        &self,
        medicine_id: i64,
        key: &StockKey,
        now: Timestamp,
    ) -> Option<super::Stock> {
        let kept = self.stocks.get(&medicine_id)?;
        (kept.key == *key && kept.stock.as_of <= now && kept.latest <= kept.stock.as_of).then(
            || super::Stock {
                as_of: now,
                ..kept.stock.clone()
            },
        )
    }

    /// Keeps a stock worked out at `stock.as_of` from what `key` names.
    pub(crate) fn remember(
        &mut self,
        medicine_id: i64,
        key: StockKey,
        latest: Timestamp,
        stock: super::Stock,
    ) {
        self.stocks
            .insert(medicine_id, Remembered { key, latest, stock });
    }

    /// The doses of `medicine_id` that count as taken, at or after `since`: uncorrected, and for
    /// a scheduled dose only if its newest answer is "taken".
    pub(crate) fn taken(&self, medicine_id: i64, since: Timestamp) -> Vec<TakenDose> {
        let Some(events) = self.events.get(&medicine_id) else {
            return Vec::new();
        };
        let mut newest: BTreeMap<Timestamp, (DoseAction, &TakenDose)> = BTreeMap::new();
        let mut out = Vec::new();
        for (id, action, dose) in events {
            if self.corrected.contains(id) {
                continue;
            }
            match dose.scheduled_at {
                Some(at) => {
                    newest.insert(at, (*action, dose));
                }
                None if *action == DoseAction::Taken => out.push(dose.clone()),
                None => {}
            }
        }
        out.extend(
            newest
                .into_values()
                .filter(|(action, _)| *action == DoseAction::Taken)
                .map(|(_, dose)| dose.clone()),
        );
        out.retain(|dose| dose.actual_at >= since);
        crate::order::sort_by_key(&mut out, |dose| (dose.actual_at, dose.id));
        out
    }
}
