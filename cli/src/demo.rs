//! `regimen demo`: a realistic sample patient, then the day as they would see it.
//! An empty database is filled once; a database that already has medicines is only shown.

use std::path::Path;
use std::time::Duration;

use regimen_ffi::{
    AsNeeded, DoseAction, DoseForm, DoseStatus, LocalDate, LocalDateTime, MaxDose, MedicineInfo,
    NewDoseEvent, NewSupplyEvent, NotificationKind, Phase, Quantity, Schedule, SupplyKind,
    SupplySettings, SupplySource, Timing, TimingRepeat, UnitOfTime, ZonePolicy,
};
use serde_json::json;

use crate::day::print_day;
use crate::output::print_json;
use crate::session::Session;
use crate::{Failure, Outcome};

/// One sample medicine: its details and the local times its doses are due.
struct Sample {
    name: &'static str,
    strength: &'static str,
    form: DoseForm,
    rxnorm: &'static str,
    atc: &'static str,
    instructions: &'static str,
    times: &'static [&'static str],
}

const SAMPLES: &[Sample] = &[
    Sample {
        name: "Levothyroxine",
        strength: "75 mcg",
        form: DoseForm::Tablet,
        rxnorm: "10582",
        atc: "H03AA01",
        instructions: "On an empty stomach, 30 minutes before breakfast",
        times: &["06:30"],
    },
    Sample {
        name: "Calcium carbonate",
        strength: "500 mg",
        form: DoseForm::Tablet,
        rxnorm: "1897",
        atc: "A12AA04",
        instructions: "With breakfast and dinner; keep 4 hours from levothyroxine",
        times: &["08:00", "19:00"],
    },
    Sample {
        name: "Metformin",
        strength: "500 mg",
        form: DoseForm::Tablet,
        rxnorm: "6809",
        atc: "A10BA02",
        instructions: "With breakfast and with dinner",
        times: &["08:00", "19:00"],
    },
    Sample {
        name: "Clopidogrel",
        strength: "75 mg",
        form: DoseForm::Tablet,
        rxnorm: "32968",
        atc: "B01AC04",
        instructions: "Once a day; do not stop without asking your cardiologist",
        times: &["08:00"],
    },
    Sample {
        name: "Atorvastatin",
        strength: "20 mg",
        form: DoseForm::Tablet,
        rxnorm: "83367",
        atc: "C10AA05",
        instructions: "In the evening",
        times: &["21:00"],
    },
];

pub fn run(session: &Session, db: &Path) -> Outcome {
    let created = session.regimen.medicines(true)?.is_empty();
    if created {
        seed(session)?;
    }
    let doses = session.regimen.day(LocalDate(session.today()))?;
    let plan = session
        .regimen
        .plan_notifications(Duration::from_secs(86_400), 64)?;
    if session.json {
        print_json(&json!({
            "database": db.display().to_string(),
            "created": created,
            "medicines": session.regimen.medicines(true)?,
            "today": doses,
            "plan": plan,
        }));
        return Ok(());
    }
    let verb = if created {
        "Created a sample patient in"
    } else {
        "Showing the patient in"
    };
    println!("{verb} {}\n", db.display());
    print_day(session, session.today(), &doses)?;
    let warnings = session.regimen.warnings()?;
    if !warnings.is_empty() {
        let heading = match warnings.len() {
            1 => "Warnings from your medicines and gene results:".to_owned(),
            n => format!(
                "Warnings from your medicines and gene results (the most severe of {n}; all with \
                 `regimen warnings`):"
            ),
        };
        println!("\n{heading}");
        crate::warnings::print_warning(&warnings[0]);
    }
    println!("\nNext reminders on the lock screen (no medicine names, by default):");
    let refills = plan
        .notifications
        .iter()
        .filter(|n| n.kind == NotificationKind::Refill)
        .take(1);
    let doses = plan
        .notifications
        .iter()
        .filter(|n| n.kind != NotificationKind::Refill)
        .take(4);
    let mut shown: Vec<_> = doses.chain(refills).collect();
    shown.sort_by_key(|n| n.fire_at);
    for n in shown {
        println!(
            "  {}  {}",
            session.local(n.fire_at).format("%a %H:%M"),
            n.body
        );
    }
    let medicines = session.regimen.medicines(false)?;
    println!("\nSupply:");
    for forecast in session.regimen.forecasts()? {
        let name = medicines
            .iter()
            .find(|m| m.id == forecast.stock.medicine_id)
            .map_or("?".into(), crate::output::short_title);
        println!(
            "  {name:<24} {}",
            crate::supply::forecast_line(session, &forecast)
        );
    }
    println!(
        "\nTry: regimen today · regimen dose take Metformin · regimen plan · regimen supply show · regimen adherence · regimen warnings · regimen pgx show"
    );
    Ok(())
}

