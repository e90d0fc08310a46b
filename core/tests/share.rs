//! Caregiver sharing end to end between two databases, without a network: pairing, what each
//! scope lets through, the outbox's retry rules, the caregiver's views and missed-dose alerts.

mod common;

use std::time::Duration;

use common::{answer, at, scheduled, store};
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::reminder::NotificationKind;
use regimen_core::share::caregiver::PatientView;
use regimen_core::share::caregiver::ReceivedMessage;
use regimen_core::share::message::{MessageKind, SharedDoseStatus, SharedPhenotype};
use regimen_core::share::outbox::{PushOutcome, PushRequest, PushResult};
use regimen_core::share::{ShareRole, ShareScope, ShareState};
use regimen_core::warning::{Severity, Warning, WarningKind};
use regimen_core::{Error, Records, Timestamp};

const SUBJECT: Option<&str> = Some("mailto:sharing@example.org");
const ENDPOINT: &str = "http://127.0.0.1:9/push/caregiver";
const ACCEPTED: PushResult = PushResult::Status {
    code: 201,
    retry_after_seconds: None,
};

/// A patient in Berlin with one medicine at 08:00 and 20:00, and an empty caregiver database.
struct Pair {
    patient: Records,
    caregiver: Records,
    medicine: i64,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn pair_with(scopes: &[ShareScope], now: Timestamp) -> (Pair, i64, i64) {
    let (patient, patient_dir) = store();
    let (caregiver, caregiver_dir) = store();
    patient
        .record_device_zone("Europe/Berlin", at("2026-01-01T00:00:00Z"))
        .unwrap();
    caregiver
        .record_device_zone("Europe/Berlin", at("2026-01-01T00:00:00Z"))
        .unwrap();
    let medicine = scheduled(&patient, "Metoprolol", "Europe/Berlin", &["08:00", "20:00"]);
    let offer = patient.offer_share("Ana", scopes, now).unwrap();
    let answer = caregiver
        .answer_offer(&offer.payload, ENDPOINT, "Ben", None, now)
        .unwrap();
    let accepted = patient.accept_answer(&answer.payload, now).unwrap();
    assert_eq!(accepted.state, ShareState::Active);
    assert_eq!(accepted.peer_name.as_deref(), Some("Ben"));
    let pair = Pair {
        patient,
        caregiver,
        medicine,
        _dirs: (patient_dir, caregiver_dir),
    };
    (pair, offer.share.id, answer.share.id)
}

/// Syncs the patient and prepares what is due.
fn prepare(patient: &Records, now: Timestamp) -> Vec<PushRequest> {
    patient.sync_shares(now, &[], &[]).unwrap();
    patient.prepare_push_requests(now, SUBJECT, 100).unwrap()
}

/// Hands each request's body to the caregiver and tells the patient it was accepted.
fn deliver(pair: &Pair, requests: &[PushRequest], now: Timestamp) -> Vec<ReceivedMessage> {
    requests
        .iter()
        .map(|request| {
            let received = pair.caregiver.receive(&request.body, now).unwrap();
            let outcome = pair
                .patient
                .record_push_result(request.outbox_id, ACCEPTED, now)
                .unwrap();
            assert_eq!(outcome, PushOutcome::Delivered);
            received
        })
        .collect()
}

fn sync_and_deliver(pair: &Pair, now: Timestamp) -> Vec<ReceivedMessage> {
    let requests = prepare(&pair.patient, now);
    deliver(pair, &requests, now)
}

fn taken(medicine_id: i64, due: &str, actual: &str) -> NewDoseEvent {
    answer(medicine_id, DoseAction::Taken, due, actual)
}

/// What the caregiver's side shows of its one patient, for doses due in `[from, to)`.
fn view(pair: &Pair, share: i64, from: &str, to: &str, now: Timestamp) -> PatientView {
    pair.caregiver
        .patient_view(share, at(from), at(to), now)
        .unwrap()
}

fn caregiver_alerts(caregiver: &Records, now: Timestamp) -> Vec<(String, Timestamp, String)> {
    caregiver
        .plan_notifications(now, Duration::from_secs(2 * 86_400), 64)
        .unwrap()
        .notifications
        .into_iter()
        .filter(|n| n.kind == NotificationKind::CaregiverAlert)
        .map(|n| (n.id, n.fire_at, n.body))
        .collect()
}

#[test]
fn pairing_shares_the_schedule_and_the_caregiver_sees_each_dose_by_name() {
    let now = at("2026-03-10T06:00:00Z"); // 07:00 in Berlin
    let (pair, patient_share, caregiver_share) = pair_with(&[ShareScope::Medicines], now);
    let received = sync_and_deliver(&pair, now);
    let kinds: Vec<MessageKind> = received.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [MessageKind::Shared, MessageKind::Schedule]);
    assert_eq!(
        received.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2],
        "sequence numbers start at 1 and follow each other"
    );
    let share = &received[1].share;
    assert_eq!(share.role, ShareRole::Caregiver);
    assert_eq!(share.state, ShareState::Active);
    assert_eq!(share.peer_name.as_deref(), Some("Ana"));
    assert_eq!(share.scopes, [ShareScope::Adherence, ShareScope::Medicines]);
    assert_eq!(
        pair.patient.share(patient_share).unwrap().pending_messages,
        0
    );

    // The dose at 08:00 Berlin is taken; the caregiver sees it, by name.
    pair.patient
        .log_dose(
            &taken(
                pair.medicine,
                "2026-03-10T07:00:00Z",
                "2026-03-10T07:05:00Z",
            ),
            at("2026-03-10T07:05:00Z"),
        )
        .unwrap();
    let later = at("2026-03-10T07:06:00Z");
    let received = sync_and_deliver(&pair, later);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].kind, MessageKind::Dose);
    let view = view(
        &pair,
        caregiver_share,
        "2026-03-09T23:00:00Z",
        "2026-03-10T23:00:00Z",
        later,
    );
    assert_eq!(view.doses[0].actual_at, Some(at("2026-03-10T07:05:00Z")));
    let doses: Vec<(Option<&str>, Option<Timestamp>, SharedDoseStatus)> = view
        .doses
        .iter()
        .map(|d| (d.name.as_deref(), d.due_at, d.status))
        .collect();
    assert_eq!(
        doses,
        [
            (
                Some("Metoprolol"),
                Some(at("2026-03-10T07:00:00Z")),
                SharedDoseStatus::Taken
            ),
            (
                Some("Metoprolol"),
                Some(at("2026-03-10T19:00:00Z")),
                SharedDoseStatus::Upcoming
            ),
        ]
    );
}

