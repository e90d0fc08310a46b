//! FHIR R4 Timing and Dosage in and out: round trips, zones, invariants, tapers, PRN rules, and
//! error messages free of health data.

use regimen_core::Error;
use regimen_core::Zone;
use regimen_core::interop::fhir::{
    FhirPrescription, GTS_ABBREVIATION, RXNORM, UCUM, schedule_from_dosage,
    schedule_from_medication_request, schedule_to_dosages, timing_from_fhir, timing_to_fhir,
};
use regimen_core::schedule::{
    AsNeeded, Bounds, Cycle, EventTiming, LocalDateTime, MaxDose, Phase, Quantity, Schedule,
    Timing, TimingCode, TimingRepeat, UnitOfTime, Window, ZonePolicy,
};
use serde_json::{Value, json};

fn berlin() -> Zone {
    Zone::get("Europe/Berlin").unwrap()
}

fn local(text: &str) -> LocalDateTime {
    text.parse().unwrap()
}

/// Checks FHIR -> Timing -> FHIR gives the input back and Timing -> FHIR -> Timing the timing.
fn assert_round_trips(fhir: Value) -> Timing {
    let timing = timing_from_fhir(&fhir, berlin()).expect("valid timing");
    assert_eq!(timing_to_fhir(&timing, berlin()), fhir);
    let again = timing_from_fhir(&timing_to_fhir(&timing, berlin()), berlin()).unwrap();
    assert_eq!(again, timing);
    timing
}

fn daily() -> TimingRepeat {
    TimingRepeat {
        frequency: Some(1),
        period: Some(1.0),
        period_unit: Some(UnitOfTime::D),
        ..TimingRepeat::default()
    }
}

