//! The FHIR Bundle of everything through the public API, as the apps call it: a patient with
//! months of varied history (every kind of schedule, a taper, a schedule in a DST gap, an
//! archived medicine, a stopped and restarted schedule, taken, late, skipped, snoozed and
//! corrected doses, PGx results for three genes with HLA-B, stock with a pharmacy dispense,
//! travel, spacing, changed settings, diary entries with every kind of measurement) is exported, imported into a new database and compared
//! through the read calls (never through the exporter); the new database exports the same
//! Bundle again. Every resource is read by fhir.resources and the Bundle passes HAPI FHIR's R4
//! validator with no error and only the warnings docs/fhir-bundle.md accepts.

use std::sync::Arc;
use std::time::Duration;

use regimen_ffi::parse_measurement;
use regimen_ffi::{
    AsNeeded, ClockTime, Cycle, DayAnchors, DayOfWeek, DoseAction, DoseForm, EventTiming,
    FhirExportOptions, GradualShift, LocalDate, LocalDateTime, MaxDose, MeasurementKind,
    MedicineInfo, NewDiaryEntry, NewDoseEvent, NewPgxResult, NewSupplyEvent, PgxSource, Phase,
    PrivacyLevel, Quantity, Regimen, RegimenConfig, RegimenError, Route, Schedule, SupplyKind,
    SupplySettings, SupplySource, Timestamp, Timing, TimingCode, TimingRepeat, UnitOfTime, Window,
    ZonePolicy,
};
use regimen_tests::{fhir_resources, pharmacy_peer};
use serde_json::{Value, json};

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

fn local(text: &str) -> LocalDateTime {
    text.parse().unwrap()
}

fn time(text: &str) -> ClockTime {
    text.parse().unwrap()
}

fn amount(value: f64, unit: &str) -> Quantity {
    Quantity {
        value,
        unit: unit.into(),
    }
}

fn named(name: &str) -> MedicineInfo {
    MedicineInfo {
        name: name.into(),
        ..MedicineInfo::default()
    }
}

fn repeat(frequency: u32, period: f64, unit: UnitOfTime) -> TimingRepeat {
    TimingRepeat {
        frequency: Some(frequency),
        period: Some(period),
        period_unit: Some(unit),
        ..TimingRepeat::default()
    }
}

fn schedule(start: &str, zone: &str, policy: ZonePolicy, phases: Vec<Phase>) -> Schedule {
    Schedule {
        start: local(start),
        zone: zone.into(),
        policy,
        phases,
        as_needed: None,
        shift: None,
    }
}

fn phase(repeat: TimingRepeat, dose: Option<Quantity>) -> Phase {
    Phase {
        timing: Timing {
            repeat: Some(repeat),
            ..Timing::default()
        },
        dose,
        ..Phase::default()
    }
}

fn daily_at(times: &[&str], dose: Quantity) -> Phase {
    phase(
        TimingRepeat {
            time_of_day: times.iter().map(|t| time(t)).collect(),
            ..repeat(1, 1.0, UnitOfTime::D)
        },
        Some(dose),
    )
}

/// A taper: 40, 20, then 10 mg after breakfast (the patient's anchor), five days each.
fn taper() -> Schedule {
    let step = |mg: f64| {
        phase(
            TimingRepeat {
                bounds: Some(regimen_ffi::Bounds::Duration {
                    value: 5.0,
                    unit: UnitOfTime::D,
                }),
                when: vec![EventTiming::Pcm],
                offset: Some(15),
                ..repeat(1, 1.0, UnitOfTime::D)
            },
            Some(amount(mg, "mg")),
        )
    };
    let mut last = step(10.0);
    last.timing.repeat.as_mut().unwrap().bounds = None;
    schedule(
        "2025-01-20T00:00",
        "Europe/Berlin",
        ZonePolicy::Local,
        vec![step(40.0), step(20.0), last],
    )
}