#[test]
fn with_adherence_only_the_caregiver_gets_times_and_counts_but_no_names() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[], now);
    sync_and_deliver(&pair, now);
    let view = view(
        &pair,
        caregiver_share,
        "2026-03-10T00:00:00Z",
        "2026-03-12T00:00:00Z",
        now,
    );
    assert_eq!(view.share.scopes, [ShareScope::Adherence]);
    assert_eq!(view.doses.len(), 4, "two doses a day for two days");
    assert!(view.doses.iter().all(|d| d.name.is_none()));
    assert!(view.doses.iter().all(|d| d.medicine_id == pair.medicine));
}

#[test]
fn an_unconfirmed_dose_raises_the_caregivers_own_alert_after_the_grace_time() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[ShareScope::Medicines], now);
    sync_and_deliver(&pair, now);

    // The patient's phone goes silent. The caregiver's plan alerts at 08:00 + 60 min.
    let alerts = caregiver_alerts(&pair.caregiver, now);
    assert_eq!(alerts[0].1, at("2026-03-10T08:00:00Z"));
    assert_eq!(
        alerts[0].0,
        format!(
            "{}/caregiver/{caregiver_share}/{}/{}",
            pair.caregiver.database_id(),
            at("2026-03-10T08:00:00Z").as_millis(),
            pair.medicine
        )
    );
    assert_eq!(alerts[0].2, "A dose due at 8:00 has not been confirmed");
    // Planning again gives the same ids.
    assert_eq!(caregiver_alerts(&pair.caregiver, now), alerts);

    // Once the patient's phone says the dose was taken, that alert is gone; the evening's stays.
    pair.patient
        .log_dose(
            &taken(
                pair.medicine,
                "2026-03-10T07:00:00Z",
                "2026-03-10T07:20:00Z",
            ),
            at("2026-03-10T07:20:00Z"),
        )
        .unwrap();
    let later = at("2026-03-10T07:21:00Z");
    sync_and_deliver(&pair, later);
    let alerts = caregiver_alerts(&pair.caregiver, later);
    assert_eq!(alerts[0].1, at("2026-03-10T20:00:00Z"));

    // Past the grace time with no word, the view says so.
    let evening = at("2026-03-10T20:30:00Z");
    let view = view(
        &pair,
        caregiver_share,
        "2026-03-10T18:00:00Z",
        "2026-03-10T20:00:00Z",
        evening,
    );
    assert_eq!(view.doses[0].status, SharedDoseStatus::Unconfirmed);
}

#[test]
fn duplicates_replays_and_any_delivery_order_give_the_same_picture() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[ShareScope::Medicines], now);
    pair.patient
        .log_dose(
            &taken(
                pair.medicine,
                "2026-03-10T07:00:00Z",
                "2026-03-10T06:55:00Z",
            ),
            at("2026-03-10T06:55:00Z"),
        )
        .unwrap();
    let later = at("2026-03-10T06:56:00Z");
    let requests = prepare(&pair.patient, later);
    assert_eq!(requests.len(), 3, "shared, dose, schedule");
    // Delivered backwards, then every one again.
    for request in requests.iter().rev() {
        assert!(
            !pair
                .caregiver
                .receive(&request.body, later)
                .unwrap()
                .ignored
        );
    }
    for request in &requests {
        assert!(
            pair.caregiver
                .receive(&request.body, later)
                .unwrap()
                .ignored
        );
    }
    let view = view(
        &pair,
        caregiver_share,
        "2026-03-10T00:00:00Z",
        "2026-03-10T12:00:00Z",
        later,
    );
    assert_eq!(view.share.peer_name.as_deref(), Some("Ana"));
    assert_eq!(view.doses.len(), 1);
    assert_eq!(view.doses[0].status, SharedDoseStatus::Taken);
}

#[test]
fn a_body_for_someone_else_or_damaged_is_refused_and_changes_nothing() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, _) = pair_with(&[], now);
    let requests = prepare(&pair.patient, now);
    let mut damaged = requests[0].body.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    let err = pair.caregiver.receive(&damaged, now).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "body", .. }),
        "{err}"
    );
    // A third database follows nobody.
    let (stranger, _dir) = store();
    let err = stranger.receive(&requests[0].body, now).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "body", .. }));
    assert!(
        !pair
            .caregiver
            .receive(&requests[0].body, now)
            .unwrap()
            .ignored
    );
}

