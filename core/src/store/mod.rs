//! The encrypted on-device store: one SQLite file per patient (or caregiver).
//!
//! Opening follows one rule: **nothing is written until the file is known to be a Regimen
//! database of a version we understand and the data key is proven to open it.** A file that is
//! not SQLite, another application's database, a newer schema or a wrong key each give a typed
//! error and leave the file as it was. A database is never deleted, truncated or recreated.
//!
//! Connections: one writer behind a mutex (every write is one IMMEDIATE transaction) and a small
//! pool of read-only readers; WAL lets readers run while the writer writes, and `busy_timeout`
//! lets a second process (a notification extension) share the file.

mod copy;
mod create;
mod migrations;
pub(crate) mod seal;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};

use crate::error::{Error, Result};
pub(crate) use copy::{Image, restore};
pub use migrations::SCHEMA_VERSION;
use migrations::{APPLICATION_ID, apply_step};
pub use seal::KEY_LEN;
use seal::{Sealer, Slot};

/// How many idle read connections are kept open.
const MAX_IDLE_READERS: usize = 4;

/// The sealed constant in `meta` that proves a key opens this database.
const KEY_CHECK: &[u8] = b"regimen key check v1";
const KEY_CHECK_SLOT: Slot = Slot {
    table: "meta",
    column: "value",
    row: 0,
};

/// Options for [`Store::open`].
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Create the database when no file exists at the path. A notification extension that must
    /// never create one sets this to `false`.
    pub create_if_missing: bool,
    /// How long a statement waits for another connection or process before failing.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            create_if_missing: true,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Where the data key lives. The app keeps it in the platform keystore; Regimen generates it.
pub trait KeyProvider {
    /// The key kept for this database, if any.
    fn existing_key(&self) -> Result<Option<Vec<u8>>>;
    /// Keeps a freshly generated key. Called before a new database is created, so a database
    /// never exists whose key was not kept.
    fn keep_new_key(&self, key: &[u8]) -> Result<()>;
}

/// An open Regimen database: the entry point to everything stored on the phone.
pub struct Store {
    // Readers are declared (and so dropped) before the writer: the last connection to close
    // checkpoints the WAL into the database file, and only the read-write one can.
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Connection>,
    path: PathBuf,
    options: OpenOptions,
    sealer: Sealer,
    /// A database in memory (tests, previews): the writer connection serves reads too.
    in_memory: bool,
    /// Set once the database's files are deleted: every later call fails.
    closed: AtomicBool,
}

impl Store {
    /// Opens the database at `path`, creating it (and its key) if allowed and missing, and
    /// migrating an older schema. See the module docs for what is refused.
    pub fn open(path: &Path, options: &OpenOptions, keys: &dyn KeyProvider) -> Result<Store> {
        if !path.exists() {
            if !options.create_if_missing {
                return Err(Error::Unusable(
                    "no database exists at the path and creating one was not allowed".into(),
                ));
            }
            create::create(path, keys)?;
        }
        Store::open_existing(path, options, keys)
    }

    /// Opens a database file that exists (made whole by [`create::create`], never half).
    fn open_existing(path: &Path, options: &OpenOptions, keys: &dyn KeyProvider) -> Result<Store> {
        // SQLite reads a 0-byte file as a new, empty database; Regimen never leaves one (a
        // new database appears whole), so it is a truncated file or not ours.
        if std::fs::metadata(path).map_err(|_| unopenable())?.len() == 0 {
            return Err(Error::Damaged(
                "the database file is empty (0 bytes): it was truncated or is not a Regimen \
                 database; restore it from a backup"
                    .into(),
            ));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(describe_open_error)?;
        conn.busy_timeout(options.busy_timeout)?;

        // Reads only, until the key is proven.
        let version = match inspect(&conn)? {
            FileState::Empty => {
                return Err(Error::Damaged(
                    "the file is an empty SQLite database, not a Regimen database".into(),
                ));
            }
            FileState::Regimen { version } => version,
        };
        let key = keys
            .existing_key()?
            .ok_or_else(|| Error::Locked("the key store holds no key for this database".into()))?;
        let sealer = Sealer::new(&key)?;
        verify_key(&conn, &sealer)?;
        configure_writer(&conn)?;
        let mut conn = conn;
        for step in version + 1..=SCHEMA_VERSION {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have migrated it while we waited for the lock.
            let done: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
            if done < step {
                apply_step(&tx, step)?;
            }
            tx.commit()?;
        }
        create::keep_private(path);
        Ok(Store {
            path: path.to_path_buf(),
            options: options.clone(),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            sealer,
            in_memory: false,
            closed: AtomicBool::new(false),
        })
    }

    /// A new, empty database in memory with a fresh key, gone when the store is dropped: for
    /// tests and for trying things out. Everything works as on disk but for concurrency: one
    /// connection serves reads and writes in turn.
    pub fn open_in_memory(options: &OpenOptions) -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        conn.busy_timeout(options.busy_timeout)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let sealer = Sealer::new(&seal::generate_key()?)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for step in 1..=SCHEMA_VERSION {
            apply_step(&tx, step)?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('key_check', ?1)",
            [sealer.seal(KEY_CHECK_SLOT, KEY_CHECK)?],
        )?;
        tx.commit()?;
        Ok(Store {
            path: PathBuf::from(":memory:"),
            options: options.clone(),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            sealer,
            in_memory: true,
            closed: AtomicBool::new(false),
        })
    }

