//! The one public error of the API, defined in core (see `regimen_core::RegimenError` for
//! why), and helpers for errors raised in this crate.

pub use regimen_core::RegimenError;

/// Shorthand for results of the public API.
pub type Result<T, E = RegimenError> = std::result::Result<T, E>;

/// An `InvalidInput` for an argument checked in this crate.
pub(crate) fn invalid(field: &str, reason: &str) -> RegimenError {
    RegimenError::InvalidInput {
        field: field.into(),
        reason: reason.into(),
    }
}
