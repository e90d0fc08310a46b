//! The one public error of the API, and the one place core's errors map to it.
//! Messages name fields, rules and record kinds; never a medicine, dose, note or genotype.

use regimen_core::Error as CoreError;

/// Everything a call into Regimen can fail with. Each variant says what the app can do.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum RegimenError {
    /// An argument broke a rule: show `reason` next to the input named by `field`.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument or record field, as the API spells it (`name`, `atc`, `medicine_id`).
        field: String,
        /// The rule it broke.
        reason: String,
    },
    /// No record of kind `what` has id `id`: refresh the view.
    #[error("no {what} with id {id}")]
    NotFound {
        /// The kind of record (`medicine`, `dose event`).
        what: String,
        /// The id asked for.
        id: i64,
    },
    /// The call clashes with what is stored now (for example an edit of a stale revision):
    /// read again and retry.
    #[error("conflict: {reason}")]
    Conflict {
        /// What clashed.
        reason: String,
    },
    /// The data key is missing, unavailable (device locked) or does not open this database.
    /// Nothing was changed; retry once the key store is available.
    #[error("locked: {reason}")]
    Locked {
        /// Why the database could not be unlocked.
        reason: String,
    },
    /// The database file is unusable or the disk failed: not a Regimen database, written by a
    /// newer version, damaged, full or busy. The file is left as it was.
    #[error("storage: {reason}")]
    Storage {
        /// What went wrong.
        reason: String,
    },
    /// A sealed value could not be opened: the data was tampered with or damaged.
    #[error("crypto: {reason}")]
    Crypto {
        /// Which value.
        reason: String,
    },
    /// A knowledge-base update was refused (not signed by a trusted key, changed, truncated,
    /// or not newer than the base in use); the base in use stays.
    #[error("knowledge base: {reason}")]
    KnowledgeBase {
        /// Why it was refused.
        reason: String,
    },
    /// The update server could not be reached, was too slow, or answered with an error.
    /// Nothing was changed; try again later.
    #[error("network: {reason}")]
    Network {
        /// What failed (never the response body).
        reason: String,
    },
}

/// Shorthand for results of the public API.
pub type Result<T, E = RegimenError> = std::result::Result<T, E>;

impl From<CoreError> for RegimenError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::InvalidInput { field, reason } => RegimenError::InvalidInput {
                field: field.to_owned(),
                reason,
            },
            CoreError::NotFound { what, id } => RegimenError::NotFound {
                what: what.to_owned(),
                id,
            },
            CoreError::Conflict(reason) => RegimenError::Conflict { reason },
            CoreError::Locked(reason) => RegimenError::Locked { reason },
            CoreError::Crypto(reason) => RegimenError::Crypto { reason },
            CoreError::KnowledgeBase(reason) => RegimenError::KnowledgeBase { reason },
            // SQLite's own message: core's display would add a second "storage:".
            CoreError::Sqlite(error) => RegimenError::Storage {
                reason: error.to_string(),
            },
            error @ (CoreError::Unusable(_) | CoreError::SchemaTooNew { .. }) => {
                RegimenError::Storage {
                    reason: error.to_string(),
                }
            }
        }
    }
}

/// An `InvalidInput` for an argument checked in this crate.
pub(crate) fn invalid(field: &str, reason: &str) -> RegimenError {
    RegimenError::InvalidInput {
        field: field.into(),
        reason: reason.into(),
    }
}
