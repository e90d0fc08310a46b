//! Where each scheduled dose stands: thresholds, answers, corrections, schedule versions.

mod common;

use common::{answer, at, daily_schedule, scheduled, store};
use regimen_core::dose::{DoseAction, DoseStatus, HealthKitStatus};

fn status_at(store: &regimen_core::Records, now: &str) -> Vec<DoseStatus> {
    store
        .doses(
            at("2025-06-01T00:00:00Z"),
            at("2025-06-02T00:00:00Z"),
            at(now),
        )
        .unwrap()
        .iter()
        .map(|d| d.status)
        .collect()
}

#[test]
fn an_unanswered_dose_goes_upcoming_due_late_missed_at_the_thresholds() {
    let (store, _dir) = store();
    scheduled(&store, "Metformin", "UTC", &["08:00"]);
    assert_eq!(
        status_at(&store, "2025-06-01T07:59:00Z"),
        [DoseStatus::Upcoming]
    );
    assert_eq!(status_at(&store, "2025-06-01T08:00:00Z"), [DoseStatus::Due]);
    assert_eq!(
        status_at(&store, "2025-06-01T08:30:00Z"),
        [DoseStatus::Late]
    );
    assert_eq!(
        status_at(&store, "2025-06-01T10:00:00Z"),
        [DoseStatus::Missed]
    );
    assert_eq!(
        DoseStatus::Missed.healthkit(),
        HealthKitStatus::NotInteracted
    );
    assert_eq!(DoseStatus::Late.healthkit(), HealthKitStatus::NotLogged);
}

#[test]
fn answers_decide_and_a_late_intake_is_taken_late() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00", "20:00"]);
    let now = at("2025-06-01T21:00:00Z");
    store
        .log_dose(
            &answer(
                a,
                DoseAction::Taken,
                "2025-06-01T08:00:00Z",
                "2025-06-01T09:15:00Z",
            ),
            now,
        )
        .unwrap();
    store
        .log_dose(
            &answer(
                a,
                DoseAction::Skipped,
                "2025-06-01T20:00:00Z",
                "2025-06-01T20:05:00Z",
            ),
            now,
        )
        .unwrap();
    assert_eq!(
        status_at(&store, "2025-06-01T21:00:00Z"),
        [DoseStatus::TakenLate, DoseStatus::Skipped]
    );
    assert_eq!(DoseStatus::TakenLate.healthkit(), HealthKitStatus::Taken);
}

#[test]
fn a_snoozed_dose_waits_for_the_snooze_to_end() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00"]);
    let mut snooze = answer(
        a,
        DoseAction::Snoozed,
        "2025-06-01T08:00:00Z",
        "2025-06-01T08:01:00Z",
    );
    snooze.snooze_until = Some(at("2025-06-01T08:31:00Z"));
    store.log_dose(&snooze, at("2025-06-01T08:01:00Z")).unwrap();
    assert_eq!(
        status_at(&store, "2025-06-01T08:20:00Z"),
        [DoseStatus::Snoozed]
    );
    assert_eq!(status_at(&store, "2025-06-01T08:35:00Z"), [DoseStatus::Due]);
    assert_eq!(
        status_at(&store, "2025-06-01T10:05:00Z"),
        [DoseStatus::Missed]
    );
}

#[test]
fn a_correction_replaces_the_answer_it_corrects_and_both_stay_in_the_log() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00"]);
    let now = at("2025-06-01T12:00:00Z");
    let wrong = store
        .log_dose(
            &answer(
                a,
                DoseAction::Taken,
                "2025-06-01T08:00:00Z",
                "2025-06-01T08:02:00Z",
            ),
            now,
        )
        .unwrap();
    let mut fix = answer(
        a,
        DoseAction::Skipped,
        "2025-06-01T08:00:00Z",
        "2025-06-01T08:02:00Z",
    );
    fix.corrects = Some(wrong.event.id);
    fix.note = Some("Logged by mistake".into());
    store.log_dose(&fix, now).unwrap();
    assert_eq!(
        status_at(&store, "2025-06-01T12:00:00Z"),
        [DoseStatus::Skipped]
    );
    let log = store
        .dose_events(at("2025-06-01T00:00:00Z"), at("2025-06-02T00:00:00Z"), None)
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].corrects, Some(wrong.event.id));
}

