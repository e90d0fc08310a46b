//! Hostile input: every parser of outside data run on mutated real files (a stable-toolchain
//! stand-in for cargo-fuzz; see `engine.rs` and docs/robustness.md, "Fuzzing").
//!
//! Each target checks, for every input: no panic; an error is a typed input error, never a
//! storage or device one, and does not repeat the planted markers (a fake drug name and
//! genotype); and for the calls that write (PGx import, FHIR imports, receive, pairing) a
//! refused input leaves the database file byte-identical. `REGIMEN_FUZZ_EXECS` sets the
//! number of mutated inputs per target; failing inputs land in `.cache/fuzz/crashes/`.

mod bounds;
mod engine;
mod seeds;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use regimen_core::interop::fhir::{outcome_reason, task_state};
use regimen_core::knowledge::{Tables, verify as verify_bundle};
use regimen_core::pgx::import;
use regimen_core::share::base64url;
use regimen_core::share::ece::{self, ReceiverKeys};
use regimen_core::share::message::Message;
use regimen_ffi::{
    MeasurementKind, Regimen, RegimenConfig, RegimenError, ShareScope, Timestamp,
    parse_fhir_timing, parse_measurement,
};
use regimen_tests::MemoryKeyStore;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

use engine::{MARKER, MARKER_GENOTYPE, execs, fuzz, no_marker};

/// 2026-03-01T09:00:00Z: every phone's pinned "now".
const NOW_MS: i64 = 1_772_355_600_000;

/// A database on a temp dir with its file path, "now" pinned.
struct Phone {
    _dir: tempfile::TempDir,
    path: PathBuf,
    regimen: Arc<Regimen>,
}

impl Phone {
    fn new(alias: &str) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{alias}.db"));
        let config = RegimenConfig {
            key_alias: alias.into(),
            ..RegimenConfig::default()
        };
        let regimen = Regimen::open_at(
            path.to_string_lossy().into_owned(),
            config,
            Arc::new(MemoryKeyStore::default()),
            Timestamp::from_millis(NOW_MS).unwrap(),
        )
        .unwrap();
        Phone {
            _dir: dir,
            path,
            regimen,
        }
    }

    /// The database as bytes on disk: the main file and its write-ahead log.
    fn fingerprint(&self) -> Vec<u8> {
        let mut bytes = std::fs::read(&self.path).unwrap_or_default();
        let wal = Path::new(&format!("{}-wal", self.path.display())).to_path_buf();
        bytes.extend(std::fs::read(wal).unwrap_or_default());
        bytes
    }

    /// Runs a writing call; a refused input must leave the database as it was.
    fn refused_changes_nothing<T>(
        &self,
        call: impl FnOnce(&Regimen) -> Result<T, RegimenError>,
    ) -> Result<(), String> {
        let before = self.fingerprint();
        let outcome = call(&self.regimen);
        if let Err(err) = outcome {
            typed(&err)?;
            if self.fingerprint() != before {
                return Err("a refused input changed the database".into());
            }
        }
        Ok(())
    }
}

/// A hostile input is the input's fault: never a storage, device or key error, and the
/// message repeats nothing of it.
fn typed(err: &RegimenError) -> Result<(), String> {
    match err {
        RegimenError::InvalidInput { .. }
        | RegimenError::NotFound { .. }
        | RegimenError::Conflict { .. }
        | RegimenError::KnowledgeBase { .. }
        | RegimenError::Backup { .. } => no_marker(&err.to_string()),
        other => {
            let variant = format!("{other:?}");
            let variant = variant.split([' ', '{', '(']).next().unwrap_or_default();
            Err(format!("an input error surfaced as {variant}"))
        }
    }
}

fn core_typed(err: regimen_core::Error) -> Result<(), String> {
    typed(&RegimenError::from(err))
}

fn text(input: &[u8]) -> String {
    String::from_utf8_lossy(input).into_owned()
}

/// Any JSON that parses, for the readers that take a parsed value.
fn json(input: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice(input).ok()
}

