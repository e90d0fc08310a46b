//! The day engine: what happened to each scheduled dose, from the schedules in force, the
//! phone's zones and the dose log. Pure: the caller reads the log ([`super::log_index`],
//! [`super::last_taken`]) and hands it in.
//!
//! A dose with no answer moves `upcoming` -> `due` (at its time) -> `late` (after
//! `late_after_minutes`) -> `missed` (after `missed_after_minutes`). A snooze moves the clock
//! to the snooze's end. The newest event for a dose decides; an event another event corrects
//! no longer counts. A dose taken after the late threshold is `taken_late`.
//!
//! The statuses map one-to-one onto HealthKit's dose-event log statuses: see
//! [`DoseStatus::healthkit`].

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::Zone;
use serde::{Deserialize, Serialize};

use super::{DoseAction, DoseEvent, LastTaken, LogIndex};
use crate::schedule::{
    DayOffsets, DoseMove, ExpandContext, PlannedDose, Quantity, ScheduleProblem, SpacingRule,
    ZoneTimeline, expand, moved_time, parse_zone,
};
use crate::settings::Settings;
use crate::snapshot::Snapshot;
use crate::snapshot::{InForce, in_force};
use crate::time::Timestamp;

/// Where a dose stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum DoseStatus {
    /// Not yet due.
    Upcoming,
    /// Due now, not answered.
    Due,
    /// Past the late threshold, not answered.
    Late,
    /// Past the missed threshold, not answered.
    Missed,
    /// Taken within the late threshold (or early).
    Taken,
    /// Taken after the late threshold.
    TakenLate,
    /// Deliberately not taken.
    Skipped,
    /// Put off; due again at the snooze's end.
    Snoozed,
}

/// HealthKit's `HKMedicationDoseEvent.LogStatus` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum HealthKitStatus {
    /// `.taken`
    Taken,
    /// `.skipped`
    Skipped,
    /// `.snoozed`
    Snoozed,
    /// `.notInteracted`: the reminder went unanswered.
    NotInteracted,
    /// `.notLogged`: nothing to report yet.
    NotLogged,
}

impl DoseStatus {
    /// The HealthKit status to write for this dose.
    pub fn healthkit(self) -> HealthKitStatus {
        match self {
            DoseStatus::Taken | DoseStatus::TakenLate => HealthKitStatus::Taken,
            DoseStatus::Skipped => HealthKitStatus::Skipped,
            DoseStatus::Snoozed => HealthKitStatus::Snoozed,
            DoseStatus::Missed => HealthKitStatus::NotInteracted,
            DoseStatus::Upcoming | DoseStatus::Due | DoseStatus::Late => HealthKitStatus::NotLogged,
        }
    }

    /// Whether the dose is settled (taken, skipped or missed) rather than still open.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            DoseStatus::Taken | DoseStatus::TakenLate | DoseStatus::Skipped | DoseStatus::Missed
        )
    }
}

/// One dose of one medicine and where it stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScheduledDose {
    /// The medicine.
    pub medicine_id: i64,
    /// When it is (was) due; `None` for an as-needed dose, which only exists once logged.
    pub due_at: Option<Timestamp>,
    /// How much, from the schedule (or as logged).
    pub dose: Option<Quantity>,
    /// Where it stands at `now`.
    pub status: DoseStatus,
    /// The event that decides the status, if any.
    pub event: Option<DoseEvent>,
    /// Set when a spacing rule moved the dose from its scheduled time.
    pub moved: Option<DoseMove>,
    /// For a scheduled dose whose amount changes within the next weeks (a taper, or a new
    /// schedule from a later date): the first dose with another amount ("4 tablets from
    /// Thursday").
    pub next_change: Option<DoseChange>,
}

/// The first later dose of a medicine with another amount.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DoseChange {
    /// When that dose is due.
    pub at: Timestamp,
    /// Its amount (`None` when that schedule says none).
    pub dose: Option<Quantity>,
}

/// How far ahead [`ScheduledDose::next_change`] looks.
pub const NEXT_CHANGE_LOOKAHEAD: Duration = Duration::from_secs(35 * 86_400);

/// What decides a dose's status: the action of its newest event and that event's times.
#[derive(Clone, Copy)]
pub(crate) struct Answer {
    pub action: DoseAction,
    pub actual_at: Timestamp,
    pub snooze_until: Option<Timestamp>,
}