/// Which medicine is which in [`patient`].
struct Patient {
    regimen: Arc<Regimen>,
    now: Timestamp,
    medicines: Vec<i64>,
}

fn open() -> Arc<Regimen> {
    Regimen::open_in_memory(RegimenConfig::default()).unwrap()
}

/// The patient whose data moves (see the module docs), with its final `now`.
fn patient() -> Patient {
    let regimen = open();
    let set = |t: &str| regimen.set_now(Some(at(t))).unwrap();
    set("2025-01-06T06:00:00Z");
    regimen
        .change_device_zone("Europe/Berlin".into(), Duration::from_secs(86_400))
        .unwrap();
    let mut settings = regimen.settings().unwrap();
    settings.anchors.weekday.breakfast = time("08:00");
    settings.anchors.weekend = Some(DayAnchors {
        wake: time("09:00"),
        breakfast: time("09:30"),
        lunch: time("13:00"),
        dinner: time("19:00"),
        sleep: time("23:30"),
    });
    settings.thresholds.late_after_minutes = 45;
    settings.thresholds.missed_after_minutes = 180;
    settings.reminders.privacy = PrivacyLevel::Full;
    settings.reminders.heads_up_minutes = Some(5);
    regimen.update_settings(settings).unwrap();

    let add = |info: MedicineInfo, schedule: Option<Schedule>| {
        regimen.add_scheduled_medicine(info, schedule).unwrap().id
    };
    let metformin = add(
        MedicineInfo {
            name: "Metformin".into(),
            strength: Some("500 mg".into()),
            form: Some(DoseForm::Tablet),
            route: Some(Route::Oral),
            rxnorm: Some("6809".into()),
            atc: Some("A10BA02".into()),
            instructions: Some("With breakfast and with dinner".into()),
            notes: Some("Started by Dr. Example; upset stomach in the first week".into()),
            drug_id: Some("rx:6809".into()),
        },
        Some(schedule(
            "2025-01-06T08:00",
            "Europe/Berlin",
            ZonePolicy::Local,
            vec![daily_at(&["08:00", "20:00"], amount(1.0, "tablet"))],
        )),
    );
    let prednisolone = add(named("Prednisolone"), Some(taper()));
    let mut prn = schedule(
        "2025-01-06T00:00",
        "Europe/Berlin",
        ZonePolicy::Local,
        vec![],
    );
    prn.as_needed = Some(AsNeeded {
        reason: Some("for pain".into()),
        min_interval_minutes: Some(360),
        max_per_period: Some(MaxDose {
            amount: amount(1200.0, "mg"),
            period_hours: 24,
        }),
        dose: Some(amount(400.0, "mg")),
        ends: Some(local("2025-06-30T23:59:59")),
    });
    let ibuprofen = add(named("Ibuprofen"), Some(prn));
    // Every 8 hours in real time from 02:30 on the night Berlin has no 02:30.
    let antibiotic = phase(
        TimingRepeat {
            count: Some(21),
            ..repeat(1, 8.0, UnitOfTime::H)
        },
        Some(amount(500.0, "mg")),
    );
    let amoxicillin = add(
        named("Amoxicillin"),
        Some(schedule(
            "2025-03-30T02:30",
            "Europe/Berlin",
            ZonePolicy::Elapsed,
            vec![antibiotic],
        )),
    );
    let mut pill = daily_at(&["09:00"], amount(1.0, "tablet"));
    pill.cycle = Some(Cycle {
        days_on: 21,
        days_off: 7,
    });
    let mut home = schedule(
        "2025-01-06T09:00",
        "Europe/Berlin",
        ZonePolicy::Home,
        vec![pill],
    );
    home.shift = Some(GradualShift {
        to_zone: "America/New_York".into(),
        starts: "2025-02-12".parse::<LocalDate>().unwrap(),
        max_hours_per_day: 2,
    });
    let contraceptive = add(named("Desogestrel"), Some(home));
    let methotrexate = add(
        named("Methotrexate"),
        Some(schedule(
            "2025-01-06T10:00",
            "Europe/Berlin",
            ZonePolicy::Local,
            vec![phase(
                TimingRepeat {
                    day_of_week: vec![DayOfWeek::Mon],
                    time_of_day: vec![time("10:00")],
                    ..repeat(1, 1.0, UnitOfTime::Wk)
                },
                Some(amount(15.0, "mg")),
            )],
        )),
    );
    let mut spray = phase(repeat(1, 4.0, UnitOfTime::H), Some(amount(2.0, "puff")));
    spray.after_last_taken = true;
    let salbutamol = add(
        named("Salbutamol"),
        Some(schedule(
            "2025-01-06T07:00",
            "Europe/Berlin",
            ZonePolicy::Local,
            vec![spray],
        )),
    );
    let mut windowed = phase(repeat(1, 3.0, UnitOfTime::H), Some(amount(1.0, "drop")));
    windowed.window = Some(Window {
        start: time("08:00"),
        end: time("22:30"),
    });
    let drops = add(
        named("Eye drops"),
        Some(schedule(
            "2025-01-06T08:00",
            "Europe/Berlin",
            ZonePolicy::Local,
            vec![windowed],
        )),
    );
    let coded = Phase {
        timing: Timing {
            code: Some(TimingCode::Bid),
            ..Timing::default()
        },
        dose: Some(amount(5.0, "mL")),
        ..Phase::default()
    };
    let syrup = add(
        named("Lactulose"),
        Some(schedule(
            "2025-01-06T00:00",
            "Europe/Berlin",
            ZonePolicy::Local,
            vec![coded],
        )),
    );
    let vaccine = add(
        named("Vaccine"),
        Some(schedule(
            "2025-01-10T11:00",
            "Europe/Berlin",
            ZonePolicy::Local,
            vec![Phase {
                timing: Timing {
                    event: vec![local("2025-01-10T11:00"), local("2025-02-07T11:15")],
                    ..Timing::default()
                },
                ..Phase::default()
            }],
        )),
    );
    let levothyroxine = add(
        named("Levothyroxine"),
        Some(schedule(
            "2025-01-06T06:30",
            "Europe/Berlin",
            ZonePolicy::Local,
            vec![daily_at(&["06:30"], amount(50.0, "ug"))],
        )),
    );
    let unscheduled = add(named("Vitamin D"), None);
    regimen
        .add_spacing_rule(levothyroxine, metformin, 240)
        .unwrap();

    // A month later: a new metformin schedule; vitamin D stopped after a while, then again.
    set("2025-02-01T12:00:00Z");
    regimen
        .set_schedule(
            metformin,
            Some(schedule(
                "2025-02-02T08:00",
                "Europe/Berlin",
                ZonePolicy::Local,
                vec![daily_at(&["08:00"], amount(2.0, "tablet"))],
            )),
        )
        .unwrap();
    regimen
        .set_schedule(
            unscheduled,
            Some(schedule(
                "2025-02-01T18:00",
                "Europe/Berlin",
                ZonePolicy::Local,
                vec![daily_at(&["18:00"], amount(1000.0, "IU"))],
            )),
        )
        .unwrap();
    set("2025-02-10T09:00:00Z");
    regimen
        .change_device_zone("America/New_York".into(), Duration::from_secs(86_400))
        .unwrap();
    regimen.set_schedule(unscheduled, None).unwrap();
    set("2025-02-20T15:00:00Z");
    regimen
        .change_device_zone("Europe/Berlin".into(), Duration::from_secs(86_400))
        .unwrap();
    set("2025-03-03T12:00:00Z");
    regimen
        .set_schedule(
            unscheduled,
            Some(schedule(
                "2025-03-03T19:00",
                "Europe/Berlin",
                ZonePolicy::Local,
                vec![daily_at(&["19:00"], amount(1000.0, "IU"))],
            )),
        )
        .unwrap();

    // Stock: a pack, a count, a loss, and a pharmacy's dispense.
    set("2025-01-06T07:00:00Z");
    regimen
        .set_supply_settings(
            metformin,
            SupplySettings {
                unit: "tablet".into(),
                pack_size: Some(60.0),
                lead_days: 7,
            },
        )
        .unwrap();
    let supply = |kind, value, when: &str, source, note: Option<&str>| {
        regimen
            .log_supply(NewSupplyEvent {
                medicine_id: metformin,
                kind,
                amount: value,
                at: at(when),
                source,
                note: note.map(str::to_owned),
            })
            .unwrap();
    };
    supply(
        SupplyKind::Received,
        60.0,
        "2025-01-06T07:00:00Z",
        Some(SupplySource::Pack),
        None,
    );
    set("2025-03-01T10:00:00Z");
    supply(
        SupplyKind::Counted,
        12.5,
        "2025-02-01T10:00:00Z",
        None,
        None,
    );
    supply(
        SupplyKind::Lost,
        2.0,
        "2025-02-11T10:00:00Z",
        None,
        Some("Dropped two"),
    );
    let dispense = json!({
        "resourceType": "MedicationDispense", "id": "d-77", "status": "completed",
        "medicationCodeableConcept": { "coding": [{
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6809" }] },
        "quantity": { "value": 60, "unit": "tablet" },
        "whenHandedOver": "2025-02-28T16:20:00+01:00"
    });
    regimen.import_dispense(dispense.to_string()).unwrap();

    // PGx: a lab's report of three genes (HLA-B among them), a later CYP2D6 result with
    // another possible diplotype, and one recorded without its gene.
    set("2025-01-15T10:00:00Z");
    let report = json!({ "test_date": "2024-11-02", "lab": "Example Genomics Lab", "results": [
        { "gene": "CYP2D6", "diplotype": "*1/*4" },
        { "gene": "CYP2C19", "diplotype": "*1/*17" },
        { "gene": "HLA-B", "diplotype": "*57:01", "status": "positive" }
    ]});
    regimen.import_pgx(report.to_string()).unwrap();
    set("2025-03-10T10:00:00Z");
    regimen
        .add_pgx_result(NewPgxResult {
            gene: "CYP2D6".into(),
            diplotype: "*1/*41".into(),
            source: PgxSource::Manual,
            test_date: Some("2025-03-01".parse().unwrap()),
            lab: None,
            other_diplotypes: vec!["*2/*41".into()],
        })
        .unwrap();
    regimen
        .add_pgx_result(NewPgxResult {
            gene: String::new(),
            diplotype: "HLA-A*31:01 negative".into(),
            source: PgxSource::Manual,
            test_date: None,
            lab: None,
            other_diplotypes: vec![],
        })
        .unwrap();

    // The dose log up to mid-April: most doses taken on time, some late, skipped with a
    // reason, snoozed first, a few missed; as-needed doses with amounts; corrections.
    let now = at("2025-04-15T12:00:00Z");
    regimen.set_now(Some(now)).unwrap();
    let due = regimen.doses(at("2025-01-06T00:00:00Z"), now).unwrap();
    let mut events = Vec::new();
    for (n, dose) in due.iter().enumerate() {
        let Some(when) = dose.due_at else { continue };
        let event = |action, actual_at, note: Option<&str>, snooze_until| NewDoseEvent {
            medicine_id: dose.medicine_id,
            action,
            actual_at,
            scheduled_at: Some(when),
            snooze_until,
            note: note.map(str::to_owned),
            amount: None,
            corrects: None,
        };
        match n % 13 {
            0 => {}
            1 => events.push(event(
                DoseAction::Skipped,
                when.plus(Duration::from_secs(600)),
                Some("Felt sick"),
                None,
            )),
            2 => {
                events.push(event(
                    DoseAction::Snoozed,
                    when,
                    None,
                    Some(when.plus(Duration::from_secs(900))),
                ));
                events.push(event(
                    DoseAction::Taken,
                    when.plus(Duration::from_millis(960_250)),
                    None,
                    None,
                ));
            }
            3 => events.push(event(
                DoseAction::Taken,
                when.plus(Duration::from_secs(3 * 3600)),
                Some("Late: at work"),
                None,
            )),
            _ => events.push(event(
                DoseAction::Taken,
                when.plus(Duration::from_secs(60 * (n as u64 % 20))),
                None,
                None,
            )),
        }
    }
    for day in 0..40u64 {
        let when = at("2025-01-07T13:00:00Z").plus(Duration::from_secs(day * 2 * 86_400));
        events.push(NewDoseEvent {
            medicine_id: ibuprofen,
            action: DoseAction::Taken,
            actual_at: when,
            scheduled_at: None,
            snooze_until: None,
            note: (day % 3 == 0).then(|| "Headache".to_owned()),
            amount: Some(amount(if day % 2 == 0 { 400.0 } else { 200.0 }, "mg")),
            corrects: None,
        });
    }
    let logged = regimen.log_doses(events).unwrap();
    // Two corrections: a dose logged as taken that was skipped, and a skip that was taken.
    let taken = logged
        .iter()
        .find(|e| e.action == DoseAction::Taken && e.scheduled_at.is_some())
        .unwrap();
    let skipped = logged
        .iter()
        .find(|e| e.action == DoseAction::Skipped)
        .unwrap();
    for (wrong, action) in [(taken, DoseAction::Skipped), (skipped, DoseAction::Taken)] {
        regimen
            .log_dose(NewDoseEvent {
                medicine_id: wrong.medicine_id,
                action,
                actual_at: wrong.actual_at,
                scheduled_at: wrong.scheduled_at,
                snooze_until: None,
                note: Some("Corrected".into()),
                amount: None,
                corrects: Some(wrong.id),
            })
            .unwrap();
    }
    regimen.archive_medicine(methotrexate).unwrap();
    // The diary: an entry about a medicine with every kind of measurement, in the units it
    // was taken in, and one in the patient's own words alone.
    let measured = |kind, text: &str| parse_measurement(kind, text.into()).unwrap();
    regimen
        .add_diary_entry(NewDiaryEntry {
            at: at("2025-03-02T07:45:00Z"),
            text: Some("Dizzy \"on standing\", felt better after breakfast".into()),
            medicine_id: Some(metformin),
            severity: Some(3),
            measurements: vec![
                measured(MeasurementKind::BloodPressure, "142/91"),
                measured(MeasurementKind::HeartRate, "88"),
                measured(MeasurementKind::Glucose, "101 mg/dL"),
                measured(MeasurementKind::Weight, "181.5 lb"),
                measured(MeasurementKind::Temperature, "99.1 F"),
            ],
        })
        .unwrap();
    regimen
        .add_diary_entry(NewDiaryEntry {
            at: at("2025-04-01T19:00:00Z"),
            text: None,
            medicine_id: None,
            severity: None,
            measurements: vec![
                measured(MeasurementKind::Glucose, "5.4 mmol/L"),
                measured(MeasurementKind::Weight, "82.3 kg"),
                measured(MeasurementKind::Temperature, "37.2 C"),
            ],
        })
        .unwrap();

    let medicines = vec![
        metformin,
        prednisolone,
        ibuprofen,
        amoxicillin,
        contraceptive,
        methotrexate,
        salbutamol,
        drops,
        syrup,
        vaccine,
        levothyroxine,
        unscheduled,
    ];
    Patient {
        regimen,
        now,
        medicines,
    }
}

/// Everything the patient sees, read through the API: what a round trip must keep.
fn seen(regimen: &Regimen, medicines: &[i64]) -> Vec<String> {
    let mut out = vec![
        format!("{:?}", regimen.medicines(true).unwrap()),
        format!("{:?}", regimen.settings().unwrap()),
        format!("{:?}", regimen.spacing_rules().unwrap()),
        format!("{:?}", regimen.pgx_results(true).unwrap()),
        format!("{:?}", regimen.pgx_results(false).unwrap()),
        format!(
            "{:?}",
            regimen
                .dose_events(Timestamp::MIN, Timestamp::MAX, None)
                .unwrap()
        ),
        format!(
            "{:?}",
            regimen
                .diary_entries(Timestamp::MIN, Timestamp::MAX)
                .unwrap()
        ),
    ];
    for &id in medicines {
        out.push(format!("{:?}", regimen.schedule_versions(id).unwrap()));
        out.push(format!("{:?}", regimen.supply_settings(id).unwrap()));
        out.push(format!("{:?}", regimen.supply_events(id).unwrap()));
        out.push(format!("{:?}", regimen.stock(id)));
    }
    // What the schedules, the zones and the log make of each day: statuses, moves, times.
    let (from, to) = (at("2025-01-06T00:00:00Z"), at("2025-05-01T00:00:00Z"));
    out.push(format!("{:?}", regimen.doses(from, to).unwrap()));
    out.push(format!("{:?}", regimen.adherence(from, to).unwrap()));
    out
}

#[test]
fn everything_exported_comes_back_the_same_in_a_new_database_and_exports_the_same_bundle() {
    let patient = patient();
    let bundle = patient
        .regimen
        .export_fhir_bundle(FhirExportOptions::default())
        .unwrap();

    let copy = open();
    copy.set_now(Some(patient.now)).unwrap();
    let imported = copy.import_fhir_bundle(bundle.clone()).unwrap();
    assert_eq!(imported.medicines, 12);
    assert_eq!(imported.pgx_results, 5);
    assert_eq!(imported.supply_events, 4);
    assert_eq!(imported.diary_entries, 2);
    let before = seen(&patient.regimen, &patient.medicines);
    let after = seen(&copy, &patient.medicines);
    for (index, (was, is)) in before.iter().zip(&after).enumerate() {
        assert_eq!(was, is, "read {index} differs after the round trip");
    }
    // The dose log holds what was logged: corrections, snoozes, back-filled as-needed doses.
    let log = copy
        .dose_events(Timestamp::MIN, Timestamp::MAX, None)
        .unwrap();
    assert_eq!(log.iter().filter(|e| e.corrects.is_some()).count(), 2);
    assert!(log.iter().any(|e| e.action == DoseAction::Snoozed));
    assert!(log.iter().any(|e| e.actual_at.as_millis() % 1000 == 250));

    // The same records, named the same: the new database exports the same Bundle.
    assert_eq!(
        copy.export_fhir_bundle(FhirExportOptions::default())
            .unwrap(),
        bundle
    );

    // A database that holds anything already is not merged into.
    assert!(matches!(
        copy.import_fhir_bundle(bundle),
        Err(RegimenError::Conflict { .. })
    ));
}

#[test]
fn a_period_of_the_log_and_parts_left_out_come_back_as_chosen() {
    let patient = patient();
    let options = FhirExportOptions {
        log_from: Some(at("2025-03-01T00:00:00Z")),
        log_to: Some(at("2025-04-01T00:00:00Z")),
        pgx: false,
        supply: false,
        ..FhirExportOptions::default()
    };
    let bundle = patient.regimen.export_fhir_bundle(options).unwrap();
    let copy = open();
    copy.set_now(Some(patient.now)).unwrap();
    copy.import_fhir_bundle(bundle).unwrap();
    let expected: Vec<_> = patient
        .regimen
        .dose_events(at("2025-03-01T00:00:00Z"), at("2025-04-01T00:00:00Z"), None)
        .unwrap();
    // The corrections of March point at events of March, which came along; ids are kept.
    assert_eq!(
        copy.dose_events(Timestamp::MIN, Timestamp::MAX, None)
            .unwrap(),
        expected
    );
    assert!(copy.pgx_results(true).unwrap().is_empty());
    assert_eq!(copy.supply_settings(patient.medicines[0]).unwrap(), None);
    assert_eq!(
        copy.medicines(true).unwrap(),
        patient.regimen.medicines(true).unwrap()
    );

    // The PGx results alone, read by Regimen's own PGx importer as Genomics Reporting.
    let genomics = patient
        .regimen
        .export_fhir_bundle(FhirExportOptions {
            medicines: false,
            dose_log: false,
            supply: false,
            diary: false,
            ..FhirExportOptions::default()
        })
        .unwrap();
    let lab = open();
    let read = lab.import_pgx(genomics).unwrap();
    assert_eq!(read.format, "FHIR Genomics Reporting");
    // Each result as the lab gave it, with its gene, test date and lab (the other possible
    // diplotypes are Regimen's extension, which only a Regimen import reads).
    let results = |regimen: &Regimen| -> Vec<_> {
        regimen
            .pgx_results(true)
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.reading.gene,
                    r.result.diplotype,
                    r.result.test_date,
                    r.result.lab,
                )
            })
            .collect()
    };
    assert_eq!(results(&lab), results(&patient.regimen));

    let refused = patient.regimen.export_fhir_bundle(FhirExportOptions {
        medicines: false,
        ..FhirExportOptions::default()
    });
    assert!(
        matches!(refused, Err(RegimenError::InvalidInput { ref field, .. }) if field == "dose_log")
    );
}