fn refused_field(fhir: Value) -> &'static str {
    match timing_from_fhir(&fhir, berlin()) {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn bid_round_trips_both_ways() {
    let timing = assert_round_trips(json!({
        "code": { "coding": [{ "system": GTS_ABBREVIATION, "code": "BID" }] }
    }));
    assert_eq!(
        timing,
        Timing {
            code: Some(TimingCode::Bid),
            ..Timing::default()
        }
    );
}

#[test]
fn a_code_without_system_or_as_text_is_read_and_a_foreign_code_ignored() {
    let bare = json!({ "code": { "coding": [{ "code": "TID" }] } });
    assert_eq!(
        timing_from_fhir(&bare, berlin()).unwrap().code,
        Some(TimingCode::Tid)
    );
    let text = json!({ "code": { "text": "qid" } });
    assert_eq!(
        timing_from_fhir(&text, berlin()).unwrap().code,
        Some(TimingCode::Qid)
    );
    let foreign = json!({
        "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "229797004" }] },
        "repeat": { "frequency": 1, "period": 1, "periodUnit": "d" }
    });
    let timing = timing_from_fhir(&foreign, berlin()).unwrap();
    assert_eq!((timing.code, timing.repeat), (None, Some(daily())));
}

#[test]
fn q4h_round_trips_as_a_code_and_as_a_repeat() {
    let code = assert_round_trips(json!({
        "code": { "coding": [{ "system": GTS_ABBREVIATION, "code": "Q4H" }] }
    }));
    let repeat = assert_round_trips(json!({
        "repeat": { "frequency": 1, "period": 4, "periodUnit": "h" }
    }));
    assert_eq!(code.effective_repeat(), repeat.effective_repeat());
    assert_eq!(repeat.repeat.unwrap().period_unit, Some(UnitOfTime::H));
}

#[test]
fn every_4_to_6_hours_round_trips_both_ways() {
    let timing = assert_round_trips(json!({
        "repeat": { "frequency": 1, "period": 4, "periodMax": 6, "periodUnit": "h" }
    }));
    let r = timing.repeat.unwrap();
    assert_eq!((r.period, r.period_max), (Some(4.0), Some(6.0)));
}

#[test]
fn one_to_two_times_a_day_round_trips_both_ways() {
    let timing = assert_round_trips(json!({
        "repeat": { "frequency": 1, "frequencyMax": 2, "period": 1, "periodUnit": "d" }
    }));
    assert_eq!(timing.repeat.unwrap().frequency_max, Some(2));
}

#[test]
fn monday_wednesday_friday_at_0800_round_trips_both_ways() {
    let timing = assert_round_trips(json!({
        "repeat": {
            "frequency": 1, "period": 1, "periodUnit": "d",
            "dayOfWeek": ["mon", "wed", "fri"],
            "timeOfDay": ["08:00:00"]
        }
    }));
    let r = timing.repeat.unwrap();
    assert_eq!(r.day_of_week.len(), 3);
    assert_eq!(r.time_of_day, ["08:00".parse().unwrap()]);
}

#[test]
fn a_daily_time_for_10_days_round_trips_both_ways() {
    let timing = assert_round_trips(json!({
        "repeat": {
            "boundsDuration": { "value": 10, "unit": "d", "system": UCUM, "code": "d" },
            "frequency": 1, "period": 1, "periodUnit": "d",
            "timeOfDay": ["21:30:00"]
        }
    }));
    assert_eq!(
        timing.repeat.unwrap().bounds,
        Some(Bounds::Duration {
            value: 10.0,
            unit: UnitOfTime::D
        })
    );
}

#[test]
fn six_doses_in_total_round_trip_both_ways() {
    let timing = assert_round_trips(json!({
        "repeat": { "count": 6, "frequency": 1, "period": 8, "periodUnit": "h" }
    }));
    assert_eq!(timing.repeat.unwrap().count, Some(6));
}

#[test]
fn an_hour_before_breakfast_round_trips_with_its_offset() {
    let timing = assert_round_trips(json!({
        "repeat": { "frequency": 1, "period": 1, "periodUnit": "d", "when": ["ACM"], "offset": 60 }
    }));
    let r = timing.repeat.unwrap();
    assert_eq!((r.when, r.offset), (vec![EventTiming::Acm], Some(60)));
    let early = assert_round_trips(json!({ "repeat": { "when": ["MORN.early", "HS"] } }));
    assert_eq!(
        early.repeat.unwrap().when,
        [EventTiming::MornEarly, EventTiming::Hs]
    );
}

#[test]
fn events_with_offsets_are_read_on_the_zones_wall_clock() {
    let fhir = json!({ "event": [
        "2025-06-01T06:00:00Z",
        "2025-06-01T08:00:00-04:00",
        "2025-12-01T08:00:00+01:00",
        "2025-12-24"
    ]});
    let timing = timing_from_fhir(&fhir, berlin()).unwrap();
    assert_eq!(
        timing.event,
        [
            local("2025-06-01T08:00"),
            local("2025-06-01T14:00"),
            local("2025-12-01T08:00"),
            local("2025-12-24T00:00"),
        ]
    );
    // Export writes Berlin's offset at each time (summer +02:00, winter +01:00).
    assert_eq!(
        timing_to_fhir(&timing, berlin()),
        json!({ "event": [
            "2025-06-01T08:00:00+02:00",
            "2025-06-01T14:00:00+02:00",
            "2025-12-01T08:00:00+01:00",
            "2025-12-24"
        ]})
    );
    let in_new_york = timing_from_fhir(&fhir, Zone::get("America/New_York").unwrap()).unwrap();
    assert_eq!(in_new_york.event[0], local("2025-06-01T02:00"));
}

#[test]
fn an_event_in_the_spring_gap_is_written_at_the_instant_it_fires_and_keeps_its_wall_clock() {
    let timing = Timing {
        event: vec![local("2025-03-30T02:30")],
        ..Timing::default()
    };
    // Berlin has no 02:30 that day; Regimen fires at 01:30 UTC (the offset before the gap,
    // +01:00), so the dateTime is 02:30 at +01:00: that instant, and the wall clock written.
    let fhir = timing_to_fhir(&timing, berlin());
    assert_eq!(fhir, json!({ "event": ["2025-03-30T02:30:00+01:00"] }));
    let instant = chrono::DateTime::parse_from_rfc3339("2025-03-30T02:30:00+01:00").unwrap();
    assert_eq!(instant.to_utc().to_rfc3339(), "2025-03-30T01:30:00+00:00");
    let back = timing_from_fhir(&fhir, berlin()).unwrap();
    assert_eq!(back, timing);
    // The same instant written with CEST's offset (as another system may) reads as 03:30.
    let cest = timing_from_fhir(&json!({ "event": ["2025-03-30T03:30:00+02:00"] }), berlin());
    assert_eq!(cest.unwrap().event, [local("2025-03-30T03:30")]);
}

#[test]
fn a_bounds_period_end_date_covers_its_whole_day_and_round_trips() {
    let timing = assert_round_trips(json!({
        "repeat": {
            "boundsPeriod": { "start": "2025-06-01T09:00:00+02:00", "end": "2025-06-30" },
            "frequency": 1, "period": 1, "periodUnit": "d"
        }
    }));
    assert_eq!(
        timing.repeat.unwrap().bounds,
        Some(Bounds::Period {
            start: Some(local("2025-06-01T09:00")),
            end: Some(local("2025-06-30T23:59:59")),
        })
    );
}

#[test]
fn broken_invariants_are_refused_naming_the_fhir_field() {
    let cases = [
        (json!({ "repeat": { "offset": 30 } }), "repeat.offset"),
        (
            json!({ "repeat": { "when": ["CM"], "offset": 30 } }),
            "repeat.offset",
        ),
        (
            json!({ "repeat": { "when": ["MORN"], "timeOfDay": ["08:00:00"] } }),
            "repeat.timeOfDay",
        ),
        (json!({ "repeat": { "period": 1 } }), "repeat.periodUnit"),
        (
            json!({ "repeat": { "duration": 1 } }),
            "repeat.durationUnit",
        ),
        (
            json!({ "repeat": { "durationMax": 2, "durationUnit": "h" } }),
            "repeat.durationMax",
        ),
        (json!({ "repeat": { "countMax": 8 } }), "repeat.countMax"),
        (
            json!({ "repeat": { "period": -4, "periodUnit": "h" } }),
            "repeat.period",
        ),
        (json!({ "repeat": {} }), "repeat"),
        (json!({}), "timing"),
    ];
    for (fhir, field) in cases {
        assert_eq!(refused_field(fhir.clone()), field, "{fhir}");
    }
}

#[test]
fn wrong_types_and_unknown_codes_are_refused_naming_the_fhir_field() {
    let cases = [
        (
            json!({ "repeat": { "periodUnit": "fortnight" } }),
            "repeat.periodUnit",
        ),
        (
            json!({ "repeat": { "dayOfWeek": ["Monday"] } }),
            "repeat.dayOfWeek",
        ),
        (
            json!({ "repeat": { "dayOfWeek": "mon" } }),
            "repeat.dayOfWeek",
        ),
        (
            json!({ "repeat": { "when": ["BREAKFAST"] } }),
            "repeat.when",
        ),
        (
            json!({ "repeat": { "frequency": "2" } }),
            "repeat.frequency",
        ),
        (json!({ "repeat": { "frequency": -1 } }), "repeat.frequency"),
        (
            json!({ "repeat": { "frequency": 1.5 } }),
            "repeat.frequency",
        ),
        (json!({ "repeat": { "count": 0 } }), "repeat.count"),
        (
            json!({ "repeat": { "timeOfDay": ["8 am"] } }),
            "repeat.timeOfDay",
        ),
        (
            json!({ "repeat": { "boundsRange": { "low": { "value": 1 } } } }),
            "repeat.boundsRange",
        ),
        (
            json!({ "repeat": { "boundsDuration": { "value": 10, "code": "days" } } }),
            "repeat.boundsDuration",
        ),
        (
            json!({ "repeat": { "boundsDuration": { "value": -1, "code": "d" } } }),
            "repeat.boundsDuration",
        ),
        (
            json!({ "code": { "coding": [{ "system": GTS_ABBREVIATION, "code": "Q5H" }] } }),
            "code",
        ),
        (json!({ "event": ["2025-06"] }), "event"),
        (json!({ "event": ["yesterday"] }), "event"),
        (json!({ "repeat": "daily" }), "repeat"),
        (
            json!({ "modifierExtension": [], "repeat": {} }),
            "modifierExtension",
        ),
    ];
    for (fhir, field) in cases {
        assert_eq!(refused_field(fhir.clone()), field, "{fhir}");
    }
}

fn mg(value: f64) -> Value {
    json!({ "value": value, "unit": "mg", "system": UCUM, "code": "mg" })
}

fn taper_request() -> Value {
    json!({
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{ "system": RXNORM, "code": "8640", "display": "prednisone" }],
            "text": "Prednisone 25 mg"
        },
        "dosageInstruction": [
            {
                "sequence": 2,
                "text": "then 12.5 mg daily",
                "timing": { "repeat": { "frequency": 1, "period": 1, "periodUnit": "d" } },
                "doseAndRate": [{ "doseQuantity": mg(12.5) }]
            },
            {
                "sequence": 1,
                "text": "25 mg daily for 4 weeks",
                "timing": { "repeat": {
                    "boundsDuration": { "value": 4, "unit": "wk", "system": UCUM, "code": "wk" },
                    "frequency": 1, "period": 1, "periodUnit": "d"
                }},
                "doseAndRate": [{ "doseQuantity": mg(25.0) }]
            }
        ]
    })
}

