//! Schedules: when a medicine is due, in the patient's wall-clock terms.
//!
//! A [`Schedule`] is one or more [`Phase`]s run one after another (a taper is several; FHIR
//! `Dosage.sequence`), each with a FHIR [`Timing`] and a dose, plus Regimen's extensions for
//! what FHIR has no field for: cycles (21 days on, 7 off), daily windows ("every 3 h between
//! 08:00 and 22:00"), intervals counted from the last dose taken, and as-needed rules. The
//! schedule's [`ZonePolicy`] says how its wall-clock times follow the patient across zones.
//! `expand.rs` turns a schedule into dose instants.

mod anchors;
mod clock;
mod expand;
mod history;
mod spacing;
mod timing;
mod words;
mod zone;

use serde::{Deserialize, Serialize};

pub use anchors::{Anchors, DEFAULT_MEAL_OFFSET_MINUTES, DayAnchors};
pub use clock::{ClockTime, LocalDate, LocalDateTime};
pub use expand::{ExpandContext, PlannedDose, ZoneTimeline, expand};
pub(crate) use expand::{interval_step, unbounded_times, wall_clock, window_times};
pub use history::{ScheduleProblem, ScheduleVersion};
pub(crate) use history::{
    insert_version, insert_version_as_stored, insert_zone_before, record_zone, versions,
    zone_changes, zone_timeline,
};
pub use spacing::{DoseMove, SpacingRule};
pub(crate) use spacing::{insert_rule_as_stored, moved_time, rules as spacing_rules};
pub use timing::{Bounds, DayOfWeek, EventTiming, Timing, TimingCode, TimingRepeat, UnitOfTime};
pub use words::describe;
pub use zone::{DayOffsets, Frame, parse_zone};

use crate::error::{Error, Result};

/// Most phases a schedule may have.
pub const MAX_PHASES: usize = 20;

/// How a schedule's wall-clock times follow the patient across time zones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ZonePolicy {
    /// 08:00 stays 08:00 wherever the patient is (most medicines).
    #[default]
    Local,
    /// Keeps the instants of the schedule's home zone while travelling (time-critical
    /// medicines: 08:00 in Berlin is 02:00 in New York).
    Home,
    /// Fixed intervals in real time from the start: an 8-hourly dose stays 8 hours apart
    /// across DST changes and travel.
    Elapsed,
}

/// An amount of a medicine: `1 tablet`, `500 mg`, `2 puffs`.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Quantity {
    /// How much.
    pub value: f64,
    /// Of what (UCUM code or a plain word: `mg`, `mL`, `tablet`).
    pub unit: String,
}

crate::redact::redacted_display!(Quantity);

/// Largest amount of one dose, log entry or ceiling (a million of its unit: enough for
/// international units, small enough that sums over years stay exact).
pub const MAX_AMOUNT: f64 = 1_000_000.0;

/// Longest least interval between as-needed doses: a week, in minutes.
pub const MAX_MIN_INTERVAL_MINUTES: u32 = 7 * 24 * 60;

/// Longest period of an as-needed ceiling: 31 days, in hours.
pub const MAX_CEILING_PERIOD_HOURS: u32 = 31 * 24;

impl Quantity {
    pub(crate) fn validate(&self, field: &'static str) -> Result<()> {
        if !(self.value.is_finite() && self.value > 0.0) {
            return Err(Error::invalid(field, "an amount must be greater than zero"));
        }
        if self.value > MAX_AMOUNT {
            return Err(Error::invalid(
                field,
                "an amount must be at most 1000000 of its unit",
            ));
        }
        let unit = self.unit.trim();
        if unit.is_empty() || unit.chars().count() > 30 || unit.chars().any(char::is_control) {
            return Err(Error::invalid(field, "a unit is 1 to 30 characters"));
        }
        Ok(())
    }
}

