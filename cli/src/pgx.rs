//! `regimen pgx ...`: pharmacogenomic results.

use clap::Subcommand;
use regimen_ffi::{
    LocalDate, NewPgxResult, PgxReading, PgxResult, PgxSource, PhenotypeCall, ReadingStatus,
};

use crate::output::{choice_name, print_json};
use crate::session::Session;
use crate::{Failure, Outcome};

#[derive(Subcommand)]
pub enum PgxCommand {
    /// Import results: a PharmCAT report (JSON or TSV), a lab's list (JSON, or CSV/TSV
    /// lines gene,result) or FHIR Genomics Reporting observations.
    Import {
        /// The file.
        file: std::path::PathBuf,
    },
    /// Record a result by hand (from a lab letter).
    Add {
        /// The gene, like CYP2C19 (or HLA-B*57:01 with the status as the result).
        gene: String,
        /// The result as the lab wrote it, like *1/*2, "*57:01 positive" or "-1639 AA".
        #[arg(allow_hyphen_values = true)]
        diplotype: String,
        /// When the sample was tested (YYYY-MM-DD).
        #[arg(long)]
        date: Option<String>,
        /// The lab.
        #[arg(long)]
        lab: Option<String>,
    },
    /// Show the results in force (the newest test per gene) and what they mean.
    Show {
        /// Every result ever recorded, oldest first, saying which are in force.
        #[arg(long)]
        history: bool,
    },
    /// How Regimen reads a result, without storing anything.
    Phenotype {
        /// The gene, like CYP2C19 (may be empty when the result names it).
        gene: String,
        /// The result as the lab wrote it, like *1/*2 (one allele for MT-RNR1).
        #[arg(allow_hyphen_values = true)]
        diplotype: String,
    },
}

fn call_line(call: &PhenotypeCall) -> String {
    let score = call
        .activity_score
        .as_ref()
        .map_or(String::new(), |s| format!(" (activity score {s})"));
    let reason = call
        .reason
        .as_ref()
        .map_or(String::new(), |r| format!(": {r}"));
    format!(
        "{:<8} {:<28} {}{score}{reason}",
        call.gene, call.diplotype, call.phenotype
    )
}

/// A reading as lines: its calls, or what was not understood.
fn reading_lines(gene_as_given: &str, text_as_given: &str, reading: &PgxReading) -> Vec<String> {
    match reading.status {
        ReadingStatus::Interpreted => reading.calls.iter().map(call_line).collect(),
        ReadingStatus::NoRules => vec![format!(
            "{:<8} {:<28} (Regimen has no rules for this gene: kept, not interpreted)",
            reading.gene.as_deref().unwrap_or(gene_as_given),
            text_as_given
        )],
        ReadingStatus::NotUnderstood => {
            let (part, reason) = reading
                .not_understood
                .as_ref()
                .map_or(("", "not understood"), |n| {
                    (n.part.as_str(), n.reason.as_str())
                });
            vec![format!(
                "{:<8} {:<28} NOT UNDERSTOOD: \"{part}\": {reason}. Not used for warnings.",
                reading.gene.as_deref().unwrap_or(gene_as_given),
                text_as_given
            )]
        }
    }
}

fn print_results(results: &[PgxResult], history: bool) {
    if results.is_empty() {
        println!("No PGx results yet. Import a report with `regimen pgx import FILE`.");
    }
    for result in results {
        let source = choice_name(&result.result.source);
        let date = result
            .result
            .test_date
            .map_or(String::new(), |d| format!(", tested {d}"));
        let status = match (history, result.in_force) {
            (true, false) => format!(" [#{}, not in force]", result.id),
            (true, true) => format!(" [#{}, in force]", result.id),
            _ => String::new(),
        };
        for line in reading_lines(
            &result.result.gene,
            &result.result.diplotype,
            &result.reading,
        ) {
            println!("{line} — {source}{date}{status}");
        }
        if !result.differs_from.is_empty() {
            let ids: Vec<String> = result
                .differs_from
                .iter()
                .map(|id| format!("#{id}"))
                .collect();
            if result.in_force {
                println!(
                    "         Older results said otherwise ({}); this newer test is in force. See `regimen pgx show --history`.",
                    ids.join(", ")
                );
            } else {
                println!(
                    "         A newer test is in force instead ({}).",
                    ids.join(", ")
                );
            }
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
                let unread = imported
                    .results
                    .iter()
                    .filter(|r| r.reading.status == ReadingStatus::NotUnderstood)
                    .count();
                println!(
                    "Read {} from a {}{}.",
                    crate::output::counted(imported.results.len(), "result"),
                    imported.format,
                    if unread > 0 {
                        format!("; {unread} could not be understood and are not used")
                    } else {
                        String::new()
                    }
                );
                print_results(&imported.results, true);
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
            // Say what was not understood before refusing (the library's error does not
            // repeat the result).
            let reading = regimen.read_pgx(gene.clone(), diplotype.clone())?;
            if reading.status == ReadingStatus::NotUnderstood && !session.json {
                for line in reading_lines(gene, diplotype, &reading) {
                    println!("{line}");
                }
            }
            let stored = regimen.add_pgx_result(NewPgxResult {
                gene: gene.clone(),
                diplotype: diplotype.clone(),
                source: PgxSource::Manual,
                test_date,
                lab: lab.clone(),
                other_diplotypes: Vec::new(),
            })?;
            if session.json {
                print_json(&stored);
            } else {
                print_results(std::slice::from_ref(&stored), false);
            }
        }
        PgxCommand::Show { history } => {
            let results = regimen.pgx_results(*history)?;
            if session.json {
                print_json(&results);
            } else {
                print_results(&results, *history);
            }
        }
        PgxCommand::Phenotype { gene, diplotype } => {
            let reading = regimen.read_pgx(gene.clone(), diplotype.clone())?;
            if session.json {
                print_json(&reading);
            } else {
                for line in reading_lines(gene, diplotype, &reading) {
                    println!("{line}");
                }
            }
        }
    }
    Ok(())
}
