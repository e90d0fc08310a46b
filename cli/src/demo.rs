//! `regimen demo`: a realistic sample patient, then the day as they would see it.
//! An empty database is filled once; a database that already has medicines is only shown.

use std::path::Path;
use std::time::SystemTime;

use chrono::Local;
use regimen_ffi::{
    DoseAction, DoseEvent, DoseForm, Medicine, MedicineInfo, NewDoseEvent, Regimen, Route,
    Timestamp,
};
use serde_json::json;

use crate::output::{event_line, medicine_title, short_title, tally};
use crate::when::{local_day_at, today};
use crate::{Failure, Outcome};

/// One sample medicine and the local clock times its doses are taken.
struct Sample {
    name: &'static str,
    strength: &'static str,
    form: DoseForm,
    rxnorm: &'static str,
    atc: &'static str,
    instructions: &'static str,
    times: &'static [(u32, u32)],
}

const SAMPLES: &[Sample] = &[
    Sample {
        name: "Levothyroxine",
        strength: "75 mcg",
        form: DoseForm::Tablet,
        rxnorm: "10582",
        atc: "H03AA01",
        instructions: "On an empty stomach, 30 minutes before breakfast",
        times: &[(6, 30)],
    },
    Sample {
        name: "Metformin",
        strength: "500 mg",
        form: DoseForm::Tablet,
        rxnorm: "6809",
        atc: "A10BA02",
        instructions: "With breakfast and with dinner",
        times: &[(8, 0), (19, 0)],
    },
    Sample {
        name: "Lisinopril",
        strength: "10 mg",
        form: DoseForm::Tablet,
        rxnorm: "29046",
        atc: "C09AA03",
        instructions: "Once a day in the morning",
        times: &[(8, 0)],
    },
    Sample {
        name: "Clopidogrel",
        strength: "75 mg",
        form: DoseForm::Tablet,
        rxnorm: "32968",
        atc: "B01AC04",
        instructions: "Once a day; do not stop without asking your cardiologist",
        times: &[(8, 0)],
    },
    Sample {
        name: "Atorvastatin",
        strength: "20 mg",
        form: DoseForm::Tablet,
        rxnorm: "83367",
        atc: "C10AA05",
        instructions: "In the evening",
        times: &[(21, 0)],
    },
    Sample {
        name: "Ibuprofen",
        strength: "200 mg",
        form: DoseForm::Tablet,
        rxnorm: "5640",
        atc: "M01AE01",
        instructions: "Only when needed for pain, with food; at most 3 tablets a day",
        times: &[],
    },
];

pub fn run(db: &Path, json: bool) -> Outcome {
    let regimen = crate::open(db)?;
    let created = regimen.medicines(true)?.is_empty();
    if created {
        seed(&regimen)?;
    }
    show_today(&regimen, db, created, json)
}

/// Adds the sample medicines, a finished antibiotic course, and yesterday's and today's doses
/// up to now.
fn seed(regimen: &Regimen) -> Outcome {
    let now =
        Timestamp::from_system_time(SystemTime::now()).map_err(|e| Failure::Cli(e.to_string()))?;
    for (index, sample) in SAMPLES.iter().enumerate() {
        let medicine = regimen.add_medicine(MedicineInfo {
            name: sample.name.into(),
            strength: Some(sample.strength.into()),
            form: Some(sample.form),
            route: Some(Route::Oral),
            rxnorm: Some(sample.rxnorm.into()),
            atc: Some(sample.atc.into()),
            instructions: Some(sample.instructions.into()),
            notes: None,
        })?;
        for day in [-1, 0] {
            for &(hour, minute) in sample.times {
                let Some(due) = local_day_at(day, hour, minute) else {
                    continue;
                };
                // Doses are taken a few minutes late, differently per medicine.
                let taken = due.plus(std::time::Duration::from_secs(60 * (2 + 3 * index as u64)));
                if taken > now {
                    continue;
                }
                let skipped = day == -1 && sample.name == "Atorvastatin";
                regimen.log_dose(NewDoseEvent {
                    medicine_id: medicine.id,
                    action: if skipped {
                        DoseAction::Skipped
                    } else {
                        DoseAction::Taken
                    },
                    actual_at: taken,
                    scheduled_at: Some(due),
                    snooze_until: None,
                    note: skipped.then(|| "Pack was empty; refill collected the next day".into()),
                    amount: None,
                    corrects: None,
                })?;
            }
        }
        if sample.times.is_empty()
            && let Some(headache) = local_day_at(-1, 14, 10)
        {
            regimen.log_dose(NewDoseEvent {
                medicine_id: medicine.id,
                action: DoseAction::Taken,
                actual_at: headache,
                scheduled_at: None,
                snooze_until: None,
                note: Some("Headache".into()),
                amount: None,
                corrects: None,
            })?;
        }
    }
    let course = regimen.add_medicine(MedicineInfo {
        name: "Amoxicillin".into(),
        strength: Some("500 mg".into()),
        form: Some(DoseForm::Capsule),
        route: Some(Route::Oral),
        rxnorm: Some("723".into()),
        atc: Some("J01CA04".into()),
        instructions: Some("Three times a day for 7 days".into()),
        notes: Some("Course for a chest infection, finished".into()),
    })?;
    regimen.archive_medicine(course.id)?;
    Ok(())
}

fn show_today(regimen: &Regimen, db: &Path, created: bool, json: bool) -> Outcome {
    let medicines = regimen.medicines(true)?;
    let (start, end) = today();
    let events = regimen.dose_events(start, end, None)?;
    if json {
        let output = json!({
            "database": db.display().to_string(),
            "created": created,
            "medicines": medicines,
            "today": events,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&output).unwrap_or_default()
        );
        return Ok(());
    }
    let active: Vec<&Medicine> = medicines.iter().filter(|m| m.is_active()).collect();
    if created {
        println!("Created a sample patient in {}", db.display());
    } else {
        println!("Showing the patient in {}", db.display());
    }
    println!("{}\n", Local::now().format("%A %-d %B %Y, %H:%M"));
    println!(
        "Medicines ({} active, {} archived)",
        active.len(),
        medicines.len() - active.len()
    );
    for medicine in &active {
        let instructions = medicine.info.instructions.as_deref().unwrap_or("");
        println!("  {:>3}  {}", medicine.id, medicine_title(medicine));
        if !instructions.is_empty() {
            println!("       {instructions}");
        }
    }
    println!("\nToday");
    print_day(&events, &medicines);
    println!("\nTry: regimen med show Metformin · regimen dose log Metformin · regimen dose list");
    Ok(())
}

fn print_day(events: &[DoseEvent], medicines: &[Medicine]) {
    if events.is_empty() {
        println!("  Nothing logged yet today.");
        return;
    }
    for event in events {
        let title = medicines
            .iter()
            .find(|m| m.id == event.medicine_id)
            .map(short_title)
            .unwrap_or_default();
        println!("  {}", event_line(event, &title));
    }
    println!(
        "  {} taken, {} skipped so far today.",
        tally(events, DoseAction::Taken),
        tally(events, DoseAction::Skipped)
    );
}
