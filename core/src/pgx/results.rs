//! The patient's PGx results, sealed at rest. Each result is a gene's result as the source
//! gave it (a PharmCAT report, a lab's list, a FHIR report, or typed in); what it means is
//! worked out by the normaliser and the engine when read, so a corrected rule applies to old
//! results too.
//!
//! Which result is in force for a gene: the one tested last (by test date; a result without
//! one counts as tested the day it was recorded), then the one recorded last. The others
//! stay in history, and the one in force says which older results disagree with it. For
//! HLA genes the same holds for each allele of interest: a *57:01 screen and a later *58:01
//! screen are both in force, each for its own allele.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::alleles::AlleleTable;
use super::reading::PgxReading;
use crate::error::{Error, Result};
use crate::schedule::LocalDate;
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;
use crate::validate::{optional_text, required_text};

/// Where a result came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum PgxSource {
    /// A PharmCAT report (JSON or TSV).
    #[serde(rename = "pharmcat", alias = "pharm_cat")]
    PharmCat,
    /// A lab's list of genes and diplotypes (CSV or JSON).
    LabList,
    /// FHIR Genomics Reporting observations.
    Fhir,
    /// Typed in by the patient or a clinician.
    Manual,
}

/// A result to store.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewPgxResult {
    /// The gene (`CYP2D6`, `HLA-B`); may be empty when the result names it.
    pub gene: String,
    /// The diplotype: two alleles joined by a slash (star alleles such as *1 and *4), or the
    /// allele for MT-RNR1.
    pub diplotype: String,
    /// Where it came from.
    pub source: PgxSource,
    /// When the sample was tested, if known.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub test_date: Option<LocalDate>,
    /// The lab or tool that made the call.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub lab: Option<String>,
    /// Other diplotypes the same report gives as possible for this gene (PharmCAT lists
    /// every call that fits the data): all are kept, and warnings act on the most cautious.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    #[serde(default)]
    pub other_diplotypes: Vec<String>,
}

crate::redact::redacted_display!(NewPgxResult, source, test_date);

/// A stored result with what it means.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PgxResult {
    /// Id of the result.
    pub id: i64,
    /// The result as recorded.
    pub result: NewPgxResult,
    /// How Regimen reads it: the gene, how far it was understood, the result in CPIC's
    /// spelling, what was not understood, and the phenotype calls (one per allele of
    /// interest the result speaks of for HLA).
    pub reading: PgxReading,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// Whether it is the result in force for its gene (for HLA: for at least one allele of
    /// interest).
    pub in_force: bool,
    /// For a result in force: older results of the same gene that read differently. For
    /// one that is not: the result in force instead.
    pub differs_from: Vec<i64>,
}

crate::redact::redacted_display!(PgxResult, id, recorded_at, in_force);

fn slot(id: i64) -> Slot {
    Slot {
        table: "pgx_result",
        column: "details",
        row: id,
    }
}

impl NewPgxResult {
    /// The result with text trimmed and the gene upper-cased, or the first rule it breaks.
    /// What the result says is not checked here: a result the normaliser cannot read is
    /// kept and shown as not understood (see [`PgxReading`]).
    pub(crate) fn validated(&self) -> Result<NewPgxResult> {
        // The gene may be left empty when the result names it ("HLA-B*57:01 positive").
        let gene = optional_text("gene", Some(&self.gene), 40, false)?
            .unwrap_or_default()
            .to_uppercase();
        let diplotype = required_text("diplotype", &self.diplotype, 300, false)?;
        if self.other_diplotypes.len() > 20 {
            return Err(Error::invalid("other_diplotypes", "at most 20"));
        }
        let other_diplotypes = self
            .other_diplotypes
            .iter()
            .map(|d| required_text("other_diplotypes", d, 300, false))
            .collect::<Result<_>>()?;
        Ok(NewPgxResult {
            gene,
            diplotype,
            source: self.source,
            test_date: self.test_date,
            lab: optional_text("lab", self.lab.as_deref(), 200, false)?,
            other_diplotypes,
        })
    }

    /// The day it counts as tested: its test date, else the day it was recorded.
    fn tested(&self, recorded_at: Timestamp) -> chrono::NaiveDate {
        self.test_date
            .map_or_else(|| recorded_at.to_datetime().date_naive(), |d| d.0)
    }
}

impl Store {
    /// Stores results (a whole report at once: all or none).
    pub fn add_pgx_results(
        &self,
        results: &[NewPgxResult],
        table: &AlleleTable,
        now: Timestamp,
    ) -> Result<Vec<PgxResult>> {
        if results.is_empty() {
            return Err(Error::invalid("results", "no result to store"));
        }
        if results.len() > MAX_RESULTS_PER_ADD {
            return Err(Error::invalid("results", "at most 500 results at once"));
        }
        let results = results
            .iter()
            .map(NewPgxResult::validated)
            .collect::<Result<Vec<_>>>()?;
        let ids = self.write(|tx, sealer| {
            let mut ids = Vec::new();
            let mut insert = tx.prepare_cached(
                "INSERT INTO pgx_result (id, details, recorded_at) VALUES (?1, ?2, ?3)",
            )?;
            let first: i64 =
                tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM pgx_result", [], |r| {
                    r.get(0)
                })?;
            for (offset, result) in results.iter().enumerate() {
                let id = first + offset as i64;
                insert.execute(params![
                    id,
                    sealer.seal_json(slot(id), result)?,
                    now.as_millis()
                ])?;
                ids.push(id);
            }
            Ok(ids)
        })?;
        let all = self.pgx_results(table, true)?;
        Ok(all.into_iter().filter(|r| ids.contains(&r.id)).collect())
    }

    /// The results in force (see the module docs), sorted by gene. With `history`, every
    /// result ever recorded, oldest first, each saying whether it is in force.
    pub fn pgx_results(&self, table: &AlleleTable, history: bool) -> Result<Vec<PgxResult>> {
        let stored = self.read(stored)?;
        Ok(in_force(stored, table, history))
    }
}

