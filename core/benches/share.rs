//! Caregiver sharing: encrypting a Web Push message for a caregiver, and reading one.
//!
//! `cargo bench -p regimen-core --bench share`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use regimen_core::Timestamp;
use regimen_core::share::ece::{ReceiverKeys, decrypt, encrypt};
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

criterion_group!(share_benches, encrypt_decrypt, encrypt_and_sign);
criterion_main!(share_benches);
