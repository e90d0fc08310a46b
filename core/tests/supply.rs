//! Supply: stock from the supply log and the dose log, and the instant a medicine runs out, at
//! named instants for every shape of schedule. Each expected instant is worked out by hand in
//! the comment above it.

mod common;

use common::{answer, at, daily_schedule, named, store};
use regimen_core::Records;
use regimen_core::dose::DoseAction;
use regimen_core::medicine::MedicineInfo;
use regimen_core::schedule::{
    AsNeeded, Bounds, Cycle, Phase, Quantity, Schedule, Timing, TimingRepeat, UnitOfTime,
    ZonePolicy,
};
use regimen_core::supply::{
    ForecastBasis, NewPrescription, NewSupplyEvent, PrescriptionWarning, SupplyKind, SupplySettings,
};

fn tablets(n: f64) -> Option<Quantity> {
    Some(Quantity {
        value: n,
        unit: "tablet".into(),
    })
}

/// A medicine with `schedule` from `start`, its stock tracked in tablets, `received` tablets
/// in at `start`.
fn tracked(store: &Records, schedule: &Schedule, start: &str, received: f64) -> i64 {
    let id = store
        .add_medicine(&named("Medicine"), at(start))
        .unwrap()
        .id;
    store
        .set_schedule(id, Some(schedule), at(start), at(start))
        .unwrap();
    store
        .set_supply_settings(
            id,
            &SupplySettings {
                unit: "tablet".into(),
                pack_size: None,
                lead_days: 7,
            },
            at(start),
        )
        .unwrap();
    store
        .log_supply(
            &NewSupplyEvent {
                medicine_id: id,
                kind: SupplyKind::Received,
                amount: received,
                at: at(start),
                source: None,
                note: None,
            },
            at(start),
        )
        .unwrap();
    id
}

fn with_dose(mut schedule: Schedule, dose: Option<Quantity>) -> Schedule {
    for phase in &mut schedule.phases {
        phase.dose = dose.clone();
    }
    schedule
}

fn run_out(store: &Records, id: i64, now: &str) -> Option<String> {
    let forecast = store.forecast(id, at(now)).unwrap();
    assert_eq!(forecast.basis, ForecastBasis::Schedule);
    assert!(!forecast.estimate);
    forecast.run_out_at.map(|t| t.to_string())
}

#[test]
fn fixed_times_run_out_at_the_first_dose_the_stock_cannot_cover() {
    let (store, _dir) = store();
    let schedule = with_dose(
        daily_schedule("2026-03-01T00:00", "UTC", &["08:00", "20:00"]),
        tablets(1.0),
    );
    let id = tracked(&store, &schedule, "2026-03-01T07:00:00Z", 30.0);
    // 30 tablets, two a day from 1 March 08:00: the 30th dose is 15 March 20:00, the first
    // uncovered one 16 March 08:00.
    assert_eq!(
        run_out(&store, id, "2026-03-01T07:00:00Z").as_deref(),
        Some("2026-03-16T08:00:00Z")
    );
    // Taking the first two doses and skipping the third changes nothing (they were planned);
    // the refill reminder starts seven days before.
    for (due, action) in [
        ("2026-03-01T08:00:00Z", DoseAction::Taken),
        ("2026-03-01T20:00:00Z", DoseAction::Taken),
        ("2026-03-02T08:00:00Z", DoseAction::Skipped),
    ] {
        store
            .log_dose(&answer(id, action, due, due), at(due))
            .unwrap();
    }
    let forecast = store.forecast(id, at("2026-03-02T09:00:00Z")).unwrap();
    assert_eq!(forecast.stock.on_hand, 28.0);
    assert_eq!(forecast.stock.doses_drawn, 2);
    assert_eq!(forecast.stock.doses_assumed_one, 0);
    // The skipped dose keeps its tablet: one dose later than before.
    assert_eq!(
        forecast.run_out_at.map(|t| t.to_string()).as_deref(),
        Some("2026-03-16T20:00:00Z")
    );
    assert_eq!(
        forecast.refill_from.map(|t| t.to_string()).as_deref(),
        Some("2026-03-09T20:00:00Z")
    );
}

