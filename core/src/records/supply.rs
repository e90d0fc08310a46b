//! The supply calls: stock, forecasts, "enough until", and the refill reminders the plan
//! takes. Each gathers the supply log, the doses taken (from the kept ledger) and the doses
//! the day engine plans, and hands them to the pure functions of `supply`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use rusqlite::Connection;

use super::Records;
use crate::dose::read_doses_of;
use crate::error::{Error, Result};
use crate::medicine::{self, Medicine};
use crate::reminder;
use crate::snapshot::{Snapshot, in_force};
use crate::store::seal::Sealer;
use crate::supply::prescription::of_medicine;
use crate::supply::{
    FORECAST_DAYS, Forecast, RefillDue, Stock, SupplyEvent, SupplyNeed, SupplySettings, forecast,
    need_until, refills_due, stock,
};
use crate::time::Timestamp;

/// One tracked medicine's forecast with what it was made from.
struct Tracked {
    forecast: Forecast,
    settings: SupplySettings,
    medicine: Medicine,
    events: Vec<SupplyEvent>,
}

impl Records {
    /// The forecasts of the tracked, active medicines (all, or only `only`), looking ahead
    /// until `until(settings)`, inside one read.
    fn tracked(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        snapshot: &Snapshot,
        now: Timestamp,
        only: Option<i64>,
        until: &dyn Fn(&SupplySettings) -> Timestamp,
    ) -> Result<Vec<Tracked>> {
        let all = crate::supply::storage_settings(conn, sealer)?;
        let ids: BTreeSet<i64> = all.keys().copied().collect();
        let mut ledger = self.supply_ledger();
        ledger.catch_up(conn, sealer, &ids)?;
        let wanted: BTreeMap<i64, SupplySettings> = all
            .into_iter()
            .filter(|(id, _)| only.is_none_or(|only| only == *id))
            .collect();
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let medicines: BTreeMap<i64, Medicine> = medicine::list(conn, sealer, false)?
            .into_iter()
            .filter(|m| wanted.contains_key(&m.id))
            .map(|m| (m.id, m))
            .collect();
        let until_all = wanted.values().map(until).max().unwrap_or(now);
        let lookback = reminder::lookback(&snapshot.settings);
        let doses = read_doses_of(
            conn,
            sealer,
            snapshot,
            (now.minus(lookback), until_all),
            now,
            &mut Vec::new(),
            &|id| medicines.contains_key(&id),
        )?;
        let in_force_now: BTreeMap<i64, &crate::schedule::Schedule> =
            in_force(snapshot, now, now.plus(Duration::from_millis(1)))
                .into_iter()
                .map(|v| (v.medicine_id, v.schedule))
                .collect();
        let mut out = Vec::new();
        for (id, settings) in wanted {
            let Some(medicine) = medicines.get(&id) else {
                continue;
            };
            let events = crate::supply::storage_events(conn, sealer, id)?;
            let since = events.first().map_or(Timestamp::MAX, |e| e.at);
            let taken = ledger.taken(id, since);
            let stock = stock(
                snapshot,
                &medicine.info,
                id,
                &settings,
                &events,
                &taken,
                now,
            );
            let schedule = in_force_now.get(&id);
            let scheduled = schedule.is_some_and(|s| !s.phases.is_empty());
            let as_needed_dose = schedule
                .and_then(|s| s.as_needed.as_ref())
                .and_then(|rules| rules.dose.as_ref());
            let own: Vec<_> = doses
                .iter()
                .filter(|d| d.medicine_id == id)
                .cloned()
                .collect();
            let mut forecast = forecast(
                stock,
                &settings,
                &medicine.info,
                &own,
                scheduled,
                as_needed_dose,
                &taken,
                until(&settings),
            );
            forecast.prescription_warning = of_medicine(conn, sealer, id)?
                .first()
                .and_then(|p| p.details.warning(now, forecast.run_out_at));
            out.push(Tracked {
                forecast,
                settings,
                medicine: medicine.clone(),
                events,
            });
        }
        Ok(out)
    }

    /// A medicine's stock now.
    pub fn stock(&self, medicine_id: i64, now: Timestamp) -> Result<Stock> {
        Ok(self.forecast(medicine_id, now)?.stock)
    }