#[test]
fn failures_retry_with_growing_jittered_backoff_and_nothing_is_lost() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, _) = pair_with(&[], now);
    let first = prepare(&pair.patient, now);
    assert_eq!(first.len(), 2);
    // Leased: a second sender finds nothing due.
    assert!(prepare(&pair.patient, now).is_empty());

    let server_error = PushResult::Status {
        code: 500,
        retry_after_seconds: None,
    };
    let PushOutcome::Retry { at: retry } = pair
        .patient
        .record_push_result(first[0].outbox_id, server_error, now)
        .unwrap()
    else {
        panic!("a 500 is retried");
    };
    let wait = retry.as_millis() - now.as_millis();
    assert!(
        (15_000..=30_000).contains(&wait),
        "first retry after 15-30 s, got {wait} ms"
    );

    let second_try = retry;
    let again = pair
        .patient
        .prepare_push_requests(second_try, SUBJECT, 10)
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].outbox_id, first[0].outbox_id);
    assert_ne!(
        again[0].body, first[0].body,
        "each attempt is encrypted afresh"
    );
    let PushOutcome::Retry { at: retry } = pair
        .patient
        .record_push_result(again[0].outbox_id, PushResult::Unreachable, second_try)
        .unwrap()
    else {
        panic!("no network is retried");
    };
    let wait = retry.as_millis() - second_try.as_millis();
    assert!(
        (30_000..=60_000).contains(&wait),
        "second retry after 30-60 s, got {wait} ms"
    );

    // Delivered in the end; a late second result for the same message changes nothing.
    let third = pair
        .patient
        .prepare_push_requests(retry, SUBJECT, 10)
        .unwrap();
    deliver(&pair, &third, retry);
    assert_eq!(
        pair.patient
            .record_push_result(third[0].outbox_id, ACCEPTED, retry)
            .unwrap(),
        PushOutcome::AlreadySettled
    );
}

#[test]
fn a_send_cut_off_by_a_crash_is_sent_again_after_the_lease_and_taken_once() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[], now);
    let requests = prepare(&pair.patient, now);
    // The push service got the first message, then the app was killed before recording it.
    pair.caregiver.receive(&requests[0].body, now).unwrap();
    let path = pair.patient.path().to_path_buf();
    let Pair {
        patient,
        caregiver,
        medicine,
        _dirs,
    } = pair;
    drop(patient);
    let patient = Records::open(&path, &Default::default(), &common::FixedKey).unwrap();
    let pair = Pair {
        patient,
        caregiver,
        medicine,
        _dirs,
    };
    let after_lease = now.plus(Duration::from_secs(121));
    let resent = pair
        .patient
        .prepare_push_requests(after_lease, SUBJECT, 10)
        .unwrap();
    assert_eq!(resent.len(), 2, "both messages are due again");
    let received = deliver(&pair, &resent, after_lease);
    assert!(received[0].ignored, "the one already taken in is dropped");
    assert!(!received[1].ignored);
    assert!(prepare(&pair.patient, after_lease).is_empty());
    let shares = pair.caregiver.shares().unwrap();
    assert_eq!(shares[0].id, caregiver_share);
    assert_eq!(shares[0].state, ShareState::Active);
}

#[test]
fn gone_subscriptions_stop_the_share_and_limits_are_respected() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, patient_share, _) = pair_with(&[], now);
    let requests = prepare(&pair.patient, now);

    // 429 with Retry-After pauses the whole share.
    let limited = PushResult::Status {
        code: 429,
        retry_after_seconds: Some(600),
    };
    assert_eq!(
        pair.patient
            .record_push_result(requests[0].outbox_id, limited, now)
            .unwrap(),
        PushOutcome::Retry {
            at: now.plus(Duration::from_secs(600))
        }
    );
    // 413: the service will never take it.
    let too_large = PushResult::Status {
        code: 413,
        retry_after_seconds: None,
    };
    assert_eq!(
        pair.patient
            .record_push_result(requests[1].outbox_id, too_large, now)
            .unwrap(),
        PushOutcome::Dropped
    );
    let lease_over = now.plus(Duration::from_secs(300));
    assert!(
        pair.patient
            .prepare_push_requests(lease_over, SUBJECT, 10)
            .unwrap()
            .is_empty(),
        "paused until the Retry-After passes"
    );
    assert_eq!(
        pair.patient.next_push_at().unwrap(),
        Some(now.plus(Duration::from_secs(600)))
    );
    let resumed = now.plus(Duration::from_secs(600));
    let again = pair
        .patient
        .prepare_push_requests(resumed, SUBJECT, 10)
        .unwrap();
    assert_eq!(again.len(), 1);

    // 410: the subscription is gone; sending stops for good.
    let gone = PushResult::Status {
        code: 410,
        retry_after_seconds: None,
    };
    assert_eq!(
        pair.patient
            .record_push_result(again[0].outbox_id, gone, resumed)
            .unwrap(),
        PushOutcome::ShareGone
    );
    let share = pair.patient.share(patient_share).unwrap();
    assert_eq!(share.state, ShareState::Gone);
    assert_eq!(share.pending_messages, 0);
    pair.patient
        .log_dose(
            &taken(
                pair.medicine,
                "2026-03-10T07:00:00Z",
                "2026-03-10T07:00:00Z",
            ),
            at("2026-03-10T07:00:00Z"),
        )
        .unwrap();
    assert!(prepare(&pair.patient, at("2026-03-10T08:00:00Z")).is_empty());
    assert_eq!(pair.patient.next_push_at().unwrap(), None);
}

