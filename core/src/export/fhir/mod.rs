//! Everything the patient chooses as one FHIR R4 `Bundle` (type `collection`), and such a
//! Bundle read back into an empty database. The mapping, what round-trips and the validator
//! warnings accepted are in `docs/fhir-bundle.md`; in short:
//!
//! | Regimen | FHIR R4 |
//! |---|---|
//! | the patient's settings and phone zones | the one `Patient` (nothing identifying), Regimen's extensions |
//! | a medicine | `Medication` (what it is) and `MedicationStatement` (active or archived, notes, instructions, spacing, stock counting) |
//! | each schedule version | `MedicationRequest`, intent `plan`, `Dosage` with Timing and Regimen's extensions |
//! | the dose log | `MedicationAdministration`: taken `completed`, skipped `not-done` with its reason, snoozed `on-hold` |
//! | stock received | `MedicationDispense`; counts and losses as extensions on the statement |
//! | PGx results | Genomics Reporting genotype `Observation`s in `DiagnosticReport`s |
//! | diary entries | `Observation`s (LOINC 75325-1 Symptom, patient-reported), measurements as LOINC components with UCUM quantities (`diary.rs`) |
//!
//! Every resource has a `urn:uuid:` derived from the export's namespace and its row (`ids.rs`),
//! so exporting again names the same records the same, also from the database an export was
//! imported into (the import keeps the namespace). Rows keep their ids through Regimen's
//! identifiers, so the dose log's corrections and the schedule history come back as they were.
//! Modules: `write.rs` and `read.rs` the Bundle; `patient.rs`, `medicines.rs`, `log.rs`,
//! `supply.rs`, `genomics.rs` and `diary.rs` one part each; `ext.rs` Regimen's extensions; `ids.rs` names.

mod diary;
mod ext;
mod genomics;
mod ids;
mod log;
mod medicines;
mod patient;
mod read;
mod supply;
mod write;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use read::{MAX_BUNDLE_BYTES, MAX_ENTRIES, looks_like_export, read_bundle};
pub use write::write_bundle;

use crate::diary::DiaryEntry;
use crate::dose::DoseEvent;
use crate::medicine::Medicine;
use crate::pgx::NewPgxResult;
use crate::schedule::{ScheduleVersion, SpacingRule};
use crate::settings::Settings;
use crate::supply::{SupplyEvent, SupplySettings};
use crate::time::Timestamp;

/// The system of a Regimen export's `Bundle.identifier`: its value is the export's
/// namespace. It is how an import knows the Bundle for Regimen's own.
pub const EXPORT_SYSTEM: &str = "https://regimen.invalid/fhir/export";

/// What the patient chooses to export. Every part by default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FhirExportOptions {
    /// The medicines, archived ones too, with every schedule version, spacing rules, the
    /// patient's settings and the phone's zones. The dose log and supply need them.
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub medicines: bool,
    /// The dose log (from `log_from`, until `log_to`, by when each dose was taken, skipped
    /// or snoozed).
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub dose_log: bool,
    /// The dose log's first instant; `None` from the beginning.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub log_from: Option<Timestamp>,
    /// The dose log's end (not included); `None` to the end.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub log_to: Option<Timestamp>,
    /// The PGx results, every one ever recorded.
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub pgx: bool,
    /// How each medicine's stock is counted and its supply log.
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub supply: bool,
    /// The symptom and side-effect diary (entries may name medicines, so it needs them).
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub diary: bool,
}

impl Default for FhirExportOptions {
    fn default() -> Self {
        FhirExportOptions {
            medicines: true,
            dose_log: true,
            log_from: None,
            log_to: None,
            pgx: true,
            supply: true,
            diary: true,
        }
    }
}

/// What an import stored, by kind of record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FhirBundleImport {
    /// Medicines (archived ones included).
    pub medicines: u32,
    /// Schedule versions.
    pub schedule_versions: u32,
    /// Dose events.
    pub dose_events: u32,
    /// Supply events.
    pub supply_events: u32,
    /// PGx results.
    pub pgx_results: u32,
    /// Diary entries.
    pub diary_entries: u32,
}

/// A PGx result as an export carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct PortablePgx {
    /// Its row id.
    pub id: i64,
    /// The result as recorded.
    pub result: NewPgxResult,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// The gene Regimen read in it, for a result recorded without one (the Observation
    /// names its gene studied); `None` when read back from a Bundle.
    pub read_gene: Option<String>,
}

/// The records an export holds: what `write_bundle` writes and `read_bundle` reads back,
/// each kind in row id order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Portable {
    /// What names the resources (the database's id, or the one an import kept).
    pub namespace: String,
    /// The medicines, archived ones too.
    pub medicines: Vec<Medicine>,
    /// Every schedule version of those medicines.
    pub versions: Vec<ScheduleVersion>,
    /// The spacing rules between them.
    pub spacing: Vec<SpacingRule>,
    /// The phone's zones: from when, which.
    pub zones: Vec<(Timestamp, String)>,
    /// The patient's settings, when the medicines are exported.
    pub settings: Option<Settings>,
    /// The dose log.
    pub doses: Vec<DoseEvent>,
    /// How each medicine's stock is counted, by medicine.
    pub supply_settings: BTreeMap<i64, SupplySettings>,
    /// The supply log.
    pub supply_events: Vec<SupplyEvent>,
    /// The PGx results.
    pub pgx: Vec<PortablePgx>,
    /// The diary entries.
    pub diary: Vec<DiaryEntry>,
}

#[cfg(test)]
mod tests;
