//! A schedule in a few words, as a patient or a doctor reads it: "1 tablet at 08:00, 20:00
//! (local time, Europe/Berlin)", "every 8 hours", "as needed, at least 4 hours apart".

use serde::Serialize;

use super::{Schedule, UnitOfTime};

/// The snake-case name of a choice in words (`day_of_week` values, policies).
fn choice_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

/// A schedule in a few words: "08:00, 20:00 daily", "every 8 h", "as needed".
pub fn describe(schedule: &Schedule) -> String {
    let mut parts: Vec<String> = schedule
        .phases
        .iter()
        .map(|phase| {
            let repeat = phase.timing.effective_repeat();
            let mut text = match (&repeat, phase.timing.code) {
                (_, Some(code)) if phase.timing.repeat.is_none() => code.code().to_string(),
                (Some(r), _) if !r.time_of_day.is_empty() => {
                    let times: Vec<String> =
                        r.time_of_day.iter().map(ToString::to_string).collect();
                    match (r.period, r.period_unit) {
                        (Some(p), Some(unit)) if !(p == 1.0 && unit == UnitOfTime::D) => {
                            format!("at {} every {}", times.join(", "), period_words(p, unit))
                        }
                        _ => format!("at {}", times.join(", ")),
                    }
                }
                (Some(r), _) if !r.when.is_empty() => {
                    let codes: Vec<&str> = r.when.iter().map(|w| w.code()).collect();
                    format!("at {}", codes.join(", "))
                }
                (Some(r), _) => match (r.frequency, r.period, r.period_unit) {
                    (f, Some(p), Some(unit)) => match (f.unwrap_or(1), p == 1.0) {
                        (1, _) => format!("every {}", period_words(p, unit)),
                        (n, true) => format!("{n} times a {}", period_words(p, unit)),
                        (n, false) => format!("{n} times every {}", period_words(p, unit)),
                    },
                    _ => "scheduled".into(),
                },
                (None, _) => "at set moments".into(),
            };
            if let Some(r) = &repeat {
                if !r.day_of_week.is_empty() {
                    let days: Vec<String> = r.day_of_week.iter().map(choice_name).collect();
                    text.push_str(&format!(" on {}", days.join(", ")));
                }
                if let Some(count) = r.count {
                    text.push_str(&format!(", {count} doses"));
                }
            }
            if let Some(cycle) = phase.cycle {
                text.push_str(&format!(
                    ", {} days on / {} off",
                    cycle.days_on, cycle.days_off
                ));
            }
            if let Some(dose) = &phase.dose {
                text = format!("{} {text}", dose.describe());
            }
            text
        })
        .collect();
    if let Some(rules) = &schedule.as_needed {
        let mut text = match &rules.dose {
            Some(dose) => format!("{} as needed", dose.describe()),
            None => "as needed".to_owned(),
        };
        if let Some(minutes) = rules.min_interval_minutes {
            text.push_str(&format!(", at least {} apart", minutes_words(minutes)));
        }
        if let Some(max) = &rules.max_per_period {
            text.push_str(&format!(
                ", at most {} in {}",
                max.amount.describe(),
                period_words(f64::from(max.period_hours), UnitOfTime::H)
            ));
        }
        parts.push(text);
    }
    let shift = schedule.shift.as_ref().map_or(String::new(), |shift| {
        format!(
            ", moving to {} time by {} h a day from {}",
            shift.to_zone, shift.max_hours_per_day, shift.starts
        )
    });
    format!(
        "{} ({} time, {}{shift})",
        parts.join("; then "),
        choice_name(&schedule.policy),
        schedule.zone
    )
}

/// "4 hours", "90 minutes": a span of minutes in words.
fn minutes_words(minutes: u32) -> String {
    let (count, noun) = if minutes % 60 == 0 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// "day", "3 days", "8 hours": a period of `value` `unit`s in words.
fn period_words(value: f64, unit: UnitOfTime) -> String {
    let noun = match unit {
        UnitOfTime::S => "second",
        UnitOfTime::Min => "minute",
        UnitOfTime::H => "hour",
        UnitOfTime::D => "day",
        UnitOfTime::Wk => "week",
        UnitOfTime::Mo => "month",
        UnitOfTime::A => "year",
    };
    if value == 1.0 {
        noun.to_owned()
    } else {
        format!("{value} {noun}s")
    }
}
