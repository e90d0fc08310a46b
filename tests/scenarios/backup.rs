//! A new phone and "delete everything", through the public API: a backup restored under a new
//! key has the whole history and keeps the caregiver's share working; every kind of bad
//! backup is refused without writing anything; a backup of format 1 written on 2026-12-02
//! (committed in tests/data) still restores; deleting leaves no file and no key.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use regimen_ffi::{
    BackupProblem, DoseAction, MeasurementKind, MessageKind, NewDiaryEntry, NewDoseEvent, Regimen,
    RegimenConfig, RegimenError, ShareScope, ShareState, Timestamp, backup_info, parse_measurement,
};
use regimen_tests::phones::{Phones, hand_over, pair};
use regimen_tests::push_service::PushService;
use regimen_tests::{MemoryKeyStore, block_on};

const PASSPHRASE: &str = "a long walk to the pharmacy";

/// The files in `dir` whose names start with `prefix`, sorted.
fn files(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix) || name.starts_with(&format!(".{prefix}")))
        .collect();
    names.sort();
    names
}

fn restore(
    dir: &Path,
    name: &str,
    keys: &Arc<MemoryKeyStore>,
    file: Vec<u8>,
    passphrase: &str,
) -> Result<Arc<Regimen>, RegimenError> {
    Regimen::restore_backup(
        dir.join(name).to_string_lossy().into_owned(),
        RegimenConfig::default(),
        keys.clone(),
        file,
        passphrase.into(),
    )
}

fn problem(result: Result<Arc<Regimen>, RegimenError>) -> BackupProblem {
    match result {
        Err(RegimenError::Backup { problem, .. }) => problem,
        Err(other) => panic!("expected a refused backup, got {other}"),
        Ok(_) => panic!("expected a refused backup, it was restored"),
    }
}

fn taken(medicine_id: i64, due: Timestamp, at: Timestamp, note: Option<&str>) -> NewDoseEvent {
    NewDoseEvent {
        medicine_id,
        action: DoseAction::Taken,
        actual_at: at,
        scheduled_at: Some(due),
        snooze_until: None,
        note: note.map(str::to_owned),
        amount: None,
        corrects: None,
    }
}

