//! Adherence over a period, per medicine and overall: doses on time, late, skipped and
//! missed; the proportion of days covered (PDC); and streaks.
//!
//! Only scheduled doses count, and only once settled (taken, skipped or missed): a dose still
//! open does not count against the patient yet. A day counts when all its scheduled doses
//! are settled; it is covered when every one was taken (on time or late). Days without
//! scheduled doses neither extend nor break a streak. Days are the phone's local days (UTC
//! until the app records a zone).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::day::{Answer, Planned, local_day, status_of};
use super::{DoseAction, DoseStatus};
use crate::error::{Error, Result};
use crate::schedule::{Frame, ZoneTimeline};
use crate::settings::Settings;
use crate::time::Timestamp;

/// Longest period an adherence report may cover (about 20 years).
pub const MAX_REPORT_DAYS: i64 = 7_400;

/// Adherence of one medicine, or of all together.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Adherence {
    /// The medicine; `None` for all medicines together.
    pub medicine_id: Option<i64>,
    /// Scheduled doses that are settled.
    pub settled: u32,
    /// Taken within the late threshold.
    pub taken_on_time: u32,
    /// Taken after it.
    pub taken_late: u32,
    /// Deliberately not taken.
    pub skipped: u32,
    /// Not answered in time.
    pub missed: u32,
    /// Scheduled doses still open (upcoming, due, late, snoozed).
    pub open: u32,
    /// Days whose scheduled doses are all settled.
    pub days_counted: u32,
    /// Of those, days on which every dose was taken.
    pub days_covered: u32,
    /// `days_covered / days_counted` (0 when no day counts yet).
    pub proportion_of_days_covered: f64,
    /// Covered days in a row, ending with the last counted day.
    pub current_streak_days: u32,
    /// The longest run of covered days.
    pub longest_streak_days: u32,
}

/// Adherence over `[from, to)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AdherenceReport {
    /// Start of the period.
    pub from: Timestamp,
    /// End of the period (exclusive).
    pub to: Timestamp,
    /// All medicines together.
    pub overall: Adherence,
    /// Each medicine with scheduled doses in the period, by id.
    pub medicines: Vec<Adherence>,
}

/// A day's state while counting.
#[derive(Clone, Copy, Default)]
struct Day {
    /// The day has scheduled doses.
    any: bool,
    /// One of them is still open.
    open: bool,
    /// One of them was not taken (skipped or missed).
    uncovered: bool,
}

/// Counts of one medicine (or all), with a slot per local day of the period.
struct Tally {
    adherence: Adherence,
    days: Vec<Day>,
}

impl Tally {
    fn new(medicine_id: Option<i64>, days: usize) -> Self {
        Tally {
            adherence: Adherence {
                medicine_id,
                ..Adherence::default()
            },
            days: vec![Day::default(); days],
        }
    }

    fn add(&mut self, status: DoseStatus, day: usize) {
        let a = &mut self.adherence;
        match status {
            DoseStatus::Taken => a.taken_on_time += 1,
            DoseStatus::TakenLate => a.taken_late += 1,
            DoseStatus::Skipped => a.skipped += 1,
            DoseStatus::Missed => a.missed += 1,
            DoseStatus::Upcoming | DoseStatus::Due | DoseStatus::Late | DoseStatus::Snoozed => {
                a.open += 1
            }
        }
        if let Some(slot) = self.days.get_mut(day) {
            slot.any = true;
            slot.open |= !status.is_settled();
            slot.uncovered |= !matches!(status, DoseStatus::Taken | DoseStatus::TakenLate);
        }
    }

    fn finish(mut self) -> Adherence {
        let a = &mut self.adherence;
        a.settled = a.taken_on_time + a.taken_late + a.skipped + a.missed;
        let mut run = 0;
        for day in self.days.iter().filter(|d| d.any && !d.open) {
            a.days_counted += 1;
            if day.uncovered {
                run = 0;
            } else {
                a.days_covered += 1;
                run += 1;
                a.longest_streak_days = a.longest_streak_days.max(run);
            }
        }
        a.current_streak_days = run;
        if a.days_counted > 0 {
            a.proportion_of_days_covered = f64::from(a.days_covered) / f64::from(a.days_counted);
        }
        self.adherence
    }
}

/// One logged answer, read lean: no sealed details, no allocation.
#[derive(Clone, Copy)]
pub(crate) struct Row {
    medicine_id: i64,
    scheduled_at: Timestamp,
    id: i64,
    answer: Answer,
}

/// Every answer to a scheduled dose read so far, kept between reports. The dose log only
/// grows (SQLite triggers refuse updates and deletes, ids only increase), so a report reads
/// just the events added since the last one, whichever process added them.
#[derive(Default)]
pub(crate) struct AnswerLog {
    /// The highest event id read.
    watermark: i64,
    /// Sorted by medicine, scheduled time, id.
    rows: Vec<Row>,
    /// Ids of events a later event corrects.
    corrected: HashSet<i64>,
}

