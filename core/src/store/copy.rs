//! Copies of a database: a consistent image of one for a backup, a new database made from an
//! image (a restore on a new phone), and removing every file of one (delete everything).
//!
//! An image holds values sealed under the database's own key. A restore re-seals every sealed
//! value under the new database's key, so the data key of the old phone (carried inside the
//! encrypted backup) opens nothing on the new one. [`SEALED_COLUMNS`] names every sealed column;
//! `core/tests/backup.rs` fails when a `Slot` in the source names one it does not list.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};

use super::create::{self, keep_private, new_database_key, private_name, sync_folder};
use super::migrations::{SCHEMA_VERSION, apply_step};
use super::seal::{Sealer, Slot};
use super::{
    FileState, KEY_CHECK, KEY_CHECK_SLOT, KeyProvider, OpenOptions, Store, configure_writer,
    inspect, verify_key,
};
use crate::error::{Error, Result};

/// A sealed column: its table, its name, and the column whose value is the row number bound
/// into each seal (see [`Slot`]).
pub(crate) struct SealedColumn {
    /// Table name.
    pub table: &'static str,
    /// Column name.
    pub column: &'static str,
    /// The column holding the row number of the seal (the primary key).
    pub row: &'static str,
}

/// Every sealed column of the schema but the key check in `meta`, which is written afresh.
pub(crate) const SEALED_COLUMNS: &[SealedColumn] = &[
    sealed("medicine", "details", "id"),
    sealed("dose_event", "details", "id"),
    sealed("schedule_version", "details", "id"),
    sealed("device_zone", "details", "id"),
    sealed("settings", "details", "id"),
    sealed("pgx_result", "details", "id"),
    sealed("share", "details", "id"),
    sealed("share_outbox", "message", "id"),
    sealed("share_inbox", "message", "id"),
    sealed("supply_setting", "details", "medicine_id"),
    sealed("supply_event", "details", "id"),
    sealed("prescription", "details", "id"),
    sealed("pharmacy", "details", "id"),
    sealed("refill_order", "details", "id"),
];

const fn sealed(table: &'static str, column: &'static str, row: &'static str) -> SealedColumn {
    SealedColumn { table, column, row }
}

/// A consistent copy of a database file at one moment, with its schema version and the key
/// its sealed values open with.
pub(crate) struct Image {
    /// The SQLite file's bytes (no WAL: everything committed is inside).
    pub bytes: Vec<u8>,
    /// The schema version of the copy.
    pub schema: i64,
    /// The data key of the database copied.
    pub key: Vec<u8>,
}

impl Store {
    /// A consistent copy of the whole database as it is now, for a backup. Written by SQLite's
    /// `VACUUM INTO` to a private file beside the database (mode 0600), read and removed: the
    /// copy holds the same sealed values as the database, nothing opened.
    pub(crate) fn image(&self) -> Result<Image> {
        if self.in_memory {
            return Err(Error::Unusable(
                "a database in memory has no file to back up".into(),
            ));
        }
        let folder = folder_of(&self.path)?;
        let name = self
            .path
            .file_name()
            .ok_or_else(|| Error::Unusable("the path names no file".into()))?;
        let private = private_name(folder, name, "image")?;
        let copied = self.read(|conn, _| {
            let schema: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
            Ok(schema)
        });
        let schema = copied?;
        let made = (|| {
            create::create_private_file(&private)?;
            let path = private
                .to_str()
                .ok_or_else(|| Error::Unusable("the database's folder is not UTF-8".into()))?;
            // VACUUM cannot run inside a transaction; the writer connection is never left in
            // one, and holding its lock keeps this process's writes out until the copy is made.
            let writer = super::lock(&self.writer);
            writer.execute("VACUUM INTO ?1", [path])?;
            drop(writer);
            fs::read(&private).map_err(|_| Error::Unusable("cannot read the database copy".into()))
        })();
        create::remove_with_journals(&private);
        let bytes = made?;
        Ok(Image {
            bytes,
            schema,
            key: self.sealer.key_bytes().to_vec(),
        })
    }

