//! Pairing: two short JSON payloads, small enough for a QR code.
//!
//! 1. The patient's app calls [`Store::offer_share`]: a fresh VAPID key, the patient's display
//!    name and the scopes on offer become an **offer**.
//! 2. The caregiver's app subscribes to its push service with the offer's `vapid` key as
//!    `applicationServerKey` and calls [`Store::answer_offer`] with the endpoint it got: Regimen
//!    makes the subscription's keys (`p256dh`, `auth`) and returns an **answer**.
//! 3. The patient's app calls [`Store::accept_answer`]: the share becomes active and its first
//!    message (the patient's name and scopes) waits in the outbox.
//!
//! Either side may [`Store::revoke`]: the patient's side drops whatever was waiting and sends
//! one last message saying the share ended.

use serde::{Deserialize, Serialize};

use super::ece::{self, AUTH_SECRET_LEN, PUBLIC_KEY_LEN, ReceiverKeys};
use super::message::Body;
use super::record::{self, Cursor, Details, Side, Subscription};
use super::vapid::{self, VapidKey};
use super::{ShareInfo, ShareScope, ShareState, base64url, normalise_scopes, outbox, random_id};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::time::Timestamp;
use crate::validate::required_text;

/// Longest display name.
pub const MAX_NAME_CHARS: usize = 60;
/// Longest push endpoint URL accepted.
pub const MAX_ENDPOINT_LEN: usize = 1_024;
/// Longest payload accepted (an answer with the longest endpoint fits easily).
const MAX_PAYLOAD_LEN: usize = 2_048;
/// Minutes after a dose's time before a caregiver is alerted, unless set otherwise.
pub const DEFAULT_GRACE_MINUTES: u32 = 60;
/// Longest grace a caregiver may choose (a day).
pub const MAX_GRACE_MINUTES: u32 = 24 * 60;

/// What the patient's app shows as a QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareOffer {
    /// Always `regimen-share-offer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Format version.
    pub v: u32,
    /// The share's public key.
    pub share: String,
    /// The patient's VAPID public key, base64url: the `applicationServerKey`.
    pub vapid: String,
    /// The patient's display name.
    pub name: String,
    /// The scopes on offer.
    pub scopes: Vec<ShareScope>,
}

/// What the caregiver's app shows back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareAnswer {
    /// Always `regimen-share-answer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Format version.
    pub v: u32,
    /// The share's public key, from the offer.
    pub share: String,
    /// The caregiver's push endpoint.
    pub endpoint: String,
    /// The subscription's public key, base64url.
    pub p256dh: String,
    /// The subscription's auth secret, base64url.
    pub auth: String,
    /// The caregiver's display name.
    pub name: String,
}

const OFFER: &str = "regimen-share-offer";
const ANSWER: &str = "regimen-share-answer";
const PAYLOAD_VERSION: u32 = 1;

/// A pairing step's result: the share as stored and the payload to show the other side.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PairingStep {
    /// The share as stored.
    pub share: ShareInfo,
    /// Compact JSON to hand to the other side (as a QR code, a link, a file).
    pub payload: String,
}

crate::redact::redacted_display!(PairingStep);

/// Reads a payload whose `type` must be `expected`; errors name `field`.
fn parse<T: serde::de::DeserializeOwned>(
    payload: &str,
    field: &'static str,
    expected: &str,
) -> Result<T> {
    let refused = || Error::invalid(field, format!("is not a Regimen share {field}"));
    let payload = payload.trim();
    if payload.len() > MAX_PAYLOAD_LEN {
        return Err(Error::invalid(field, "is longer than any pairing payload"));
    }
    let value: serde_json::Value = serde_json::from_str(payload).map_err(|_| refused())?;
    if value.get("type").and_then(|t| t.as_str()) != Some(expected) {
        return Err(refused());
    }
    if value.get("v").and_then(|v| v.as_u64()) != Some(u64::from(PAYLOAD_VERSION)) {
        return Err(Error::invalid(
            field,
            "comes from another version of Regimen; update both apps",
        ));
    }
    serde_json::from_value(value).map_err(|_| refused())
}

