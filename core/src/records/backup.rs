//! Backups, restoring one on a new phone, and deleting everything: the store's copies
//! (`store/copy.rs`) under the backup format (`backup/`).

use std::path::Path;

use super::Records;
use crate::backup::{self, KdfCost};
use crate::error::Result;
use crate::store::{KeyProvider, OpenOptions, restore};
use crate::time::Timestamp;

impl Records {
    /// Everything in this database as one backup file that `passphrase` opens (see
    /// `backup/` for the format), written at `now` with the key derivation at `cost`
    /// ([`KdfCost::STANDARD`] for every real backup).
    pub fn export_backup(
        &self,
        passphrase: &str,
        cost: KdfCost,
        now: Timestamp,
    ) -> Result<Vec<u8>> {
        // The passphrase is checked before the copy is made, which can take a while.
        backup::check_passphrase(passphrase)?;
        let image = self.store.image()?;
        backup::write(&image, passphrase, cost, now)
    }

    /// Restores the backup `file` into a new database at `path`, under a new key that `keys`
    /// keeps, and opens it. A wrong passphrase, a truncated, changed or newer file is an
    /// `Error::Backup` naming the problem; a database already at `path` is a conflict; in
    /// every failure nothing is left at `path`.
    pub fn restore_backup(
        path: &Path,
        options: &OpenOptions,
        keys: &dyn KeyProvider,
        file: &[u8],
        passphrase: &str,
    ) -> Result<Records> {
        let opened = backup::open(file, passphrase)?;
        let store = restore(path, &opened.image, &opened.key, options, keys)?;
        Ok(Records::new(store))
    }

    /// Closes the database and removes its files (see `Store::delete_files`); every later
    /// call fails. The key in the platform key store is the caller's to delete. Returns how
    /// many files were removed.
    pub fn delete_files(&self) -> Result<usize> {
        self.store.delete_files()
    }
}
