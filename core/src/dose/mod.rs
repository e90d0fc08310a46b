//! The dose log: an append-only record of what happened to each dose (taken, skipped,
//! snoozed), with when it happened and which scheduled dose it answers. Rows are never updated
//! or deleted (SQLite triggers enforce it); a correction is a new event.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::medicine;
use crate::schedule::{Quantity, ScheduleProblem};
use crate::snapshot::{Snapshot, in_force};
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;
use crate::validate::optional_text;

pub(crate) mod adherence;
mod as_needed;
pub(crate) mod day;

pub(crate) use adherence::AnswerLog;
pub use adherence::{Adherence, AdherenceReport};
pub use as_needed::{AsNeededRule, AsNeededWarning};

pub use day::{
    DoseChange, DoseStatus, HealthKitStatus, NEXT_CHANGE_LOOKAHEAD, ScheduledDose, local_day,
};

/// Longest note on a dose event, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// How far ahead of `now` an event may be dated, to absorb clock skew between devices.
pub const FUTURE_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// Longest snooze.
pub const MAX_SNOOZE: Duration = Duration::from_secs(24 * 60 * 60);

/// What the patient did about a dose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum DoseAction {
    /// The dose was taken.
    Taken,
    /// The dose was deliberately not taken.
    Skipped,
    /// The reminder was put off until `snooze_until`.
    Snoozed,
}

impl DoseAction {
    fn as_sql(self) -> &'static str {
        match self {
            DoseAction::Taken => "taken",
            DoseAction::Skipped => "skipped",
            DoseAction::Snoozed => "snoozed",
        }
    }

    fn from_sql(text: &str) -> Result<Self> {
        match text {
            "taken" => Ok(DoseAction::Taken),
            "skipped" => Ok(DoseAction::Skipped),
            "snoozed" => Ok(DoseAction::Snoozed),
            _ => Err(Error::Damaged("unknown dose action in the log".into())),
        }
    }
}

/// A dose event to log.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewDoseEvent {
    /// The medicine (must be active).
    pub medicine_id: i64,
    /// What happened.
    pub action: DoseAction,
    /// When it happened; may be in the past (back-filled), not in the future.
    pub actual_at: Timestamp,
    /// The scheduled dose this answers; `None` for an unscheduled (as-needed) dose. Required
    /// for a snooze.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub scheduled_at: Option<Timestamp>,
    /// Until when the reminder is put off; required for a snooze, refused otherwise.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub snooze_until: Option<Timestamp>,
    /// The patient's note, such as why a dose was skipped. Sealed at rest.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub note: Option<String>,
    /// How much was taken, when it differs from the schedule's dose or for an as-needed dose.
    /// Sealed at rest.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub amount: Option<Quantity>,
    /// The earlier event this one corrects (same medicine). The corrected event stays in the
    /// log but no longer counts.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub corrects: Option<i64>,
}

crate::redact::redacted_display!(NewDoseEvent, medicine_id, action, actual_at, scheduled_at);

/// A logged dose event.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DoseEvent {
    /// Stable id, in logging order.
    pub id: i64,
    /// The medicine.
    pub medicine_id: i64,
    /// What happened.
    pub action: DoseAction,
    /// When it happened.
    pub actual_at: Timestamp,
    /// The scheduled dose it answers, if any.
    pub scheduled_at: Option<Timestamp>,
    /// Until when a snoozed reminder is put off.
    pub snooze_until: Option<Timestamp>,
    /// The patient's note.
    pub note: Option<String>,
    /// How much was taken, if logged.
    pub amount: Option<Quantity>,
    /// The earlier event this one corrects.
    pub corrects: Option<i64>,
    /// When the event was written to the log.
    pub recorded_at: Timestamp,
}

crate::redact::redacted_display!(DoseEvent, id, medicine_id, action, actual_at, scheduled_at);

/// The sealed part of a dose event.
#[derive(Default, Serialize, Deserialize)]
struct SealedDetails {
    note: Option<String>,
    #[serde(default)]
    amount: Option<Quantity>,
}

