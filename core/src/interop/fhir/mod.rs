//! FHIR R4 JSON for schedules: [`Timing`] and `Dosage` in and out.
//!
//! Import is strict about what Regimen reads and quiet about what it does not: a member of the
//! wrong type, an unknown code or a broken invariant (tim-1 to tim-10) is an
//! [`Error::InvalidInput`] naming the FHIR path (`repeat.periodUnit`), with the dosage's
//! position in the reason; unknown members and foreign extensions are ignored; a
//! `modifierExtension` (which may change the meaning) is refused. Messages never quote the
//! input.
//!
//! The rules chosen where FHIR leaves room:
//! - **dateTimes** (`event`, `boundsPeriod`) become wall-clock times in the schedule's zone. A
//!   date alone is local midnight, except `boundsPeriod.end`, which is inclusive in FHIR and so
//!   covers the whole day (23:59:59). A dateTime without an offset is read as wall-clock time.
//!   Export writes a date alone for midnight (23:59:59 for an end) and otherwise the dateTime
//!   with the offset the zone has at the instant Regimen plans for it (see `zone.rs`).
//! - **`Timing.code`** is read from a coding in the GTSAbbreviation system, a coding without a
//!   system, or the text, when the code is one of FHIR's (`BID`, `Q4H`, ...). An unknown code
//!   in that system is refused; a code from another system is ignored (the `repeat` says when).
//! - **Dosages** with `asNeeded[x]` become the schedule's [`AsNeeded`] rules, not a phase, so a
//!   medicine taken as needed never nags. Their timing may only say how often ("every 4 to 6
//!   h"), read as the least interval between doses (`period / frequency`, the lower bound);
//!   their `doseQuantity` is the amount one dose counts as. Every other dosage is one [`Phase`],
//!   ordered by `sequence` (a taper); two scheduled dosages with the same sequence (taken
//!   together) are refused, and dosages without one follow in list order. `maxDosePerPeriod`
//!   is read on the as-needed dosage only.
//! - **Regimen's extensions** (cycle, window, after-last-taken) travel as `extension`s on the
//!   Dosage under [`EXTENSION_BASE`], so Regimen -> FHIR -> Regimen is lossless except for what
//!   belongs to the whole schedule (its start, zone, zone policy and gradual shift): import
//!   sets the policy to [`ZonePolicy::Local`]. A Regimen export (`export::fhir`) carries
//!   those in an extension of its own on each `MedicationRequest`.
//! - A wall-clock time in a spring-forward gap is written with the offset before the gap (the
//!   instant Regimen fires it), and such a dateTime reads back as the wall clock written.

pub(crate) mod datatypes;
mod dosage;
mod extensions;
pub(crate) mod json;
mod orders;
mod task;
mod timing;

pub use dosage::{
    dosage_to_phase, schedule_from_dosage, schedule_from_medication_request, schedule_to_dosages,
    stored_schedule_from_dosages,
};
pub use orders::{BundleEntry, FhirDispense, MAX_ORDERS, dispense_from_fhir, orders_from_fhir};
pub use task::{
    RefillTask, TASK_CODES, TaskState, TaskStatus, URN_SYSTEM, outcome_reason, refill_task,
    task_state,
};
pub use timing::{timing_from_fhir, timing_to_fhir};

use crate::schedule::{AsNeeded, Bounds, LocalDateTime, Phase, Quantity, Schedule};

/// UCUM, the code system of units in `Duration` and `Quantity`.
pub const UCUM: &str = "http://unitsofmeasure.org";
/// The code system of `Timing.code` (`BID`, `TID`, ...).
pub const GTS_ABBREVIATION: &str = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation";
/// The code system of RxNorm concept ids.
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// Where Regimen's own extensions live: `cycle`, `window`, `after-last-taken`.
pub const EXTENSION_BASE: &str = "https://regimen.invalid/fhir/StructureDefinition/";

/// Largest FHIR JSON document read: a Bundle of [`MAX_ORDERS`] orders fits several times over.
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

/// Reads FHIR JSON text as it arrives from outside (a portal's export, a pushed file),
/// refusing a document over [`MAX_JSON_BYTES`] before parsing it: an array of millions of
/// small values takes many times its size in memory. Nesting deeper than 128 levels is
/// refused by the parser, so no reader recurses without end. Errors name `json`, never the
/// content.
pub fn parse_json(text: &str) -> crate::error::Result<serde_json::Value> {
    if text.len() > MAX_JSON_BYTES {
        return Err(crate::error::Error::invalid("json", "larger than 4 MiB"));
    }
    serde_json::from_str(text).map_err(|_| crate::error::Error::invalid("json", "not valid JSON"))
}

/// Longest as-needed reason, in characters.
pub(super) const MAX_REASON_CHARS: usize = 200;

/// A medicine and its schedule read from a FHIR `MedicationRequest` or `Dosage`.
#[derive(Clone, Debug, PartialEq)]
pub struct FhirPrescription {
    /// `medicationCodeableConcept.text`, else the first coding's display.
    pub medication_name: Option<String>,
    /// The RxNorm concept id among the medication's codings.
    pub rxnorm: Option<String>,
    /// The schedule: one phase per scheduled dosage, as-needed rules from an as-needed one;
    /// `None` when the order says when only in words ("take as directed"): the medicine is
    /// imported with its codes and instructions, and the patient sets the times.
    pub schedule: Option<Schedule>,
    /// What the order says about dispensing (`dispenseRequest`), for refills.
    pub dispense: Option<DispenseRequest>,
    /// The order's logical id (`id`).
    pub id: Option<String>,
    /// Its first business identifier, `system|value`.
    pub identifier: Option<String>,
    /// Its `subject` reference (`Patient/p1`).
    pub subject: Option<String>,
    /// Each dosage's `patientInstruction` (else its `text`), in the order the steps apply,
    /// joined with "; " (the as-needed dosage's last).
    pub instructions: Option<String>,
}

/// What one FHIR `Dosage` becomes in Regimen.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // a short-lived return value
pub enum ImportedDosage {
    /// A scheduled dosage: one phase of the schedule.
    Phase(Phase),
    /// A dosage taken as needed: the schedule's as-needed rules, and how long the course lasts
    /// (its timing's bounds, if any).
    AsNeeded(AsNeeded, Option<Bounds>),
    /// A dosage that says when only in words (its `text` is kept as instructions).
    Words,
}

/// `MedicationRequest.dispenseRequest`: what a pharmacy may dispense.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DispenseRequest {
    /// `numberOfRepeatsAllowed`.
    pub repeats_allowed: Option<u32>,
    /// `quantity`: how much one dispense gives.
    pub quantity: Option<Quantity>,
    /// `expectedSupplyDuration`, in days.
    pub expected_supply_days: Option<u32>,
    /// `validityPeriod.end`, as wall-clock time in the zone read in (the end of that day for a
    /// date alone).
    pub valid_until: Option<LocalDateTime>,
}

#[cfg(test)]
mod tests;
