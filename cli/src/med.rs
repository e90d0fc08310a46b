//! `regimen med ...`: medicines.

use clap::{Args, Subcommand};
use regimen_ffi::{DoseForm, Medicine, MedicineInfo, Regimen, Route};
use serde::de::DeserializeOwned;

use crate::output::{print_medicine, print_medicines};
use crate::schedule_args::ScheduleArgs;
use crate::session::Session;
use crate::{Failure, Outcome};

#[derive(Subcommand)]
pub enum MedCommand {
    /// Add a medicine.
    Add {
        /// The name the patient knows it by.
        name: String,
        #[command(flatten)]
        fields: MedFields,
        #[command(flatten)]
        schedule: ScheduleArgs,
    },
    /// Give a medicine a new schedule from now on (earlier doses keep the old one).
    Schedule {
        /// Id or exact name.
        medicine: String,
        #[command(flatten)]
        schedule: ScheduleArgs,
        /// Stop scheduled doses instead.
        #[arg(long, conflicts_with_all = ["times", "every", "timing", "prn"])]
        none: bool,
    },
    /// Move a medicine kept on home time onto this zone's clock gradually, from today (after
    /// a flight, when `regimen zone` offers it). Its times and doses stay as they are.
    Shift {
        /// Id or exact name.
        medicine: String,
        /// The zone to move to [default: the phone's zone now].
        #[arg(long)]
        to: Option<String>,
        /// At most this many hours a day (1 to 12).
        #[arg(long, default_value_t = 2)]
        hours: u32,
    },
    /// Import a FHIR R4 MedicationRequest (or Dosage) JSON file as a new medicine.
    Import {
        /// The JSON file.
        file: std::path::PathBuf,
        /// The medicine's name, when the file names none (a bare Dosage).
        #[arg(long)]
        name: Option<String>,
    },
    /// Print a medicine's schedule as FHIR R4 Dosage JSON.
    Export {
        /// Id or exact name.
        medicine: String,
    },
    /// List active medicines (and archived ones with --all).
    List {
        /// Include archived medicines.
        #[arg(long)]
        all: bool,
    },
    /// Show one medicine.
    Show {
        /// Id or exact name.
        medicine: String,
    },
    /// Change a medicine's details; fields not given stay as they are.
    Edit {
        /// Id or exact name.
        medicine: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: MedFields,
    },
    /// Archive a medicine: it leaves the list, its history stays.
    Archive {
        /// Id or exact name.
        medicine: String,
    },
    /// Bring an archived medicine back.
    Restore {
        /// Id or exact name.
        medicine: String,
    },
}

/// Optional details shared by `add` and `edit`. An empty value ("") clears a field on edit.
#[derive(Args)]
pub struct MedFields {
    /// Strength per unit as on the pack ("500 mg").
    #[arg(long)]
    strength: Option<String>,
    /// Form: tablet, capsule, oral_liquid, injection, inhaler, patch, cream, drops, spray,
    /// suppository, powder, other.
    #[arg(long, value_parser = parse_choice::<DoseForm>)]
    form: Option<DoseForm>,
    /// Route: oral, sublingual, inhaled, nasal, eye, ear, topical, transdermal, subcutaneous,
    /// intramuscular, intravenous, rectal, vaginal, other.
    #[arg(long, value_parser = parse_choice::<Route>)]
    route: Option<Route>,
    /// RxNorm concept id (RxCUI), e.g. 6809.
    #[arg(long)]
    rxnorm: Option<String>,
    /// WHO ATC code, e.g. A10BA02.
    #[arg(long)]
    atc: Option<String>,
    /// How to take it ("with food").
    #[arg(long)]
    instructions: Option<String>,
    /// Your own notes.
    #[arg(long)]
    notes: Option<String>,
    /// The drug chosen with `regimen drug search`, by its id (in:clopidogrel).
    #[arg(long = "drug")]
    drug_id: Option<String>,
}

impl MedFields {
    /// `base` with every given field applied.
    fn apply_to(&self, base: MedicineInfo) -> MedicineInfo {
        MedicineInfo {
            name: base.name,
            strength: self.strength.clone().or(base.strength),
            form: self.form.or(base.form),
            route: self.route.or(base.route),
            rxnorm: self.rxnorm.clone().or(base.rxnorm),
            atc: self.atc.clone().or(base.atc),
            instructions: self.instructions.clone().or(base.instructions),
            notes: self.notes.clone().or(base.notes),
            drug_id: self.drug_id.clone().or(base.drug_id),
        }
    }
}