fn details_slot(id: i64) -> Slot {
    Slot {
        table: "dose_event",
        column: "details",
        row: id,
    }
}

impl NewDoseEvent {
    /// The event with its note cleaned, or the first rule it breaks. `now` bounds how far in
    /// the future `actual_at` may lie.
    pub(crate) fn validated(&self, now: Timestamp) -> Result<NewDoseEvent> {
        if self.actual_at > now.plus(FUTURE_TOLERANCE) {
            return Err(Error::invalid(
                "actual_at",
                "a dose cannot be logged as happening in the future",
            ));
        }
        match (self.action, self.snooze_until, self.scheduled_at) {
            (DoseAction::Snoozed, None, _) => {
                return Err(Error::invalid("snooze_until", "a snooze needs an end time"));
            }
            (DoseAction::Snoozed, _, None) => {
                return Err(Error::invalid(
                    "scheduled_at",
                    "only a scheduled dose can be snoozed",
                ));
            }
            (DoseAction::Snoozed, Some(until), Some(_))
                if until <= self.actual_at || until > self.actual_at.plus(MAX_SNOOZE) =>
            {
                return Err(Error::invalid(
                    "snooze_until",
                    "must be after the snooze and at most 24 hours later",
                ));
            }
            (DoseAction::Snoozed, _, _) => {}
            (_, Some(_), _) => {
                return Err(Error::invalid(
                    "snooze_until",
                    "only a snoozed dose has an end time",
                ));
            }
            _ => {}
        }
        if let Some(amount) = &self.amount {
            amount.validate("amount")?;
        }
        Ok(NewDoseEvent {
            note: optional_text("note", self.note.as_deref(), MAX_NOTE_CHARS, true)?,
            ..self.clone()
        })
    }
}

pub(crate) const SELECT_EVENT: &str = "SELECT id, medicine_id, action, actual_at, scheduled_at, \
                            snooze_until, recorded_at, details, corrects FROM dose_event";

pub(crate) fn event_from_row(row: &Row<'_>, sealer: &Sealer) -> Result<DoseEvent> {
    event_from(row, Some(sealer))
}

/// An event from its row; with no `sealer`, without its sealed details (note, amount): what
/// planning needs, at a fraction of the cost.
fn event_from(row: &Row<'_>, sealer: Option<&Sealer>) -> Result<DoseEvent> {
    let id: i64 = row.get(0)?;
    let action: String = row.get(2)?;
    let details = match (sealer, row.get::<_, Option<Vec<u8>>>(7)?) {
        (Some(sealer), Some(sealed)) => {
            sealer.open_json::<SealedDetails>(details_slot(id), &sealed)?
        }
        _ => SealedDetails::default(),
    };
    let instant = |index: usize| -> Result<Option<Timestamp>> {
        row.get::<_, Option<i64>>(index)?
            .map(Timestamp::from_millis)
            .transpose()
    };
    Ok(DoseEvent {
        id,
        medicine_id: row.get(1)?,
        action: DoseAction::from_sql(&action)?,
        actual_at: Timestamp::from_millis(row.get(3)?)?,
        scheduled_at: instant(4)?,
        snooze_until: instant(5)?,
        recorded_at: Timestamp::from_millis(row.get(6)?)?,
        note: details.note,
        amount: details.amount,
        corrects: row.get(8)?,
    })
}

/// Events that still count (not corrected by a later one), by `(medicine, scheduled time)`,
/// newest last; unscheduled ones separately: the day engine's view of the log.
pub(crate) struct LogIndex {
    pub by_dose: BTreeMap<(i64, Timestamp), DoseEvent>,
    pub unscheduled: Vec<DoseEvent>,
}

