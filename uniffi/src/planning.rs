//! `Regimen` calls that plan: the day view, doses over a period, reminder plans, adherence
//! and the phone's zone. Batch calls: one call returns a whole day, plan or report.

use std::time::Duration;

use regimen_core::Timestamp;
use regimen_core::dose::{AdherenceReport, ScheduledDose};
use regimen_core::reminder::NotificationPlan;
use regimen_core::schedule::LocalDate;
use regimen_core::travel::ZoneChangeReport;

use crate::error::{Result, invalid};
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// Every dose of one local day in the phone's zone, with where each stands now.
    pub fn day(&self, date: LocalDate) -> Result<Vec<ScheduledDose>> {
        Ok(self.store.day(date.0, self.now()?)?)
    }

    /// Every dose due in `[from, to)`, with where each stands now.
    pub fn doses(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ScheduledDose>> {
        if to <= from {
            return Err(invalid("to", "must be after from"));
        }
        Ok(self.store.doses(from, to, self.now()?)?)
    }

    /// The notifications to have pending for the next `horizon` (at most 31 days), at most
    /// `budget` of them. Diff the stable ids against what is pending; plan again after every
    /// log and at `refresh_at`.
    pub fn plan_notifications(&self, horizon: Duration, budget: u32) -> Result<NotificationPlan> {
        Ok(self
            .store
            .plan_notifications(self.now()?, horizon, budget)?)
    }

    /// Adherence over `[from, to)`.
    pub fn adherence(&self, from: Timestamp, to: Timestamp) -> Result<AdherenceReport> {
        Ok(self.store.adherence(from, to, self.now()?)?)
    }

    /// Records the phone's IANA zone; call at every start and when the OS reports a change.
    /// Says which doses in the next `lookahead` (at most 14 days) move and which keep their
    /// instant.
    pub fn change_device_zone(
        &self,
        zone: String,
        lookahead: Duration,
    ) -> Result<ZoneChangeReport> {
        Ok(self
            .store
            .change_device_zone(&zone, self.now()?, lookahead)?)
    }
}
