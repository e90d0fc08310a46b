//! The patient's data out and back: CSV exports, a backup and its restore, of a ten-year
//! history (20 medicines twice a day for 3,650 days: 146,000 doses).
//! Run with `cargo bench -p regimen-core --bench export`; figures go in docs/benchmarks.md.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use regimen_core::backup::KdfCost;
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::medicine::{DoseForm, MedicineInfo, Route};
use regimen_core::{OpenOptions, Records, Timestamp};

#[path = "../tests/common/mod.rs"]
mod common;
use common::{FixedKey, daily_schedule};

const PASSPHRASE: &str = "ten years of doses";

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

/// 20 medicines at 08:00 and 20:00 UTC from 2016-12-01, every dose of ten years answered (one
/// in ten skipped, one in fifty with a note).
fn ten_years(path: &Path) -> Records {
    let store = Records::open(path, &OpenOptions::default(), &FixedKey).unwrap();
    let start = at("2016-12-01T00:00:00Z");
    let now = at("2026-12-01T00:00:00Z");
    let medicines: Vec<i64> = (0..20)
        .map(|i| {
            let info = MedicineInfo {
                name: format!("Medicine {i}"),
                strength: Some("500 mg".into()),
                form: Some(DoseForm::Tablet),
                route: Some(Route::Oral),
                ..MedicineInfo::default()
            };
            let id = store.add_medicine(&info, start).unwrap().id;
            let schedule = daily_schedule("2016-12-01", "UTC", &["08:00", "20:00"]);
            store
                .set_schedule(id, Some(&schedule), start, start)
                .unwrap();
            id
        })
        .collect();
    let mut events = Vec::with_capacity(146_000);
    for day in 0..3_650u64 {
        for (hour, half) in [(8u64, 0u64), (20, 1)] {
            let due = start.plus(Duration::from_secs(day * 86_400 + hour * 3_600));
            for (m, &id) in medicines.iter().enumerate() {
                let n = (day * 2 + half) * 20 + m as u64;
                events.push(NewDoseEvent {
                    medicine_id: id,
                    action: if n % 10 == 0 {
                        DoseAction::Skipped
                    } else {
                        DoseAction::Taken
                    },
                    actual_at: due.plus(Duration::from_secs(n % 7 * 60)),
                    scheduled_at: Some(due),
                    snooze_until: None,
                    note: (n % 50 == 0).then(|| "Felt dizzy".to_owned()),
                    amount: None,
                    corrects: None,
                });
            }
        }
    }
    for batch in events.chunks(1_000) {
        store.log_doses(batch, now).unwrap();
    }
    store
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = ten_years(&dir.path().join("ten-years.db"));
    let (from, to, now) = (
        at("2016-12-01T00:00:00Z"),
        at("2026-12-01T00:00:00Z"),
        at("2026-12-01T00:00:00Z"),
    );
    let backup = store
        .export_backup(PASSPHRASE, KdfCost::STANDARD, now)
        .unwrap();
    eprintln!(
        "ten years: database {} KiB, backup {} KiB",
        std::fs::metadata(dir.path().join("ten-years.db"))
            .unwrap()
            .len()
            / 1024,
        backup.len() / 1024
    );

    let mut group = c.benchmark_group("export");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("dose_log_csv_146k_doses", |b| {
        b.iter(|| black_box(store.export_dose_log_csv(from, to).unwrap()));
    });
    group.bench_function("adherence_csv_ten_years", |b| {
        b.iter(|| black_box(store.export_adherence_csv(from, to, now).unwrap()));
    });
    // The key derivation alone (64 MiB, 3 passes) is most of a small backup's cost.
    let empty = Records::open(
        &dir.path().join("empty.db"),
        &OpenOptions::default(),
        &FixedKey,
    )
    .unwrap();
    group.bench_function("backup_empty_database", |b| {
        b.iter(|| {
            black_box(
                empty
                    .export_backup(PASSPHRASE, KdfCost::STANDARD, now)
                    .unwrap(),
            )
        });
    });
    group.bench_function("backup_146k_doses", |b| {
        b.iter(|| {
            black_box(
                store
                    .export_backup(PASSPHRASE, KdfCost::STANDARD, now)
                    .unwrap(),
            )
        });
    });
    let restores = tempfile::tempdir().unwrap();
    let mut turn = 0;
    group.bench_function("restore_146k_doses", |b| {
        b.iter_batched(
            || {
                turn += 1;
                restores.path().join(format!("restored-{turn}.db"))
            },
            |path| {
                Records::restore_backup(
                    &path,
                    &OpenOptions::default(),
                    &FixedKey,
                    &backup,
                    PASSPHRASE,
                )
                .unwrap()
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(export_benches, benches);
criterion_main!(export_benches);
