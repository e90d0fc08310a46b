//! `Regimen` calls for supply: stock, the supply log, forecasts, "enough until", prescriptions
//! and answers to refill reminders.

use regimen_core::Timestamp;
use regimen_core::supply::{
    Forecast, NewPrescription, NewSupplyEvent, Prescription, RefillAnswer, Stock, SupplyEvent,
    SupplyNeed, SupplySettings,
};

use crate::error::Result;
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// Tracks a medicine's stock in `settings.unit` (or changes its pack size and lead time).
    pub fn set_supply_settings(
        &self,
        medicine_id: i64,
        settings: SupplySettings,
    ) -> Result<SupplySettings> {
        Ok(self
            .store
            .set_supply_settings(medicine_id, &settings, self.now()?)?)
    }

    /// A medicine's supply settings, or `None` when its stock is not tracked.
    pub fn supply_settings(&self, medicine_id: i64) -> Result<Option<SupplySettings>> {
        Ok(self.store.supply_settings(medicine_id)?)
    }

    /// Records stock received, counted or lost.
    pub fn log_supply(&self, event: NewSupplyEvent) -> Result<SupplyEvent> {
        Ok(self.store.log_supply(&event, self.now()?)?)
    }

    /// A medicine's supply log, oldest first.
    pub fn supply_events(&self, medicine_id: i64) -> Result<Vec<SupplyEvent>> {
        Ok(self.store.supply_events(medicine_id)?)
    }

    /// A medicine's stock now.
    pub fn stock(&self, medicine_id: i64) -> Result<Stock> {
        Ok(self.store.stock(medicine_id, self.now()?)?)
    }

    /// When a medicine runs out (looking a year ahead), with the refill reminder's start and
    /// any prescription problem.
    pub fn forecast(&self, medicine_id: i64) -> Result<Forecast> {
        Ok(self.store.forecast(medicine_id, self.now()?)?)
    }

    /// Every tracked medicine's forecast, soonest run-out first: the batch call behind a
    /// supply screen.
    pub fn forecasts(&self) -> Result<Vec<Forecast>> {
        Ok(self.store.forecasts(self.now()?)?)
    }

    /// Whether there is enough of every tracked medicine until `until` ("for my trip").
    pub fn supply_check(&self, until: Timestamp) -> Result<Vec<SupplyNeed>> {
        Ok(self.store.supply_check(until, self.now()?)?)
    }

    /// Records a prescription (repeats, validity, quantity per dispense).
    pub fn add_prescription(&self, prescription: NewPrescription) -> Result<Prescription> {
        Ok(self.store.add_prescription(&prescription, self.now()?)?)
    }

    /// A medicine's prescriptions, newest first.
    pub fn prescriptions(&self, medicine_id: i64) -> Result<Vec<Prescription>> {
        Ok(self.store.prescriptions(medicine_id)?)
    }

    /// The patient's answer to a refill reminder: requested, enough, or later.
    pub fn answer_refill(&self, medicine_id: i64, answer: RefillAnswer) -> Result<()> {
        Ok(self.store.answer_refill(medicine_id, answer, self.now()?)?)
    }
}
