//! Adherence over a period, per medicine and overall: doses on time, late, skipped and
//! missed; the proportion of days covered (PDC); and streaks.
//!
//! Only scheduled doses count, and only once settled (taken, skipped or missed): a dose still
//! open does not count against the patient yet. A day counts when all its scheduled doses
//! are settled; it is covered when every one was taken (on time or late). Days without
//! scheduled doses neither extend nor break a streak. Days are the phone's local days (UTC
//! until the app records a zone).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::status::{Answer, local_day, planned, status_of};
use super::{DoseAction, DoseStatus};
use crate::error::{Error, Result};
use crate::schedule::{Frame, ZoneTimeline};
use crate::store::Store;
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

/// The newest uncorrected answer for each `(medicine, scheduled time)` in `[from, to)`, read
/// lean: no sealed details, no allocation per row.
fn answers(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
) -> Result<HashMap<(i64, i64), Answer>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, medicine_id, scheduled_at, action, actual_at, snooze_until, corrects
         FROM dose_event WHERE scheduled_at >= ?1 AND scheduled_at < ?2 ORDER BY id",
    )?;
    let mut rows = statement.query(params![from.as_millis(), to.as_millis()])?;
    let mut newest: HashMap<(i64, i64), (i64, Answer)> = HashMap::new();
    let mut corrected = HashSet::new();
    while let Some(row) = rows.next()? {
        let action = match row.get_ref(3)?.as_str().map_err(rusqlite::Error::from)? {
            "taken" => DoseAction::Taken,
            "skipped" => DoseAction::Skipped,
            _ => DoseAction::Snoozed,
        };
        let snooze_until: Option<i64> = row.get(5)?;
        let answer = Answer {
            action,
            actual_at: Timestamp::from_millis(row.get(4)?)?,
            snooze_until: snooze_until.map(Timestamp::from_millis).transpose()?,
        };
        if let Some(target) = row.get::<_, Option<i64>>(6)? {
            corrected.insert(target);
        }
        let id: i64 = row.get(0)?;
        newest.insert((row.get(1)?, row.get(2)?), (id, answer));
    }
    // A corrected event never wins: its correction is newer and answers the same or another dose.
    Ok(newest
        .into_iter()
        .filter(|(_, (id, _))| !corrected.contains(id))
        .map(|(key, (_, answer))| (key, answer))
        .collect())
}

/// Local dates of instants in increasing order, with one zone look-up per day.
struct LocalDays<'a> {
    zones: Option<&'a ZoneTimeline>,
    first: NaiveDate,
    /// The UTC instants the last looked-up local day spans, and its index.
    cached: Option<(Timestamp, Timestamp, usize)>,
}

impl LocalDays<'_> {
    fn frame(&self, at: Timestamp) -> Frame {
        Frame::Zone(self.zones.map_or(chrono_tz::UTC, |z| z.zone_at(at)))
    }

    /// Index (days after the first) of the local day holding `at`.
    fn index(&mut self, at: Timestamp) -> usize {
        if let Some((start, end, index)) = self.cached
            && start <= at
            && at < end
        {
            return index;
        }
        let frame = self.frame(at);
        let date = frame.local(at).date();
        let (start, end) = local_day(self.zones.map_or(chrono_tz::UTC, |z| z.zone_at(at)), date);
        let index = usize::try_from((date - self.first).num_days()).unwrap_or(usize::MAX);
        self.cached = Some((start, end, index));
        index
    }
}

impl Store {
    /// Adherence over `[from, to)` as it stands at `now`.
    pub fn adherence(
        &self,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<AdherenceReport> {
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
        self.read(|conn, sealer| {
            let snapshot = self.snapshot(conn, sealer, true)?;
            let settings = &snapshot.settings;
            let mut answers = answers(conn, from, to)?;
            let mut days = LocalDays {
                zones: snapshot.zones.as_ref(),
                first: NaiveDate::MIN,
                cached: None,
            };
            days.first = days.frame(from).local(from).date();
            let span =
                usize::try_from((days.frame(to).local(to).date() - days.first).num_days() + 1)
                    .unwrap_or(0);
            let mut overall = Tally::new(None, span);
            let mut by_medicine: BTreeMap<i64, Tally> = BTreeMap::new();
            let mut count = |medicine_id: i64,
                             due: Timestamp,
                             answer: Option<Answer>,
                             days: &mut LocalDays<'_>| {
                let status = status_of(due, answer, now, settings);
                let day = days.index(due);
                overall.add(status, day);
                by_medicine
                    .entry(medicine_id)
                    .or_insert_with(|| Tally::new(Some(medicine_id), span))
                    .add(status, day);
            };
            for dose in planned(conn, &snapshot, from, to)? {
                let answer = answers.remove(&(dose.medicine_id, dose.due_at.as_millis()));
                count(dose.medicine_id, dose.due_at, answer, &mut days);
            }
            // Answers to doses no schedule plans any more (it was edited since).
            let mut left: Vec<((i64, i64), Answer)> = answers.into_iter().collect();
            left.sort_by_key(|(key, _)| (key.1, key.0));
            for ((medicine_id, due), answer) in left {
                count(
                    medicine_id,
                    Timestamp::from_millis(due)?,
                    Some(answer),
                    &mut days,
                );
            }
            Ok(AdherenceReport {
                from,
                to,
                overall: overall.finish(),
                medicines: by_medicine.into_values().map(Tally::finish).collect(),
            })
        })
    }
}
