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
    /// The file is not a usable Regimen database (not SQLite, another app's, or damaged).
    #[error("unusable database: {0}")]
    Unusable(String),
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
    /// SQLite failed. Its messages name tables and constraints, never values.
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
