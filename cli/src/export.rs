//! `regimen export`: the patient's data written out for other programs.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use regimen_ffi::FhirExportOptions;

use crate::session::Session;
use crate::{Failure, Outcome};

/// What a CSV export holds.
#[derive(Clone, Copy, ValueEnum)]
pub enum CsvKind {
    /// Every dose event: taken, skipped, snoozed, with times, amounts and notes.
    Doses,
    /// Per day and medicine: due, on time, late, skipped, missed, open.
    Adherence,
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// CSV (RFC 4180) of the dose log or of adherence per day, over the last days.
    Csv {
        /// What to write.
        kind: CsvKind,
        /// How many days back from today (today included).
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A FHIR R4 Bundle of everything (medicines and schedule history, dose log, supply,
    /// PGx results), which `regimen import` reads into a new database.
    Fhir {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Leave the dose log out.
        #[arg(long)]
        no_log: bool,
        /// Only the dose log of the last days (today included).
        #[arg(long, conflicts_with = "no_log")]
        log_days: Option<u32>,
        /// Leave the PGx results out.
        #[arg(long)]
        no_pgx: bool,
        /// Leave stock and the supply log out.
        #[arg(long)]
        no_supply: bool,
        /// Leave the diary out.
        #[arg(long)]
        no_diary: bool,
        /// Leave the medicines out, and with them the dose log and supply (PGx results only).
        #[arg(long)]
        no_medicines: bool,
    },
    /// iCalendar (RFC 5545) of the doses planned from today on, for a calendar app.
    Ics {
        /// How many days ahead from today (today included).
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// Name the medicines and doses in the events (generic text otherwise).
        #[arg(long)]
        names: bool,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs an `export` command.
pub fn run(session: &Session, command: &ExportCommand) -> Outcome {
    match command {
        ExportCommand::Csv { kind, days, out } => {
            if *days == 0 || *days > 36_600 {
                return Err(Failure::Cli("--days: 1 to 36600".into()));
            }
            let today = session.today();
            let first = today - chrono::Duration::days(i64::from(*days) - 1);
            let (from, _) = session.day_bounds(first);
            let (_, to) = session.day_bounds(today);
            let text = match kind {
                CsvKind::Doses => session.regimen.export_dose_log_csv(from, to)?,
                CsvKind::Adherence => session.regimen.export_adherence_csv(from, to)?,
            };
            write(session, out.as_ref(), &text)
        }
        ExportCommand::Ics { days, names, out } => {
            if *days == 0 || *days > 3_660 {
                return Err(Failure::Cli("--days: 1 to 3660".into()));
            }
            let today = session.today();
            let last = today + chrono::Duration::days(i64::from(*days) - 1);
            let (from, _) = session.day_bounds(today);
            let (_, to) = session.day_bounds(last);
            let text = session.regimen.export_calendar_ics(from, to, *names)?;
            write(session, out.as_ref(), &text)
        }
        ExportCommand::Fhir {
            out,
            no_log,
            log_days,
            no_pgx,
            no_supply,
            no_diary,
            no_medicines,
        } => {
            let log_from = match log_days {
                Some(0) | Some(36_601..) => {
                    return Err(Failure::Cli("--log-days: 1 to 36600".into()));
                }
                Some(days) => {
                    let first = session.today() - chrono::Duration::days(i64::from(*days) - 1);
                    Some(session.day_bounds(first).0)
                }
                None => None,
            };
            let options = FhirExportOptions {
                medicines: !no_medicines,
                dose_log: !no_log && !no_medicines,
                log_from,
                log_to: None,
                pgx: !no_pgx,
                supply: !no_supply && !no_medicines,
                diary: !no_diary && !no_medicines,
            };
            let text = session.regimen.export_fhir_bundle(options)?;
            write(session, out.as_ref(), &text)
        }
    }
}

/// Writes an export to `out`, or to standard output.
fn write(session: &Session, out: Option<&PathBuf>, text: &str) -> Outcome {
    match out {
        Some(path) => {
            std::fs::write(path, text).map_err(|error| {
                Failure::Cli(format!("cannot write {}: {}", path.display(), error.kind()))
            })?;
            if !session.json {
                eprintln!("Wrote {}", path.display());
            }
        }
        None => print!("{text}"),
    }
    Ok(())
}
