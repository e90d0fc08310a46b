//! Helpers shared by core's integration tests: a store on a temporary file with a fixed key.
// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::medicine::MedicineInfo;
use regimen_core::{KeyProvider, OpenOptions, Records, Result, Timestamp};

/// A key provider that always has the same key.
pub struct FixedKey;

impl KeyProvider for FixedKey {
    fn existing_key(&self) -> Result<Option<Vec<u8>>> {
        Ok(Some(vec![42; 32]))
    }
    fn keep_new_key(&self, _key: &[u8]) -> Result<()> {
        Ok(())
    }
}

/// A new store in a temporary folder that lives as long as the returned guard.
pub fn store() -> (Records, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Records::open(
        &dir.path().join("test.db"),
        &OpenOptions::default(),
        &FixedKey,
    )
    .expect("open store");
    (store, dir)
}

/// An instant from RFC 3339 text.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("valid instant")
}

/// Medicine info with only a name.
pub fn named(name: &str) -> MedicineInfo {
    MedicineInfo {
        name: name.into(),
        ..MedicineInfo::default()
    }
}

/// A daily schedule at the given wall-clock times, from `start`, in `zone`, policy local.
pub fn daily_schedule(start: &str, zone: &str, times: &[&str]) -> regimen_core::schedule::Schedule {
    use regimen_core::schedule::{Phase, Schedule, Timing, TimingRepeat, UnitOfTime, ZonePolicy};
    Schedule {
        start: start.parse().expect("local date-time"),
        zone: zone.into(),
        policy: ZonePolicy::Local,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(times.len() as u32),
                    period: Some(1.0),
                    period_unit: Some(UnitOfTime::D),
                    time_of_day: times.iter().map(|t| t.parse().expect("time")).collect(),
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

/// Adds a medicine with a daily schedule valid from the Unix epoch.
pub fn scheduled(store: &Records, name: &str, zone: &str, times: &[&str]) -> i64 {
    let epoch = at("2000-01-01T00:00:00Z");
    let id = store.add_medicine(&named(name), epoch).expect("add").id;
    store
        .set_schedule(
            id,
            Some(&daily_schedule("2025-01-01", zone, times)),
            epoch,
            epoch,
        )
        .expect("schedule");
    id
}

/// An answer to the dose due at `due`, given at `actual` (RFC 3339 both).
pub fn answer(medicine_id: i64, action: DoseAction, due: &str, actual: &str) -> NewDoseEvent {
    NewDoseEvent {
        medicine_id,
        action,
        actual_at: at(actual),
        scheduled_at: Some(at(due)),
        snooze_until: None,
        note: None,
        amount: None,
        corrects: None,
    }
}
