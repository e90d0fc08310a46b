//! The calls that plan: each gathers its inputs (the planning snapshot, the dose log, the
//! caregiver alerts) and hands them to a pure engine (`dose::day`, `dose::adherence`,
//! `reminder::plan`).

use std::collections::BTreeMap;
use std::time::Duration;

use super::Records;
use crate::dose::adherence::{self, AdherenceReport};
use crate::dose::day::{ScheduledDose, local_day, planned_by_medicine};
use crate::dose::{last_taken, plan_doses_of, read_doses};
use crate::error::{Error, Result};
use crate::medicine::{self, Medicine};
use crate::reminder::{self, NotificationPlan, PlanInput};
use crate::schedule::{ScheduleProblem, parse_zone};
use crate::settings::PrivacyLevel;
use crate::share::caregiver::alerts_due;
use crate::time::Timestamp;
use crate::travel::{MAX_LOOKAHEAD, ZoneChangeReport};

impl Records {
    /// The doses of one local day in the phone's zone at `now` (UTC until the app records
    /// a zone): the batch call behind a "today" screen.
    pub fn day(&self, date: chrono::NaiveDate, now: Timestamp) -> Result<Vec<ScheduledDose>> {
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let zone = snapshot
                .zones
                .as_ref()
                .map_or(crate::Zone::UTC, |t| t.zone_at(now));
            let (from, to) = local_day(zone, date);
            read_doses(conn, sealer, &snapshot, (from, to), now, &mut Vec::new())
        })
    }

    /// Every dose due in `[from, to)` (and as-needed doses logged then), with where each
    /// stands at `now`. One call serves a whole day or week of a UI.
    pub fn doses(
        &self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<ScheduledDose>> {
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            read_doses(conn, sealer, &snapshot, (from, to), now, &mut Vec::new())
        })
    }

    /// The medicines whose schedule cannot be planned from `now` on, and why: stored by an
    /// older version with values today's rules refuse, damaged, or failing to expand in the
    /// coming week. Their doses are left out of every plan; the others plan as usual.
    pub fn schedule_problems(&self, now: Timestamp) -> Result<Vec<ScheduleProblem>> {
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let mut problems = crate::snapshot::problems(&snapshot, now);
            let (from, to) = (now, now.plus(Duration::from_secs(7 * 86_400)));
            let last_taken = last_taken(conn, &snapshot, from, to)?;
            planned_by_medicine(&snapshot, &last_taken, from, to, &mut problems);
            crate::order::sort_by_key(&mut problems, |p| p.medicine_id);
            Ok(problems)
        })
    }

    /// Adherence over `[from, to)` as it stands at `now`.
    pub fn adherence(
        &self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<AdherenceReport> {
        adherence::check_period(from, to)?;
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let last_taken = last_taken(conn, &snapshot, from, to)?;
            let mut planned =
                planned_by_medicine(&snapshot, &last_taken, from, to, &mut Vec::new());
            crate::order::sort_by_key(&mut planned, |p| (p.medicine_id, p.due_at));
            let answers = {
                let mut log = self.answer_log();
                log.catch_up(conn)?;
                log.newest(from, to)
            };
            let starts = adherence::day_starts(snapshot.zones.as_ref(), from, to);
            Ok(adherence::report(
                &planned,
                &answers,
                &starts,
                &snapshot.settings,
                (from, to, now),
            ))
        })
    }

    /// The notifications the phone should have pending from `now` for `horizon`, at most
    /// `budget` of them (iOS keeps 64): gathers the doses, the caregiver alerts and the
    /// settings, and plans with [`reminder::plan`].
    pub fn plan_notifications(
        &self,
        now: Timestamp,
        horizon: Duration,
        budget: u32,
    ) -> Result<NotificationPlan> {
        reminder::check_request(horizon, budget)?;
        let input = self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let settings = snapshot.settings;
            let mut problems = crate::snapshot::problems(&snapshot, now);
            let period = (now.minus(reminder::lookback(&settings)), now.plus(horizon));
            let doses = plan_doses_of(conn, &snapshot, period, now, &mut problems, &|_| true)?;
            let medicines: BTreeMap<i64, Medicine> =
                if settings.reminders.privacy == PrivacyLevel::Full {
                    medicine::list(conn, sealer, true)?
                        .into_iter()
                        .map(|m| (m.id, m))
                        .collect()
                } else {
                    BTreeMap::new()
                };
            Ok(PlanInput {
                doses,
                alerts: alerts_due(conn, sealer, now, now.plus(horizon))?,
                refills: self.refills_for_plan(conn, sealer, &snapshot, now, horizon)?,
                settings,
                zones: snapshot.zones.clone(),
                medicines,
                schedule_problems: problems,
                database_id: self.database_id().to_owned(),
            })
        })?;
        reminder::plan(&input, now, horizon, budget)
    }

    /// Records that the phone is now in `zone` and reports how the doses due in the next
    /// `lookahead` are affected. Call it at every start and when the OS says the zone changed.
    pub fn change_device_zone(
        &self,
        zone: &str,
        now: Timestamp,
        lookahead: Duration,
    ) -> Result<ZoneChangeReport> {
        let tz = parse_zone(zone)?;
        if lookahead.is_zero() || lookahead > MAX_LOOKAHEAD {
            return Err(Error::invalid(
                "lookahead",
                "must be more than zero and at most 14 days",
            ));
        }
        let until = now.plus(lookahead);
        // Called at every start: when the zone is the one in force, answer from a read and
        // take no write lock (another process may be writing).
        let in_force_now = self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            Ok(snapshot.zones.as_ref().map(|t| t.zone_at(now)))
        })?;
        if in_force_now == Some(tz) {
            return Ok(ZoneChangeReport {
                changed: false,
                previous_zone: Some(tz.name().to_owned()),
                zone: tz.name().to_owned(),
                moved: Vec::new(),
                kept: Vec::new(),
                can_shift_gradually: Vec::new(),
            });
        }
        self.write(|tx, sealer| {
            let snapshot = || self.snapshot(tx, sealer, false);
            crate::travel::change(tx, sealer, &snapshot, tz, now, until)
        })
    }
}
