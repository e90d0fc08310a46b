//! `regimen supply show | track | add | count | lost | check`: what is on hand, when it runs
//! out, and whether there is enough until a date.

use clap::Subcommand;
use regimen_ffi::{
    Forecast, ForecastBasis, NewSupplyEvent, PrescriptionWarning, SupplyKind, SupplySettings,
    SupplySource,
};

use crate::med::find;
use crate::output::{print_json, short_title};
use crate::session::Session;
use crate::{Failure, Outcome};

#[derive(Subcommand)]
pub enum SupplyCommand {
    /// Every tracked medicine's stock and run-out (or one medicine's, with its log).
    Show {
        /// Id or exact name.
        medicine: Option<String>,
    },
    /// Track a medicine's stock in a unit (tablet, mL, puff, patch).
    Track {
        /// Id or exact name.
        medicine: String,
        /// The unit it is counted in, as doses are taken.
        #[arg(long)]
        unit: String,
        /// How many units a pack holds.
        #[arg(long)]
        pack: Option<f64>,
        /// Remind this many days before it runs out.
        #[arg(long, default_value_t = regimen_core::supply::DEFAULT_LEAD_DAYS)]
        lead_days: u32,
    },
    /// Stock received: an amount in the supply unit, or --packs.
    Add {
        /// Id or exact name.
        medicine: String,
        /// How much, in the supply unit.
        #[arg(allow_negative_numbers = true)]
        amount: Option<f64>,
        /// How many packs (with the pack size set).
        #[arg(long)]
        packs: Option<f64>,
        /// A note.
        #[arg(long)]
        note: Option<String>,
    },
    /// What the patient counted is left.
    Count {
        /// Id or exact name.
        medicine: String,
        /// How much is left, in the supply unit.
        #[arg(allow_negative_numbers = true)]
        amount: f64,
    },
    /// Stock lost, spoiled or thrown away.
    Lost {
        /// Id or exact name.
        medicine: String,
        /// How much, in the supply unit.
        #[arg(allow_negative_numbers = true)]
        amount: f64,
        /// A note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Whether there is enough of everything until a date ("for my trip").
    Check {
        /// The last day (YYYY-MM-DD), inclusive.
        #[arg(long)]
        until: String,
    },
}

/// "60 tablets": an amount in a unit, in the right number.
fn amount(value: f64, unit: &str) -> String {
    regimen_ffi::Quantity {
        value: (value * 100.0).round() / 100.0,
        unit: unit.into(),
    }
    .describe()
}

/// One line for a forecast.
pub fn forecast_line(session: &Session, forecast: &Forecast) -> String {
    let stock = &forecast.stock;
    let on_hand = amount(stock.on_hand, &stock.unit);
    let when = |at: regimen_ffi::Timestamp| session.local(at).format("%a %-d %b %Y").to_string();
    let mut line = match (forecast.basis, forecast.run_out_at) {
        (ForecastBasis::NoStock, _) => "nothing recorded yet: add or count the stock".into(),
        (ForecastBasis::AmountUnknown, _) => format!(
            "{on_hand}; a dose's amount is not in {}: give the dose in that unit",
            stock.unit
        ),
        (ForecastBasis::NoUse, _) => format!("{on_hand}; nothing draws from it"),
        (ForecastBasis::NotEnoughUse, _) => {
            format!("{on_hand}; too little use yet to say when it runs out")
        }
        (_, Some(at)) if forecast.estimate => {
            format!("{on_hand}; runs out about {} (from recent use)", when(at))
        }
        (_, Some(at)) => format!("{on_hand}; runs out {} at {}", when(at), session.clock(at)),
        (_, None) => format!("{on_hand}; lasts past {}", when(forecast.looked_until)),
    };
    if stock.doses_unknown > 0 {
        line.push_str(&format!(
            " ({} doses not drawn: their amount is in another unit)",
            stock.doses_unknown
        ));
    }
    match &forecast.prescription_warning {
        Some(PrescriptionWarning::NoRepeatsLeft) => {
            line.push_str(" — no repeats left: ask the doctor for a new prescription")
        }
        Some(PrescriptionWarning::Expired { .. }) => {
            line.push_str(" — the prescription has expired: ask the doctor for a new one")
        }
        Some(PrescriptionWarning::ExpiresBeforeRunOut { at }) => line.push_str(&format!(
            " — the prescription ends {}: ask the doctor for a new one",
            when(*at)
        )),
        None => {}
    }
    line
}

pub fn run(session: &Session, command: &SupplyCommand) -> Outcome {
    let regimen = &session.regimen;
    let log = |medicine: &str, kind, value: f64, source, note: &Option<String>| -> Outcome {
        let medicine = find(regimen, medicine)?;
        let event = regimen.log_supply(NewSupplyEvent {
            medicine_id: medicine.id,
            kind,
            amount: value,
            at: session.now,
            source,
            note: note.clone(),
        })?;
        if session.json {
            print_json(&event);
            return Ok(());
        }
        let forecast = regimen.forecast(medicine.id)?;
        println!(
            "{}: {}",
            short_title(&medicine),
            forecast_line(session, &forecast)
        );
        Ok(())
    };
    match command {
        SupplyCommand::Show { medicine: None } => {
            let forecasts = regimen.forecasts()?;
            if session.json {
                print_json(&forecasts);
                return Ok(());
            }
            if forecasts.is_empty() {
                println!("No stock tracked. Start with `regimen supply track MED --unit tablet`.");
            }
            let medicines = regimen.medicines(true)?;
            for forecast in &forecasts {
                let name = medicines
                    .iter()
                    .find(|m| m.id == forecast.stock.medicine_id)
                    .map_or("?".into(), short_title);
                println!("  {name:<24} {}", forecast_line(session, forecast));
            }
        }
        SupplyCommand::Show {
            medicine: Some(medicine),
        } => {
            let medicine = find(regimen, medicine)?;
            let forecast = regimen.forecast(medicine.id)?;
            let events = regimen.supply_events(medicine.id)?;
            if session.json {
                print_json(&serde_json::json!({ "forecast": forecast, "log": events }));
                return Ok(());
            }
            println!(
                "{}: {}",
                short_title(&medicine),
                forecast_line(session, &forecast)
            );
            for event in events {
                let what = match event.kind {
                    SupplyKind::Received => "received",
                    SupplyKind::Counted => "counted",
                    SupplyKind::Lost => "lost",
                };
                println!(
                    "  {}  {what:<8} {}",
                    session.local(event.at).format("%Y-%m-%d %H:%M"),
                    amount(event.amount, &forecast.stock.unit)
                );
            }
        }
        SupplyCommand::Track {
            medicine,
            unit,
            pack,
            lead_days,
        } => {
            let medicine = find(regimen, medicine)?;
            let settings = regimen.set_supply_settings(
                medicine.id,
                SupplySettings {
                    unit: unit.clone(),
                    pack_size: *pack,
                    lead_days: *lead_days,
                },
            )?;
            if session.json {
                print_json(&settings);
                return Ok(());
            }
            println!(
                "{}: stock counted in {}; reminders {} days before it runs out.",
                short_title(&medicine),
                settings.unit,
                settings.lead_days
            );
        }
        SupplyCommand::Add {
            medicine,
            amount: value,
            packs,
            note,
        } => {
            let value = match (value, packs) {
                (Some(value), None) => *value,
                (None, Some(packs)) => {
                    let found = find(regimen, medicine)?;
                    let size = regimen
                        .supply_settings(found.id)?
                        .and_then(|s| s.pack_size)
                        .ok_or_else(|| {
                            Failure::Cli(
                                "--packs: set the pack size first (supply track --pack)".into(),
                            )
                        })?;
                    packs * size
                }
                _ => return Err(Failure::Cli("give an amount or --packs, not both".into())),
            };
            log(
                medicine,
                SupplyKind::Received,
                value,
                Some(SupplySource::Pack),
                note,
            )?;
        }
        SupplyCommand::Count {
            medicine,
            amount: value,
        } => {
            log(medicine, SupplyKind::Counted, *value, None, &None)?;
        }
        SupplyCommand::Lost {
            medicine,
            amount: value,
            note,
        } => log(medicine, SupplyKind::Lost, *value, None, note)?,
        SupplyCommand::Check { until } => {
            let date = chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d")
                .map_err(|_| Failure::Cli("--until: expected YYYY-MM-DD".into()))?;
            let (_, end) = session.day_bounds(date);
            let needs = regimen.supply_check(end)?;
            if session.json {
                print_json(&needs);
                return Ok(());
            }
            let medicines = regimen.medicines(true)?;
            println!("Until {date}:");
            for need in &needs {
                let name = medicines
                    .iter()
                    .find(|m| m.id == need.medicine_id)
                    .map_or("?".into(), short_title);
                let about = if need.estimate { "about " } else { "" };
                let verdict = if need.shortfall > 0.0 {
                    format!("short by {}", amount(need.shortfall, &need.unit))
                } else {
                    "enough".into()
                };
                println!(
                    "  {name:<24} needs {about}{}, has {}: {verdict}",
                    amount(need.needed, &need.unit),
                    amount(need.on_hand, &need.unit)
                );
            }
        }
    }
    Ok(())
}