#[test]
fn a_two_phase_taper_imports_as_two_phases_in_sequence_order_with_doses() {
    let start = local("2025-06-01T00:00");
    let p = schedule_from_medication_request(&taper_request(), berlin(), start).unwrap();
    assert_eq!(p.medication_name.as_deref(), Some("Prednisone 25 mg"));
    assert_eq!(p.rxnorm.as_deref(), Some("8640"));
    // Both steps' words, in the order they apply (the list gives the later one first).
    assert_eq!(
        p.instructions.as_deref(),
        Some("25 mg daily for 4 weeks; then 12.5 mg daily")
    );
    let s = p.schedule.as_ref().unwrap();
    assert_eq!(
        (s.start, s.zone.as_str(), s.policy),
        (start, "Europe/Berlin", ZonePolicy::Local)
    );
    let doses: Vec<_> = s
        .phases
        .iter()
        .map(|p| p.dose.clone().unwrap().value)
        .collect();
    assert_eq!(doses, [25.0, 12.5]);
    assert_eq!(
        s.phases[0].timing.repeat.as_ref().unwrap().bounds,
        Some(Bounds::Duration {
            value: 4.0,
            unit: UnitOfTime::Wk
        })
    );
    assert_eq!(s.phases[1].dose.as_ref().unwrap().unit, "mg");
    assert!(s.as_needed.is_none());
}

