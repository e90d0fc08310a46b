//! The decrypted state planning needs besides the dose log: settings, the phone's zones,
//! schedule versions, archive dates and spacing rules. Decrypting every schedule on each plan
//! would dominate its cost, so a snapshot is kept between calls (in a [`Cache`], owned by
//! [`crate::Records`]) while the `config_generation` counter stays put. SQLite triggers move
//! the counter on every change to those tables (schema version 7), so a change by any writer,
//! in this process or another, invalidates the snapshot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use crate::error::Result;
use crate::schedule::{
    Schedule, ScheduleProblem, ScheduleVersion, SpacingRule, ZoneTimeline, spacing_rules, versions,
    zone_timeline,
};
use crate::settings::{self, Settings};
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

/// The last snapshot read, kept for later calls.
#[derive(Default)]
pub(crate) struct Cache(Mutex<Option<Arc<Snapshot>>>);

impl Cache {
    /// The snapshot as `conn` sees it. Read transactions may keep it for later calls; a write
    /// transaction (`may_keep = false`) never does, since it might still roll back.
    pub(crate) fn get(
        &self,
        conn: &Connection,
        sealer: &Sealer,
        may_keep: bool,
    ) -> Result<Arc<Snapshot>> {
        let current = generation(conn)?;
        let kept = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|s| s.generation == current);
        if let Some(kept) = kept {
            return Ok(kept);
        }
        let fresh = Arc::new(load(conn, sealer, current)?);
        if may_keep {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(fresh.clone());
        }
        Ok(fresh)
    }
}

/// A schedule and the stretch of time it governs.
#[derive(Clone, Debug)]
pub(crate) struct InForce<'a> {
    pub medicine_id: i64,
    /// The schedule version's id.
    pub version_id: i64,
    pub from: Timestamp,
    pub to: Timestamp,
    pub schedule: &'a Schedule,
}

/// The medicines whose schedule version in force at `at`, or any later one, has a problem.
pub(crate) fn problems(snapshot: &Snapshot, at: Timestamp) -> Vec<ScheduleProblem> {
    let all = &snapshot.versions;
    let mut out: Vec<ScheduleProblem> = Vec::new();
    for (index, version) in all.iter().enumerate() {
        let next = all
            .get(index + 1)
            .filter(|n| n.medicine_id == version.medicine_id)
            .map_or(Timestamp::MAX, |n| n.valid_from);
        let archived = snapshot.archived.contains_key(&version.medicine_id);
        if let Some(reason) = &version.problem
            && next > at
            && !archived
            && out
                .last()
                .is_none_or(|p| p.medicine_id != version.medicine_id)
        {
            out.push(ScheduleProblem {
                medicine_id: version.medicine_id,
                reason: format!("its schedule cannot be planned: {reason}"),
            });
        }
    }
    out
}

/// The schedules in force somewhere in `[from, to)`, each with its stretch, cut short where
/// its medicine was archived.
pub(crate) fn in_force(snapshot: &Snapshot, from: Timestamp, to: Timestamp) -> Vec<InForce<'_>> {
    let all = &snapshot.versions;
    let mut out = Vec::new();
    for (index, version) in all.iter().enumerate() {
        let next = all
            .get(index + 1)
            .filter(|n| n.medicine_id == version.medicine_id)
            .map_or(Timestamp::MAX, |n| n.valid_from);
        let end = snapshot
            .archived
            .get(&version.medicine_id)
            .map_or(next, |at| next.min(*at));
        let (start, end) = (version.valid_from.max(from), end.min(to));
        if let Some(schedule) = &version.schedule
            && start < end
        {
            out.push(InForce {
                medicine_id: version.medicine_id,
                version_id: version.id,
                from: start,
                to: end,
                schedule,
            });
        }
    }
    out
}
