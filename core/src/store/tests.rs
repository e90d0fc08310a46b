//! Opening, refusing, encrypting and migrating: the store's promises, pinned.

use std::cell::RefCell;
use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::migrations::MIGRATIONS;
use super::*;
use crate::dose::{DoseAction, NewDoseEvent};
use crate::medicine::MedicineInfo;
use crate::time::Timestamp;

/// A key store in memory, as the app's keystore would be.
#[derive(Default)]
struct MemoryKeys(RefCell<Option<Vec<u8>>>);

impl MemoryKeys {
    fn holding(key: &[u8]) -> Self {
        MemoryKeys(RefCell::new(Some(key.to_vec())))
    }
}

impl KeyProvider for MemoryKeys {
    fn existing_key(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.0.borrow().clone())
    }
    fn keep_new_key(&self, key: &[u8]) -> Result<()> {
        *self.0.borrow_mut() = Some(key.to_vec());
        Ok(())
    }
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2025-06-01T08:00:00Z").unwrap()
}

fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("patient.db")
}

fn open(path: &Path, keys: &MemoryKeys) -> Result<Store> {
    Store::open(path, &OpenOptions::default(), keys)
}

fn named(name: &str) -> MedicineInfo {
    MedicineInfo {
        name: name.into(),
        ..Default::default()
    }
}

/// Every file SQLite may keep for the database: the file, its WAL and its rollback journal.
fn database_files(path: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-journal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            fs::read(&file)
                .ok()
                .map(|bytes| (suffix.to_string(), bytes))
        })
        .collect()
}

#[test]
fn new_database_is_created_with_a_generated_key_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeys::default();
    let store = open(&db_path(&dir), &keys).unwrap();
    let added = store.add_medicine(&named("Metformin"), now()).unwrap();
    drop(store);

    let key = keys.0.borrow().clone().expect("a key was kept");
    assert_eq!(key.len(), KEY_LEN);
    let store = open(&db_path(&dir), &keys).unwrap();
    assert_eq!(store.medicine(added.id).unwrap().info.name, "Metformin");
}

#[test]
fn wrong_key_is_locked_and_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    drop(
        open(&path, &MemoryKeys::default())
            .unwrap()
            .add_medicine(&named("Lisinopril"), now()),
    );
    let before = fs::read(&path).unwrap();

    let err = open(&path, &MemoryKeys::holding(&[9u8; KEY_LEN]))
        .err()
        .unwrap();
    assert!(matches!(err, Error::Locked(_)), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn missing_or_malformed_key_for_an_existing_database_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    drop(open(&path, &MemoryKeys::default()).unwrap());
    let before = fs::read(&path).unwrap();

    let no_key = open(&path, &MemoryKeys::default()).err().unwrap();
    assert!(matches!(no_key, Error::Locked(_)), "{no_key}");
    let short_key = open(&path, &MemoryKeys::holding(&[1u8; 16])).err().unwrap();
    assert!(matches!(short_key, Error::Locked(_)), "{short_key}");
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    fs::write(&path, &garbage).unwrap();

    let err = open(&path, &MemoryKeys::default()).err().unwrap();
    assert!(matches!(err, Error::Damaged(_)), "{err}");
    assert_eq!(fs::read(&path).unwrap(), garbage);
}