impl From<&DoseEvent> for Answer {
    fn from(event: &DoseEvent) -> Self {
        Answer {
            action: event.action,
            actual_at: event.actual_at,
            snooze_until: event.snooze_until,
        }
    }
}

pub(crate) fn status_of(
    due: Timestamp,
    event: Option<Answer>,
    now: Timestamp,
    settings: &Settings,
) -> DoseStatus {
    let late = Duration::from_secs(u64::from(settings.thresholds.late_after_minutes) * 60);
    let missed = Duration::from_secs(u64::from(settings.thresholds.missed_after_minutes) * 60);
    let open = |clock: Timestamp| {
        if now < clock {
            DoseStatus::Upcoming
        } else if now < clock.plus(late) {
            DoseStatus::Due
        } else if now < clock.plus(missed) {
            DoseStatus::Late
        } else {
            DoseStatus::Missed
        }
    };
    match event {
        None => open(due),
        Some(e) => match e.action {
            DoseAction::Taken if e.actual_at > due.plus(late) => DoseStatus::TakenLate,
            DoseAction::Taken => DoseStatus::Taken,
            DoseAction::Skipped => DoseStatus::Skipped,
            DoseAction::Snoozed => match e.snooze_until {
                Some(until) if now < until => DoseStatus::Snoozed,
                Some(until) => match open(until) {
                    // Past the snooze: due again, and missed counted from its due time.
                    DoseStatus::Missed => DoseStatus::Missed,
                    _ if now >= due.plus(missed) => DoseStatus::Missed,
                    other => other,
                },
                None => open(due),
            },
        },
    }
}

/// A planned dose with its phase's amount (borrowed from the snapshot).
pub(crate) struct Planned<'a> {
    pub medicine_id: i64,
    pub due_at: Timestamp,
    /// The phase of its schedule it belongs to (0-based).
    pub phase: u32,
    pub dose: Option<&'a Quantity>,
    pub moved: Option<DoseMove>,
}

/// Expands every schedule in force in `[from, to)`, spacing rules applied, in time order.
/// A schedule that cannot be expanded is left out and reported in `problems`.
pub(crate) fn planned<'a>(
    snapshot: &'a Snapshot,
    last_taken: &LastTaken,
    from: Timestamp,
    to: Timestamp,
    problems: &mut Vec<ScheduleProblem>,
) -> Vec<Planned<'a>> {
    let mut out = planned_by_medicine(snapshot, last_taken, from, to, problems);
    crate::order::sort_by_key(&mut out, |p| (p.due_at, p.medicine_id));
    out
}

/// [`planned`] in the order it is made: medicine by medicine, each in time order (but for
/// doses a spacing rule moved).
pub(crate) fn planned_by_medicine<'a>(
    snapshot: &'a Snapshot,
    last_taken: &LastTaken,
    from: Timestamp,
    to: Timestamp,
    problems: &mut Vec<ScheduleProblem>,
) -> Vec<Planned<'a>> {
    planned_of(snapshot, last_taken, (from, to), problems, &|_| true)
}

/// [`planned_by_medicine`] for the medicines `keep` accepts only.
fn planned_of<'a>(
    snapshot: &'a Snapshot,
    last_taken: &LastTaken,
    (from, to): (Timestamp, Timestamp),
    problems: &mut Vec<ScheduleProblem>,
    keep: &dyn Fn(i64) -> bool,
) -> Vec<Planned<'a>> {
    let mut out = Vec::new();
    let offsets = DayOffsets::default();
    for period in in_force(snapshot, from, to)
        .into_iter()
        .filter(|p| keep(p.medicine_id))
    {
        let medicine_id = period.medicine_id;
        let schedule = period.schedule;
        let Some(doses) = expand_period(snapshot, last_taken, &period, &offsets, problems) else {
            continue;
        };
        for dose in doses {
            out.push(Planned {
                medicine_id,
                due_at: dose.at,
                phase: dose.phase,
                dose: schedule
                    .phases
                    .get(dose.phase as usize)
                    .and_then(|p| p.dose.as_ref()),
                moved: None,
            });
        }
    }
    apply_spacing_rules(&snapshot.spacing, &mut out);
    out
}

