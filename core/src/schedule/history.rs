//! Stored schedule history: each medicine's schedule versions, and the phone's time zones
//! over time. Both are append-only, so a past dose is always judged against the schedule and
//! the zone that were in force when it was due.

use crate::Zone;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::Schedule;
use super::expand::ZoneTimeline;
use super::zone::parse_zone;
use crate::error::{Error, Result};
use crate::medicine;
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
    /// The schedule; `None` when scheduled doses were stopped (as-needed only, or paused), or
    /// when it cannot be read (then `problem` says why).
    pub schedule: Option<Schedule>,
    /// When it was written.
    pub created_at: Timestamp,
    /// Why this version cannot be planned, when it cannot: stored by an older version of
    /// Regimen with values today's rules refuse, or damaged. No doses are planned from it;
    /// the patient should give the medicine a new schedule (or archive it).
    #[serde(default)]
    pub problem: Option<String>,
}

/// A medicine whose schedule cannot be planned, and why (in words safe to show and log: a
/// field and a rule, never a value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScheduleProblem {
    /// The medicine.
    pub medicine_id: i64,
    /// What is wrong with its schedule.
    pub reason: String,
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
        // One unreadable or out-of-rules schedule must not stop the others from planning:
        // it is kept with its problem, and planning leaves it out.
        let (schedule, problem) = match sealed.map(|s| readable(sealer, id, &s)) {
            None => (None, None),
            Some(Ok(schedule)) => (Some(schedule), None),
            Some(Err(problem)) => (None, Some(problem)),
        };
        let (schedule, problem) = match schedule.map(|s| s.validate_plannable().map(|()| s)) {
            Some(Err(error)) => (None, Some(format!("it breaks a rule ({error})"))),
            Some(Ok(schedule)) => (Some(schedule), problem),
            None => (None, problem),
        };
        out.push(ScheduleVersion {
            id,
            medicine_id: row.get(1)?,
            valid_from: Timestamp::from_millis(row.get(2)?)?,
            schedule,
            created_at: Timestamp::from_millis(row.get(4)?)?,
            problem,
        });
    }
    Ok(out)
}

/// Opens one stored schedule, or says why it cannot be.
fn readable(sealer: &Sealer, id: i64, sealed: &[u8]) -> std::result::Result<Schedule, String> {
    sealer.open_json(schedule_slot(id), sealed).map_err(|_| {
        "it could not be read (damaged, or written with values no longer accepted)".to_owned()
    })
}

/// The phone's zones as recorded; `None` if the app never said.
pub(crate) fn zone_timeline(conn: &Connection, sealer: &Sealer) -> Result<Option<ZoneTimeline>> {
    let mut statement =
        conn.prepare_cached("SELECT id, since, details FROM device_zone ORDER BY since")?;
    let mut rows = statement.query([])?;
    let mut zones: Vec<(Timestamp, Zone)> = Vec::new();
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
    zone: Zone,
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
    insert_zone(tx, sealer, now, zone)?;
    Ok(true)
}

/// Inserts the row saying the phone was in `zone` from `since`.
fn insert_zone(tx: &Connection, sealer: &Sealer, since: Timestamp, zone: Zone) -> Result<()> {
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM device_zone",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO device_zone (id, since, details) VALUES (?1, ?2, ?3)",
        params![
            id,
            since.as_millis(),
            sealer.seal_json(zone_slot(id), &zone.name())?
        ],
    )?;
    Ok(())
}

/// Every recorded zone change, oldest first: from when, and the zone's name.
pub(crate) fn zone_changes(conn: &Connection, sealer: &Sealer) -> Result<Vec<(Timestamp, String)>> {
    let mut statement =
        conn.prepare_cached("SELECT id, since, details FROM device_zone ORDER BY since")?;
    let mut rows = statement.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let sealed: Vec<u8> = row.get(2)?;
        let name: String = sealer.open_json(zone_slot(id), &sealed)?;
        out.push((Timestamp::from_millis(row.get(1)?)?, name));
    }
    Ok(out)
}

