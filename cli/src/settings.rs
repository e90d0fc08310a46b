//! `regimen settings`: show the patient's settings, or change some of them.

use clap::{Args, ValueEnum};
use regimen_ffi::{ClockTime, DayAnchors, PrivacyLevel, Settings};

use crate::output::{counted, print_json};
use crate::session::Session;
use crate::{Failure, Outcome};

/// What the lock screen shows.
#[derive(Clone, Copy, ValueEnum)]
pub enum PrivacyArg {
    /// Nothing about medicines or times.
    Hidden,
    /// The time, no names.
    Generic,
    /// Medicine names.
    Full,
}

/// Settings to change; none shows them.
#[derive(Args)]
pub struct SettingsArgs {
    /// What reminders show on the lock screen.
    #[arg(long, value_enum)]
    privacy: Option<PrivacyArg>,
    /// Waking time (weekdays).
    #[arg(long)]
    wake: Option<String>,
    /// Breakfast time (weekdays).
    #[arg(long)]
    breakfast: Option<String>,
    /// Lunch time (weekdays).
    #[arg(long)]
    lunch: Option<String>,
    /// Dinner time (weekdays).
    #[arg(long)]
    dinner: Option<String>,
    /// Sleeping time (weekdays).
    #[arg(long)]
    sleep: Option<String>,
    /// Minutes after which an unanswered dose is late.
    #[arg(long)]
    late_after: Option<u32>,
    /// Minutes after which an unanswered dose is missed.
    #[arg(long)]
    missed_after: Option<u32>,
    /// How many follow-ups an unanswered reminder gets.
    #[arg(long)]
    follow_ups: Option<u32>,
    /// Minutes between follow-ups.
    #[arg(long)]
    follow_up_every: Option<u32>,
    /// A heads-up this many minutes before doses (0 for none).
    #[arg(long)]
    heads_up: Option<u32>,
}

fn time(flag: &str, text: &Option<String>, current: ClockTime) -> Result<ClockTime, Failure> {
    match text {
        Some(text) => text
            .parse()
            .map_err(|_| Failure::Cli(format!("--{flag}: expected a time like 07:00"))),
        None => Ok(current),
    }
}

pub fn run(session: &Session, args: &SettingsArgs) -> Outcome {
    let current = session.regimen.settings()?;
    let mut settings = current;
    let day = &mut settings.anchors.weekday;
    day.wake = time("wake", &args.wake, day.wake)?;
    day.breakfast = time("breakfast", &args.breakfast, day.breakfast)?;
    day.lunch = time("lunch", &args.lunch, day.lunch)?;
    day.dinner = time("dinner", &args.dinner, day.dinner)?;
    day.sleep = time("sleep", &args.sleep, day.sleep)?;
    if let Some(privacy) = args.privacy {
        settings.reminders.privacy = match privacy {
            PrivacyArg::Hidden => PrivacyLevel::Hidden,
            PrivacyArg::Generic => PrivacyLevel::Generic,
            PrivacyArg::Full => PrivacyLevel::Full,
        };
    }
    let t = &mut settings.thresholds;
    t.late_after_minutes = args.late_after.unwrap_or(t.late_after_minutes);
    t.missed_after_minutes = args.missed_after.unwrap_or(t.missed_after_minutes);
    let r = &mut settings.reminders;
    r.follow_up_count = args.follow_ups.unwrap_or(r.follow_up_count);
    r.follow_up_every_minutes = args.follow_up_every.unwrap_or(r.follow_up_every_minutes);
    if let Some(minutes) = args.heads_up {
        r.heads_up_minutes = (minutes > 0).then_some(minutes);
    }
    if settings != current {
        settings = session.regimen.update_settings(settings)?;
    }
    if session.json {
        print_json(&settings);
    } else {
        print_settings(&settings);
    }
    Ok(())
}

/// The settings as a patient reads them.
fn print_settings(settings: &Settings) {
    let day = |label: &str, d: &DayAnchors| {
        println!(
            "{label:<10} wake {}, breakfast {}, lunch {}, dinner {}, sleep {}",
            d.wake, d.breakfast, d.lunch, d.dinner, d.sleep
        );
    };
    day("Weekdays", &settings.anchors.weekday);
    match &settings.anchors.weekend {
        Some(weekend) => day("Weekends", weekend),
        None => println!("Weekends   as weekdays"),
    }
    let t = &settings.thresholds;
    println!(
        "A dose is late after {} and missed after {}.",
        counted(t.late_after_minutes as usize, "minute"),
        counted(t.missed_after_minutes as usize, "minute")
    );
    let r = &settings.reminders;
    let lock_screen = match r.privacy {
        PrivacyLevel::Hidden => "nothing about medicines (\"You have a reminder\")",
        PrivacyLevel::Generic => "the time, no medicine names",
        PrivacyLevel::Full => "medicine names, amounts and instructions",
    };
    println!("Reminders show {lock_screen}.");
    println!(
        "Unanswered reminders repeat {} ({} apart).",
        counted(r.follow_up_count as usize, "time"),
        counted(r.follow_up_every_minutes as usize, "minute")
    );
    match r.heads_up_minutes {
        Some(minutes) => println!(
            "A heads-up comes {} before.",
            counted(minutes as usize, "minute")
        ),
        None => println!("No heads-up before doses."),
    }
}
