//! Caregiver sharing through the public API and a real HTTP push service on loopback: the
//! patient's `send_pending` posts RFC 8030 requests the stand-in checks (VAPID, headers, size);
//! the caregiver takes the bodies in with `receive`. The service is made to fail (500, no
//! answer, an answer lost after the body was kept, 429, 410) to show that retries lose and
//! duplicate nothing.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use regimen_core::share::base64url;
use regimen_ffi::{
    DoseAction, MedicineInfo, MessageKind, NewDoseEvent, Phase, Regimen, RegimenConfig, SendReport,
    ShareScope, ShareState, SharedDoseStatus, Timestamp, Timing, TimingRepeat, UnitOfTime,
    ZonePolicy,
};
use regimen_tests::push_service::{Failure, PushService};
use regimen_tests::{MemoryKeyStore, block_on};

/// Two databases on one machine, each reopened at chosen instants near the real clock (the
/// push service checks VAPID tokens against it).
struct Phones {
    dir: tempfile::TempDir,
    keys: Arc<MemoryKeyStore>,
    start: Timestamp,
}

impl Phones {
    fn new() -> Phones {
        let now = Timestamp::from_system_time(SystemTime::now()).unwrap();
        // Whole minutes, so dose times line up.
        let start = Timestamp::from_millis(now.as_millis() / 60_000 * 60_000).unwrap();
        Phones {
            dir: tempfile::tempdir().unwrap(),
            keys: Arc::new(MemoryKeyStore::default()),
            start,
        }
    }

    /// `who`'s database with "now" pinned `minutes` after the start.
    fn open(&self, who: &str, minutes: u64) -> Arc<Regimen> {
        let config = RegimenConfig {
            key_alias: who.into(),
            push_contact: Some("mailto:sharing@example.org".into()),
            ..RegimenConfig::default()
        };
        let path = self.dir.path().join(format!("{who}.db"));
        let now = self.start.plus(Duration::from_secs(minutes * 60));
        Regimen::open_at(
            path.to_string_lossy().into_owned(),
            config,
            self.keys.clone(),
            now,
        )
        .unwrap()
    }

    fn at(&self, minutes: u64) -> Timestamp {
        self.start.plus(Duration::from_secs(minutes * 60))
    }
}

/// Every 4 hours from the start, in UTC.
fn every_four_hours(phones: &Phones) -> regimen_ffi::Schedule {
    let start = phones.start.to_datetime().naive_utc();
    regimen_ffi::Schedule {
        start: regimen_ffi::LocalDateTime(start),
        zone: "UTC".into(),
        policy: ZonePolicy::Local,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(1),
                    period: Some(4.0),
                    period_unit: Some(UnitOfTime::H),
                    ..TimingRepeat::default()
                }),
                ..Timing::default()
            },
            ..Phase::default()
        }],
        as_needed: None,
        shift: None,
    }
}

/// Pairs a patient (one medicine every 4 hours, first dose at the start) with a caregiver
/// whose push subscription lives on `service`. Returns the medicine's id.
fn pair(phones: &Phones, service: &PushService, scopes: Vec<ShareScope>) -> i64 {
    let patient = phones.open("patient", 0);
    let medicine = patient
        .add_scheduled_medicine(
            MedicineInfo {
                name: "Amoxicillin".into(),
                ..MedicineInfo::default()
            },
            Some(every_four_hours(phones)),
        )
        .unwrap();
    let offer = patient.offer_share("Ana".into(), scopes).unwrap();
    let vapid: serde_json::Value = serde_json::from_str(&offer.payload).unwrap();
    let key = base64url::decode(vapid["vapid"].as_str().unwrap(), "vapid").unwrap();
    let endpoint = service.subscribe("ben", &key);
    let caregiver = phones.open("caregiver", 0);
    let answer = caregiver
        .answer_offer(offer.payload, endpoint, "Ben".into(), None)
        .unwrap();
    patient.accept_answer(answer.payload).unwrap();
    medicine.id
}

/// Hands every accepted body to the caregiver; returns the kinds taken in and ignored.
fn hand_over(service: &PushService, caregiver: &Regimen) -> (Vec<MessageKind>, usize) {
    let mut kinds = Vec::new();
    let mut ignored = 0;
    for delivered in service.take_delivered() {
        let received = caregiver.receive(delivered.body).unwrap();
        if received.ignored {
            ignored += 1;
        } else {
            kinds.push(received.kind);
        }
    }
    (kinds, ignored)
}

#[test]
fn messages_reach_the_caregiver_through_a_checked_push_service() {
    let phones = Phones::new();
    let service = PushService::start().unwrap();
    let medicine = pair(&phones, &service, vec![ShareScope::Medicines]);

    let patient = phones.open("patient", 1);
    let report = block_on(patient.send_pending()).unwrap();
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
    assert_eq!(block_on(patient.send_pending()).unwrap().delivered, 1);

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
    let report = block_on(patient.send_pending()).unwrap();
    assert_eq!((report.delivered, report.retrying), (0, 2));
    let retry_at = report.next_attempt_at.expect("a retry is planned");
    assert!(retry_at > phones.at(1) && retry_at <= phones.at(2));
    // Nothing is due before the backoff ends.
    assert_eq!(block_on(patient.send_pending()).unwrap().delivered, 0);

    // A minute later both go out; the caregiver drops the copy it already had.
    let patient = phones.open("patient", 3);
    let report = block_on(patient.send_pending()).unwrap();
    assert_eq!((report.delivered, report.retrying), (2, 0));
    let caregiver = phones.open("caregiver", 3);
    let (kinds, ignored) = hand_over(&service, &caregiver);
    assert_eq!(kinds, [MessageKind::Shared, MessageKind::Schedule]);
    assert_eq!(ignored, 1);

    // 429: the share waits the service's Retry-After.
    let patient = phones.open("patient", 4);
    patient.revoke(patient.shares().unwrap()[0].id).unwrap();
    service.fail_next("ben", &[Failure::TooManyRequests(300)]);
    let report = block_on(patient.send_pending()).unwrap();
    assert_eq!(report.retrying, 1);
    assert_eq!(report.next_attempt_at, Some(phones.at(9)));
    let patient = phones.open("patient", 9);
    assert_eq!(block_on(patient.send_pending()).unwrap().delivered, 1);
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
    let report = block_on(patient.send_pending()).unwrap();
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
    let report = block_on(patient.send_pending()).unwrap();
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
    let report = block_on(patient.send_pending()).unwrap();
    assert_eq!(report.shares_gone, 1);
    assert_eq!(report.next_attempt_at, None);
    let share = patient.shares().unwrap().remove(0);
    assert_eq!((share.state, share.pending_messages), (ShareState::Gone, 0));
}
