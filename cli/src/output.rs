//! Printing: one function per kind of result, each with a text and a `--json` form. Times
//! are shown on the session's wall clock.

use regimen_ffi::{
    AsNeededRule, BackupProblem, DoseEvent, DoseStatus, LoggedDose, Medicine, RegimenError,
    ScheduledDose,
};
use serde::Serialize;
use serde_json::json;

use crate::session::Session;
use crate::{Failure, Outcome};

/// Pretty JSON of the API's own records (which always serialise).
pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// `Metformin 500 mg`.
pub fn short_title(medicine: &Medicine) -> String {
    match &medicine.info.strength {
        Some(strength) => format!("{} {strength}", medicine.info.name),
        None => medicine.info.name.clone(),
    }
}

/// `Metformin 500 mg · tablet, oral`.
pub fn medicine_title(medicine: &Medicine) -> String {
    let info = &medicine.info;
    let mut title = short_title(medicine);
    let kind: Vec<String> = [
        info.form.map(|f| choice_name(&f)),
        info.route.map(|r| choice_name(&r)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !kind.is_empty() {
        title.push_str(" · ");
        title.push_str(&kind.join(", "));
    }
    title
}

/// The snake_case JSON name of an API enum value, with spaces for reading.
pub fn choice_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

pub fn print_medicines(medicines: &[Medicine], json: bool) {
    if json {
        return print_json(medicines);
    }
    if medicines.is_empty() {
        println!("No medicines yet. Add one with `regimen med add NAME`.");
    }
    for medicine in medicines {
        let archived = if medicine.is_active() {
            ""
        } else {
            "  (archived)"
        };
        println!("{:>4}  {}{archived}", medicine.id, medicine_title(medicine));
    }
}

pub fn print_medicine(session: &Session, medicine: &Medicine) -> Outcome {
    let versions = session.regimen.schedule_versions(medicine.id)?;
    if session.json {
        print_json(&json!({ "medicine": medicine, "schedule_versions": versions }));
        return Ok(());
    }
    let info = &medicine.info;
    println!("#{}  {}", medicine.id, medicine_title(medicine));
    let schedule = versions
        .iter()
        .rev()
        .find(|v| v.valid_from <= session.now)
        .map(|v| match (&v.schedule, &v.problem) {
            (Some(schedule), _) => regimen_core::schedule::describe(schedule),
            (None, Some(problem)) => format!("cannot be planned: {problem}"),
            (None, None) => "none".into(),
        });
    let rows = [
        ("Schedule", schedule),
        ("Instructions", info.instructions.clone()),
        ("RxNorm", info.rxnorm.clone()),
        ("ATC", info.atc.clone()),
        ("Notes", info.notes.clone()),
        ("Added", Some(medicine.created_at.to_string())),
        (
            "Changed",
            Some(format!(
                "{} (revision {})",
                medicine.updated_at, medicine.revision
            )),
        ),
        ("Archived", medicine.archived_at.map(|t| t.to_string())),
    ];
    for (label, value) in rows {
        if let Some(value) = value {
            println!("  {label:<13}{value}");
        }
    }
    Ok(())
}

/// One line of the dose log: `08:02  Metformin 500 mg  taken (due 08:00)`.
pub fn event_line(session: &Session, event: &DoseEvent, title: &str) -> String {
    let mut line = format!(
        "{}  {title}  {}",
        session.clock(event.actual_at),
        choice_name(&event.action)
    );
    if let Some(until) = event.snooze_until {
        line.push_str(&format!(" until {}", session.clock(until)));
    }
    if let Some(scheduled) = event.scheduled_at {
        line.push_str(&format!(" (due {})", session.clock(scheduled)));
    }
    if let Some(note) = &event.note {
        line.push_str(&format!(" — {note}"));
    }
    line
}

pub fn print_logged(session: &Session, logged: &LoggedDose, medicine: &Medicine) -> Outcome {
    if session.json {
        print_json(logged);
        return Ok(());
    }
    println!(
        "Logged: {}",
        event_line(session, &logged.event, &short_title(medicine))
    );
    if let Some(warning) = &logged.warning {
        if warning.rule == AsNeededRule::Unchecked {
            println!("Warning: {}", warning.message);
        } else {
            let earliest = session.local(warning.earliest_allowed_at);
            let when = if earliest.date() == session.local(logged.event.actual_at).date() {
                earliest.format("%H:%M").to_string()
            } else {
                earliest.format("%a %-d %b %H:%M").to_string()
            };
            println!(
                "Warning: {} This dose would have been within the rules from {when}.",
                warning.message
            );
        }
    }
    Ok(())
}

pub fn print_events(session: &Session, events: &[DoseEvent], medicines: &[Medicine]) -> Outcome {
    if session.json {
        print_json(events);
        return Ok(());
    }
    if events.is_empty() {
        println!("Nothing logged in that time.");
    }
    for event in events {
        let title = medicines
            .iter()
            .find(|m| m.id == event.medicine_id)
            .map(short_title)
            .unwrap_or_else(|| format!("medicine #{}", event.medicine_id));
        println!("  {:>4}  {}", event.id, event_line(session, event, &title));
    }
    Ok(())
}

/// One line of a day: `08:00  Metformin 500 mg  taken 08:05`.
pub fn dose_line(session: &Session, dose: &ScheduledDose, medicines: &[Medicine]) -> String {
    let title = medicines
        .iter()
        .find(|m| m.id == dose.medicine_id)
        .map(short_title)
        .unwrap_or_else(|| format!("medicine #{}", dose.medicine_id));
    let due = dose.due_at.map_or("  -- ".into(), |t| session.clock(t));
    let mut status = choice_name(&dose.status);
    if let Some(event) = &dose.event
        && matches!(
            dose.status,
            DoseStatus::Taken | DoseStatus::TakenLate | DoseStatus::Skipped
        )
    {
        status.push_str(&format!(" {}", session.clock(event.actual_at)));
    }
    if dose.due_at.is_none() {
        status.push_str(" (as needed)");
    }
    if let Some(moved) = &dose.moved {
        let other = medicines
            .iter()
            .find(|m| m.id == moved.because_of_medicine_id)
            .map_or("another medicine".into(), |m| m.info.name.clone());
        status.push_str(&format!(
            " (moved from {}: {} min apart from {other})",
            session.clock(moved.scheduled_for),
            moved.min_gap_minutes
        ));
    }
    if let Some(amount) = &dose.dose {
        status.push_str(&format!(" · {}", amount.describe()));
    }
    if let Some(change) = &dose.next_change {
        let what = change
            .dose
            .as_ref()
            .map_or("no set amount".to_owned(), |dose| dose.describe());
        let when = session.local(change.at);
        let day = if when.date() == session.today() {
            format!("at {}", when.format("%H:%M"))
        } else {
            format!("from {}", when.format("%a %-d %b"))
        };
        status.push_str(&format!(" ({what} {day})"));
    }
    format!("{due}  {title:<24} {status}")
}

/// "1 result", "3 results", "2 diary entries": a count and its noun, in the right number.
pub fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else if let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        format!("{count} {stem}ies")
    } else {
        format!("{count} {noun}s")
    }
}

