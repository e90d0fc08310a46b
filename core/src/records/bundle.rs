//! The FHIR Bundle of everything: gathered in one read transaction and written by
//! `export::fhir`; a Regimen export read back and stored whole, in one transaction, into an
//! empty database (a database that already holds medicines or PGx results is refused, not
//! merged: which copy of a record wins would be a guess).

use rusqlite::{Connection, OptionalExtension, params};

use super::Records;
use crate::diary;
use crate::dose;
use crate::error::{Error, Result};
use crate::export::fhir::{
    FhirBundleImport, FhirExportOptions, Portable, PortablePgx, read_bundle, write_bundle,
};
use crate::medicine;
use crate::pgx::AlleleTable;
use crate::pgx::results;
use crate::schedule::{
    insert_rule_as_stored, insert_version_as_stored, insert_zone_before, parse_zone, spacing_rules,
    versions, zone_changes,
};
use crate::settings;
use crate::store::seal::Sealer;
use crate::supply::{
    storage_append_as_stored, storage_events, storage_put_settings, storage_settings,
};
use crate::time::Timestamp;

/// The `meta` key of the namespace an import kept, so the database it filled names the
/// records as the one they came from did.
const NAMESPACE_KEY: &str = "fhir_namespace";

impl Records {
    /// Everything `options` asks for as a FHIR R4 Bundle (see `export::fhir`), stamped `now`.
    /// `table` reads the gene of a result recorded without one.
    pub fn export_fhir_bundle(
        &self,
        options: &FhirExportOptions,
        table: &AlleleTable,
        now: Timestamp,
    ) -> Result<String> {
        if !options.medicines && options.dose_log {
            return Err(Error::invalid(
                "dose_log",
                "the dose log needs the medicines it is of",
            ));
        }
        if !options.medicines && options.diary {
            return Err(Error::invalid(
                "diary",
                "the diary names medicines, so it needs them",
            ));
        }
        if !options.medicines && options.supply {
            return Err(Error::invalid(
                "supply",
                "the supply log needs the medicines it is of",
            ));
        }
        if let (Some(from), Some(to)) = (options.log_from, options.log_to)
            && to < from
        {
            return Err(Error::invalid(
                "log_to",
                "the end of the range is before its start",
            ));
        }
        let namespace = self.namespace()?;
        let records = self.read(|conn, sealer| gather(conn, sealer, options, table, namespace))?;
        Ok(write_bundle(&records, now))
    }

    /// Fills this database, which must be empty, from a Regimen export: every medicine with
    /// its schedule history, the dose log, the supply log, the PGx results, the settings and
    /// the phone's zones (those this database recorded already stay; the export's come
    /// before them). All or nothing: a refusal names the FHIR element and the entry at fault,
    /// and nothing is stored. A database holding medicines or results is `Conflict`.
    pub fn import_fhir_bundle(&self, text: &str, now: Timestamp) -> Result<FhirBundleImport> {
        let records = read_bundle(text, now)?;
        self.write(|tx, sealer| store(tx, sealer, &records, now))
    }

    /// What names this database's exported resources: the namespace an import kept, else the
    /// database's own id.
    fn namespace(&self) -> Result<String> {
        let kept = self.read(|conn, _| {
            Ok(conn
                .query_row(
                    "SELECT value FROM meta WHERE key = ?1",
                    [NAMESPACE_KEY],
                    |r| r.get::<_, Vec<u8>>(0),
                )
                .optional()?)
        })?;
        Ok(kept
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_else(|| self.database_id().to_owned()))
    }
}