fn decode_key(text: &str, field: &'static str, len: usize) -> Result<Vec<u8>> {
    let bytes = base64url::decode(text, field)?;
    if bytes.len() != len {
        return Err(Error::invalid(field, format!("must be {len} bytes")));
    }
    Ok(bytes)
}

/// Checks a push endpoint: an HTTPS URL (plain HTTP only on this device, for tests).
pub fn check_endpoint(endpoint: &str) -> Result<String> {
    let endpoint = endpoint.trim();
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(Error::invalid(
            "endpoint",
            format!("must be at most {MAX_ENDPOINT_LEN} bytes"),
        ));
    }
    if endpoint.chars().any(char::is_whitespace) {
        return Err(Error::invalid("endpoint", "must not contain spaces"));
    }
    vapid::origin(endpoint)?;
    Ok(endpoint.to_owned())
}

fn max_event_id(tx: &rusqlite::Connection) -> Result<i64> {
    Ok(
        tx.query_row("SELECT coalesce(max(id), 0) FROM dose_event", [], |r| {
            r.get(0)
        })?,
    )
}

impl Store {
    /// Patient side: starts a share offering `scopes` (adherence is always included; PGx
    /// only if listed) under the display name `name`.
    pub fn offer_share(
        &self,
        name: &str,
        scopes: &[ShareScope],
        now: Timestamp,
    ) -> Result<PairingStep> {
        let name = required_text("name", name, MAX_NAME_CHARS, false)?;
        let scopes = normalise_scopes(scopes)?;
        let key = VapidKey::generate()?;
        let share_key = random_id(16)?;
        let offer = ShareOffer {
            kind: OFFER.into(),
            v: PAYLOAD_VERSION,
            share: share_key.clone(),
            vapid: base64url::encode(key.public_key()),
            name: name.clone(),
            scopes: scopes.clone(),
        };
        let details = Details {
            own_name: name,
            peer_name: None,
            scopes,
            side: Side::Patient {
                vapid_pkcs8: base64url::encode(key.pkcs8()),
                subscription: None,
                cursor: Box::default(),
            },
        };
        let share = self.write(|tx, sealer| {
            let id = record::insert(tx, sealer, &share_key, ShareState::Offered, &details, now)?;
            record::info(tx, &record::get(tx, sealer, id)?)
        })?;
        Ok(PairingStep {
            share,
            payload: to_json(&offer)?,
        })
    }

    /// Caregiver side: answers `offer` with the push subscription's `endpoint` (which the app
    /// made with the offer's `vapid` key) under the display name `name`. Regimen makes the
    /// subscription's keys and keeps them sealed. `grace_minutes` (default 60) is how long
    /// after a dose's time an unconfirmed dose raises the caregiver's alert.
    pub fn answer_offer(
        &self,
        offer: &str,
        endpoint: &str,
        name: &str,
        grace_minutes: Option<u32>,
        now: Timestamp,
    ) -> Result<PairingStep> {
        let offer: ShareOffer = parse(offer, "offer", OFFER)?;
        decode_key(&offer.vapid, "offer", PUBLIC_KEY_LEN)?;
        let patient_name = required_text("offer", &offer.name, MAX_NAME_CHARS, false)?;
        let scopes = normalise_scopes(&offer.scopes)?;
        let endpoint = check_endpoint(endpoint)?;
        let name = required_text("name", name, MAX_NAME_CHARS, false)?;
        let grace_minutes = grace_minutes.unwrap_or(DEFAULT_GRACE_MINUTES);
        if grace_minutes == 0 || grace_minutes > MAX_GRACE_MINUTES {
            return Err(Error::invalid("grace_minutes", "must be 1 to 1440 (a day)"));
        }
        let keys = ReceiverKeys::generate()?;
        let answer = ShareAnswer {
            kind: ANSWER.into(),
            v: PAYLOAD_VERSION,
            share: offer.share.clone(),
            endpoint,
            p256dh: base64url::encode(&keys.public_key()),
            auth: base64url::encode(&keys.auth()),
            name: name.clone(),
        };
        let details = Details {
            own_name: name,
            peer_name: Some(patient_name),
            scopes,
            side: Side::Caregiver {
                private_key: base64url::encode(&keys.private_bytes()),
                auth: base64url::encode(&keys.auth()),
                grace_minutes,
            },
        };
        let share = self.write(|tx, sealer| {
            let id = record::insert(tx, sealer, &offer.share, ShareState::Offered, &details, now)?;
            record::info(tx, &record::get(tx, sealer, id)?)
        })?;
        Ok(PairingStep {
            share,
            payload: to_json(&answer)?,
        })
    }