/// The log of `[from, to)`: events answering doses scheduled then, and unscheduled events
/// (as-needed doses) that happened then.
pub(crate) fn log_index(
    conn: &Connection,
    sealer: Option<&Sealer>,
    from: Timestamp,
    to: Timestamp,
) -> Result<LogIndex> {
    let mut statement = conn.prepare_cached(&format!(
        "{SELECT_EVENT} WHERE (scheduled_at >= ?1 AND scheduled_at < ?2)
            OR (scheduled_at IS NULL AND actual_at >= ?1 AND actual_at < ?2)
         ORDER BY id"
    ))?;
    let mut rows = statement.query(params![from.as_millis(), to.as_millis()])?;
    let mut events = Vec::new();
    while let Some(row) = rows.next()? {
        events.push(event_from(row, sealer)?);
    }
    let corrected: HashSet<i64> = events.iter().filter_map(|e| e.corrects).collect();
    let mut index = LogIndex {
        by_dose: BTreeMap::new(),
        unscheduled: Vec::new(),
    };
    for event in events.into_iter().filter(|e| !corrected.contains(&e.id)) {
        match event.scheduled_at {
            Some(due) => {
                index.by_dose.insert((event.medicine_id, due), event);
            }
            None => index.unscheduled.push(event),
        }
    }
    Ok(index)
}

/// When each medicine counted "from the last dose taken" was last taken.
pub(crate) type LastTaken = BTreeMap<i64, Timestamp>;

/// [`LastTaken`] for the medicines whose schedule in force in `[from, to)` counts from the
/// last dose taken; the others need no read.
pub(crate) fn last_taken(
    conn: &Connection,
    snapshot: &Snapshot,
    from: Timestamp,
    to: Timestamp,
) -> Result<LastTaken> {
    let mut out = LastTaken::new();
    for in_force in in_force(snapshot, from, to) {
        if !in_force.schedule.phases.iter().any(|p| p.after_last_taken)
            || out.contains_key(&in_force.medicine_id)
        {
            continue;
        }
        let at: Option<i64> = conn
            .prepare_cached(
                "SELECT max(actual_at) FROM dose_event WHERE medicine_id = ?1 AND action = 'taken'",
            )?
            .query_row([in_force.medicine_id], |r| r.get(0))?;
        if let Some(at) = at {
            out.insert(in_force.medicine_id, Timestamp::from_millis(at)?);
        }
    }
    Ok(out)
}

/// Every dose in `[from, to)` with where it stands at `now`: reads the log of the period and
/// hands it to the day engine ([`day::doses_of`]).
pub(crate) fn read_doses(
    conn: &Connection,
    sealer: &Sealer,
    snapshot: &Snapshot,
    (from, to): (Timestamp, Timestamp),
    now: Timestamp,
    problems: &mut Vec<ScheduleProblem>,
) -> Result<Vec<ScheduledDose>> {
    read_doses_of(conn, sealer, snapshot, (from, to), now, problems, &|_| true)
}

/// [`read_doses`] of the medicines `keep` accepts only.
pub(crate) fn read_doses_of(
    conn: &Connection,
    sealer: &Sealer,
    snapshot: &Snapshot,
    period: (Timestamp, Timestamp),
    now: Timestamp,
    problems: &mut Vec<ScheduleProblem>,
    keep: &dyn Fn(i64) -> bool,
) -> Result<Vec<ScheduledDose>> {
    doses_from_log(conn, Some(sealer), snapshot, period, now, problems, keep)
}

/// [`read_doses_of`] for planning (reminders, forecasts): the events without their sealed
/// details, so a dose's `event` has no note and a taken dose shows its planned amount.
pub(crate) fn plan_doses_of(
    conn: &Connection,
    snapshot: &Snapshot,
    period: (Timestamp, Timestamp),
    now: Timestamp,
    problems: &mut Vec<ScheduleProblem>,
    keep: &dyn Fn(i64) -> bool,
) -> Result<Vec<ScheduledDose>> {
    doses_from_log(conn, None, snapshot, period, now, problems, keep)
}

