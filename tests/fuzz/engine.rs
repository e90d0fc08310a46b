//! The fuzzing engine: a seeded xorshift generator, byte and JSON mutations, and the loop
//! that runs one target for a bounded number of executions, catches panics, checks the
//! target's properties and saves every failing input under `.cache/fuzz/crashes/`.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Once;

use serde_json::{Map, Value};

/// A fake drug name planted in inputs: no error message may ever repeat it.
pub const MARKER: &str = "Zqxdrugname";
/// A fake genotype planted in inputs, for the same check.
pub const MARKER_GENOTYPE: &str = "*Zqx7/*Zqx9";

/// xorshift64*: small, fast and the same on every machine for a given seed.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 is replaced, xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes that mean something to the parsers: JSON and CSV punctuation, line ends, a BOM,
/// NUL, bytes that are never UTF-8.
const INTERESTING_BYTES: &[u8] = b"{}[]\":,\\\t\n\r0-9.eE*/| #\x00\xff\xc3\xef";

/// Strings with a special meaning somewhere: controls, RTL overrides, zero-width and BOM
/// characters, look-alike stars and slashes, the planted markers.
const INTERESTING_TEXT: &[&str] = &[
    MARKER,
    MARKER_GENOTYPE,
    "\u{202e}",
    "\u{202d}",
    "\u{2066}",
    "\u{200b}",
    "\u{feff}",
    "\u{0000}",
    "\u{001b}[2J",
    "\u{ffff}",
    "\u{10ffff}",
    "\u{2217}",
    "\u{2215}",
    "\u{00d7}3",
    "e\u{0301}",
    "\r\n",
    "\"\"",
    "Unknown/Unknown",
    "CYP2D6",
    "HLA-B",
    "*1/*4",
    "1e999",
    "-0",
];

/// Numbers at and past the edges of every integer and float width.
const HUGE_NUMBERS: &[&str] = &[
    "18446744073709551616",
    "18446744073709551615",
    "-9223372036854775809",
    "9223372036854775807",
    "4294967296",
    "2147483648",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "1e-400",
    "5e-324",
    "0.1",
    "99999999999999999999999999999999999999",
    "1.7976931348623157e308",
];

/// One mutation of `input`; `seeds` give material to splice in.
pub fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    // JSON inputs get structure-aware tweaks half the time.
    if rng.one_in(2)
        && let Ok(mut value) = serde_json::from_slice::<Value>(input)
    {
        for _ in 0..1 + rng.below(3) {
            mutate_json(rng, &mut value, 0);
        }
        return serde_json::to_vec(&value).unwrap_or_else(|_| input.to_vec());
    }
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        mutate_bytes(rng, &mut out, seeds);
    }
    out
}

fn mutate_bytes(rng: &mut Rng, out: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    let len = out.len();
    let at = rng.below(len + 1);
    match rng.below(10) {
        0 if len > 0 => {
            let i = rng.below(len);
            out[i] ^= 1 << rng.below(8);
        }
        1 => out.insert(at, *rng.pick(INTERESTING_BYTES)),
        2 if len > 0 => {
            let end = (at + 1 + rng.below(16)).min(len);
            out.drain(at.min(len - 1)..end);
        }
        3 => out.truncate(at),
        4 => {
            // Splice: this input up to `at`, another seed from a random point.
            let other = rng.pick(seeds);
            let from = rng.below(other.len() + 1);
            out.truncate(at);
            out.extend_from_slice(&other[from..]);
        }
        5 if len > 0 => {
            // Repeat a short range many times: long rows, long tokens.
            let end = (at + 1 + rng.below(32)).min(len);
            let start = at.min(len - 1);
            let piece = out[start..end].to_vec();
            let times = 1 + rng.below(200);
            for _ in 0..times {
                out.splice(end..end, piece.iter().copied());
            }
        }
        6 | 7 => {
            let text = rng.pick(INTERESTING_TEXT).as_bytes().to_vec();
            out.splice(at..at, text);
        }
        8 => {
            let number = rng.pick(HUGE_NUMBERS).as_bytes().to_vec();
            out.splice(at..at, number);
        }
        _ if len > 0 => {
            let i = rng.below(len);
            out[i] = rng.next() as u8;
        }
        _ => out.push(rng.next() as u8),
    }
}

/// Changes one node of a JSON document: a value for a huge number, a long or hostile
/// string, another type, deep nesting; a member removed; array items repeated.
fn mutate_json(rng: &mut Rng, value: &mut Value, depth: usize) {
    let children = match value {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 0,
    };
    // Go deeper most of the time when there is somewhere to go.
    if children > 0 && depth < 40 && !rng.one_in(4) {
        let i = rng.below(children);
        match value {
            Value::Array(items) => mutate_json(rng, &mut items[i], depth + 1),
            Value::Object(map) => {
                if rng.one_in(8) {
                    let key = map.keys().nth(i).cloned().unwrap_or_default();
                    map.remove(&key);
                } else if let Some(child) = map.values_mut().nth(i) {
                    mutate_json(rng, child, depth + 1);
                }
            }
            _ => {}
        }
        return;
    }
    *value = match rng.below(9) {
        0 => {
            let number = rng.pick::<&str>(HUGE_NUMBERS);
            serde_json::from_str(number).unwrap_or(Value::Null)
        }
        1 => Value::String(MARKER.repeat(1 + rng.below(20_000))),
        2 => {
            let mut text = String::new();
            for _ in 0..1 + rng.below(6) {
                let piece = rng.pick::<&str>(INTERESTING_TEXT);
                text.push_str(piece);
            }
            Value::String(text)
        }
        3 => {
            // Nesting below and above serde_json's limit of 128.
            let mut nested = Value::String(MARKER.into());
            for _ in 0..1 + rng.below(160) {
                nested = if rng.one_in(2) {
                    Value::Array(vec![nested])
                } else {
                    Value::Object(Map::from_iter([(MARKER.to_owned(), nested)]))
                };
            }
            nested
        }
        4 => match value {
            // Type confusion: the same content as another type.
            Value::String(text) => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(
                    Value::Array(vec![Value::String(text.clone())]),
                    Value::Number,
                ),
            Value::Number(n) => Value::String(n.to_string()),
            Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
            Value::Object(_) => Value::Array(vec![value.clone()]),
            Value::Bool(b) => Value::String(b.to_string()),
            Value::Null => Value::Bool(true),
        },
        5 => match value {
            Value::Array(items) if !items.is_empty() => {
                let item = items[rng.below(items.len())].clone();
                let times = 1 + rng.below(600);
                items.extend(std::iter::repeat_n(item, times));
                return;
            }
            _ => Value::Null,
        },
        6 => Value::String(String::new()),
        7 => Value::Object(Map::new()),
        _ => Value::Array(Vec::new()),
    };
}