#[test]
fn another_applications_sqlite_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let other = Connection::open(&path).unwrap();
    other
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');")
        .unwrap();
    drop(other);
    let before = fs::read(&path).unwrap();

    let keys = MemoryKeys::default();
    let err = open(&path, &keys).err().unwrap();
    assert!(matches!(err, Error::Unusable(_)), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert!(
        keys.0.borrow().is_none(),
        "no key is generated for a refused file"
    );
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let keys = MemoryKeys::default();
    drop(open(&path, &keys).unwrap());
    let raw = Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(raw);
    let before = fs::read(&path).unwrap();

    let err = open(&path, &keys).err().unwrap();
    assert!(
        matches!(err, Error::SchemaTooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{err}"
    );
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn no_database_is_created_when_creation_is_not_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let options = OpenOptions {
        create_if_missing: false,
        ..OpenOptions::default()
    };
    let err = Store::open(&path, &options, &MemoryKeys::default())
        .err()
        .unwrap();
    assert!(matches!(err, Error::Unusable(_)));
    assert!(!path.exists());
}

#[test]
fn medicine_names_notes_and_codes_never_reach_the_files_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let store = open(&path, &MemoryKeys::default()).unwrap();
    let secrets = [
        "Clopidogrel",
        "75 mg",
        "RXNORM32968",
        "B01AC04",
        "Take with breakfast",
        "Started after the stent in May",
        "Felt dizzy so skipped",
    ];
    let medicine = store
        .add_medicine(
            &MedicineInfo {
                name: secrets[0].into(),
                strength: Some(secrets[1].into()),
                rxnorm: Some("32968".into()),
                atc: Some(secrets[3].into()),
                instructions: Some(secrets[4].into()),
                notes: Some(secrets[5].into()),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
    let store = crate::Records::new(store);
    store
        .log_dose(
            &NewDoseEvent {
                medicine_id: medicine.id,
                action: DoseAction::Skipped,
                actual_at: now(),
                scheduled_at: Some(now()),
                snooze_until: None,
                note: Some(secrets[6].into()),
                amount: None,
                corrects: None,
            },
            now(),
        )
        .unwrap();
    // Some values stay in the WAL until a checkpoint: look while open, and after closing.
    let check = |stage: &str| {
        let files = database_files(&path);
        assert!(files.iter().any(|(suffix, _)| suffix.is_empty()));
        for (suffix, bytes) in &files {
            for secret in secrets.iter().map(|s| s.trim_start_matches("RXNORM")) {
                let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
                assert!(
                    !found,
                    "{stage}: a secret is readable in the file ending '{suffix}'"
                );
            }
        }
    };
    check("while open");
    drop(store);
    check("after close");
}

#[test]
fn sealed_details_copied_to_another_row_fail_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let keys = MemoryKeys::default();
    let store = open(&path, &keys).unwrap();
    let first = store.add_medicine(&named("Warfarin"), now()).unwrap();
    let second = store.add_medicine(&named("Vitamin D"), now()).unwrap();
    drop(store);

    let raw = Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE medicine SET details = (SELECT details FROM medicine WHERE id = ?1) WHERE id = ?2",
        [first.id, second.id],
    )
    .unwrap();
    drop(raw);

    let store = open(&path, &keys).unwrap();
    assert_eq!(store.medicine(first.id).unwrap().info.name, "Warfarin");
    assert!(matches!(store.medicine(second.id), Err(Error::Crypto(_))));
}

#[test]
fn the_dose_log_refuses_updates_and_deletes_even_from_raw_sql() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let store = open(&path, &MemoryKeys::default()).unwrap();
    let medicine = store.add_medicine(&named("Amlodipine"), now()).unwrap();
    let store = crate::Records::new(store);
    store
        .log_dose(
            &NewDoseEvent {
                medicine_id: medicine.id,
                action: DoseAction::Taken,
                actual_at: now(),
                scheduled_at: None,
                snooze_until: None,
                note: None,
                amount: None,
                corrects: None,
            },
            now(),
        )
        .unwrap();
    drop(store);

    let raw = Connection::open(&path).unwrap();
    assert!(
        raw.execute("UPDATE dose_event SET action = 'skipped'", [])
            .is_err()
    );
    assert!(raw.execute("DELETE FROM dose_event", []).is_err());
    let count: i64 = raw
        .query_row("SELECT count(*) FROM dose_event", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
}