#[test]
fn a_count_corrects_the_forecast_and_a_corrected_dose_corrects_the_stock() {
    let (store, _dir) = store();
    let schedule = with_dose(
        daily_schedule("2026-03-01T00:00", "UTC", &["08:00"]),
        tablets(2.0),
    );
    let id = tracked(&store, &schedule, "2026-03-01T07:00:00Z", 40.0);
    let taken = store
        .log_dose(
            &answer(
                id,
                DoseAction::Taken,
                "2026-03-01T08:00:00Z",
                "2026-03-01T08:05:00Z",
            ),
            at("2026-03-01T08:05:00Z"),
        )
        .unwrap();
    assert_eq!(
        store.stock(id, at("2026-03-01T09:00:00Z")).unwrap().on_hand,
        38.0
    );
    // It was logged by mistake: the correction gives the tablets back.
    let mut correction = answer(
        id,
        DoseAction::Skipped,
        "2026-03-01T08:00:00Z",
        "2026-03-01T09:00:00Z",
    );
    correction.corrects = Some(taken.event.id);
    store
        .log_dose(&correction, at("2026-03-01T09:00:00Z"))
        .unwrap();
    assert_eq!(
        store.stock(id, at("2026-03-01T09:30:00Z")).unwrap().on_hand,
        40.0
    );
    // 40 tablets at two a day from 2 March: 20 days, to 21 March; out on 22 March.
    assert_eq!(
        run_out(&store, id, "2026-03-01T09:30:00Z").as_deref(),
        Some("2026-03-22T08:00:00Z")
    );
    // The patient counts 10 left on 5 March at noon (some fell down the sink): five more
    // doses, 6 to 10 March; out on 11 March.
    store
        .log_supply(
            &NewSupplyEvent {
                medicine_id: id,
                kind: SupplyKind::Counted,
                amount: 10.0,
                at: at("2026-03-05T12:00:00Z"),
                source: None,
                note: None,
            },
            at("2026-03-05T12:00:00Z"),
        )
        .unwrap();
    let forecast = store.forecast(id, at("2026-03-05T12:00:00Z")).unwrap();
    assert_eq!(forecast.stock.on_hand, 10.0);
    assert_eq!(
        forecast.stock.counted_from,
        Some(at("2026-03-05T12:00:00Z"))
    );
    assert_eq!(
        forecast.run_out_at.map(|t| t.to_string()).as_deref(),
        Some("2026-03-11T08:00:00Z")
    );
}

#[test]
fn every_eight_hours_runs_out_after_its_tenth_dose() {
    let (store, _dir) = store();
    let schedule = Schedule {
        start: "2026-03-01T06:00".parse().unwrap(),
        zone: "UTC".into(),
        policy: ZonePolicy::Elapsed,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(1),
                    period: Some(8.0),
                    period_unit: Some(UnitOfTime::H),
                    ..TimingRepeat::default()
                }),
                ..Timing::default()
            },
            dose: tablets(1.0),
            ..Phase::default()
        }],
        as_needed: None,
        shift: None,
    };
    let id = tracked(&store, &schedule, "2026-03-01T05:00:00Z", 10.0);
    // 06:00, 14:00, 22:00 for three days is nine doses; the tenth is 4 March 06:00; the
    // eleventh, 4 March 14:00, is not covered.
    assert_eq!(
        run_out(&store, id, "2026-03-01T05:00:00Z").as_deref(),
        Some("2026-03-04T14:00:00Z")
    );
}

#[test]
fn a_taper_runs_out_by_its_steps() {
    let (store, _dir) = store();
    let step = |amount: f64, days: Option<f64>| Phase {
        timing: Timing {
            repeat: Some(TimingRepeat {
                frequency: Some(1),
                period: Some(1.0),
                period_unit: Some(UnitOfTime::D),
                time_of_day: vec!["08:00".parse().unwrap()],
                bounds: days.map(|value| Bounds::Duration {
                    value,
                    unit: UnitOfTime::D,
                }),
                ..TimingRepeat::default()
            }),
            ..Timing::default()
        },
        dose: tablets(amount),
        ..Phase::default()
    };
    let schedule = Schedule {
        start: "2026-03-02T00:00".parse().unwrap(),
        zone: "UTC".into(),
        policy: ZonePolicy::Local,
        phases: vec![step(8.0, Some(3.0)), step(4.0, Some(3.0)), step(1.0, None)],
        as_needed: None,
        shift: None,
    };
    let id = tracked(&store, &schedule, "2026-03-01T12:00:00Z", 40.0);
    // 8 a day on 2-4 March (24, 16 left), 4 a day on 5-7 March (12, 4 left), then one a day
    // on 8-11 March; 12 March is not covered.
    assert_eq!(
        run_out(&store, id, "2026-03-01T12:00:00Z").as_deref(),
        Some("2026-03-12T08:00:00Z")
    );
    // With only 20 tablets the first step is the one cut short: 8 on 2 and 3 March leaves 4,
    // not enough for 8 on 4 March.
    let (store, _dir) = common::store();
    let id = tracked(&store, &schedule, "2026-03-01T12:00:00Z", 20.0);
    assert_eq!(
        run_out(&store, id, "2026-03-01T12:00:00Z").as_deref(),
        Some("2026-03-04T08:00:00Z")
    );
}

