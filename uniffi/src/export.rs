//! `Regimen` calls that write the patient's data out for other programs: the dose log and
//! adherence per day as CSV.

use regimen_core::Timestamp;

use crate::error::Result;
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// The dose events that happened in `[from, to)` as CSV (RFC 4180: a header, CRLF lines,
    /// quoted where needed), oldest first, with medicine names, amounts, notes, and times in
    /// the patient's zone at each instant with its offset.
    pub fn export_dose_log_csv(&self, from: Timestamp, to: Timestamp) -> Result<String> {
        Ok(self.store.export_dose_log_csv(from, to)?)
    }

    /// Adherence per local day and medicine for the doses due in `[from, to)` as CSV: due,
    /// taken on time, taken late, skipped, missed, still open.
    pub fn export_adherence_csv(&self, from: Timestamp, to: Timestamp) -> Result<String> {
        Ok(self.store.export_adherence_csv(from, to, self.now()?)?)
    }
}
