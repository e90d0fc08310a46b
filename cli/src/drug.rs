//! `regimen drug search TEXT`: the drug search of an "add a medicine" screen.

use clap::Subcommand;
use regimen_ffi::DrugMatchKind;

use crate::Outcome;
use crate::output::print_json;
use crate::session::Session;

#[derive(Subcommand)]
pub enum DrugCommand {
    /// Drugs whose generic or brand name starts like TEXT (a typing slip is forgiven).
    Search {
        /// What the patient typed.
        text: String,
        /// At most this many results.
        #[arg(long, default_value_t = 10)]
        limit: u32,
    },
}

pub fn run(session: &Session, command: &DrugCommand) -> Outcome {
    match command {
        DrugCommand::Search { text, limit } => {
            let found = session.regimen.search_drugs(text.clone(), *limit)?;
            if session.json {
                print_json(&found);
                return Ok(());
            }
            if found.is_empty() {
                println!("No drug found. Check the spelling, or add the medicine by name.");
            }
            for drug in &found {
                let kind = match drug.kind {
                    DrugMatchKind::Ingredient => "generic",
                    DrugMatchKind::Brand if drug.ingredients.len() > 1 => "combination",
                    DrugMatchKind::Brand => "brand",
                    DrugMatchKind::OtherName => "other name",
                };
                let codes = match (&drug.rxnorm, drug.atc.first()) {
                    (Some(rx), Some(atc)) => format!(" RxNorm {rx}, ATC {atc}"),
                    (Some(rx), None) => format!(" RxNorm {rx}"),
                    _ => String::new(),
                };
                println!(
                    "{:<28} {kind:<11} {}{codes}   --drug {}",
                    drug.name,
                    drug.ingredients.join(" + "),
                    drug.id
                );
                for product in drug.products.iter().take(5) {
                    println!("    {} (RxNorm {})", product.name, product.rxnorm);
                }
                if drug.products.len() > 5 {
                    println!("    and {} more", drug.products.len() - 5);
                }
            }
            Ok(())
        }
    }
}
