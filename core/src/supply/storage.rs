//! Reading and writing supply settings and the supply log.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{NewSupplyEvent, SealedSupply, SupplyEvent, SupplyKind, SupplySettings};
use crate::error::{Error, Result};
use crate::medicine;
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;

fn settings_slot(medicine_id: i64) -> Slot {
    Slot {
        table: "supply_setting",
        column: "details",
        row: medicine_id,
    }
}

fn event_slot(id: i64) -> Slot {
    Slot {
        table: "supply_event",
        column: "details",
        row: id,
    }
}

/// Every medicine's supply settings, by medicine: the medicines whose stock is tracked.
pub(crate) fn all_settings(
    conn: &Connection,
    sealer: &Sealer,
) -> Result<BTreeMap<i64, SupplySettings>> {
    let mut statement = conn
        .prepare_cached("SELECT medicine_id, details FROM supply_setting ORDER BY medicine_id")?;
    let mut rows = statement.query([])?;
    let mut out = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let sealed: Vec<u8> = row.get(1)?;
        out.insert(id, sealer.open_json(settings_slot(id), &sealed)?);
    }
    Ok(out)
}

/// One medicine's supply log, oldest first.
pub(crate) fn events(
    conn: &Connection,
    sealer: &Sealer,
    medicine_id: i64,
) -> Result<Vec<SupplyEvent>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, kind, at, recorded_at, dispense, details FROM supply_event
         WHERE medicine_id = ?1 ORDER BY at, id",
    )?;
    let mut rows = statement.query([medicine_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let kind: String = row.get(1)?;
        let sealed: Vec<u8> = row.get(5)?;
        let details: SealedSupply = sealer.open_json(event_slot(id), &sealed)?;
        out.push(SupplyEvent {
            id,
            medicine_id,
            kind: SupplyKind::from_sql(&kind)?,
            amount: details.amount,
            at: Timestamp::from_millis(row.get(2)?)?,
            recorded_at: Timestamp::from_millis(row.get(3)?)?,
            source: details.source,
            note: details.note,
            dispense: row.get(4)?,
        });
    }
    Ok(out)
}

/// Appends a checked event inside `tx`; `dispense` names the FHIR dispense it came from.
/// Returns `None` when that dispense was added already.
pub(crate) fn append(
    tx: &Connection,
    sealer: &Sealer,
    event: &NewSupplyEvent,
    dispense: Option<&str>,
    now: Timestamp,
) -> Result<Option<SupplyEvent>> {
    if let Some(dispense) = dispense {
        let seen: Option<i64> = tx
            .query_row(
                "SELECT id FROM supply_event WHERE dispense = ?1",
                [dispense],
                |r| r.get(0),
            )
            .optional()?;
        if seen.is_some() {
            return Ok(None);
        }
    }
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM supply_event",
        [],
        |r| r.get(0),
    )?;
    let stored = SupplyEvent {
        id,
        medicine_id: event.medicine_id,
        kind: event.kind,
        amount: event.amount,
        at: event.at,
        recorded_at: now,
        source: event.source,
        note: event.note.clone(),
        dispense: dispense.map(str::to_owned),
    };
    append_as_stored(tx, sealer, &stored)?;
    Ok(Some(stored))
}

/// Inserts `event` inside `tx` as it is, its id and instants kept: the last step of an
/// append, and how a Regimen export is read into an empty database.
pub(crate) fn append_as_stored(
    tx: &Connection,
    sealer: &Sealer,
    event: &SupplyEvent,
) -> Result<()> {
    let details = SealedSupply {
        amount: event.amount,
        source: event.source,
        note: event.note.clone(),
    };
    tx.prepare_cached(
        "INSERT INTO supply_event (id, medicine_id, kind, at, recorded_at, dispense, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        event.id,
        event.medicine_id,
        event.kind.as_sql(),
        event.at.as_millis(),
        event.recorded_at.as_millis(),
        event.dispense,
        sealer.seal_json(event_slot(event.id), &details)?,
    ])?;
    Ok(())
}

/// Stores checked supply settings for a medicine inside `tx`.
pub(crate) fn put_settings(
    tx: &Connection,
    sealer: &Sealer,
    medicine_id: i64,
    settings: &SupplySettings,
    now: Timestamp,
) -> Result<()> {
    tx.execute(
        "INSERT INTO supply_setting (medicine_id, details, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (medicine_id) DO UPDATE SET details = ?2, updated_at = ?3",
        params![
            medicine_id,
            sealer.seal_json(settings_slot(medicine_id), settings)?,
            now.as_millis()
        ],
    )?;
    Ok(())
}

/// The supply settings of one medicine, or `None` when its stock is not tracked.
pub(crate) fn settings_of(
    conn: &Connection,
    sealer: &Sealer,
    medicine_id: i64,
) -> Result<Option<SupplySettings>> {
    let sealed: Option<Vec<u8>> = conn
        .query_row(
            "SELECT details FROM supply_setting WHERE medicine_id = ?1",
            [medicine_id],
            |r| r.get(0),
        )
        .optional()?;
    sealed
        .map(|sealed| sealer.open_json(settings_slot(medicine_id), &sealed))
        .transpose()
}

impl Store {
    /// Tracks a medicine's stock in `settings.unit` (or changes how it is counted). Changing
    /// the unit of a medicine that has a supply log is refused: its amounts are in the old one.
    pub fn set_supply_settings(
        &self,
        medicine_id: i64,
        settings: &SupplySettings,
        now: Timestamp,
    ) -> Result<SupplySettings> {
        let settings = settings.validated()?;
        self.write(|tx, sealer| {
            medicine::get(tx, sealer, medicine_id)?;
            if let Some(current) = settings_of(tx, sealer, medicine_id)?
                && super::units::normal(&current.unit) != super::units::normal(&settings.unit)
                && !events(tx, sealer, medicine_id)?.is_empty()
            {
                return Err(Error::invalid(
                    "unit",
                    "the supply log is counted in another unit; count the stock again in the \
                     old one, or keep it",
                ));
            }
            put_settings(tx, sealer, medicine_id, &settings, now)?;
            Ok(settings.clone())
        })
    }

    /// A medicine's supply settings, or `None` when its stock is not tracked.
    pub fn supply_settings(&self, medicine_id: i64) -> Result<Option<SupplySettings>> {
        self.read(|conn, sealer| {
            medicine::get(conn, sealer, medicine_id)?;
            settings_of(conn, sealer, medicine_id)
        })
    }

    /// Records a change to the stock. The medicine's stock must be tracked
    /// ([`Store::set_supply_settings`]) and the medicine active.
    pub fn log_supply(&self, event: &NewSupplyEvent, now: Timestamp) -> Result<SupplyEvent> {
        let event = event.validated(now)?;
        self.write(|tx, sealer| {
            let medicine = medicine::get(tx, sealer, event.medicine_id)?;
            if medicine.archived_at.is_some() {
                return Err(Error::invalid("medicine_id", "the medicine is archived"));
            }
            if settings_of(tx, sealer, event.medicine_id)?.is_none() {
                return Err(Error::invalid(
                    "medicine_id",
                    "the medicine's stock is not tracked; set its supply unit first",
                ));
            }
            append(tx, sealer, &event, None, now)?
                .ok_or_else(|| Error::Conflict("the event was recorded already".into()))
        })
    }

    /// A medicine's supply log, oldest first.
    pub fn supply_events(&self, medicine_id: i64) -> Result<Vec<SupplyEvent>> {
        self.read(|conn, sealer| {
            medicine::get(conn, sealer, medicine_id)?;
            events(conn, sealer, medicine_id)
        })
    }
}
