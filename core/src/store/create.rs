//! Creating a new database so that it appears whole or not at all.
//!
//! The schema and the key check are written into a private file beside the target
//! (`.<name>.new-<pid>-<random>`, mode 0600), made durable, then hard-linked to the target
//! name. A link never replaces an existing file, so when several processes create the same
//! database at once exactly one file wins and every process opens it; a process killed
//! half-way leaves only its private file, removed by a later creation. The target path
//! therefore never holds a 0-byte or half-made database, and its `-wal` and `-shm` files,
//! which SQLite creates with the database's permissions, are private too.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::migrations::{SCHEMA_VERSION, apply_step};
use super::seal::{self, Sealer};
use super::{KEY_CHECK, KEY_CHECK_SLOT, KeyProvider, configure_writer};
use crate::error::{Error, Result};

/// Private files older than this are left-overs of a killed creation.
const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Creates the database at `path` unless another process does first; either way a whole
/// database is at `path` when this returns `Ok`.
pub(super) fn create(path: &Path, keys: &dyn KeyProvider) -> Result<()> {
    let (folder, name) = match (path.parent(), path.file_name()) {
        (Some(folder), Some(name)) => (
            if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder
            },
            name,
        ),
        _ => return Err(Error::Unusable("the path names no file".into())),
    };
    if !folder.is_dir() {
        return Err(Error::Unusable(
            "the folder for the database does not exist; create it first".into(),
        ));
    }
    remove_stale(folder, name);
    // The key is kept before any file exists, so a database never exists whose key was
    // not kept.
    let key = new_database_key(keys)?;
    let private = private_name(folder, name, "new")?;
    let made = write_whole(&private, &key).and_then(|()| publish(&private, path));
    remove_with_journals(&private);
    made?;
    sync_folder(folder);
    Ok(())
}

/// The key for a database about to be created: the one kept already (by an earlier attempt
/// or a process creating it at the same moment), or a fresh one. A fresh key is read back
/// after keeping it: a key store keeps the first key it is given, so every process creating
/// the database at once ends up with the same one.
pub(super) fn new_database_key(keys: &dyn KeyProvider) -> Result<Vec<u8>> {
    if let Some(key) = keys.existing_key()? {
        return Ok(key);
    }
    let key = seal::generate_key()?;
    if let Err(error) = keys.keep_new_key(&key) {
        // A key store that refuses a second key because another process kept one first.
        return keys.existing_key()?.ok_or(error);
    }
    keys.existing_key()?.ok_or_else(|| {
        Error::Locked("the key store did not keep the new key; no database was created".into())
    })
}

/// `.<name>.<kind>-<pid>-<random>` in `folder`: a private file of a creation (`new`), a copy
/// for a backup (`image`) or a restore (`restore`).
pub(super) fn private_name(folder: &Path, name: &std::ffi::OsStr, kind: &str) -> Result<PathBuf> {
    let mut random = [0u8; 6];
    SystemRandom::new()
        .fill(&mut random)
        .map_err(|_| Error::Crypto("the system random generator failed".into()))?;
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let mut file: OsString = ".".into();
    file.push(name);
    file.push(format!(".{kind}-{}-{suffix}", std::process::id()));
    Ok(folder.join(file))
}

/// Creates the empty file `private`, readable by its owner only.
pub(super) fn create_private_file(private: &Path) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(private)
        .map(drop)
        .map_err(|_| Error::Unusable("cannot create a file in the database's folder".into()))
}

/// Writes every table and the key check into a new private file at `private`, durably.
fn write_whole(private: &Path, key: &[u8]) -> Result<()> {
    create_private_file(private)?;
    let sealer = Sealer::new(key)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(private, flags)?;
    configure_writer(&conn)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for step in 1..=SCHEMA_VERSION {
        apply_step(&tx, step)?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('key_check', ?1)",
        [sealer.seal(KEY_CHECK_SLOT, KEY_CHECK)?],
    )?;
    tx.commit()?;
    // Closing the only connection checkpoints the WAL into the file and removes it.
    conn.close().map_err(|(_, error)| Error::Sqlite(error))?;
    fs::File::open(private)
        .and_then(|file| file.sync_all())
        .map_err(|_| Error::Unusable("cannot make the new database durable".into()))
}

/// Gives the finished file its name, unless another process's database has it already.
fn publish(private: &Path, path: &Path) -> Result<()> {
    match fs::hard_link(private, path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // File systems without hard links (FAT on removable storage): a rename, which could
        // replace a database made at this very moment, so only when none is there.
        Err(_) if !path.exists() => fs::rename(private, path)
            .map_err(|_| Error::Unusable("cannot name the new database file".into())),
        Err(_) => Ok(()),
    }
}

/// Removes `file` and any journal SQLite left beside it.
pub(super) fn remove_with_journals(file: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

/// Removes private files (of a creation, a copy or a restore) of `name` killed long ago.
fn remove_stale(folder: &Path, name: &std::ffi::OsStr) {
    let mut prefix: OsString = ".".into();
    prefix.push(name);
    prefix.push(".");
    let Some(prefix) = prefix.to_str().map(str::to_owned) else {
        return;
    };
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let is_ours = file_name.to_str().is_some_and(|n| {
            n.strip_prefix(&prefix).is_some_and(|kind| {
                ["new-", "image-", "restore-"]
                    .iter()
                    .any(|k| kind.starts_with(k))
            }) && !n.ends_with("-wal")
                && !n.ends_with("-shm")
        });
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if is_ours && old {
            remove_with_journals(&entry.path());
        }
    }
}

/// Makes the new name durable (on file systems that sync folders).
pub(super) fn sync_folder(folder: &Path) {
    if let Ok(dir) = fs::File::open(folder) {
        let _ = dir.sync_all();
    }
}

/// Takes group and other permissions off the database and its journals (files made by
/// versions that left them readable to others). Best effort: a file system without Unix
/// permissions has nothing to take off.
pub(super) fn keep_private(path: &Path) {
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if let Ok(metadata) = fs::metadata(&file)
            && metadata.permissions().mode() & 0o077 != 0
        {
            let mode = metadata.permissions().mode() & 0o700;
            let _ = fs::set_permissions(&file, fs::Permissions::from_mode(mode));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
