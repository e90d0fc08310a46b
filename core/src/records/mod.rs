//! A database's records: the store, and the derived state kept between calls so they stay
//! quick (the decrypted planning snapshot, the answers read from the dose log). The caches
//! belong here, with the value that owns them; the store below is storage only.

mod backup;
mod bundle;
mod diary;
mod export;
mod logging;
mod orders;
mod planning;
mod supply;

pub use export::ReportExtras;
pub use orders::{ImportedOrder, OrdersImport, RefusedOrder};

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

use crate::dose::AnswerLog;
use crate::error::Result;
use crate::snapshot::{self, Snapshot};
use crate::store::seal::Sealer;
use crate::store::{KeyProvider, OpenOptions, Store};
use crate::supply::Ledger;

/// One open database and the state derived from it: what every domain call goes through.
pub struct Records {
    store: Store,
    /// This database's id (schema version 7), in every notification id.
    database_id: String,
    /// The last decrypted planning state (see `snapshot.rs`).
    snapshot: snapshot::Cache,
    /// Answers read from the dose log so far (see `dose/adherence.rs`).
    answers: Mutex<AnswerLog>,
    /// Doses taken of the medicines whose stock is tracked (see `supply/ledger.rs`).
    supply: Mutex<Ledger>,
    /// The forecasts behind the last plan's refill reminders (see `records/supply.rs`).
    refills: Mutex<Option<supply::RefillMemo>>,
}

impl Records {
    /// Opens (or creates) the database at `path`; see [`Store::open`].
    pub fn open(path: &Path, options: &OpenOptions, keys: &dyn KeyProvider) -> Result<Records> {
        Ok(Records::new(Store::open(path, options, keys)?))
    }

    /// A new, empty database in memory (see [`Store::open_in_memory`]).
    pub fn open_in_memory(options: &OpenOptions) -> Result<Records> {
        Ok(Records::new(Store::open_in_memory(options)?))
    }

    /// The records of an open store, with empty caches.
    pub fn new(store: Store) -> Records {
        Records {
            database_id: store.database_id(),
            store,
            snapshot: snapshot::Cache::default(),
            answers: Mutex::new(AnswerLog::default()),
            supply: Mutex::new(Ledger::default()),
            refills: Mutex::new(None),
        }
    }

    /// This database's random id (16 hex digits; no meaning, not secret).
    pub fn database_id(&self) -> &str {
        &self.database_id
    }

    /// The store underneath.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The planning snapshot as `conn` sees it (kept for later reads when `may_keep`).
    pub(crate) fn snapshot(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        may_keep: bool,
    ) -> Result<Arc<Snapshot>> {
        self.snapshot.get(conn, sealer, may_keep)
    }

    /// The answers read from the dose log so far, locked for the caller.
    pub(crate) fn answer_log(&self) -> MutexGuard<'_, AnswerLog> {
        self.answers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The forecasts kept for refill reminders, locked for the caller.
    pub(crate) fn refill_memo(&self) -> MutexGuard<'_, Option<supply::RefillMemo>> {
        self.refills.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The doses taken of tracked medicines read so far, locked for the caller.
    pub(crate) fn supply_ledger(&self) -> MutexGuard<'_, Ledger> {
        self.supply.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `Records` is a store with caches: every storage call (`add_medicine`, `read`, ...) is the
/// store's own, reached through this instead of a second copy of each.
impl std::ops::Deref for Records {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}