#[test]
fn revoking_drops_what_waits_tells_the_caregiver_and_stops_the_alerts() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, patient_share, caregiver_share) = pair_with(&[], now);
    let old = prepare(&pair.patient, now);
    deliver(&pair, &old, now);
    assert!(!caregiver_alerts(&pair.caregiver, now).is_empty());

    pair.patient
        .log_dose(
            &taken(
                pair.medicine,
                "2026-03-10T07:00:00Z",
                "2026-03-10T07:00:00Z",
            ),
            at("2026-03-10T07:00:00Z"),
        )
        .unwrap();
    pair.patient
        .sync_shares(at("2026-03-10T07:01:00Z"), &[], &[])
        .unwrap();
    let revoked = pair
        .patient
        .revoke(patient_share, at("2026-03-10T07:02:00Z"))
        .unwrap();
    assert_eq!(revoked.state, ShareState::Revoked);
    assert_eq!(revoked.pending_messages, 1, "only the goodbye waits");
    let later = at("2026-03-10T07:03:00Z");
    let last = pair
        .patient
        .prepare_push_requests(later, SUBJECT, 10)
        .unwrap();
    let received = deliver(&pair, &last, later);
    assert_eq!(received[0].kind, MessageKind::Revoked);
    assert_eq!(received[0].share.state, ShareState::Revoked);
    assert!(caregiver_alerts(&pair.caregiver, later).is_empty());
    // Nothing more goes out, and an old message replayed is ignored.
    assert!(prepare(&pair.patient, at("2026-03-11T12:00:00Z")).is_empty());
    assert!(pair.caregiver.receive(&old[1].body, later).unwrap().ignored);
    assert_eq!(
        pair.caregiver.share(caregiver_share).unwrap().state,
        ShareState::Revoked
    );
    // Revoking again changes nothing.
    assert_eq!(
        pair.patient.revoke(patient_share, later).unwrap().state,
        ShareState::Revoked
    );
}

#[test]
fn missed_doses_and_finished_days_are_reported() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[], now);
    sync_and_deliver(&pair, now);
    // Nothing logged all day; the next morning the patient's phone reports both doses missed
    // and the day's summary.
    let next_morning = at("2026-03-11T06:00:00Z");
    let received = sync_and_deliver(&pair, next_morning);
    let kinds: Vec<MessageKind> = received.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [MessageKind::Dose, MessageKind::Dose, MessageKind::Summary]
    );
    let view = view(
        &pair,
        caregiver_share,
        "2026-03-10T00:00:00Z",
        "2026-03-11T00:00:00Z",
        next_morning,
    );
    assert!(
        view.doses
            .iter()
            .all(|d| d.status == SharedDoseStatus::Missed)
    );
    assert_eq!(view.days.len(), 1);
    assert_eq!(view.days[0].day.to_string(), "2026-03-10");
    assert_eq!((view.days[0].scheduled, view.days[0].missed), (2, 2));
    // Looking again sends nothing new.
    assert!(prepare(&pair.patient, next_morning).is_empty());
}

fn high_warning() -> Warning {
    Warning {
        id: "drug-gene/example".into(),
        kind: WarningKind::DrugGene,
        severity: Severity::High,
        title: "Example title".into(),
        explanation: "Example explanation".into(),
        what_to_do: "Talk to your doctor".into(),
        medicine_ids: vec![1],
        genes: vec!["CYP2C19".into()],
        genetic_phenotype: None,
        adjusted_phenotype: None,
        inhibitor_medicine_id: None,
        evidence: Vec::new(),
    }
}

#[test]
fn warnings_and_pgx_go_only_where_the_patient_ticked_them() {
    let now = at("2026-03-10T06:00:00Z");
    let phenotype = SharedPhenotype {
        gene: "CYP2C19".into(),
        phenotype: "Poor Metabolizer".into(),
    };
    let warnings = [high_warning()];

    let (plain, _, plain_share) = pair_with(&[ShareScope::Medicines], now);
    plain
        .patient
        .sync_shares(now, &warnings, std::slice::from_ref(&phenotype))
        .unwrap();
    let requests = plain
        .patient
        .prepare_push_requests(now, SUBJECT, 10)
        .unwrap();
    deliver(&plain, &requests, now);
    let view = plain
        .caregiver
        .patient_view(plain_share, now, now, now)
        .unwrap();
    assert!(view.warnings.is_empty() && view.phenotypes.is_empty());

    let scopes = [ShareScope::Medicines, ShareScope::Warnings, ShareScope::Pgx];
    let (full, _, full_share) = pair_with(&scopes, now);
    full.patient
        .sync_shares(now, &warnings, std::slice::from_ref(&phenotype))
        .unwrap();
    // The same warning again is not news.
    full.patient
        .sync_shares(now, &warnings, std::slice::from_ref(&phenotype))
        .unwrap();
    let requests = full
        .patient
        .prepare_push_requests(now, SUBJECT, 10)
        .unwrap();
    deliver(&full, &requests, now);
    let view = full
        .caregiver
        .patient_view(full_share, now, now, now)
        .unwrap();
    assert_eq!(view.warnings.len(), 1);
    assert_eq!(view.warnings[0].title, "Example title");
    assert_eq!(view.phenotypes, [phenotype]);
}

