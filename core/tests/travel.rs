//! A zone change: which reminders move and why.

mod common;

use std::time::Duration;

use common::{at, daily_schedule, named, store};
use regimen_core::schedule::ZonePolicy;
use regimen_core::travel::KeptDose;

#[test]
fn flying_to_new_york_moves_local_doses_and_keeps_home_doses() {
    let (store, _dir) = store();
    let epoch = at("2000-01-01T00:00:00Z");
    let vitamin = store.add_medicine(&named("Vitamin D"), epoch).unwrap().id;
    store
        .set_schedule(
            vitamin,
            Some(&daily_schedule("2025-01-01", "Europe/Berlin", &["08:00"])),
            epoch,
            epoch,
        )
        .unwrap();
    let insulin = store.add_medicine(&named("Insulin"), epoch).unwrap().id;
    let mut home = daily_schedule("2025-01-01", "Europe/Berlin", &["08:00"]);
    home.policy = ZonePolicy::Home;
    store
        .set_schedule(insulin, Some(&home), epoch, epoch)
        .unwrap();
    store.record_device_zone("Europe/Berlin", epoch).unwrap();

    let landed = at("2025-06-02T18:00:00Z");
    let report = store
        .change_device_zone("America/New_York", landed, Duration::from_secs(86_400))
        .unwrap();
    assert!(report.changed);
    assert_eq!(report.previous_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(report.moved.len(), 1);
    let moved = &report.moved[0];
    assert_eq!(moved.medicine_id, vitamin);
    assert_eq!(
        (moved.before, moved.after),
        (at("2025-06-03T06:00:00Z"), at("2025-06-03T12:00:00Z"))
    );
    assert_eq!(
        report.kept,
        [KeptDose {
            medicine_id: insulin,
            at: at("2025-06-03T06:00:00Z"),
            policy: ZonePolicy::Home,
        }]
    );
    assert_eq!(report.can_shift_gradually, [insulin]);

    let again = store
        .change_device_zone(
            "America/New_York",
            at("2025-06-02T19:00:00Z"),
            Duration::from_secs(86_400),
        )
        .unwrap();
    assert!(!again.changed);
    assert!(again.moved.is_empty());
}

#[test]
fn an_unchanged_zone_is_answered_without_waiting_for_another_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let options = regimen_core::OpenOptions {
        busy_timeout: Duration::from_millis(50),
        ..regimen_core::OpenOptions::default()
    };
    let store = regimen_core::Records::open(&path, &options, &common::FixedKey).unwrap();
    let now = at("2026-03-01T08:00:00Z");
    let day = Duration::from_secs(86_400);
    assert!(
        store
            .change_device_zone("Europe/Berlin", now, day)
            .unwrap()
            .changed
    );
    // Another process (a notification receiver) holds the write lock.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let report = store.change_device_zone("Europe/Berlin", now, day).unwrap();
    assert!(!report.changed);
    // A real change has to wait for the lock, and says so when it cannot get it.
    assert!(store.change_device_zone("Asia/Tokyo", now, day).is_err());
    other.execute_batch("COMMIT").unwrap();
    assert!(
        store
            .change_device_zone("Asia/Tokyo", now, day)
            .unwrap()
            .changed
    );
}
