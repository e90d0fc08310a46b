//! Supply benchmarks: forecasts for 50 tracked medicines a year ahead, and the notification
//! plan with refill reminders. Run with `cargo bench -p regimen-core --bench supply`; figures
//! go in docs/benchmarks.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::medicine::MedicineInfo;
use regimen_core::schedule::{
    Phase, Quantity, Schedule, Timing, TimingRepeat, UnitOfTime, ZonePolicy,
};
use regimen_core::supply::{NewSupplyEvent, SupplyKind, SupplySettings};
use regimen_core::{OpenOptions, Records, Timestamp};

#[path = "../tests/common/mod.rs"]
mod common;
use common::FixedKey;

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

/// Medicine `i`: one tablet at 08:00, 12:00, 16:00 and 20:00 (+`i` min) in Berlin.
fn four_a_day(i: usize) -> Schedule {
    let times = ["08", "12", "16", "20"]
        .iter()
        .map(|h| format!("{h}:{:02}", i % 60).parse().unwrap())
        .collect();
    Schedule {
        start: "2025-01-01T00:00".parse().unwrap(),
        zone: "Europe/Berlin".into(),
        policy: ZonePolicy::Local,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(4),
                    period: Some(1.0),
                    period_unit: Some(UnitOfTime::D),
                    time_of_day: times,
                    ..TimingRepeat::default()
                }),
                ..Timing::default()
            },
            dose: Some(Quantity {
                value: 1.0,
                unit: "tablet".into(),
            }),
            ..Phase::default()
        }],
        as_needed: None,
        shift: None,
    }
}

/// 50 tracked medicines from 1 January 2025, five months of doses taken (30,000 events), the
/// stock of medicine `i` enough for about `i` days more on 1 June: several run low within the
/// week, so refill reminders are planned.
fn tracked_store() -> (tempfile::TempDir, Records, Timestamp) {
    let dir = tempfile::tempdir().unwrap();
    let store = Records::open(
        &dir.path().join("bench.db"),
        &OpenOptions::default(),
        &FixedKey,
    )
    .unwrap();
    let epoch = at("2025-01-01T00:00:00Z");
    let now = at("2025-06-01T09:07:00Z");
    store.record_device_zone("Europe/Berlin", epoch).unwrap();
    let mut ids = Vec::new();
    for i in 0..50 {
        let info = MedicineInfo {
            name: format!("Medicine {i}"),
            strength: Some("500 mg".into()),
            ..MedicineInfo::default()
        };
        let id = store.add_medicine(&info, epoch).unwrap().id;
        store
            .set_schedule(id, Some(&four_a_day(i)), epoch, epoch)
            .unwrap();
        store
            .set_supply_settings(
                id,
                &SupplySettings {
                    unit: "tablet".into(),
                    pack_size: Some(100.0),
                    lead_days: 7,
                },
                epoch,
            )
            .unwrap();
        store
            .log_supply(
                &NewSupplyEvent {
                    medicine_id: id,
                    kind: SupplyKind::Received,
                    // 151 days of four a day were taken by now; then `i` days more.
                    amount: (151 + i) as f64 * 4.0,
                    at: epoch,
                    source: None,
                    note: None,
                },
                epoch,
            )
            .unwrap();
        ids.push(id);
    }
    let doses = store.doses(epoch, now, now).unwrap();
    let events: Vec<NewDoseEvent> = doses
        .iter()
        .filter(|d| {
            d.due_at
                .is_some_and(|due| due < now.minus(Duration::from_secs(3600)))
        })
        .map(|d| NewDoseEvent {
            medicine_id: d.medicine_id,
            action: DoseAction::Taken,
            actual_at: d.due_at.unwrap(),
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
    (dir, store, now)
}

fn supply(c: &mut Criterion) {
    let (_dir, store, now) = tracked_store();
    let forecasts = store.forecasts(now).unwrap();
    assert_eq!(forecasts.len(), 50);
    assert!(forecasts.iter().all(|f| f.run_out_at.is_some()));
    let plan = store
        .plan_notifications(now, Duration::from_secs(2 * 86_400), 64)
        .unwrap();
    let refills = plan
        .notifications
        .iter()
        .filter(|n| n.kind == regimen_core::reminder::NotificationKind::Refill)
        .count();
    assert!(refills > 0, "refill reminders are planned");
    let mut group = c.benchmark_group("supply");
    group.sample_size(20);
    group.bench_function("forecasts_50_medicines_a_year_ahead", |b| {
        b.iter(|| black_box(store.forecasts(now).unwrap()))
    });
    group.finish();
    c.bench_function(
        "reminder/plan_64_for_50_tracked_medicines_with_refills",
        |b| {
            b.iter(|| {
                black_box(
                    store
                        .plan_notifications(now, Duration::from_secs(2 * 86_400), 64)
                        .unwrap(),
                )
            })
        },
    );
    // The first plan after a dose is logged works the forecasts out again.
    let answered = plan.notifications[0].due_at;
    let medicine = plan.notifications[0].medicine_ids[0];
    let mut group = c.benchmark_group("reminder");
    group.sample_size(20);
    group.bench_function("plan_after_a_dose_logged_50_tracked_medicines", |b| {
        b.iter_batched(
            || {
                let snooze = NewDoseEvent {
                    medicine_id: medicine,
                    action: DoseAction::Snoozed,
                    actual_at: now,
                    scheduled_at: Some(answered),
                    snooze_until: Some(now.plus(Duration::from_secs(600))),
                    note: None,
                    amount: None,
                    corrects: None,
                };
                store.log_dose(&snooze, now).unwrap();
            },
            |()| {
                black_box(
                    store
                        .plan_notifications(now, Duration::from_secs(2 * 86_400), 64)
                        .unwrap(),
                )
            },
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(supply_benches, supply);
criterion_main!(supply_benches);