/// Units written as symbols, never pluralised ("2 mg", not "2 mgs").
const UNIT_SYMBOLS: &[&str] = &[
    "mg", "g", "kg", "mcg", "ug", "µg", "ng", "ml", "l", "dl", "cl", "iu", "meq", "mmol", "mol",
    "%", "gtt",
];

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Quantity {
    /// The amount as a patient reads it: "8 tablets", "1 tablet", "2.5 mg", "1 puff". A UCUM
    /// annotation (`{tablet}`) shows as its word; symbols stay as written. (Printing a
    /// `Quantity` shows no amount: it is health data.)
    pub fn describe(&self) -> String {
        let unit = self.unit.trim();
        let word = unit
            .strip_prefix('{')
            .and_then(|u| u.strip_suffix('}'))
            .unwrap_or(unit);
        let countable = word.chars().all(|c| c.is_alphabetic() || c == ' ')
            && !UNIT_SYMBOLS.contains(&word.to_lowercase().as_str())
            && word.chars().count() > 2;
        let lower = word.to_lowercase();
        if self.value == 1.0 || !countable || lower.ends_with('s') {
            return format!("{} {word}", self.value);
        }
        let ending = if lower.ends_with("ch") || lower.ends_with("sh") || lower.ends_with('x') {
            "es"
        } else {
            "s"
        };
        format!("{} {word}{ending}", self.value)
    }
}

/// Extension: N days on, M days off, counted from the phase's first day (21/7 for many oral
/// contraceptives and chemotherapy cycles).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Cycle {
    /// Days with doses.
    pub days_on: u32,
    /// Days without.
    pub days_off: u32,
}

/// Extension: a daily window for interval schedules ("every 3 h between 08:00 and 22:00"), or
/// the span to spread "N times a day" over (default: the patient's waking hours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Window {
    /// First dose of the day.
    pub start: ClockTime,
    /// No dose after this.
    pub end: ClockTime,
}

/// One stretch of a schedule with its own dose and timing (a taper has several).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Phase {
    /// When, in FHIR terms. A phase lasts its `repeat.bounds` duration (or until its `count`
    /// is reached); only the last phase may be open-ended.
    pub timing: Timing,
    /// How much per dose.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub dose: Option<Quantity>,
    /// Extension: days on and off.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub cycle: Option<Cycle>,
    /// Extension: daily window.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub window: Option<Window>,
    /// Extension: for interval timings, count the interval from the last dose actually taken
    /// rather than from the planned time.
    #[cfg_attr(feature = "uniffi", uniffi(default = false))]
    pub after_last_taken: bool,
}

/// Extension: rules for a medicine taken as needed (PRN).
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AsNeeded {
    /// Why it is taken ("for pain"), as prescribed.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub reason: Option<String>,
    /// Least time between two doses, in minutes.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub min_interval_minutes: Option<u32>,
    /// Most that may be taken in a period (FHIR `maxDosePerPeriod`), summed over every
    /// medicine with the same ingredient.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub max_per_period: Option<MaxDose>,
    /// How much one dose is ("1 tablet", "400 mg"): what a dose logged without an amount
    /// counts as against `max_per_period`.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub dose: Option<Quantity>,
    /// When a course taken as needed ends ("as needed for pain, for 5 days"), wall clock in
    /// the schedule's zone: the rules apply until then.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<LocalDateTime>,
}

crate::redact::redacted_display!(AsNeeded, min_interval_minutes);

/// A ceiling: at most `amount` in any `period_hours` hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MaxDose {
    /// The most that may be taken.
    pub amount: Quantity,
    /// Over how many hours (24 for "per day").
    pub period_hours: u32,
}

/// When a medicine is taken: the phases in order, the zone policy, and as-needed rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Schedule {
    /// First moment of the first phase, wall clock in `zone`.
    pub start: LocalDateTime,
    /// The IANA zone the schedule was written in: its home zone.
    pub zone: String,
    /// How times follow the patient across zones.
    pub policy: ZonePolicy,
    /// The phases, run one after another. Empty for a medicine taken only as needed.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub phases: Vec<Phase>,
    /// Rules for extra doses taken as needed.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub as_needed: Option<AsNeeded>,
    /// Extension, policy `home` only: move the doses gradually onto another zone's wall
    /// clock after travel.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    #[serde(default)]
    pub shift: Option<GradualShift>,
}