    /// Closes every connection and removes the database, its journals and any private file a
    /// creation, copy or restore of it left beside it. Every later call on this store fails
    /// with a storage error. Returns how many files were removed.
    pub(crate) fn delete_files(&self) -> Result<usize> {
        {
            // Under the writer's lock, so no write is half-way when the files go.
            let mut writer = super::lock(&self.writer);
            self.closed.store(true, Ordering::SeqCst);
            super::lock(&self.readers).clear();
            // Replacing the writer by a connection to nothing closes the real one.
            *writer = Connection::open_in_memory()?;
        }
        if self.in_memory {
            return Ok(0);
        }
        let folder = folder_of(&self.path)?;
        let mut removed = 0;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if remove(&with_suffix(&self.path, suffix))? {
                removed += 1;
            }
        }
        if let Some(name) = self.path.file_name() {
            let mut prefix: OsString = ".".into();
            prefix.push(name);
            prefix.push(".");
            let prefix = prefix.to_string_lossy().into_owned();
            for entry in fs::read_dir(folder)
                .map_err(|_| Error::Unusable("cannot list the database's folder".into()))?
                .flatten()
            {
                if entry.file_name().to_string_lossy().starts_with(&prefix)
                    && remove(&entry.path())?
                {
                    removed += 1;
                }
            }
        }
        sync_folder(folder);
        Ok(removed)
    }
}

/// Makes a new database at `path` from `image`, a copy whose values are sealed under
/// `old_key`: migrated to this version's schema, every sealed value re-sealed under a key
/// the key store keeps for the new database, a new database id. The new database appears
/// whole or not at all; a database already at `path` is a conflict and is not touched.
pub(crate) fn restore(
    path: &Path,
    image: &[u8],
    old_key: &[u8],
    options: &OpenOptions,
    keys: &dyn KeyProvider,
) -> Result<Store> {
    if path.exists() || with_suffix(path, "-wal").exists() {
        return Err(Error::Conflict(
            "a database already exists at the path: restore into a new path".into(),
        ));
    }
    let folder = folder_of(path)?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::Unusable("the path names no file".into()))?;
    if !folder.is_dir() {
        return Err(Error::Unusable(
            "the folder for the database does not exist; create it first".into(),
        ));
    }
    let old = Sealer::new(old_key)?;
    let private = private_name(folder, name, "restore")?;
    let made = (|| {
        create::create_private_file(&private)?;
        fs::write(&private, image)
            .map_err(|_| Error::Unusable("cannot write in the database's folder".into()))?;
        // The image is checked before a key is asked for, so a bad image costs no key.
        let conn = open_private(&private)?;
        check_image(&conn, &old)?;
        drop(conn);
        // Kept before the database exists, as for a new database.
        let key = new_database_key(keys)?;
        let new = Sealer::new(&key)?;
        let mut conn = open_private(&private)?;
        configure_writer(&conn)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        for step in version + 1..=SCHEMA_VERSION {
            apply_step(&tx, step)?;
        }
        // Re-sealing changes no meaning: the configuration counter its triggers move is put
        // back, so what was told to caregivers from it is not told again.
        let generation: i64 =
            tx.query_row("SELECT value FROM config_generation", [], |row| row.get(0))?;
        reseal(&tx, &old, &new)?;
        tx.execute("UPDATE config_generation SET value = ?1", [generation])?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'key_check'",
            [new.seal(KEY_CHECK_SLOT, KEY_CHECK)?],
        )?;
        tx.execute(
            "UPDATE meta SET value = randomblob(8) WHERE key = 'database_id'",
            [],
        )?;
        check_integrity(&tx)?;
        tx.commit()?;
        conn.close().map_err(|(_, error)| Error::Sqlite(error))?;
        fs::File::open(&private)
            .and_then(|file| file.sync_all())
            .map_err(|_| Error::Unusable("cannot make the restored database durable".into()))?;
        publish_new(&private, path)
    })();
    create::remove_with_journals(&private);
    made?;
    sync_folder(folder);
    keep_private(path);
    Store::open(path, options, keys)
}

/// Opens a private file read-write, without creating anything.
fn open_private(private: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(private, flags).map_err(super::describe_open_error)
}

/// An image is a Regimen database this version reads, whole, opened by `old`.
fn check_image(conn: &Connection, old: &Sealer) -> Result<()> {
    match inspect(conn)? {
        FileState::Empty => Err(Error::Damaged(
            "the copy inside the backup is an empty database".into(),
        )),
        FileState::Regimen { .. } => {
            check_integrity(conn)?;
            verify_key(conn, old).map_err(|_| {
                Error::Damaged("the key inside the backup does not open its copy".into())
            })
        }
    }
}

/// `PRAGMA integrity_check` and `foreign_key_check` find nothing.
fn check_integrity(conn: &Connection) -> Result<()> {
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    let dangling = conn
        .prepare("PRAGMA foreign_key_check")?
        .query([])?
        .next()?
        .is_some();
    if verdict != "ok" || dangling {
        return Err(Error::Damaged(
            "the copy inside the backup fails SQLite's integrity check".into(),
        ));
    }
    Ok(())
}

