//! `Regimen` calls for pharmacogenomic results, and reading one without storing it. Every
//! call reads results with the knowledge base in use, so they all agree after an update.

use regimen_core::pgx::{NewPgxResult, PgxReading, PgxResult, ReadingStatus, import};

use crate::error::{Result, invalid};
use crate::regimen::Regimen;

/// What an import read and stored.
#[derive(Clone, Debug, uniffi::Record)]
pub struct PgxImport {
    /// The format the file was read as ("PharmCAT report (JSON)", ...).
    pub format: String,
    /// The results stored, each with how Regimen reads it (results it could not read are
    /// stored too, and say what was not understood).
    pub results: Vec<PgxResult>,
}

#[uniffi::export]
impl Regimen {
    /// Imports PGx results from a file's text: a PharmCAT report (JSON or TSV), a lab's list
    /// (JSON, or CSV/TSV lines `gene,result`) or FHIR Genomics Reporting observations. All
    /// results or none are stored; each result's `reading` says what Regimen understood.
    pub fn import_pgx(&self, text: String) -> Result<PgxImport> {
        let parsed = import::parse(&text)?;
        let loaded = self.loaded()?;
        let results =
            self.store
                .add_pgx_results(&parsed.results, &loaded.base.alleles, self.now()?)?;
        Ok(PgxImport {
            format: parsed.format.to_owned(),
            results,
        })
    }

    /// Stores one result typed in by the patient or a clinician. A result Regimen cannot
    /// read is refused (`InvalidInput` on `diplotype`, saying why but not repeating it): call
    /// `read_pgx` first to show the patient which part was not understood.
    pub fn add_pgx_result(&self, result: NewPgxResult) -> Result<PgxResult> {
        let loaded = self.loaded()?;
        let reading = loaded.base.alleles.interpret(
            &result.gene,
            &result.diplotype,
            &result.other_diplotypes,
        );
        if reading.status == ReadingStatus::NotUnderstood {
            let why = reading.not_understood.map_or_else(
                || "not understood".to_owned(),
                |n| format!("not understood: {}", n.reason),
            );
            return Err(invalid("diplotype", &why));
        }
        let mut stored =
            self.store
                .add_pgx_results(&[result], &loaded.base.alleles, self.now()?)?;
        Ok(stored.remove(0))
    }

    /// The results in force (the newest per gene), or every result ever recorded, each
    /// saying whether it is in force and which results it differs from.
    pub fn pgx_results(&self, history: bool) -> Result<Vec<PgxResult>> {
        Ok(self
            .store
            .pgx_results(&self.loaded()?.base.alleles, history)?)
    }

    /// How Regimen reads a gene's result (the gene in `gene`, in front of `result`, or both),
    /// without storing anything: the phenotype calls, or which part was not understood.
    pub fn read_pgx(&self, gene: String, result: String) -> Result<PgxReading> {
        if gene.chars().count() > 40 || result.chars().count() > 300 {
            return Err(invalid("result", "too long"));
        }
        Ok(self.loaded()?.base.alleles.interpret(&gene, &result, &[]))
    }
}