thread_local! {
    /// Set while a target runs, so the panic hook stays quiet (a panic message may quote
    /// the input) and remembers where it panicked.
    static FUZZING: Cell<bool> = const { Cell::new(false) };
    static PANIC_AT: Cell<Option<(&'static str, u32)>> = const { Cell::new(None) };
}

fn quiet_panics_while_fuzzing() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if FUZZING.with(Cell::get) {
                let at = info.location().map(|l| (l.file(), l.line()));
                let at = at.map(|(file, line)| (&*file.to_owned().leak(), line));
                PANIC_AT.with(|p| p.set(at));
            } else {
                default(info);
            }
        }));
    });
}

/// How many inputs each target runs: `REGIMEN_FUZZ_EXECS`, else a few seconds' worth
/// (fewer under `CI=true`).
pub fn execs(default: usize) -> usize {
    if let Some(n) = std::env::var("REGIMEN_FUZZ_EXECS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        (default / 2).max(1)
    } else {
        default
    }
}

/// The generator's seed: `REGIMEN_FUZZ_SEED`, else one fixed per target, so a run repeats.
fn seed_for(name: &str) -> u64 {
    if let Some(seed) = std::env::var("REGIMEN_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return seed;
    }
    name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Where failing inputs are kept (the ignored `.cache/`).
pub fn crash_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.cache/fuzz/crashes")
}

/// What went wrong with one input.
pub struct Crash {
    /// The file the input was saved to.
    pub saved: PathBuf,
    /// The broken property (never the input).
    pub what: String,
}

/// Runs `check` on every seed and then on `execs` mutated inputs. `check` returns the
/// broken property, if any; a panic is one too. Prints the executions and crashes, saves
/// each failing input, and fails the test if there was any.
pub fn fuzz(
    name: &str,
    seeds: &[Vec<u8>],
    execs: usize,
    mut check: impl FnMut(&[u8]) -> Result<(), String>,
) {
    assert!(!seeds.is_empty(), "{name}: no seeds");
    quiet_panics_while_fuzzing();
    let seed = seed_for(name);
    // Reported only, never asserted on.
    let started = std::time::Instant::now();
    let mut rng = Rng::new(seed);
    let mut crashes: Vec<Crash> = Vec::new();
    let mut run = |input: &[u8], crashes: &mut Vec<Crash>| {
        FUZZING.with(|f| f.set(true));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(input)));
        FUZZING.with(|f| f.set(false));
        let what = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(what)) => what,
            Err(_) => {
                let at = PANIC_AT.with(Cell::take);
                format!("panicked at {at:?}")
            }
        };
        // One saved file per distinct problem is plenty.
        if crashes.iter().any(|c| c.what == what) || crashes.len() >= 20 {
            return;
        }
        let dir = crash_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let hash = input.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
        });
        let saved = dir.join(format!("{name}-{hash:016x}"));
        std::fs::write(&saved, input).unwrap();
        crashes.push(Crash { saved, what });
    };
    for input in seeds {
        run(input, &mut crashes);
    }
    // Mutations build on each other a little: a mutant that passed may be mutated again.
    let mut current = seeds[0].clone();
    for _ in 0..execs {
        let base = if rng.one_in(3) {
            &current
        } else {
            rng.pick(seeds)
        };
        let input = mutate(&mut rng, base, seeds);
        run(&input, &mut crashes);
        current = if input.len() < 256 * 1024 {
            input
        } else {
            rng.pick(seeds).clone()
        };
    }
    let summary = format!(
        "fuzz {name}: {} executions ({} seeds, seed {seed}), {} crashes, {:.1} s",
        execs + seeds.len(),
        seeds.len(),
        crashes.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    // For tests/run, which prints every target's line (cargo test keeps stdout to itself).
    let runs = crash_dir().with_file_name("last-run");
    if std::fs::create_dir_all(&runs).is_ok() {
        let _ = std::fs::write(runs.join(format!("{name}.txt")), format!("{summary}\n"));
    }
    for crash in &crashes {
        println!("  {}: {}", crash.saved.display(), crash.what);
    }
    assert!(
        crashes.is_empty(),
        "{name}: {} failing inputs saved in {}",
        crashes.len(),
        crash_dir().display()
    );
}

/// The property every error must keep: it does not repeat the planted markers.
pub fn no_marker(message: &str) -> Result<(), String> {
    if message.contains("Zqx") {
        return Err("an error message repeats a planted marker from the input".into());
    }
    Ok(())
}