/// Records that the phone was in `zone` from `since` inside `tx`, before every change
/// recorded so far (a Regimen export's zones read into a new database): `false`, writing
/// nothing, when a change at or after `since` is recorded already. A change recorded next that
/// names the same zone says nothing any more and is removed, as [`record_zone`] would not
/// have written it.
pub(crate) fn insert_zone_before(
    tx: &Connection,
    sealer: &Sealer,
    since: Timestamp,
    zone: Zone,
) -> Result<bool> {
    let earliest: Option<i64> =
        tx.query_row("SELECT min(since) FROM device_zone", [], |r| r.get(0))?;
    if earliest.is_some_and(|earliest| earliest <= since.as_millis()) {
        return Ok(false);
    }
    insert_zone(tx, sealer, since, zone)?;
    if let Some((next, _)) = zone_changes(tx, sealer)?
        .into_iter()
        .find(|(at, _)| *at > since)
        .filter(|(_, name)| parse_zone(name).is_ok_and(|next| next == zone))
    {
        tx.execute(
            "DELETE FROM device_zone WHERE since = ?1",
            [next.as_millis()],
        )?;
    }
    Ok(true)
}

/// Inserts `version` inside `tx` as another database stored it (its id and instants kept):
/// a Regimen export read into an empty database. The medicine may be archived.
pub(crate) fn insert_version_as_stored(
    tx: &Connection,
    sealer: &Sealer,
    version: &ScheduleVersion,
) -> Result<()> {
    let sealed = version
        .schedule
        .as_ref()
        .map(|s| sealer.seal_json(schedule_slot(version.id), s))
        .transpose()?;
    tx.prepare_cached(
        "INSERT INTO schedule_version (id, medicine_id, valid_from, details, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        version.id,
        version.medicine_id,
        version.valid_from.as_millis(),
        sealed,
        version.created_at.as_millis()
    ])?;
    Ok(())
}

