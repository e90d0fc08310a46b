use regimen_core::dose::{DoseAction, NewDoseEvent};
use regimen_core::medicine::MedicineInfo;
use regimen_core::schedule::*;
use regimen_core::*;
use std::time::{Duration, Instant};
struct K;
impl KeyProvider for K {
    fn existing_key(&self) -> Result<Option<Vec<u8>>> {
        Ok(Some(vec![1; 32]))
    }
    fn keep_new_key(&self, _: &[u8]) -> Result<()> {
        Ok(())
    }
}
fn at(t: &str) -> Timestamp {
    Timestamp::parse_rfc3339(t).unwrap()
}
fn main() {
    let dir = std::env::temp_dir().join(format!("adh{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("a.db"), &OpenOptions::default(), &K).unwrap();
    let epoch = at("2000-01-01T00:00:00Z");
    store.record_device_zone("Europe/Berlin", epoch).unwrap();
    for i in 0..20 {
        let id = store
            .add_medicine(
                &MedicineInfo {
                    name: format!("M{i}"),
                    ..Default::default()
                },
                epoch,
            )
            .unwrap()
            .id;
        let s = Schedule {
            start: "2015-06-01".parse().unwrap(),
            zone: "Europe/Berlin".into(),
            policy: ZonePolicy::Local,
            phases: vec![Phase {
                timing: Timing {
                    repeat: Some(TimingRepeat {
                        frequency: Some(2),
                        period: Some(1.0),
                        period_unit: Some(UnitOfTime::D),
                        time_of_day: vec![
                            format!("08:{:02}", i).parse().unwrap(),
                            format!("20:{:02}", i).parse().unwrap(),
                        ],
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                ..Default::default()
            }],
            as_needed: None,
            shift: None,
        };
        store.set_schedule(id, Some(&s), epoch, epoch).unwrap();
    }
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
    for b in events.chunks(5000) {
        store.log_doses(b, now).unwrap();
    }
    for _ in 0..2 {
        let t = Instant::now();
        let r = store.adherence(from, now, now).unwrap();
        eprintln!(
            "before checkpoint {:?} settled {}",
            t.elapsed(),
            r.overall.settled
        );
    }
    let c = rusqlite_checkpoint(&dir.join("a.db"));
    eprintln!("checkpoint {c}");
    for _ in 0..3 {
        let t = Instant::now();
        let r = store.adherence(from, now, now).unwrap();
        eprintln!("adherence {:?} settled {}", t.elapsed(), r.overall.settled);
    }
    eprintln!("db at {}", dir.display());
}

fn rusqlite_checkpoint(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sqlite3")
        .arg(path)
        .arg("PRAGMA wal_checkpoint(TRUNCATE);")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}