/// Extension: moves a `home` schedule onto `to_zone`'s wall clock by at most
/// `max_hours_per_day` a day from `starts`, for medicines whose timing must not jump (after a
/// flight, 08:00 Berlin becomes 08:00 New York over three days at 2 h a day).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct GradualShift {
    /// The zone whose wall clock the doses end up on.
    pub to_zone: String,
    /// First day of the shift, in the schedule's zone.
    pub starts: LocalDate,
    /// Most hours the doses move in one day (1 to 12).
    pub max_hours_per_day: u32,
}

impl Schedule {
    /// Checks the whole schedule, naming the field at fault (`phases[1].timing.repeat.offset`
    /// is reported as field `repeat.offset` with the phase in the reason): every rule of
    /// [`Schedule::validate_plannable`], and that no part is ignored by another (a window on
    /// fixed times, "after the last dose" without an interval).
    pub fn validate(&self) -> Result<()> {
        self.validate_plannable()?;
        for (index, phase) in self.phases.iter().enumerate() {
            phase.check_combinations().map_err(|e| in_phase(e, index))?;
        }
        if let Some(shift) = &self.shift
            && parse_zone(&shift.to_zone)? == parse_zone(&self.zone)?
        {
            return Err(Error::invalid(
                "shift.to_zone",
                "is the schedule's own zone: there is nothing to move",
            ));
        }
        Ok(())
    }