#[test]
fn a_schedule_starts_at_the_first_phases_bounds_period_start() {
    let dosage = json!({
        "timing": { "repeat": {
            "boundsPeriod": { "start": "2025-07-01" },
            "frequency": 2, "period": 1, "periodUnit": "d"
        }}
    });
    let p = schedule_from_dosage(&dosage, berlin(), local("2025-06-01T00:00")).unwrap();
    assert_eq!(
        p.schedule.as_ref().unwrap().start,
        local("2025-07-01T00:00")
    );
    assert_eq!(p.medication_name, None);
}

#[test]
fn prn_with_max_3_tablets_a_day_becomes_as_needed_rules_of_24_hours() {
    let request = json!({
        "resourceType": "MedicationRequest",
        "medicationCodeableConcept": { "text": "Ibuprofen 400 mg" },
        "dosageInstruction": [{
            "patientInstruction": "1 tablet every 4 to 6 hours if needed for pain",
            "asNeededCodeableConcept": { "coding": [{ "display": "pain" }] },
            "timing": { "repeat": { "frequency": 1, "period": 4, "periodMax": 6, "periodUnit": "h" } },
            "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "tablet" } }],
            "maxDosePerPeriod": {
                "numerator": { "value": 3, "unit": "tablet" },
                "denominator": { "value": 1, "unit": "day", "system": UCUM, "code": "d" }
            }
        }]
    });
    let p =
        schedule_from_medication_request(&request, berlin(), local("2025-06-01T00:00")).unwrap();
    assert!(
        p.schedule.as_ref().unwrap().phases.is_empty(),
        "a PRN medicine plans no reminders"
    );
    assert_eq!(
        p.schedule.as_ref().unwrap().as_needed,
        Some(AsNeeded {
            reason: Some("pain".into()),
            min_interval_minutes: Some(240),
            max_per_period: Some(MaxDose {
                amount: Quantity {
                    value: 3.0,
                    unit: "tablet".into()
                },
                period_hours: 24,
            }),
            dose: Some(Quantity {
                value: 1.0,
                unit: "tablet".into()
            }),
            ends: None,
        })
    );
    assert_eq!(
        p.instructions.as_deref(),
        Some("1 tablet every 4 to 6 hours if needed for pain")
    );
}

