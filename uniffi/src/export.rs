//! `Regimen` calls that write the patient's data out for other programs: the dose log and
//! adherence per day as CSV, the schedules as an iCalendar file.

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

    /// The doses Regimen plans in `[from, to)` as an iCalendar file (RFC 5545, CRLF lines
    /// folded at 75 octets) for a calendar app: one series per schedule phase, with a
    /// recurrence rule and a `VTIMEZONE` where a rule follows the phase, its exact instants in
    /// UTC where none does (meal and sleep times, doses spread over the day, intervals from the
    /// last dose taken, travel). Medicines taken only as needed have no events. Summaries say
    /// "Time for your medicine" unless `names` is set; then they name the medicine, its
    /// strength and the dose. At most ten years.
    pub fn export_calendar_ics(
        &self,
        from: Timestamp,
        to: Timestamp,
        names: bool,
    ) -> Result<String> {
        Ok(self.store.export_ics(from, to, names, self.now()?)?)
    }
}