#[test]
fn bad_pairing_input_gets_typed_errors_and_stores_nothing() {
    let now = at("2026-03-10T06:00:00Z");
    let (patient, _dir) = store();
    let (caregiver, _dir2) = store();
    let err = patient
        .offer_share("Ana", &[ShareScope::Warnings], now)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "scopes",
                ..
            }
        ),
        "{err}"
    );
    let err = patient.offer_share("  ", &[], now).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "name", .. }));
    let err = caregiver
        .answer_offer("{\"hello\":1}", ENDPOINT, "Ben", None, now)
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "offer", .. }),
        "{err}"
    );

    let offer = patient.offer_share("Ana", &[], now).unwrap();
    assert!(!offer.payload.contains("medicines"), "{}", offer.payload);
    for endpoint in [
        "http://push.example.org/x",
        "ftp://127.0.0.1/x",
        "not a url",
    ] {
        let err = caregiver
            .answer_offer(&offer.payload, endpoint, "Ben", None, now)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    field: "endpoint",
                    ..
                }
            ),
            "{err}"
        );
    }
    let err = caregiver
        .answer_offer(&offer.payload, ENDPOINT, "Ben", Some(0), now)
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidInput {
            field: "grace_minutes",
            ..
        }
    ));
    assert!(caregiver.shares().unwrap().is_empty());

    // An answer to an offer made elsewhere.
    let (other, _dir3) = store();
    let foreign = other.offer_share("Cleo", &[], now).unwrap();
    let answer = caregiver
        .answer_offer(&foreign.payload, ENDPOINT, "Ben", None, now)
        .unwrap();
    let err = patient.accept_answer(&answer.payload, now).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "answer",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(patient.shares().unwrap()[0].state, ShareState::Offered);

    // Accepting the same answer twice changes nothing.
    let answer = caregiver
        .answer_offer(&offer.payload, ENDPOINT, "Ben", None, now)
        .unwrap();
    patient.accept_answer(&answer.payload, now).unwrap();
    let again = patient.accept_answer(&answer.payload, now).unwrap();
    assert_eq!(again.pending_messages, 1);
}

#[test]
fn a_caregiver_follows_two_patients_and_each_message_finds_its_share() {
    let now = at("2026-03-10T06:00:00Z");
    let (first, _, first_share) = pair_with(&[ShareScope::Medicines], now);
    // A second patient answered from the same caregiver database.
    let (second, _dir) = store();
    scheduled(&second, "Levothyroxine", "Europe/Berlin", &["07:00"]);
    let offer = second.offer_share("Carl", &[], now).unwrap();
    let answer = first
        .caregiver
        .answer_offer(
            &offer.payload,
            "http://127.0.0.1:9/push/second",
            "Ben",
            Some(30),
            now,
        )
        .unwrap();
    second.accept_answer(&answer.payload, now).unwrap();

    sync_and_deliver(&first, now);
    for request in prepare(&second, now) {
        let received = first.caregiver.receive(&request.body, now).unwrap();
        assert_eq!(received.share_id, answer.share.id);
    }
    let names: Vec<Option<String>> = first
        .caregiver
        .shares()
        .unwrap()
        .into_iter()
        .map(|s| s.peer_name)
        .collect();
    assert_eq!(names, [Some("Ana".into()), Some("Carl".into())]);
    // Carl's 07:00 dose alerts at 07:30 (his grace is 30 minutes), Ana's 08:00 one at 09:00.
    let alerts: Vec<Timestamp> = caregiver_alerts(&first.caregiver, now)
        .into_iter()
        .map(|a| a.1)
        .take(2)
        .collect();
    assert_eq!(
        alerts,
        [at("2026-03-10T06:30:00Z"), at("2026-03-10T08:00:00Z")]
    );
    let view = first
        .caregiver
        .patient_view(first_share, now, at("2026-03-10T12:00:00Z"), now)
        .unwrap();
    assert_eq!(view.doses.len(), 1);
}

#[test]
fn nothing_shared_is_readable_in_the_caregivers_database_file() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, _) = pair_with(&[ShareScope::Medicines], now);
    sync_and_deliver(&pair, now);
    let path = pair.caregiver.path().to_path_buf();
    drop(pair.caregiver);
    let mut bytes = std::fs::read(&path).unwrap();
    for suffix in ["-wal", "-shm"] {
        let mut side = path.clone().into_os_string();
        side.push(suffix);
        bytes.extend(std::fs::read(side).unwrap_or_default());
    }
    for secret in ["Metoprolol", "Ana", "Ben", "127.0.0.1"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} is readable"
        );
    }
}