#[test]
fn a_21_7_cycle_skips_its_week_off() {
    let (store, _dir) = store();
    let mut schedule = with_dose(
        daily_schedule("2026-03-01T00:00", "UTC", &["08:00"]),
        tablets(1.0),
    );
    schedule.phases[0].cycle = Some(Cycle {
        days_on: 21,
        days_off: 7,
    });
    let id = tracked(&store, &schedule, "2026-03-01T06:00:00Z", 28.0);
    // One a day on 1-21 March, none on 22-28 March, then 29 March to 4 April: 28 tablets.
    // 5 April is not covered.
    assert_eq!(
        run_out(&store, id, "2026-03-01T06:00:00Z").as_deref(),
        Some("2026-04-05T08:00:00Z")
    );
}

#[test]
fn a_home_time_schedule_runs_out_across_europes_summer_time_change() {
    let (store, _dir) = store();
    store
        .record_device_zone("America/New_York", at("2026-03-01T00:00:00Z"))
        .unwrap();
    let mut schedule = with_dose(
        daily_schedule("2026-03-25T00:00", "Europe/Berlin", &["08:00"]),
        tablets(1.0),
    );
    schedule.policy = ZonePolicy::Home;
    let id = tracked(&store, &schedule, "2026-03-24T12:00:00Z", 10.0);
    // 08:00 in Berlin on 25 March to 3 April: ten doses. Berlin moves to summer time on 29
    // March, so 4 April 08:00 is 06:00 UTC (it was 07:00 UTC before), whatever New York's
    // clock says.
    assert_eq!(
        run_out(&store, id, "2026-03-24T12:00:00Z").as_deref(),
        Some("2026-04-04T06:00:00Z")
    );
}

#[test]
fn an_as_needed_medicine_gets_an_estimate_from_recent_use() {
    let (store, _dir) = store();
    let schedule = Schedule {
        start: "2026-03-01T00:00".parse().unwrap(),
        zone: "UTC".into(),
        policy: ZonePolicy::Local,
        phases: Vec::new(),
        as_needed: Some(AsNeeded {
            reason: None,
            min_interval_minutes: None,
            max_per_period: None,
            dose: tablets(2.0),
            ends: None,
        }),
        shift: None,
    };
    let id = tracked(&store, &schedule, "2026-03-01T08:00:00Z", 40.0);
    let early = store.forecast(id, at("2026-03-01T12:00:00Z")).unwrap();
    assert_eq!(early.basis, ForecastBasis::NotEnoughUse);
    assert_eq!(early.run_out_at, None);
    // Two tablets a day at 09:00 for ten days (1 to 10 March): 20 left, two a day.
    for day in 1..=10 {
        let when = format!("2026-03-{day:02}T09:00:00Z");
        let mut dose = answer(id, DoseAction::Taken, &when, &when);
        dose.scheduled_at = None;
        store.log_dose(&dose, at(&when)).unwrap();
    }
    let forecast = store.forecast(id, at("2026-03-11T08:00:00Z")).unwrap();
    assert_eq!(forecast.basis, ForecastBasis::RecentUse);
    assert!(forecast.estimate);
    assert_eq!(forecast.stock.on_hand, 20.0);
    assert_eq!(forecast.daily_use, Some(2.0));
    // 20 tablets at 2 a day: ten days from now.
    assert_eq!(
        forecast.run_out_at.map(|t| t.to_string()).as_deref(),
        Some("2026-03-21T08:00:00Z")
    );
}

