//! The app killed at random moments, over and over: a child process (`regimen-crash-child
//! crash`) logs doses, sends the caregiver outbox and installs knowledge bundles through the
//! public API, writing one acknowledgement line after each call returns; the test kills it
//! with SIGKILL after a random delay and then checks what a patient would notice: the
//! database opens and passes `PRAGMA integrity_check`, every acknowledged dose is there (and
//! at most the one call in flight more), the knowledge base in use is the old or the new
//! bundle, and, once the outbox is drained, the caregiver received every message exactly once.
//!
//! Bounded by counts, not time: `REGIMEN_CRASH_KILLS` kills (default 1000), delays drawn from
//! a generator seeded by `REGIMEN_CRASH_SEED` (printed, so a failure can be replayed). The
//! figures are printed; docs/robustness.md has the last ones measured.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use regimen_core::knowledge::{generate_signing_key, public_key_of};
use regimen_ffi::{
    MedicineInfo, MessageKind, PushOutcome, PushResult, Regimen, RegimenConfig, Timestamp,
};
use regimen_tests::MemoryKeyStore;
use rusqlite::{Connection, OpenFlags};

const CHILD: &str = env!("CARGO_BIN_EXE_regimen-crash-child");
const PATIENT: &str = "regimen.database";
const CAREGIVER: &str = "caregiver";
/// 2026-03-10T00:00:00Z: the pinned clock of the setup.
const START_MS: i64 = 1_773_100_800_000;
/// Child `i` runs from `START_MS + (i + 1) * SLOT_MS`, its clock moving a second a step: past
/// the two-minute lease of the child before, and 1000 children stay well within the week a
/// message may wait in the outbox (older ones are dropped as stale, by design).
const SLOT_MS: i64 = 5 * 60_000;
const HOUR_MS: i64 = 3_600_000;
/// Every how many children one installs a knowledge bundle.
const KB_EVERY: u64 = 50;
const ACCEPTED: PushResult = PushResult::Status {
    code: 201,
    retry_after_seconds: None,
};

/// SplitMix64: a few lines, and the same delays for the same seed on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[low, high)`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low)
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms).unwrap()
}

/// The patient's and the caregiver's databases, and what opens them.
struct Phones {
    dir: tempfile::TempDir,
    keys: Arc<MemoryKeyStore>,
    config: RegimenConfig,
    kb_key: Vec<u8>,
}

impl Phones {
    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn patient(&self, now_ms: i64) -> Arc<Regimen> {
        Regimen::open_at(
            self.path("patient.db"),
            self.config.clone(),
            self.keys.clone(),
            at(now_ms),
        )
        .unwrap()
    }

    fn caregiver(&self, now_ms: i64) -> Arc<Regimen> {
        let config = RegimenConfig {
            key_alias: CAREGIVER.into(),
            ..RegimenConfig::default()
        };
        Regimen::open_at(
            self.path("caregiver.db"),
            config,
            self.keys.clone(),
            at(now_ms),
        )
        .unwrap()
    }
}

/// A patient with one as-needed medicine, paired with a caregiver (adherence scope) without
/// a network: the endpoint is never called, the test carries the bodies. Returns the
/// medicine's id.
fn set_up() -> (Phones, i64) {
    let kb_key = generate_signing_key().unwrap();
    let phones = Phones {
        dir: tempfile::tempdir().unwrap(),
        keys: Arc::new(MemoryKeyStore::default()),
        config: RegimenConfig {
            knowledge_keys: vec![public_key_of(&kb_key).unwrap()],
            ..RegimenConfig::default()
        },
        kb_key,
    };
    let patient = phones.patient(START_MS);
    let medicine = patient
        .add_medicine(MedicineInfo {
            name: "Paracetamol".into(),
            ..MedicineInfo::default()
        })
        .unwrap();
    let offer = patient.offer_share("Ana".into(), Vec::new()).unwrap();
    let caregiver = phones.caregiver(START_MS);
    let answer = caregiver
        .answer_offer(
            offer.payload,
            "http://127.0.0.1:9/push/caregiver".into(),
            "Ben".into(),
            None,
        )
        .unwrap();
    patient.accept_answer(answer.payload).unwrap();
    (phones, medicine.id)
}

