//! Stored schedule history: each medicine's schedule versions, and the phone's time zones
//! over time. Both are append-only, so a past dose is always judged against the schedule and
//! the zone that were in force when it was due.

use chrono_tz::Tz;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::Schedule;
use super::expand::ZoneTimeline;
use super::zone::parse_zone;
use crate::error::{Error, Result};
use crate::medicine;
use crate::snapshot::{self, Snapshot};
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;

/// One version of a medicine's schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScheduleVersion {
    /// Id of this version.
    pub id: i64,
    /// The medicine.
    pub medicine_id: i64,
    /// From when it applies (until the next version).
    pub valid_from: Timestamp,
    /// The schedule; `None` when scheduled doses were stopped (as-needed only, or paused).
    pub schedule: Option<Schedule>,
    /// When it was written.
    pub created_at: Timestamp,
}

/// A schedule and the stretch of time it governs.
#[derive(Clone, Debug)]
pub(crate) struct InForce<'a> {
    pub medicine_id: i64,
    pub from: Timestamp,
    pub to: Timestamp,
    pub schedule: &'a Schedule,
}

fn schedule_slot(id: i64) -> Slot {
    Slot {
        table: "schedule_version",
        column: "details",
        row: id,
    }
}

fn zone_slot(id: i64) -> Slot {
    Slot {
        table: "device_zone",
        column: "details",
        row: id,
    }
}

/// Every version of every medicine (or one), oldest first per medicine.
pub(crate) fn versions(
    conn: &Connection,
    sealer: &Sealer,
    medicine_id: Option<i64>,
) -> Result<Vec<ScheduleVersion>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, medicine_id, valid_from, details, created_at FROM schedule_version
         WHERE ?1 IS NULL OR medicine_id = ?1 ORDER BY medicine_id, valid_from",
    )?;
    let mut rows = statement.query([medicine_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let sealed: Option<Vec<u8>> = row.get(3)?;
        out.push(ScheduleVersion {
            id,
            medicine_id: row.get(1)?,
            valid_from: Timestamp::from_millis(row.get(2)?)?,
            schedule: sealed
                .map(|s| sealer.open_json(schedule_slot(id), &s))
                .transpose()?,
            created_at: Timestamp::from_millis(row.get(4)?)?,
        });
    }
    Ok(out)
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
                from: start,
                to: end,
                schedule,
            });
        }
    }
    out
}

/// The phone's zones as recorded; `None` if the app never said.
pub(crate) fn zone_timeline(conn: &Connection, sealer: &Sealer) -> Result<Option<ZoneTimeline>> {
    let mut statement =
        conn.prepare_cached("SELECT id, since, details FROM device_zone ORDER BY since")?;
    let mut rows = statement.query([])?;
    let mut zones: Vec<(Timestamp, Tz)> = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let sealed: Vec<u8> = row.get(2)?;
        let name: String = sealer.open_json(zone_slot(id), &sealed)?;
        zones.push((Timestamp::from_millis(row.get(1)?)?, parse_zone(&name)?));
    }
    Ok(zones
        .split_first()
        .map(|((_, first), rest)| ZoneTimeline::new(*first, rest.to_vec())))
}

/// Records `zone` from `now` on inside `tx`; `false` if it is already the zone in force.
pub(crate) fn record_zone(
    tx: &Connection,
    sealer: &Sealer,
    zone: Tz,
    now: Timestamp,
) -> Result<bool> {
    if zone_timeline(tx, sealer)?.is_some_and(|t| t.zone_at(now) == zone) {
        return Ok(false);
    }
    let latest: Option<i64> =
        tx.query_row("SELECT max(since) FROM device_zone", [], |r| r.get(0))?;
    if latest.is_some_and(|latest| latest > now.as_millis()) {
        return Err(Error::Conflict(
            "a later zone change is already recorded".into(),
        ));
    }
    // A second change at the same instant replaces the first.
    tx.execute(
        "DELETE FROM device_zone WHERE since = ?1",
        [now.as_millis()],
    )?;
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM device_zone",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO device_zone (id, since, details) VALUES (?1, ?2, ?3)",
        params![
            id,
            now.as_millis(),
            sealer.seal_json(zone_slot(id), &zone.name())?
        ],
    )?;
    snapshot::bump(tx)?;
    Ok(true)
}