#[test]
fn amounts_in_milligrams_draw_tablets_through_the_strength_and_unknown_ones_are_said() {
    let (store, _dir) = store();
    let info = MedicineInfo {
        strength: Some("500 mg".into()),
        ..named("Metformin")
    };
    let schedule = with_dose(
        daily_schedule("2026-03-01T00:00", "UTC", &["08:00"]),
        Some(Quantity {
            value: 1000.0,
            unit: "mg".into(),
        }),
    );
    let id = store
        .add_medicine(&info, at("2026-03-01T00:00:00Z"))
        .unwrap()
        .id;
    store
        .set_schedule(
            id,
            Some(&schedule),
            at("2026-03-01T00:00:00Z"),
            at("2026-03-01T00:00:00Z"),
        )
        .unwrap();
    store
        .set_supply_settings(
            id,
            &SupplySettings {
                unit: "tablets".into(),
                pack_size: Some(60.0),
                lead_days: 7,
            },
            at("2026-03-01T00:00:00Z"),
        )
        .unwrap();
    store
        .log_supply(
            &NewSupplyEvent {
                medicine_id: id,
                kind: SupplyKind::Received,
                amount: 10.0,
                at: at("2026-03-01T00:00:00Z"),
                source: None,
                note: None,
            },
            at("2026-03-01T00:00:00Z"),
        )
        .unwrap();
    // 1000 mg is two 500 mg tablets: 10 tablets cover 1 to 5 March.
    assert_eq!(
        run_out(&store, id, "2026-03-01T01:00:00Z").as_deref(),
        Some("2026-03-06T08:00:00Z")
    );
    // A dose logged as 5 mL of it cannot be put in tablets: not drawn, and said.
    let mut odd = answer(
        id,
        DoseAction::Taken,
        "2026-03-01T08:00:00Z",
        "2026-03-01T08:00:00Z",
    );
    odd.amount = Some(Quantity {
        value: 5.0,
        unit: "mL".into(),
    });
    store.log_dose(&odd, at("2026-03-01T08:00:00Z")).unwrap();
    let stock = store.stock(id, at("2026-03-01T09:00:00Z")).unwrap();
    assert_eq!(stock.doses_unknown, 1);
    assert_eq!(stock.on_hand, 10.0);
}

#[test]
fn a_trip_check_says_what_is_missing_and_a_prescription_that_cannot_be_refilled_is_said() {
    let (store, _dir) = store();
    let schedule = with_dose(
        daily_schedule("2026-03-01T00:00", "UTC", &["08:00", "20:00"]),
        tablets(1.0),
    );
    let id = tracked(&store, &schedule, "2026-03-01T07:00:00Z", 10.0);
    // Until 15 March: 28 doses (1-14 March), 10 on hand, 18 short.
    let needs = store
        .supply_check(at("2026-03-15T00:00:00Z"), at("2026-03-01T07:00:00Z"))
        .unwrap();
    assert_eq!(needs.len(), 1);
    assert_eq!(needs[0].needed, 28.0);
    assert_eq!(needs[0].on_hand, 10.0);
    assert_eq!(needs[0].shortfall, 18.0);
    assert!(!needs[0].estimate);

    store
        .add_prescription(
            &NewPrescription {
                medicine_id: id,
                repeats_allowed: Some(2),
                repeats_used: 2,
                ..NewPrescription::default()
            },
            at("2026-03-01T07:00:00Z"),
        )
        .unwrap();
    let forecast = store.forecast(id, at("2026-03-01T07:00:00Z")).unwrap();
    assert_eq!(
        forecast.prescription_warning,
        Some(PrescriptionWarning::NoRepeatsLeft)
    );
    store
        .add_prescription(
            &NewPrescription {
                medicine_id: id,
                repeats_allowed: Some(5),
                valid_until: Some(at("2026-03-04T00:00:00Z")),
                ..NewPrescription::default()
            },
            at("2026-03-01T07:05:00Z"),
        )
        .unwrap();
    // The newest prescription counts: it stops on 4 March, before the run-out on 6 March.
    let forecast = store.forecast(id, at("2026-03-01T07:10:00Z")).unwrap();
    assert_eq!(
        forecast.prescription_warning,
        Some(PrescriptionWarning::ExpiresBeforeRunOut {
            at: at("2026-03-04T00:00:00Z")
        })
    );
}

