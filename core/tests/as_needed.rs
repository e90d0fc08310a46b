//! As-needed doses: least interval, and most per period summed over one ingredient.

mod common;

use common::{at, store};
use regimen_core::dose::{AsNeededRule, DoseAction, NewDoseEvent};
use regimen_core::medicine::MedicineInfo;
use regimen_core::schedule::{AsNeeded, LocalDateTime, MaxDose, Quantity, Schedule, ZonePolicy};

fn prn(rules: AsNeeded) -> Schedule {
    Schedule {
        start: "2025-01-01".parse::<LocalDateTime>().unwrap(),
        zone: "UTC".into(),
        policy: ZonePolicy::Local,
        phases: vec![],
        as_needed: Some(rules),
        shift: None,
    }
}

fn add(store: &regimen_core::Records, name: &str, rules: AsNeeded) -> i64 {
    let epoch = at("2000-01-01T00:00:00Z");
    let info = MedicineInfo {
        name: name.into(),
        strength: Some("200 mg".into()),
        rxnorm: Some("5640".into()),
        ..MedicineInfo::default()
    };
    let id = store.add_medicine(&info, epoch).unwrap().id;
    store
        .set_schedule(id, Some(&prn(rules)), epoch, epoch)
        .unwrap();
    id
}

fn take(medicine_id: i64, when: &str, tablets: f64) -> NewDoseEvent {
    NewDoseEvent {
        medicine_id,
        action: DoseAction::Taken,
        actual_at: at(when),
        scheduled_at: None,
        snooze_until: None,
        note: None,
        amount: Some(Quantity {
            value: tablets,
            unit: "tablet".into(),
        }),
        corrects: None,
    }
}

#[test]
fn a_dose_before_the_least_interval_is_logged_with_the_earliest_allowed_time() {
    let (store, _dir) = store();
    let ibuprofen = add(
        &store,
        "Ibuprofen",
        AsNeeded {
            min_interval_minutes: Some(240),
            ..AsNeeded::default()
        },
    );
    let first = store
        .log_dose(
            &take(ibuprofen, "2025-06-01T10:00:00Z", 1.0),
            at("2025-06-01T10:00:00Z"),
        )
        .unwrap();
    assert_eq!(first.warning, None);
    let second = store
        .log_dose(
            &take(ibuprofen, "2025-06-01T12:00:00Z", 1.0),
            at("2025-06-01T12:00:00Z"),
        )
        .unwrap();
    let warning = second.warning.expect("too soon");
    assert_eq!(warning.rule, AsNeededRule::TooSoon);
    assert_eq!(warning.earliest_allowed_at, at("2025-06-01T14:00:00Z"));
    assert!(warning.message.contains("4 hours"), "{}", warning.message);
    assert!(!warning.message.contains("Ibuprofen"));
    // Logged all the same.
    let log = store
        .dose_events(at("2025-06-01T00:00:00Z"), at("2025-06-02T00:00:00Z"), None)
        .unwrap();
    assert_eq!(log.len(), 2);
}

#[test]
fn the_daily_maximum_is_summed_over_a_brand_and_its_generic() {
    let (store, _dir) = store();
    let rules = AsNeeded {
        max_per_period: Some(MaxDose {
            amount: Quantity {
                value: 1200.0,
                unit: "mg".into(),
            },
            period_hours: 24,
        }),
        ..AsNeeded::default()
    };
    let brand = add(&store, "Advil", rules.clone());
    let generic = add(&store, "Ibuprofen", rules);
    let now = at("2025-06-01T23:00:00Z");
    for (medicine, when) in [
        (brand, "2025-06-01T08:00:00Z"),
        (generic, "2025-06-01T14:00:00Z"),
        (brand, "2025-06-01T20:00:00Z"),
    ] {
        let logged = store.log_dose(&take(medicine, when, 2.0), now).unwrap();
        assert_eq!(
            logged.warning, None,
            "{when}: 400 mg at a time stays within 1200 mg"
        );
    }
    let over = store
        .log_dose(&take(generic, "2025-06-01T22:00:00Z", 1.0), now)
        .unwrap();
    let warning = over.warning.expect("over the maximum");
    assert_eq!(warning.rule, AsNeededRule::OverMaximum);
    assert_eq!(warning.taken_in_period.unwrap().value, 1400.0);
    assert_eq!(warning.earliest_allowed_at, at("2025-06-02T08:00:00Z"));
}

#[test]
fn a_skipped_dose_or_a_medicine_without_as_needed_rules_is_not_checked() {
    let (store, _dir) = store();
    let id = add(
        &store,
        "Ibuprofen",
        AsNeeded {
            min_interval_minutes: Some(240),
            ..AsNeeded::default()
        },
    );
    let now = at("2025-06-01T12:00:00Z");
    store
        .log_dose(&take(id, "2025-06-01T10:00:00Z", 1.0), now)
        .unwrap();
    let mut skip = take(id, "2025-06-01T11:00:00Z", 1.0);
    skip.action = DoseAction::Skipped;
    assert_eq!(store.log_dose(&skip, now).unwrap().warning, None);
}