#[test]
fn editing_a_schedule_keeps_past_doses_on_the_version_in_force() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00"]);
    let edit = at("2025-06-01T12:00:00Z");
    store
        .set_schedule(
            a,
            Some(&daily_schedule("2025-06-01", "UTC", &["09:00", "21:00"])),
            edit,
            edit,
        )
        .unwrap();
    let times: Vec<String> = store
        .doses(at("2025-06-01T00:00:00Z"), at("2025-06-02T12:00:00Z"), edit)
        .unwrap()
        .iter()
        .map(|d| d.due_at.unwrap().to_string())
        .collect();
    assert_eq!(
        times,
        [
            "2025-06-01T08:00:00Z",
            "2025-06-01T21:00:00Z",
            "2025-06-02T09:00:00Z"
        ]
    );
    assert_eq!(store.schedule_versions(a).unwrap().len(), 2);
    let stale = store
        .set_schedule(a, None, at("2025-05-01T00:00:00Z"), edit)
        .unwrap_err();
    assert!(matches!(stale, regimen_core::Error::Conflict(_)));
}

#[test]
fn an_archived_medicine_has_no_doses_after_archiving() {
    let (store, _dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00", "20:00"]);
    store
        .archive_medicine(a, at("2025-06-01T12:00:00Z"))
        .unwrap();
    assert_eq!(
        status_at(&store, "2025-06-01T22:00:00Z"),
        [DoseStatus::Missed]
    );
}

#[test]
fn local_schedules_follow_the_recorded_phone_zone() {
    let (store, _dir) = store();
    scheduled(&store, "A", "Europe/Berlin", &["08:00"]);
    assert!(
        store
            .record_device_zone("Europe/Berlin", at("2025-05-01T00:00:00Z"))
            .unwrap()
    );
    assert!(
        !store
            .record_device_zone("Europe/Berlin", at("2025-05-02T00:00:00Z"))
            .unwrap()
    );
    assert!(
        store
            .record_device_zone("America/New_York", at("2025-06-01T18:00:00Z"))
            .unwrap()
    );
    let due: Vec<String> = store
        .doses(
            at("2025-06-01T00:00:00Z"),
            at("2025-06-03T00:00:00Z"),
            at("2025-06-01T00:00:00Z"),
        )
        .unwrap()
        .iter()
        .map(|d| d.due_at.unwrap().to_string())
        .collect();
    assert_eq!(due, ["2025-06-01T06:00:00Z", "2025-06-02T12:00:00Z"]);
}

#[test]
fn a_spacing_rule_moves_the_second_medicine_and_says_why() {
    let (store, _dir) = store();
    let levothyroxine = scheduled(&store, "Levothyroxine", "UTC", &["07:00"]);
    let calcium = scheduled(&store, "Calcium", "UTC", &["08:00", "19:00"]);
    store
        .add_spacing_rule(levothyroxine, calcium, 240, at("2025-01-01T00:00:00Z"))
        .unwrap();
    let doses = store
        .doses(
            at("2025-06-01T00:00:00Z"),
            at("2025-06-02T00:00:00Z"),
            at("2025-06-01T00:00:00Z"),
        )
        .unwrap();
    let calcium_doses: Vec<_> = doses.iter().filter(|d| d.medicine_id == calcium).collect();
    assert_eq!(calcium_doses[0].due_at, Some(at("2025-06-01T11:00:00Z")));
    let moved = calcium_doses[0].moved.as_ref().expect("moved");
    assert_eq!(moved.scheduled_for, at("2025-06-01T08:00:00Z"));
    assert_eq!(
        (moved.because_of_medicine_id, moved.min_gap_minutes),
        (levothyroxine, 240)
    );
    assert_eq!(calcium_doses[1].due_at, Some(at("2025-06-01T19:00:00Z")));
    assert!(calcium_doses[1].moved.is_none());
    let duplicate = store.add_spacing_rule(calcium, levothyroxine, 60, at("2025-01-01T00:00:00Z"));
    assert!(matches!(duplicate, Err(regimen_core::Error::Conflict(_))));
}

#[test]
fn a_schedule_changed_through_another_handle_is_seen_at_once() {
    // The app and its notification extension each hold the database open.
    let (store, dir) = store();
    let a = scheduled(&store, "A", "UTC", &["08:00"]);
    let now = at("2025-06-01T00:00:00Z");
    let day = (at("2025-06-01T00:00:00Z"), at("2025-06-02T00:00:00Z"));
    assert_eq!(store.doses(day.0, day.1, now).unwrap().len(), 1);

    let other = regimen_core::Records::open(
        &dir.path().join("test.db"),
        &Default::default(),
        &common::FixedKey,
    )
    .unwrap();
    other
        .set_schedule(
            a,
            Some(&daily_schedule("2025-01-01", "UTC", &["08:00", "20:00"])),
            at("2025-05-01T00:00:00Z"),
            now,
        )
        .unwrap();
    assert_eq!(store.doses(day.0, day.1, now).unwrap().len(), 2);
}
