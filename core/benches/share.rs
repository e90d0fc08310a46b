//! Caregiver sharing: encrypting a Web Push message for a caregiver, and reading one.
//!
//! `cargo bench -p regimen-core --bench share`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use regimen_core::share::ece::{ReceiverKeys, decrypt, encrypt};

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

criterion_group!(share_benches, encrypt_decrypt);
criterion_main!(share_benches);