    /// This database's random id (schema version 7): 16 hex digits, no meaning, not
    /// secret; empty if it cannot be read.
    pub fn database_id(&self) -> String {
        self.read(|conn, _| {
            let id: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT value FROM meta WHERE key = 'database_id'",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(id
                .unwrap_or_default()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect())
        })
        .unwrap_or_default()
    }

    /// The path the store was opened on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one IMMEDIATE write transaction; commits if it returns `Ok`, rolls back
    /// otherwise, so a failed operation leaves nothing half-written.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &Sealer) -> Result<T>,
    ) -> Result<T> {
        self.check_open()?;
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx, &self.sealer)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` on a read-only connection inside one read transaction, so it sees one snapshot.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection, &Sealer) -> Result<T>) -> Result<T> {
        self.check_open()?;
        if self.in_memory {
            // A shared-cache memory database locks whole tables and answers a reader that meets
            // a writer with SQLITE_LOCKED, which busy_timeout does not wait out; one connection
            // taking turns is simpler and just as correct at a test's scale.
            let conn = lock(&self.writer);
            let tx = conn.unchecked_transaction()?;
            let value = f(&tx, &self.sealer)?;
            tx.commit()?;
            return Ok(value);
        }
        let conn = match lock(&self.readers).pop() {
            Some(conn) => conn,
            None => self.open_reader()?,
        };
        let value = {
            let tx = conn.unchecked_transaction()?;
            let value = f(&tx, &self.sealer)?;
            tx.commit()?;
            value
        };
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS && !self.closed.load(Ordering::SeqCst) {
            idle.push(conn);
        }
        Ok(value)
    }

    /// Fails once the database was deleted.
    fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(Error::Unusable(
                "this database was deleted; open a new one".into(),
            ));
        }
        Ok(())
    }

    fn open_reader(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(describe_open_error)?;
        conn.busy_timeout(self.options.busy_timeout)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        Ok(conn)
    }
}

/// Locks a connection mutex. A panic inside a closure drops its transaction, which rolls back,
/// so a poisoned connection is still consistent and safe to reuse.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What an opened file turned out to be.
enum FileState {
    /// A new or empty file: no tables, no version.
    Empty,
    /// A Regimen database at `version` (not newer than this code).
    Regimen { version: i64 },
}

/// Reads the file's header facts without writing anything.
fn inspect(conn: &Connection) -> Result<FileState> {
    let object_count: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .map_err(describe_open_error)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let application_id: i64 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    if version == 0 && application_id == 0 && object_count == 0 {
        return Ok(FileState::Empty);
    }
    if application_id != APPLICATION_ID || version == 0 {
        return Err(Error::Unusable(
            "the file is another application's SQLite database".into(),
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(FileState::Regimen { version })
}

/// Proves that `sealer` holds this database's key by opening the sealed key check.
fn verify_key(conn: &Connection, sealer: &Sealer) -> Result<()> {
    let sealed: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'key_check'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    let sealed = sealed.ok_or_else(|| Error::Damaged("the key check is missing".into()))?;
    match sealer.open(KEY_CHECK_SLOT, &sealed) {
        Ok(plain) if plain == KEY_CHECK => Ok(()),
        _ => Err(Error::Locked(
            "the data key does not open this database".into(),
        )),
    }
}

/// Connection settings of the writer. WAL is persistent in the file; the rest per connection.
fn configure_writer(conn: &Connection) -> Result<()> {
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Unusable(format!(
            "the file system does not allow WAL mode ({mode})"
        )));
    }
    // FULL: a logged dose survives a power cut, not only an app crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

fn unopenable() -> Error {
    Error::Unusable("the file cannot be opened".into())
}

/// Turns SQLite's "not a database" and "corrupt" codes into [`Error::Damaged`], and "cannot
/// open" into [`Error::Unusable`].
fn describe_open_error(error: rusqlite::Error) -> Error {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::Damaged("the file is not a SQLite database".into()),
        Some(ErrorCode::DatabaseCorrupt) => Error::Damaged("the database file is damaged".into()),
        Some(ErrorCode::CannotOpen) => unopenable(),
        _ => Error::Sqlite(error),
    }
}

#[cfg(test)]
mod tests;