/// The doses of one schedule over the part of the period it is in force; `None` (and the
/// medicine in `problems`) when it cannot be expanded. One schedule that cannot be expanded
/// must not stop the others from planning.
fn expand_period(
    snapshot: &Snapshot,
    last_taken: &LastTaken,
    period: &InForce<'_>,
    offsets: &DayOffsets,
    problems: &mut Vec<ScheduleProblem>,
) -> Option<Vec<PlannedDose>> {
    let fallback;
    let device_zones = match &snapshot.zones {
        Some(zones) => zones,
        None => match parse_zone(&period.schedule.zone) {
            Ok(zone) => {
                fallback = ZoneTimeline::fixed(zone);
                &fallback
            }
            Err(error) => {
                report(problems, period.medicine_id, &error);
                return None;
            }
        },
    };
    let context = ExpandContext {
        anchors: &snapshot.settings.anchors,
        device_zones,
        last_taken: last_taken.get(&period.medicine_id).copied(),
        offsets,
    };
    match expand(period.schedule, &context, period.from, period.to) {
        Ok(doses) => Some(doses),
        Err(error) => {
            report(problems, period.medicine_id, &error);
            None
        }
    }
}

/// Fills [`ScheduledDose::next_change`] for the scheduled doses of `[from, to)`. Looks
/// ahead only for medicines whose amount can change: a schedule with phases of different
/// amounts, or a later version.
fn mark_next_changes(
    snapshot: &Snapshot,
    last_taken: &LastTaken,
    (from, to): (Timestamp, Timestamp),
    doses: &mut [ScheduledDose],
) {
    let periods = in_force(snapshot, from, to.plus(NEXT_CHANGE_LOOKAHEAD));
    // Per medicine: how many schedule versions are in force, and whether one has phases of
    // different amounts.
    let mut shape: BTreeMap<i64, (usize, bool)> = BTreeMap::new();
    for period in &periods {
        let mut amounts = period.schedule.phases.iter().map(|phase| &phase.dose);
        let varied = amounts.next().is_some_and(|a| amounts.any(|b| b != a));
        let entry = shape.entry(period.medicine_id).or_default();
        entry.0 += 1;
        entry.1 |= varied;
    }
    if !shape
        .values()
        .any(|(versions, varied)| *versions > 1 || *varied)
    {
        return;
    }
    let changing: BTreeSet<i64> = crate::order::set(
        doses
            .iter()
            .filter(|d| d.due_at.is_some())
            .map(|d| d.medicine_id)
            .filter(|id| {
                shape
                    .get(id)
                    .is_some_and(|(versions, varied)| *versions > 1 || *varied)
            }),
    );
    if changing.is_empty() {
        return;
    }
    let offsets = DayOffsets::default();
    let mut timelines: BTreeMap<i64, Vec<(Timestamp, Option<&Quantity>)>> = BTreeMap::new();
    for period in periods.iter().filter(|p| changing.contains(&p.medicine_id)) {
        let Some(planned) = expand_period(snapshot, last_taken, period, &offsets, &mut Vec::new())
        else {
            continue;
        };
        let phases = &period.schedule.phases;
        timelines
            .entry(period.medicine_id)
            .or_default()
            .extend(planned.into_iter().map(|d| {
                (
                    d.at,
                    phases.get(d.phase as usize).and_then(|p| p.dose.as_ref()),
                )
            }));
    }
    // For every planned time, the first later dose of another amount: walking back, a dose
    // whose amount differs from the run after it makes that run the next change.
    let mut next_change: BTreeMap<(i64, Timestamp), DoseChange> = BTreeMap::new();
    for (medicine_id, mut timeline) in timelines {
        crate::order::sort_by_key(&mut timeline, |(at, _)| *at);
        let mut run: Option<(Timestamp, Option<&Quantity>)> = None;
        let mut after_run: Option<(Timestamp, Option<&Quantity>)> = None;
        for &(at, amount) in timeline.iter().rev() {
            if run.is_some_and(|(_, run_amount)| run_amount != amount) {
                after_run = run;
            }
            run = Some((at, amount));
            if let Some((change_at, dose)) = after_run {
                next_change.insert(
                    (medicine_id, at),
                    DoseChange {
                        at: change_at,
                        dose: dose.cloned(),
                    },
                );
            }
        }
    }
    for dose in doses.iter_mut() {
        let planned_at = dose.moved.as_ref().map(|m| m.scheduled_for).or(dose.due_at);
        if let Some(at) = planned_at {
            dose.next_change = next_change.get(&(dose.medicine_id, at)).cloned();
        }
    }
}

/// Notes that `medicine_id`'s schedule could not be expanded (once per medicine).
fn report(problems: &mut Vec<ScheduleProblem>, medicine_id: i64, error: &crate::Error) {
    if !problems.iter().any(|p| p.medicine_id == medicine_id) {
        problems.push(ScheduleProblem {
            medicine_id,
            reason: format!("its schedule cannot be planned: {error}"),
        });
    }
}