/// Parses a snake_case choice of one of the API's enums by its JSON name.
fn parse_choice<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_lowercase()))
        .map_err(|_| "not one of the listed choices (see --help)".to_string())
}

pub fn run(session: &Session, command: &MedCommand) -> Outcome {
    let (regimen, json) = (&*session.regimen, session.json);
    match command {
        MedCommand::Add {
            name,
            fields,
            schedule,
        } => {
            let info = fields.apply_to(MedicineInfo {
                name: name.clone(),
                ..MedicineInfo::default()
            });
            let added = if schedule.given() {
                regimen.add_scheduled_medicine(info, Some(schedule.build(session)?))?
            } else {
                regimen.add_medicine(info)?
            };
            print_medicine(session, &added)?;
        }
        MedCommand::Schedule {
            medicine,
            schedule,
            none,
        } => {
            let medicine = find(regimen, medicine)?;
            if !*none && !schedule.given() {
                return Err(Failure::Cli(
                    "give the schedule (--times, --every, --timing or --prn) or --none".into(),
                ));
            }
            let schedule = if *none {
                None
            } else {
                Some(schedule.build(session)?)
            };
            regimen.set_schedule(medicine.id, schedule)?;
            print_medicine(session, &regimen.medicine(medicine.id)?)?;
        }
        MedCommand::Shift {
            medicine,
            to,
            hours,
        } => {
            let medicine = find(regimen, medicine)?;
            regimen.shift_gradually(medicine.id, to.clone(), *hours)?;
            print_medicine(session, &regimen.medicine(medicine.id)?)?;
        }
        MedCommand::Import { file, name } => {
            let json_text = crate::files::read_text(file, regimen_core::pgx::import::MAX_BYTES)?;
            let added = regimen.import_fhir(json_text, name.clone())?;
            print_medicine(session, &added)?;
        }
        MedCommand::Export { medicine } => {
            let id = find(regimen, medicine)?.id;
            let dosages: serde_json::Value =
                serde_json::from_str(&regimen.export_fhir_dosages(id)?)
                    .map_err(|_| Failure::Cli("the export is not JSON".into()))?;
            println!(
                "{}",
                serde_json::to_string_pretty(&dosages).unwrap_or_default()
            );
        }
        MedCommand::List { all } => print_medicines(&regimen.medicines(*all)?, json),
        MedCommand::Show { medicine } => print_medicine(session, &find(regimen, medicine)?)?,
        MedCommand::Edit {
            medicine,
            name,
            fields,
        } => {
            let current = find(regimen, medicine)?;
            let mut info = fields.apply_to(current.info);
            if let Some(name) = name {
                info.name = name.clone();
            }
            let edited = regimen.edit_medicine(current.id, info, Some(current.revision))?;
            print_medicine(session, &edited)?;
        }
        MedCommand::Archive { medicine } => {
            let id = find(regimen, medicine)?.id;
            print_medicine(session, &regimen.archive_medicine(id)?)?;
        }
        MedCommand::Restore { medicine } => {
            let id = find(regimen, medicine)?.id;
            print_medicine(session, &regimen.restore_medicine(id)?)?;
        }
    }
    Ok(())
}

/// Finds a medicine by id, or by name (case-insensitive; active medicines first).
pub fn find(regimen: &Regimen, reference: &str) -> Result<Medicine, Failure> {
    if let Ok(id) = reference.trim().parse::<i64>() {
        return Ok(regimen.medicine(id)?);
    }
    let wanted = reference.trim().to_lowercase();
    let all = regimen.medicines(true)?;
    let named: Vec<&Medicine> = all
        .iter()
        .filter(|m| m.info.name.to_lowercase() == wanted)
        .collect();
    let active: Vec<&Medicine> = named.iter().copied().filter(|m| m.is_active()).collect();
    let candidates = if active.is_empty() { named } else { active };
    match candidates.as_slice() {
        [] => Err(Failure::Cli(
            "no medicine has that name (try `regimen med list --all`)".into(),
        )),
        [one] => Ok((*one).clone()),
        many => {
            let ids: Vec<String> = many.iter().map(|m| m.id.to_string()).collect();
            Err(Failure::Cli(format!(
                "{} medicines have that name; use the id ({})",
                many.len(),
                ids.join(", ")
            )))
        }
    }
}
