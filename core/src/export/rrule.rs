//! Which RFC 5545 recurrence rule (3.3.10) a schedule phase's doses follow, if one does.
//!
//! A [`Rule`] pairs the `RRULE` text with a plain phase that Regimen's own expansion reads the
//! same way (`rule.phase`): times of day with no cycle, one-off events or window, so the writer
//! can list the occurrences the rule stands for and patch what the real phase does otherwise
//! (a cycle's days off become `EXDATE`s, one-off doses `RDATE`s). A phase no rule can follow is
//! refused with the reason, and exported as its exact instants.
//!
//! The mapping:
//! - fixed times (`time_of_day`, or a window's steps) every N days: `FREQ=DAILY;INTERVAL=N` with
//!   `BYHOUR`/`BYMINUTE`/`BYSECOND`, days of the week as `BYDAY`;
//! - every N weeks on some weekdays: `FREQ=WEEKLY;INTERVAL=N;WKST=MO;BYDAY=...`;
//! - monthly or yearly on the start's day: `FREQ=MONTHLY`/`YEARLY`, a day some months lack
//!   (the 31st, 29 February) as `BYMONTHDAY=28,...,31;BYSETPOS=-1` (Regimen's "last day instead");
//! - every N hours or minutes: `FREQ=HOURLY`/`MINUTELY`/`SECONDLY;INTERVAL=N`.

use chrono::{Datelike, NaiveDateTime};

use crate::schedule::{
    ClockTime, DayOfWeek, Phase, Timing, TimingRepeat, UnitOfTime, interval_step, window_times,
};

/// How the rule repeats.
#[derive(Clone, Debug, PartialEq)]
enum Pattern {
    /// Every `every` days, on `days` only if any.
    Daily { every: u32, days: Vec<DayOfWeek> },
    /// Every `every` weeks (from Monday) on `days`.
    Weekly { every: u32, days: Vec<DayOfWeek> },
    /// Every `every` months on day `day` (the month's last day where it has fewer).
    Monthly { every: u32, day: u32 },
    /// Every `every` years on `month`/`day` (28 February in years without the 29th).
    Yearly { every: u32, month: u32, day: u32 },
    /// Every `seconds` of wall-clock time, on `days` only if any.
    Steps { seconds: i64, days: Vec<DayOfWeek> },
}

/// A phase's recurrence rule and the plain phase it stands for.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pattern: Pattern,
    /// The phase the rule generates, for Regimen's expansion to list its occurrences.
    pub phase: Phase,
}

/// Why a phase is exported as exact instants rather than a rule.
pub(crate) type Refusal = &'static str;

/// Meal and sleep times are the patient's settings, not clock times.
const ANCHORS: Refusal = "its times follow the patient's meal and sleep times";
const SPREAD: Refusal = "its doses are spread over the patient's waking hours";
const SPREAD_DAYS: Refusal = "its doses are spread over the days of its period";
const BREAKFAST: Refusal = "its daily dose follows the patient's breakfast time";
const AFTER_TAKEN: Refusal = "its interval counts from the last dose taken";
const ONE_OFF: Refusal = "it has one-off times only";
const NO_STEP: Refusal = "its interval cannot be stepped";
const MONTH_DAYS: Refusal = "it combines weekdays with a monthly or yearly step";
const SHORT_MONTHS: Refusal = "several times a day on a day some months lack";
const UTC_DAYS: Refusal =
    "it keeps elapsed time, and its weekdays or dates fall on other days in UTC";

