//! Supply: what a patient has on hand of each medicine, when it runs out, and when to refill.
//!
//! Stock is counted per medicine in the unit it is taken in (tablets, mL, puffs, patches),
//! from an append-only log: received (a pack, a dispense, a delivery), counted (the patient's
//! count replaces the estimate from then on), lost or discarded. Every dose taken since draws
//! its amount: as logged, else as its schedule says, else (for a stock counted in things) one;
//! a dose whose amount cannot be put in the stock's unit is counted as unknown and said so.
//! Corrections of the dose log correct the stock (the newest answer to a dose counts).
//!
//! The run-out forecast walks the schedule itself (phases, tapers, cycles, spacing, the zone
//! policy: [`crate::dose::day`]) from now until the stock no longer covers the next dose; for a
//! medicine taken only as needed it extrapolates recent use and says it is an estimate.

mod forecast;
mod ledger;
pub mod pharmacy;
pub mod prescription;
mod refill;
mod stock;
mod storage;
pub(crate) mod units;

pub use forecast::{Forecast, ForecastBasis, SupplyNeed};
pub(crate) use forecast::{forecast, need_until};
pub(crate) use ledger::{Ledger, StockKey, TakenDose};
pub use pharmacy::{
    Fulfilment, HttpHeader, Pharmacy, PharmacyRequest, PharmacyRequestKind, RefillOrder,
    RefillState,
};
pub use prescription::{FhirPrescriptionRef, NewPrescription, Prescription, PrescriptionWarning};
pub use refill::{RefillAnswer, RefillDue, RefillsDue};
pub(crate) use refill::{answers as refill_answers, refills_due};
pub use stock::Stock;
pub(crate) use stock::stock;
pub(crate) use storage::{
    all_settings as storage_settings, append as storage_append,
    append_as_stored as storage_append_as_stored, events as storage_events,
    put_settings as storage_put_settings, settings_of as storage_settings_of,
};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::schedule::MAX_AMOUNT;
use crate::time::Timestamp;
use crate::validate::{optional_text, required_text};

/// Longest unit name ("tablet", "mL", "puff"), in characters.
pub const MAX_UNIT_CHARS: usize = 30;
/// Longest note on a supply event, in characters.
pub const MAX_SUPPLY_NOTE_CHARS: usize = 500;
/// Most days ahead a refill reminder may come.
pub const MAX_LEAD_DAYS: u32 = 60;
/// How far ahead a forecast looks, in days.
pub const FORECAST_DAYS: u32 = 366;
/// The refill lead time when the patient has not chosen one.
pub const DEFAULT_LEAD_DAYS: u32 = 7;

/// How a medicine's stock is counted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SupplySettings {
    /// The unit stock is counted in, as doses are taken: "tablet", "mL", "puff", "patch".
    pub unit: String,
    /// How many units one pack holds, if known (what "received a pack" adds).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub pack_size: Option<f64>,
    /// How many days before running out to remind (the pharmacy's delivery time when it is
    /// longer).
    #[cfg_attr(feature = "uniffi", uniffi(default = 7))]
    pub lead_days: u32,
}

impl SupplySettings {
    /// The settings, trimmed and checked.
    pub(crate) fn validated(&self) -> Result<SupplySettings> {
        let unit = required_text("unit", &self.unit, MAX_UNIT_CHARS, false)?;
        if let Some(size) = self.pack_size
            && !(size.is_finite() && size > 0.0 && size <= MAX_AMOUNT)
        {
            return Err(Error::invalid(
                "pack_size",
                "must be more than zero and at most 1000000",
            ));
        }
        if self.lead_days > MAX_LEAD_DAYS {
            return Err(Error::invalid("lead_days", "must be at most 60 days"));
        }
        Ok(SupplySettings {
            unit,
            ..self.clone()
        })
    }
}

/// What happened to the stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum SupplyKind {
    /// More came in.
    Received,
    /// The patient counted what is left: the stock is this from then on.
    Counted,
    /// Some was lost, spoiled or thrown away.
    Lost,
}

impl SupplyKind {
    fn as_sql(self) -> &'static str {
        match self {
            SupplyKind::Received => "received",
            SupplyKind::Counted => "counted",
            SupplyKind::Lost => "lost",
        }
    }

    fn from_sql(text: &str) -> Result<Self> {
        Ok(match text {
            "received" => SupplyKind::Received,
            "counted" => SupplyKind::Counted,
            "lost" => SupplyKind::Lost,
            _ => return Err(Error::Damaged("a supply event has an unknown kind".into())),
        })
    }
}

/// Where received stock came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum SupplySource {
    /// A pack the patient got.
    Pack,
    /// A pharmacy's dispense (FHIR `MedicationDispense`).
    Dispense,
    /// A delivery.
    Delivery,
    /// Anything else.
    Other,
}

/// A change to the stock, as the patient (or a dispense) reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewSupplyEvent {
    /// The medicine.
    pub medicine_id: i64,
    /// What happened.
    pub kind: SupplyKind,
    /// How much, in the medicine's supply unit: added, counted or lost.
    pub amount: f64,
    /// When.
    pub at: Timestamp,
    /// Where it came from (received only).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub source: Option<SupplySource>,
    /// A note.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub note: Option<String>,
}

/// A stored change to the stock.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SupplyEvent {
    /// Its id.
    pub id: i64,
    /// The medicine.
    pub medicine_id: i64,
    /// What happened.
    pub kind: SupplyKind,
    /// How much, in the medicine's supply unit.
    pub amount: f64,
    /// When it happened.
    pub at: Timestamp,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// Where it came from.
    pub source: Option<SupplySource>,
    /// The note.
    pub note: Option<String>,
    /// The FHIR `MedicationDispense` it came from, if any.
    pub dispense: Option<String>,
}

crate::redact::redacted_display!(SupplyEvent, id, medicine_id, kind, at);

/// The sealed part of a supply event.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct SealedSupply {
    amount: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<SupplySource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl NewSupplyEvent {
    /// The event, checked: an amount of zero only for a count; a source only when received;
    /// not dated ahead of `now` by more than the dose log allows.
    pub(crate) fn validated(&self, now: Timestamp) -> Result<NewSupplyEvent> {
        let positive = self.kind != SupplyKind::Counted;
        let amount_ok = self.amount.is_finite()
            && self.amount <= MAX_AMOUNT
            && (self.amount > 0.0 || (!positive && self.amount == 0.0));
        if !amount_ok {
            return Err(Error::invalid(
                "amount",
                if positive {
                    "must be more than zero and at most 1000000"
                } else {
                    "must be zero or more and at most 1000000"
                },
            ));
        }
        if self.source.is_some() && self.kind != SupplyKind::Received {
            return Err(Error::invalid("source", "only received stock has a source"));
        }
        if self.at > now.plus(crate::dose::FUTURE_TOLERANCE) {
            return Err(Error::invalid("at", "must not be in the future"));
        }
        Ok(NewSupplyEvent {
            note: optional_text("note", self.note.as_deref(), MAX_SUPPLY_NOTE_CHARS, true)?,
            ..self.clone()
        })
    }
}
