//! Adherence over a period, per medicine and overall: doses on time, late, skipped and
//! missed; the proportion of days covered (PDC); and streaks.
//!
//! Only scheduled doses count, and only once settled (taken, skipped or missed): a dose still
//! open does not count against the patient yet. A day counts when all its scheduled doses
//! are settled; it is covered when every one was taken (on time or late). Days without
//! scheduled doses neither extend nor break a streak. Days are the phone's local days (UTC
//! until the app records a zone).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DoseStatus;
use super::status::{ScheduledDose, doses};
use crate::error::{Error, Result};
use crate::schedule::{Frame, zone_timeline};
use crate::settings;
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

/// Per-day state while counting: (all settled, all taken).
type Days = BTreeMap<NaiveDate, (bool, bool)>;

fn count(medicine_id: Option<i64>, doses: &[(&ScheduledDose, NaiveDate)]) -> Adherence {
    let mut a = Adherence {
        medicine_id,
        ..Adherence::default()
    };
    let mut days: Days = BTreeMap::new();
    for (dose, day) in doses {
        let entry = days.entry(*day).or_insert((true, true));
        match dose.status {
            DoseStatus::Taken => a.taken_on_time += 1,
            DoseStatus::TakenLate => a.taken_late += 1,
            DoseStatus::Skipped => a.skipped += 1,
            DoseStatus::Missed => a.missed += 1,
            DoseStatus::Upcoming | DoseStatus::Due | DoseStatus::Late | DoseStatus::Snoozed => {
                a.open += 1;
                entry.0 = false;
            }
        }
        if !matches!(dose.status, DoseStatus::Taken | DoseStatus::TakenLate) {
            entry.1 = false;
        }
    }
    a.settled = a.taken_on_time + a.taken_late + a.skipped + a.missed;
    let mut run = 0;
    for &(settled, covered) in days.values() {
        if !settled {
            continue;
        }
        a.days_counted += 1;
        if covered {
            a.days_covered += 1;
            run += 1;
            a.longest_streak_days = a.longest_streak_days.max(run);
        } else {
            run = 0;
        }
    }
    a.current_streak_days = run;
    if a.days_counted > 0 {
        a.proportion_of_days_covered = f64::from(a.days_covered) / f64::from(a.days_counted);
    }
    a
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
            let settings = settings::read(conn, sealer)?;
            let zones = zone_timeline(conn, sealer)?;
            let all = doses(conn, sealer, &settings, from, to, now)?;
            let local_day = |at: Timestamp| match &zones {
                Some(zones) => Frame::Zone(zones.zone_at(at)).local(at).date(),
                None => at.to_datetime().date_naive(),
            };
            let scheduled: Vec<(&ScheduledDose, NaiveDate)> = all
                .iter()
                .filter(|d| d.due_at.is_some_and(|due| due >= from && due < to))
                .filter_map(|d| d.due_at.map(|due| (d, local_day(due))))
                .collect();
            let mut by_medicine: BTreeMap<i64, Vec<(&ScheduledDose, NaiveDate)>> = BTreeMap::new();
            for entry in &scheduled {
                by_medicine
                    .entry(entry.0.medicine_id)
                    .or_default()
                    .push(*entry);
            }
            Ok(AdherenceReport {
                from,
                to,
                overall: count(None, &scheduled),
                medicines: by_medicine
                    .iter()
                    .map(|(id, doses)| count(Some(*id), doses))
                    .collect(),
            })
        })
    }
}