/// `PRAGMA integrity_check` on the file as the killed process left it, read-only (the check
/// reads pages and indexes; it needs no key).
fn integrity_ok(path: &str) -> bool {
    let conn = Connection::open_with_flags(
        Path::new(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap();
    let mut statement = conn.prepare("PRAGMA integrity_check").unwrap();
    let rows: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows == ["ok"]
}

/// What one child acknowledged before it was killed.
#[derive(Default)]
struct Acks {
    doses: BTreeSet<i64>,
    sent: Vec<i64>,
    kb: Option<u64>,
}

/// Runs one child until a kill `delay` after it said `ready`; returns its acknowledgements.
fn run_and_kill(
    phones: &Phones,
    medicine: i64,
    child: u64,
    kb: Option<u64>,
    delay: Duration,
) -> Acks {
    let mut command = Command::new(CHILD);
    command
        .arg("crash")
        .arg(phones.path("patient.db"))
        .arg(medicine.to_string())
        .arg((START_MS + (child as i64 + 1) * SLOT_MS).to_string())
        .arg(phones.path("sent.txt"))
        .env("REGIMEN_CHILD_KEY", hex(&phones.keys.key(PATIENT).unwrap()))
        .env("REGIMEN_CHILD_KB_PUBLIC", &phones.config.knowledge_keys[0])
        .env("REGIMEN_CHILD_KB_KEY", hex(&phones.kb_key))
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    if let Some(version) = kb {
        command.arg(version.to_string());
    }
    let mut process = command.spawn().expect("the child starts");
    let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
    let first = lines.next().map(Result::unwrap);
    assert_eq!(
        first.as_deref(),
        Some("ready"),
        "child {child} did not start"
    );
    std::thread::sleep(delay);
    process.kill().unwrap(); // SIGKILL on Unix
    process.wait().unwrap();
    let mut acks = Acks::default();
    for line in lines {
        let line = line.unwrap();
        match line.split_once(' ') {
            Some(("dose", id)) => {
                acks.doses.insert(id.parse().unwrap());
            }
            Some(("sent", id)) => acks.sent.push(id.parse().unwrap()),
            Some(("kb", version)) => acks.kb = Some(version.parse().unwrap()),
            _ => panic!("child {child}: a call failed before the kill: {line}"),
        }
    }
    acks
}

#[test]
fn a_killed_app_loses_no_acknowledged_dose_and_leaves_no_half_written_state() {
    let kills = env_number("REGIMEN_CRASH_KILLS", 1000);
    let seed = env_number("REGIMEN_CRASH_SEED", 14);
    println!("crash loop: {kills} kills, seed {seed}");
    let kb_delay_ms = env_number("REGIMEN_CRASH_KB_DELAY_MS", 400);
    let mut rng = Rng(seed);
    let started = Instant::now();
    let (phones, medicine) = set_up();
    let db = phones.path("patient.db");

    let mut acked_doses = 0usize;
    let mut found_doses = 0usize;
    let mut in_flight_doses = 0usize;
    let mut integrity_passed = 0u64;
    let mut delivered: HashSet<i64> = HashSet::new();
    let mut kb_version = 1u64;
    let mut kb_installs = 0u64;
    let mut kb_acked = 0u64;
    let mut kb_children = 0u64;
    let mut max_open = Duration::ZERO;
    for child in 0..kills {
        let kb = (child % KB_EVERY == KB_EVERY / 2).then_some(kb_version + 1);
        // An install takes far longer than a dose (the bundle is verified and loaded), so its
        // kill comes from a wider range, before, during and after the commit.
        let delay = match kb {
            None => Duration::from_micros(rng.between(1_000, 20_000)),
            Some(_) => Duration::from_millis(rng.between(1, kb_delay_ms)),
        };
        let acks = run_and_kill(&phones, medicine, child, kb, delay);

        assert!(
            integrity_ok(&db),
            "integrity_check failed after kill {child}"
        );
        integrity_passed += 1;
        let opened = Instant::now();
        let patient = phones.patient(START_MS + (kills as i64 + 2) * SLOT_MS);
        max_open = max_open.max(opened.elapsed());

        let from = START_MS + (child as i64 + 1) * SLOT_MS;
        let found: BTreeSet<i64> = patient
            .dose_events(at(from), at(from + SLOT_MS), None)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        let missing = acks.doses.difference(&found).count();
        assert_eq!(missing, 0, "kill {child}: acknowledged doses are missing");
        let extra = found.len() - acks.doses.len();
        assert!(
            extra <= 1,
            "kill {child}: {extra} doses more than acknowledged; only the call in flight may be"
        );
        acked_doses += acks.doses.len();
        found_doses += found.len();
        in_flight_doses += extra;

        for id in &acks.sent {
            assert!(
                delivered.insert(*id),
                "kill {child}: outbox row {id} acknowledged as sent twice"
            );
        }
        if let Some(version) = kb {
            let info = patient.knowledge_info().unwrap();
            match acks.kb {
                Some(acked) => assert_eq!(info.version, acked, "kill {child}: installed bundle"),
                None => assert!(
                    info.version == kb_version || info.version == version,
                    "kill {child}: the base in use is neither the old nor the new bundle"
                ),
            }
            assert_eq!(info.updated, info.version > 1);
            kb_installs += u64::from(info.version == version);
            kb_acked += u64::from(acks.kb.is_some());
            kb_children += 1;
            kb_version = info.version;
        }
        if child % 100 == 99 {
            let all = patient
                .dose_events(at(START_MS), at(from + SLOT_MS), None)
                .unwrap();
            assert_eq!(all.len(), found_doses, "after kill {child}: the whole log");
        }
    }

    let kill_phase = started.elapsed();
    // Drain the outbox after every lease ran out, as the next app start would.
    let later = START_MS + (kills as i64 + 2) * SLOT_MS + HOUR_MS;
    let patient = phones.patient(later);
    let all = patient.dose_events(at(START_MS), at(later), None).unwrap();
    assert_eq!(
        all.len(),
        found_doses,
        "the whole dose log after the last kill"
    );
    let mut bodies: Vec<Vec<u8>> = std::fs::read_to_string(phones.path("sent.txt"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.strip_suffix(" ."))
        .map(|record| unhex(record.split_once(' ').unwrap().1))
        .collect();
    let sent_by_children = bodies.len();
    loop {
        let requests = patient.prepare_push_requests(100).unwrap();
        if requests.is_empty() {
            break;
        }
        for request in requests {
            assert!(
                !delivered.contains(&request.outbox_id),
                "outbox row {} was acknowledged as sent and is offered again",
                request.outbox_id
            );
            bodies.push(request.body);
            assert_eq!(
                patient
                    .record_push_result(request.outbox_id, ACCEPTED)
                    .unwrap(),
                PushOutcome::Delivered
            );
        }
    }
    let drained = bodies.len() - sent_by_children;

    let caregiver = phones.caregiver(later);
    let mut seqs = BTreeSet::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut ignored = 0usize;
    for body in bodies {
        let received = caregiver.receive(body).unwrap();
        if received.ignored {
            ignored += 1;
        } else {
            assert!(
                seqs.insert(received.seq),
                "message {} taken in twice",
                received.seq
            );
            *kinds.entry(format!("{:?}", received.kind)).or_default() += 1;
        }
    }
    let max_seq = seqs.last().copied().unwrap_or(0);
    let gaps: Vec<i64> = (1..=max_seq).filter(|s| !seqs.contains(s)).collect();
    assert!(gaps.is_empty(), "the caregiver never got messages {gaps:?}");
    assert_eq!(
        kinds.get(&format!("{:?}", MessageKind::Dose)).copied(),
        Some(found_doses),
        "every logged dose reached the caregiver once"
    );
    assert!(
        ignored as u64 <= kills,
        "{ignored} duplicates: more than one message in flight per kill"
    );

    println!(
        "crash loop figures: kills {kills}, integrity checks passed {integrity_passed}, \
         doses acknowledged {acked_doses}, doses found {found_doses} (in flight at a kill \
         and kept: {in_flight_doses}), children installing a bundle {kb_children}, bundles \
         installed {kb_installs} (acknowledged {kb_acked}, version now {kb_version}), outbox \
         rows acknowledged as sent {}, bodies the push service kept {sent_by_children}, \
         drained afterwards {drained}, caregiver messages taken in {} ({kinds:?}), \
         duplicates ignored {ignored}, slowest reopen {max_open:?}; kills took \
         {kill_phase:?}, draining and handing over {:?}",
        delivered.len(),
        seqs.len(),
        started.elapsed() - kill_phase,
    );
}
