//! The decrypted state planning needs besides the dose log: settings, the phone's zones,
//! schedule versions, archive dates and spacing rules. Decrypting every schedule on each plan
//! would dominate its cost, so a snapshot is kept between calls while the
//! `config_generation` counter stays put. Every write that changes any of them moves the
//! counter in its own transaction, so another process's change invalidates it too.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::Connection;

use crate::error::Result;
use crate::schedule::{
    ScheduleVersion, SpacingRule, ZoneTimeline, spacing_rules, versions, zone_timeline,
};
use crate::settings::{self, Settings};
use crate::store::Store;
use crate::store::seal::Sealer;
use crate::time::Timestamp;

/// Settings, zones, schedules, archive dates and spacing rules at one generation.
pub(crate) struct Snapshot {
    generation: i64,
    pub settings: Settings,
    pub zones: Option<ZoneTimeline>,
    pub versions: Vec<ScheduleVersion>,
    pub archived: HashMap<i64, Timestamp>,
    pub spacing: Vec<SpacingRule>,
}

fn generation(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT value FROM config_generation WHERE id = 1",
        [],
        |r| r.get(0),
    )?)
}

fn load(conn: &Connection, sealer: &Sealer, generation: i64) -> Result<Snapshot> {
    let mut statement =
        conn.prepare_cached("SELECT id, archived_at FROM medicine WHERE archived_at IS NOT NULL")?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let archived = rows
        .map(|row| {
            let (id, at) = row?;
            Ok((id, Timestamp::from_millis(at)?))
        })
        .collect::<Result<_>>()?;
    Ok(Snapshot {
        generation,
        settings: settings::read(conn, sealer)?,
        zones: zone_timeline(conn, sealer)?,
        versions: versions(conn, sealer, None)?,
        archived,
        spacing: spacing_rules(conn)?,
    })
}

impl Snapshot {
    /// The configuration generation this snapshot was read at: it moves whenever a schedule,
    /// zone, setting or archive date changes.
    pub(crate) fn generation(&self) -> i64 {
        self.generation
    }
}

/// Marks the configuration changed; call in every transaction that changes it.
pub(crate) fn bump(tx: &Connection) -> Result<()> {
    tx.execute(
        "UPDATE config_generation SET value = value + 1 WHERE id = 1",
        [],
    )?;
    Ok(())
}

impl Store {
    /// The snapshot as `conn` sees it. Read transactions may keep it for later calls; a write
    /// transaction (`may_keep = false`) never does, since it might still roll back.
    pub(crate) fn snapshot(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        may_keep: bool,
    ) -> Result<Arc<Snapshot>> {
        let current = generation(conn)?;
        if let Some(kept) = self.kept_snapshot().filter(|s| s.generation == current) {
            return Ok(kept);
        }
        let fresh = Arc::new(load(conn, sealer, current)?);
        if may_keep {
            self.keep_snapshot(fresh.clone());
        }
        Ok(fresh)
    }
}
