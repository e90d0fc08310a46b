//! Backups, restoring one on a new phone, and deleting everything.

use std::path::Path;
use std::sync::Arc;

use regimen_core::Records;
use regimen_core::backup::{self, BackupInfo, KdfCost};

use crate::error::{Result, invalid};
use crate::keystore::{AliasedKey, KeyStore};
use crate::regimen::{Regimen, RegimenConfig, checked_config};

/// What `delete_everything` did.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DeletionReport {
    /// Files removed: the database, its `-wal` and `-shm`, and any left-over private copy.
    pub files_removed: u32,
    /// Caregiver shares ended by it (their goodbye messages went with the database, unless
    /// `say_goodbye_to_caregivers` sent them first).
    pub shares_revoked: u32,
    /// The database's id, which starts every notification id Regimen planned for it: cancel
    /// every pending notification whose id starts with `"<database_id>/"`.
    pub database_id: String,
}

/// What a backup file says about itself (format, writer, date, schema), without its
/// passphrase: for a "Restore the backup of 2 December?" prompt. Refuses a file that is not a
/// Regimen backup.
#[uniffi::export]
pub fn backup_info(file: Vec<u8>) -> Result<BackupInfo> {
    Ok(backup::info(&file)?)
}

#[uniffi::export]
impl Regimen {
    /// Everything in this database (medicines, schedules and their history, the dose log, PGx
    /// results, supply, settings, caregiver shares) as one encrypted file that `passphrase`
    /// opens: Argon2id (64 MiB, 3 passes) derives the key, AES-256-GCM seals the whole
    /// content. Keep the passphrase: without it the backup cannot be opened by anyone.
    /// Takes about a second (the key derivation is slow on purpose); call it off the main
    /// thread.
    pub fn export_backup(&self, passphrase: String) -> Result<Vec<u8>> {
        Ok(self
            .store
            .export_backup(&passphrase, KdfCost::STANDARD, self.now()?)?)
    }

    /// Restores the backup `file` into a new database at `path` (nothing may be there yet),
    /// under a new key that `key_store` keeps, and opens it: on a new phone, the patient's
    /// whole history back. A wrong passphrase, a cut-off, changed or newer file is `Backup`
    /// naming the problem; a database at `path` is `Conflict`; nothing is written in any
    /// failure. The restored database has a new id (so its notifications never collide with
    /// the old phone's); caregiver shares carry on.
    #[uniffi::constructor]
    pub fn restore_backup(
        path: String,
        config: RegimenConfig,
        key_store: Arc<dyn KeyStore>,
        file: Vec<u8>,
        passphrase: String,
    ) -> Result<Arc<Self>> {
        if path.trim().is_empty() {
            return Err(invalid("path", "must not be empty"));
        }
        let (options, alias, push_contact) = checked_config(&config)?;
        let keys = AliasedKey {
            store: key_store.as_ref(),
            alias: &alias,
        };
        let store = Records::restore_backup(Path::new(&path), &options, &keys, &file, &passphrase)?;
        Ok(Arc::new(Regimen::with(
            store,
            config,
            push_contact,
            Some(key_store),
        )))
    }

    /// Deletes everything Regimen keeps for this database: every caregiver share is ended,
    /// then the database, its `-wal` and `-shm` and any left-over copy are removed and the key
    /// is deleted from the key store. Every later call on this object fails; the app cancels
    /// the notifications whose id starts with the returned `database_id`. To tell caregivers
    /// first, call `say_goodbye_to_caregivers` while online.
    pub fn delete_everything(&self) -> Result<DeletionReport> {
        let shares_revoked = self.revoke_every_share()?;
        let database_id = self.store.database_id().to_owned();
        let files_removed = self.store.delete_files()?;
        if let Some(keys) = &self.key_store {
            keys.delete_key(self.key_alias.clone())
                .map_err(|error| regimen_core::Error::Locked(error.to_string()))?;
        }
        Ok(DeletionReport {
            files_removed: u32::try_from(files_removed).unwrap_or(u32::MAX),
            shares_revoked,
            database_id,
        })
    }
}

impl Regimen {
    /// Revokes every share still active or pending; how many.
    pub(crate) fn revoke_every_share(&self) -> Result<u32> {
        let now = self.now()?;
        let mut revoked = 0;
        for share in self.store.shares()? {
            if matches!(
                share.state,
                regimen_core::share::ShareState::Active | regimen_core::share::ShareState::Offered
            ) {
                self.store.revoke(share.id, now)?;
                revoked += 1;
            }
        }
        Ok(revoked)
    }
}