/// Opens every sealed value with `old` and seals it again with `new`, in place.
fn reseal(tx: &Connection, old: &Sealer, new: &Sealer) -> Result<()> {
    for sealed in SEALED_COLUMNS {
        let select = format!(
            "SELECT {row}, {column} FROM {table} WHERE {column} IS NOT NULL",
            row = sealed.row,
            column = sealed.column,
            table = sealed.table,
        );
        let update = format!(
            "UPDATE {table} SET {column} = ?2 WHERE {row} = ?1",
            row = sealed.row,
            column = sealed.column,
            table = sealed.table,
        );
        let rows: Vec<(i64, Vec<u8>)> = tx
            .prepare(&select)?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // Append-only tables refuse updates by trigger; re-sealing changes no meaning, so the
        // guards step aside inside this transaction and are put back as they were.
        let guards = update_guards(tx, sealed.table)?;
        for (name, _) in &guards {
            tx.execute(
                &format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\"")),
                [],
            )?;
        }
        {
            let mut write = tx.prepare(&update)?;
            for (row, value) in rows {
                let slot = Slot {
                    table: sealed.table,
                    column: sealed.column,
                    row,
                };
                let plain = old.open(slot, &value)?;
                write.execute(params![row, new.seal(slot, &plain)?])?;
            }
        }
        for (_, sql) in &guards {
            tx.execute(sql, [])?;
        }
    }
    Ok(())
}

/// The triggers of `table` that abort an update (name and definition).
fn update_guards(tx: &Connection, table: &str) -> Result<Vec<(String, String)>> {
    let guards = tx
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 \
             AND sql LIKE '%BEFORE UPDATE%' AND sql LIKE '%RAISE(ABORT%'",
        )?
        .query_map([table], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(guards)
}

/// Gives a restored file its name; another database appearing there meanwhile wins and the
/// restore is a conflict.
fn publish_new(private: &Path, path: &Path) -> Result<()> {
    match fs::hard_link(private, path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::Conflict(
            "a database appeared at the path during the restore".into(),
        )),
        Err(_) if !path.exists() => fs::rename(private, path)
            .map_err(|_| Error::Unusable("cannot name the restored database file".into())),
        Err(_) => Err(Error::Conflict(
            "a database appeared at the path during the restore".into(),
        )),
    }
}

/// The folder holding `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> Result<&Path> {
    match path.parent() {
        Some(folder) if folder.as_os_str().is_empty() => Ok(Path::new(".")),
        Some(folder) => Ok(folder),
        None => Err(Error::Unusable("the path names no file".into())),
    }
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes `file` if it exists; whether it did.
fn remove(file: &Path) -> Result<bool> {
    match fs::remove_file(file) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(_) => Err(Error::Unusable(
            "cannot remove a file of the database".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::SEALED_COLUMNS;

    /// Every `(table, column)` a `Slot` in core's source names, outside tests: a value sealed
    /// in a column the registry misses would not open after a restore.
    fn slots_in_source(folder: &Path, found: &mut BTreeSet<(String, String)>) {
        for entry in std::fs::read_dir(folder).expect("source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                slots_in_source(&path, found);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") || path.ends_with("store/tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source file");
            // Test modules come last in a file; their slots are examples, not columns.
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            let mut rest = text;
            while let Some(at) = rest.find("table: \"") {
                rest = &rest[at + 8..];
                let table = &rest[..rest.find('"').expect("closing quote")];
                let Some(column_at) = rest.find("column: \"") else {
                    break;
                };
                let column = &rest[column_at + 9..];
                let column = &column[..column.find('"').expect("closing quote")];
                found.insert((table.to_owned(), column.to_owned()));
            }
        }
    }

    #[test]
    fn every_sealed_column_in_the_source_is_resealed_by_a_restore() {
        let mut in_source = BTreeSet::new();
        slots_in_source(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut in_source,
        );
        // The key check is written afresh by a restore, not re-sealed.
        in_source.remove(&("meta".to_owned(), "value".to_owned()));
        let registry: BTreeSet<(String, String)> = SEALED_COLUMNS
            .iter()
            .map(|s| (s.table.to_owned(), s.column.to_owned()))
            .collect();
        assert!(
            in_source.len() >= 14,
            "the scan found too few slots: {in_source:?}"
        );
        assert_eq!(registry, in_source);
    }
}
