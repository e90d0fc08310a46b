//! `regimen pgx ...`: pharmacogenomic results.

use clap::Subcommand;
use regimen_ffi::{LocalDate, NewPgxResult, PgxResult, PgxSource, PhenotypeCall};

use crate::output::{choice_name, print_json};
use crate::session::Session;
use crate::{Failure, Outcome};

#[derive(Subcommand)]
pub enum PgxCommand {
    /// Import results: a PharmCAT report (JSON or TSV) or a lab's list (JSON, or CSV/TSV
    /// lines gene,diplotype).
    Import {
        /// The file.
        file: std::path::PathBuf,
    },
    /// Record a result by hand (from a lab letter).
    Add {
        /// The gene, like CYP2C19.
        gene: String,
        /// The diplotype, like *1/*2.
        diplotype: String,
        /// When the sample was tested (YYYY-MM-DD).
        #[arg(long)]
        date: Option<String>,
        /// The lab.
        #[arg(long)]
        lab: Option<String>,
    },
    /// Show the results in force (the newest per gene) and what they mean.
    Show {
        /// Every result ever recorded, oldest first.
        #[arg(long)]
        history: bool,
    },
    /// Compute a phenotype without storing anything (for clinicians and scripts).
    Phenotype {
        /// The gene, like CYP2C19.
        gene: String,
        /// The diplotype, like *1/*2 (one allele for MT-RNR1).
        diplotype: String,
    },
}

/// `pgx phenotype`, which needs no database.
pub fn phenotype(gene: &str, diplotype: &str, json: bool) -> Outcome {
    let calls = regimen_ffi::phenotype(gene.to_owned(), diplotype.to_owned())?;
    if json {
        print_json(&calls);
    } else {
        for call in &calls {
            println!("{}", call_line(call));
        }
    }
    Ok(())
}

fn call_line(call: &PhenotypeCall) -> String {
    let score = call
        .activity_score
        .as_ref()
        .map_or(String::new(), |s| format!(" (activity score {s})"));
    format!(
        "{:<8} {:<28} {}{score}",
        call.gene, call.diplotype, call.phenotype
    )
}

fn print_results(results: &[PgxResult]) {
    if results.is_empty() {
        println!("No PGx results yet. Import a report with `regimen pgx import FILE`.");
    }
    for result in results {
        let source = choice_name(&result.result.source);
        let date = result
            .result
            .test_date
            .map_or(String::new(), |d| format!(", tested {d}"));
        if result.calls.is_empty() {
            println!(
                "{:<8} {:<28} (Regimen has no rules for this gene) — {source}{date}",
                result.result.gene, result.result.diplotype
            );
        }
        for call in &result.calls {
            println!("{} — {source}{date}", call_line(call));
        }
    }
}

pub fn run(session: &Session, command: &PgxCommand) -> Outcome {
    let regimen = &session.regimen;
    match command {
        PgxCommand::Import { file } => {
            let text = crate::files::read_text(file, regimen_core::pgx::import::MAX_BYTES)?;
            let imported = regimen.import_pgx(text)?;
            if session.json {
                print_json(
                    &serde_json::json!({ "format": imported.format, "results": imported.results }),
                );
            } else {
                println!(
                    "Read {} results from a {}.",
                    imported.results.len(),
                    imported.format
                );
                print_results(&imported.results);
            }
        }
        PgxCommand::Add {
            gene,
            diplotype,
            date,
            lab,
        } => {
            let test_date = date
                .as_deref()
                .map(|d| {
                    d.parse::<LocalDate>()
                        .map_err(|_| Failure::Cli("--date: expected YYYY-MM-DD".into()))
                })
                .transpose()?;
            let stored = regimen.add_pgx_result(NewPgxResult {
                gene: gene.clone(),
                diplotype: diplotype.clone(),
                source: PgxSource::Manual,
                test_date,
                lab: lab.clone(),
            })?;
            if session.json {
                print_json(&stored);
            } else {
                print_results(std::slice::from_ref(&stored));
            }
        }
        PgxCommand::Show { history } => {
            let results = regimen.pgx_results(*history)?;
            if session.json {
                print_json(&results);
            } else {
                print_results(&results);
            }
        }
        PgxCommand::Phenotype { gene, diplotype } => phenotype(gene, diplotype, session.json)?,
    }
    Ok(())
}
