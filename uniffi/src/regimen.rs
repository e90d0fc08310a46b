//! The `Regimen` object: one open database and everything reached through it.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use regimen_core::dose::{DoseEvent, LoggedDose, NewDoseEvent};
use regimen_core::medicine::{Medicine, MedicineInfo};
use regimen_core::{OpenOptions, Records, Timestamp};

use crate::error::{Result, invalid};
use crate::keystore::{AliasedKey, KeyStore};
use regimen_core::knowledge::KnowledgeInUse;

/// How to open a database. Every field has a default.
#[derive(Clone, Debug, uniffi::Record)]
pub struct RegimenConfig {
    /// Name under which the app's `KeyStore` keeps this database's key. Apps with several
    /// databases (a caregiver following two patients) give each its own alias.
    #[uniffi(default = "regimen.database")]
    pub key_alias: String,
    /// Create the database if none exists. A notification extension, which must only read
    /// and log into the app's database, passes `false`.
    #[uniffi(default = true)]
    pub create_if_missing: bool,
    /// How long a call waits for another process holding the database (milliseconds).
    #[uniffi(default = 5000)]
    pub busy_timeout_ms: u32,
    /// Ed25519 public keys (64 hex digits each) whose knowledge-base bundles the app trusts.
    /// Empty: only the base built into the library is used.
    #[uniffi(default = [])]
    pub knowledge_keys: Vec<String>,
    /// How push services may reach the app's maker (`mailto:` or `https:`), sent as the VAPID
    /// subject with caregiver messages. Optional in the standard; Apple's push service wants
    /// one.
    #[uniffi(default = None)]
    pub push_contact: Option<String>,
}

impl Default for RegimenConfig {
    fn default() -> Self {
        RegimenConfig {
            key_alias: "regimen.database".into(),
            create_if_missing: true,
            busy_timeout_ms: 5000,
            knowledge_keys: Vec::new(),
            push_contact: None,
        }
    }
}

/// A patient's Regimen: one encrypted database on the phone and every operation on it.
///
/// Open one per database and keep it for the life of the app; it is safe to share between
/// threads and every call is quick. In Kotlin it is `AutoCloseable`: use `use { }` or call
/// `close()` to release the database when done; in Swift it closes when released.
#[derive(uniffi::Object)]
pub struct Regimen {
    pub(crate) store: Records,
    /// A pinned "now" for reproducible runs (tests, the CLI's `--now`); the system clock
    /// otherwise.
    pinned_now: Mutex<Option<Timestamp>>,
    /// The knowledge base in use, loaded on first use.
    pub(crate) knowledge: KnowledgeInUse,
    /// The VAPID subject for caregiver messages, if the app gave one.
    pub(crate) push_contact: Option<String>,
    /// The app's key store and this database's alias in it, for `delete_everything`
    /// (`None` for a database in memory).
    pub(crate) key_store: Option<Arc<dyn KeyStore>>,
    /// The alias of this database's key.
    pub(crate) key_alias: String,
}

#[uniffi::export]
impl Regimen {
    /// Opens the database at `path`, creating it and its key if allowed and missing.
    ///
    /// Fails with `Locked` when the key store has no key or the wrong one, and `Storage` when
    /// the file is not a Regimen database or was written by a newer version; in every failure
    /// the file is left exactly as it was.
    #[uniffi::constructor]
    pub fn open(
        path: String,
        config: RegimenConfig,
        key_store: Arc<dyn KeyStore>,
    ) -> Result<Arc<Self>> {
        if path.trim().is_empty() {
            return Err(invalid("path", "must not be empty"));
        }
        let (options, alias, push_contact) = checked_config(&config)?;
        let keys = AliasedKey {
            store: key_store.as_ref(),
            alias: &alias,
        };
        let store = Records::open(Path::new(&path), &options, &keys)?;
        Ok(Arc::new(Regimen::with(
            store,
            config,
            push_contact,
            Some(key_store),
        )))
    }

    /// A new, empty database in memory with its own key, gone when the object is closed: for
    /// tests and for trying the app out without touching the phone's storage.
    #[uniffi::constructor]
    pub fn open_in_memory(config: RegimenConfig) -> Result<Arc<Self>> {
        let push_contact = checked_contact(&config)?;
        let options = OpenOptions {
            create_if_missing: true,
            busy_timeout: Duration::from_millis(config.busy_timeout_ms.into()),
        };
        let store = Records::open_in_memory(&options)?;
        Ok(Arc::new(Regimen::with(store, config, push_contact, None)))
    }

    /// Pins "now" for every later call (`None` goes back to the system clock): for tests
    /// and demos that must give the same answer at a given instant. Apps leave it unset. An
    /// instant outside 1900–2199 is `InvalidInput` (it returns a result only for that).
    pub fn set_now(&self, now: Option<Timestamp>) -> Result<()> {
        *self
            .pinned_now
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = now;
        Ok(())
    }