    /// Patient side: accepts a caregiver's `answer` to one of this database's offers. The
    /// share becomes active; its first message waits in the outbox. Accepting the same answer
    /// again changes nothing.
    pub fn accept_answer(&self, answer: &str, now: Timestamp) -> Result<ShareInfo> {
        let answer: ShareAnswer = parse(answer, "answer", ANSWER)?;
        let endpoint = check_endpoint(&answer.endpoint)?;
        let p256dh = decode_key(&answer.p256dh, "answer", PUBLIC_KEY_LEN)?;
        ece::check_public_key(&p256dh)
            .map_err(|_| Error::invalid("answer", "carries a key that is not a P-256 point"))?;
        decode_key(&answer.auth, "answer", AUTH_SECRET_LEN)?;
        let caregiver = required_text("answer", &answer.name, MAX_NAME_CHARS, false)?;
        let subscription = Subscription {
            endpoint,
            p256dh: answer.p256dh.clone(),
            auth: answer.auth.clone(),
        };
        self.write(|tx, sealer| {
            let not_ours =
                || Error::invalid("answer", "does not answer an offer made on this phone");
            let mut share = record::by_key(tx, sealer, &answer.share)?.ok_or_else(not_ours)?;
            let Side::Patient {
                subscription: current,
                cursor,
                ..
            } = &mut share.details.side
            else {
                return Err(not_ours());
            };
            match share.state {
                ShareState::Offered => {}
                ShareState::Active
                    if current
                        .as_ref()
                        .is_some_and(|c| c.auth == subscription.auth) =>
                {
                    return record::info(tx, &share);
                }
                _ => {
                    return Err(Error::Conflict(
                        "this offer was already answered or has ended; make a new offer".into(),
                    ));
                }
            }
            *current = Some(subscription);
            // Only what happens from now on is shared.
            **cursor = Cursor {
                since: Some(now),
                last_event_id: max_event_id(tx)?,
                missed_until: Some(now),
                ..Cursor::default()
            };
            share.details.peer_name = Some(caregiver);
            share.state = ShareState::Active;
            record::save(tx, sealer, &share, now)?;
            let body = Body::Shared {
                name: share.details.own_name.clone(),
                scopes: share.details.scopes.clone(),
            };
            outbox::enqueue(tx, sealer, &share, body, now)?;
            record::info(tx, &share)
        })
    }

    /// Ends a share. On the patient's side, whatever was still waiting is dropped and one
    /// last message tells the caregiver; on the caregiver's side, nothing more is taken in and
    /// no more alerts are planned. Revoking twice changes nothing.
    pub fn revoke(&self, share_id: i64, now: Timestamp) -> Result<ShareInfo> {
        self.write(|tx, sealer| {
            let mut share = record::get(tx, sealer, share_id)?;
            if matches!(share.state, ShareState::Revoked | ShareState::Gone) {
                return record::info(tx, &share);
            }
            let was_active = share.state == ShareState::Active;
            share.state = ShareState::Revoked;
            record::save(tx, sealer, &share, now)?;
            if let Side::Patient { .. } = share.details.side {
                tx.execute("DELETE FROM share_outbox WHERE share_id = ?1", [share.id])?;
                if was_active {
                    outbox::enqueue(tx, sealer, &share, Body::Revoked, now)?;
                }
            }
            record::info(tx, &share)
        })
    }

    /// Every share in this database, oldest first.
    pub fn shares(&self) -> Result<Vec<ShareInfo>> {
        self.read(|conn, sealer| {
            record::all(conn, sealer)?
                .iter()
                .map(|share| record::info(conn, share))
                .collect()
        })
    }

    /// One share.
    pub fn share(&self, share_id: i64) -> Result<ShareInfo> {
        self.read(|conn, sealer| record::info(conn, &record::get(conn, sealer, share_id)?))
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|_| Error::Unusable("a pairing payload could not be written".into()))
}