#[test]
fn doses_from_before_the_share_began_are_not_shown_as_unconfirmed() {
    // Accepted at 13:00 Berlin: the 08:00 dose is the patient's business from before.
    let now = at("2026-03-10T12:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[], now);
    sync_and_deliver(&pair, now);
    let view = view(
        &pair,
        caregiver_share,
        "2026-03-09T23:00:00Z",
        "2026-03-10T23:00:00Z",
        now,
    );
    let due: Vec<Option<Timestamp>> = view.doses.iter().map(|d| d.due_at).collect();
    assert_eq!(due, [Some(at("2026-03-10T19:00:00Z"))]);
}

#[test]
fn dose_times_arrive_to_the_minute_when_sharing_began_mid_minute() {
    let now = at("2026-03-10T06:00:39.500Z");
    let (pair, _, caregiver_share) = pair_with(&[], now);
    sync_and_deliver(&pair, now);
    let view = pair
        .caregiver
        .patient_view(caregiver_share, now, at("2026-03-10T08:00:00Z"), now)
        .unwrap();
    assert_eq!(view.doses[0].due_at, Some(at("2026-03-10T07:00:00Z")));
}

#[test]
fn a_caregiver_who_chose_full_text_sees_the_shared_names_in_the_alert() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, _) = pair_with(&[ShareScope::Medicines], now);
    sync_and_deliver(&pair, now);
    let mut settings = pair.caregiver.settings().unwrap();
    settings.reminders.privacy = regimen_core::settings::PrivacyLevel::Full;
    pair.caregiver.update_settings(&settings).unwrap();
    let alerts = caregiver_alerts(&pair.caregiver, now);
    assert_eq!(alerts[0].2, "Not confirmed since 8:00: Metoprolol");

    settings.reminders.privacy = regimen_core::settings::PrivacyLevel::Hidden;
    pair.caregiver.update_settings(&settings).unwrap();
    let alerts = caregiver_alerts(&pair.caregiver, now);
    assert_eq!(alerts[0].2, "You have a reminder");
}

#[test]
fn a_message_too_large_for_one_push_is_left_out_and_blocks_nothing() {
    let now = at("2026-03-10T06:00:00Z");
    let scopes = [ShareScope::Medicines, ShareScope::Warnings];
    let (pair, _, _) = pair_with(&scopes, now);
    let mut huge = high_warning();
    huge.what_to_do = "x".repeat(5_000);
    let report = pair.patient.sync_shares(now, &[huge], &[]).unwrap();
    assert_eq!(
        (report.queued, report.too_large),
        (1, 1),
        "the schedule, not the warning"
    );
    let received = deliver(
        &pair,
        &pair
            .patient
            .prepare_push_requests(now, SUBJECT, 10)
            .unwrap(),
        now,
    );
    let kinds: Vec<MessageKind> = received.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [MessageKind::Shared, MessageKind::Schedule]);
}

#[test]
fn when_the_patients_phone_goes_quiet_the_caregiver_is_told_before_the_watch_ends() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, _) = pair_with(&[], now);
    sync_and_deliver(&pair, now);
    let silence = |at_time: Timestamp| -> Vec<(Timestamp, String)> {
        pair.caregiver
            .plan_notifications(at_time, Duration::from_secs(7 * 86_400), 64)
            .unwrap()
            .notifications
            .into_iter()
            .filter(|n| n.kind == NotificationKind::CaregiverSilence)
            .map(|n| (n.fire_at, n.body))
            .collect()
    };
    // The shared week ends at midnight before Tuesday 17 March (Berlin); a day before, the
    // caregiver hears that alerts are about to stop.
    assert_eq!(
        silence(now),
        [(
            at("2026-03-15T23:00:00Z"),
            "Nothing new from Ana's phone: missed-dose alerts stop Tue 0:00".to_owned()
        )]
    );
    // Three days on, the patient's phone sends the next week: the notice moves with it.
    let later = at("2026-03-13T08:00:00Z");
    let received = sync_and_deliver(&pair, later);
    assert!(received.iter().any(|r| r.kind == MessageKind::Schedule));
    assert_eq!(silence(later)[0].0, at("2026-03-18T23:00:00Z"));
}

/// Tracks `medicine` in tablets (a week's lead time) with `tablets` received at `now`.
fn track(patient: &Records, medicine: i64, tablets: f64, now: Timestamp) {
    use regimen_core::supply::{NewSupplyEvent, SupplyKind, SupplySettings};
    patient
        .set_supply_settings(
            medicine,
            &SupplySettings {
                unit: "tablet".into(),
                pack_size: None,
                lead_days: 7,
            },
            now,
        )
        .unwrap();
    patient
        .log_supply(
            &NewSupplyEvent {
                medicine_id: medicine,
                kind: SupplyKind::Received,
                amount: tablets,
                at: now,
                source: None,
                note: None,
            },
            now,
        )
        .unwrap();
}

fn supply_messages(received: &[ReceivedMessage]) -> usize {
    received
        .iter()
        .filter(|r| r.kind == MessageKind::Supply)
        .count()
}