/// Appends a schedule version inside `tx` (the schedule already validated).
fn insert_version(
    tx: &Connection,
    sealer: &Sealer,
    medicine_id: i64,
    schedule: Option<&Schedule>,
    valid_from: Timestamp,
    now: Timestamp,
) -> Result<ScheduleVersion> {
    let medicine = medicine::get(tx, sealer, medicine_id)?;
    if !medicine.is_active() {
        return Err(Error::invalid(
            "medicine_id",
            "the medicine is archived; restore it before changing its schedule",
        ));
    }
    let latest: Option<i64> = tx.query_row(
        "SELECT max(valid_from) FROM schedule_version WHERE medicine_id = ?1",
        [medicine_id],
        |r| r.get(0),
    )?;
    if latest.is_some_and(|latest| latest >= valid_from.as_millis()) {
        return Err(Error::Conflict(
            "a newer schedule version already exists; versions only move forward".into(),
        ));
    }
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM schedule_version",
        [],
        |r| r.get(0),
    )?;
    let sealed = schedule
        .map(|s| sealer.seal_json(schedule_slot(id), s))
        .transpose()?;
    tx.execute(
        "INSERT INTO schedule_version (id, medicine_id, valid_from, details, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            medicine_id,
            valid_from.as_millis(),
            sealed,
            now.as_millis()
        ],
    )?;
    snapshot::bump(tx)?;
    Ok(ScheduleVersion {
        id,
        medicine_id,
        valid_from,
        schedule: schedule.cloned(),
        created_at: now,
    })
}

impl Store {
    /// Gives a medicine a new schedule version from `valid_from` on (`None` stops scheduled
    /// doses). Versions only move forward: `valid_from` must be after the latest version's.
    pub fn set_schedule(
        &self,
        medicine_id: i64,
        schedule: Option<&Schedule>,
        valid_from: Timestamp,
        now: Timestamp,
    ) -> Result<ScheduleVersion> {
        if let Some(schedule) = schedule {
            schedule.validate()?;
        }
        self.write(|tx, sealer| insert_version(tx, sealer, medicine_id, schedule, valid_from, now))
    }

    /// Adds a medicine and its first schedule in one transaction: both or neither. The
    /// schedule applies from its own start when that is earlier than `now` (a medicine taken
    /// for a while before it was added), else from `now`.
    pub fn add_scheduled_medicine(
        &self,
        info: &crate::medicine::MedicineInfo,
        schedule: Option<&Schedule>,
        now: Timestamp,
    ) -> Result<(crate::medicine::Medicine, Option<ScheduleVersion>)> {
        let info = info.validated()?;
        if let Some(schedule) = schedule {
            schedule.validate()?;
        }
        self.write(|tx, sealer| {
            let medicine = medicine::insert(tx, sealer, &info, now)?;
            let version = schedule
                .map(|s| {
                    let start = super::Frame::Zone(parse_zone(&s.zone)?).resolve(s.start.0);
                    insert_version(tx, sealer, medicine.id, Some(s), start.min(now), now)
                })
                .transpose()?;
            Ok((medicine, version))
        })
    }

    /// Every schedule version of a medicine, oldest first.
    pub fn schedule_versions(&self, medicine_id: i64) -> Result<Vec<ScheduleVersion>> {
        self.read(|conn, sealer| {
            medicine::get(conn, sealer, medicine_id)?;
            versions(conn, sealer, Some(medicine_id))
        })
    }

    /// The schedule in force for a medicine at `at`, if any.
    pub fn schedule_at(&self, medicine_id: i64, at: Timestamp) -> Result<Option<Schedule>> {
        Ok(self
            .schedule_versions(medicine_id)?
            .into_iter()
            .rev()
            .find(|v| v.valid_from <= at)
            .and_then(|v| v.schedule))
    }

    /// Records the phone's zone from `now` on. Returns `false` (and writes nothing) when it
    /// is the zone already in force.
    pub fn record_device_zone(&self, zone: &str, now: Timestamp) -> Result<bool> {
        let tz = parse_zone(zone)?;
        self.write(|tx, sealer| record_zone(tx, sealer, tz, now))
    }

    /// The phone's zone at `at`, if the app has ever said.
    pub fn device_zone_at(&self, at: Timestamp) -> Result<Option<String>> {
        self.read(|conn, sealer| {
            Ok(zone_timeline(conn, sealer)?.map(|t| t.zone_at(at).name().to_owned()))
        })
    }
}