#[test]
fn fuzz_pgx_parse() {
    fuzz(
        "pgx_parse",
        &seeds::pgx(),
        execs(3000),
        |input| match import::parse(&text(input)) {
            Ok(_) => Ok(()),
            Err(err) => core_typed(err),
        },
    );
}

#[test]
fn fuzz_pgx_import() {
    // A fresh database every 200 inputs: each import reads back every stored result, and a
    // long run by hand would otherwise spend its time on thousands of earlier imports.
    let mut phone = Phone::new("pgx");
    let mut runs = 0_u32;
    fuzz("pgx_import", &seeds::pgx(), execs(400), |input| {
        runs += 1;
        if runs % 200 == 0 {
            phone = Phone::new("pgx");
        }
        phone.refused_changes_nothing(|r| r.import_pgx(text(input)))
    });
}

#[test]
fn fuzz_fhir_timing() {
    fuzz(
        "fhir_timing",
        &seeds::timings(),
        execs(3000),
        |input| match parse_fhir_timing(text(input), "Europe/Berlin".into()) {
            Ok(_) => Ok(()),
            Err(err) => typed(&err),
        },
    );
}

#[test]
fn fuzz_measurement() {
    use MeasurementKind::*;
    fuzz(
        "measurement",
        &seeds::measurements(),
        execs(3000),
        |input| {
            for kind in [BloodPressure, HeartRate, Glucose, Weight, Temperature] {
                if let Err(err) = parse_measurement(kind, text(input)) {
                    typed(&err)?;
                }
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_fhir_medication_request() {
    let phone = Phone::new("fhir");
    fuzz(
        "fhir_medication_request",
        &seeds::medication_requests(),
        execs(600),
        |input| phone.refused_changes_nothing(|r| r.import_fhir(text(input), None)),
    );
}

#[test]
fn fuzz_fhir_orders() {
    let phone = Phone::new("orders");
    fuzz(
        "fhir_orders",
        &seeds::order_bundles(),
        execs(300),
        |input| {
            phone.refused_changes_nothing(|r| {
                let import = r.import_orders(text(input))?;
                // Each refused order names why; the reason may not repeat the order either.
                for refused in &import.refused {
                    if refused.reason.contains("Zqx") {
                        return Err(RegimenError::InvalidInput {
                            field: "Zqx".into(),
                            reason: "a refused order's reason repeats a planted marker".into(),
                        });
                    }
                }
                Ok(())
            })
        },
    );
}

#[test]
fn fuzz_fhir_dispense() {
    let phone = Phone::new("dispense");
    phone
        .regimen
        .import_orders(seeds::ORDER_BUNDLE.replace("ZQX_MED", "Metformin"))
        .unwrap();
    fuzz("fhir_dispense", &seeds::dispenses(), execs(600), |input| {
        phone.refused_changes_nothing(|r| r.import_dispense(text(input)))
    });
}

#[test]
fn fuzz_pharmacy_task() {
    fuzz("pharmacy_task", &seeds::tasks(), execs(3000), |input| {
        let Some(value) = json(input) else {
            return Ok(());
        };
        // The reason is the pharmacy's own words, shown to the patient: any text is fine.
        let _ = outcome_reason(&value);
        match task_state(&value) {
            Ok(_) => Ok(()),
            Err(err) => core_typed(err),
        }
    });
}

/// Regimen FHIR exports of a patient whose medicine, notes, lab and genotype are the planted
/// markers: every kind of resource the export writes, and the PGx results alone.
fn fhir_exports() -> Vec<Vec<u8>> {
    use regimen_ffi::{
        DoseAction, FhirExportOptions, MedicineInfo, NewDoseEvent, NewSupplyEvent, SupplyKind,
        SupplySettings,
    };
    let phone = Phone::new("exporter");
    let r = &phone.regimen;
    let start = Timestamp::from_millis(NOW_MS - 10 * 86_400_000).unwrap();
    let timing =
        r#"{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"]}}"#;
    let schedule = regimen_ffi::parse_fhir_timing(timing.into(), "Europe/Berlin".into()).unwrap();
    let id = r
        .add_scheduled_medicine(
            MedicineInfo {
                name: MARKER.into(),
                notes: Some(MARKER.into()),
                ..MedicineInfo::default()
            },
            Some(regimen_ffi::Schedule {
                start: "2026-02-01T08:00".parse().unwrap(),
                zone: "Europe/Berlin".into(),
                policy: regimen_ffi::ZonePolicy::Local,
                phases: vec![regimen_ffi::Phase {
                    timing: schedule,
                    ..regimen_ffi::Phase::default()
                }],
                as_needed: None,
                shift: None,
            }),
        )
        .unwrap()
        .id;
    let events: Vec<NewDoseEvent> = (0..3u64)
        .map(|day| NewDoseEvent {
            medicine_id: id,
            action: if day == 1 {
                DoseAction::Skipped
            } else {
                DoseAction::Taken
            },
            actual_at: start.plus(std::time::Duration::from_secs(day * 86_400)),
            scheduled_at: None,
            snooze_until: None,
            note: Some(MARKER.into()),
            amount: None,
            corrects: None,
        })
        .collect();
    let logged = r.log_doses(events.clone()).unwrap();
    r.log_dose(NewDoseEvent {
        corrects: Some(logged[0].id),
        action: DoseAction::Skipped,
        ..events[0].clone()
    })
    .unwrap();
    r.set_supply_settings(
        id,
        SupplySettings {
            unit: "tablet".into(),
            pack_size: Some(30.0),
            lead_days: 7,
        },
    )
    .unwrap();
    for (kind, amount) in [(SupplyKind::Received, 30.0), (SupplyKind::Counted, 20.0)] {
        r.log_supply(NewSupplyEvent {
            medicine_id: id,
            kind,
            amount,
            at: start,
            source: None,
            note: Some(MARKER.into()),
        })
        .unwrap();
    }
    let report = serde_json::json!({ "test_date": "2026-01-02", "lab": MARKER, "results": [
        { "gene": "CYP2D6", "diplotype": MARKER_GENOTYPE },
        { "gene": "HLA-B", "diplotype": "*57:01", "status": "positive" }
    ]});
    r.import_pgx(report.to_string()).unwrap();
    r.add_diary_entry(regimen_ffi::NewDiaryEntry {
        at: Timestamp::from_millis(NOW_MS - 3_600_000).unwrap(),
        text: Some(MARKER.into()),
        medicine_id: None,
        severity: Some(2),
        measurements: vec![
            regimen_ffi::parse_measurement(
                regimen_ffi::MeasurementKind::BloodPressure,
                "128/84".into(),
            )
            .unwrap(),
        ],
    })
    .unwrap();
    let pgx_only = FhirExportOptions {
        medicines: false,
        dose_log: false,
        supply: false,
        diary: false,
        ..FhirExportOptions::default()
    };
    vec![
        r.export_fhir_bundle(FhirExportOptions::default())
            .unwrap()
            .into_bytes(),
        r.export_fhir_bundle(pgx_only).unwrap().into_bytes(),
    ]
}

#[test]
fn fuzz_fhir_bundle_import() {
    let mut phone = Phone::new("bundle");
    fuzz("fhir_bundle_import", &fhir_exports(), execs(300), |input| {
        let outcome = phone.refused_changes_nothing(|r| r.import_fhir_bundle(text(input)));
        // An import that was taken fills the database: the next input gets an empty one.
        let r = &phone.regimen;
        let filled = r.medicines(true).is_ok_and(|m| !m.is_empty())
            || r.pgx_results(true).is_ok_and(|p| !p.is_empty());
        if filled {
            phone = Phone::new("bundle");
        }
        outcome
    });
}

/// A bundle in the wire format, signed by `key` over exactly `payload`.
fn signed(key: &Ed25519KeyPair, payload: &[u8]) -> Vec<u8> {
    let signature: String = key
        .sign(payload)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut out = format!("regimen-knowledge-bundle 1\nsignature {signature}\n").into_bytes();
    out.extend_from_slice(payload);
    out
}

#[test]
fn fuzz_knowledge_bundle() {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let trusted: Vec<String> = vec![
        key.public_key()
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    ];
    // The seeds are payloads: each mutant is signed again, so the fuzzer reaches the
    // payload and table readers behind the signature; one in four goes in as raw bytes.
    let payloads = seeds::bundle_payloads(&Tables::builtin());
    let mut flip = 0_u32;
    fuzz("knowledge_bundle", &payloads, execs(300), |input| {
        flip += 1;
        let bytes = if flip % 4 == 0 {
            let mut raw = signed(&key, &payloads[0]);
            let cut = input.len() % raw.len();
            raw.truncate(cut.max(1));
            raw.extend_from_slice(input);
            raw
        } else {
            signed(&key, input)
        };
        match verify_bundle(&bytes, &trusted) {
            Ok(_) => Ok(()),
            Err(err) => core_typed(err),
        }
    });
}

#[test]
fn fuzz_share_message_decode() {
    fuzz(
        "share_message_decode",
        &seeds::messages("share-key"),
        execs(3000),
        |input| match Message::decode(input) {
            Ok(_) => Ok(()),
            Err(err) => core_typed(err),
        },
    );
}

#[test]
fn fuzz_push_body_decrypt() {
    let keys = ReceiverKeys::generate().unwrap();
    let bodies: Vec<Vec<u8>> = seeds::messages("share-key")
        .iter()
        .map(|m| ece::encrypt(m, &keys.public_key(), &keys.auth()).unwrap())
        .collect();
    fuzz("push_body_decrypt", &bodies, execs(3000), |input| {
        // A body that cannot be opened is refused as a crypto error (tampered or not ours).
        match ece::decrypt(input, &keys) {
            Ok(_) => Ok(()),
            Err(regimen_core::Error::Crypto(reason)) => no_marker(&reason),
            Err(err) => core_typed(err),
        }
    });
}

/// A patient and a caregiver paired through the public API, as the apps pair.
struct Pair {
    patient: Phone,
    caregiver: Phone,
    /// The share's key, as messages name it.
    share: String,
    /// The caregiver's push subscription keys.
    p256dh: Vec<u8>,
    auth: Vec<u8>,
}

fn pair() -> Pair {
    let patient = Phone::new("patient");
    let caregiver = Phone::new("caregiver");
    let offer = patient
        .regimen
        .offer_share("Anna".into(), vec![ShareScope::Medicines])
        .unwrap()
        .payload;
    let answer = caregiver
        .regimen
        .answer_offer(
            offer,
            "https://push.example.org/sub/1".into(),
            "Ben".into(),
            None,
        )
        .unwrap()
        .payload;
    patient.regimen.accept_answer(answer.clone()).unwrap();
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let field = |name: &str| answer[name].as_str().unwrap().to_owned();
    Pair {
        share: field("share"),
        p256dh: base64url::decode(&field("p256dh"), "p256dh").unwrap(),
        auth: base64url::decode(&field("auth"), "auth").unwrap(),
        patient,
        caregiver,
    }
}

#[test]
fn fuzz_push_receive() {
    let pair = pair();
    // Mutated plaintexts, encrypted to the caregiver's keys, so they reach the message
    // reader and the store; a plaintext too long for one push cannot be sent at all.
    fuzz(
        "push_receive",
        &seeds::messages(&pair.share),
        execs(600),
        |input| {
            let Ok(body) = ece::encrypt(input, &pair.p256dh, &pair.auth) else {
                return Ok(());
            };
            pair.caregiver.refused_changes_nothing(|r| r.receive(body))
        },
    );
}

#[test]
fn fuzz_share_pairing() {
    let pair = pair();
    let patient = &pair.patient;
    let caregiver = &pair.caregiver;
    let offers: Vec<Vec<u8>> = (0..3)
        .map(|i| {
            patient
                .regimen
                .offer_share(format!("{MARKER}{i}"), vec![ShareScope::Pgx])
                .unwrap()
                .payload
                .into_bytes()
        })
        .collect();
    let answers: Vec<Vec<u8>> = offers
        .iter()
        .map(|offer| {
            caregiver
                .regimen
                .answer_offer(
                    text(offer),
                    "https://push.example.org/sub/2".into(),
                    MARKER.into(),
                    None,
                )
                .unwrap()
                .payload
                .into_bytes()
        })
        .collect();
    let mut seeds = offers;
    seeds.extend(answers);
    let mut turn = 0_u32;
    fuzz("share_pairing", &seeds, execs(600), |input| {
        turn += 1;
        // Each input is tried both as an offer (caregiver) and as an answer (patient).
        caregiver.refused_changes_nothing(|r| {
            r.answer_offer(
                text(input),
                format!("https://push.example.org/f/{turn}"),
                "Cara".into(),
                Some(30),
            )
        })?;
        patient.refused_changes_nothing(|r| r.accept_answer(text(input)))
    });
}

/// The number after `"key":` in `input`, if any.
fn number_after(input: &[u8], key: &str) -> Option<u64> {
    let text = String::from_utf8_lossy(input);
    let at = text.find(&format!("\"{key}\":"))? + key.len() + 3;
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// A core key provider for the backup target: the key it was given, or the first one kept.
#[derive(Default)]
struct CoreKey(std::sync::Mutex<Option<Vec<u8>>>);

impl regimen_core::KeyProvider for CoreKey {
    fn existing_key(&self) -> regimen_core::Result<Option<Vec<u8>>> {
        Ok(self.0.lock().unwrap().clone())
    }
    fn keep_new_key(&self, key: &[u8]) -> regimen_core::Result<()> {
        self.0.lock().unwrap().get_or_insert_with(|| key.to_vec());
        Ok(())
    }
}

#[test]
fn fuzz_backup_restore() {
    use regimen_core::backup::KdfCost;
    use regimen_core::medicine::MedicineInfo;
    use regimen_core::{OpenOptions, Records};

    // Seeds: backups of a database holding a medicine named with the marker, written at the
    // cheapest key derivation so that inputs whose header survives stay quick.
    let source = tempfile::tempdir().unwrap();
    let records = Records::open(
        &source.path().join("source.db"),
        &OpenOptions::default(),
        &CoreKey::default(),
    )
    .unwrap();
    let now = Timestamp::from_millis(NOW_MS).unwrap();
    let info = MedicineInfo {
        name: MARKER.into(),
        notes: Some(MARKER_GENOTYPE.into()),
        ..MedicineInfo::default()
    };
    records.add_medicine(&info, now).unwrap();
    let cheap = KdfCost {
        memory_kib: 8,
        iterations: 1,
    };
    let seeds: Vec<Vec<u8>> = ["a passphrase of eight", "another passphrase"]
        .iter()
        .map(|p| records.export_backup(p, cheap, now).unwrap())
        .collect();
    let target = tempfile::tempdir().unwrap();
    let mut turn = 0_u32;
    fuzz("backup_restore", &seeds, execs(400), |input| {
        // A changed header may ask for a costlier derivation (up to the reader's bound); those
        // are slow by design, not what a mutation run should spend its time on.
        if number_after(input, "memory_kib").is_some_and(|m| m > 64)
            || number_after(input, "iterations").is_some_and(|i| i > 2)
        {
            return Ok(());
        }
        turn += 1;
        let path = target.path().join(format!("restored-{turn}.db"));
        let restored = Records::restore_backup(
            &path,
            &OpenOptions::default(),
            &CoreKey::default(),
            input,
            "a passphrase of eight",
        );
        match restored {
            Ok(_) => Ok(()),
            Err(err) => {
                core_typed(err)?;
                if std::fs::read_dir(target.path()).unwrap().any(|e| {
                    e.is_ok_and(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .contains(&format!("-{turn}.db"))
                    })
                }) {
                    return Err("a refused backup left a file behind".into());
                }
                Ok(())
            }
        }
    });
}
