//! `regimen dose ...`: answering doses and reading the dose log.

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use regimen_ffi::{DoseAction, DoseStatus, NewDoseEvent, Regimen, Timestamp};

use crate::med::find;
use crate::output::{print_events, print_logged};
use crate::schedule_args::parse_quantity;
use crate::session::Session;
use crate::{Failure, Outcome};

#[derive(Subcommand)]
pub enum DoseCommand {
    /// The dose due now (or the one at --due) was taken; without a due dose, an as-needed one.
    Take {
        #[command(flatten)]
        answer: Answer,
        /// How much, when it differs from the schedule: "2 tablet".
        #[arg(long)]
        amount: Option<String>,
    },
    /// The dose due now (or at --due) is deliberately not taken.
    Skip {
        #[command(flatten)]
        answer: Answer,
    },
    /// Put the reminder for the dose due now (or at --due) off.
    Snooze {
        #[command(flatten)]
        answer: Answer,
        /// For how many minutes.
        #[arg(long, default_value_t = 10)]
        minutes: u32,
    },
    /// Log any event in full (back-filling, corrections).
    Log {
        /// Medicine id or exact name.
        medicine: String,
        /// What happened.
        #[arg(long, value_enum, default_value_t = ActionArg::Taken)]
        action: ActionArg,
        /// When it happened (RFC 3339, or HH:MM today) [default: now].
        #[arg(long)]
        at: Option<String>,
        /// The scheduled time this answers (RFC 3339, or HH:MM today).
        #[arg(long)]
        scheduled: Option<String>,
        /// For a snooze: until when (RFC 3339, or HH:MM today).
        #[arg(long)]
        until: Option<String>,
        /// A note, such as why the dose was skipped.
        #[arg(long)]
        note: Option<String>,
        /// The id of the event this one corrects.
        #[arg(long)]
        corrects: Option<i64>,
    },
    /// Show the dose log [default: today].
    List {
        /// Only this medicine (id or exact name).
        #[arg(long = "med")]
        medicine: Option<String>,
        /// From this instant (RFC 3339, or HH:MM today) [default: start of today].
        #[arg(long)]
        from: Option<String>,
        /// Up to this instant, exclusive [default: start of tomorrow].
        #[arg(long)]
        to: Option<String>,
    },
}

