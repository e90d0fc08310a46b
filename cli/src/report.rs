//! `regimen report`: the report for the doctor, one HTML page to open or print.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use regimen_ffi::LocalDate;

use crate::session::Session;
use crate::{Failure, Outcome};

#[derive(Args)]
pub struct ReportArgs {
    /// The first day (YYYY-MM-DD, in the patient's zone) [default: 29 days before --to].
    #[arg(long)]
    from: Option<String>,
    /// The last day, included (YYYY-MM-DD) [default: today].
    #[arg(long)]
    to: Option<String>,
    /// Write the HTML to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn date(flag: &str, text: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Failure::Cli(format!("{flag}: expected a date like 2025-03-01")))
}

/// Runs `report`.
pub fn run(session: &Session, args: &ReportArgs) -> Outcome {
    let to = match &args.to {
        Some(text) => date("--to", text)?,
        None => session.today(),
    };
    let from = match &args.from {
        Some(text) => date("--from", text)?,
        None => to - chrono::Days::new(29),
    };
    let html = session
        .regimen
        .doctor_report_html(LocalDate(from), LocalDate(to))?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, html).map_err(|error| {
                Failure::Cli(format!("cannot write {}: {}", path.display(), error.kind()))
            })?;
            if session.json {
                crate::output::print_json(&serde_json::json!({ "written": path }));
            } else {
                println!("Wrote {}", path.display());
            }
        }
        None => print!("{html}"),
    }
    Ok(())
}
