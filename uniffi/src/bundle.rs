//! `Regimen` calls that move everything at once: a FHIR R4 Bundle of what the patient chooses
//! (for another app, a doctor's system, or a new phone), and such a Bundle read into a new,
//! empty database.

use regimen_core::export::fhir::{FhirBundleImport, FhirExportOptions};

use crate::error::Result;
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// Everything `options` asks for (by default all: medicines with every schedule version,
    /// the dose log, the supply log, the PGx results) as a FHIR R4 `Bundle` of type
    /// `collection`, JSON. Medicines become `Medication`, `MedicationStatement` and one
    /// `MedicationRequest` per schedule version (Dosage and Timing, Regimen's extensions), the
    /// log `MedicationAdministration`s, stock received `MedicationDispense`s, PGx results
    /// Genomics Reporting genotype `Observation`s in `DiagnosticReport`s, all about one
    /// `Patient` that holds nothing identifying. Each resource has a stable `urn:uuid:`. Ten
    /// years of 20 medicines twice a day is about 92 MiB: write it to a file rather than keeping it.
    /// `InvalidInput` on `dose_log` or `supply` when they are asked without the medicines.
    pub fn export_fhir_bundle(&self, options: FhirExportOptions) -> Result<String> {
        let loaded = self.loaded()?;
        Ok(self
            .store
            .export_fhir_bundle(&options, &loaded.base.alleles, self.now()?)?)
    }

    /// Fills this database from a Regimen FHIR export (`export_fhir_bundle`'s output): call it
    /// on a newly opened, empty database, as the first thing (a new phone). Everything comes
    /// back as it was, ids included: medicines (archived ones too) and their schedule history,
    /// the dose log with its corrections, the supply log, the PGx results, the settings, the
    /// phone's zones. All or nothing: `InvalidInput` names the FHIR element and entry that
    /// could not be read (over 256 MiB is refused as `json`/`bundle` before reading), and
    /// nothing is stored; `Conflict` when the database already holds medicines or PGx results.
    pub fn import_fhir_bundle(&self, json: String) -> Result<FhirBundleImport> {
        Ok(self.store.import_fhir_bundle(&json, self.now()?)?)
    }
}