fn daily(times: &[&str]) -> Result<Timing, Failure> {
    Ok(Timing {
        repeat: Some(TimingRepeat {
            frequency: Some(times.len() as u32),
            period: Some(1.0),
            period_unit: Some(UnitOfTime::D),
            time_of_day: times
                .iter()
                .map(|t| {
                    t.parse()
                        .map_err(|_| Failure::Cli("bad sample time".into()))
                })
                .collect::<Result<_, _>>()?,
            ..TimingRepeat::default()
        }),
        ..Timing::default()
    })
}

/// Adds the sample medicines with schedules that started three days ago, a spacing rule, an
/// as-needed painkiller and a finished antibiotic course; answers the doses due so far.
fn seed(session: &Session) -> Outcome {
    let regimen = &session.regimen;
    let start = LocalDateTime(
        (session.today() - chrono::Duration::days(3)).and_time(chrono::NaiveTime::MIN),
    );
    let zone = session.zone.name().to_owned();
    let schedule = |phases: Vec<Phase>, as_needed: Option<AsNeeded>| Schedule {
        start,
        zone: zone.clone(),
        policy: ZonePolicy::Local,
        phases,
        as_needed,
        shift: None,
    };
    let mut ids = Vec::new();
    for sample in SAMPLES {
        let info = MedicineInfo {
            name: sample.name.into(),
            strength: Some(sample.strength.into()),
            form: Some(sample.form),
            route: Some(regimen_ffi::Route::Oral),
            rxnorm: Some(sample.rxnorm.into()),
            atc: Some(sample.atc.into()),
            instructions: Some(sample.instructions.into()),
            ..MedicineInfo::default()
        };
        let phase = Phase {
            timing: daily(sample.times)?,
            dose: Some(Quantity {
                value: 1.0,
                unit: "tablet".into(),
            }),
            ..Phase::default()
        };
        ids.push(
            regimen
                .add_scheduled_medicine(info, Some(schedule(vec![phase], None)))?
                .id,
        );
    }
    regimen.add_spacing_rule(ids[0], ids[1], 240)?;
    let ibuprofen = regimen.add_scheduled_medicine(
        MedicineInfo {
            name: "Ibuprofen".into(),
            strength: Some("200 mg".into()),
            form: Some(DoseForm::Tablet),
            route: Some(regimen_ffi::Route::Oral),
            rxnorm: Some("5640".into()),
            atc: Some("M01AE01".into()),
            instructions: Some("Only when needed for pain, with food".into()),
            ..MedicineInfo::default()
        },
        Some(schedule(
            vec![],
            Some(AsNeeded {
                reason: Some("pain".into()),
                min_interval_minutes: Some(360),
                max_per_period: Some(MaxDose {
                    amount: Quantity {
                        value: 1200.0,
                        unit: "mg".into(),
                    },
                    period_hours: 24,
                }),
                dose: Some(Quantity {
                    value: 1.0,
                    unit: "tablet".into(),
                }),
                ends: None,
            }),
        )),
    )?;
    let course = regimen.add_medicine(MedicineInfo {
        name: "Amoxicillin".into(),
        strength: Some("500 mg".into()),
        form: Some(DoseForm::Capsule),
        route: Some(regimen_ffi::Route::Oral),
        rxnorm: Some("723".into()),
        atc: Some("J01CA04".into()),
        instructions: Some("Three times a day for 7 days".into()),
        notes: Some("Course for a chest infection, finished".into()),
        ..MedicineInfo::default()
    })?;
    regimen.archive_medicine(course.id)?;
    regimen.import_pgx("gene,diplotype\nCYP2C19,*1/*2\nCYP2D6,*1/*4\nSLCO1B1,*1/*1\n".into())?;
    track_supply(session, &ids, start)?;
    answer_past_doses(session, &ids, ibuprofen.id)
}

