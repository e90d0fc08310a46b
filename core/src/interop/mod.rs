//! Standard formats in and out, kept apart from the domain they describe: FHIR R4 for
//! schedules (`Timing`, `Dosage`, `MedicationRequest`). Readers are strict about what they
//! read and name the path of what they refuse; writers emit only what a reader here accepts.

pub mod fhir;
