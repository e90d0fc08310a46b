//! Schedule flags shared by `med add` and `med schedule`: friendly ones (`--times`, `--every`,
//! `--cycle`, `--prn`, ...) or a FHIR Timing (`--timing`). They build one `Schedule`.

use clap::{Args, ValueEnum};
use regimen_ffi::{
    AsNeeded, Bounds, ClockTime, Cycle, DayOfWeek, GradualShift, LocalDate, LocalDateTime, MaxDose,
    Phase, Quantity, Schedule, Timing, TimingRepeat, UnitOfTime, Window, ZonePolicy,
    parse_fhir_timing,
};

use crate::Failure;
use crate::session::Session;

/// How the schedule follows the patient across zones.
#[derive(Clone, Copy, ValueEnum)]
pub enum PolicyArg {
    /// Same wall-clock time wherever the patient is.
    Local,
    /// Stays on the home zone's time while travelling.
    Home,
    /// Fixed intervals in real time.
    Elapsed,
}

/// When a medicine is taken.
#[derive(Args, Default)]
pub struct ScheduleArgs {
    /// At these times of the day: 08:00,20:00 (daily, or every --every days).
    #[arg(long, value_delimiter = ',')]
    times: Vec<String>,
    /// At a fixed interval: 8h, 90m, 2d; with --times, every so many days (3d, 1w).
    #[arg(long)]
    every: Option<String>,
    /// A FHIR R4 Timing as JSON (instead of --times/--every/--days).
    #[arg(long)]
    timing: Option<String>,
    /// Only on these days: mon,wed,fri.
    #[arg(long, value_delimiter = ',')]
    days: Vec<String>,
    /// Days on and off: 21/7.
    #[arg(long)]
    cycle: Option<String>,
    /// Only between these times each day (with --every): 08:00-22:00.
    #[arg(long)]
    window: Option<String>,
    /// Count --every from the last dose taken.
    #[arg(long)]
    after_last_taken: bool,
    /// For this long: 10d, 4w.
    #[arg(long = "for")]
    duration: Option<String>,
    /// This many doses in all.
    #[arg(long)]
    count: Option<u32>,
    /// How much per dose: "1 tablet", "500 mg" (with --prn, what a dose logged without an
    /// amount counts as).
    #[arg(long)]
    dose: Option<String>,
    /// Taken as needed.
    #[arg(long)]
    prn: bool,
    /// As needed: least time between doses (4h).
    #[arg(long)]
    min_interval: Option<String>,
    /// As needed: most per period, "3 tablet/24h" or "4000 mg/1d".
    #[arg(long)]
    max: Option<String>,
    /// How times follow the patient across zones [default: local].
    #[arg(long, value_enum)]
    policy: Option<PolicyArg>,
    /// First day (and time) of the schedule, wall clock [default: now].
    #[arg(long)]
    start: Option<String>,
    /// With --policy home: move the doses onto this zone's clock gradually, from today.
    #[arg(long, requires = "shift_hours")]
    shift_to: Option<String>,
    /// With --shift-to: at most this many hours a day.
    #[arg(long)]
    shift_hours: Option<u32>,
}

fn bad(flag: &str, rule: &str) -> Failure {
    Failure::Cli(format!("--{flag}: {rule}"))
}

/// `8h` -> (8, h); units m, h, d, w.
fn parse_span(flag: &str, text: &str) -> Result<(f64, UnitOfTime), Failure> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| bad(flag, "expected a number and a unit, like 8h"))?;
    let value: f64 = text[..split]
        .parse()
        .map_err(|_| bad(flag, "expected a number and a unit, like 8h"))?;
    let unit = match &text[split..] {
        "m" | "min" => UnitOfTime::Min,
        "h" => UnitOfTime::H,
        "d" => UnitOfTime::D,
        "w" | "wk" => UnitOfTime::Wk,
        _ => return Err(bad(flag, "the unit is m, h, d or w")),
    };
    if !(value.is_finite() && value > 0.0) {
        return Err(bad(flag, "must be more than zero"));
    }
    Ok((value, unit))
}

fn minutes_of(flag: &str, text: &str) -> Result<u32, Failure> {
    let (value, unit) = parse_span(flag, text)?;
    let per = match unit {
        UnitOfTime::Min => 1.0,
        UnitOfTime::H => 60.0,
        UnitOfTime::D => 1440.0,
        _ => 10_080.0,
    };
    Ok((value * per).round() as u32)
}