/// A failure as one line of text.
pub fn failure_text(failure: &Failure) -> String {
    match failure {
        Failure::Cli(message) => message.clone(),
        Failure::Regimen(error) => error.to_string(),
    }
}

pub fn print_failure(failure: &Failure, json: bool) {
    let (kind, message, field) = match failure {
        Failure::Cli(message) => ("usage", message.clone(), None),
        Failure::Regimen(error) => {
            let kind = match error {
                RegimenError::InvalidInput { .. } => "invalid_input",
                RegimenError::NotFound { .. } => "not_found",
                RegimenError::Conflict { .. } => "conflict",
                RegimenError::Locked { .. } => "locked",
                RegimenError::DatabaseTooNew { .. } => "database_too_new",
                RegimenError::Damaged { .. } => "damaged",
                RegimenError::Busy { .. } => "busy",
                RegimenError::Storage { .. } => "storage",
                RegimenError::Crypto { .. } => "crypto",
                RegimenError::KnowledgeBase { .. } => "knowledge_base",
                RegimenError::Network { .. } => "network",
                RegimenError::Backup { problem, .. } => match problem {
                    BackupProblem::NotABackup => "not_a_backup",
                    BackupProblem::WrongPassphrase => "wrong_passphrase",
                    BackupProblem::Truncated => "backup_truncated",
                    BackupProblem::Tampered => "backup_tampered",
                    BackupProblem::TooNew => "backup_too_new",
                },
            };
            let field = match error {
                RegimenError::InvalidInput { field, .. } => Some(field.clone()),
                _ => None,
            };
            (kind, error.to_string(), field)
        }
    };
    if json {
        eprintln!(
            "{}",
            json!({ "error": { "kind": kind, "field": field, "message": message } })
        );
    } else {
        eprintln!("regimen: {message}");
    }
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn counts_take_the_noun_in_the_right_number() {
        assert_eq!(counted(1, "diary entry"), "1 diary entry");
        assert_eq!(counted(2, "diary entry"), "2 diary entries");
        assert_eq!(counted(0, "medicine"), "0 medicines");
        assert_eq!(counted(3, "day"), "3 days");
    }
}