    /// When a medicine runs out (looking a year ahead).
    pub fn forecast(&self, medicine_id: i64, now: Timestamp) -> Result<Forecast> {
        self.read(|conn, sealer| {
            medicine::get(conn, sealer, medicine_id)?;
            let snapshot = self.snapshot(conn, sealer, true)?;
            let year = now.plus(Duration::from_secs(u64::from(FORECAST_DAYS) * 86_400));
            self.tracked(conn, sealer, &snapshot, now, Some(medicine_id), &|_| year)?
                .pop()
                .map(|t| t.forecast)
                .ok_or_else(|| {
                    Error::invalid(
                        "medicine_id",
                        "the medicine's stock is not tracked (or it is archived)",
                    )
                })
        })
    }

    /// Every tracked medicine's forecast, soonest run-out first.
    pub fn forecasts(&self, now: Timestamp) -> Result<Vec<Forecast>> {
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let year = now.plus(Duration::from_secs(u64::from(FORECAST_DAYS) * 86_400));
            let mut out: Vec<Forecast> = self
                .tracked(conn, sealer, &snapshot, now, None, &|_| year)?
                .into_iter()
                .map(|t| t.forecast)
                .collect();
            out.sort_by_key(|f| (f.run_out_at.unwrap_or(Timestamp::MAX), f.stock.medicine_id));
            Ok(out)
        })
    }

    /// Whether there is enough of every tracked medicine until `until` ("for my trip"): per
    /// medicine, needed, on hand and the shortfall.
    pub fn supply_check(&self, until: Timestamp, now: Timestamp) -> Result<Vec<SupplyNeed>> {
        if until <= now {
            return Err(Error::invalid("until", "must be after now"));
        }
        if until > now.plus(Duration::from_secs(u64::from(FORECAST_DAYS) * 86_400)) {
            return Err(Error::invalid("until", "must be within a year"));
        }
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let lookback = reminder::lookback(&snapshot.settings);
            let tracked = self.tracked(conn, sealer, &snapshot, now, None, &|_| until)?;
            let ids: BTreeSet<i64> = tracked.iter().map(|t| t.medicine.id).collect();
            let doses = read_doses_of(
                conn,
                sealer,
                &snapshot,
                (now.minus(lookback), until),
                now,
                &mut Vec::new(),
                &|id| ids.contains(&id),
            )?;
            Ok(tracked
                .iter()
                .map(|t| {
                    let own: Vec<_> = doses
                        .iter()
                        .filter(|d| d.medicine_id == t.medicine.id)
                        .cloned()
                        .collect();
                    need_until(&t.forecast, &t.settings, &t.medicine.info, &own, until)
                })
                .collect())
        })
    }

    /// The refill reminders to plan in `(now, now + horizon)`, inside the plan's read.
    pub(crate) fn refills_for_plan(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        snapshot: &Snapshot,
        now: Timestamp,
        horizon: Duration,
    ) -> Result<Vec<RefillDue>> {
        let end = now.plus(horizon);
        // Far enough to see a run-out whose reminder falls inside the horizon.
        let until = |settings: &SupplySettings| {
            end.plus(Duration::from_secs(
                u64::from(settings.lead_days + 1) * 86_400,
            ))
        };
        let tracked = self.tracked(conn, sealer, snapshot, now, None, &until)?;
        if tracked.is_empty() {
            return Ok(Vec::new());
        }
        // A refill the pharmacy refused does not keep the reminders quiet.
        let failed: BTreeMap<i64, Timestamp> = crate::supply::pharmacy::orders(conn, sealer, None)?
            .into_iter()
            .filter(|row| row.order.state == crate::supply::RefillState::Failed)
            .map(|row| (row.order.medicine_id, row.order.created_at))
            .collect();
        let answers: BTreeMap<i64, _> = crate::supply::refill_answers(conn)?
            .into_iter()
            .filter(|(id, answer, at)| {
                *answer != crate::supply::RefillAnswer::Requested
                    || failed.get(id).is_none_or(|asked| asked < at)
            })
            .map(|(id, answer, at)| (id, (answer, at)))
            .collect();
        let inputs: Vec<_> = tracked
            .into_iter()
            .map(|t| {
                let changed = t
                    .events
                    .iter()
                    .filter(|e| e.kind != crate::supply::SupplyKind::Lost)
                    .map(|e| e.recorded_at)
                    .max();
                let answer = answers.get(&t.medicine.id).copied();
                (t.forecast, answer, changed)
            })
            .collect();
        let fixed;
        let zones = match &snapshot.zones {
            Some(zones) => zones,
            None => {
                fixed = crate::schedule::ZoneTimeline::fixed(chrono_tz::UTC);
                &fixed
            }
        };
        Ok(refills_due(
            &inputs,
            &snapshot.settings.anchors,
            zones,
            now,
            end,
        ))
    }
}