#[test]
fn bad_supply_input_is_refused_and_stores_nothing() {
    let (store, _dir) = store();
    let id = store
        .add_medicine(&named("A"), at("2026-03-01T00:00:00Z"))
        .unwrap()
        .id;
    let event = NewSupplyEvent {
        medicine_id: id,
        kind: SupplyKind::Received,
        amount: 10.0,
        at: at("2026-03-01T00:00:00Z"),
        source: None,
        note: None,
    };
    // Not tracked yet.
    assert!(
        store
            .log_supply(&event, at("2026-03-01T00:00:00Z"))
            .is_err()
    );
    let settings = SupplySettings {
        unit: "tablet".into(),
        pack_size: None,
        lead_days: 7,
    };
    store
        .set_supply_settings(id, &settings, at("2026-03-01T00:00:00Z"))
        .unwrap();
    for bad in [
        NewSupplyEvent {
            amount: 0.0,
            ..event.clone()
        },
        NewSupplyEvent {
            amount: -3.0,
            ..event.clone()
        },
        NewSupplyEvent {
            amount: f64::NAN,
            ..event.clone()
        },
        NewSupplyEvent {
            amount: 1e9,
            ..event.clone()
        },
        NewSupplyEvent {
            at: at("2026-04-01T00:00:00Z"),
            ..event.clone()
        },
    ] {
        assert!(store.log_supply(&bad, at("2026-03-01T00:00:00Z")).is_err());
    }
    for bad in [
        SupplySettings {
            unit: " ".into(),
            ..settings.clone()
        },
        SupplySettings {
            lead_days: 400,
            ..settings.clone()
        },
        SupplySettings {
            pack_size: Some(0.0),
            ..settings.clone()
        },
    ] {
        assert!(
            store
                .set_supply_settings(id, &bad, at("2026-03-01T00:00:00Z"))
                .is_err()
        );
    }
    assert!(store.supply_events(id).unwrap().is_empty());
    // The unit cannot change under a log already counted in it.
    store
        .log_supply(&event, at("2026-03-01T00:00:00Z"))
        .unwrap();
    let ml = SupplySettings {
        unit: "mL".into(),
        ..settings
    };
    assert!(
        store
            .set_supply_settings(id, &ml, at("2026-03-01T00:00:00Z"))
            .is_err()
    );
    assert_eq!(store.supply_settings(id).unwrap().unwrap().unit, "tablet");
}

#[test]
fn refill_reminders_come_at_a_waking_hour_a_week_ahead_until_answered() {
    let (store, _dir) = store();
    let schedule = with_dose(
        daily_schedule("2026-03-01T00:00", "UTC", &["08:00", "20:00"]),
        tablets(1.0),
    );
    // 14 tablets each on the evening of 8 March, two a day from 9 March: both run out on 16
    // March 08:00 (a dose not logged as taken draws nothing, so nothing is logged here).
    let a = tracked(&store, &schedule, "2026-03-08T23:00:00Z", 14.0);
    let b = tracked(&store, &schedule, "2026-03-08T23:00:00Z", 14.0);
    // Reminders from 9 March 08:00, at the first waking moment after it (lunch, 12:30;
    // breakfast at 07:30 has passed), then each day at breakfast.
    let refills = |now: &str| -> Vec<(String, Vec<i64>, String)> {
        store
            .plan_notifications(at(now), std::time::Duration::from_secs(2 * 86_400), 64)
            .unwrap()
            .notifications
            .into_iter()
            .filter(|n| n.kind == regimen_core::reminder::NotificationKind::Refill)
            .map(|n| (n.fire_at.to_string(), n.medicine_ids, n.body))
            .collect()
    };
    assert!(
        refills("2026-03-08T22:00:00Z").is_empty(),
        "no stock recorded yet"
    );
    assert_eq!(
        refills("2026-03-09T00:00:00Z"),
        [
            (
                "2026-03-09T12:30:00Z".to_owned(),
                vec![a, b],
                "2 medicines are running low".to_owned()
            ),
            (
                "2026-03-10T07:30:00Z".to_owned(),
                vec![a, b],
                "2 medicines are running low".to_owned()
            ),
        ]
    );
    // "Later" quiets the rest of the day; "requested" quiets a until stock comes in.
    store
        .answer_refill(
            b,
            regimen_core::supply::RefillAnswer::Snoozed,
            at("2026-03-09T13:00:00Z"),
        )
        .unwrap();
    store
        .answer_refill(
            a,
            regimen_core::supply::RefillAnswer::Requested,
            at("2026-03-09T13:00:00Z"),
        )
        .unwrap();
    assert_eq!(
        refills("2026-03-09T13:05:00Z"),
        [
            (
                "2026-03-10T07:30:00Z".to_owned(),
                vec![b],
                "A medicine is running low".to_owned()
            ),
            (
                "2026-03-11T07:30:00Z".to_owned(),
                vec![b],
                "A medicine is running low".to_owned()
            ),
        ]
    );
    // a's refill arrives: 60 more tablets, no reminder within the two days.
    store
        .log_supply(
            &NewSupplyEvent {
                medicine_id: a,
                kind: SupplyKind::Received,
                amount: 60.0,
                at: at("2026-03-11T10:00:00Z"),
                source: None,
                note: None,
            },
            at("2026-03-11T10:00:00Z"),
        )
        .unwrap();
    let later = refills("2026-03-11T10:05:00Z");
    assert!(later.iter().all(|(_, ids, _)| ids == &vec![b]), "{later:?}");
}