/// Which dose an answer is for, and the patient's words.
#[derive(Args)]
pub struct Answer {
    /// Medicine id or exact name.
    medicine: String,
    /// The scheduled time answered (RFC 3339, or HH:MM today) [default: the open dose nearest now].
    #[arg(long)]
    due: Option<String>,
    /// When it happened (RFC 3339, or HH:MM today) [default: now].
    #[arg(long)]
    at: Option<String>,
    /// Why (for a skip), or any note.
    #[arg(long)]
    reason: Option<String>,
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

fn instant(
    session: &Session,
    flag: &str,
    text: Option<&str>,
) -> Result<Option<Timestamp>, Failure> {
    text.map(|t| {
        session
            .parse_instant(t)
            .map_err(|e| Failure::Cli(format!("--{flag}: {e}")))
    })
    .transpose()
}

/// How early a dose may be answered without naming it with `--due`.
const EARLY: Duration = Duration::from_secs(60 * 60);

/// The open scheduled dose of `medicine_id` that an answer now is for: the one nearest now
/// among those already due (or missed today) and those due within the next hour.
fn open_dose(
    session: &Session,
    regimen: &Regimen,
    medicine_id: i64,
) -> Result<Option<Timestamp>, Failure> {
    let day = regimen.day(regimen_ffi::LocalDate(session.today()))?;
    let open = day.iter().filter(|d| {
        d.medicine_id == medicine_id
            && matches!(
                d.status,
                DoseStatus::Upcoming
                    | DoseStatus::Due
                    | DoseStatus::Late
                    | DoseStatus::Snoozed
                    | DoseStatus::Missed
            )
    });
    Ok(open
        .filter_map(|d| d.due_at)
        .filter(|due| *due <= session.now.plus(EARLY))
        .min_by_key(|due| (due.as_millis() - session.now.as_millis()).abs()))
}

/// The next dose of `medicine_id` due today after the early window, for a helpful error.
fn next_dose(
    session: &Session,
    regimen: &Regimen,
    medicine_id: i64,
) -> Result<Option<Timestamp>, Failure> {
    let day = regimen.day(regimen_ffi::LocalDate(session.today()))?;
    Ok(day
        .iter()
        .filter(|d| d.medicine_id == medicine_id && d.status == DoseStatus::Upcoming)
        .filter_map(|d| d.due_at)
        .find(|due| *due > session.now))
}

fn answer(
    session: &Session,
    answer: &Answer,
    action: DoseAction,
    amount: Option<&str>,
    snooze_minutes: Option<u32>,
) -> Outcome {
    let regimen = &*session.regimen;
    let medicine = find(regimen, &answer.medicine)?;
    let scheduled_at = match instant(session, "due", answer.due.as_deref())? {
        Some(due) => Some(due),
        None => open_dose(session, regimen, medicine.id)?,
    };
    if scheduled_at.is_none()
        && (action != DoseAction::Taken || !is_as_needed(regimen, medicine.id, session)?)
    {
        let hint = match next_dose(session, regimen, medicine.id)? {
            Some(next) => format!(
                "the next is at {}; give --due {} to answer it early",
                session.clock(next),
                session.clock(next)
            ),
            None => "give --due to say which dose".into(),
        };
        return Err(Failure::Cli(format!(
            "no dose of that medicine is due now: {hint}"
        )));
    }
    let actual_at = instant(session, "at", answer.at.as_deref())?.unwrap_or(session.now);
    let snooze_until =
        snooze_minutes.map(|m| actual_at.plus(Duration::from_secs(u64::from(m) * 60)));
    let logged = regimen.log_dose(NewDoseEvent {
        medicine_id: medicine.id,
        action,
        actual_at,
        scheduled_at,
        snooze_until,
        note: answer.reason.clone(),
        amount: amount.map(|a| parse_quantity("amount", a)).transpose()?,
        corrects: None,
    })?;
    print_logged(session, &logged, &medicine)
}

/// Whether the medicine's schedule now allows doses as needed.
fn is_as_needed(regimen: &Regimen, medicine_id: i64, session: &Session) -> Result<bool, Failure> {
    Ok(regimen
        .schedule_versions(medicine_id)?
        .iter()
        .rev()
        .find(|v| v.valid_from <= session.now)
        .and_then(|v| v.schedule.as_ref())
        .is_some_and(|s| s.as_needed.is_some()))
}

pub fn run(session: &Session, command: &DoseCommand) -> Outcome {
    let regimen = &*session.regimen;
    match command {
        DoseCommand::Take { answer: a, amount } => {
            answer(session, a, DoseAction::Taken, amount.as_deref(), None)
        }
        DoseCommand::Skip { answer: a } => answer(session, a, DoseAction::Skipped, None, None),
        DoseCommand::Snooze { answer: a, minutes } => {
            answer(session, a, DoseAction::Snoozed, None, Some(*minutes))
        }
        DoseCommand::Log {
            medicine,
            action,
            at,
            scheduled,
            until,
            note,
            corrects,
        } => {
            let medicine = find(regimen, medicine)?;
            let logged = regimen.log_dose(NewDoseEvent {
                medicine_id: medicine.id,
                action: (*action).into(),
                actual_at: instant(session, "at", at.as_deref())?.unwrap_or(session.now),
                scheduled_at: instant(session, "scheduled", scheduled.as_deref())?,
                snooze_until: instant(session, "until", until.as_deref())?,
                note: note.clone(),
                amount: None,
                corrects: *corrects,
            })?;
            print_logged(session, &logged, &medicine)
        }
        DoseCommand::List { medicine, from, to } => {
            let (start, end) = session.day_bounds(session.today());
            let from = instant(session, "from", from.as_deref())?.unwrap_or(start);
            let to = instant(session, "to", to.as_deref())?.unwrap_or(end);
            let medicine_id = match medicine {
                Some(reference) => Some(find(regimen, reference)?.id),
                None => None,
            };
            let events = regimen.dose_events(from, to, medicine_id)?;
            print_events(session, &events, &regimen.medicines(true)?)
        }
    }
}
