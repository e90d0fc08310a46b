//! `regimen export`: the patient's data written out for other programs.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

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
