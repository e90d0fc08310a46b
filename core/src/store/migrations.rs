//! Schema versions. Version N is reached from N-1 by `MIGRATIONS[N-1]`, recorded in
//! `PRAGMA user_version`, one transaction per step. Add a step by adding a numbered file; never
//! edit a step that has shipped.

use rusqlite::Transaction;

use crate::error::{Error, Result};

/// The SQL of each step, oldest first.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_schedules.sql"),
    include_str!("migrations/0003_config_generation.sql"),
    include_str!("migrations/0004_pgx_results.sql"),
    include_str!("migrations/0005_knowledge_bundle.sql"),
    include_str!("migrations/0006_share.sql"),
    include_str!("migrations/0007_config_triggers.sql"),
    include_str!("migrations/0008_supply.sql"),
    include_str!("migrations/0009_diary.sql"),
];

/// The schema version this code writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of a Regimen database ('RGMN').
pub(crate) const APPLICATION_ID: i64 = 0x5247_4D4E;

/// Applies step `version` (1-based) inside `tx` and records it in `user_version`.
pub(crate) fn apply_step(tx: &Transaction<'_>, version: i64) -> Result<()> {
    let sql = usize::try_from(version - 1)
        .ok()
        .and_then(|index| MIGRATIONS.get(index))
        .ok_or_else(|| Error::Unusable(format!("no migration to schema version {version}")))?;
    tx.execute_batch(sql)?;
    tx.pragma_update(None, "user_version", version)?;
    Ok(())
}
