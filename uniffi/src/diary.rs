//! `Regimen` calls for the symptom and side-effect diary: add an entry, read a period, delete
//! one; and reading a measurement the patient typed.

use regimen_core::Timestamp;
use regimen_core::diary::measure::{Measurement, MeasurementKind};
use regimen_core::diary::{DiaryEntry, NewDiaryEntry};

use crate::error::Result;
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// Adds a diary entry: text, a severity from 1 to 5, a linked medicine and measurements
    /// (at most one of each kind), any of them but at least one; dated now or earlier.
    /// Returns it as stored.
    pub fn add_diary_entry(&self, entry: NewDiaryEntry) -> Result<DiaryEntry> {
        Ok(self.store.add_diary_entry(&entry, self.now()?)?)
    }

    /// The diary entries dated in `[from, to)`, oldest first.
    pub fn diary_entries(&self, from: Timestamp, to: Timestamp) -> Result<Vec<DiaryEntry>> {
        Ok(self.store.diary_entries(from, to)?)
    }

    /// Deletes a diary entry for good (no copy stays in the database's files); a caregiver
    /// who was told of it is told it was removed.
    pub fn delete_diary_entry(&self, id: i64) -> Result<()> {
        Ok(self.store.delete_diary_entry(id, self.now()?)?)
    }
}

/// Reads a measurement as a patient types it, the unit after the number: `120/80`, `72`,
/// `5.4 mmol/L` or `97 mg/dL`, `70 kg` or `154 lb`, `37.2 C` or `99.1 °F`. A missing or
/// unknown unit or an implausible value is `InvalidInput` naming the kind.
#[uniffi::export]
pub fn parse_measurement(kind: MeasurementKind, text: String) -> Result<Measurement> {
    Ok(Measurement::parse(kind, &text)?)
}