#[test]
fn a_prn_timing_with_set_times_is_refused() {
    let dosage = json!({
        "asNeededBoolean": true,
        "timing": { "repeat": { "when": ["HS"] } }
    });
    let err = schedule_from_dosage(&dosage, berlin(), local("2025-06-01T00:00")).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "timing",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn dosages_taken_together_and_requests_not_to_take_are_refused() {
    let mut together = taper_request();
    together["dosageInstruction"][0]["sequence"] = json!(1);
    let start = local("2025-06-01T00:00");
    let err = schedule_from_medication_request(&together, berlin(), start).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "sequence",
                ..
            }
        ),
        "{err}"
    );
    let mut do_not = taper_request();
    do_not["doNotPerform"] = json!(true);
    let err = schedule_from_medication_request(&do_not, berlin(), start).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "doNotPerform",
                ..
            }
        ),
        "{err}"
    );
    let err =
        schedule_from_medication_request(&json!({ "resourceType": "Patient" }), berlin(), start)
            .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "resourceType",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn error_messages_never_contain_the_medication_name() {
    const SECRET: &str = "Zyprexa";
    let start = local("2025-06-01T00:00");
    let with = |path: &[&str], value: Value| {
        let mut request = taper_request();
        request["medicationCodeableConcept"]["text"] = json!(SECRET);
        let mut target = &mut request;
        for step in path {
            target = match step.parse::<usize>() {
                Ok(index) => &mut target[index],
                Err(_) => &mut target[*step],
            };
        }
        *target = value;
        request
    };
    let broken = [
        with(&["resourceType"], json!(SECRET)),
        with(
            &["medicationCodeableConcept", "text"],
            json!(SECRET.repeat(100)),
        ),
        with(
            &["medicationCodeableConcept", "coding", "0", "code"],
            json!(SECRET),
        ),
        with(
            &["dosageInstruction", "1", "timing", "repeat", "periodUnit"],
            json!(SECRET),
        ),
        with(
            &["dosageInstruction", "1", "timing", "repeat", "when"],
            json!([SECRET]),
        ),
        with(
            &["dosageInstruction", "1", "timing", "event"],
            json!([SECRET]),
        ),
        with(
            &["dosageInstruction", "1", "timing", "code"],
            json!({ "coding": [{ "system": GTS_ABBREVIATION, "code": SECRET }] }),
        ),
        with(
            &["dosageInstruction", "1", "doseAndRate", "0", "doseQuantity"],
            json!({ "value": 1, "unit": SECRET.repeat(10) }),
        ),
        with(
            &["dosageInstruction", "1", "asNeededCodeableConcept"],
            json!(SECRET),
        ),
        with(
            &["dosageInstruction", "0", "text"],
            json!(format!("{SECRET}\u{7}")),
        ),
    ];
    for request in broken {
        let err = schedule_from_medication_request(&request, berlin(), start).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, Error::InvalidInput { .. }), "{message}");
        assert!(!message.to_lowercase().contains("zyprexa"), "{message}");
    }
}