/// Stock for two medicines: metformin running low (a refill reminder comes), atorvastatin
/// plenty; both received when the schedules started.
fn track_supply(session: &Session, ids: &[i64], start: LocalDateTime) -> Outcome {
    let regimen = &session.regimen;
    let received = session
        .instant_at(start.0.date(), start.0.time())
        .unwrap_or(session.now);
    for (id, amount) in [(ids[2], 12.0), (ids[4], 30.0)] {
        regimen.set_supply_settings(
            id,
            SupplySettings {
                unit: "tablet".into(),
                pack_size: Some(30.0),
                lead_days: 7,
            },
        )?;
        regimen.log_supply(NewSupplyEvent {
            medicine_id: id,
            kind: SupplyKind::Received,
            amount,
            at: received,
            source: Some(SupplySource::Pack),
            note: None,
        })?;
    }
    Ok(())
}

/// Answers every dose due up to 20 minutes ago: taken a few minutes late, one evening statin
/// skipped, one morning dose two days ago forgotten; plus a painkiller yesterday afternoon.
fn answer_past_doses(session: &Session, ids: &[i64], ibuprofen: i64) -> Outcome {
    let regimen = &session.regimen;
    let (from, _) = session.day_bounds(session.today() - chrono::Duration::days(3));
    let until = session.now.minus(Duration::from_secs(20 * 60));
    let mut events = Vec::new();
    for (n, dose) in regimen.doses(from, until)?.iter().enumerate() {
        let Some(due) = dose.due_at else { continue };
        if dose.status != DoseStatus::Missed && dose.status != DoseStatus::Late {
            continue;
        }
        let two_days_ago = session.local(due).date() == session.today() - chrono::Duration::days(2);
        if two_days_ago
            && dose.medicine_id == ids[2]
            && session.local(due).format("%H").to_string() == "08"
        {
            continue; // forgotten
        }
        let statin_yesterday = dose.medicine_id == ids[4]
            && session.local(due).date() == session.today() - chrono::Duration::days(1);
        events.push(NewDoseEvent {
            medicine_id: dose.medicine_id,
            action: if statin_yesterday {
                DoseAction::Skipped
            } else {
                DoseAction::Taken
            },
            actual_at: due.plus(Duration::from_secs(60 * (2 + (n as u64 % 9)))),
            scheduled_at: Some(due),
            snooze_until: None,
            note: statin_yesterday.then(|| "Pack was empty; refill collected the next day".into()),
            amount: None,
            corrects: None,
        });
    }
    let yesterday = session.today() - chrono::Duration::days(1);
    let afternoon =
        chrono::NaiveTime::from_hms_opt(14, 10, 0).and_then(|t| session.instant_at(yesterday, t));
    if let Some(afternoon) = afternoon {
        events.push(NewDoseEvent {
            medicine_id: ibuprofen,
            action: DoseAction::Taken,
            actual_at: afternoon,
            scheduled_at: None,
            snooze_until: None,
            note: Some("Headache".into()),
            amount: Some(Quantity {
                value: 2.0,
                unit: "tablet".into(),
            }),
            corrects: None,
        });
    }
    regimen.log_doses(events)?;
    Ok(())
}
