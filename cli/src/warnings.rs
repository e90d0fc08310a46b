//! `regimen warnings`: what the medicines and gene results mean together.

use regimen_ffi::{Severity, Warning};

use crate::Outcome;
use crate::output::print_json;
use crate::session::Session;

/// `!!!`, `!!` or `!` for a severity.
fn marker(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "!!!",
        Severity::Moderate => "!! ",
        Severity::Low => "!  ",
    }
}

/// A warning in a few lines: title, explanation, what to do, and where it comes from.
pub fn print_warning(warning: &Warning) {
    println!("{} {}", marker(warning.severity), warning.title);
    println!("    {}", warning.explanation);
    println!("    What to do: {}", warning.what_to_do);
    let mut sources: Vec<String> = warning
        .evidence
        .iter()
        .map(|e| format!("{} {} {}", e.source, e.guideline, e.version))
        .collect();
    sources.dedup();
    if !sources.is_empty() {
        println!("    Source: {}", sources.join("; "));
    }
}

pub fn run(session: &Session) -> Outcome {
    let warnings = session.regimen.warnings()?;
    if session.json {
        print_json(&warnings);
        return Ok(());
    }
    if warnings.is_empty() {
        println!("No warnings for your medicines and gene results.");
    }
    for warning in &warnings {
        print_warning(warning);
    }
    Ok(())
}
