//! What a patient's phone tells a caregiver's: one small JSON message per push, encrypted
//! whole. Every message names its share, carries a random id and the share's next sequence
//! number, so the caregiver's side can drop duplicates and replays and apply messages in order
//! whatever order the push service delivered them in.
//!
//! Instants are milliseconds since the epoch; a schedule's dose times are minutes after the
//! window's start, which keeps a week of four medicines around 1 KB.

use serde::{Deserialize, Serialize};

use super::ShareScope;
use super::ece::MAX_PLAINTEXT;
use crate::diary::measure::Measurement;
use crate::error::{Error, Result};
use crate::schedule::LocalDate;

/// The message format this code writes and reads.
pub const MESSAGE_VERSION: u32 = 1;

/// What the caregiver is told about one dose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum SharedDoseStatus {
    /// Not due yet.
    Upcoming,
    /// Due, no word from the patient yet, still within the grace time.
    Due,
    /// Past the grace time with no word from the patient: the caregiver's alert fired.
    Unconfirmed,
    /// Taken on time.
    Taken,
    /// Taken, but late.
    TakenLate,
    /// Deliberately not taken.
    Skipped,
    /// The patient's phone reported it missed.
    Missed,
}

/// Where a medicine's supply stands, as the caregiver is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum SharedSupplyStatus {
    /// It runs out soon (within the patient's refill lead time) and no refill is under way.
    RunningLow,
    /// A refill was asked for (from the pharmacy, or the patient said so).
    RefillRequested,
    /// The pharmacy turned the refill request down: someone must see to it.
    RefillRefused,
    /// Stock came in (or was counted): it no longer runs low.
    Restocked,
}

impl SharedSupplyStatus {
    /// A stable word for this status (kept in the share's cursor).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SharedSupplyStatus::RunningLow => "running_low",
            SharedSupplyStatus::RefillRequested => "refill_requested",
            SharedSupplyStatus::RefillRefused => "refill_refused",
            SharedSupplyStatus::Restocked => "restocked",
        }
    }
}

/// One medicine's dose times in a shared schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    /// The medicine, by the patient's id.
    pub medicine: i64,
    /// Its name, when medicines are in scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Minutes after the window's start, ascending.
    pub at: Vec<u32>,
}

/// One gene's phenotype, as shared when the patient ticks PGx.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SharedPhenotype {
    /// The gene (`CYP2C19`).
    pub gene: String,
    /// The phenotype as reported (`Poor Metabolizer`).
    pub phenotype: String,
}

crate::redact::redacted_display!(SharedPhenotype);

/// The kinds of message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// The share is set up: the patient's name and what is shared.
    Shared {
        /// The patient's display name.
        name: String,
        /// The scopes granted.
        scopes: Vec<ShareScope>,
    },
    /// The doses due in `[from, to)` (milliseconds); replaces any earlier schedule there.
    Schedule {
        /// Window start.
        from: i64,
        /// Window end.
        to: i64,
        /// Per medicine.
        doses: Vec<ScheduleEntry>,
    },
    /// A dose was taken, skipped or missed.
    Dose {
        /// The medicine, by the patient's id.
        medicine: i64,
        /// Its name, when medicines are in scope.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// What happened (taken, taken late, skipped or missed).
        status: SharedDoseStatus,
        /// When it was due; absent for an as-needed dose.
        scheduled: Option<i64>,
        /// When it was taken or skipped; absent for a missed dose.
        actual: Option<i64>,
    },
    /// How one local day went.
    Summary {
        /// The patient's local day.
        day: LocalDate,
        /// Doses that were due.
        scheduled: u32,
        /// Taken on time.
        taken: u32,
        /// Taken late.
        late: u32,
        /// Skipped.
        skipped: u32,
        /// Missed.
        missed: u32,
    },
    /// A new high-severity warning.
    Warning {
        /// The warning's stable id.
        warning: String,
        /// Its title.
        title: String,
        /// What to do.
        what_to_do: String,
    },
    /// A medicine's supply changed state (supply scope).
    Supply {
        /// The medicine, by the patient's id.
        medicine: i64,
        /// Its name, when medicines are in scope.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Where it stands.
        status: SharedSupplyStatus,
        /// When it runs out (milliseconds), while it runs low.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run_out: Option<i64>,
    },
    /// A new diary entry (medicines scope): when, how bad, what was measured and the
    /// medicine it is linked to; never the patient's text.
    Diary {
        /// The entry, by the patient's id.
        entry: i64,
        /// When it happened (milliseconds); not `at`, which is the message's own.
        happened: i64,
        /// The linked medicine, by the patient's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        medicine: Option<i64>,
        /// Its name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// How bad, 1 to 5.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<u8>,
        /// What was measured.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        measurements: Vec<Measurement>,
    },
    /// The patient deleted a diary entry the caregiver was told of.
    DiaryRemoved {
        /// The entry, by the patient's id.
        entry: i64,
    },
    /// The patient's PGx phenotypes changed.
    Pgx {
        /// Every phenotype in force.
        phenotypes: Vec<SharedPhenotype>,
    },
    /// The patient ended the share.
    Revoked,
}

