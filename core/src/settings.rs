//! The patient's settings: their day (anchors for `when` codes), when a dose counts as late
//! or missed, and how reminders behave. Stored sealed in one row; defaults until changed.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::schedule::Anchors;
use crate::store::Store;
use crate::store::seal::Slot;

const SLOT: Slot = Slot {
    table: "settings",
    column: "details",
    row: 1,
};

/// How much a reminder shows on the lock screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum PrivacyLevel {
    /// "You have a reminder": nothing about medicines or times.
    Hidden,
    /// "Time for your 8:00 medicines": the time, no names (the default).
    #[default]
    Generic,
    /// Medicine names and doses.
    Full,
}

/// When an unanswered dose turns late, then missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DoseThresholds {
    /// Minutes after the due time when a dose becomes late (and a dose taken later counts as
    /// taken late).
    pub late_after_minutes: u32,
    /// Minutes after the due time when an unanswered dose is missed.
    pub missed_after_minutes: u32,
}

impl Default for DoseThresholds {
    fn default() -> Self {
        DoseThresholds {
            late_after_minutes: 30,
            missed_after_minutes: 120,
        }
    }
}

/// How reminders behave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReminderSettings {
    /// What the lock screen shows.
    pub privacy: PrivacyLevel,
    /// Minutes between follow-ups of an unanswered reminder.
    pub follow_up_every_minutes: u32,
    /// How many follow-ups at most (0 for none).
    pub follow_up_count: u32,
    /// A heads-up this many minutes before a dose, if set.
    pub heads_up_minutes: Option<u32>,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            privacy: PrivacyLevel::Generic,
            follow_up_every_minutes: 10,
            follow_up_count: 4,
            heads_up_minutes: None,
        }
    }
}

/// Everything the patient can set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Settings {
    /// Wake, meal and sleep times.
    pub anchors: Anchors,
    /// Late and missed thresholds.
    pub thresholds: DoseThresholds,
    /// Reminder behaviour.
    pub reminders: ReminderSettings,
}

impl Settings {
    /// Checks every value, naming the field at fault.
    pub fn validate(&self) -> Result<()> {
        self.anchors.validate()?;
        let t = self.thresholds;
        if t.late_after_minutes == 0 || t.late_after_minutes > 24 * 60 {
            return Err(Error::invalid(
                "thresholds.late_after_minutes",
                "must be 1 to 1440",
            ));
        }
        if t.missed_after_minutes <= t.late_after_minutes || t.missed_after_minutes > 48 * 60 {
            return Err(Error::invalid(
                "thresholds.missed_after_minutes",
                "must be after late_after_minutes and at most 2880",
            ));
        }
        let r = self.reminders;
        if r.follow_up_count > 10 {
            return Err(Error::invalid(
                "reminders.follow_up_count",
                "must be at most 10",
            ));
        }
        if !(1..=240).contains(&r.follow_up_every_minutes) {
            return Err(Error::invalid(
                "reminders.follow_up_every_minutes",
                "must be 1 to 240",
            ));
        }
        if r.heads_up_minutes.is_some_and(|m| !(1..=240).contains(&m)) {
            return Err(Error::invalid(
                "reminders.heads_up_minutes",
                "must be 1 to 240",
            ));
        }
        Ok(())
    }
}

/// The settings as stored, or the defaults.
pub(crate) fn read(
    conn: &rusqlite::Connection,
    sealer: &crate::store::seal::Sealer,
) -> Result<Settings> {
    let sealed: Option<Vec<u8>> = conn
        .query_row("SELECT details FROM settings WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    match sealed {
        Some(sealed) => sealer.open_json(SLOT, &sealed),
        None => Ok(Settings::default()),
    }
}

impl Store {
    /// The patient's settings (defaults until changed).
    pub fn settings(&self) -> Result<Settings> {
        self.read(read)
    }

    /// Replaces the patient's settings.
    pub fn update_settings(&self, settings: &Settings) -> Result<Settings> {
        settings.validate()?;
        self.write(|tx, sealer| {
            write(tx, sealer, settings)?;
            Ok(*settings)
        })
    }
}

/// Stores checked settings inside `tx`, replacing what was there.
pub(crate) fn write(
    tx: &rusqlite::Connection,
    sealer: &crate::store::seal::Sealer,
    settings: &Settings,
) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (id, details) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET details = excluded.details",
        params![sealer.seal_json(SLOT, settings)?],
    )?;
    Ok(())
}
