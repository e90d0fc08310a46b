#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod backup;
mod compiled_tables;
pub mod diary;
pub mod dose;
pub mod error;
pub mod export;
pub mod interop;
pub mod knowledge;
pub mod medicine;
mod order;
pub mod pgx;
mod records;
mod redact;
pub mod reminder;
pub mod retry;
pub mod schedule;
pub mod settings;
pub mod share;
mod snapshot;
pub mod store;
pub mod supply;
pub mod time;
pub mod travel;
pub mod tz;
mod validate;
pub mod warning;

pub use error::{Error, RegimenError, Result};
pub use records::{ImportedOrder, OrdersImport, Records, RefusedOrder, ReportExtras};
pub use store::{KeyProvider, OpenOptions, Store};
pub use time::Timestamp;
pub use tz::Zone;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("regimen_core");