/// Reads the log of `[from, to)` (with the events' sealed details when `sealer` is given) and
/// hands it to the day engine.
fn doses_from_log(
    conn: &Connection,
    sealer: Option<&Sealer>,
    snapshot: &Snapshot,
    (from, to): (Timestamp, Timestamp),
    now: Timestamp,
    problems: &mut Vec<ScheduleProblem>,
    keep: &dyn Fn(i64) -> bool,
) -> Result<Vec<ScheduledDose>> {
    let log = log_index(conn, sealer, from, to)?;
    let last_taken = last_taken(conn, snapshot, from, to)?;
    Ok(day::doses_of(
        snapshot,
        log,
        &last_taken,
        (from, to),
        now,
        problems,
        keep,
    ))
}

/// Says which event of a batch broke a rule.
fn at_index(error: Error, index: usize) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: format!("events[{index}]: {reason}"),
        },
        other => other,
    }
}

fn get(conn: &Connection, sealer: &Sealer, id: i64) -> Result<DoseEvent> {
    let mut statement = conn.prepare(&format!("{SELECT_EVENT} WHERE id = ?1"))?;
    let mut rows = statement.query([id])?;
    match rows.next()? {
        Some(row) => event_from_row(row, sealer),
        None => Err(Error::NotFound {
            what: "dose event",
            id,
        }),
    }
}

/// Appends one validated event inside `tx`; `active` remembers which medicines were already
/// checked in this transaction.
fn append(
    tx: &Connection,
    sealer: &Sealer,
    event: &NewDoseEvent,
    now: Timestamp,
    active: &mut HashSet<i64>,
) -> Result<DoseEvent> {
    if !active.contains(&event.medicine_id) {
        if !medicine::get(tx, sealer, event.medicine_id)?.is_active() {
            return Err(Error::invalid(
                "medicine_id",
                "the medicine is archived; restore it before logging doses",
            ));
        }
        active.insert(event.medicine_id);
    }
    let id: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM dose_event", [], |r| {
        r.get(0)
    })?;
    if let Some(corrected) = event.corrects {
        let same_medicine: Option<i64> = tx
            .query_row(
                "SELECT medicine_id FROM dose_event WHERE id = ?1",
                [corrected],
                |r| r.get(0),
            )
            .optional()?;
        match same_medicine {
            None => {
                return Err(Error::NotFound {
                    what: "dose event",
                    id: corrected,
                });
            }
            Some(medicine_id) if medicine_id != event.medicine_id => {
                return Err(Error::invalid(
                    "corrects",
                    "a correction must be for the same medicine",
                ));
            }
            Some(_) => {}
        }
    }
    let stored = DoseEvent {
        id,
        medicine_id: event.medicine_id,
        action: event.action,
        actual_at: event.actual_at,
        scheduled_at: event.scheduled_at,
        snooze_until: event.snooze_until,
        note: event.note.clone(),
        amount: event.amount.clone(),
        corrects: event.corrects,
        recorded_at: now,
    };
    append_as_stored(tx, sealer, &stored)?;
    Ok(stored)
}

/// Inserts `event` inside `tx` as it is, its id and instants kept: the last step of [`append`],
/// and how a Regimen export is read into an empty database (the event it corrects inserted
/// before it).
pub(crate) fn append_as_stored(tx: &Connection, sealer: &Sealer, event: &DoseEvent) -> Result<()> {
    let details = if event.note.is_some() || event.amount.is_some() {
        Some(sealer.seal_json(
            details_slot(event.id),
            &SealedDetails {
                note: event.note.clone(),
                amount: event.amount.clone(),
            },
        )?)
    } else {
        None
    };
    tx.prepare_cached(
        "INSERT INTO dose_event (id, medicine_id, action, actual_at, scheduled_at,
                                 snooze_until, recorded_at, details, corrects)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        event.id,
        event.medicine_id,
        event.action.as_sql(),
        event.actual_at.as_millis(),
        event.scheduled_at.map(Timestamp::as_millis),
        event.snooze_until.map(Timestamp::as_millis),
        event.recorded_at.as_millis(),
        details,
        event.corrects,
    ])?;
    Ok(())
}

