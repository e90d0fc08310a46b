//! The dose log through the store: what may be logged, and what is read back.

mod common;

use common::{at, named, store};
use regimen_core::Error;
use regimen_core::dose::{DoseAction, NewDoseEvent};

fn taken(medicine_id: i64, when: &str) -> NewDoseEvent {
    NewDoseEvent {
        medicine_id,
        action: DoseAction::Taken,
        actual_at: at(when),
        scheduled_at: None,
        snooze_until: None,
        note: None,
        amount: None,
        corrects: None,
    }
}

#[test]
fn logged_dose_reads_back_with_its_times_and_note() {
    let (store, _dir) = store();
    let now = at("2025-06-01T09:00:00Z");
    let med = store.add_medicine(&named("Metformin"), now).unwrap();
    let event = store
        .log_dose(
            &NewDoseEvent {
                action: DoseAction::Skipped,
                scheduled_at: Some(at("2025-06-01T08:00:00Z")),
                note: Some("  Felt sick ".into()),
                amount: None,
                corrects: None,
                ..taken(med.id, "2025-06-01T08:30:00Z")
            },
            now,
        )
        .unwrap()
        .event;
    assert_eq!(event.action, DoseAction::Skipped);
    assert_eq!(event.note.as_deref(), Some("Felt sick"));
    assert_eq!(event.recorded_at, now);
    assert_eq!(event.scheduled_at, Some(at("2025-06-01T08:00:00Z")));
    assert_eq!(store.dose_event(event.id).unwrap(), event);
}

#[test]
fn a_dose_for_an_archived_medicine_is_refused_and_nothing_is_written() {
    let (store, _dir) = store();
    let now = at("2025-06-01T09:00:00Z");
    let med = store.add_medicine(&named("Amoxicillin"), now).unwrap();
    store.archive_medicine(med.id, now).unwrap();
    let err = store
        .log_dose(&taken(med.id, "2025-06-01T08:00:00Z"), now)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "medicine_id",
                ..
            }
        ),
        "{err}"
    );
    let all = store
        .dose_events(at("2025-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"), None)
        .unwrap();
    assert!(all.is_empty());
}

#[test]
fn a_dose_for_an_unknown_medicine_is_not_found() {
    let (store, _dir) = store();
    let err = store
        .log_dose(
            &taken(7, "2025-06-01T08:00:00Z"),
            at("2025-06-01T09:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        Error::NotFound {
            what: "medicine",
            id: 7
        }
    ));
}

#[test]
fn a_dose_dated_in_the_future_is_refused_but_clock_skew_is_tolerated() {
    let (store, _dir) = store();
    let now = at("2025-06-01T09:00:00Z");
    let med = store.add_medicine(&named("Aspirin"), now).unwrap();
    assert!(
        store
            .log_dose(&taken(med.id, "2025-06-01T09:04:00Z"), now)
            .is_ok()
    );
    let err = store
        .log_dose(&taken(med.id, "2025-06-01T09:30:00Z"), now)
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidInput {
            field: "actual_at",
            ..
        }
    ));
}

#[test]
fn a_snooze_needs_a_scheduled_dose_and_an_end_within_a_day() {
    let (store, _dir) = store();
    let now = at("2025-06-01T08:05:00Z");
    let med = store.add_medicine(&named("Lisinopril"), now).unwrap();
    let snooze = |scheduled: Option<&str>, until: Option<&str>| NewDoseEvent {
        action: DoseAction::Snoozed,
        scheduled_at: scheduled.map(at),
        snooze_until: until.map(at),
        ..taken(med.id, "2025-06-01T08:05:00Z")
    };
    let field_of = |event: NewDoseEvent| match store.log_dose(&event, now) {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected invalid input, got {other:?}"),
    };
    assert_eq!(
        field_of(snooze(Some("2025-06-01T08:00:00Z"), None)),
        "snooze_until"
    );
    assert_eq!(
        field_of(snooze(None, Some("2025-06-01T08:15:00Z"))),
        "scheduled_at"
    );
    assert_eq!(
        field_of(snooze(
            Some("2025-06-01T08:00:00Z"),
            Some("2025-06-01T08:00:00Z")
        )),
        "snooze_until"
    );
    assert_eq!(
        field_of(snooze(
            Some("2025-06-01T08:00:00Z"),
            Some("2025-06-02T09:00:00Z")
        )),
        "snooze_until"
    );
    let ok = store
        .log_dose(
            &snooze(Some("2025-06-01T08:00:00Z"), Some("2025-06-01T08:15:00Z")),
            now,
        )
        .unwrap()
        .event;
    assert_eq!(ok.snooze_until, Some(at("2025-06-01T08:15:00Z")));
    let mut taken_with_end = taken(med.id, "2025-06-01T08:05:00Z");
    taken_with_end.snooze_until = Some(at("2025-06-01T08:15:00Z"));
    assert_eq!(field_of(taken_with_end), "snooze_until");
}

