//! A patient's first days through the public API, as the apps call it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use regimen_ffi::{
    DoseAction, DoseForm, MedicineInfo, NewDoseEvent, Regimen, RegimenConfig, RegimenError, Route,
    Timestamp,
};
use regimen_tests::MemoryKeyStore;

fn open(dir: &tempfile::TempDir, keys: &Arc<MemoryKeyStore>) -> Result<Arc<Regimen>, RegimenError> {
    let path = dir.path().join("patient.db").to_string_lossy().into_owned();
    Regimen::open(path, RegimenConfig::default(), keys.clone())
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now()).unwrap()
}

fn metformin() -> MedicineInfo {
    MedicineInfo {
        name: "Metformin".into(),
        strength: Some("500 mg".into()),
        form: Some(DoseForm::Tablet),
        route: Some(Route::Oral),
        rxnorm: Some("6809".into()),
        atc: Some("A10BA02".into()),
        instructions: Some("With breakfast".into()),
        notes: None,
        drug_id: None,
    }
}

#[test]
fn a_patient_adds_a_medicine_logs_a_dose_and_finds_both_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    let regimen = open(&dir, &keys).unwrap();
    let medicine = regimen.add_medicine(metformin()).unwrap();
    let due = now().minus(Duration::from_secs(600));
    regimen
        .log_dose(NewDoseEvent {
            medicine_id: medicine.id,
            action: DoseAction::Taken,
            actual_at: now(),
            scheduled_at: Some(due),
            snooze_until: None,
            note: None,
            amount: None,
            corrects: None,
        })
        .unwrap();
    drop(regimen);

    assert_eq!(keys.key("regimen.database").map(|k| k.len()), Some(32));
    let regimen = open(&dir, &keys).unwrap();
    assert_eq!(regimen.medicines(false).unwrap()[0].info, metformin());
    let log = regimen
        .dose_events(
            due.minus(Duration::from_secs(3600)),
            now().plus(Duration::from_secs(60)),
            None,
        )
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].scheduled_at, Some(due));
}

#[test]
fn a_locked_key_store_gives_locked_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    *keys.unavailable.lock().unwrap() = true;
    let err = open(&dir, &keys).err().unwrap();
    assert!(matches!(err, RegimenError::Locked { .. }), "{err}");
    let created: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(created.is_empty(), "no database file without a kept key");
}

#[test]
fn a_wrong_key_gives_locked() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(&dir, &Arc::new(MemoryKeyStore::default())).unwrap());
    let wrong = Arc::new(MemoryKeyStore::holding("regimen.database", vec![1; 32]));
    assert!(matches!(
        open(&dir, &wrong),
        Err(RegimenError::Locked { .. })
    ));
}

#[test]
fn databases_with_different_aliases_keep_different_keys() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    for alias in ["patient.anna", "patient.ben"] {
        let path = dir
            .path()
            .join(format!("{alias}.db"))
            .to_string_lossy()
            .into_owned();
        let config = RegimenConfig {
            key_alias: alias.into(),
            ..RegimenConfig::default()
        };
        Regimen::open(path, config, keys.clone()).unwrap();
    }
    assert_ne!(keys.key("patient.anna"), keys.key("patient.ben"));
}

#[test]
fn errors_name_the_field_but_never_repeat_health_data() {
    let dir = tempfile::tempdir().unwrap();
    let regimen = open(&dir, &Arc::new(MemoryKeyStore::default())).unwrap();
    let secret = "Sertraline";
    let too_long = MedicineInfo {
        name: secret.repeat(30),
        ..metformin()
    };
    let bad_code = MedicineInfo {
        name: secret.into(),
        atc: Some(format!("{secret}-code")),
        ..metformin()
    };
    let bad_note = NewDoseEvent {
        medicine_id: regimen.add_medicine(metformin()).unwrap().id,
        action: DoseAction::Taken,
        actual_at: now(),
        scheduled_at: None,
        snooze_until: None,
        note: Some(format!("{secret}\u{0}")),
        amount: None,
        corrects: None,
    };
    let errors = [
        regimen.add_medicine(too_long).unwrap_err(),
        regimen.add_medicine(bad_code).unwrap_err(),
        regimen.log_dose(bad_note).unwrap_err(),
    ];
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            RegimenError::InvalidInput { field, .. } => field.as_str(),
            other => panic!("expected InvalidInput, got {other}"),
        })
        .collect();
    assert_eq!(fields, ["name", "atc", "note"]);
    for error in &errors {
        let text = format!("{error} {error:?}");
        assert!(!text.contains(secret), "health data in an error: {text}");
    }
}

#[test]
fn an_unknown_id_is_not_found_with_the_kind_named() {
    let dir = tempfile::tempdir().unwrap();
    let regimen = open(&dir, &Arc::new(MemoryKeyStore::default())).unwrap();
    match regimen.archive_medicine(404) {
        Err(RegimenError::NotFound { what, id }) => {
            assert_eq!((what.as_str(), id), ("medicine", 404))
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[test]
fn bad_open_arguments_are_invalid_input() {
    let keys = Arc::new(MemoryKeyStore::default());
    let empty_path = Regimen::open(" ".into(), RegimenConfig::default(), keys.clone());
    assert!(matches!(empty_path, Err(RegimenError::InvalidInput { field, .. }) if field == "path"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db").to_string_lossy().into_owned();
    let config = RegimenConfig {
        key_alias: "".into(),
        ..RegimenConfig::default()
    };
    let empty_alias = Regimen::open(path, config, keys);
    assert!(
        matches!(empty_alias, Err(RegimenError::InvalidInput { field, .. }) if field == "key_alias")
    );
}

#[test]
fn a_notification_extension_never_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let config = RegimenConfig {
        create_if_missing: false,
        ..RegimenConfig::default()
    };
    let keys = Arc::new(MemoryKeyStore::default());
    let err = Regimen::open(path.to_string_lossy().into_owned(), config, keys.clone())
        .err()
        .unwrap();
    assert!(matches!(err, RegimenError::Storage { .. }), "{err}");
    assert!(!path.exists());
    assert!(keys.key("regimen.database").is_none());
}

#[test]
fn two_handles_on_one_file_see_each_others_writes() {
    // The app and its notification extension each open the same database.
    let dir = tempfile::tempdir().unwrap();
    let keys = Arc::new(MemoryKeyStore::default());
    let app = open(&dir, &keys).unwrap();
    let extension = open(&dir, &keys).unwrap();
    let medicine = app.add_medicine(metformin()).unwrap();
    extension
        .log_dose(NewDoseEvent {
            medicine_id: medicine.id,
            action: DoseAction::Taken,
            actual_at: now(),
            scheduled_at: None,
            snooze_until: None,
            note: None,
            amount: None,
            corrects: None,
        })
        .unwrap();
    let log = app
        .dose_events(
            now().minus(Duration::from_secs(60)),
            now().plus(Duration::from_secs(60)),
            None,
        )
        .unwrap();
    assert_eq!(log.len(), 1);
}
