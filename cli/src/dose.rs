//! `regimen dose ...`: the dose log.

use clap::{Subcommand, ValueEnum};
use regimen_ffi::{DoseAction, NewDoseEvent, Regimen, Timestamp};

use crate::med::find;
use crate::output::{print_events, print_logged};
use crate::when::{parse_instant, today};
use crate::{Failure, Outcome};

#[derive(Subcommand)]
pub enum DoseCommand {
    /// Log that a dose was taken, skipped or snoozed.
    Log {
        /// Medicine id or exact name.
        medicine: String,
        /// What happened.
        #[arg(long, value_enum, default_value_t = ActionArg::Taken)]
        action: ActionArg,
        /// When it happened (RFC 3339, or HH:MM today) [default: now].
        #[arg(long, value_parser = parse_instant)]
        at: Option<Timestamp>,
        /// The scheduled time this dose answers (RFC 3339, or HH:MM today).
        #[arg(long, value_parser = parse_instant)]
        scheduled: Option<Timestamp>,
        /// For a snooze: until when (RFC 3339, or HH:MM today).
        #[arg(long, value_parser = parse_instant)]
        until: Option<Timestamp>,
        /// A note, such as why the dose was skipped.
        #[arg(long)]
        note: Option<String>,
    },
    /// Show the dose log [default: today].
    List {
        /// Only this medicine (id or exact name).
        #[arg(long = "med")]
        medicine: Option<String>,
        /// From this instant (RFC 3339, or HH:MM today) [default: start of today].
        #[arg(long, value_parser = parse_instant)]
        from: Option<Timestamp>,
        /// Up to this instant, exclusive [default: start of tomorrow].
        #[arg(long, value_parser = parse_instant)]
        to: Option<Timestamp>,
    },
}

/// `--action` values.
#[derive(Clone, Copy, ValueEnum)]
pub enum ActionArg {
    /// The dose was taken.
    Taken,
    /// The dose was deliberately not taken.
    Skipped,
    /// The reminder was put off (needs --scheduled and --until).
    Snoozed,
}

impl From<ActionArg> for DoseAction {
    fn from(action: ActionArg) -> Self {
        match action {
            ActionArg::Taken => DoseAction::Taken,
            ActionArg::Skipped => DoseAction::Skipped,
            ActionArg::Snoozed => DoseAction::Snoozed,
        }
    }
}

pub fn run(regimen: &Regimen, command: &DoseCommand, json: bool) -> Outcome {
    match command {
        DoseCommand::Log {
            medicine,
            action,
            at,
            scheduled,
            until,
            note,
        } => {
            let medicine = find(regimen, medicine)?;
            let actual_at = match at {
                Some(at) => *at,
                None => Timestamp::from_system_time(std::time::SystemTime::now())
                    .map_err(|e| Failure::Cli(e.to_string()))?,
            };
            let logged = regimen.log_dose(NewDoseEvent {
                medicine_id: medicine.id,
                action: (*action).into(),
                actual_at,
                scheduled_at: *scheduled,
                snooze_until: *until,
                note: note.clone(),
                amount: None,
                corrects: None,
            })?;
            print_logged(&logged, &medicine, json);
        }
        DoseCommand::List { medicine, from, to } => {
            let (start, end) = today();
            let medicine_id = match medicine {
                Some(reference) => Some(find(regimen, reference)?.id),
                None => None,
            };
            let events =
                regimen.dose_events(from.unwrap_or(start), to.unwrap_or(end), medicine_id)?;
            print_events(&events, &regimen.medicines(true)?, json);
        }
    }
    Ok(())
}
