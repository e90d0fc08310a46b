//! FHIR R4 JSON for schedules: `Timing` and `Dosage` in and out (being written).
