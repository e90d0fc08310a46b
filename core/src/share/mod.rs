//! Sharing with caregivers over standard Web Push, without a Regimen server.
//!
//! The pieces, in the order a share lives through them:
//! - [`pairing`]: the patient offers a share (VAPID public key, name, scopes); the caregiver
//!   answers with a push subscription; the patient accepts; either side may revoke;
//! - [`compose`]: on the patient's phone, turns what happened since the last look (doses logged
//!   or missed, the schedule, a day's summary, new high warnings) into [`message`]s for each
//!   caregiver, within the scopes granted;
//! - [`outbox`]: messages wait in the database until the push service accepts them, with
//!   backoff and jitter; the app sends the prepared requests (or lets the FFI crate do it);
//! - [`caregiver`]: on the caregiver's phone, opens a pushed body, keeps what was shared
//!   (sealed), shows each patient's doses and days, and plans its own missed-dose alerts.
//!
//! Encryption is RFC 8291 ([`ece`]) and the sender's proof is VAPID ([`vapid`]); the push
//! service sees only ciphertext. Nothing here does I/O: the FFI crate sends the requests.

pub mod base64url;
pub mod caregiver;
pub mod compose;
pub mod ece;
pub mod message;
pub mod outbox;
pub mod pairing;
mod record;
pub mod vapid;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// What a patient lets a caregiver see. Adherence is always shared; each further scope is
/// ticked by the patient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ShareScope {
    /// Whether doses were taken, skipped or missed, daily summaries, and the dose times (no
    /// names): all the caregiver's missed-dose alerts need.
    Adherence,
    /// Medicine names with the schedule and doses.
    Medicines,
    /// New high-severity warnings (needs `Medicines`: a warning names its medicines).
    Warnings,
    /// Pharmacogenomic phenotypes. Only ever shared when the patient ticks it.
    Pgx,
    /// Medicines running low and where their refills stand (names with `Medicines`). A share
    /// may hold this scope without adherence, for a caregiver who only sees to the supply.
    Supply,
}

/// Checks and normalises a patient's scope choice: sorted, no repeats, adherence included
/// unless the share is for the supply alone, warnings only with medicines.
pub fn normalise_scopes(scopes: &[ShareScope]) -> Result<Vec<ShareScope>> {
    let mut scopes = scopes.to_vec();
    if !scopes.contains(&ShareScope::Supply) {
        scopes.push(ShareScope::Adherence);
    }
    crate::order::sort(&mut scopes);
    scopes.dedup();
    if scopes.contains(&ShareScope::Warnings) && !scopes.contains(&ShareScope::Medicines) {
        return Err(Error::invalid(
            "scopes",
            "warnings name medicines, so they can only be shared with medicines",
        ));
    }
    Ok(scopes)
}

/// Which side of a share this database is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ShareRole {
    /// This database is the patient's; it sends.
    Patient,
    /// This database is a caregiver's; it receives.
    Caregiver,
}

/// Where a share stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ShareState {
    /// Patient: offered, no answer accepted yet. Caregiver: answered, nothing received yet.
    Offered,
    /// Messages flow.
    Active,
    /// Ended by the patient (or the caregiver). Nothing more is sent or taken in.
    Revoked,
    /// The push service said the subscription no longer exists (404/410); sending stopped.
    /// Pair again to resume.
    Gone,
}

impl ShareState {
    fn as_sql(self) -> &'static str {
        match self {
            ShareState::Offered => "offered",
            ShareState::Active => "active",
            ShareState::Revoked => "revoked",
            ShareState::Gone => "gone",
        }
    }

    fn from_sql(text: &str) -> Result<Self> {
        match text {
            "offered" => Ok(ShareState::Offered),
            "active" => Ok(ShareState::Active),
            "revoked" => Ok(ShareState::Revoked),
            "gone" => Ok(ShareState::Gone),
            _ => Err(Error::Damaged("unknown share state".into())),
        }
    }
}

/// One share as the app shows it in a list.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ShareInfo {
    /// Local id of the share in this database.
    pub id: i64,
    /// Which side this database is on.
    pub role: ShareRole,
    /// Where it stands.
    pub state: ShareState,
    /// This side's display name, as given when pairing.
    pub own_name: String,
    /// The other side's display name; `None` until the other side answered.
    pub peer_name: Option<String>,
    /// What the patient shares.
    pub scopes: Vec<ShareScope>,
    /// When the pairing started.
    pub created_at: Timestamp,
    /// Patient side: messages waiting in the outbox.
    pub pending_messages: u32,
    /// Patient side: when the push service last accepted a message.
    pub last_delivered_at: Option<Timestamp>,
    /// Caregiver side: when a message last arrived.
    pub last_received_at: Option<Timestamp>,
}

crate::redact::redacted_display!(ShareInfo, id, role, state, scopes, pending_messages);

/// A fresh random id of `bytes` bytes, base64url: share keys and message ids.
fn random_id(bytes: usize) -> Result<String> {
    let mut id = vec![0u8; bytes];
    ece::fill(&mut id)?;
    Ok(base64url::encode(&id))
}
