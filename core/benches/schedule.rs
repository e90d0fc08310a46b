//! Schedule benchmarks: expanding a year of doses, planning notifications, and adherence over
//! a long history. Run with `cargo bench -p regimen-core --bench schedule`; the Python
//! reference for the first one is `core/benches/rrule_reference.sh` (same expansion with
//! python-dateutil). Figures go in docs/benchmarks.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::medicine::MedicineInfo;
use regimen_core::schedule::{
    Anchors, ExpandContext, Phase, Schedule, Timing, TimingRepeat, UnitOfTime, ZonePolicy,
    ZoneTimeline, expand, parse_zone,
};
use regimen_core::{OpenOptions, Records, Timestamp};

// The integration tests' fixed-key provider: benchmarks measure the store, not key handling.
#[path = "../tests/common/mod.rs"]
mod common;
use common::FixedKey;

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

/// Medicine `i`: daily at 08:00, 12:00, 16:00 and 20:00, each `i` minutes later (as the
/// Python reference), in Berlin from `start`.
fn four_a_day(i: usize, start: &str) -> Schedule {
    daily(i, start, &["08", "12", "16", "20"])
}

/// Medicine `i` daily at the given hours, `i` minutes past, in Berlin from `start`.
fn daily(i: usize, start: &str, hours: &[&str]) -> Schedule {
    let times: Vec<_> = hours
        .iter()
        .map(|h| format!("{h}:{:02}", i % 60).parse().unwrap())
        .collect();
    Schedule {
        start: start.parse().unwrap(),
        zone: "Europe/Berlin".into(),
        policy: ZonePolicy::Local,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(hours.len() as u32),
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

fn expand_year(c: &mut Criterion) {
    let schedules: Vec<Schedule> = (0..50).map(|i| four_a_day(i, "2025-01-01")).collect();
    let anchors = Anchors::default();
    let zones = ZoneTimeline::fixed(parse_zone("Europe/Berlin").unwrap());
    let (from, to) = (at("2024-12-31T23:00:00Z"), at("2025-12-31T23:00:00Z"));
    // Everything a call does is timed, the shared zone look-ups included.
    let run = || {
        let offsets = regimen_core::schedule::DayOffsets::default();
        let context = ExpandContext {
            anchors: &anchors,
            device_zones: &zones,
            last_taken: None,
            offsets: &offsets,
        };
        let mut all: Vec<Timestamp> = Vec::with_capacity(73_000);
        for schedule in &schedules {
            all.extend(
                expand(schedule, &context, from, to)
                    .unwrap()
                    .iter()
                    .map(|d| d.at),
            );
        }
        all.sort_unstable();
        all
    };
    assert_eq!(run().len(), 73_000);
    c.bench_function("schedule/expand_year_50x4", |b| b.iter(|| black_box(run())));
}

/// A store with `medicines` medicines at the given hours each day since `start`.
fn store_with(medicines: usize, start: &str, hours: &[&str]) -> (tempfile::TempDir, Records) {
    let dir = tempfile::tempdir().unwrap();
    let store = Records::open(
        &dir.path().join("bench.db"),
        &OpenOptions::default(),
        &FixedKey,
    )
    .unwrap();
    let epoch = at("2000-01-01T00:00:00Z");
    store.record_device_zone("Europe/Berlin", epoch).unwrap();
    for i in 0..medicines {
        let info = MedicineInfo {
            name: format!("Medicine {i}"),
            ..MedicineInfo::default()
        };
        let id = store.add_medicine(&info, epoch).unwrap().id;
        store
            .set_schedule(id, Some(&daily(i, start, hours)), epoch, epoch)
            .unwrap();
    }
    (dir, store)
}

fn plan(c: &mut Criterion) {
    let (_dir, store) = store_with(50, "2025-01-01", &["08", "12", "16", "20"]);
    let now = at("2025-06-01T09:07:00Z");
    let plan = store
        .plan_notifications(now, Duration::from_secs(2 * 86_400), 64)
        .unwrap();
    assert_eq!(plan.notifications.len(), 64);
    c.bench_function("reminder/plan_64_for_50_medicines", |b| {
        b.iter(|| {
            black_box(
                store
                    .plan_notifications(now, Duration::from_secs(2 * 86_400), 64)
                    .unwrap(),
            )
        })
    });
}

fn adherence(c: &mut Criterion) {
    // 20 medicines twice a day for 10 years (146,000 doses), nearly all answered.
    let (_dir, store) = store_with(20, "2015-06-01", &["08", "20"]);
    let (from, now) = (at("2015-06-01T00:00:00Z"), at("2025-06-01T00:00:00Z"));
    let doses = store.doses(from, now, now).unwrap();
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
            note: None,
            amount: None,
            corrects: None,
        })
        .collect();
    for batch in events.chunks(5_000) {
        store.log_doses(batch, now).unwrap();
    }
    let mut group = c.benchmark_group("dose");
    group.sample_size(10);
    group.bench_function("adherence_10_years_20_medicines", |b| {
        b.iter_batched(
            || (),
            |()| black_box(store.adherence(from, now, now).unwrap()),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(schedule_benches, expand_year, plan, adherence);
criterion_main!(schedule_benches);
