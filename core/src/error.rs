//! Core's error type. Messages never contain health data: no medicine name, dose, note or
//! genotype, and no text of a caller's input. They name the field and the rule that failed.
//! The FFI crate maps this enum to its public error in one place.

/// Result with core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A caller's input broke a rule. `field` names the input, `reason` the rule.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The input's name, as the API spells it (`name`, `atc`, `medicine_id` ...).
        field: &'static str,
        /// Which rule was broken, in words safe to show and log.
        reason: String,
    },
    /// No record of that kind has that id.
    #[error("no {what} with id {id}")]
    NotFound {
        /// The kind of record (`medicine`, `dose event`).
        what: &'static str,
        /// The id that was asked for.
        id: i64,
    },
    /// The request is valid but clashes with what is stored (for example a stale revision).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The data key is missing, malformed, or does not open this database.
    #[error("locked: {0}")]
    Locked(String),
    /// A sealed value failed to open: tampered, moved to another row, or damaged.
    #[error("a sealed value could not be opened ({0})")]
    Crypto(String),
    /// The file cannot be used as a Regimen database here (another app's database, a folder
    /// that does not exist, a file that cannot be created or opened).
    #[error("unusable database: {0}")]
    Unusable(String),
    /// The database is damaged: not SQLite any more, truncated, or holding values Regimen
    /// never writes. Restoring a backup is the way out.
    #[error("damaged database: {0}")]
    Damaged(String),
    /// The database was written by a newer version of Regimen.
    #[error(
        "the database has schema version {found}, newer than the {supported} this version of \
         Regimen understands; update the app"
    )]
    SchemaTooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this code knows.
        supported: i64,
    },
    /// A knowledge-base bundle was refused (unsigned, tampered, older, or not loading).
    #[error("knowledge base: {0}")]
    KnowledgeBase(String),
    /// A backup file was refused: `problem` says why, `reason` in words.
    #[error("backup refused: {reason}")]
    Backup {
        /// What kind of refusal.
        problem: BackupProblem,
        /// What exactly, in words safe to show and log.
        reason: String,
    },
    /// SQLite failed. Its messages name tables and constraints, never values.
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Why a backup file could not be restored. Nothing was written in any of these cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum BackupProblem {
    /// The file is not a Regimen backup (another file was picked).
    NotABackup,
    /// The passphrase does not open this backup: ask for it again.
    WrongPassphrase,
    /// The file is shorter than it says: the copy was cut off. Copy it again.
    Truncated,
    /// The file was changed after it was written, or damaged in a copy.
    Tampered,
    /// A newer version of Regimen wrote it (a newer backup format or database schema):
    /// update the app, then restore.
    TooNew,
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

/// The one public error of the API: every call into Regimen fails with one of these. Each
/// variant says what the app can do. It is defined here rather than in the FFI crate because
/// uniffi lifts the custom types (instants, dates, times) in the crate that defines them: a bad
/// value from Kotlin or Swift can then be a typed `InvalidInput` instead of an internal error.
/// Core's errors map to it in one place, below. Messages name fields, rules and record kinds;
/// never a medicine, dose, note or genotype.
#[derive(Debug, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error))]
pub enum RegimenError {
    /// An argument broke a rule: show `reason` next to the input named by `field`.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument or record field, as the API spells it (`name`, `atc`, `medicine_id`;
        /// `timestamp`, `date`, `time` or `date_time` for a value of those types).
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
    /// The database was written by a newer version of the app: ask the patient to update it.
    /// The file is left as it was.
    #[error(
        "the database was written by a newer version (schema {found}, this version reads up to {supported}); update the app"
    )]
    DatabaseTooNew {
        /// The schema version found in the file.
        found: i64,
        /// The newest version this library reads.
        supported: i64,
    },
    /// The database is damaged (truncated, not SQLite, or holding values Regimen never
    /// writes): offer to restore a backup. The file is left as it was.
    #[error("damaged database: {reason}")]
    Damaged {
        /// What is wrong.
        reason: String,
    },
    /// Another process held the database longer than the busy timeout: retry shortly.
    /// Nothing was changed.
    #[error("busy: {reason}")]
    Busy {
        /// What was waited for.
        reason: String,
    },
    /// The database cannot be used here, or the disk failed: another app's file, a folder
    /// that does not exist, a full disk. The file is left as it was.
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
    /// A server could not be reached, was too slow, or answered with an error. Nothing was
    /// changed; try again later.
    #[error("network: {reason}")]
    Network {
        /// What failed (never the response body).
        reason: String,
    },
    /// A backup file was refused (`problem` says why, for the app to choose what to show);
    /// nothing was written.
    #[error("backup refused: {reason}")]
    Backup {
        /// What kind of refusal.
        problem: BackupProblem,
        /// What exactly, in words.
        reason: String,
    },
}

impl From<Error> for RegimenError {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidInput { field, reason } => RegimenError::InvalidInput {
                field: field.to_owned(),
                reason,
            },
            Error::NotFound { what, id } => RegimenError::NotFound {
                what: what.to_owned(),
                id,
            },
            Error::Conflict(reason) => RegimenError::Conflict { reason },
            Error::Locked(reason) => RegimenError::Locked { reason },
            Error::Crypto(reason) => RegimenError::Crypto { reason },
            Error::KnowledgeBase(reason) => RegimenError::KnowledgeBase { reason },
            Error::SchemaTooNew { found, supported } => {
                RegimenError::DatabaseTooNew { found, supported }
            }
            Error::Damaged(reason) => RegimenError::Damaged { reason },
            Error::Unusable(reason) => RegimenError::Storage { reason },
            Error::Backup { problem, reason } => RegimenError::Backup { problem, reason },
            // SQLite's own message, which names tables and constraints, never values.
            Error::Sqlite(error) => match error.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    RegimenError::Busy {
                        reason: "another process is using the database".into(),
                    }
                }
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                    RegimenError::Damaged {
                        reason: "the database file is damaged".into(),
                    }
                }
                Some(rusqlite::ErrorCode::DiskFull) => RegimenError::Storage {
                    reason: "the disk is full".into(),
                },
                _ => RegimenError::Storage {
                    reason: error.to_string(),
                },
            },
        }
    }
}

/// A bad value of one of the custom types, as uniffi's lift reports it: `InvalidInput`
/// naming the type.
#[cfg(feature = "uniffi")]
pub(crate) fn lift_error(error: Error) -> RegimenError {
    RegimenError::from(error)
}