fn full_schedule() -> Schedule {
    let taper = Phase {
        timing: Timing {
            repeat: Some(TimingRepeat {
                bounds: Some(Bounds::Period {
                    start: Some(local("2025-06-02T00:00")),
                    end: Some(local("2025-06-29T23:59:59")),
                }),
                time_of_day: vec!["08:00".parse().unwrap()],
                ..daily()
            }),
            ..Timing::default()
        },
        dose: Some(Quantity {
            value: 2.5,
            unit: "mg".into(),
        }),
        cycle: Some(Cycle {
            days_on: 21,
            days_off: 7,
        }),
        ..Phase::default()
    };
    let interval = Phase {
        timing: Timing {
            repeat: Some(TimingRepeat {
                frequency: Some(1),
                period: Some(3.0),
                period_unit: Some(UnitOfTime::H),
                count: Some(20),
                ..TimingRepeat::default()
            }),
            ..Timing::default()
        },
        after_last_taken: true,
        ..Phase::default()
    };
    let spread = Phase {
        timing: Timing {
            repeat: Some(TimingRepeat {
                frequency: Some(3),
                period: Some(1.0),
                period_unit: Some(UnitOfTime::D),
                ..TimingRepeat::default()
            }),
            ..Timing::default()
        },
        window: Some(Window {
            start: "08:00".parse().unwrap(),
            end: "22:00".parse().unwrap(),
        }),
        ..Phase::default()
    };
    Schedule {
        start: local("2025-06-02T00:00"),
        zone: "Europe/Berlin".into(),
        policy: ZonePolicy::Local,
        phases: vec![taper, interval, spread],
        as_needed: Some(AsNeeded {
            reason: Some("nausea".into()),
            min_interval_minutes: Some(90),
            max_per_period: Some(MaxDose {
                amount: Quantity {
                    value: 30.0,
                    unit: "mg".into(),
                },
                period_hours: 12,
            }),
            dose: Some(Quantity {
                value: 10.0,
                unit: "mg".into(),
            }),
            ends: None,
        }),
        shift: None,
    }
}

#[test]
fn a_regimen_schedule_survives_fhir_and_back_unchanged() {
    let schedule = full_schedule();
    schedule.validate().unwrap();
    let dosages = schedule_to_dosages(&schedule, berlin());
    assert_eq!(dosages.as_array().unwrap().len(), 4);
    assert_eq!(dosages[0]["sequence"], json!(1));
    assert_eq!(
        dosages[0]["timing"]["repeat"]["boundsPeriod"]["end"],
        json!("2025-06-29")
    );
    assert_eq!(dosages[3]["timing"]["repeat"]["periodUnit"], json!("min"));
    assert_eq!(
        dosages[3]["doseAndRate"][0]["doseQuantity"]["value"],
        json!(10)
    );
    let request = json!({ "resourceType": "MedicationRequest", "dosageInstruction": dosages });
    let back: FhirPrescription =
        schedule_from_medication_request(&request, berlin(), local("2000-01-01T00:00")).unwrap();
    assert_eq!(back.schedule, Some(schedule));
}
