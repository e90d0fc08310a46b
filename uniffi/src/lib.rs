#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod error;
mod keystore;
mod regimen;
mod schedules;

pub use error::{RegimenError, Result};
pub use keystore::{KeyStore, KeyStoreError};
pub use regimen::{Regimen, RegimenConfig};
/// The domain records and enums the API takes and returns, defined in `regimen-core`.
pub use regimen_core::{
    Timestamp,
    dose::{DoseAction, DoseEvent, LoggedDose, NewDoseEvent},
    medicine::{DoseForm, Medicine, MedicineInfo, Route},
};
pub use schedules::parse_fhir_timing;

uniffi::setup_scaffolding!("regimen");