/// "2 tablet" -> Quantity.
pub fn parse_quantity(flag: &str, text: &str) -> Result<Quantity, Failure> {
    let mut words = text.split_whitespace();
    let value = words.next().and_then(|v| v.parse::<f64>().ok());
    let unit: Vec<&str> = words.collect();
    match value {
        Some(value) if !unit.is_empty() => Ok(Quantity {
            value,
            unit: unit.join(" "),
        }),
        _ => Err(bad(
            flag,
            "expected an amount and a unit, like \"1 tablet\"",
        )),
    }
}

fn parse_time(flag: &str, text: &str) -> Result<ClockTime, Failure> {
    text.parse()
        .map_err(|_| bad(flag, "expected a time like 08:00"))
}

fn parse_day(text: &str) -> Result<DayOfWeek, Failure> {
    Ok(match text.trim().to_lowercase().get(..3) {
        Some("mon") => DayOfWeek::Mon,
        Some("tue") => DayOfWeek::Tue,
        Some("wed") => DayOfWeek::Wed,
        Some("thu") => DayOfWeek::Thu,
        Some("fri") => DayOfWeek::Fri,
        Some("sat") => DayOfWeek::Sat,
        Some("sun") => DayOfWeek::Sun,
        _ => return Err(bad("days", "days are mon, tue, wed, thu, fri, sat, sun")),
    })
}

impl ScheduleArgs {
    /// Whether any schedule flag was given.
    pub fn given(&self) -> bool {
        let modifiers = !self.days.is_empty()
            || self.cycle.is_some()
            || self.window.is_some()
            || self.after_last_taken
            || self.duration.is_some()
            || self.count.is_some()
            || self.dose.is_some()
            || self.min_interval.is_some()
            || self.max.is_some()
            || self.policy.is_some()
            || self.start.is_some()
            || self.shift_to.is_some();
        !self.times.is_empty()
            || self.every.is_some()
            || self.timing.is_some()
            || self.prn
            || modifiers
    }

    /// Refuses flags that another flag (or the lack of one) would make meaningless, so every
    /// combination either means what it says or fails with a reason.
    fn check_combinations(&self) -> Result<(), Failure> {
        let fixed_times = !self.times.is_empty();
        let scheduled = fixed_times || self.every.is_some() || self.timing.is_some();
        if self.timing.is_some() {
            let replaced = [
                ("times", fixed_times),
                ("every", self.every.is_some()),
                ("days", !self.days.is_empty()),
                ("count", self.count.is_some()),
                ("for", self.duration.is_some()),
            ];
            if let Some((flag, _)) = replaced.iter().find(|(_, given)| *given) {
                return Err(bad(
                    flag,
                    "cannot be combined with --timing, which says when already",
                ));
            }
        }
        if !scheduled {
            let needs_timing = [
                ("days", !self.days.is_empty()),
                ("cycle", self.cycle.is_some()),
                ("window", self.window.is_some()),
                ("after-last-taken", self.after_last_taken),
                ("count", self.count.is_some()),
                ("for", self.duration.is_some()),
                ("dose", self.dose.is_some() && !self.prn),
            ];
            if let Some((flag, _)) = needs_timing.iter().find(|(_, given)| *given) {
                return Err(bad(
                    flag,
                    "needs --times, --every or --timing to say when doses are due",
                ));
            }
        }
        if !self.prn {
            if self.min_interval.is_some() {
                return Err(bad(
                    "min-interval",
                    "is for a medicine taken as needed: add --prn",
                ));
            }
            if self.max.is_some() {
                return Err(bad("max", "is for a medicine taken as needed: add --prn"));
            }
        }
        if fixed_times && self.window.is_some() {
            return Err(bad(
                "window",
                "is for --every in hours or minutes; with --times the times are the doses",
            ));
        }
        if self.after_last_taken && self.every.is_none() {
            return Err(bad("after-last-taken", "needs --every"));
        }
        Ok(())
    }

