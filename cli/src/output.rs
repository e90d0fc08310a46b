//! Printing: one function per kind of result, each with a text and a `--json` form.

use chrono::Local;
use regimen_ffi::{DoseAction, DoseEvent, LoggedDose, Medicine, RegimenError, Timestamp};
use serde::Serialize;
use serde_json::json;

use crate::Failure;

fn print_json<T: Serialize + ?Sized>(value: &T) {
    // Serialising the API's own records cannot fail.
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// `HH:MM` in the machine's local zone.
pub fn local_clock(t: Timestamp) -> String {
    t.to_datetime()
        .with_timezone(&Local)
        .format("%H:%M")
        .to_string()
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
fn choice_name<T: Serialize>(value: &T) -> String {
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

pub fn print_medicine(medicine: &Medicine, json: bool) {
    if json {
        return print_json(medicine);
    }
    let info = &medicine.info;
    println!("#{}  {}", medicine.id, medicine_title(medicine));
    let rows = [
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
}

/// One line of the dose log: `08:02  Metformin 500 mg  taken (due 08:00)`.
pub fn event_line(event: &DoseEvent, medicine_title: &str) -> String {
    let mut line = format!(
        "{}  {medicine_title}  {}",
        local_clock(event.actual_at),
        choice_name(&event.action)
    );
    if let Some(until) = event.snooze_until {
        line.push_str(&format!(" until {}", local_clock(until)));
    }
    if let Some(scheduled) = event.scheduled_at {
        line.push_str(&format!(" (due {})", local_clock(scheduled)));
    }
    if let Some(note) = &event.note {
        line.push_str(&format!(" — {note}"));
    }
    line
}

pub fn print_logged(logged: &LoggedDose, medicine: &Medicine, json: bool) {
    if json {
        return print_json(logged);
    }
    println!(
        "Logged: {}",
        event_line(&logged.event, &short_title(medicine))
    );
    if let Some(warning) = &logged.warning {
        println!(
            "Warning: {} The earliest allowed time was {}.",
            warning.message,
            local_clock(warning.earliest_allowed_at)
        );
    }
}

pub fn print_events(events: &[DoseEvent], medicines: &[Medicine], json: bool) {
    if json {
        return print_json(events);
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
        println!("  {}", event_line(event, &title));
    }
}

/// Counts of a day's log, for summaries.
pub fn tally(events: &[DoseEvent], action: DoseAction) -> usize {
    events.iter().filter(|e| e.action == action).count()
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
                RegimenError::Storage { .. } => "storage",
                RegimenError::Crypto { .. } => "crypto",
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