#[test]
fn a_backup_restored_on_a_new_phone_has_everything_and_the_caregiver_still_hears() {
    let phones = Phones::new();
    let service = PushService::start().unwrap();
    let medicine = pair(&phones, &service, vec![ShareScope::Medicines]);
    let patient = phones.open("patient", 1);
    patient
        .log_dose(taken(
            medicine,
            phones.at(0),
            phones.at(1),
            Some("with toast"),
        ))
        .unwrap();
    patient
        .add_diary_entry(NewDiaryEntry {
            at: phones.at(1),
            text: Some("a headache after the first dose".into()),
            medicine_id: Some(medicine),
            severity: Some(2),
            measurements: vec![
                parse_measurement(MeasurementKind::BloodPressure, "128/84".into()).unwrap(),
            ],
        })
        .unwrap();
    assert_eq!(
        block_on(patient.send_pending(regimen_ffi::native_http()))
            .unwrap()
            .delivered,
        4
    );
    let caregiver = phones.open("caregiver", 2);
    hand_over(&service, &caregiver);
    let backup = patient.export_backup(PASSPHRASE.into()).unwrap();

    // The new phone: another folder, another key store.
    let new_phone = tempfile::tempdir().unwrap();
    let new_keys = Arc::new(MemoryKeyStore::default());
    let restored = restore(
        new_phone.path(),
        "patient.db",
        &new_keys,
        backup,
        PASSPHRASE,
    )
    .unwrap();
    restored.set_now(Some(phones.at(3))).unwrap();

    assert_eq!(
        restored.medicines(true).unwrap(),
        patient.medicines(true).unwrap()
    );
    let (from, to) = (
        phones.at(0).minus(Duration::from_secs(86_400)),
        phones.at(600),
    );
    let log = restored.dose_events(from, to, None).unwrap();
    assert_eq!(log, patient.dose_events(from, to, None).unwrap());
    assert_eq!(log[0].note.as_deref(), Some("with toast"));
    assert_eq!(
        restored.schedule_versions(medicine).unwrap(),
        patient.schedule_versions(medicine).unwrap()
    );
    assert_eq!(restored.settings().unwrap(), patient.settings().unwrap());
    let diary = restored.diary_entries(from, to).unwrap();
    assert_eq!(diary, patient.diary_entries(from, to).unwrap());
    assert_eq!(
        diary[0].text.as_deref(),
        Some("a headache after the first dose")
    );
    let shares = restored.shares().unwrap();
    assert_eq!(shares, patient.shares().unwrap());
    assert_eq!(shares[0].state, ShareState::Active);

    // The same schema, append-only guards included (re-sealing set them aside for a moment).
    let schema = |path: &Path| -> Vec<(String, String, Option<String>)> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut rows: Vec<_> = conn
            .prepare("SELECT type, name, sql FROM sqlite_schema")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        rows
    };
    let old_schema = schema(&phones.dir.path().join("patient.db"));
    assert!(
        old_schema
            .iter()
            .any(|(_, name, _)| name == "dose_event_no_update")
    );
    assert_eq!(schema(&new_phone.path().join("patient.db")), old_schema);

    // A new key, which the old phone's key does not replace.
    let old_key = phones.keys.key("patient").unwrap();
    let new_key = new_keys.key("regimen.database").unwrap();
    assert_ne!(old_key, new_key);
    drop(restored);
    let with_old_key = Regimen::open(
        new_phone
            .path()
            .join("patient.db")
            .to_string_lossy()
            .into_owned(),
        RegimenConfig::default(),
        Arc::new(MemoryKeyStore::holding("regimen.database", old_key)),
    );
    assert!(matches!(with_old_key, Err(RegimenError::Locked { .. })));

    // The new phone logs a dose; the caregiver, paired with the old one, is told.
    let restored = Regimen::open_at(
        new_phone
            .path()
            .join("patient.db")
            .to_string_lossy()
            .into_owned(),
        RegimenConfig::default(),
        new_keys.clone(),
        phones.at(241),
    )
    .unwrap();
    restored
        .log_dose(taken(medicine, phones.at(240), phones.at(241), None))
        .unwrap();
    block_on(restored.send_pending(regimen_ffi::native_http())).unwrap();
    let (kinds, ignored) = hand_over(&service, &caregiver);
    // The scenario runs on the real clock, so a UTC day (the patient's zone) may end within
    // its four hours: then that day's summary comes too, and only then.
    let day_ended =
        phones.at(0).to_datetime().date_naive() != phones.at(241).to_datetime().date_naive();
    let (summaries, told): (Vec<_>, Vec<_>) = kinds
        .into_iter()
        .partition(|kind| *kind == MessageKind::Summary);
    assert_eq!((told, ignored), (vec![MessageKind::Dose], 0));
    assert!(
        day_ended || summaries.is_empty(),
        "a summary for a day not over: {summaries:?}"
    );

    // The caregiver moves phones too: what they were told (sealed in their inbox) is all there.
    let caregiver_backup = caregiver.export_backup(PASSPHRASE.into()).unwrap();
    let caregiver_phone = tempfile::tempdir().unwrap();
    let caregiver_keys = Arc::new(MemoryKeyStore::default());
    let moved = restore(
        caregiver_phone.path(),
        "caregiver.db",
        &caregiver_keys,
        caregiver_backup,
        PASSPHRASE,
    )
    .unwrap();
    moved.set_now(Some(phones.at(242))).unwrap();
    let share = caregiver.shares().unwrap()[0].id;
    let view = |r: &Regimen| r.patient_view(share, phones.at(0), phones.at(481)).unwrap();
    caregiver.set_now(Some(phones.at(242))).unwrap();
    let told = view(&caregiver);
    assert!(!told.doses.is_empty() && !told.diary.is_empty(), "{told:?}");
    assert_eq!(view(&moved), told);

    // Its notifications are its own: the database id differs.
    let ids = |r: &Regimen| -> Vec<String> {
        r.plan_notifications(Duration::from_secs(86_400), 10)
            .unwrap()
            .notifications
            .into_iter()
            .map(|n| n.id)
            .collect()
    };
    let (old_ids, new_ids) = (ids(&phones.open("patient", 241)), ids(&restored));
    assert!(!old_ids.is_empty());
    let prefix = |id: &String| id.split('/').next().unwrap().to_owned();
    assert_ne!(prefix(&old_ids[0]), prefix(&new_ids[0]));
}