/// Appends a schedule version inside `tx` (the schedule already validated).
pub(crate) fn insert_version(
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
    Ok(ScheduleVersion {
        id,
        medicine_id,
        valid_from,
        schedule: schedule.cloned(),
        created_at: now,
        problem: None,
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::medicine::MedicineInfo;
    use crate::schedule::{Phase, Timing, TimingRepeat, UnitOfTime, ZonePolicy};
    use crate::store::{KeyProvider, OpenOptions};

    struct FixedKey;

    impl KeyProvider for FixedKey {
        fn existing_key(&self) -> Result<Option<Vec<u8>>> {
            Ok(Some(vec![7; 32]))
        }
        fn keep_new_key(&self, _key: &[u8]) -> Result<()> {
            Ok(())
        }
    }

    fn daily(period: f64, unit: UnitOfTime) -> Schedule {
        Schedule {
            start: "2026-01-01T08:00".parse().unwrap(),
            zone: "Europe/Berlin".into(),
            policy: ZonePolicy::Local,
            phases: vec![Phase {
                timing: Timing {
                    repeat: Some(TimingRepeat {
                        frequency: Some(1),
                        period: Some(period),
                        period_unit: Some(unit),
                        ..TimingRepeat::default()
                    }),
                    ..Timing::default()
                },
                ..Phase::default()
            }],
            as_needed: None,
            shift: None,
        }
    }

    /// Schedules stored before today's limits (or damaged) must not stop the database: the
    /// medicine is reported, every other one plans, and it can still be archived.
    #[test]
    fn a_stored_schedule_that_cannot_be_planned_leaves_the_rest_working() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            crate::Records::open(&dir.path().join("p.db"), &OpenOptions::default(), &FixedKey)
                .unwrap();
        let now = Timestamp::parse_rfc3339("2026-03-01T06:00:00Z").unwrap();
        let epoch = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let add = |name: &str| {
            let info = MedicineInfo {
                name: name.into(),
                ..MedicineInfo::default()
            };
            store.add_medicine(&info, epoch).unwrap().id
        };
        let (good, huge, unreadable) = (add("A"), add("B"), add("C"));
        store
            .set_schedule(good, Some(&daily(1.0, UnitOfTime::D)), epoch, epoch)
            .unwrap();
        // What older versions accepted and stored: an interval of 10^20 hours, and a JSON
        // value today's types no longer read (a year outside 1900-2199).
        let poison = daily(1e20, UnitOfTime::H);
        store
            .write(|tx, sealer| insert_version(tx, sealer, huge, Some(&poison), epoch, epoch))
            .unwrap();
        let mut unreadable_json = serde_json::to_value(daily(1.0, UnitOfTime::D)).unwrap();
        unreadable_json["start"] = "0001-01-01T08:00".into();
        store
            .write(|tx, sealer| {
                let id = insert_version(tx, sealer, unreadable, None, epoch, epoch)?.id;
                let sealed = sealer.seal_json(schedule_slot(id), &unreadable_json)?;
                tx.execute(
                    "UPDATE schedule_version SET details = ?1 WHERE id = ?2",
                    params![sealed, id],
                )?;
                Ok(())
            })
            .unwrap();

        let plan = store
            .plan_notifications(now, Duration::from_secs(2 * 86_400), 64)
            .unwrap();
        assert!(!plan.notifications.is_empty());
        assert!(plan.notifications.iter().all(|n| n.medicine_ids == [good]));
        let reported: Vec<i64> = plan
            .schedule_problems
            .iter()
            .map(|p| p.medicine_id)
            .collect();
        assert_eq!(reported, [huge, unreadable]);
        assert_eq!(
            store
                .schedule_problems(now)
                .unwrap()
                .iter()
                .map(|p| p.medicine_id)
                .collect::<Vec<_>>(),
            [huge, unreadable]
        );
        assert!(plan.schedule_problems[0].reason.contains("repeat.period"));
        let today = store
            .day(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), now)
            .unwrap();
        assert_eq!(today.len(), 1);
        assert!(store.adherence(epoch, now, now).is_ok());
        let versions = store.schedule_versions(unreadable).unwrap();
        assert!(versions[0].schedule.is_none() && versions[0].problem.is_some());

        // The way out: archive it (or give it a new schedule); then nothing is reported.
        store.archive_medicine(huge, now).unwrap();
        store
            .set_schedule(unreadable, Some(&daily(1.0, UnitOfTime::D)), now, now)
            .unwrap();
        assert!(store.schedule_problems(now).unwrap().is_empty());
    }

    /// A schedule an earlier version stored with a window beside fixed times (the window was
    /// ignored) is refused as new input today, but a stored one keeps its reminders.
    #[test]
    fn a_stored_window_beside_fixed_times_is_still_planned_but_refused_as_new_input() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            crate::Records::open(&dir.path().join("p.db"), &OpenOptions::default(), &FixedKey)
                .unwrap();
        let epoch = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let now = Timestamp::parse_rfc3339("2026-03-01T06:00:00Z").unwrap();
        let info = MedicineInfo {
            name: "A".into(),
            ..MedicineInfo::default()
        };
        let id = store.add_medicine(&info, epoch).unwrap().id;
        let mut old = daily(1.0, UnitOfTime::D);
        old.phases[0].timing.repeat.as_mut().unwrap().time_of_day = vec!["08:00".parse().unwrap()];
        old.phases[0].window = Some(crate::schedule::Window {
            start: "09:00".parse().unwrap(),
            end: "17:00".parse().unwrap(),
        });
        let refused = store
            .set_schedule(id, Some(&old), epoch, epoch)
            .unwrap_err();
        assert!(matches!(
            refused,
            Error::InvalidInput {
                field: "window",
                ..
            }
        ));
        store
            .write(|tx, sealer| insert_version(tx, sealer, id, Some(&old), epoch, epoch))
            .unwrap();
        assert!(store.schedule_problems(now).unwrap().is_empty());
        let today = store
            .day(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), now)
            .unwrap();
        let due: Vec<String> = today
            .iter()
            .filter_map(|d| d.due_at)
            .map(|t| t.to_string())
            .collect();
        assert_eq!(
            due,
            ["2026-03-01T07:00:00Z"],
            "08:00 in Berlin, the window ignored"
        );
    }
}
