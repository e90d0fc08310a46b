//! `regimen pharmacy set | show | import | dispense | request | send | status`: prescriptions in
//! from FHIR, refill requests out to the pharmacy, and where they stand.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use regimen_ffi::{Fulfilment, Pharmacy, RefillState};

use crate::Outcome;
use crate::med::find;
use crate::output::{print_json, short_title};
use crate::session::Session;

/// Pickup or delivery.
#[derive(Clone, Copy, ValueEnum)]
pub enum FulfilmentArg {
    /// At the pharmacy.
    Pickup,
    /// Brought to the patient.
    Delivery,
}

impl From<FulfilmentArg> for Fulfilment {
    fn from(arg: FulfilmentArg) -> Self {
        match arg {
            FulfilmentArg::Pickup => Fulfilment::Pickup,
            FulfilmentArg::Delivery => Fulfilment::Delivery,
        }
    }
}

#[derive(Subcommand)]
pub enum PharmacyCommand {
    /// Choose the pharmacy by its FHIR R4 base URL.
    Set {
        /// Its FHIR base URL (https, or http on this machine's loopback).
        url: String,
        /// Its name.
        #[arg(long)]
        name: Option<String>,
        /// The patient at the pharmacy (Patient/123).
        #[arg(long)]
        patient: Option<String>,
        /// Pickup or delivery.
        #[arg(long, value_enum, default_value = "pickup")]
        fulfilment: FulfilmentArg,
        /// Days a delivery takes: refill reminders for a delivery come that much earlier.
        #[arg(long)]
        delivery_days: Option<u32>,
    },
    /// Show the pharmacy.
    Show,
    /// Import prescriptions: a FHIR Bundle of MedicationRequests (or one) from a file.
    Import {
        /// The JSON file.
        file: PathBuf,
    },
    /// Add a completed MedicationDispense (a FHIR JSON file) to the stock.
    Dispense {
        /// The JSON file.
        file: PathBuf,
    },
    /// Ask the pharmacy for a refill of a medicine's prescription (sent now).
    Request {
        /// Id or exact name.
        medicine: String,
        /// How much, in the supply unit [default: the prescription's quantity].
        #[arg(long)]
        quantity: Option<f64>,
        /// Pickup or delivery [default: the pharmacy's].
        #[arg(long, value_enum)]
        fulfilment: Option<FulfilmentArg>,
    },
    /// Send what waits and follow the requests the pharmacy has.
    Send,
    /// Refill requests and where they stand.
    Status,
}

pub fn run(session: &Session, command: &PharmacyCommand) -> Outcome {
    let regimen = &session.regimen;
    match command {
        PharmacyCommand::Set {
            url,
            name,
            patient,
            fulfilment,
            delivery_days,
        } => {
            let pharmacy = regimen.set_pharmacy(Pharmacy {
                base_url: url.clone(),
                name: name.clone(),
                patient: patient.clone(),
                delivery_days: *delivery_days,
                fulfilment: (*fulfilment).into(),
            })?;
            if session.json {
                print_json(&pharmacy);
                return Ok(());
            }
            println!(
                "Pharmacy: {}",
                pharmacy.name.as_deref().unwrap_or(&pharmacy.base_url)
            );
        }
        PharmacyCommand::Show => {
            let pharmacy = regimen.pharmacy()?;
            if session.json {
                print_json(&pharmacy);
                return Ok(());
            }
            match pharmacy {
                Some(p) => println!(
                    "{} ({})",
                    p.name.as_deref().unwrap_or("Pharmacy"),
                    p.base_url
                ),
                None => println!("No pharmacy chosen: `regimen pharmacy set URL`."),
            }
        }
        PharmacyCommand::Import { file } => {
            let text = crate::files::read_text(file, regimen_core::pgx::import::MAX_BYTES)?;
            let import = regimen.import_orders(text)?;
            if session.json {
                print_json(&import);
                return Ok(());
            }
            for order in &import.imported {
                let what = match (order.updated, order.scheduled) {
                    (true, _) => "prescription updated",
                    (false, true) => "added with its schedule",
                    (false, false) => "added; set its times (`regimen med schedule`)",
                };
                println!(
                    "  #{} {}: {what}",
                    order.medicine.id,
                    short_title(&order.medicine)
                );
            }
            for refused in &import.refused {
                println!(
                    "  ! entry {}: not imported: {} ({})",
                    refused.entry, refused.reason, refused.field
                );
            }
        }
        PharmacyCommand::Dispense { file } => {
            let text = crate::files::read_text(file, regimen_core::pgx::import::MAX_BYTES)?;
            match regimen.import_dispense(text)? {
                Some(event) if session.json => print_json(&event),
                None if session.json => print_json(&serde_json::Value::Null),
                Some(event) => {
                    println!("Added {} to medicine #{}.", event.amount, event.medicine_id)
                }
                None => println!("That dispense was added already."),
            }
        }
        PharmacyCommand::Request {
            medicine,
            quantity,
            fulfilment,
        } => {
            let medicine = find(regimen, medicine)?;
            let order =
                regimen.request_refill(medicine.id, *quantity, fulfilment.map(Into::into))?;
            let report = crate::block_on(regimen.send_refills(regimen_ffi::native_http()))??;
            if session.json {
                print_json(
                    &regimen
                        .refill_orders(Some(medicine.id))?
                        .into_iter()
                        .find(|o| o.id == order.id),
                );
                return Ok(());
            }
            println!(
                "Refill of {} asked for: {} sent, {} waiting to be sent again.",
                short_title(&medicine),
                report.sent,
                report.retrying
            );
        }
        PharmacyCommand::Send => {
            let report = crate::block_on(regimen.send_refills(regimen_ffi::native_http()))??;
            if session.json {
                print_json(&serde_json::json!({
                    "sent": report.sent, "retrying": report.retrying,
                    "failed": report.failed, "done": report.done,
                }));
                return Ok(());
            }
            println!(
                "{} sent, {} to retry, {} refused, {} filled.",
                report.sent, report.retrying, report.failed, report.done
            );
        }
        PharmacyCommand::Status => {
            let orders = regimen.refill_orders(None)?;
            if session.json {
                print_json(&orders);
                return Ok(());
            }
            if orders.is_empty() {
                println!("No refill requests.");
            }
            let medicines = regimen.medicines(true)?;
            for order in orders {
                let name = medicines
                    .iter()
                    .find(|m| m.id == order.medicine_id)
                    .map_or("?".into(), short_title);
                let state = match (order.state, order.status) {
                    (RefillState::Queued, _) => "waiting to be sent".to_owned(),
                    (RefillState::Failed, _) => format!(
                        "refused: {}",
                        order.reason.as_deref().unwrap_or("no reason given")
                    ),
                    (RefillState::Done, _) => "filled".to_owned(),
                    (RefillState::Sent, Some(status)) => order
                        .business_status
                        .clone()
                        .unwrap_or_else(|| crate::output::choice_name(&status).replace('_', " ")),
                    (RefillState::Sent, None) => "sent".to_owned(),
                };
                println!(
                    "  {}  {name:<24} {state}",
                    session.local(order.created_at).format("%Y-%m-%d %H:%M")
                );
            }
        }
    }
    Ok(())
}