#[test]
fn events_in_a_range_come_oldest_first_with_back_filled_doses_in_place() {
    let (store, _dir) = store();
    let now = at("2025-06-03T12:00:00Z");
    let a = store.add_medicine(&named("A"), now).unwrap();
    let b = store.add_medicine(&named("B"), now).unwrap();
    store
        .log_dose(&taken(a.id, "2025-06-02T08:00:00Z"), now)
        .unwrap();
    store
        .log_dose(&taken(b.id, "2025-06-03T08:00:00Z"), now)
        .unwrap();
    // Back-filled after the others, but it happened first.
    store
        .log_dose(&taken(b.id, "2025-06-01T20:00:00Z"), now)
        .unwrap();
    store
        .log_dose(&taken(a.id, "2025-06-03T11:59:59Z"), now)
        .unwrap();

    let range = store
        .dose_events(at("2025-06-01T00:00:00Z"), at("2025-06-03T08:00:00Z"), None)
        .unwrap();
    let times: Vec<String> = range.iter().map(|e| e.actual_at.to_string()).collect();
    assert_eq!(
        times,
        ["2025-06-01T20:00:00Z", "2025-06-02T08:00:00Z"],
        "end is exclusive"
    );

    let only_b = store
        .dose_events(
            at("2025-06-01T00:00:00Z"),
            at("2025-06-04T00:00:00Z"),
            Some(b.id),
        )
        .unwrap();
    assert_eq!(only_b.len(), 2);
    assert!(only_b.iter().all(|e| e.medicine_id == b.id));
}

#[test]
fn reading_the_log_of_an_unknown_medicine_or_a_reversed_range_is_an_error() {
    let (store, _dir) = store();
    let (from, to) = (at("2025-06-01T00:00:00Z"), at("2025-06-02T00:00:00Z"));
    assert!(matches!(
        store.dose_events(from, to, Some(5)),
        Err(Error::NotFound {
            what: "medicine",
            id: 5
        })
    ));
    assert!(matches!(
        store.dose_events(to, from, None),
        Err(Error::InvalidInput { field: "to", .. })
    ));
}

#[test]
fn a_batch_is_written_whole_or_not_at_all_and_names_the_bad_event() {
    let (store, _dir) = store();
    let now = at("2025-06-03T12:00:00Z");
    let med = store.add_medicine(&named("Metformin"), now).unwrap();
    let mut batch: Vec<NewDoseEvent> = (1..=3)
        .map(|day| taken(med.id, &format!("2025-06-0{day}T08:00:00Z")))
        .collect();
    batch.push(taken(med.id, "2025-07-01T08:00:00Z")); // in the future
    let err = store.log_doses(&batch, now).unwrap_err();
    match err {
        Error::InvalidInput { field, reason } => {
            assert_eq!(field, "actual_at");
            assert!(reason.starts_with("events[3]"), "{reason}");
        }
        other => panic!("expected invalid input, got {other}"),
    }
    let range = (at("2025-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"));
    assert!(
        store
            .dose_events(range.0, range.1, None)
            .unwrap()
            .is_empty()
    );

    batch.pop();
    let logged = store.log_doses(&batch, now).unwrap();
    assert_eq!(logged.len(), 3);
    assert_eq!(store.dose_events(range.0, range.1, None).unwrap(), logged);
}

#[test]
fn a_batch_with_an_archived_medicine_writes_nothing() {
    let (store, _dir) = store();
    let now = at("2025-06-03T12:00:00Z");
    let active = store.add_medicine(&named("A"), now).unwrap();
    let archived = store.add_medicine(&named("B"), now).unwrap();
    store.archive_medicine(archived.id, now).unwrap();
    let batch = [
        taken(active.id, "2025-06-01T08:00:00Z"),
        taken(archived.id, "2025-06-01T08:00:00Z"),
    ];
    assert!(store.log_doses(&batch, now).is_err());
    let range = (at("2025-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"));
    assert!(
        store
            .dose_events(range.0, range.1, None)
            .unwrap()
            .is_empty()
    );
}
