//! The symptom and side-effect diary: what the patient felt or measured, and when.
//!
//! An entry has an instant (when it happened, as the patient says), and any of: free text, a
//! severity from 1 (mild) to 5 (severe), the medicine the patient links it to, and
//! measurements ([`measure`]: blood pressure, heart rate, glucose, weight, temperature, each
//! with its unit checked and its range plausible). An entry with none of these says nothing
//! and is refused.
//!
//! At rest, everything but the two instants is sealed as one value
//! (`diary_entry.details`, row key `id`): the text, the severity, the measurements, and the
//! medicine link too, since which medicine a patient blames for a symptom is theirs alone. The
//! instants stay plain so entries are read by time in order.
//!
//! Editing is a delete and a new entry. A delete really deletes: the row goes, SQLite
//! overwrites the freed space (`secure_delete`) and the write-ahead log is emptied into the
//! file, so no copy of the sealed entry is left in the database's files; a caregiver who was
//! told of the entry is told it was removed. Ids are never reused.

pub mod measure;
mod storage;

pub(crate) use storage::{delete, entries_after, entries_in, insert, insert_as_stored};

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::Timestamp;
use crate::validate::optional_text;
use measure::Measurement;

/// Longest diary text, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;
/// The mildest and the most severe severity.
pub const SEVERITY_RANGE: (u8, u8) = (1, 5);
/// How far ahead of `now` an entry may be dated: clocks of two devices a little apart, as the
/// dose log allows.
pub const FUTURE_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// A diary entry as the patient writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewDiaryEntry {
    /// When it happened (not more than five minutes ahead of now).
    pub at: Timestamp,
    /// What the patient writes: a symptom, a side effect, how they feel.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub text: Option<String>,
    /// The medicine the patient links it to.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub medicine_id: Option<i64>,
    /// How bad, from 1 (mild) to 5 (severe).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub severity: Option<u8>,
    /// Measurements taken then, at most one of each kind.
    #[cfg_attr(feature = "uniffi", uniffi(default = []))]
    pub measurements: Vec<Measurement>,
}

crate::redact::redacted_display!(NewDiaryEntry, at);

/// A stored diary entry.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DiaryEntry {
    /// Its id; never reused, even after a delete.
    pub id: i64,
    /// When it happened.
    pub at: Timestamp,
    /// When it was written down.
    pub recorded_at: Timestamp,
    /// The patient's text.
    pub text: Option<String>,
    /// The medicine it is linked to.
    pub medicine_id: Option<i64>,
    /// How bad, 1 to 5.
    pub severity: Option<u8>,
    /// Measurements, in the order of their kinds.
    pub measurements: Vec<Measurement>,
}

crate::redact::redacted_display!(DiaryEntry, id, at, recorded_at);

/// The sealed part of an entry.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct SealedEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    medicine_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    severity: Option<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    measurements: Vec<Measurement>,
}

impl NewDiaryEntry {
    /// The entry with its text cleaned and measurements checked and sorted by kind, or the
    /// first rule it breaks. Whether the medicine exists is checked when it is stored.
    pub fn validated(&self, now: Timestamp) -> Result<NewDiaryEntry> {
        if self.at > now.plus(FUTURE_TOLERANCE) {
            return Err(Error::invalid("at", "must not be in the future"));
        }
        let text = optional_text("text", self.text.as_deref(), MAX_TEXT_CHARS, true)?;
        if let Some(severity) = self.severity
            && !(SEVERITY_RANGE.0..=SEVERITY_RANGE.1).contains(&severity)
        {
            return Err(Error::invalid(
                "severity",
                "must be from 1 (mild) to 5 (severe)",
            ));
        }
        if self.medicine_id.is_some_and(|id| id <= 0) {
            return Err(Error::invalid(
                "medicine_id",
                "must be a stored medicine's id",
            ));
        }
        let mut measurements = self
            .measurements
            .iter()
            .map(Measurement::validated)
            .collect::<Result<Vec<_>>>()?;
        crate::order::sort_by_key(&mut measurements, Measurement::kind);
        if measurements.windows(2).any(|w| w[0].kind() == w[1].kind()) {
            return Err(Error::invalid(
                "measurements",
                "may hold each kind of measurement once",
            ));
        }
        if text.is_none() && self.severity.is_none() && measurements.is_empty() {
            return Err(Error::invalid(
                "text",
                "an entry needs text, a severity or a measurement",
            ));
        }
        Ok(NewDiaryEntry {
            at: self.at,
            text,
            medicine_id: self.medicine_id,
            severity: self.severity,
            measurements,
        })
    }
}
