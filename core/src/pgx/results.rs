//! The patient's PGx results, sealed at rest. Each result is a gene's diplotype from a
//! source (a PharmCAT report, a lab's list, a FHIR report, or typed in); its phenotype is
//! computed by the engine when read, so a corrected rule applies to old results too. The
//! newest result for a gene is the one in force; older ones stay for history.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::phenotype::{AlleleTable, PhenotypeCall};
use crate::error::{Error, Result};
use crate::schedule::LocalDate;
use crate::store::Store;
use crate::store::seal::Slot;
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewPgxResult {
    /// The gene (`CYP2D6`, `HLA-B`).
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
}

/// A stored result with what it means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PgxResult {
    /// Id of the result.
    pub id: i64,
    /// The result as recorded.
    pub result: NewPgxResult,
    /// The phenotype calls (one per allele of interest for HLA); empty when Regimen has no
    /// rules for the gene.
    pub calls: Vec<PhenotypeCall>,
    /// When it was recorded.
    pub recorded_at: Timestamp,
}

fn slot(id: i64) -> Slot {
    Slot {
        table: "pgx_result",
        column: "details",
        row: id,
    }
}

impl NewPgxResult {
    /// The result with text trimmed and the gene upper-cased, or the first rule it breaks.
    fn validated(&self, table: &AlleleTable) -> Result<NewPgxResult> {
        let gene = required_text("gene", &self.gene, 20, false)?.to_uppercase();
        let diplotype = required_text("diplotype", &self.diplotype, 200, false)?;
        // A diplotype the engine cannot even read is refused; an allele it does not know
        // is kept (and reads as Indeterminate).
        if table.knows_gene(&gene) {
            table.calls(&gene, &diplotype)?;
        }
        Ok(NewPgxResult {
            gene,
            diplotype,
            source: self.source,
            test_date: self.test_date,
            lab: optional_text("lab", self.lab.as_deref(), 200, false)?,
        })
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
        let results = results
            .iter()
            .map(|r| r.validated(table))
            .collect::<Result<Vec<_>>>()?;
        self.write(|tx, sealer| {
            let mut stored = Vec::new();
            for result in results {
                let id: i64 =
                    tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM pgx_result", [], |r| {
                        r.get(0)
                    })?;
                tx.execute(
                    "INSERT INTO pgx_result (id, details, recorded_at) VALUES (?1, ?2, ?3)",
                    params![id, sealer.seal_json(slot(id), &result)?, now.as_millis()],
                )?;
                stored.push(PgxResult::interpret(id, result, now, table));
            }
            crate::snapshot::bump(tx)?;
            Ok(stored)
        })
    }

    /// The results in force: the newest for each gene, sorted by gene. With `history`,
    /// every result ever recorded, oldest first.
    pub fn pgx_results(&self, table: &AlleleTable, history: bool) -> Result<Vec<PgxResult>> {
        self.read(|conn, sealer| {
            let mut statement =
                conn.prepare_cached("SELECT id, details, recorded_at FROM pgx_result ORDER BY id")?;
            let mut rows = statement.query([])?;
            let mut all = Vec::new();
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let sealed: Vec<u8> = row.get(1)?;
                let result: NewPgxResult = sealer.open_json(slot(id), &sealed)?;
                all.push(PgxResult::interpret(
                    id,
                    result,
                    Timestamp::from_millis(row.get(2)?)?,
                    table,
                ));
            }
            if history {
                return Ok(all);
            }
            let mut newest: std::collections::BTreeMap<String, PgxResult> =
                std::collections::BTreeMap::new();
            for result in all {
                newest.insert(result.result.gene.clone(), result);
            }
            Ok(newest.into_values().collect())
        })
    }
}

impl PgxResult {
    /// A result with its phenotype calls from `table` (none when the gene has no rules or
    /// the diplotype cannot be read).
    pub fn interpret(
        id: i64,
        result: NewPgxResult,
        recorded_at: Timestamp,
        table: &AlleleTable,
    ) -> PgxResult {
        let calls = table
            .calls(&result.gene, &result.diplotype)
            .unwrap_or_default();
        PgxResult {
            id,
            result,
            calls,
            recorded_at,
        }
    }
}