impl AnswerLog {
    /// Reads the events logged since the last call.
    pub(crate) fn catch_up(&mut self, conn: &Connection) -> Result<()> {
        let mut statement = conn.prepare_cached(
            "SELECT id, medicine_id, scheduled_at, action, actual_at, snooze_until, corrects
             FROM dose_event WHERE id > ?1 ORDER BY id",
        )?;
        let mut rows = statement.query([self.watermark])?;
        let int = |row: &rusqlite::Row<'_>, index: usize| -> Result<Option<i64>> {
            Ok(row
                .get_ref(index)?
                .as_i64_or_null()
                .map_err(rusqlite::Error::from)?)
        };
        let before = self.rows.len();
        while let Some(row) = rows.next()? {
            let (Some(id), Some(medicine_id), Some(actual_at)) =
                (int(row, 0)?, int(row, 1)?, int(row, 4)?)
            else {
                return Err(Error::Damaged(
                    "a dose event lacks a required column".into(),
                ));
            };
            self.watermark = id;
            if let Some(target) = int(row, 6)? {
                self.corrected.insert(target);
            }
            let Some(scheduled_at) = int(row, 2)? else {
                continue;
            };
            // The CHECK constraint allows only 'taken', 'skipped' and 'snoozed'.
            let action = match row.get_ref(3)?.as_bytes().map_err(rusqlite::Error::from)? {
                [b't', ..] => DoseAction::Taken,
                [b's', b'k', ..] => DoseAction::Skipped,
                _ => DoseAction::Snoozed,
            };
            self.rows.push(Row {
                id,
                medicine_id,
                scheduled_at: Timestamp::from_millis(scheduled_at)?,
                answer: Answer {
                    action,
                    actual_at: Timestamp::from_millis(actual_at)?,
                    snooze_until: int(row, 5)?.map(Timestamp::from_millis).transpose()?,
                },
            });
        }
        if self.rows.len() > before {
            // Already sorted runs merge in linear time.
            crate::order::sort_by_key(&mut self.rows, |row| {
                (row.medicine_id, row.scheduled_at, row.id)
            });
        }
        Ok(())
    }

    /// The newest uncorrected answer for each `(medicine, scheduled time)` in `[from, to)`,
    /// sorted by medicine then scheduled time.
    pub(crate) fn newest(&self, from: Timestamp, to: Timestamp) -> Vec<Row> {
        let mut out: Vec<Row> = Vec::with_capacity(self.rows.len());
        for row in self.rows.iter().filter(|r| {
            r.scheduled_at >= from && r.scheduled_at < to && !self.corrected.contains(&r.id)
        }) {
            match out.last_mut() {
                Some(last)
                    if (last.medicine_id, last.scheduled_at)
                        == (row.medicine_id, row.scheduled_at) =>
                {
                    *last = *row;
                }
                _ => out.push(*row),
            }
        }
        out
    }
}

/// The first instant of each local day from the one holding `from` to the one after `to`.
pub(crate) fn day_starts(
    zones: Option<&ZoneTimeline>,
    from: Timestamp,
    to: Timestamp,
) -> Vec<Timestamp> {
    let zone_at = |at: Timestamp| zones.map_or(crate::Zone::UTC, |z| z.zone_at(at));
    let mut date = Frame::Zone(zone_at(from)).local(from).date();
    let mut starts = vec![local_day(zone_at(from), date).0];
    while starts.last().is_some_and(|last| *last <= to) {
        date = date.succ_opt().unwrap_or(NaiveDate::MAX);
        let previous = *starts.last().unwrap_or(&to);
        let next = local_day(zone_at(previous), date).0;
        if next <= previous {
            break;
        }
        starts.push(next);
    }
    starts
}

/// Checks an adherence period.
pub(crate) fn check_period(from: Timestamp, to: Timestamp) -> Result<()> {
    if to <= from {
        return Err(Error::invalid(
            "to",
            "the end of the period must be after its start",
        ));
    }
    if (to.as_millis() - from.as_millis()) / 86_400_000 > MAX_REPORT_DAYS {
        return Err(Error::invalid(
            "from",
            "a report covers at most about 20 years",
        ));
    }
    Ok(())
}

/// Adherence over `[from, to)` at `now`, a pure function of the doses planned (sorted by
/// medicine and time), the answers given (likewise) and where the patient's days start.
pub(crate) fn report(
    planned: &[Planned<'_>],
    answers: &[Row],
    starts: &[Timestamp],
    settings: &Settings,
    (from, to, now): (Timestamp, Timestamp, Timestamp),
) -> AdherenceReport {
    let day_of = |at: Timestamp| {
        starts
            .partition_point(|start| *start <= at)
            .saturating_sub(1)
    };
    let mut overall = Tally::new(None, starts.len());
    let mut by_medicine: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut count = |medicine_id: i64, due: Timestamp, answer: Option<Answer>| {
        let status = status_of(due, answer, now, settings);
        let day = day_of(due);
        overall.add(status, day);
        by_medicine
            .entry(medicine_id)
            .or_insert_with(|| Tally::new(Some(medicine_id), starts.len()))
            .add(status, day);
    };
    // Both lists are sorted by (medicine, time): walk them together.
    let mut next = answers.iter().peekable();
    for dose in planned {
        let key = (dose.medicine_id, dose.due_at);
        // Answers to doses no schedule plans any more (it was edited since) count too.
        while let Some(row) = next.next_if(|r| (r.medicine_id, r.scheduled_at) < key) {
            count(row.medicine_id, row.scheduled_at, Some(row.answer));
        }
        let answer = next
            .next_if(|r| (r.medicine_id, r.scheduled_at) == key)
            .map(|r| r.answer);
        count(dose.medicine_id, dose.due_at, answer);
    }
    for row in next {
        count(row.medicine_id, row.scheduled_at, Some(row.answer));
    }
    AdherenceReport {
        from,
        to,
        overall: overall.finish(),
        medicines: by_medicine.into_values().map(Tally::finish).collect(),
    }
}