/// Every event of the log, oldest logged first, with its sealed details.
pub(crate) fn all_events(conn: &Connection, sealer: &Sealer) -> Result<Vec<DoseEvent>> {
    let mut statement = conn.prepare_cached(&format!("{SELECT_EVENT} ORDER BY id"))?;
    let mut rows = statement.query([])?;
    let mut events = Vec::new();
    while let Some(row) = rows.next()? {
        events.push(event_from_row(row, sealer)?);
    }
    Ok(events)
}

/// A logged dose, with a warning if it broke the medicine's as-needed rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LoggedDose {
    /// The event as stored.
    pub event: DoseEvent,
    /// Set when the dose came too soon or over the maximum (it is logged all the same).
    pub warning: Option<AsNeededWarning>,
}

/// Appends one dose event inside `tx`, with the as-needed check (which needs the planning
/// snapshot, read only for a taken dose). [`crate::Records::log_dose`] is the caller.
pub(crate) fn log_one(
    tx: &Connection,
    sealer: &Sealer,
    snapshot: impl FnOnce() -> Result<std::sync::Arc<crate::snapshot::Snapshot>>,
    event: &NewDoseEvent,
    now: Timestamp,
) -> Result<LoggedDose> {
    let event = event.validated(now)?;
    let warning = if event.action == DoseAction::Taken {
        let snapshot = snapshot()?;
        as_needed::check(tx, sealer, &snapshot, &event)?
    } else {
        None
    };
    let event = append(tx, sealer, &event, now, &mut HashSet::new())?;
    Ok(LoggedDose { event, warning })
}

impl Store {
    /// Appends many dose events at once (back-filling, imports), all or none: if any event
    /// breaks a rule, nothing is written and the error says which (`events[i]` in `reason`).
    pub fn log_doses(&self, events: &[NewDoseEvent], now: Timestamp) -> Result<Vec<DoseEvent>> {
        let events = events
            .iter()
            .enumerate()
            .map(|(index, event)| event.validated(now).map_err(|e| at_index(e, index)))
            .collect::<Result<Vec<_>>>()?;
        self.write(|tx, sealer| {
            let mut active = HashSet::new();
            events
                .iter()
                .enumerate()
                .map(|(index, event)| {
                    append(tx, sealer, event, now, &mut active).map_err(|e| at_index(e, index))
                })
                .collect()
        })
    }

    /// One dose event by id.
    pub fn dose_event(&self, id: i64) -> Result<DoseEvent> {
        self.read(|conn, sealer| get(conn, sealer, id))
    }

    /// Dose events that happened in `[from, to)`, of one medicine or all, oldest first.
    pub fn dose_events(
        &self,
        from: Timestamp,
        to: Timestamp,
        medicine_id: Option<i64>,
    ) -> Result<Vec<DoseEvent>> {
        if to < from {
            return Err(Error::invalid(
                "to",
                "the end of the range is before its start",
            ));
        }
        self.read(|conn, sealer| {
            if let Some(id) = medicine_id {
                // An unknown medicine is an error, not an empty log.
                conn.query_row("SELECT 1 FROM medicine WHERE id = ?1", [id], |_| Ok(()))
                    .optional()?
                    .ok_or(Error::NotFound {
                        what: "medicine",
                        id,
                    })?;
            }
            let mut statement = conn.prepare(&format!(
                "{SELECT_EVENT} WHERE actual_at >= ?1 AND actual_at < ?2
                   AND (?3 IS NULL OR medicine_id = ?3)
                 ORDER BY actual_at, id"
            ))?;
            let mut rows =
                statement.query(params![from.as_millis(), to.as_millis(), medicine_id])?;
            let mut events = Vec::new();
            while let Some(row) = rows.next()? {
                events.push(event_from_row(row, sealer)?);
            }
            Ok(events)
        })
    }
}
