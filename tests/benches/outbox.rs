//! The caregiver outbox end to end: 1,000 waiting messages (one per dose logged) sent by
//! `send_pending` to the push-service stand-in on loopback, which checks each request's VAPID
//! token and headers. Includes queuing them (sync), encrypting, HTTP, and recording each
//! result in its own durable transaction.
//!
//! `cargo bench -p regimen-tests --bench outbox`

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use regimen_core::share::base64url;
use regimen_ffi::{DoseAction, MedicineInfo, NewDoseEvent, Regimen, RegimenConfig, Timestamp};
use regimen_tests::MemoryKeyStore;
use regimen_tests::push_service::PushService;

const MESSAGES: u64 = 1_000;

/// A patient paired with a caregiver on `service`, with `MESSAGES` doses logged since.
fn patient_with_outbox(service: &PushService, dir: &tempfile::TempDir) -> Arc<Regimen> {
    let keys = Arc::new(MemoryKeyStore::default());
    let now = Timestamp::from_system_time(SystemTime::now()).unwrap();
    let open = |who: &str| {
        let config = RegimenConfig {
            key_alias: who.into(),
            ..RegimenConfig::default()
        };
        let path = dir.path().join(format!("{who}.db"));
        Regimen::open_at(
            path.to_string_lossy().into_owned(),
            config,
            keys.clone(),
            now,
        )
        .unwrap()
    };
    let patient = open("patient");
    let caregiver = open("caregiver");
    let medicine = patient
        .add_medicine(MedicineInfo {
            name: "Paracetamol".into(),
            ..MedicineInfo::default()
        })
        .unwrap();
    let offer = patient.offer_share("Ana".into(), vec![]).unwrap();
    let payload: serde_json::Value = serde_json::from_str(&offer.payload).unwrap();
    let key = base64url::decode(payload["vapid"].as_str().unwrap(), "vapid").unwrap();
    // Each run's patient has a new VAPID key; the subscription is made again for it.
    let endpoint = service.subscribe("ben", &key);
    let answer = caregiver
        .answer_offer(offer.payload, endpoint, "Ben".into(), None)
        .unwrap();
    patient.accept_answer(answer.payload).unwrap();
    let events = (0..MESSAGES - 2)
        .map(|i| NewDoseEvent {
            medicine_id: medicine.id,
            action: DoseAction::Taken,
            actual_at: now.minus(Duration::from_secs(i + 1)),
            scheduled_at: None,
            snooze_until: None,
            note: None,
            amount: None,
            corrects: None,
        })
        .collect();
    patient.log_doses(events).unwrap();
    patient
}

fn send_outbox(c: &mut Criterion) {
    let service = PushService::start().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("share");
    group.sample_size(10);
    group.bench_function("send_pending_1000_messages_loopback", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let patient = patient_with_outbox(&service, &dir);
                (dir, patient)
            },
            |(dir, patient)| {
                let report = runtime
                    .block_on(patient.send_pending(regimen_ffi::native_http()))
                    .unwrap();
                assert_eq!(u64::from(report.delivered), MESSAGES);
                service.take_delivered();
                (dir, patient)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(outbox, send_outbox);
criterion_main!(outbox);