/// What docs/fhir-bundle.md accepts from HAPI's validator, and why there.
const ACCEPTED_WARNINGS: &[&str] = &[
    // Best practice: a narrative. The Bundle carries data, not documents to show; a
    // narrative would repeat the health data in HTML.
    "dom-6: 'A resource should have narrative",
    // Best practice, for a result whose lab or test date the patient's source did not give.
    "all observations should have an effective[x]",
    "all observations should have a performer",
    // Code systems outside FHIR's core package, which cannot be checked offline.
    "CodeSystem is unknown and can't be validated: http://loinc.org",
    "CodeSystem is unknown and can't be validated: http://www.genenames.org/geneId",
    "CodeSystem is unknown and can't be validated: http://www.nlm.nih.gov/research/umls/rxnorm",
    "CodeSystem is unknown and can't be validated: http://www.whocc.no/atc",
    // The Genomics Reporting profiles, which the offline validator does not hold.
    "Profile reference 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/",
];

#[test]
fn every_resource_parses_in_fhir_resources_and_the_bundle_passes_hapis_validator() {
    let patient = patient();
    let bundle = patient
        .regimen
        .export_fhir_bundle(FhirExportOptions::default())
        .unwrap();
    let json: Value = serde_json::from_str(&bundle).unwrap();
    let entries = json["entry"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> = entries
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "DiagnosticReport",
            "Medication",
            "MedicationAdministration",
            "MedicationDispense",
            "MedicationRequest",
            "MedicationStatement",
            "Observation",
            "Patient"
        ]
    );

    let mut lines = vec![bundle.clone()];
    lines.extend(entries.iter().map(|e| e["resource"].to_string()));
    if let Some(verdicts) = fhir_resources::parse(&lines) {
        assert_eq!(verdicts.len(), lines.len());
        let refused: Vec<&Value> = verdicts.iter().filter(|v| v["ok"] != true).collect();
        assert!(refused.is_empty(), "fhir.resources refused: {refused:?}");
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, &bundle).unwrap();
    if let Some(results) = pharmacy_peer::hapi_validate(&[&file]) {
        let (errors, warnings) = (&results[0].errors, &results[0].warnings);
        assert!(errors.is_empty(), "HAPI: {errors:#?}");
        let unexpected: Vec<&String> = warnings
            .iter()
            .filter(|w| !ACCEPTED_WARNINGS.iter().any(|a| w.contains(a)))
            .collect();
        assert!(
            unexpected.is_empty(),
            "HAPI warnings not accepted: {unexpected:#?}"
        );
        assert!(!warnings.is_empty(), "the warnings are read");
    }
}
