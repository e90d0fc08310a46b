//! What is on hand now: the last count (or the first supply event), what came in and went
//! since, and every dose taken since, each in the stock's unit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ledger::TakenDose;
use super::units::{countable, in_unit};
use super::{SupplyEvent, SupplyKind, SupplySettings};
use crate::medicine::MedicineInfo;
use crate::schedule::{ExpandContext, Quantity, Schedule, ZoneTimeline, expand, parse_zone};
use crate::snapshot::{Snapshot, in_force};
use crate::time::Timestamp;

/// A medicine's stock at an instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Stock {
    /// The medicine.
    pub medicine_id: i64,
    /// The unit it is counted in.
    pub unit: String,
    /// How much is on hand (never below zero: a stock that would be is zero, and
    /// `unaccounted` says by how much the log disagrees).
    pub on_hand: f64,
    /// When: `now`.
    pub as_of: Timestamp,
    /// Since when it is counted: the last count, else the first supply event; `None` when the
    /// log is empty (then nothing is on hand).
    pub counted_from: Option<Timestamp>,
    /// Doses taken since, drawn from the stock.
    pub doses_drawn: u32,
    /// Of those, how many had no amount and were counted as one unit.
    pub doses_assumed_one: u32,
    /// Doses taken since whose amount cannot be put in the stock's unit: not drawn, so the stock
    /// may be lower than said. Count the stock to set it right.
    pub doses_unknown: u32,
    /// How much more was taken than the log says came in (0 when it adds up).
    pub unaccounted: f64,
}

/// How much one dose of `schedule` draws, in `unit`: as its phase (or as-needed rules) says,
/// else one for a stock counted in things, else `None`.
pub(crate) fn planned_draw(
    amount: Option<&Quantity>,
    settings: &SupplySettings,
    info: &MedicineInfo,
) -> Option<f64> {
    match amount {
        Some(amount) => in_unit(amount, &settings.unit, info),
        None => countable(&settings.unit).then_some(1.0),
    }
}

/// The amount each scheduled dose of one medicine had in its schedule: the version in force
/// when it was due, and for a version whose phases differ (a taper) the phase, found by
/// expanding the day around it once.
struct PhaseAmounts<'a> {
    snapshot: &'a Snapshot,
    /// The medicine's versions, oldest first: from when, and the schedule (if any).
    versions: Vec<(Timestamp, Option<&'a Schedule>)>,
    known: BTreeMap<Timestamp, Option<&'a Quantity>>,
}

impl<'a> PhaseAmounts<'a> {
    fn new(snapshot: &'a Snapshot, medicine_id: i64) -> Self {
        let versions = snapshot
            .versions
            .iter()
            .filter(|v| v.medicine_id == medicine_id)
            .map(|v| (v.valid_from, v.schedule.as_ref()))
            .collect();
        PhaseAmounts {
            snapshot,
            versions,
            known: BTreeMap::new(),
        }
    }

    /// The planned amount of the dose due at `due`: `None` when no schedule was in force,
    /// `Some(None)` when its phase gives no amount.
    fn at(&mut self, due: Timestamp) -> Option<Option<&'a Quantity>> {
        let index = self.versions.partition_point(|(from, _)| *from <= due);
        let schedule: &'a Schedule = self.versions.get(index.checked_sub(1)?)?.1?;
        let mut amounts = schedule.phases.iter().map(|p| p.dose.as_ref());
        let first = amounts.next()?;
        if amounts.all(|a| a == first) {
            return Some(first);
        }
        if let Some(known) = self.known.get(&due) {
            return Some(*known);
        }
        let fallback;
        let zones = match &self.snapshot.zones {
            Some(zones) => zones,
            None => {
                fallback = ZoneTimeline::fixed(parse_zone(&schedule.zone).ok()?);
                &fallback
            }
        };
        let context = ExpandContext {
            anchors: &self.snapshot.settings.anchors,
            device_zones: zones,
            last_taken: None,
            offsets: &Default::default(),
        };
        let day = std::time::Duration::from_secs(86_400);
        let doses = expand(schedule, &context, due.minus(day), due.plus(day)).ok()?;
        for dose in doses {
            let amount = schedule
                .phases
                .get(dose.phase as usize)
                .and_then(|p| p.dose.as_ref());
            self.known.insert(dose.at, amount);
        }
        self.known.get(&due).copied()
    }
}

/// The stock of one medicine at `now` from its supply `events` (oldest first) and the doses
/// `taken` since its first event.
pub(crate) fn stock(
    snapshot: &Snapshot,
    info: &MedicineInfo,
    medicine_id: i64,
    settings: &SupplySettings,
    events: &[SupplyEvent],
    taken: &[TakenDose],
    now: Timestamp,
) -> Stock {
    let events: Vec<&SupplyEvent> = events.iter().filter(|e| e.at <= now).collect();
    let start = events
        .iter()
        .rposition(|e| e.kind == SupplyKind::Counted)
        .unwrap_or(0);
    let mut out = Stock {
        medicine_id,
        unit: settings.unit.clone(),
        on_hand: 0.0,
        as_of: now,
        counted_from: events.get(start).map(|e| e.at),
        doses_drawn: 0,
        doses_assumed_one: 0,
        doses_unknown: 0,
        unaccounted: 0.0,
    };
    let Some(from) = out.counted_from else {
        return out;
    };
    let mut level = 0.0;
    for event in &events[start..] {
        match event.kind {
            SupplyKind::Counted => level = event.amount,
            SupplyKind::Received => level += event.amount,
            SupplyKind::Lost => level -= event.amount,
        }
    }
    let as_needed = in_force(snapshot, now, now.plus(std::time::Duration::from_millis(1)))
        .into_iter()
        .find(|v| v.medicine_id == medicine_id)
        .and_then(|v| v.schedule.as_needed.as_ref())
        .and_then(|rules| rules.dose.clone());
    let mut phases = PhaseAmounts::new(snapshot, medicine_id);
    // One conversion per distinct amount: most doses share their schedule's.
    let mut draws: Vec<(Option<Quantity>, Option<f64>)> = Vec::new();
    // A dose taken at the instant of a count is in the count.
    for dose in taken
        .iter()
        .filter(|d| d.actual_at > from && d.actual_at <= now)
    {
        let planned = match dose.scheduled_at {
            Some(due) => phases.at(due).flatten().cloned(),
            None => as_needed.clone(),
        };
        let amount = dose.amount.clone().or(planned);
        let draw = match draws.iter().find(|(known, _)| *known == amount) {
            Some((_, draw)) => *draw,
            None => {
                let draw = planned_draw(amount.as_ref(), settings, info);
                draws.push((amount.clone(), draw));
                draw
            }
        };
        match draw {
            Some(draw) => {
                level -= draw;
                out.doses_drawn += 1;
                if amount.is_none() {
                    out.doses_assumed_one += 1;
                }
            }
            None => out.doses_unknown += 1,
        }
    }
    if level < 0.0 {
        out.unaccounted = -level;
        level = 0.0;
    }
    out.on_hand = level;
    out
}
