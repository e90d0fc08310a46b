//! Store benchmarks: open a store, add medicines, log and read a large dose log.
//! Run with `cargo bench -p regimen-core --bench store`; figures go in docs/benchmarks.md.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::medicine::{DoseForm, MedicineInfo, Route};
use regimen_core::{OpenOptions, Records, Timestamp};

// The integration tests' fixed-key provider: benchmarks measure the store, not key handling.
#[path = "../tests/common/mod.rs"]
mod common;
use common::FixedKey;

fn open(path: &Path) -> Records {
    Records::open(path, &OpenOptions::default(), &FixedKey).unwrap()
}

fn start() -> Timestamp {
    Timestamp::parse_rfc3339("2020-01-01T08:00:00Z").unwrap()
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap()
}

fn medicine(i: usize) -> MedicineInfo {
    MedicineInfo {
        name: format!("Medicine {i}"),
        strength: Some("500 mg".into()),
        form: Some(DoseForm::Tablet),
        route: Some(Route::Oral),
        rxnorm: Some("6809".into()),
        atc: Some("A10BA02".into()),
        instructions: Some("With breakfast and with dinner".into()),
        ..MedicineInfo::default()
    }
}

fn add_medicines(store: &Records, count: usize) -> Vec<i64> {
    (0..count)
        .map(|i| store.add_medicine(&medicine(i), start()).unwrap().id)
        .collect()
}

/// 100,000 doses over the medicines, every 30 minutes from `start()`, in batches of 1,000.
fn log_history(store: &Records, medicines: &[i64]) {
    let events: Vec<NewDoseEvent> = (0..100_000u64)
        .map(|i| NewDoseEvent {
            medicine_id: medicines[i as usize % medicines.len()],
            action: if i % 10 == 0 {
                DoseAction::Skipped
            } else {
                DoseAction::Taken
            },
            actual_at: start().plus(Duration::from_secs(i * 1800)),
            scheduled_at: Some(start().plus(Duration::from_secs(i * 1800))),
            snooze_until: None,
            note: (i % 50 == 0).then(|| "Felt unwell".to_string()),
            amount: None,
            corrects: None,
        })
        .collect();
    for batch in events.chunks(1_000) {
        store.log_doses(batch, now()).unwrap();
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.db");
    {
        let store = open(&full);
        let medicines = add_medicines(&store, 1_000);
        log_history(&store, &medicines[..20]);
    }

    let mut group = c.benchmark_group("store");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("open_existing_100k_events", |b| {
        b.iter(|| black_box(open(&full)))
    });
    group.bench_function("add_1000_medicines", |b| {
        b.iter_batched(
            || {
                let fresh = tempfile::tempdir().unwrap();
                let store = open(&fresh.path().join("fresh.db"));
                (fresh, store)
            },
            |(_fresh, store)| add_medicines(&store, 1_000),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("log_100k_doses_in_batches_of_1000", |b| {
        b.iter_batched(
            || {
                let fresh = tempfile::tempdir().unwrap();
                let store = open(&fresh.path().join("fresh.db"));
                let medicines = add_medicines(&store, 20);
                (fresh, store, medicines)
            },
            |(_fresh, store, medicines)| log_history(&store, &medicines),
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let store = open(&full);
    let medicines = store.medicines(false).unwrap();
    let mut group = c.benchmark_group("store_reads");
    group.bench_function("list_1000_medicines", |b| {
        b.iter(|| black_box(store.medicines(true).unwrap()))
    });
    group.bench_function("dose_events_one_day_of_100k", |b| {
        let day = start().plus(Duration::from_secs(365 * 86_400));
        b.iter(|| {
            black_box(
                store
                    .dose_events(day, day.plus(Duration::from_secs(86_400)), None)
                    .unwrap(),
            )
        })
    });
    group.bench_function("dose_events_all_100k", |b| {
        b.iter(|| {
            black_box(
                store
                    .dose_events(Timestamp::MIN, Timestamp::MAX, None)
                    .unwrap(),
            )
        })
    });
    group.bench_function("log_one_dose", |b| {
        let event = NewDoseEvent {
            medicine_id: medicines[0].id,
            action: DoseAction::Taken,
            actual_at: now(),
            scheduled_at: None,
            snooze_until: None,
            note: None,
            amount: None,
            corrects: None,
        };
        b.iter(|| black_box(store.log_dose(&event, now()).unwrap()))
    });
    group.bench_function("add_one_medicine", |b| {
        b.iter(|| black_box(store.add_medicine(&medicine(0), now()).unwrap()))
    });
    group.finish();
}

criterion_group!(store_benches, benches);
criterion_main!(store_benches);