/// The records an export holds, read in one transaction.
fn gather(
    conn: &Connection,
    sealer: &Sealer,
    options: &FhirExportOptions,
    table: &AlleleTable,
    namespace: String,
) -> Result<Portable> {
    let mut records = Portable {
        namespace,
        ..Portable::default()
    };
    if options.medicines {
        records.medicines = medicine::list(conn, sealer, true)?;
        crate::order::sort_by_key(&mut records.medicines, |m| m.id);
        records.versions = versions(conn, sealer, None)?;
        crate::order::sort_by_key(&mut records.versions, |v| v.id);
        records.spacing = spacing_rules(conn)?;
        records.zones = zone_changes(conn, sealer)?;
        records.settings = Some(settings::read(conn, sealer)?);
    }
    if options.dose_log {
        records.doses = dose::all_events(conn, sealer)?;
        records.doses.retain(|e| {
            options.log_from.is_none_or(|from| from <= e.actual_at)
                && options.log_to.is_none_or(|to| e.actual_at < to)
        });
    }
    if options.supply {
        records.supply_settings = storage_settings(conn, sealer)?;
        for medicine in &records.medicines {
            records
                .supply_events
                .extend(storage_events(conn, sealer, medicine.id)?);
        }
        crate::order::sort_by_key(&mut records.supply_events, |e| e.id);
    }
    if options.pgx {
        records.pgx = results::stored(conn, sealer)?
            .into_iter()
            .map(|(id, result, recorded_at)| {
                let read_gene = result
                    .gene
                    .is_empty()
                    .then(|| {
                        table
                            .interpret(&result.gene, &result.diplotype, &result.other_diplotypes)
                            .gene
                    })
                    .flatten();
                PortablePgx {
                    id,
                    result,
                    recorded_at,
                    read_gene,
                }
            })
            .collect();
    }
    if options.diary {
        records.diary = diary::entries_in(conn, sealer, (Timestamp::MIN, Timestamp::MAX))?;
        crate::order::sort_by_key(&mut records.diary, |e| e.id);
    }
    Ok(records)
}

/// Stores an export's records inside `tx`, refusing a database that is not empty.
fn store(
    tx: &Connection,
    sealer: &Sealer,
    records: &Portable,
    now: Timestamp,
) -> Result<FhirBundleImport> {
    let held: i64 = tx.query_row(
        "SELECT (SELECT count(*) FROM medicine) + (SELECT count(*) FROM pgx_result) \
         + (SELECT count(*) FROM diary_entry)",
        [],
        |r| r.get(0),
    )?;
    if held > 0 {
        return Err(Error::Conflict(
            "the database already holds medicines, PGx results or diary entries: a Regimen \
             export is imported only into an empty database"
                .into(),
        ));
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![NAMESPACE_KEY, records.namespace.as_bytes()],
    )?;
    for medicine in &records.medicines {
        medicine::insert_as_stored(tx, sealer, medicine)?;
    }
    for version in &records.versions {
        insert_version_as_stored(tx, sealer, version)?;
    }
    for rule in &records.spacing {
        insert_rule_as_stored(tx, rule)?;
    }
    // Newest first: each goes before every zone recorded so far.
    for (since, zone) in records.zones.iter().rev() {
        insert_zone_before(tx, sealer, *since, parse_zone(zone)?)?;
    }
    if let Some(settings) = &records.settings {
        settings::write(tx, sealer, settings)?;
    }
    for event in &records.doses {
        dose::append_as_stored(tx, sealer, event)?;
    }
    for (medicine_id, settings) in &records.supply_settings {
        storage_put_settings(tx, sealer, *medicine_id, settings, now)?;
    }
    for event in &records.supply_events {
        storage_append_as_stored(tx, sealer, event)?;
    }
    for pgx in &records.pgx {
        results::insert_as_stored(tx, sealer, pgx.id, &pgx.result, pgx.recorded_at)?;
    }
    for entry in &records.diary {
        diary::insert_as_stored(tx, sealer, entry)?;
    }
    // Archive dates and medicines are part of the planning snapshot.
    tx.execute(
        "UPDATE config_generation SET value = value + 1 WHERE id = 1",
        [],
    )?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(FhirBundleImport {
        medicines: count(records.medicines.len()),
        schedule_versions: count(records.versions.len()),
        dose_events: count(records.doses.len()),
        supply_events: count(records.supply_events.len()),
        pgx_results: count(records.pgx.len()),
        diary_entries: count(records.diary.len()),
    })
}
