//! CSV (RFC 4180) of the dose log and of adherence per day, for a spreadsheet or a doctor:
//! a header row, fields separated by commas, lines ending in CRLF, and a field quoted (with
//! its quotes doubled) when it holds a comma, a quote or a line break.
//!
//! Times are the patient's local time with its offset (`2026-03-10T08:05:00+01:00`): what the
//! patient saw, and still one exact instant. A text field that a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: a medicine name
//! imported from elsewhere could be one) is written with a leading `'`, as spreadsheets
//! themselves mark text.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::dose::{DoseAction, DoseEvent, DoseStatus, ScheduledDose};
use crate::schedule::{Frame, ZoneTimeline};
use crate::time::Timestamp;

/// One CSV field: quoted if it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A free-text field (a name, a note): guarded against formula injection, then quoted.
fn text_field(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        field(&format!("'{text}"))
    } else {
        field(text)
    }
}

/// Appends one row of already-written fields.
fn row(out: &mut String, fields: &[String]) {
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// `at` in the patient's local time with its offset.
fn local(zones: &ZoneTimeline, at: Timestamp) -> String {
    let zone = zones.zone_at(at);
    at.to_datetime()
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn optional_time(zones: &ZoneTimeline, at: Option<Timestamp>) -> String {
    at.map(|at| local(zones, at)).unwrap_or_default()
}

fn action_word(action: DoseAction) -> &'static str {
    match action {
        DoseAction::Taken => "taken",
        DoseAction::Skipped => "skipped",
        DoseAction::Snoozed => "snoozed",
    }
}

/// The dose log as CSV, one row per event in the order given: its id, the medicine's id and
/// name, what was done, the dose it answers, when, a snooze's end, what it corrects, the amount,
/// the note, and when it was recorded.
pub fn dose_log(
    events: &[DoseEvent],
    names: &BTreeMap<i64, String>,
    zones: &ZoneTimeline,
) -> String {
    let mut out = String::new();
    row(
        &mut out,
        &[
            "event",
            "medicine_id",
            "medicine",
            "action",
            "scheduled_at",
            "actual_at",
            "snooze_until",
            "corrects",
            "amount",
            "unit",
            "note",
            "recorded_at",
        ]
        .map(str::to_owned),
    );
    for event in events {
        row(
            &mut out,
            &[
                event.id.to_string(),
                event.medicine_id.to_string(),
                text_field(names.get(&event.medicine_id).map_or("", String::as_str)),
                action_word(event.action).to_owned(),
                optional_time(zones, event.scheduled_at),
                local(zones, event.actual_at),
                optional_time(zones, event.snooze_until),
                event.corrects.map(|id| id.to_string()).unwrap_or_default(),
                event
                    .amount
                    .as_ref()
                    .map(|q| q.value.to_string())
                    .unwrap_or_default(),
                text_field(event.amount.as_ref().map_or("", |q| q.unit.as_str())),
                text_field(event.note.as_deref().unwrap_or("")),
                local(zones, event.recorded_at),
            ],
        );
    }
    out
}

/// Counts of one medicine's scheduled doses on one local day.
#[derive(Default)]
struct DayCounts {
    due: u32,
    on_time: u32,
    late: u32,
    skipped: u32,
    missed: u32,
    open: u32,
}

/// Adherence per local day and medicine as CSV: the day, the medicine's id and name, the doses
/// that were due, taken on time, taken late, skipped, missed, and still open (not yet due or
/// within their time). As-needed doses are not counted (nothing was due).
pub fn adherence_days(
    doses: &[ScheduledDose],
    names: &BTreeMap<i64, String>,
    zones: &ZoneTimeline,
) -> String {
    let mut days: BTreeMap<(NaiveDate, i64), DayCounts> = BTreeMap::new();
    for dose in doses {
        let Some(due) = dose.due_at else { continue };
        let date = Frame::Zone(zones.zone_at(due)).local(due).date();
        let counts = days.entry((date, dose.medicine_id)).or_default();
        counts.due += 1;
        match dose.status {
            DoseStatus::Taken => counts.on_time += 1,
            DoseStatus::TakenLate => counts.late += 1,
            DoseStatus::Skipped => counts.skipped += 1,
            DoseStatus::Missed => counts.missed += 1,
            DoseStatus::Upcoming | DoseStatus::Due | DoseStatus::Late | DoseStatus::Snoozed => {
                counts.open += 1
            }
        }
    }
    let mut out = String::new();
    row(
        &mut out,
        &[
            "date",
            "medicine_id",
            "medicine",
            "due",
            "taken_on_time",
            "taken_late",
            "skipped",
            "missed",
            "open",
        ]
        .map(str::to_owned),
    );
    for ((date, medicine), c) in days {
        row(
            &mut out,
            &[
                date.to_string(),
                medicine.to_string(),
                text_field(names.get(&medicine).map_or("", String::as_str)),
                c.due.to_string(),
                c.on_time.to_string(),
                c.late.to_string(),
                c.skipped.to_string(),
                c.missed.to_string(),
                c.open.to_string(),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be_and_formulas_are_marked_as_text() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(
            text_field("=HYPERLINK(\"x\")"),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(text_field("-5 mg"), "'-5 mg");
    }
}
