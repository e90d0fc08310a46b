//! `regimen-crash-child`: a patient's app as a process a test can kill, for the crash-loop
//! and two-writer scenarios (`tests/scenarios/crash_loop.rs` and `two_writers.rs`). It only
//! speaks through the public `Regimen` API. The database key comes in the `REGIMEN_CHILD_KEY` environment
//! variable (hex), never on the command line.
//!
//! ```text
//! regimen-crash-child crash DB MEDICINE START_MS SENT_FILE [KB_VERSION]
//! regimen-crash-child serve DB
//! ```
//!
//! `crash` prints `ready`, then loops until killed (at most 150 steps, then it waits): first,
//! when `KB_VERSION` is given, installs that knowledge bundle (`kb VERSION`), signed with the
//! key in `REGIMEN_CHILD_KB_KEY` (hex PKCS#8) and trusted through `REGIMEN_CHILD_KB_PUBLIC`;
//! then each step logs a dose (`dose ID`) and every second step sends what the caregiver
//! outbox has due: each body is appended to `SENT_FILE` (`\nOUTBOX_ID HEX .`) as the push
//! service would keep it, then the 201 is recorded (`sent OUTBOX_ID`). Each line is written and flushed only after
//! the call returned, so a line is an acknowledgement. "Now" is pinned at `START_MS` and moves
//! one second a step.
//!
//! `serve` reads commands from stdin, one a line, and answers each with one line:
//! `now MS` (pins now; `ok`), `log MEDICINE COUNT` (logs COUNT doses, one `dose ID` line
//! each, then `done`), `schedule MEDICINE START_MS` (a new schedule, daily from that instant;
//! `ok`), `first MEDICINE FROM_MS` (the first dose due in the next day, from `doses`:
//! `first MS` or `first none`). A failed call prints `error KIND` (the error's variant, never
//! its text) and the process exits with status 1.

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Duration;

use regimen_core::knowledge::{Bundle, Tables, sign};
use regimen_ffi::{
    DoseAction, LocalDateTime, NewDoseEvent, Phase, PushResult, Regimen, RegimenConfig,
    RegimenError, Schedule, Timestamp, Timing, TimingRepeat, UnitOfTime, ZonePolicy,
};
use regimen_tests::MemoryKeyStore;

/// Steps a `crash` child takes at most (its clock then moved 150 s: within the five minutes
/// the test gives each child, with the two-minute outbox lease).
const MAX_STEPS: u64 = 150;
/// The alias the parent keeps the key under (the default of `RegimenConfig`).
const ALIAS: &str = "regimen.database";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("crash") if args.len() >= 5 => crash(&args[1..]),
        Some("serve") if args.len() == 2 => serve(&args[1]),
        _ => {
            eprintln!(
                "usage: regimen-crash-child crash DB MEDICINE START_MS SENT_FILE [KB_VERSION] \
                 | serve DB"
            );
            return std::process::ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(kind) => {
            say(&format!("error {kind}"));
            std::process::ExitCode::FAILURE
        }
    }
}

/// Writes one line to stdout and flushes it: the acknowledgement of what returned.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe means the parent is gone; nothing to tell.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The error's variant only: messages could carry more than a test log should.
fn kind(error: RegimenError) -> String {
    let debug = format!("{error:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("Unknown")
        .to_string()
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| "BadArgument".to_string())
}

fn hex_env(name: &str) -> Result<Vec<u8>, String> {
    let text = std::env::var(name).map_err(|_| "MissingKey".to_string())?;
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()
        .map_err(|_| "BadKey".to_string())
}

fn open(path: &str) -> Result<Arc<Regimen>, String> {
    let keys = Arc::new(MemoryKeyStore::holding(
        ALIAS,
        hex_env("REGIMEN_CHILD_KEY")?,
    ));
    let config = RegimenConfig {
        create_if_missing: false,
        knowledge_keys: std::env::var("REGIMEN_CHILD_KB_PUBLIC")
            .map(|k| vec![k])
            .unwrap_or_default(),
        ..RegimenConfig::default()
    };
    Regimen::open(path.to_string(), config, keys).map_err(kind)
}

fn taken(medicine_id: i64, now: Timestamp) -> NewDoseEvent {
    NewDoseEvent {
        medicine_id,
        action: DoseAction::Taken,
        actual_at: now,
        scheduled_at: None,
        snooze_until: None,
        note: None,
        amount: None,
        corrects: None,
    }
}