#[test]
fn a_pharmacy_that_delivers_brings_the_refill_reminder_forward_by_its_delivery_days() {
    use regimen_core::supply::{Fulfilment, Pharmacy};
    let (store, _dir) = store();
    // Ten tablets, one a day at 08:00 UTC from 1 March: the doses of 1 to 10 March are
    // covered, so it runs out at the dose of 11 March 08:00, and with a week's lead time the
    // reminders start on 4 March 08:00.
    let schedule = with_dose(
        daily_schedule("2026-03-01T00:00", "UTC", &["08:00"]),
        tablets(1.0),
    );
    let id = tracked(&store, &schedule, "2026-03-01T00:00:00Z", 10.0);
    let refill_from = |store: &Records| {
        store
            .forecast(id, at("2026-03-01T01:00:00Z"))
            .unwrap()
            .refill_from
            .map(|t| t.to_string())
    };
    assert_eq!(refill_from(&store).as_deref(), Some("2026-03-04T08:00:00Z"));
    let pharmacy = |fulfilment| Pharmacy {
        base_url: "https://pharmacy.example/fhir".into(),
        name: None,
        patient: None,
        delivery_days: Some(3),
        fulfilment,
    };
    // Picked up: the delivery time does not apply.
    store
        .set_pharmacy(&pharmacy(Fulfilment::Pickup), at("2026-03-01T00:30:00Z"))
        .unwrap();
    assert_eq!(refill_from(&store).as_deref(), Some("2026-03-04T08:00:00Z"));
    // Delivered in three days: ten days before the run-out.
    store
        .set_pharmacy(&pharmacy(Fulfilment::Delivery), at("2026-03-01T00:40:00Z"))
        .unwrap();
    assert_eq!(refill_from(&store).as_deref(), Some("2026-03-01T08:00:00Z"));
}

#[test]
fn after_one_medicines_stock_changes_the_next_plan_sees_it_and_keeps_the_others() {
    use regimen_core::reminder::NotificationKind;
    let (store, _dir) = store();
    let schedule = with_dose(
        daily_schedule("2026-03-01T00:00", "UTC", &["08:00"]),
        tablets(1.0),
    );
    let a = tracked(&store, &schedule, "2026-03-01T00:00:00Z", 3.0);
    let b = tracked(&store, &schedule, "2026-03-01T00:00:00Z", 40.0);
    let low = |now: &str| -> Vec<Vec<i64>> {
        let mut lists: Vec<Vec<i64>> = store
            .plan_notifications(at(now), std::time::Duration::from_secs(2 * 86_400), 64)
            .unwrap()
            .notifications
            .into_iter()
            .filter(|n| n.kind == NotificationKind::Refill)
            .map(|n| n.medicine_ids)
            .collect();
        lists.dedup();
        lists
    };
    // Three tablets of A run out within the week; forty of B do not.
    assert_eq!(low("2026-03-01T06:00:00Z"), [vec![a]]);
    // B is counted at two: from the next plan on, both run low.
    let count = |id: i64, amount: f64, kind: SupplyKind, when: &str| {
        store
            .log_supply(
                &NewSupplyEvent {
                    medicine_id: id,
                    kind,
                    amount,
                    at: at(when),
                    source: None,
                    note: None,
                },
                at(when),
            )
            .unwrap();
    };
    count(b, 2.0, SupplyKind::Counted, "2026-03-01T06:10:00Z");
    assert_eq!(low("2026-03-01T06:11:00Z"), [vec![a, b]]);
    // A hundred tablets of A come in: only B is left.
    count(a, 100.0, SupplyKind::Received, "2026-03-01T06:20:00Z");
    assert_eq!(low("2026-03-01T06:21:00Z"), [vec![b]]);
    // B's 08:00 dose skipped and later ones taken change nothing for A.
    store
        .log_dose(
            &answer(
                b,
                DoseAction::Skipped,
                "2026-03-01T08:00:00Z",
                "2026-03-01T08:05:00Z",
            ),
            at("2026-03-01T08:05:00Z"),
        )
        .unwrap();
    assert_eq!(low("2026-03-01T08:06:00Z"), [vec![b]]);
}