/// The schema of a database as SQLite describes it, for comparing two databases.
fn schema_of(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut facts: Vec<String> = conn
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap()
        .query_map([], |row| {
            Ok(format!(
                "{}|{}|{}|{}",
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?.unwrap_or_default()
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for pragma in ["user_version", "application_id", "journal_mode"] {
        let value: String = conn
            .pragma_query_value(None, pragma, |row| Ok(format!("{:?}", row.get_ref(0)?)))
            .unwrap();
        facts.push(format!("{pragma}={value}"));
    }
    facts
}

/// The schema of every version as it shipped, frozen: old databases are built from these, so
/// an edit to a shipped migration cannot go unseen. Add a file (`schema/vN.sql`, made from a
/// database at version N: its `sqlite_schema` SQL in creation order and the rows its
/// migrations insert) with every new version; never edit one.
const FROZEN_SCHEMAS: &[&str] = &[
    include_str!("schema/v1.sql"),
    include_str!("schema/v2.sql"),
    include_str!("schema/v3.sql"),
    include_str!("schema/v4.sql"),
    include_str!("schema/v5.sql"),
    include_str!("schema/v6.sql"),
    include_str!("schema/v7.sql"),
    include_str!("schema/v8.sql"),
    include_str!("schema/v9.sql"),
];

/// SHA-256 of each shipped migration file. A shipped step never changes: a database already
/// at that version would never run the edit. Change the schema with a new step instead.
const SHIPPED_MIGRATIONS: &[&str] = &[
    "5bc206c0f0150eb59b2bc35879ff38ccbbfb4dc5c508d98f89d10190e7dc4e5a",
    "68f7b9414456bbd8b6fd2c285ffae33c3701229be105c4655d3c16b713bc1c48",
    "a87c23ad71c2feab6e8e869314daef2b9ae864831647d91976490ebdaaacd314",
    "ac1d14f44070f15d9690cd5ef42dba5091a62c04ac104425dafb45c3c0dc637b",
    "3b81882bd9fde8deb0cc1d72b4523b6152455b554f6ce0ae9a8815c172a8fdca",
    "1c46a498adb96cca1951e190728ed3f0f000355aa383d1828198e3af07f4b396",
    "ffe3253d0bc6dd91d44fd8bdc96d0e69e440ff153e7b573ea63634b9e8729f0c",
    "9cfb5df6c763fb7acfb27f977ae6a9c64dcaa842cc11d75cbf3db110f9d60730",
    "f8dfb89d4696fe6462a2f0c6643cd42a6d51859162326e5652a94e28fd8b97e6",
];

/// A database as version `version` of Regimen left it (from its frozen schema), with a
/// medicine in it.
fn database_at_version(path: &Path, version: i64, sealer: &Sealer) {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(FROZEN_SCHEMAS[usize::try_from(version - 1).unwrap()])
        .unwrap();
    assert_eq!(
        conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
            .unwrap(),
        version
    );
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('key_check', ?1)",
        [sealer.seal(KEY_CHECK_SLOT, KEY_CHECK).unwrap()],
    )
    .unwrap();
    let slot = Slot {
        table: "medicine",
        column: "details",
        row: 1,
    };
    conn.execute(
        "INSERT INTO medicine (id, details, revision, created_at, updated_at)
         VALUES (1, ?1, 1, 0, 0)",
        [sealer.seal_json(slot, &named("Levothyroxine")).unwrap()],
    )
    .unwrap();
}

#[test]
fn shipped_migrations_are_never_edited_and_every_version_has_a_frozen_schema() {
    assert_eq!(
        FROZEN_SCHEMAS.len() as i64,
        SCHEMA_VERSION,
        "a new schema version needs its frozen schema/vN.sql"
    );
    assert!(
        SHIPPED_MIGRATIONS.len() <= MIGRATIONS.len(),
        "a shipped migration was removed"
    );
    for (index, pinned) in SHIPPED_MIGRATIONS.iter().enumerate() {
        let digest = ring::digest::digest(&ring::digest::SHA256, MIGRATIONS[index].as_bytes());
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            &hex,
            pinned,
            "migration {} shipped and must not change: add a new step",
            index + 1
        );
    }
}

#[test]
fn the_frozen_schema_of_this_version_is_what_a_new_database_gets() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    drop(open(&fresh, &MemoryKeys::default()).unwrap());
    let frozen = dir.path().join("frozen.db");
    database_at_version(
        &frozen,
        SCHEMA_VERSION,
        &Sealer::new(&[3u8; KEY_LEN]).unwrap(),
    );
    assert_eq!(schema_of(&frozen), schema_of(&fresh));
}

#[test]
fn every_earlier_schema_upgrades_to_the_fresh_schema_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    drop(open(&fresh, &MemoryKeys::default()).unwrap());
    let expected = schema_of(&fresh);

    let key = [3u8; KEY_LEN];
    let sealer = Sealer::new(&key).unwrap();
    // Version 0 (an empty SQLite file) is no Regimen database: a new one is only ever made
    // whole (see `a_zero_byte_or_empty_sqlite_file_is_refused_untouched`).
    for version in 1..SCHEMA_VERSION {
        let path = dir.path().join(format!("v{version}.db"));
        database_at_version(&path, version, &sealer);
        let store = open(&path, &MemoryKeys::holding(&key)).unwrap();
        let kept = store.medicine(1).unwrap();
        assert_eq!(kept.info.name, "Levothyroxine", "from version {version}");
        drop(store);
        assert_eq!(
            schema_of(&path),
            expected,
            "upgraded from version {version}"
        );
    }
}