impl Rule {
    /// The rule of `phase` run from `start`, or why there is none. `utc_shift` is the offset
    /// (seconds east) of a schedule that keeps elapsed time: its rule is written in UTC, its
    /// times moved by that much.
    pub fn of(
        phase: &Phase,
        start: NaiveDateTime,
        utc_shift: Option<i32>,
    ) -> Result<Rule, Refusal> {
        let Some(repeat) = phase.timing.effective_repeat() else {
            return Err(ONE_OFF);
        };
        if !repeat.when.is_empty() {
            return Err(ANCHORS);
        }
        if phase.after_last_taken {
            return Err(AFTER_TAKEN);
        }
        let days = repeat.day_of_week.clone();
        let (pattern, view) = if repeat.is_interval() {
            match window_times(phase) {
                Some(times) => (
                    Pattern::Daily {
                        every: 1,
                        days: days.clone(),
                    },
                    daily_view(times, &days, 1.0, UnitOfTime::D),
                ),
                None => {
                    let seconds = interval_step(&repeat).ok_or(NO_STEP)?;
                    let view = TimingRepeat {
                        bounds: None,
                        count: None,
                        ..repeat.clone()
                    };
                    (
                        Pattern::Steps {
                            seconds,
                            days: days.clone(),
                        },
                        view,
                    )
                }
            }
        } else {
            let times = times_of(phase, &repeat, start)?;
            let unit = repeat.period_unit.unwrap_or(UnitOfTime::D);
            let period = repeat.period.unwrap_or(1.0);
            let every = period.round().max(1.0) as u32;
            let pattern = match unit {
                UnitOfTime::S | UnitOfTime::Min | UnitOfTime::H => Pattern::Daily {
                    every: 1,
                    days: days.clone(),
                },
                UnitOfTime::D => Pattern::Daily {
                    every,
                    days: days.clone(),
                },
                UnitOfTime::Wk if days.is_empty() => Pattern::Daily {
                    every: every * 7,
                    days: Vec::new(),
                },
                UnitOfTime::Wk => Pattern::Weekly {
                    every,
                    days: days.clone(),
                },
                _ if !days.is_empty() => return Err(MONTH_DAYS),
                UnitOfTime::Mo => Pattern::Monthly {
                    every,
                    day: start.day(),
                },
                UnitOfTime::A => Pattern::Yearly {
                    every,
                    month: start.month(),
                    day: start.day(),
                },
            };
            let short_month = match pattern {
                Pattern::Monthly { day, .. } => day > 28,
                Pattern::Yearly { month, day, .. } => month == 2 && day == 29,
                _ => false,
            };
            if short_month && times.len() > 1 {
                return Err(SHORT_MONTHS);
            }
            (pattern, daily_view(times, &days, period, unit))
        };
        if let Some(shift) = utc_shift {
            check_utc(&pattern, &view, shift)?;
        }
        Ok(Rule {
            pattern,
            phase: Phase {
                timing: Timing {
                    event: Vec::new(),
                    repeat: Some(view),
                    code: None,
                },
                dose: phase.dose.clone(),
                cycle: None,
                window: None,
                after_last_taken: false,
            },
        })
    }

    /// Whether the rule steps through time rather than naming times of the day: its
    /// occurrences are then one series, not one per minute of the hour.
    pub fn steps(&self) -> bool {
        matches!(self.pattern, Pattern::Steps { .. })
    }

    /// The `RRULE` value up to `until` (a UTC DATE-TIME), for the occurrences at `hours` past
    /// `minute:second` (ignored for steps).
    pub fn text(&self, until: &str, hours: &[u32], minute: u32, second: u32) -> String {
        let interval = |n: u32| {
            if n > 1 {
                format!(";INTERVAL={n}")
            } else {
                String::new()
            }
        };
        let by_day = |days: &[DayOfWeek]| {
            if days.is_empty() {
                String::new()
            } else {
                let codes: Vec<&str> = sorted(days).iter().map(|d| day_code(*d)).collect();
                format!(";BYDAY={}", codes.join(","))
            }
        };
        let hours: Vec<String> = hours.iter().map(u32::to_string).collect();
        let clock = format!(
            ";BYHOUR={};BYMINUTE={minute};BYSECOND={second}",
            hours.join(",")
        );
        let last_day = |day: u32| {
            if day > 28 {
                let days: Vec<String> = (28..=day).map(|d| d.to_string()).collect();
                format!(";BYMONTHDAY={};BYSETPOS=-1", days.join(","))
            } else {
                format!(";BYMONTHDAY={day}")
            }
        };
        match &self.pattern {
            Pattern::Daily { every, days } => format!(
                "FREQ=DAILY{};UNTIL={until}{}{clock}",
                interval(*every),
                by_day(days)
            ),
            Pattern::Weekly { every, days } => format!(
                "FREQ=WEEKLY{};UNTIL={until};WKST=MO{}{clock}",
                interval(*every),
                by_day(days)
            ),
            Pattern::Monthly { every, day } => format!(
                "FREQ=MONTHLY{};UNTIL={until}{}{clock}",
                interval(*every),
                last_day(*day)
            ),
            Pattern::Yearly { every, month, day } => format!(
                "FREQ=YEARLY{};UNTIL={until};BYMONTH={month}{}{clock}",
                interval(*every),
                last_day(*day)
            ),
            Pattern::Steps { seconds, days } => {
                let (freq, n) = if seconds % 3600 == 0 {
                    ("HOURLY", seconds / 3600)
                } else if seconds % 60 == 0 {
                    ("MINUTELY", seconds / 60)
                } else {
                    ("SECONDLY", *seconds)
                };
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                format!("FREQ={freq}{};UNTIL={until}{}", interval(n), by_day(days))
            }
        }
    }
}