    /// Adds a medicine and returns it as stored (names trimmed, codes normalised).
    pub fn add_medicine(&self, info: MedicineInfo) -> Result<Medicine> {
        Ok(self.store.add_medicine(&info, self.now()?)?)
    }

    /// Replaces a medicine's info. Pass the `revision` you read as `expected_revision` to get
    /// `Conflict` instead of overwriting someone else's edit.
    pub fn edit_medicine(
        &self,
        id: i64,
        info: MedicineInfo,
        expected_revision: Option<u32>,
    ) -> Result<Medicine> {
        Ok(self
            .store
            .edit_medicine(id, &info, expected_revision, self.now()?)?)
    }

    /// Archives a medicine: it leaves the active list and takes no new doses; its history
    /// stays. Archiving twice changes nothing.
    pub fn archive_medicine(&self, id: i64) -> Result<Medicine> {
        Ok(self.store.archive_medicine(id, self.now()?)?)
    }

    /// Returns an archived medicine to the active list.
    pub fn restore_medicine(&self, id: i64) -> Result<Medicine> {
        Ok(self.store.restore_medicine(id, self.now()?)?)
    }

    /// One medicine, active or archived.
    pub fn medicine(&self, id: i64) -> Result<Medicine> {
        Ok(self.store.medicine(id)?)
    }

    /// Every active medicine (and archived ones if asked), sorted by name.
    pub fn medicines(&self, include_archived: bool) -> Result<Vec<Medicine>> {
        Ok(self.store.medicines(include_archived)?)
    }

    /// Appends a dose event (taken, skipped or snoozed) for an active medicine. The result
    /// carries a warning when an as-needed dose came too soon or over the maximum (the dose
    /// is logged all the same: the log records what happened).
    pub fn log_dose(&self, event: NewDoseEvent) -> Result<LoggedDose> {
        Ok(self.store.log_dose(&event, self.now()?)?)
    }

    /// Appends many dose events in one call (back-filling, imports): all are written or none,
    /// and an `InvalidInput` reason starts with `events[i]` to say which one failed.
    pub fn log_doses(&self, events: Vec<NewDoseEvent>) -> Result<Vec<DoseEvent>> {
        Ok(self.store.log_doses(&events, self.now()?)?)
    }

    /// Dose events that happened in `[from, to)`, of one medicine or all, oldest first.
    pub fn dose_events(
        &self,
        from: Timestamp,
        to: Timestamp,
        medicine_id: Option<i64>,
    ) -> Result<Vec<DoseEvent>> {
        Ok(self.store.dose_events(from, to, medicine_id)?)
    }
}

impl Regimen {
    /// Opens like [`Regimen::open`] with "now" pinned at `now` (see [`Regimen::set_now`]).
    pub fn open_at(
        path: String,
        config: RegimenConfig,
        key_store: Arc<dyn KeyStore>,
        now: Timestamp,
    ) -> Result<Arc<Self>> {
        let opened = Regimen::open(path, config, key_store)?;
        opened.set_now(Some(now))?;
        Ok(opened)
    }

    /// The object over opened records.
    pub(crate) fn with(
        store: Records,
        config: RegimenConfig,
        push_contact: Option<String>,
        key_store: Option<Arc<dyn KeyStore>>,
    ) -> Regimen {
        Regimen {
            store,
            pinned_now: Mutex::new(None),
            knowledge: KnowledgeInUse::new(config.knowledge_keys),
            push_contact,
            key_store,
            key_alias: config.key_alias.trim().to_owned(),
        }
    }

    /// The current instant: the pinned one, or the system clock. The FFI layer is the only
    /// place that reads the clock.
    pub(crate) fn now(&self) -> Result<Timestamp> {
        match *self
            .pinned_now
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            Some(now) => Ok(now),
            None => Ok(Timestamp::from_system_time(SystemTime::now())?),
        }
    }
}

/// The open options, key alias and VAPID contact of `config`, checked.
pub(crate) fn checked_config(
    config: &RegimenConfig,
) -> Result<(OpenOptions, String, Option<String>)> {
    let alias = config.key_alias.trim();
    if alias.is_empty() || alias.chars().count() > 200 {
        return Err(invalid("key_alias", "must be 1 to 200 characters"));
    }
    let options = OpenOptions {
        create_if_missing: config.create_if_missing,
        busy_timeout: Duration::from_millis(config.busy_timeout_ms.into()),
    };
    Ok((options, alias.to_owned(), checked_contact(config)?))
}

/// The VAPID contact of `config`, checked.
fn checked_contact(config: &RegimenConfig) -> Result<Option<String>> {
    config
        .push_contact
        .as_deref()
        .map(str::trim)
        .filter(|contact| !contact.is_empty())
        .map(|contact| {
            regimen_core::share::vapid::check_subject(contact)
                .map(|()| contact.to_owned())
                .map_err(|_| invalid("push_contact", "must be a mailto: or https: URI"))
        })
        .transpose()
}