/// The bundle of `version`: the built-in tables under a newer version.
fn signed_bundle(version: u64, key: &[u8]) -> Result<Vec<u8>, String> {
    let bundle = Bundle {
        version,
        created: "2026-11-21".into(),
        source: format!("crash test bundle {version}"),
        tables: Tables::builtin(),
    };
    sign(&bundle, key).map_err(|e| kind(e.into()))
}

fn crash(args: &[String]) -> Result<(), String> {
    let regimen = open(&args[0])?;
    let medicine: i64 = number(&args[1])?;
    let start: i64 = number(&args[2])?;
    let mut sent = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&args[3])
        .map_err(|_| "SentFile".to_string())?;
    let bundle = match args.get(4) {
        Some(version) => {
            let version: u64 = number(version)?;
            Some((
                version,
                signed_bundle(version, &hex_env("REGIMEN_CHILD_KB_KEY")?)?,
            ))
        }
        None => None,
    };
    say("ready");
    let mut now = Timestamp::from_millis(start).map_err(|e| kind(e.into()))?;
    if let Some((version, bytes)) = bundle {
        regimen.set_now(Some(now)).map_err(kind)?;
        let info = regimen.install_knowledge_bundle(bytes).map_err(kind)?;
        if info.version != version {
            return Err("WrongVersion".into());
        }
        say(&format!("kb {version}"));
    }
    for step in 0..MAX_STEPS {
        regimen.set_now(Some(now)).map_err(kind)?;
        let logged = regimen.log_dose(taken(medicine, now)).map_err(kind)?;
        say(&format!("dose {}", logged.event.id));
        if step % 2 == 1 {
            for request in regimen.prepare_push_requests(4).map_err(kind)? {
                // The push service kept the body (the file survives this process). A kill
                // can tear a write: a record starts on a new line and ends with " .", so a
                // torn one is told apart and skipped, as a push service drops a cut body.
                let line = format!("\n{} {} .", request.outbox_id, to_hex(&request.body));
                sent.write_all(line.as_bytes())
                    .map_err(|_| "SentFile".to_string())?;
                let accepted = PushResult::Status {
                    code: 201,
                    retry_after_seconds: None,
                };
                regimen
                    .record_push_result(request.outbox_id, accepted)
                    .map_err(kind)?;
                say(&format!("sent {}", request.outbox_id));
            }
        }
        now = now.plus(Duration::from_secs(1));
    }
    // Done: wait for the kill, writing nothing more.
    loop {
        std::thread::park();
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Daily from `start` (UTC), the schedule the two-writer scenario changes.
fn daily_from(start: Timestamp) -> Schedule {
    Schedule {
        start: LocalDateTime(start.to_datetime().naive_utc()),
        zone: "UTC".into(),
        policy: ZonePolicy::Local,
        phases: vec![Phase {
            timing: Timing {
                repeat: Some(TimingRepeat {
                    frequency: Some(1),
                    period: Some(1.0),
                    period_unit: Some(UnitOfTime::D),
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

fn serve(path: &str) -> Result<(), String> {
    let regimen = open(path)?;
    let mut now = Timestamp::from_millis(0).map_err(|e| kind(e.into()))?;
    say("ready");
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|_| "Stdin".to_string())?;
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["now", ms] => {
                now = Timestamp::from_millis(number(ms)?).map_err(|e| kind(e.into()))?;
                regimen.set_now(Some(now)).map_err(kind)?;
                say("ok");
            }
            ["log", medicine, count] => {
                let medicine: i64 = number(medicine)?;
                for _ in 0..number::<u32>(count)? {
                    let logged = regimen.log_dose(taken(medicine, now)).map_err(kind)?;
                    say(&format!("dose {}", logged.event.id));
                }
                say("done");
            }
            ["schedule", medicine, start] => {
                let start = Timestamp::from_millis(number(start)?).map_err(|e| kind(e.into()))?;
                regimen
                    .set_schedule(number(medicine)?, Some(daily_from(start)))
                    .map_err(kind)?;
                say("ok");
            }
            ["first", medicine, from] => {
                let medicine: i64 = number(medicine)?;
                let from = Timestamp::from_millis(number(from)?).map_err(|e| kind(e.into()))?;
                let doses = regimen
                    .doses(from, from.plus(Duration::from_secs(86_400)))
                    .map_err(kind)?;
                match doses
                    .iter()
                    .filter(|d| d.medicine_id == medicine)
                    .filter_map(|d| d.due_at)
                    .min()
                {
                    Some(due) => say(&format!("first {}", due.as_millis())),
                    None => say("first none"),
                }
            }
            _ => return Err("UnknownCommand".into()),
        }
    }
    Ok(())
}