/// Every stored result as recorded, oldest first: id, result, when recorded.
pub(crate) fn stored(
    conn: &Connection,
    sealer: &Sealer,
) -> Result<Vec<(i64, NewPgxResult, Timestamp)>> {
    let mut statement =
        conn.prepare_cached("SELECT id, details, recorded_at FROM pgx_result ORDER BY id")?;
    let mut rows = statement.query([])?;
    let mut all = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let sealed: Vec<u8> = row.get(1)?;
        let result: NewPgxResult = sealer.open_json(slot(id), &sealed)?;
        all.push((id, result, Timestamp::from_millis(row.get(2)?)?));
    }
    Ok(all)
}

/// Inserts a checked result inside `tx` as another database stored it (its id and instant
/// kept): a Regimen export read into an empty database.
pub(crate) fn insert_as_stored(
    tx: &Connection,
    sealer: &Sealer,
    id: i64,
    result: &NewPgxResult,
    recorded_at: Timestamp,
) -> Result<()> {
    tx.prepare_cached("INSERT INTO pgx_result (id, details, recorded_at) VALUES (?1, ?2, ?3)")?
        .execute(params![
            id,
            sealer.seal_json(slot(id), result)?,
            recorded_at.as_millis()
        ])?;
    Ok(())
}

/// Most results one call stores.
pub const MAX_RESULTS_PER_ADD: usize = 500;

/// Reads every result and marks which are in force. Without `history`, only those, sorted
/// by gene, HLA results keeping only the calls they are in force for.
pub fn in_force(
    stored: Vec<(i64, NewPgxResult, Timestamp)>,
    table: &AlleleTable,
    history: bool,
) -> Vec<PgxResult> {
    let mut all: Vec<PgxResult> = stored
        .into_iter()
        .map(|(id, result, recorded_at)| PgxResult::interpret(id, result, recorded_at, table))
        .collect();
    // Newest first: by the day tested, then by when it was recorded.
    let mut order: Vec<usize> = (0..all.len()).collect();
    crate::order::sort_by_key(&mut order, |&i| {
        let r = &all[i];
        std::cmp::Reverse((r.result.tested(r.recorded_at), r.recorded_at, r.id))
    });
    // What each result is in force for: its gene, or (HLA) each allele it speaks of.
    let mut taken: std::collections::HashMap<(String, Option<String>), usize> =
        std::collections::HashMap::new();
    let mut kept_calls: Vec<Vec<bool>> = all
        .iter()
        .map(|r| vec![false; r.reading.calls.len()])
        .collect();
    let mut instead: Vec<Vec<i64>> = vec![Vec::new(); all.len()];
    for &i in &order {
        let gene = all[i]
            .reading
            .gene
            .clone()
            .unwrap_or_else(|| all[i].result.gene.clone());
        let hla_alleles: Vec<Option<String>> = all[i]
            .reading
            .calls
            .iter()
            .map(|c| c.hla_allele.clone())
            .collect();
        let keys: Vec<(String, Option<String>)> = if hla_alleles.iter().any(Option::is_some) {
            hla_alleles
                .iter()
                .map(|a| (gene.clone(), a.clone()))
                .collect()
        } else {
            vec![(gene.clone(), None)]
        };
        for (index, key) in keys.into_iter().enumerate() {
            match taken.get(&key) {
                Some(&newer) => {
                    let (older_id, newer_id) = (all[i].id, all[newer].id);
                    let differs = all[newer].reading.read_as != all[i].reading.read_as
                        || all[newer].reading.status != all[i].reading.status;
                    if differs && !all[newer].differs_from.contains(&older_id) {
                        all[newer].differs_from.push(older_id);
                    }
                    if !instead[i].contains(&newer_id) {
                        instead[i].push(newer_id);
                    }
                }
                None => {
                    taken.insert(key, i);
                    all[i].in_force = true;
                    if let Some(kept) = kept_calls[i].get_mut(index) {
                        *kept = true;
                    }
                }
            }
        }
    }
    for ((result, kept), instead) in all.iter_mut().zip(&kept_calls).zip(instead) {
        if !result.in_force {
            result.differs_from = instead;
        }
        crate::order::sort(&mut result.differs_from);
        if !history && result.reading.calls.iter().any(|c| c.hla_allele.is_some()) {
            let mut flags = kept.iter();
            result
                .reading
                .calls
                .retain(|_| *flags.next().unwrap_or(&false));
        }
    }
    if history {
        return all;
    }
    let mut current: Vec<PgxResult> = all.into_iter().filter(|r| r.in_force).collect();
    crate::order::sort_by(&mut current, |a, b| {
        let gene = |r: &PgxResult| {
            r.reading
                .gene
                .clone()
                .unwrap_or_else(|| r.result.gene.clone())
        };
        gene(a).cmp(&gene(b)).then(a.id.cmp(&b.id))
    });
    current
}

impl PgxResult {
    /// A result with what `table` reads in it (not yet marked in force).
    pub fn interpret(
        id: i64,
        result: NewPgxResult,
        recorded_at: Timestamp,
        table: &AlleleTable,
    ) -> PgxResult {
        let reading = table.interpret(&result.gene, &result.diplotype, &result.other_diplotypes);
        PgxResult {
            id,
            result,
            reading,
            recorded_at,
            in_force: false,
            differs_from: Vec::new(),
        }
    }
}
