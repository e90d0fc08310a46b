//! `regimen share ...`: caregiver sharing, so two databases on one laptop can play patient
//! and caregiver. The patient offers, the caregiver answers with a Web Push endpoint (a phone's
//! push service, a self-hosted one, or a test service), the patient accepts; `send` pushes
//! the outbox, and `receive` takes a pushed body from a file. The VAPID contact comes from
//! `REGIMEN_PUSH_CONTACT` (a `mailto:` or `https:` URI) when set.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use regimen_ffi::{
    PatientView, ReceivedMessage, ShareInfo, ShareRole, ShareScope, SharedDoseStatus,
    SharedSupplyStatus,
};

use crate::output::{choice_name, print_json};

/// Largest pairing payload read from a file.
const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// Largest pushed message read from a file (a push service carries at most 4 KB).
const MAX_BODY: usize = regimen_core::share::ece::MAX_BODY;
use crate::session::Session;
use crate::{Failure, Outcome, block_on};

/// The environment variable with the VAPID contact.
pub const CONTACT_ENV: &str = "REGIMEN_PUSH_CONTACT";

/// What a patient may tick beyond adherence.
#[derive(Clone, Copy, ValueEnum)]
pub enum Scope {
    /// Doses taken, skipped and missed, and the missed-dose alerts (included unless the share
    /// is for the supply alone).
    Adherence,
    /// Medicine names with the schedule and doses.
    Medicines,
    /// New high-severity warnings (needs medicines).
    Warnings,
    /// PGx phenotypes.
    Pgx,
    /// Medicines running low and their refills (alone: a share for the supply only).
    Supply,
}