#[test]
fn a_supply_only_share_tells_the_caregiver_when_a_medicine_runs_low_and_when_it_is_refilled() {
    use regimen_core::share::message::SharedSupplyStatus;
    use regimen_core::supply::RefillAnswer;
    let now = at("2026-03-10T06:00:00Z"); // 07:00 in Berlin
    let (pair, _patient_share, caregiver_share) =
        pair_with(&[ShareScope::Supply, ShareScope::Medicines], now);
    // Ten tablets at two a day, from 08:00 today: the tenth is the evening dose of the 14th,
    // so the first dose not covered is 08:00 Berlin on the 15th, within the week's lead time.
    track(&pair.patient, pair.medicine, 10.0, now);
    let received = sync_and_deliver(&pair, now);
    let kinds: Vec<MessageKind> = received.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [MessageKind::Shared, MessageKind::Supply],
        "a share for the supply alone sends no schedule and no doses"
    );
    let view_now = view(
        &pair,
        caregiver_share,
        "2026-03-10T00:00:00Z",
        "2026-03-11T00:00:00Z",
        now,
    );
    assert_eq!(
        view_now.share.scopes,
        [ShareScope::Medicines, ShareScope::Supply]
    );
    assert!(view_now.doses.is_empty());
    let supply = &view_now.supply;
    assert_eq!(supply.len(), 1);
    assert_eq!(supply[0].status, SharedSupplyStatus::RunningLow);
    assert_eq!(supply[0].name.as_deref(), Some("Metoprolol"));
    assert_eq!(
        supply[0].run_out_at.map(|t| t.to_string()).as_deref(),
        Some("2026-03-15T07:00:00Z")
    );

    // The caregiver's phone rings a minute after the word came in, at its privacy level.
    let supply_alerts = |at_time: Timestamp| -> Vec<(Timestamp, String)> {
        pair.caregiver
            .plan_notifications(at_time, Duration::from_secs(2 * 86_400), 64)
            .unwrap()
            .notifications
            .into_iter()
            .filter(|n| n.kind == NotificationKind::CaregiverAlert)
            .map(|n| (n.fire_at, n.body))
            .collect()
    };
    assert_eq!(
        supply_alerts(now),
        [(
            now.plus(Duration::from_secs(60)),
            "A medicine is running low".to_owned()
        )]
    );
    assert!(
        supply_alerts(now.plus(Duration::from_secs(61))).is_empty(),
        "once: after it rang, later plans leave it out"
    );

    // A dose taken is not news to a supply-only caregiver; nothing changed for the supply.
    pair.patient
        .log_dose(
            &taken(
                pair.medicine,
                "2026-03-10T07:00:00Z",
                "2026-03-10T07:02:00Z",
            ),
            at("2026-03-10T07:02:00Z"),
        )
        .unwrap();
    assert!(sync_and_deliver(&pair, at("2026-03-10T07:03:00Z")).is_empty());

    // The patient answers "refill requested": the caregiver hears it once.
    let later = at("2026-03-10T08:00:00Z");
    pair.patient
        .answer_refill(pair.medicine, RefillAnswer::Requested, later)
        .unwrap();
    assert_eq!(supply_messages(&sync_and_deliver(&pair, later)), 1);
    assert!(sync_and_deliver(&pair, later.plus(Duration::from_secs(60))).is_empty());
    let status = |now| {
        view(
            &pair,
            caregiver_share,
            "2026-03-10T00:00:00Z",
            "2026-03-11T00:00:00Z",
            now,
        )
        .supply[0]
            .status
    };
    assert_eq!(status(later), SharedSupplyStatus::RefillRequested);
    assert!(
        supply_alerts(later).is_empty(),
        "a refill under way needs no alert"
    );

    // Sixty tablets come in: restocked, and nothing more after that.
    let refilled = at("2026-03-11T10:00:00Z");
    track(&pair.patient, pair.medicine, 60.0, refilled);
    let received = sync_and_deliver(&pair, refilled);
    assert_eq!(supply_messages(&received), 1);
    assert_eq!(status(refilled), SharedSupplyStatus::Restocked);
    assert!(sync_and_deliver(&pair, refilled.plus(Duration::from_secs(3600))).is_empty());
}

#[test]
fn supply_goes_only_to_shares_that_have_the_scope() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[ShareScope::Medicines], now);
    track(&pair.patient, pair.medicine, 4.0, now);
    let received = sync_and_deliver(&pair, now);
    assert_eq!(supply_messages(&received), 0);
    assert!(
        view(
            &pair,
            caregiver_share,
            "2026-03-10T00:00:00Z",
            "2026-03-11T00:00:00Z",
            now
        )
        .supply
        .is_empty()
    );
    // With adherence and supply both ticked, both kinds arrive.
    let (pair, _, _) = pair_with(&[ShareScope::Adherence, ShareScope::Supply], now);
    track(&pair.patient, pair.medicine, 4.0, now);
    let kinds: Vec<MessageKind> = sync_and_deliver(&pair, now)
        .iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            MessageKind::Shared,
            MessageKind::Schedule,
            MessageKind::Supply
        ]
    );
}

#[test]
fn a_refused_refill_alert_names_the_medicine_only_at_the_full_privacy_level() {
    use regimen_core::reminder::{PlanInput, plan};
    use regimen_core::settings::{PrivacyLevel, Settings};
    use regimen_core::share::caregiver::AlertDue;
    use regimen_core::share::message::SharedSupplyStatus;
    let now = at("2026-03-10T06:00:00Z");
    let alert = AlertDue {
        silence: false,
        supply: Some(SharedSupplyStatus::RefillRefused),
        share_id: 3,
        patient: "Ana".into(),
        due_at: now,
        fire_at: now.plus(Duration::from_secs(60)),
        medicine_ids: vec![7],
        names: vec!["Metoprolol".into()],
    };
    let body = |privacy| {
        let mut settings = Settings::default();
        settings.reminders.privacy = privacy;
        let input = PlanInput {
            alerts: vec![alert.clone()],
            settings,
            ..PlanInput::default()
        };
        let planned = plan(&input, now, Duration::from_secs(86_400), 64).unwrap();
        let only = planned.notifications.into_iter().next().unwrap();
        assert_eq!(only.kind, NotificationKind::CaregiverAlert);
        assert_eq!(only.share_id, Some(3));
        (only.title, only.body)
    };
    assert_eq!(
        body(PrivacyLevel::Full),
        (
            "Check on Ana".to_owned(),
            "The pharmacy turned down a refill: Metoprolol".to_owned()
        )
    );
    assert_eq!(
        body(PrivacyLevel::Generic).1,
        "The pharmacy turned down a refill request"
    );
    assert_eq!(body(PrivacyLevel::Hidden).1, "You have a reminder");
}

