//! Caregiver sharing through the public API and a real HTTP push service on loopback: the
//! patient's `send_pending` posts RFC 8030 requests the stand-in checks (VAPID, headers, size);
//! the caregiver takes the bodies in with `receive`. The service is made to fail (500, no
//! answer, an answer lost after the body was kept, 429, 410) to show that retries lose and
//! duplicate nothing.

use regimen_ffi::{
    DoseAction, MessageKind, NewDoseEvent, SendReport, ShareScope, ShareState, SharedDoseStatus,
};
use regimen_tests::block_on;
use regimen_tests::phones::{Phones, hand_over, pair};
use regimen_tests::push_service::{Failure, PushService};

#[test]
fn messages_reach_the_caregiver_through_a_checked_push_service() {
    let phones = Phones::new();
    let service = PushService::start().unwrap();
    let medicine = pair(&phones, &service, vec![ShareScope::Medicines]);

    let patient = phones.open("patient", 1);
    let report = block_on(patient.send_pending(regimen_ffi::native_http())).unwrap();
    assert_eq!(
        report,
        SendReport {
            delivered: 2,
            next_attempt_at: None,
            ..SendReport::default()
        }
    );
    assert!(service.refused().is_empty(), "{:?}", service.refused());

    patient
        .log_dose(NewDoseEvent {
            medicine_id: medicine,
            action: DoseAction::Taken,
            actual_at: phones.at(1),
            scheduled_at: Some(phones.at(0)),
            snooze_until: None,
            note: None,
            amount: None,
            corrects: None,
        })
        .unwrap();
    assert_eq!(
        block_on(patient.send_pending(regimen_ffi::native_http()))
            .unwrap()
            .delivered,
        1
    );

    let caregiver = phones.open("caregiver", 2);
    let (kinds, ignored) = hand_over(&service, &caregiver);
    assert_eq!(
        kinds,
        [
            MessageKind::Shared,
            MessageKind::Schedule,
            MessageKind::Dose
        ]
    );
    assert_eq!(ignored, 0);
    let share = caregiver.shares().unwrap().remove(0);
    assert_eq!(share.state, ShareState::Active);
    let view = caregiver
        .patient_view(share.id, phones.at(0), phones.at(481))
        .unwrap();
    let statuses: Vec<SharedDoseStatus> = view.doses.iter().map(|d| d.status).collect();
    assert_eq!(
        statuses,
        [
            SharedDoseStatus::Taken,
            SharedDoseStatus::Upcoming,
            SharedDoseStatus::Upcoming
        ]
    );
    assert_eq!(view.doses[0].name.as_deref(), Some("Amoxicillin"));
}

#[test]
fn failures_are_retried_after_backoff_and_nothing_is_lost_or_taken_twice() {
    let phones = Phones::new();
    let service = PushService::start().unwrap();
    pair(&phones, &service, vec![]);

    // The first message's answer is lost after the service kept it; the second gets a 500.
    service.fail_next("ben", &[Failure::AcceptThenHangup, Failure::Status(500)]);
    let patient = phones.open("patient", 1);
    let report = block_on(patient.send_pending(regimen_ffi::native_http())).unwrap();
    assert_eq!((report.delivered, report.retrying), (0, 2));
    let retry_at = report.next_attempt_at.expect("a retry is planned");
    assert!(retry_at > phones.at(1) && retry_at <= phones.at(2));
    // Nothing is due before the backoff ends.
    assert_eq!(
        block_on(patient.send_pending(regimen_ffi::native_http()))
            .unwrap()
            .delivered,
        0
    );

    // A minute later both go out; the caregiver drops the copy it already had.
    let patient = phones.open("patient", 3);
    let report = block_on(patient.send_pending(regimen_ffi::native_http())).unwrap();
    assert_eq!((report.delivered, report.retrying), (2, 0));
    let caregiver = phones.open("caregiver", 3);
    let (kinds, ignored) = hand_over(&service, &caregiver);
    assert_eq!(kinds, [MessageKind::Shared, MessageKind::Schedule]);
    assert_eq!(ignored, 1);

    // 429: the share waits the service's Retry-After.
    let patient = phones.open("patient", 4);
    patient.revoke(patient.shares().unwrap()[0].id).unwrap();
    service.fail_next("ben", &[Failure::TooManyRequests(300)]);
    let report = block_on(patient.send_pending(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.retrying, 1);
    assert_eq!(report.next_attempt_at, Some(phones.at(9)));
    let patient = phones.open("patient", 9);
    assert_eq!(
        block_on(patient.send_pending(regimen_ffi::native_http()))
            .unwrap()
            .delivered,
        1
    );
    let (kinds, _) = hand_over(&service, &caregiver);
    assert_eq!(kinds, [MessageKind::Revoked]);
    assert_eq!(caregiver.shares().unwrap()[0].state, ShareState::Revoked);
}

#[test]
fn an_unreachable_service_keeps_everything_for_later() {
    let phones = Phones::new();
    let service = PushService::start().unwrap();
    pair(&phones, &service, vec![]);
    drop(service);
    let patient = phones.open("patient", 1);
    let report = block_on(patient.send_pending(regimen_ffi::native_http())).unwrap();
    assert_eq!((report.delivered, report.retrying), (0, 2));
    assert_eq!(patient.shares().unwrap()[0].pending_messages, 2);
}

#[test]
fn a_gone_subscription_stops_the_share_and_a_wrong_key_is_refused_by_the_service() {
    let phones = Phones::new();
    let service = PushService::start().unwrap();
    pair(&phones, &service, vec![]);

    // The service holds the subscription under another application server key: it refuses
    // the patient's token (403), and the message waits.
    service.subscribe("ben", &[4; 65]);
    let patient = phones.open("patient", 1);
    let report = block_on(patient.send_pending(regimen_ffi::native_http())).unwrap();
    assert_eq!((report.delivered, report.retrying), (0, 2));
    assert_eq!(
        service.refused(),
        [
            "key differs from the subscription's applicationServerKey",
            "key differs from the subscription's applicationServerKey"
        ]
    );

    // The caregiver's subscription ends: 410, and sending stops for good.
    service.unsubscribe("ben");
    let patient = phones.open("patient", 3);
    let report = block_on(patient.send_pending(regimen_ffi::native_http())).unwrap();
    assert_eq!(report.shares_gone, 1);
    assert_eq!(report.next_attempt_at, None);
    let share = patient.shares().unwrap().remove(0);
    assert_eq!((share.state, share.pending_messages), (ShareState::Gone, 0));
}