#[derive(Subcommand)]
pub enum ShareCommand {
    /// Patient: offer a share; prints the offer to give the caregiver.
    Offer {
        /// The name the caregiver will see.
        #[arg(long)]
        name: String,
        /// What to share beyond adherence (repeat the flag): medicines, warnings, pgx.
        #[arg(long = "scope", value_enum)]
        scopes: Vec<Scope>,
    },
    /// Caregiver: answer an offer with a Web Push endpoint; prints the answer for the patient.
    Answer {
        /// The offer (its JSON, or a file holding it).
        offer: String,
        /// The push subscription's endpoint URL.
        #[arg(long)]
        endpoint: String,
        /// The name the patient will see.
        #[arg(long)]
        name: String,
        /// Minutes after a dose's time before an unconfirmed dose alerts you.
        #[arg(long)]
        grace: Option<u32>,
    },
    /// Patient: accept a caregiver's answer.
    Accept {
        /// The answer (its JSON, or a file holding it).
        answer: String,
    },
    /// End a share (either side).
    Revoke {
        /// The share's id (see `share status`).
        id: i64,
    },
    /// Patient: send what waits for caregivers through their push services.
    Send,
    /// Caregiver: take in pushed bodies saved as files.
    Receive {
        /// Files each holding one raw pushed body.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List shares; with an id of a followed patient, show today's doses and recent days.
    Status {
        /// A share's id.
        id: Option<i64>,
    },
}

/// A payload given inline or as a file.
fn payload(text_or_file: &str) -> Result<String, Failure> {
    let path = Path::new(text_or_file);
    if !text_or_file.trim_start().starts_with('{') && path.exists() {
        return crate::files::read_text(path, MAX_PAYLOAD_BYTES);
    }
    Ok(text_or_file.to_owned())
}

fn describe(share: &ShareInfo) -> String {
    let role = match share.role {
        ShareRole::Patient => "sharing with",
        ShareRole::Caregiver => "following",
    };
    let peer = share.peer_name.as_deref().unwrap_or("(no answer yet)");
    let scopes: Vec<String> = share.scopes.iter().map(choice_name).collect();
    let mut line = format!(
        "#{} {role} {peer}: {} [{}]",
        share.id,
        choice_name(&share.state),
        scopes.join(", ")
    );
    if share.pending_messages > 0 {
        line.push_str(&format!(", {} waiting", share.pending_messages));
    }
    line
}

fn print_pairing(session: &Session, share: &ShareInfo, payload: &str, next: &str) {
    if session.json {
        print_json(&serde_json::json!({ "share": share, "payload": payload }));
    } else {
        println!("{}\n{next}\n{payload}", describe(share));
    }
}

fn print_received(session: &Session, results: &[(&Path, Result<ReceivedMessage, Failure>)]) {
    if session.json {
        let items: Vec<serde_json::Value> = results
            .iter()
            .map(|(file, result)| match result {
                Ok(message) => serde_json::json!({ "file": file, "received": message }),
                Err(failure) => {
                    serde_json::json!({ "file": file, "error": crate::output::failure_text(failure) })
                }
            })
            .collect();
        print_json(&items);
        return;
    }
    for (file, result) in results {
        match result {
            Ok(message) => {
                let what = if message.ignored {
                    "ignored (already had it, or the share ended)".to_owned()
                } else {
                    format!("{} message", choice_name(&message.kind))
                };
                println!(
                    "{}: #{} seq {}: {what}",
                    file.display(),
                    message.share_id,
                    message.seq
                );
            }
            Err(failure) => println!(
                "{}: not taken in: {}",
                file.display(),
                crate::output::failure_text(failure)
            ),
        }
    }
}

fn print_view(session: &Session, view: &PatientView) {
    if session.json {
        print_json(view);
        return;
    }
    println!("{}", describe(&view.share));
    if view.doses.is_empty() {
        println!("  No doses shared for today.");
    }
    for dose in &view.doses {
        let at = dose
            .due_at
            .or(dose.actual_at)
            .map_or("--:--".into(), |t| session.clock(t));
        let name = dose
            .name
            .clone()
            .unwrap_or_else(|| format!("medicine {}", dose.medicine_id));
        let status = match dose.status {
            SharedDoseStatus::Unconfirmed => "NOT CONFIRMED".to_owned(),
            other => choice_name(&other),
        };
        println!("  {at}  {name:<24} {status}");
    }
    for day in view.days.iter().take(7) {
        println!(
            "  {}: {} due, {} taken, {} late, {} skipped, {} missed",
            day.day, day.scheduled, day.taken, day.late, day.skipped, day.missed
        );
    }
    for warning in &view.warnings {
        println!("  Warning: {}", warning.title);
    }
    for phenotype in &view.phenotypes {
        println!("  {}: {}", phenotype.gene, phenotype.phenotype);
    }
    for supply in &view.supply {
        let name = supply
            .name
            .clone()
            .unwrap_or_else(|| format!("medicine {}", supply.medicine_id));
        let status = match supply.status {
            SharedSupplyStatus::RunningLow => "running low".to_owned(),
            SharedSupplyStatus::RefillRequested => "refill requested".to_owned(),
            SharedSupplyStatus::RefillRefused => "REFILL REFUSED by the pharmacy".to_owned(),
            SharedSupplyStatus::Restocked => "restocked".to_owned(),
        };
        let until = supply
            .run_out_at
            .map(|at| format!(", runs out {}", session.local(at).format("%a %-d %b")))
            .unwrap_or_default();
        println!("  Supply: {name}: {status}{until}");
    }
}

/// Runs a `share` command.
pub fn run(session: &Session, command: &ShareCommand) -> Outcome {
    let regimen = &session.regimen;
    match command {
        ShareCommand::Offer { name, scopes } => {
            let scopes = scopes
                .iter()
                .map(|scope| match scope {
                    Scope::Medicines => ShareScope::Medicines,
                    Scope::Warnings => ShareScope::Warnings,
                    Scope::Pgx => ShareScope::Pgx,
                    Scope::Adherence => ShareScope::Adherence,
                    Scope::Supply => ShareScope::Supply,
                })
                .collect();
            let step = regimen.offer_share(name.clone(), scopes)?;
            let next = "Give this offer to the caregiver (`regimen share answer`):";
            print_pairing(session, &step.share, &step.payload, next);
        }
        ShareCommand::Answer {
            offer,
            endpoint,
            name,
            grace,
        } => {
            let step =
                regimen.answer_offer(payload(offer)?, endpoint.clone(), name.clone(), *grace)?;
            let next = "Give this answer to the patient (`regimen share accept`):";
            print_pairing(session, &step.share, &step.payload, next);
        }
        ShareCommand::Accept { answer } => {
            let share = regimen.accept_answer(payload(answer)?)?;
            if session.json {
                print_json(&share);
            } else {
                println!("{}\nSend with `regimen share send`.", describe(&share));
            }
        }
        ShareCommand::Revoke { id } => {
            let share = regimen.revoke(*id)?;
            if session.json {
                print_json(&share);
            } else {
                println!("{}", describe(&share));
            }
        }
        ShareCommand::Send => {
            let report = block_on(regimen.send_pending(regimen_ffi::native_http()))??;
            if session.json {
                print_json(&serde_json::json!({
                    "delivered": report.delivered,
                    "retrying": report.retrying,
                    "dropped": report.dropped,
                    "shares_gone": report.shares_gone,
                    "next_attempt_at": report.next_attempt_at,
                }));
            } else {
                println!(
                    "{} delivered, {} to retry, {} dropped, {} gone.",
                    report.delivered,
                    report.retrying,
                    report.dropped,
                    crate::output::counted(report.shares_gone as usize, "share")
                );
                if let Some(at) = report.next_attempt_at {
                    println!(
                        "Next attempt at {}.",
                        session.local(at).format("%Y-%m-%d %H:%M")
                    );
                }
            }
        }
        ShareCommand::Receive { files } => {
            // Each file on its own: a bad one is reported and the others are still taken in.
            let results: Vec<(&Path, Result<ReceivedMessage, Failure>)> = files
                .iter()
                .map(|file| {
                    let received = crate::files::read_bytes(file, MAX_BODY)
                        .and_then(|body| Ok(regimen.receive(body)?));
                    (file.as_path(), received)
                })
                .collect();
            print_received(session, &results);
            let failed = results.iter().filter(|(_, r)| r.is_err()).count();
            if failed > 0 {
                return Err(Failure::Cli(format!(
                    "{failed} of {} could not be taken in",
                    crate::output::counted(results.len(), "message")
                )));
            }
        }
        ShareCommand::Status { id: Some(id) } => {
            let share = regimen
                .shares()?
                .into_iter()
                .find(|share| share.id == *id)
                .ok_or_else(|| Failure::Cli(format!("no share with id {id}")))?;
            if share.role == ShareRole::Patient {
                // A share this database gives: where it stands is all there is to show.
                if session.json {
                    print_json(&share);
                } else {
                    println!("{}", describe(&share));
                }
            } else {
                let (from, to) = session.day_bounds(session.today());
                print_view(session, &regimen.patient_view(*id, from, to)?);
            }
        }
        ShareCommand::Status { id: None } => {
            let shares = regimen.shares()?;
            if session.json {
                print_json(&shares);
            } else if shares.is_empty() {
                println!("No shares. Start one with `regimen share offer --name NAME`.");
            }
            if !session.json {
                for share in &shares {
                    println!("{}", describe(share));
                }
            }
        }
    }
    Ok(())
}
