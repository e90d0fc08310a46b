//! `Regimen` calls for the e-pharmacy: choose it, ask for a refill, follow it. Nothing is sent
//! unless the patient asks; `send_refills` makes the requests through the app's `HttpClient`,
//! and apps that run the exchange themselves use `prepare_pharmacy_requests` and
//! `record_pharmacy_response` instead.

use regimen_core::supply::{
    Fulfilment, Pharmacy, PharmacyRequest, PharmacyRequestKind, RefillOrder,
};

use crate::error::Result;
use crate::regimen::Regimen;

#[uniffi::export]
impl Regimen {
    /// Chooses the patient's pharmacy by its FHIR R4 base URL.
    pub fn set_pharmacy(&self, pharmacy: Pharmacy) -> Result<Pharmacy> {
        Ok(self.store.set_pharmacy(&pharmacy, self.now()?)?)
    }

    /// The patient's pharmacy, if chosen.
    pub fn pharmacy(&self) -> Result<Option<Pharmacy>> {
        Ok(self.store.pharmacy()?)
    }

    /// Asks for a refill of a medicine's newest prescription (queued; `send_refills` sends
    /// it). `quantity` is in the medicine's supply unit (default: the prescription's quantity
    /// per dispense); `fulfilment` defaults to the pharmacy's.
    pub fn request_refill(
        &self,
        medicine_id: i64,
        quantity: Option<f64>,
        fulfilment: Option<Fulfilment>,
    ) -> Result<RefillOrder> {
        Ok(self
            .store
            .request_refill(medicine_id, quantity, fulfilment, self.now()?)?)
    }

    /// Refill requests (of one medicine, if given), newest first, with where each stands.
    pub fn refill_orders(&self, medicine_id: Option<i64>) -> Result<Vec<RefillOrder>> {
        Ok(self.store.refill_orders(medicine_id)?)
    }

    /// The pharmacy requests due now, for an app that makes HTTP requests itself.
    pub fn prepare_pharmacy_requests(&self) -> Result<Vec<PharmacyRequest>> {
        Ok(self.store.prepare_pharmacy_requests(self.now()?)?)
    }

    /// Records the answer to a prepared request: its HTTP status (`None` when no answer came)
    /// and body. Returns the order as it now stands.
    pub fn record_pharmacy_response(
        &self,
        order_id: i64,
        kind: PharmacyRequestKind,
        status: Option<u16>,
        body: String,
    ) -> Result<RefillOrder> {
        Ok(self
            .store
            .record_pharmacy_response(order_id, kind, status, &body, self.now()?)?)
    }
}
