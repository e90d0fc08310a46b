//! Reading and writing diary entries: one row each, everything but the instants sealed in
//! `details` under the slot (`diary_entry`, `details`, the row's `id`).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{DiaryEntry, NewDiaryEntry, SealedEntry};
use crate::error::{Error, Result};
use crate::medicine;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;

fn details_slot(id: i64) -> Slot {
    Slot {
        table: "diary_entry",
        column: "details",
        row: id,
    }
}

const SELECT: &str = "SELECT id, at, recorded_at, details FROM diary_entry";

fn open_row(row: &Row<'_>, sealer: &Sealer) -> Result<DiaryEntry> {
    let id: i64 = row.get(0)?;
    let sealed: Vec<u8> = row.get(3)?;
    let details: SealedEntry = sealer.open_json(details_slot(id), &sealed)?;
    Ok(DiaryEntry {
        id,
        at: Timestamp::from_millis(row.get(1)?)?,
        recorded_at: Timestamp::from_millis(row.get(2)?)?,
        text: details.text,
        medicine_id: details.medicine_id,
        severity: details.severity,
        measurements: details.measurements,
    })
}

/// Stores a validated entry inside `tx`. A linked medicine must exist (archived is fine: a
/// side effect may outlast the medicine).
pub(crate) fn insert(
    tx: &Connection,
    sealer: &Sealer,
    entry: &NewDiaryEntry,
    now: Timestamp,
) -> Result<DiaryEntry> {
    if let Some(id) = entry.medicine_id {
        medicine::get(tx, sealer, id).map_err(|error| match error {
            Error::NotFound { .. } => Error::invalid("medicine_id", "no medicine has this id"),
            other => other,
        })?;
    }
    // AUTOINCREMENT's next id: never one a deleted entry had.
    let id: i64 = tx.query_row(
        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'diary_entry'), 0) + 1",
        [],
        |r| r.get(0),
    )?;
    let stored = DiaryEntry {
        id,
        at: entry.at,
        recorded_at: now,
        text: entry.text.clone(),
        medicine_id: entry.medicine_id,
        severity: entry.severity,
        measurements: entry.measurements.clone(),
    };
    insert_as_stored(tx, sealer, &stored)?;
    Ok(stored)
}

/// Stores `entry` as it is, its id and dates kept: the last step of [`insert`], and how a
/// Regimen export is read into an empty database (the entry checked as [`insert`] checks one,
/// its medicine resolved).
pub(crate) fn insert_as_stored(tx: &Connection, sealer: &Sealer, entry: &DiaryEntry) -> Result<()> {
    let details = SealedEntry {
        text: entry.text.clone(),
        medicine_id: entry.medicine_id,
        severity: entry.severity,
        measurements: entry.measurements.clone(),
    };
    tx.execute(
        "INSERT INTO diary_entry (id, at, recorded_at, details) VALUES (?1, ?2, ?3, ?4)",
        params![
            entry.id,
            entry.at.as_millis(),
            entry.recorded_at.as_millis(),
            sealer.seal_json(details_slot(entry.id), &details)?
        ],
    )?;
    Ok(())
}

/// The entries dated in `[from, to)`, oldest first.
pub(crate) fn entries_in(
    conn: &Connection,
    sealer: &Sealer,
    (from, to): (Timestamp, Timestamp),
) -> Result<Vec<DiaryEntry>> {
    let mut statement = conn.prepare_cached(&format!(
        "{SELECT} WHERE at >= ?1 AND at < ?2 ORDER BY at, id"
    ))?;
    let mut rows = statement.query(params![from.as_millis(), to.as_millis()])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(open_row(row, sealer)?);
    }
    Ok(out)
}

/// The entries with an id above `after` recorded at or after `since`, in id order (what a
/// caregiver has not been told yet).
pub(crate) fn entries_after(
    conn: &Connection,
    sealer: &Sealer,
    after: i64,
    since: Timestamp,
) -> Result<Vec<DiaryEntry>> {
    let mut statement = conn.prepare_cached(&format!(
        "{SELECT} WHERE id > ?1 AND recorded_at >= ?2 ORDER BY id"
    ))?;
    let mut rows = statement.query(params![after, since.as_millis()])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(open_row(row, sealer)?);
    }
    Ok(out)
}

/// Deletes one entry inside `tx` and returns when it was recorded, or `NotFound`.
pub(crate) fn delete(tx: &Connection, id: i64) -> Result<Timestamp> {
    let recorded_at: Option<i64> = tx
        .query_row(
            "DELETE FROM diary_entry WHERE id = ?1 RETURNING recorded_at",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let recorded_at = recorded_at.ok_or(Error::NotFound {
        what: "diary entry",
        id,
    })?;
    Timestamp::from_millis(recorded_at)
}