#[test]
fn every_kind_of_bad_backup_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    let patient = Regimen::open(
        dir.path().join("old.db").to_string_lossy().into_owned(),
        RegimenConfig {
            key_alias: "old".into(),
            ..RegimenConfig::default()
        },
        keys.clone(),
    )
    .unwrap();
    let backup = patient.export_backup(PASSPHRASE.into()).unwrap();
    let body_at = backup
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .unwrap()
        .0
        + 1;
    let text = String::from_utf8_lossy(&backup[..body_at]).into_owned();
    let with_header = |from: &str, to: &str| {
        let mut changed = text.replacen(from, to, 1).into_bytes();
        assert_ne!(changed.len(), 0);
        changed.extend_from_slice(&backup[body_at..]);
        changed
    };
    let mut flipped = backup.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let mut longer = backup.clone();
    longer.push(0);

    let cases: Vec<(&str, Vec<u8>, &str, BackupProblem)> = vec![
        (
            "wrong passphrase",
            backup.clone(),
            "a short walk to the pharmacy",
            BackupProblem::WrongPassphrase,
        ),
        (
            "empty file",
            Vec::new(),
            PASSPHRASE,
            BackupProblem::NotABackup,
        ),
        (
            "a database, not a backup",
            std::fs::read(dir.path().join("old.db")).unwrap(),
            PASSPHRASE,
            BackupProblem::NotABackup,
        ),
        (
            "cut in the header",
            backup[..40].to_vec(),
            PASSPHRASE,
            BackupProblem::Truncated,
        ),
        (
            "cut in the body",
            backup[..backup.len() - 1000].to_vec(),
            PASSPHRASE,
            BackupProblem::Truncated,
        ),
        (
            "a byte changed in the body",
            flipped,
            PASSPHRASE,
            BackupProblem::Tampered,
        ),
        (
            "a byte added at the end",
            longer,
            PASSPHRASE,
            BackupProblem::Tampered,
        ),
        (
            "the header's date changed",
            with_header("\"created_at\":\"2", "\"created_at\":\"1"),
            PASSPHRASE,
            BackupProblem::Tampered,
        ),
        (
            "a newer format",
            with_header("\"format\":1", "\"format\":2"),
            PASSPHRASE,
            BackupProblem::TooNew,
        ),
        (
            "a newer schema",
            with_header("\"schema\":", "\"schema\":99"),
            PASSPHRASE,
            BackupProblem::TooNew,
        ),
        (
            "an absurd memory cost",
            with_header("\"memory_kib\":65536", "\"memory_kib\":4294967295"),
            PASSPHRASE,
            BackupProblem::Tampered,
        ),
    ];
    for (case, file, passphrase, expected) in cases {
        let got = problem(restore(dir.path(), "new.db", &keys, file, passphrase));
        assert_eq!(got, expected, "{case}");
        assert_eq!(
            files(dir.path(), "new.db"),
            Vec::<String>::new(),
            "{case}: files left"
        );
        assert_eq!(keys.key("regimen.database"), None, "{case}: a key was kept");
    }
    // What the app can show before asking for the passphrase.
    let info = backup_info(backup.clone()).unwrap();
    assert_eq!((info.format, info.restorable), (1, true));
    assert!(info.written_by.starts_with("Regimen "));
    assert!(matches!(
        backup_info(b"PK\x03\x04 a zip file".to_vec()),
        Err(RegimenError::Backup {
            problem: BackupProblem::NotABackup,
            ..
        })
    ));
    // A passphrase too short to protect anything is refused when writing.
    assert!(matches!(
        patient.export_backup("short".into()),
        Err(RegimenError::InvalidInput { field, .. }) if field == "passphrase"
    ));
}

#[test]
fn restoring_onto_an_existing_database_is_a_conflict_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    let path = dir.path().join("patient.db").to_string_lossy().into_owned();
    let patient = Regimen::open(path.clone(), RegimenConfig::default(), keys.clone()).unwrap();
    let backup = patient.export_backup(PASSPHRASE.into()).unwrap();
    drop(patient);
    let before = std::fs::read(&path).unwrap();
    let refused = restore(dir.path(), "patient.db", &keys, backup, PASSPHRASE);
    assert!(matches!(refused, Err(RegimenError::Conflict { .. })));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(files(dir.path(), "patient.db"), ["patient.db"]);
}

