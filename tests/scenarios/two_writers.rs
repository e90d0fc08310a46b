//! Two processes on one database at once, as the app and its notification-action receiver
//! are: each (`regimen-crash-child serve`) logs hundreds of doses while the other does, and
//! neither may see a `Busy` ("database is locked") error within the busy timeout, lose an
//! event, or keep planning from a stale snapshot after the other changed a schedule (the
//! snapshot cache is invalidated through the `config_generation` counter the triggers of
//! migration 7 bump, whichever process wrote).
//!
//! Bounded by counts: `REGIMEN_TWO_WRITERS_DOSES` doses each (default 800).

use std::io::{BufRead, BufReader, Lines, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;

use regimen_ffi::{MedicineInfo, Regimen, RegimenConfig, Timestamp};
use regimen_tests::MemoryKeyStore;

const CHILD: &str = env!("CARGO_BIN_EXE_regimen-crash-child");
/// 2026-03-10T00:00:00Z.
const START_MS: i64 = 1_773_100_800_000;
const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// One `serve` process and its pipes.
struct Process {
    child: Child,
    input: ChildStdin,
    output: Lines<BufReader<ChildStdout>>,
}

impl Process {
    fn start(path: &str, key: &[u8]) -> Process {
        let mut child = Command::new(CHILD)
            .args(["serve", path])
            .env(
                "REGIMEN_CHILD_KEY",
                key.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the child starts");
        let input = child.stdin.take().unwrap();
        let mut output = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(output.next().unwrap().unwrap(), "ready");
        Process {
            child,
            input,
            output,
        }
    }

    fn send(&mut self, command: &str) {
        writeln!(self.input, "{command}").unwrap();
        self.input.flush().unwrap();
    }

    fn line(&mut self) -> String {
        self.output.next().expect("the child answers").unwrap()
    }

    /// Sends `command` and returns its one-line answer.
    fn ask(&mut self, command: &str) -> String {
        self.send(command);
        self.line()
    }

    /// Reads `dose ID` lines until `done`; any other line (an `error KIND`) is returned as
    /// the failure.
    fn logged(&mut self) -> Result<Vec<i64>, String> {
        let mut ids = Vec::new();
        loop {
            let line = self.line();
            match line.split_once(' ') {
                Some(("dose", id)) => ids.push(id.parse().unwrap()),
                _ if line == "done" => return Ok(ids),
                _ => return Err(line),
            }
        }
    }

    fn finish(mut self) {
        drop(self.input);
        assert!(self.child.wait().unwrap().success());
    }
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms).unwrap()
}

/// A patient database with three medicines (one for each process to log, one whose schedule
/// the two change) and its key.
fn patient(dir: &tempfile::TempDir) -> (String, Vec<u8>, [i64; 3]) {
    let path = dir.path().join("patient.db").to_string_lossy().into_owned();
    let keys = Arc::new(MemoryKeyStore::default());
    let regimen = Regimen::open_at(
        path.clone(),
        RegimenConfig::default(),
        keys.clone(),
        at(START_MS),
    )
    .unwrap();
    let mut ids = [0; 3];
    for (id, name) in ids
        .iter_mut()
        .zip(["Ibuprofen", "Paracetamol", "Metoprolol"])
    {
        *id = regimen
            .add_medicine(MedicineInfo {
                name: name.into(),
                ..MedicineInfo::default()
            })
            .unwrap()
            .id;
    }
    (path, keys.key("regimen.database").unwrap(), ids)
}

#[test]
fn two_processes_log_at_once_without_a_locked_error_or_a_lost_dose() {
    let doses: usize = std::env::var("REGIMEN_TWO_WRITERS_DOSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(800);
    let dir = tempfile::tempdir().unwrap();
    let (path, key, [first, second, _]) = patient(&dir);
    let mut app = Process::start(&path, &key);
    let mut receiver = Process::start(&path, &key);
    let now = START_MS + HOUR_MS;
    assert_eq!(app.ask(&format!("now {now}")), "ok");
    assert_eq!(receiver.ask(&format!("now {now}")), "ok");

    // Both commands go out before either answer is read: the two write at the same time.
    app.send(&format!("log {first} {doses}"));
    receiver.send(&format!("log {second} {doses}"));
    let (by_app, by_receiver) = std::thread::scope(|scope| {
        let app = scope.spawn(|| app.logged());
        let receiver = scope.spawn(|| receiver.logged());
        (app.join().unwrap(), receiver.join().unwrap())
    });
    let by_app = by_app.unwrap_or_else(|e| panic!("the app's log_dose failed: {e}"));
    let by_receiver = by_receiver.unwrap_or_else(|e| panic!("the receiver's log_dose failed: {e}"));
    assert_eq!((by_app.len(), by_receiver.len()), (doses, doses));

    let keys = Arc::new(MemoryKeyStore::holding("regimen.database", key.clone()));
    let regimen = Regimen::open_at(path.clone(), RegimenConfig::default(), keys, at(now)).unwrap();
    let log = regimen
        .dose_events(at(START_MS), at(now + MINUTE_MS), None)
        .unwrap();
    let count = |medicine| log.iter().filter(|e| e.medicine_id == medicine).count();
    assert_eq!(
        (count(first), count(second)),
        (doses, doses),
        "doses per process"
    );
    let mut acknowledged: Vec<i64> = by_app.iter().chain(&by_receiver).copied().collect();
    acknowledged.sort_unstable();
    let stored: Vec<i64> = log.iter().map(|e| e.id).collect();
    assert_eq!(
        stored, acknowledged,
        "the log holds exactly the acknowledged events"
    );
    // Interleaved, not one after the other: the ids of the two runs overlap.
    let overlap = by_app.last() > by_receiver.first() && by_receiver.last() > by_app.first();
    println!(
        "two writers: {doses} doses each, {} stored, runs interleaved: {overlap}",
        log.len()
    );
    app.finish();
    receiver.finish();
}

#[test]
fn a_schedule_changed_by_one_process_is_what_the_other_plans_next() {
    let dir = tempfile::tempdir().unwrap();
    let (path, key, [_, _, scheduled]) = patient(&dir);
    let mut processes = [Process::start(&path, &key), Process::start(&path, &key)];
    // Daily at 00:30 to begin with, set by the first process.
    let mut due = START_MS + 30 * MINUTE_MS;
    for process in &mut processes {
        assert_eq!(process.ask(&format!("now {START_MS}")), "ok");
    }
    assert_eq!(
        processes[0].ask(&format!("schedule {scheduled} {due}")),
        "ok"
    );
    for round in 1..=20i64 {
        let now = START_MS + round * HOUR_MS;
        let (writer, reader) = if round % 2 == 0 { (0, 1) } else { (1, 0) };
        for process in &mut processes {
            assert_eq!(process.ask(&format!("now {now}")), "ok");
        }
        // The reader plans first, with its snapshot warm: the schedule as it was.
        let before = (now - due + DAY_MS - 1) / DAY_MS * DAY_MS + due;
        assert_eq!(
            processes[reader].ask(&format!("first {scheduled} {now}")),
            format!("first {before}"),
            "round {round}: the reader's plan before the change"
        );
        // The other process moves the daily time, then the reader plans again.
        due = now + 30 * MINUTE_MS + round * MINUTE_MS;
        assert_eq!(
            processes[writer].ask(&format!("schedule {scheduled} {due}")),
            "ok"
        );
        assert_eq!(
            processes[reader].ask(&format!("first {scheduled} {now}")),
            format!("first {due}"),
            "round {round}: the reader plans from a stale snapshot"
        );
    }
    let [a, b] = processes;
    a.finish();
    b.finish();
}