/// The one time a day of a phase with no times named, or why it has none that a calendar
/// could keep.
fn times_of(
    phase: &Phase,
    repeat: &TimingRepeat,
    start: NaiveDateTime,
) -> Result<Vec<ClockTime>, Refusal> {
    if !repeat.time_of_day.is_empty() {
        let mut times = repeat.time_of_day.clone();
        crate::order::sort(&mut times);
        times.dedup();
        return Ok(times);
    }
    let frequency = repeat.frequency.unwrap_or(1);
    let unit = repeat.period_unit.unwrap_or(UnitOfTime::D);
    let period = repeat.period.unwrap_or(1.0);
    let length_days = match unit {
        UnitOfTime::D => period.round().max(1.0),
        UnitOfTime::Wk if repeat.day_of_week.is_empty() => period.round().max(1.0) * 7.0,
        _ => 1.0,
    };
    if frequency > 1 && unit == UnitOfTime::D && period <= 1.0 {
        return Err(SPREAD);
    }
    if frequency > 1 && length_days > 1.0 {
        return Err(SPREAD_DAYS);
    }
    if let Some(window) = phase.window {
        return Ok(vec![window.start]);
    }
    let time = ClockTime::from_naive(start.time());
    if time == ClockTime::MIDNIGHT {
        return Err(BREAKFAST);
    }
    Ok(vec![time])
}

/// A repeat with these times on the days the pattern names.
fn daily_view(
    times: Vec<ClockTime>,
    days: &[DayOfWeek],
    period: f64,
    unit: UnitOfTime,
) -> TimingRepeat {
    TimingRepeat {
        time_of_day: times,
        day_of_week: days.to_vec(),
        period: Some(period),
        period_unit: Some(unit),
        ..TimingRepeat::default()
    }
}

/// A rule written in UTC keeps its days only if no time moves to another date there.
fn check_utc(pattern: &Pattern, view: &TimingRepeat, shift: i32) -> Result<(), Refusal> {
    if shift == 0 {
        return Ok(());
    }
    let dated = match pattern {
        Pattern::Daily { days, .. } | Pattern::Weekly { days, .. } => !days.is_empty(),
        Pattern::Monthly { .. } | Pattern::Yearly { .. } => true,
        Pattern::Steps { days, .. } => {
            return if days.is_empty() {
                Ok(())
            } else {
                Err(UTC_DAYS)
            };
        }
    };
    let moves = view.time_of_day.iter().any(|t| {
        let utc = i64::from(t.seconds()) - i64::from(shift);
        !(0..86_400).contains(&utc)
    });
    if dated && moves {
        return Err(UTC_DAYS);
    }
    Ok(())
}

fn sorted(days: &[DayOfWeek]) -> Vec<DayOfWeek> {
    let mut days = days.to_vec();
    crate::order::sort(&mut days);
    days.dedup();
    days
}

fn day_code(day: DayOfWeek) -> &'static str {
    match day {
        DayOfWeek::Mon => "MO",
        DayOfWeek::Tue => "TU",
        DayOfWeek::Wed => "WE",
        DayOfWeek::Thu => "TH",
        DayOfWeek::Fri => "FR",
        DayOfWeek::Sat => "SA",
        DayOfWeek::Sun => "SU",
    }
}
