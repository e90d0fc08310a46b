//! Adherence: counts, proportion of days covered, streaks.

mod common;

use common::{at, scheduled, store};
use regimen_core::dose::{DoseAction, NewDoseEvent};

fn answer(medicine_id: i64, action: DoseAction, due: &str) -> NewDoseEvent {
    NewDoseEvent {
        medicine_id,
        action,
        actual_at: at(due),
        scheduled_at: Some(at(due)),
        snooze_until: None,
        note: None,
        amount: None,
        corrects: None,
    }
}

#[test]
fn counts_pdc_and_streaks_over_a_week() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00", "20:00"]);
    let now = at("2025-06-07T12:00:00Z");
    // June 1-6: both doses taken except a skip on the 3rd evening and a late dose on the 5th.
    for day in 1..=6 {
        for hour in ["08", "20"] {
            let due = format!("2025-06-0{day}T{hour}:00:00Z");
            let action = if day == 3 && hour == "20" {
                DoseAction::Skipped
            } else {
                DoseAction::Taken
            };
            let mut event = answer(a, action, &due);
            if day == 5 && hour == "08" {
                event.actual_at = at("2025-06-05T09:30:00Z");
            }
            store.log_dose(&event, now).unwrap();
        }
    }
    // June 7: the morning dose is missed, the evening one is still upcoming.
    let report = store
        .adherence(at("2025-06-01T00:00:00Z"), at("2025-06-08T00:00:00Z"), now)
        .unwrap();
    let o = &report.overall;
    assert_eq!(
        (o.taken_on_time, o.taken_late, o.skipped, o.missed, o.open),
        (10, 1, 1, 1, 1)
    );
    assert_eq!(o.settled, 13);
    assert_eq!((o.days_counted, o.days_covered), (6, 5));
    assert!((o.proportion_of_days_covered - 5.0 / 6.0).abs() < 1e-9);
    assert_eq!((o.current_streak_days, o.longest_streak_days), (3, 3));
    assert_eq!(report.medicines.len(), 1);
    assert_eq!(report.medicines[0].medicine_id, Some(a));

    // Once the 7th is over, its missed dose breaks the streak.
    let later = store
        .adherence(
            at("2025-06-01T00:00:00Z"),
            at("2025-06-08T00:00:00Z"),
            at("2025-06-08T12:00:00Z"),
        )
        .unwrap();
    assert_eq!(later.overall.missed, 2);
    assert_eq!(later.overall.current_streak_days, 0);
    assert_eq!(later.overall.days_counted, 7);
}

#[test]
fn a_period_without_doses_reports_zeros_not_an_error() {
    let (store, _dir) = store();
    let report = store
        .adherence(
            at("2025-06-01T00:00:00Z"),
            at("2025-06-02T00:00:00Z"),
            at("2025-06-03T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(report.overall.days_counted, 0);
    assert_eq!(report.overall.proportion_of_days_covered, 0.0);
    assert!(
        store
            .adherence(
                at("2025-06-02T00:00:00Z"),
                at("2025-06-01T00:00:00Z"),
                at("2025-06-03T00:00:00Z")
            )
            .is_err()
    );
}

#[test]
fn answers_logged_or_corrected_after_a_report_show_in_the_next_even_from_another_handle() {
    let (store, dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00"]);
    let now = at("2025-06-03T12:00:00Z");
    let (from, to) = (at("2025-06-01T00:00:00Z"), at("2025-06-04T00:00:00Z"));
    let first = store
        .log_dose(&answer(a, DoseAction::Taken, "2025-06-01T08:00:00Z"), now)
        .unwrap();
    assert_eq!(
        store
            .adherence(from, to, now)
            .unwrap()
            .overall
            .taken_on_time,
        1
    );

    let other = regimen_core::Records::open(
        &dir.path().join("test.db"),
        &Default::default(),
        &common::FixedKey,
    )
    .unwrap();
    other
        .log_dose(&answer(a, DoseAction::Taken, "2025-06-02T08:00:00Z"), now)
        .unwrap();
    let mut fix = answer(a, DoseAction::Skipped, "2025-06-01T08:00:00Z");
    fix.corrects = Some(first.event.id);
    other.log_dose(&fix, now).unwrap();

    let report = store.adherence(from, to, now).unwrap();
    assert_eq!(
        (
            report.overall.taken_on_time,
            report.overall.skipped,
            report.overall.missed
        ),
        (1, 1, 1)
    );
}