    /// The rules a stored schedule must keep to be planned: bounds that keep expansion safe
    /// and quick. A schedule stored by an earlier version that combines parts the way
    /// [`Schedule::validate`] now refuses (a window beside fixed times, once ignored) keeps
    /// being planned as it was, rather than losing its reminders on an update.
    pub(crate) fn validate_plannable(&self) -> Result<()> {
        parse_zone(&self.zone)?;
        if !self.start.in_range() {
            return Err(Error::invalid(
                "start",
                "must lie between the years 1900 and 2199",
            ));
        }
        if self.phases.is_empty() && self.as_needed.is_none() {
            return Err(Error::invalid(
                "phases",
                "a schedule needs at least one phase or as-needed rules",
            ));
        }
        if self.phases.len() > MAX_PHASES {
            return Err(Error::invalid(
                "phases",
                format!("at most {MAX_PHASES} phases"),
            ));
        }
        let last = self.phases.len().saturating_sub(1);
        for (index, phase) in self.phases.iter().enumerate() {
            phase.validate_plannable().map_err(|e| in_phase(e, index))?;
            if index < last && !phase.has_end() {
                return Err(in_phase(
                    Error::invalid(
                        "repeat.bounds",
                        "only the last phase may be open-ended; give it a duration or count",
                    ),
                    index,
                ));
            }
        }
        if let Some(shift) = &self.shift {
            parse_zone(&shift.to_zone)?;
            if self.policy != ZonePolicy::Home {
                return Err(Error::invalid(
                    "shift",
                    "only a schedule with policy home can shift",
                ));
            }
            if !(1..=12).contains(&shift.max_hours_per_day) {
                return Err(Error::invalid("shift.max_hours_per_day", "must be 1 to 12"));
            }
        }
        if let Some(prn) = &self.as_needed {
            crate::validate::optional_text("as_needed.reason", prn.reason.as_deref(), 200, false)?;
            if prn
                .min_interval_minutes
                .is_some_and(|m| m == 0 || m > MAX_MIN_INTERVAL_MINUTES)
            {
                return Err(Error::invalid(
                    "as_needed.min_interval_minutes",
                    format!("must be 1 to {MAX_MIN_INTERVAL_MINUTES} minutes (a week)"),
                ));
            }
            if let Some(dose) = &prn.dose {
                dose.validate("as_needed.dose")?;
            }
            if let Some(ends) = prn.ends
                && (!ends.in_range() || ends <= self.start)
            {
                return Err(Error::invalid(
                    "as_needed.ends",
                    "must be after the schedule's start, before the year 2200",
                ));
            }
            if let Some(max) = &prn.max_per_period {
                max.amount.validate("as_needed.max_per_period.amount")?;
                if max.period_hours == 0 || max.period_hours > MAX_CEILING_PERIOD_HOURS {
                    return Err(Error::invalid(
                        "as_needed.max_per_period.period_hours",
                        format!("must be 1 to {MAX_CEILING_PERIOD_HOURS} hours (31 days)"),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Phase {
    /// Checks the phase's rules (timing, amount, cycle, window) and that no part of it is
    /// ignored by another, as a new schedule holding it would.
    pub(crate) fn validate(&self) -> Result<()> {
        self.validate_plannable()?;
        self.check_combinations()
    }

    /// The phase's bounds (see [`Schedule::validate_plannable`]).
    pub(crate) fn validate_plannable(&self) -> Result<()> {
        self.timing.validate()?;
        if let Some(dose) = &self.dose {
            dose.validate("dose")?;
        }
        if let Some(cycle) = self.cycle
            && (cycle.days_on == 0 || cycle.days_on.saturating_add(cycle.days_off) > 366)
        {
            return Err(Error::invalid(
                "cycle",
                "needs at least one day on and a cycle of at most 366 days",
            ));
        }
        if let Some(window) = self.window
            && window.end <= window.start
        {
            return Err(Error::invalid(
                "window",
                "must end after it starts on the same day",
            ));
        }
        Ok(())
    }

    /// Refuses parts the others would make meaningless: a window on fixed times or events
    /// (the times are the day's doses), "after the last dose taken" without an interval.
    fn check_combinations(&self) -> Result<()> {
        let repeat = self.timing.effective_repeat();
        let fixed_times = repeat
            .as_ref()
            .is_none_or(|r| !r.time_of_day.is_empty() || !r.when.is_empty());
        if self.window.is_some() && fixed_times {
            return Err(Error::invalid(
                "window",
                "applies to doses at an interval or spread over the day, not to fixed times or events",
            ));
        }
        if self.after_last_taken {
            if !repeat.as_ref().is_some_and(TimingRepeat::is_interval) {
                return Err(Error::invalid(
                    "after_last_taken",
                    "needs doses at an interval of hours or minutes",
                ));
            }
            if self.window.is_some() {
                return Err(Error::invalid(
                    "after_last_taken",
                    "cannot be combined with a window (its doses start at the window's start)",
                ));
            }
        }
        Ok(())
    }

    /// Whether the phase ends by itself (a duration, an end date, or a count).
    fn has_end(&self) -> bool {
        let repeat = self.timing.effective_repeat();
        let bounded = repeat.as_ref().is_some_and(|r| {
            r.count.is_some()
                || matches!(r.bounds, Some(Bounds::Duration { .. }))
                || matches!(r.bounds, Some(Bounds::Period { end: Some(_), .. }))
        });
        bounded || (repeat.is_none() && !self.timing.event.is_empty())
    }
}

/// Says which phase an error came from.
fn in_phase(error: Error, index: usize) -> Error {
    match error {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: format!("phases[{index}]: {reason}"),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    fn shown(value: f64, unit: &str) -> String {
        Quantity {
            value,
            unit: unit.into(),
        }
        .describe()
    }

    #[test]
    fn amounts_read_as_a_patient_says_them() {
        assert_eq!(shown(8.0, "tablet"), "8 tablets");
        assert_eq!(shown(1.0, "tablet"), "1 tablet");
        assert_eq!(shown(0.5, "tablet"), "0.5 tablets");
        assert_eq!(shown(2.0, "patch"), "2 patches");
        assert_eq!(shown(2.0, "{capsule}"), "2 capsules");
        assert_eq!(shown(2.0, "drops"), "2 drops");
        assert_eq!(shown(2.5, "mg"), "2.5 mg");
        assert_eq!(shown(500.0, "mg"), "500 mg");
        assert_eq!(shown(10.0, "mL"), "10 mL");
        assert_eq!(shown(4.0, "IU"), "4 IU");
        assert_eq!(shown(2.0, "puff"), "2 puffs");
    }

    #[test]
    fn printing_an_amount_shows_none() {
        let dose = Quantity {
            value: 8.0,
            unit: "tablet".into(),
        };
        assert_eq!(dose.to_string(), "Quantity(…)");
    }
}