/// What kind a received message was, for the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The share is set up.
    Shared,
    /// The schedule was shared or changed.
    Schedule,
    /// A dose was taken, skipped or missed.
    Dose,
    /// A day's summary.
    Summary,
    /// A new high-severity warning.
    Warning,
    /// PGx phenotypes.
    Pgx,
    /// A medicine's supply.
    Supply,
    /// A new diary entry.
    Diary,
    /// A diary entry was deleted.
    DiaryRemoved,
    /// The share ended.
    Revoked,
}

impl Body {
    /// This body's kind.
    pub fn kind(&self) -> MessageKind {
        match self {
            Body::Shared { .. } => MessageKind::Shared,
            Body::Schedule { .. } => MessageKind::Schedule,
            Body::Dose { .. } => MessageKind::Dose,
            Body::Summary { .. } => MessageKind::Summary,
            Body::Warning { .. } => MessageKind::Warning,
            Body::Pgx { .. } => MessageKind::Pgx,
            Body::Supply { .. } => MessageKind::Supply,
            Body::Diary { .. } => MessageKind::Diary,
            Body::DiaryRemoved { .. } => MessageKind::DiaryRemoved,
            Body::Revoked => MessageKind::Revoked,
        }
    }

    /// Whether the push service should wake the caregiver's phone at once (RFC 8030
    /// `Urgency: high`): a missed dose, a warning, a refused refill, the end of the share.
    pub fn is_urgent(&self) -> bool {
        matches!(
            self,
            Body::Dose {
                status: SharedDoseStatus::Missed,
                ..
            } | Body::Warning { .. }
                | Body::Supply {
                    status: SharedSupplyStatus::RefillRefused,
                    ..
                }
                | Body::Revoked
        )
    }
}

/// One message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Format version ([`MESSAGE_VERSION`]).
    pub v: u32,
    /// Random, unique per message.
    pub id: String,
    /// The share's public key.
    pub share: String,
    /// Position in the share's stream, from 1.
    pub seq: i64,
    /// When the patient's phone wrote it (milliseconds).
    pub at: i64,
    /// What it says.
    #[serde(flatten)]
    pub body: Body,
}

impl Message {
    /// The message as bytes, refused if it would not fit one push message.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let bytes = serde_json::to_vec(self)
            .map_err(|_| Error::Unusable("a message could not be written".into()))?;
        if bytes.len() > MAX_PLAINTEXT {
            return Err(Error::invalid(
                "message",
                format!("is larger than the {MAX_PLAINTEXT} bytes one push message holds"),
            ));
        }
        Ok(bytes)
    }

    /// Reads a decrypted message. A message from a newer version of Regimen is refused with
    /// a reason that says so.
    pub fn decode(bytes: &[u8]) -> Result<Message> {
        #[derive(Deserialize)]
        struct Version {
            v: u32,
        }
        let version: Version = serde_json::from_slice(bytes)
            .map_err(|_| Error::invalid("message", "is not a Regimen share message"))?;
        if version.v != MESSAGE_VERSION {
            return Err(Error::invalid(
                "message",
                "comes from a newer version of Regimen; update the app",
            ));
        }
        serde_json::from_slice(bytes)
            .map_err(|_| Error::invalid("message", "is not a Regimen share message"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: Body) -> Message {
        Message {
            v: MESSAGE_VERSION,
            id: "abc".into(),
            share: "share".into(),
            seq: 3,
            at: 1_700_000_000_000,
            body,
        }
    }

    #[test]
    fn messages_read_back_as_written() {
        for body in [
            Body::Revoked,
            Body::Dose {
                medicine: 2,
                name: None,
                status: SharedDoseStatus::TakenLate,
                scheduled: Some(1),
                actual: Some(2),
            },
            Body::Supply {
                medicine: 4,
                name: None,
                status: SharedSupplyStatus::RunningLow,
                run_out: Some(1_700_000_000_000),
            },
            Body::Diary {
                entry: 9,
                happened: 1_700_000_000_000,
                medicine: Some(2),
                name: Some("x".into()),
                severity: Some(3),
                measurements: vec![Measurement::BloodPressure {
                    systolic_mmhg: 150,
                    diastolic_mmhg: 95,
                }],
            },
            Body::DiaryRemoved { entry: 9 },
            Body::Schedule {
                from: 0,
                to: 10,
                doses: vec![ScheduleEntry {
                    medicine: 1,
                    name: Some("x".into()),
                    at: vec![480, 1200],
                }],
            },
        ] {
            let written = message(body);
            let bytes = written.encode().unwrap();
            assert_eq!(Message::decode(&bytes).unwrap(), written);
        }
    }

    #[test]
    fn a_newer_format_is_named_as_such() {
        let err = Message::decode(br#"{"v":2,"type":"whatever"}"#).unwrap_err();
        assert!(err.to_string().contains("newer version"), "{err}");
        let err = Message::decode(b"not json").unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidInput {
                field: "message",
                ..
            }
        ));
    }

    #[test]
    fn a_message_over_one_push_is_refused() {
        let long = Body::Warning {
            warning: "w".into(),
            title: "t".repeat(MAX_PLAINTEXT),
            what_to_do: String::new(),
        };
        assert!(message(long).encode().is_err());
    }
}
