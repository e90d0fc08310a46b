//! The FHIR Bundle of everything: a ten-year history (20 medicines twice a day since
//! 2015-06-01: 146,000 doses due, about 137,500 answered, a note on every 40th) exported, and
//! that export imported into a new database. Run with `cargo bench -p regimen-core --bench
//! fhir`; figures go in docs/benchmarks.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::export::fhir::FhirExportOptions;
use regimen_core::medicine::MedicineInfo;
use regimen_core::pgx::AlleleTable;
use regimen_core::schedule::{Phase, Schedule, Timing, TimingRepeat, UnitOfTime, ZonePolicy};
use regimen_core::{OpenOptions, Records, Timestamp};

// The integration tests' fixed-key provider: benchmarks measure the export, not key handling.
#[path = "../tests/common/mod.rs"]
mod common;
use common::FixedKey;

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

/// Medicine `i` at 08:`i` and 20:`i` every day from 2015-06-01, in Berlin.
fn twice_a_day(i: usize) -> Schedule {
    let times = ["08", "20"]
        .iter()
        .map(|h| format!("{h}:{:02}", i % 60).parse().unwrap())
        .collect();
    Schedule {
        start: "2015-06-01".parse().unwrap(),
        zone: "Europe/Berlin".into(),
        policy: ZonePolicy::Local,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(2),
                    period: Some(1.0),
                    period_unit: Some(UnitOfTime::D),
                    time_of_day: times,
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

fn open(path: &std::path::Path) -> Records {
    Records::open(path, &OpenOptions::default(), &FixedKey).unwrap()
}

fn fhir(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("history.db"));
    let (epoch, now) = (at("2015-06-01T00:00:00Z"), at("2025-06-01T00:00:00Z"));
    store.record_device_zone("Europe/Berlin", epoch).unwrap();
    for i in 0..20 {
        let info = MedicineInfo {
            name: format!("Medicine {i}"),
            ..MedicineInfo::default()
        };
        let id = store.add_medicine(&info, epoch).unwrap().id;
        store
            .set_schedule(id, Some(&twice_a_day(i)), epoch, epoch)
            .unwrap();
    }
    let doses = store.doses(epoch, now, now).unwrap();
    let events: Vec<NewDoseEvent> = doses
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 17 != 0)
        .map(|(n, d)| NewDoseEvent {
            medicine_id: d.medicine_id,
            action: if n % 23 == 0 {
                DoseAction::Skipped
            } else {
                DoseAction::Taken
            },
            actual_at: d
                .due_at
                .unwrap()
                .plus(Duration::from_secs(60 * (n as u64 % 50))),
            scheduled_at: d.due_at,
            snooze_until: None,
            note: (n % 40 == 0).then(|| "Felt dizzy".to_owned()),
            amount: None,
            corrects: None,
        })
        .collect();
    for batch in events.chunks(5_000) {
        store.log_doses(batch, now).unwrap();
    }
    let table = AlleleTable::builtin().unwrap();
    let options = FhirExportOptions::default();
    let bundle = store.export_fhir_bundle(&options, &table, now).unwrap();
    println!(
        "fhir: {} doses due, {} dose events, the Bundle is {:.1} MiB",
        doses.len(),
        events.len(),
        bundle.len() as f64 / (1024.0 * 1024.0)
    );

    let mut group = c.benchmark_group("fhir");
    group.sample_size(10);
    group.bench_function("export_10_years_20_medicines", |b| {
        b.iter(|| black_box(store.export_fhir_bundle(&options, &table, now).unwrap()))
    });
    let mut next = 0;
    group.bench_function("import_10_years_20_medicines", |b| {
        b.iter_batched(
            || {
                next += 1;
                open(&dir.path().join(format!("copy-{next}.db")))
            },
            |copy| black_box(copy.import_fhir_bundle(&bundle, now).unwrap()),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(fhir_benches, fhir);
criterion_main!(fhir_benches);