fn diary_entry(
    medicine: Option<i64>,
    when: &str,
    text: &str,
) -> regimen_core::diary::NewDiaryEntry {
    use regimen_core::diary::measure::Measurement;
    regimen_core::diary::NewDiaryEntry {
        at: at(when),
        text: Some(text.into()),
        medicine_id: medicine,
        severity: Some(4),
        measurements: vec![Measurement::BloodPressure {
            systolic_mmhg: 162,
            diastolic_mmhg: 101,
        }],
    }
}

#[test]
fn with_medicines_the_caregiver_sees_diary_entries_without_their_text_and_loses_deleted_ones() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[ShareScope::Medicines], now);
    // Written before the share began: not the caregiver's to see.
    let before = pair
        .patient
        .add_diary_entry(
            &diary_entry(None, "2026-03-09T20:00:00Z", "older"),
            at("2026-03-09T20:00:00Z"),
        )
        .unwrap();
    sync_and_deliver(&pair, now);
    let words = "Pounding headache after the morning tablet";
    let later = at("2026-03-10T08:00:00Z");
    let entry = pair
        .patient
        .add_diary_entry(
            &diary_entry(Some(pair.medicine), "2026-03-10T07:45:00Z", words),
            later,
        )
        .unwrap();
    let requests = prepare(&pair.patient, later);
    for request in &requests {
        let text = String::from_utf8_lossy(&request.body);
        assert!(!text.contains("headache"), "the push body is encrypted");
    }
    let received = deliver(&pair, &requests, later);
    assert!(received.iter().any(|r| r.kind == MessageKind::Diary));
    let shown = view(
        &pair,
        caregiver_share,
        "2026-03-10T00:00:00Z",
        "2026-03-11T00:00:00Z",
        later,
    )
    .diary;
    assert_eq!(shown.len(), 1, "only the entry written since sharing began");
    assert_ne!(shown[0].entry_id, before.id);
    assert_eq!(shown[0].entry_id, entry.id);
    assert_eq!(shown[0].at, at("2026-03-10T07:45:00Z"));
    assert_eq!(shown[0].severity, Some(4));
    assert_eq!(shown[0].measurements, entry.measurements);
    assert_eq!(shown[0].medicine_id, Some(pair.medicine));
    assert_eq!(shown[0].name.as_deref(), Some("Metoprolol"));
    assert!(
        !format!("{:?}", shown[0]).contains("headache"),
        "the text is never shared"
    );
    // Nothing new: nothing sent again.
    let again = sync_and_deliver(&pair, at("2026-03-10T08:05:00Z"));
    assert!(again.iter().all(|r| r.kind != MessageKind::Diary));

    // The patient deletes it; the caregiver's copy goes too.
    let deleted_at = at("2026-03-10T09:00:00Z");
    pair.patient
        .delete_diary_entry(entry.id, deleted_at)
        .unwrap();
    let received = sync_and_deliver(&pair, deleted_at);
    assert!(received.iter().any(|r| r.kind == MessageKind::DiaryRemoved));
    let view_after = view(
        &pair,
        caregiver_share,
        "2026-03-10T00:00:00Z",
        "2026-03-11T00:00:00Z",
        deleted_at,
    );
    assert!(view_after.diary.is_empty(), "{:?}", view_after.diary);
    // Deleting an entry the caregiver never heard of sends nothing.
    pair.patient
        .delete_diary_entry(before.id, deleted_at)
        .unwrap();
    assert!(prepare(&pair.patient, deleted_at).is_empty());
}

#[test]
fn without_the_medicines_scope_no_diary_entry_reaches_the_caregiver() {
    let now = at("2026-03-10T06:00:00Z");
    let (pair, _, caregiver_share) = pair_with(&[], now);
    sync_and_deliver(&pair, now);
    let later = at("2026-03-10T08:00:00Z");
    let entry = pair
        .patient
        .add_diary_entry(
            &diary_entry(Some(pair.medicine), "2026-03-10T07:45:00Z", "dizzy"),
            later,
        )
        .unwrap();
    let received = sync_and_deliver(&pair, later);
    assert!(
        received
            .iter()
            .all(|r| !matches!(r.kind, MessageKind::Diary | MessageKind::DiaryRemoved))
    );
    pair.patient.delete_diary_entry(entry.id, later).unwrap();
    assert!(prepare(&pair.patient, later).is_empty());
    let shown = view(
        &pair,
        caregiver_share,
        "2026-03-10T00:00:00Z",
        "2026-03-11T00:00:00Z",
        later,
    );
    assert!(shown.diary.is_empty());
}