#[test]
fn a_zero_byte_or_empty_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    fs::write(&path, b"").unwrap();
    let keys = MemoryKeys::holding(&[5u8; KEY_LEN]);
    let err = open(&path, &keys).err().unwrap();
    assert!(
        matches!(&err, Error::Damaged(reason) if reason.contains("0 bytes")),
        "{err}"
    );
    assert_eq!(fs::read(&path).unwrap(), b"");

    let empty = dir.path().join("empty.db");
    let conn = Connection::open(&empty).unwrap();
    conn.pragma_update(None, "user_version", 0).unwrap();
    conn.execute_batch("VACUUM").unwrap();
    drop(conn);
    let before = fs::read(&empty).unwrap();
    assert!(!before.is_empty());
    assert!(matches!(open(&empty, &keys), Err(Error::Damaged(_))));
    assert_eq!(fs::read(&empty).unwrap(), before);
}

#[test]
fn a_new_database_and_its_journals_are_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let store = open(&path, &MemoryKeys::default()).unwrap();
    store.add_medicine(&named("Warfarin"), now()).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{suffix}");
    }
    // Nothing but the database and its journals is left in the folder.
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["patient.db", "patient.db-shm", "patient.db-wal"]);
}

#[test]
fn a_database_made_readable_by_others_is_made_private_on_open() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let keys = MemoryKeys::default();
    drop(open(&path, &keys).unwrap());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    drop(open(&path, &keys).unwrap());
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_database_in_a_missing_folder_is_refused_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeys::default();
    let err = open(&dir.path().join("no/such/folder/p.db"), &keys)
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::Unusable(reason) if reason.contains("folder")),
        "{err}"
    );
    assert!(keys.0.borrow().is_none(), "no key kept for it");
}

/// A key store shared by threads that keeps the first key it is given, as the contract asks.
#[derive(Default)]
struct SharedKeys(std::sync::Mutex<Option<Vec<u8>>>);

impl KeyProvider for SharedKeys {
    fn existing_key(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.0.lock().unwrap().clone())
    }
    fn keep_new_key(&self, key: &[u8]) -> Result<()> {
        self.0.lock().unwrap().get_or_insert_with(|| key.to_vec());
        Ok(())
    }
}

#[test]
fn many_first_opens_at_once_all_open_the_one_database() {
    for round in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = db_path(&dir);
        let keys = SharedKeys::default();
        let opened: Vec<Result<Store>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..6)
                .map(|_| scope.spawn(|| Store::open(&path, &OpenOptions::default(), &keys)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (index, store) in opened.into_iter().enumerate() {
            let store = store.unwrap_or_else(|e| panic!("round {round}, opener {index}: {e}"));
            store.add_medicine(&named("Metformin"), now()).unwrap();
        }
        let store = Store::open(&path, &OpenOptions::default(), &keys).unwrap();
        assert_eq!(store.medicines(false).unwrap().len(), 6);
    }
}

#[test]
fn a_database_in_memory_keeps_records_apart_from_every_other_and_leaves_no_file() {
    let before: Vec<_> = fs::read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let first = Store::open_in_memory(&OpenOptions::default()).unwrap();
    let second = Store::open_in_memory(&OpenOptions::default()).unwrap();
    let added = first.add_medicine(&named("Levothyroxine"), now()).unwrap();
    assert_eq!(first.medicine(added.id).unwrap().info.name, "Levothyroxine");
    assert!(
        second.medicine(added.id).is_err(),
        "a second memory database is empty"
    );
    assert_ne!(first.database_id(), second.database_id());
    assert_eq!(first.database_id().len(), 16);
    drop((first, second));
    let after: Vec<_> = fs::read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after, "nothing written to the working folder");
}
