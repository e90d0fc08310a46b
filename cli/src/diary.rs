//! `regimen diary add | list | delete`: the symptom and side-effect diary.

use clap::Subcommand;
use regimen_ffi::{DiaryEntry, Measurement, MeasurementKind, NewDiaryEntry, parse_measurement};

use crate::med::find;
use crate::output::{counted, print_json};
use crate::session::Session;
use crate::{Failure, Outcome};

#[derive(Subcommand)]
pub enum DiaryCommand {
    /// Write down a symptom, a side effect or a measurement.
    Add {
        /// What happened, in the patient's words.
        text: Option<String>,
        /// When: RFC 3339, or HH:MM today [default: now].
        #[arg(long)]
        at: Option<String>,
        /// The medicine it is linked to (id or exact name).
        #[arg(long)]
        medicine: Option<String>,
        /// How bad, 1 (mild) to 5 (severe).
        #[arg(long)]
        severity: Option<u8>,
        /// Blood pressure, systolic/diastolic in mmHg: 120/80.
        #[arg(long)]
        bp: Option<String>,
        /// Heart rate per minute: 72.
        #[arg(long)]
        heart_rate: Option<String>,
        /// Blood glucose with its unit: 5.4mmol/L or 97mg/dL.
        #[arg(long)]
        glucose: Option<String>,
        /// Weight with its unit: 70kg or 154lb.
        #[arg(long)]
        weight: Option<String>,
        /// Temperature with its unit: 37.2C or 99.1F.
        #[arg(long)]
        temperature: Option<String>,
    },
    /// The entries of the last days, oldest first.
    List {
        /// How many days back from today (today included).
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
    /// Delete an entry for good.
    Delete {
        /// The entry's id.
        id: i64,
    },
}

/// Runs a `diary` command.
pub fn run(session: &Session, command: &DiaryCommand) -> Outcome {
    match command {
        DiaryCommand::Add {
            text,
            at,
            medicine,
            severity,
            bp,
            heart_rate,
            glucose,
            weight,
            temperature,
        } => {
            let at = match at {
                Some(text) => session
                    .parse_instant(text)
                    .map_err(|reason| Failure::Cli(format!("--at: {reason}")))?,
                None => session.now,
            };
            let medicine_id = medicine
                .as_deref()
                .map(|reference| find(&session.regimen, reference).map(|m| m.id))
                .transpose()?;
            let mut measurements = Vec::new();
            for (kind, text) in [
                (MeasurementKind::BloodPressure, bp),
                (MeasurementKind::HeartRate, heart_rate),
                (MeasurementKind::Glucose, glucose),
                (MeasurementKind::Weight, weight),
                (MeasurementKind::Temperature, temperature),
            ] {
                if let Some(text) = text {
                    measurements.push(parse_measurement(kind, text.clone())?);
                }
            }
            let entry = session.regimen.add_diary_entry(NewDiaryEntry {
                at,
                text: text.clone(),
                medicine_id,
                severity: *severity,
                measurements,
            })?;
            if session.json {
                print_json(&serde_json::json!({ "entry": entry }));
            } else {
                println!("Written down: {}", line(session, &entry)?);
            }
            Ok(())
        }
        DiaryCommand::List { days } => {
            if *days == 0 || *days > 3_660 {
                return Err(Failure::Cli("--days: 1 to 3660".into()));
            }
            let today = session.today();
            let first = today - chrono::Duration::days(i64::from(*days) - 1);
            let (from, _) = session.day_bounds(first);
            let (_, to) = session.day_bounds(today);
            let entries = session.regimen.diary_entries(from, to)?;
            if session.json {
                print_json(&serde_json::json!({ "entries": entries }));
                return Ok(());
            }
            let count = match entries.len() {
                1 => "1 entry".to_owned(),
                n => format!("{n} entries"),
            };
            println!("{count} in the last {}", counted(*days as usize, "day"));
            for entry in &entries {
                println!("{}", line(session, entry)?);
            }
            Ok(())
        }
        DiaryCommand::Delete { id } => {
            session.regimen.delete_diary_entry(*id)?;
            if session.json {
                print_json(&serde_json::json!({ "deleted": id }));
            } else {
                println!("Deleted diary entry {id}.");
            }
            Ok(())
        }
    }
}

/// One entry on one line: `#3  Tue 4 Mar 08:10  severity 3/5  150/95 mmHg  Metformin: dizzy`.
fn line(session: &Session, entry: &DiaryEntry) -> Result<String, Failure> {
    let mut parts = vec![
        format!("#{}", entry.id),
        session
            .local(entry.at)
            .format("%a %-d %b %H:%M")
            .to_string(),
    ];
    if let Some(severity) = entry.severity {
        parts.push(format!("severity {severity}/5"));
    }
    parts.extend(entry.measurements.iter().map(Measurement::describe));
    let mut text = String::new();
    if let Some(id) = entry.medicine_id {
        text.push_str(&session.regimen.medicine(id)?.info.name);
        text.push(':');
    }
    if let Some(words) = &entry.text {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&words.replace('\n', " / "));
    }
    if !text.is_empty() {
        parts.push(text);
    }
    Ok(parts.join("  "))
}
