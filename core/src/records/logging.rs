//! The calls that write with derived state: logging a dose (its as-needed check reads the
//! planning snapshot) and queuing caregiver messages.

use super::Records;
use crate::dose::{self, LoggedDose, NewDoseEvent};
use crate::error::Result;
use crate::share::compose::{self, SyncReport};
use crate::share::message::SharedPhenotype;
use crate::time::Timestamp;
use crate::warning::Warning;

impl Records {
    /// Appends a dose event for an active medicine and returns it as stored, with a warning
    /// if it broke the medicine's as-needed rules.
    pub fn log_dose(&self, event: &NewDoseEvent, now: Timestamp) -> Result<LoggedDose> {
        self.write(|tx, sealer| {
            dose::log_one(tx, sealer, || self.snapshot(tx, sealer, false), event, now)
        })
    }

    /// Queues, for every active share this patient gives, the messages for what happened
    /// since the last call (see `share::compose`). `warnings` are the patient's current
    /// warnings and `phenotypes` the current PGx phenotypes; each is sent only if in scope.
    pub fn sync_shares(
        &self,
        now: Timestamp,
        warnings: &[Warning],
        phenotypes: &[SharedPhenotype],
    ) -> Result<SyncReport> {
        self.write(|tx, sealer| {
            compose::queue_updates(
                tx,
                sealer,
                || self.snapshot(tx, sealer, false),
                |snapshot| self.supply_facts(tx, sealer, snapshot, now),
                now,
                warnings,
                phenotypes,
            )
        })
    }
}
