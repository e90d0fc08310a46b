//! `Regimen` calls for pharmacogenomic results, and the phenotype engine on its own.

use regimen_core::pgx::{AlleleTable, NewPgxResult, PgxResult, PhenotypeCall, import};

use crate::error::Result;
use crate::regimen::Regimen;

/// What an import read and stored.
#[derive(Clone, Debug, uniffi::Record)]
pub struct PgxImport {
    /// The format the file was read as ("PharmCAT report (JSON)", ...).
    pub format: String,
    /// The results stored, with their phenotypes.
    pub results: Vec<PgxResult>,
}

#[uniffi::export]
impl Regimen {
    /// Imports PGx results from a file's text: a PharmCAT report (JSON or TSV), a lab's list
    /// (JSON, or CSV/TSV lines `gene,diplotype`) or FHIR Genomics Reporting observations. All
    /// results or none are stored.
    pub fn import_pgx(&self, text: String) -> Result<PgxImport> {
        let parsed = import::parse(&text)?;
        let loaded = self.loaded()?;
        let results = self
            .store
            .add_pgx_results(&parsed.results, &loaded.alleles, self.now()?)?;
        Ok(PgxImport {
            format: parsed.format.to_owned(),
            results,
        })
    }

    /// Stores one result typed in by the patient or a clinician.
    pub fn add_pgx_result(&self, result: NewPgxResult) -> Result<PgxResult> {
        let loaded = self.loaded()?;
        let mut stored = self
            .store
            .add_pgx_results(&[result], &loaded.alleles, self.now()?)?;
        Ok(stored.remove(0))
    }

    /// The results in force (the newest per gene), or every result ever recorded.
    pub fn pgx_results(&self, history: bool) -> Result<Vec<PgxResult>> {
        Ok(self.store.pgx_results(&self.loaded()?.alleles, history)?)
    }
}

/// The phenotype calls for a gene's diplotype, computed without storing anything: one call
/// for most genes, one per allele of interest for HLA-A and HLA-B.
#[uniffi::export]
pub fn phenotype(gene: String, diplotype: String) -> Result<Vec<PhenotypeCall>> {
    Ok(AlleleTable::builtin()?.calls(&gene, &diplotype)?)
}