/// Moves doses out of the gaps that spacing rules ask for, noting where they came from.
fn apply_spacing_rules(rules: &[SpacingRule], planned: &mut [Planned]) {
    for rule in rules {
        let firsts: Vec<Timestamp> = planned
            .iter()
            .filter(|p| p.medicine_id == rule.first_medicine_id)
            .map(|p| p.due_at)
            .collect();
        for dose in planned
            .iter_mut()
            .filter(|p| p.medicine_id == rule.second_medicine_id)
        {
            if let Some(to) = moved_time(rule, dose.due_at, &firsts) {
                let scheduled_for = dose.moved.as_ref().map_or(dose.due_at, |m| m.scheduled_for);
                dose.due_at = to;
                dose.moved = Some(DoseMove {
                    scheduled_for,
                    because_of_medicine_id: rule.first_medicine_id,
                    min_gap_minutes: rule.min_gap_minutes,
                });
            }
        }
    }
}

/// Every dose in `[from, to)`: scheduled ones with their status, and logged as-needed ones.
/// `log` holds the events of `[from, to)` as [`super::log_index`] reads them.
/// Only the medicines `keep` accepts (`log` may hold others: they are left out).
pub(crate) fn doses_of(
    snapshot: &Snapshot,
    mut log: LogIndex,
    last_taken: &LastTaken,
    (from, to): (Timestamp, Timestamp),
    now: Timestamp,
    problems: &mut Vec<ScheduleProblem>,
    keep: &dyn Fn(i64) -> bool,
) -> Vec<ScheduledDose> {
    log.by_dose.retain(|(medicine_id, _), _| keep(*medicine_id));
    log.unscheduled.retain(|event| keep(event.medicine_id));
    let settings = &snapshot.settings;
    let mut planned = planned_of(snapshot, last_taken, (from, to), problems, keep);
    crate::order::sort_by_key(&mut planned, |p| (p.due_at, p.medicine_id));
    let mut out: Vec<ScheduledDose> = planned
        .into_iter()
        .map(|p| {
            let event = log.by_dose.remove(&(p.medicine_id, p.due_at));
            ScheduledDose {
                medicine_id: p.medicine_id,
                due_at: Some(p.due_at),
                dose: event
                    .as_ref()
                    .and_then(|e| e.amount.clone())
                    .or(p.dose.cloned()),
                status: status_of(p.due_at, event.as_ref().map(Answer::from), now, settings),
                event,
                moved: p.moved,
                next_change: None,
            }
        })
        .collect();
    // Answers to doses no schedule plans any more (edited since), and as-needed doses.
    for ((_, due), event) in std::mem::take(&mut log.by_dose) {
        out.push(ScheduledDose {
            medicine_id: event.medicine_id,
            due_at: Some(due),
            dose: event.amount.clone(),
            status: status_of(due, Some(Answer::from(&event)), now, settings),
            event: Some(event),
            moved: None,
            next_change: None,
        });
    }
    for event in log.unscheduled {
        let status = match event.action {
            DoseAction::Skipped => DoseStatus::Skipped,
            DoseAction::Snoozed => DoseStatus::Snoozed,
            DoseAction::Taken => DoseStatus::Taken,
        };
        out.push(ScheduledDose {
            medicine_id: event.medicine_id,
            due_at: None,
            dose: event.amount.clone(),
            status,
            event: Some(event),
            moved: None,
            next_change: None,
        });
    }
    let sort_key = |d: &ScheduledDose| {
        let at = d
            .due_at
            .or(d.event.as_ref().map(|e| e.actual_at))
            .unwrap_or(Timestamp::MIN);
        (at, d.medicine_id)
    };
    mark_next_changes(snapshot, last_taken, (from, to), &mut out);
    crate::order::sort_by_key(&mut out, sort_key);
    out
}

/// Start and end instants of the local day `date` in `zone`.
pub fn local_day(zone: Zone, date: chrono::NaiveDate) -> (Timestamp, Timestamp) {
    let frame = crate::schedule::Frame::Zone(zone);
    let start = frame.resolve(date.and_time(chrono::NaiveTime::MIN));
    let next = date.succ_opt().unwrap_or(date);
    (start, frame.resolve(next.and_time(chrono::NaiveTime::MIN)))
}