/// `tests/data/backup-format-1.regimen` was written on 2026-12-02 by
/// `regimen --now 2026-12-02T10:00:00Z --tz Europe/Berlin demo` then `backup create` with the
/// passphrase below. The facts checked here were read from that database with `regimen
/// --json` before it was thrown away; the fixture must restore to them in every later
/// version (migrations included).
#[test]
fn a_backup_written_by_format_1_still_restores_with_its_contents() {
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/backup-format-1.regimen"
    ))
    .unwrap();
    let info = backup_info(file.clone()).unwrap();
    assert_eq!((info.format, info.schema), (1, 8));
    assert_eq!(
        info.created_at,
        Timestamp::parse_rfc3339("2026-12-02T10:00:00Z").unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    let restored = restore(
        dir.path(),
        "restored.db",
        &keys,
        file,
        "format one, kept for good",
    )
    .unwrap();
    restored
        .set_now(Some(
            Timestamp::parse_rfc3339("2026-12-02T10:00:00Z").unwrap(),
        ))
        .unwrap();
    let names: Vec<(String, bool)> = restored
        .medicines(true)
        .unwrap()
        .into_iter()
        .map(|m| (m.info.name, m.archived_at.is_some()))
        .collect();
    let expected = [
        ("Amoxicillin", true),
        ("Atorvastatin", false),
        ("Calcium carbonate", false),
        ("Clopidogrel", false),
        ("Ibuprofen", false),
        ("Levothyroxine", false),
        ("Metformin", false),
    ];
    assert_eq!(names, expected.map(|(n, a)| (n.to_owned(), a)).to_vec());
    let genes: Vec<(String, String)> = restored
        .pgx_results(false)
        .unwrap()
        .into_iter()
        .map(|r| (r.result.gene, r.result.diplotype))
        .collect();
    assert_eq!(
        genes,
        [
            ("CYP2C19", "*1/*2"),
            ("CYP2D6", "*1/*4"),
            ("SLCO1B1", "*1/*1")
        ]
        .map(|(g, d)| (g.to_owned(), d.to_owned()))
    );
    let report = restored
        .adherence(
            Timestamp::parse_rfc3339("2026-11-02T23:00:00Z").unwrap(),
            Timestamp::parse_rfc3339("2026-12-02T23:00:00Z").unwrap(),
        )
        .unwrap();
    let overall = report.overall;
    assert_eq!(
        (
            overall.settled,
            overall.taken_on_time,
            overall.skipped,
            overall.missed
        ),
        (25, 23, 1, 1)
    );
    assert_eq!(restored.stock(3).unwrap().on_hand, 6.0);
}

#[test]
fn deleting_everything_tells_the_caregiver_and_leaves_no_file_and_no_key() {
    let phones = Phones::new();
    let service = PushService::start().unwrap();
    pair(&phones, &service, vec![]);
    let patient = phones.open("patient", 1);
    block_on(patient.send_pending(regimen_ffi::native_http())).unwrap();
    let caregiver = phones.open("caregiver", 1);
    hand_over(&service, &caregiver);
    // A backup's private copy interrupted long ago would be removed too; one left now is.
    let before = files(phones.dir.path(), "patient.db");
    assert!(before.contains(&"patient.db".to_owned()), "{before:?}");

    let goodbye = block_on(patient.say_goodbye_to_caregivers(regimen_ffi::native_http())).unwrap();
    assert_eq!(goodbye.delivered, 1);
    let report = patient.delete_everything().unwrap();
    assert_eq!(
        report.shares_revoked, 0,
        "the goodbye ended the share already"
    );
    assert!(report.files_removed >= 1);
    assert_eq!(files(phones.dir.path(), "patient.db"), Vec::<String>::new());
    assert_eq!(phones.keys.key("patient"), None);
    assert!(matches!(
        patient.medicines(true),
        Err(RegimenError::Storage { .. })
    ));

    // The caregiver heard the goodbye; their own database is untouched.
    let (kinds, _) = hand_over(&service, &caregiver);
    assert_eq!(kinds, [MessageKind::Revoked]);
    assert_eq!(caregiver.shares().unwrap()[0].state, ShareState::Revoked);
    assert!(files(phones.dir.path(), "caregiver.db").contains(&"caregiver.db".to_owned()));
    assert!(phones.keys.key("caregiver").is_some());
}
