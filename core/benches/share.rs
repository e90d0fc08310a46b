//! Caregiver sharing: encrypting a Web Push message for a caregiver, and reading one; the
//! outbox's own work for 1,000 messages (no network).
//!
//! `cargo bench -p regimen-core --bench share`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use regimen_core::Timestamp;
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::share::ece::{ReceiverKeys, decrypt, encrypt};
use regimen_core::share::outbox::{PushOutcome, PushResult};
use regimen_core::share::vapid::VapidKey;

/// A daily summary is a few hundred bytes of JSON; 512 bytes stands for one.
const MESSAGE: [u8; 512] = [b'm'; 512];

fn encrypt_decrypt(c: &mut Criterion) {
    let caregiver = ReceiverKeys::generate().unwrap();
    let public = caregiver.public_key();
    let auth = caregiver.auth();
    c.bench_function("share/encrypt_512_bytes", |b| {
        b.iter(|| black_box(encrypt(black_box(&MESSAGE), &public, &auth).unwrap()))
    });
    let body = encrypt(&MESSAGE, &public, &auth).unwrap();
    c.bench_function("share/decrypt_512_bytes", |b| {
        b.iter(|| black_box(decrypt(black_box(&body), &caregiver).unwrap()))
    });
}

/// A whole push as the patient's phone prepares it when no token is cached: the message
/// encrypted and a fresh VAPID token signed.
fn encrypt_and_sign(c: &mut Criterion) {
    let caregiver = ReceiverKeys::generate().unwrap();
    let (public, auth) = (caregiver.public_key(), caregiver.auth());
    let vapid = VapidKey::generate().unwrap();
    let now = Timestamp::from_millis(1_795_000_000_000).unwrap();
    let endpoint = "https://push.example.net/push/abc";
    c.bench_function("share/vapid_sign", |b| {
        b.iter(|| {
            black_box(
                vapid
                    .authorization(endpoint, Some("mailto:a@example.org"), now)
                    .unwrap(),
            )
        })
    });
    c.bench_function("share/encrypt_and_sign_512_bytes", |b| {
        b.iter(|| {
            black_box((
                encrypt(black_box(&MESSAGE), &public, &auth).unwrap(),
                vapid
                    .authorization(endpoint, Some("mailto:a@example.org"), now)
                    .unwrap(),
            ))
        })
    });
}

#[path = "../tests/common/mod.rs"]
mod common;

/// A patient paired with a caregiver and 1,000 messages waiting (one per dose logged).
fn outbox_of_1000() -> (
    regimen_core::Records,
    regimen_core::Records,
    tempfile::TempDir,
    tempfile::TempDir,
) {
    let (patient, patient_dir) = common::store();
    let (caregiver, caregiver_dir) = common::store();
    let now = common::at("2026-03-10T12:00:00Z");
    let medicine = patient
        .add_medicine(&common::named("Paracetamol"), now)
        .unwrap()
        .id;
    let offer = patient.offer_share("Ana", &[], now).unwrap();
    let answer = caregiver
        .answer_offer(
            &offer.payload,
            "https://push.example.net/p/1",
            "Ben",
            None,
            now,
        )
        .unwrap();
    patient.accept_answer(&answer.payload, now).unwrap();
    let events: Vec<NewDoseEvent> = (0..998)
        .map(|i| NewDoseEvent {
            medicine_id: medicine,
            action: DoseAction::Taken,
            actual_at: now.minus(Duration::from_secs(i + 1)),
            scheduled_at: None,
            snooze_until: None,
            note: None,
            amount: None,
            corrects: None,
        })
        .collect();
    patient.log_doses(&events, now).unwrap();
    patient.sync_shares(now, &[], &[]).unwrap();
    (patient, caregiver, patient_dir, caregiver_dir)
}

/// Prepares 1,000 requests (encrypt, one VAPID token) and records each as accepted (one
/// durable transaction each); then the caregiver takes all 1,000 in.
fn outbox(c: &mut Criterion) {
    let now = common::at("2026-03-10T12:00:00Z");
    let accepted = PushResult::Status {
        code: 201,
        retry_after_seconds: None,
    };
    let mut group = c.benchmark_group("share");
    group.sample_size(10);
    group.bench_function("outbox_prepare_and_record_1000", |b| {
        b.iter_batched(
            outbox_of_1000,
            |(patient, caregiver, d1, d2)| {
                let requests = patient.prepare_push_requests(now, None, 1000).unwrap();
                assert_eq!(requests.len(), 1000);
                for request in &requests {
                    let outcome = patient
                        .record_push_result(request.outbox_id, accepted, now)
                        .unwrap();
                    assert_eq!(outcome, PushOutcome::Delivered);
                }
                (patient, caregiver, d1, d2, requests)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("receive_1000", |b| {
        b.iter_batched(
            || {
                let (patient, caregiver, d1, d2) = outbox_of_1000();
                let requests = patient.prepare_push_requests(now, None, 1000).unwrap();
                (caregiver, requests, d1, d2)
            },
            |(caregiver, requests, d1, d2)| {
                for request in &requests {
                    assert!(!caregiver.receive(&request.body, now).unwrap().ignored);
                }
                (caregiver, d1, d2)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(share_benches, encrypt_decrypt, encrypt_and_sign, outbox);
criterion_main!(share_benches);