    /// The schedule the flags describe, starting now (or `--start`) in the session's zone.
    pub fn build(&self, session: &Session) -> Result<Schedule, Failure> {
        self.check_combinations()?;
        let zone = session.zone.name().to_owned();
        let start = match &self.start {
            Some(text) => text
                .parse::<LocalDateTime>()
                .map_err(|_| bad("start", "expected 2025-06-01 or 2025-06-01T08:00"))?,
            None => LocalDateTime(session.local(session.now)),
        };
        let dose = self
            .dose
            .as_deref()
            .map(|d| parse_quantity("dose", d))
            .transpose()?;
        let mut phases = Vec::new();
        if let Some(timing) = self.timing_or_flags(&zone)? {
            phases.push(Phase {
                timing,
                dose: dose.clone(),
                cycle: self.cycle.as_deref().map(parse_cycle).transpose()?,
                window: self.window.as_deref().map(parse_window).transpose()?,
                after_last_taken: self.after_last_taken,
            });
        }
        let as_needed = if self.prn {
            Some(AsNeeded {
                reason: None,
                min_interval_minutes: self
                    .min_interval
                    .as_deref()
                    .map(|t| minutes_of("min-interval", t))
                    .transpose()?,
                max_per_period: self.max.as_deref().map(parse_max).transpose()?,
                dose,
                ends: None,
            })
        } else {
            None
        };
        Ok(Schedule {
            start,
            zone,
            policy: match self.policy.unwrap_or(PolicyArg::Local) {
                PolicyArg::Local => ZonePolicy::Local,
                PolicyArg::Home => ZonePolicy::Home,
                PolicyArg::Elapsed => ZonePolicy::Elapsed,
            },
            phases,
            as_needed,
            shift: match (&self.shift_to, self.shift_hours) {
                (Some(to_zone), Some(max_hours_per_day)) => Some(GradualShift {
                    to_zone: to_zone.clone(),
                    starts: LocalDate(session.today()),
                    max_hours_per_day,
                }),
                _ => None,
            },
        })
    }

    fn timing_or_flags(&self, zone: &str) -> Result<Option<Timing>, Failure> {
        if let Some(json) = &self.timing {
            return Ok(Some(parse_fhir_timing(json.clone(), zone.to_owned())?));
        }
        let mut repeat = if !self.times.is_empty() {
            // `--every` with `--times` says how many days apart those times come.
            let (period, period_unit) = match &self.every {
                Some(every) => match parse_span("every", every)? {
                    (days, unit @ (UnitOfTime::D | UnitOfTime::Wk)) if days.fract() == 0.0 => {
                        (days, unit)
                    }
                    _ => {
                        return Err(bad(
                            "every",
                            "with --times, must be whole days or weeks (2d, 1w)",
                        ));
                    }
                },
                None => (1.0, UnitOfTime::D),
            };
            TimingRepeat {
                frequency: Some(self.times.len() as u32),
                period: Some(period),
                period_unit: Some(period_unit),
                time_of_day: self
                    .times
                    .iter()
                    .map(|t| parse_time("times", t))
                    .collect::<Result<_, _>>()?,
                ..TimingRepeat::default()
            }
        } else if let Some(every) = &self.every {
            let (period, unit) = parse_span("every", every)?;
            TimingRepeat {
                frequency: Some(1),
                period: Some(period),
                period_unit: Some(unit),
                ..TimingRepeat::default()
            }
        } else {
            return Ok(None);
        };
        repeat.day_of_week = self
            .days
            .iter()
            .map(|d| parse_day(d))
            .collect::<Result<_, _>>()?;
        repeat.count = self.count;
        if let Some(duration) = &self.duration {
            let (value, unit) = parse_span("for", duration)?;
            repeat.bounds = Some(Bounds::Duration { value, unit });
        }
        Ok(Some(Timing {
            repeat: Some(repeat),
            ..Timing::default()
        }))
    }
}

fn parse_cycle(text: &str) -> Result<Cycle, Failure> {
    let (on, off) = text
        .split_once('/')
        .ok_or_else(|| bad("cycle", "expected days on/off, like 21/7"))?;
    match (on.trim().parse(), off.trim().parse()) {
        (Ok(days_on), Ok(days_off)) => Ok(Cycle { days_on, days_off }),
        _ => Err(bad("cycle", "expected days on/off, like 21/7")),
    }
}

fn parse_window(text: &str) -> Result<Window, Failure> {
    let (start, end) = text
        .split_once('-')
        .ok_or_else(|| bad("window", "expected 08:00-22:00"))?;
    Ok(Window {
        start: parse_time("window", start.trim())?,
        end: parse_time("window", end.trim())?,
    })
}

fn parse_max(text: &str) -> Result<MaxDose, Failure> {
    let (amount, period) = text.split_once('/').ok_or_else(|| {
        bad(
            "max",
            "expected an amount per period, like \"3 tablet/24h\"",
        )
    })?;
    Ok(MaxDose {
        amount: parse_quantity("max", amount)?,
        period_hours: minutes_of("max", period.trim())?.div_ceil(60),
    })
}
