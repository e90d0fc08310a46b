//! The outbox: messages wait in the database until the caregiver's push service accepts
//! them. Sans-IO: [`Store::prepare_push_requests`] hands out ready-to-send HTTP requests
//! (RFC 8030 POSTs, encrypted and signed) and [`Store::record_push_result`] is told how each
//! went.
//!
//! The rules:
//! - a prepared message is leased for [`LEASE`]: a second sender (another process, a retry
//!   loop) does not send it meanwhile; if the app dies mid-send it becomes due again after
//!   the lease, so nothing is lost;
//! - a message accepted (2xx) is deleted in the same transaction that records it, so it is
//!   never sent again; a result reported for a message already settled changes nothing. The
//!   one window left (accepted, app killed before the result was recorded) sends it again,
//!   and the caregiver's side drops the duplicate by its id;
//! - failures (5xx, timeouts, no network, 401/403) retry after an exponential backoff from
//!   [`FIRST_RETRY`] up to [`LONGEST_RETRY`], with jitter so many phones do not retry in step;
//! - 429 pauses the whole share for the service's `Retry-After` (or the backoff);
//! - 404/410: the subscription is gone; the share stops and its waiting messages are dropped;
//! - 413 or 400: the service will never take this message; it is dropped;
//! - a message still unsent after [`MESSAGE_LIFETIME`] is dropped: it is stale by then.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::message::{Body, MESSAGE_VERSION, Message};
use super::record::{self, ShareRow, Side, Subscription};
use super::{ShareState, ece, random_id};
use crate::error::Result;
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;

/// How long a prepared message is held back from other senders.
pub const LEASE: Duration = Duration::from_secs(2 * 60);
pub use crate::retry::{FIRST_RETRY, LONGEST_RETRY, backoff};
/// How long a message may wait before it is dropped as stale.
pub const MESSAGE_LIFETIME: Duration = Duration::from_secs(7 * 86_400);
/// Most requests one call prepares.
pub const MAX_BATCH: u32 = 1_000;

/// One HTTP header of a prepared request.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PushHeader {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

crate::redact::redacted_display!(PushHeader, name);

/// A ready-to-send Web Push request: `POST endpoint` with these headers and body.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PushRequest {
    /// Pass back to `record_push_result`.
    pub outbox_id: i64,
    /// The share it belongs to.
    pub share_id: i64,
    /// The caregiver's push endpoint.
    pub endpoint: String,
    /// `TTL`, `Urgency`, `Content-Encoding`, `Content-Type` and `Authorization` (VAPID).
    pub headers: Vec<PushHeader>,
    /// The encrypted message (`aes128gcm`).
    pub body: Vec<u8>,
}

crate::redact::redacted_display!(PushRequest, outbox_id, share_id);

/// How a send went, as the app's HTTP stack saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PushResult {
    /// The push service answered with `code`, and `Retry-After` in seconds if it sent one.
    Status {
        /// HTTP status code.
        code: u16,
        /// The `Retry-After` header, in seconds.
        retry_after_seconds: Option<u32>,
    },
    /// No answer: no network, timeout, TLS failure.
    Unreachable,
}

/// What recording a result did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PushOutcome {
    /// Accepted; the message left the outbox.
    Delivered,
    /// Will be tried again at `at`.
    Retry {
        /// When.
        at: Timestamp,
    },
    /// The push service will never take this message; it was dropped.
    Dropped,
    /// The subscription is gone; the share stopped and its messages were dropped.
    ShareGone,
    /// The message was already settled (a late or repeated result); nothing changed.
    AlreadySettled,
}

fn message_slot(id: i64) -> Slot {
    Slot {
        table: "share_outbox",
        column: "message",
        row: id,
    }
}

/// Adds `body` to a share's outbox under its next sequence number.
pub(crate) fn enqueue(
    tx: &Connection,
    sealer: &Sealer,
    share: &ShareRow,
    body: Body,
    now: Timestamp,
) -> Result<()> {
    let seq = record::take_seq(tx, share.id)?;
    let message = Message {
        v: MESSAGE_VERSION,
        id: random_id(12)?,
        share: share.key.clone(),
        seq,
        at: now.as_millis(),
        body,
    };
    let bytes = message.encode()?;
    tx.execute(
        "INSERT INTO share_outbox (share_id, seq, message, urgent, next_attempt_at, created_at)
         VALUES (?1, ?2, X'', ?3, ?4, ?4)",
        params![share.id, seq, message.body.is_urgent(), now.as_millis()],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "UPDATE share_outbox SET message = ?2 WHERE id = ?1",
        params![id, sealer.seal(message_slot(id), &bytes)?],
    )?;
    Ok(())
}

fn header(name: &str, value: impl Into<String>) -> PushHeader {
    PushHeader {
        name: name.into(),
        value: value.into(),
    }
}

/// Where a share's messages go: its subscription and the batch's VAPID token for it.
struct Target {
    share_id: i64,
    subscription: Subscription,
    authorization: String,
}

impl Target {
    /// The target of `share`, or `None` when it has nowhere to send.
    fn of(share: &ShareRow, subject: Option<&str>, now: Timestamp) -> Result<Option<Target>> {
        let Some((vapid, subscription)) = share.sending_keys()? else {
            return Ok(None);
        };
        Ok(Some(Target {
            share_id: share.id,
            authorization: vapid.authorization(&subscription.endpoint, subject, now)?,
            subscription: subscription.clone(),
        }))
    }

    /// The request for one outbox row, encrypted afresh.
    fn request(
        &self,
        outbox_id: i64,
        plaintext: &[u8],
        urgent: bool,
        created_at: Timestamp,
        now: Timestamp,
    ) -> Result<PushRequest> {
        let subscription = &self.subscription;
        let p256dh = super::base64url::decode(&subscription.p256dh, "p256dh")?;
        let auth = super::base64url::decode(&subscription.auth, "auth")?;
        let body = ece::encrypt(plaintext, &p256dh, &auth)?;
        let left = MESSAGE_LIFETIME
            .as_secs()
            .saturating_sub(((now.as_millis() - created_at.as_millis()) / 1000).max(0) as u64)
            .max(60);
        Ok(PushRequest {
            outbox_id,
            share_id: self.share_id,
            endpoint: subscription.endpoint.clone(),
            headers: vec![
                header("TTL", left.to_string()),
                header("Urgency", if urgent { "high" } else { "normal" }),
                header("Content-Encoding", "aes128gcm"),
                header("Content-Type", "application/octet-stream"),
                header("Authorization", self.authorization.clone()),
            ],
            body,
        })
    }
}

impl Store {
    /// Prepares up to `limit` due messages as HTTP requests and leases them (see the module
    /// docs). `subject` is the VAPID contact (`mailto:` or `https:`) push services may use to
    /// reach the app's maker; some push services refuse requests without one. Stale messages
    /// are dropped first.
    pub fn prepare_push_requests(
        &self,
        now: Timestamp,
        subject: Option<&str>,
        limit: u32,
    ) -> Result<Vec<PushRequest>> {
        let limit = limit.clamp(1, MAX_BATCH);
        if let Some(subject) = subject {
            super::vapid::check_subject(subject)?;
        }
        self.write(|tx, sealer| {
            tx.execute(
                "DELETE FROM share_outbox WHERE created_at < ?1",
                [now.minus(MESSAGE_LIFETIME).as_millis()],
            )?;
            let mut statement = tx.prepare_cached(
                "SELECT o.id, o.share_id, o.message, o.urgent, o.created_at
                   FROM share_outbox o JOIN share s ON s.id = o.share_id
                  WHERE o.next_attempt_at <= ?1
                    AND s.state IN ('active', 'revoked')
                    AND (s.paused_until IS NULL OR s.paused_until <= ?1)
                  ORDER BY o.share_id, o.seq
                  LIMIT ?2",
            )?;
            let rows = statement
                .query_map(params![now.as_millis(), limit], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            // Each share's target, once for the whole batch.
            let mut targets: HashMap<i64, Option<Target>> = HashMap::new();
            let mut requests = Vec::with_capacity(rows.len());
            for (id, share_id, sealed, urgent, created_at) in rows {
                let target = match targets.entry(share_id) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(new) => new.insert(Target::of(
                        &record::get(tx, sealer, share_id)?,
                        subject,
                        now,
                    )?),
                };
                let Some(target) = target else { continue };
                let plaintext = sealer.open(message_slot(id), &sealed)?;
                let created_at = Timestamp::from_millis(created_at)?;
                let request = target.request(id, &plaintext, urgent, created_at, now)?;
                tx.execute(
                    "UPDATE share_outbox SET attempts = attempts + 1, next_attempt_at = ?2
                      WHERE id = ?1",
                    params![id, now.plus(LEASE).as_millis()],
                )?;
                requests.push(request);
            }
            Ok(requests)
        })
    }

    /// Records how sending a prepared request went (see the module docs for each case).
    pub fn record_push_result(
        &self,
        outbox_id: i64,
        result: PushResult,
        now: Timestamp,
    ) -> Result<PushOutcome> {
        self.write(|tx, sealer| {
            let Some((share_id, attempts)) = tx
                .query_row(
                    "SELECT share_id, attempts FROM share_outbox WHERE id = ?1",
                    [outbox_id],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?)),
                )
                .optional()?
            else {
                return Ok(PushOutcome::AlreadySettled);
            };
            let retry = |at: Timestamp| -> Result<PushOutcome> {
                tx.execute(
                    "UPDATE share_outbox SET next_attempt_at = ?2 WHERE id = ?1",
                    params![outbox_id, at.as_millis()],
                )?;
                Ok(PushOutcome::Retry { at })
            };
            match result {
                PushResult::Status { code, .. } if (200..300).contains(&code) => {
                    tx.execute("DELETE FROM share_outbox WHERE id = ?1", [outbox_id])?;
                    tx.execute(
                        "UPDATE share SET last_delivered_at = ?2 WHERE id = ?1",
                        params![share_id, now.as_millis()],
                    )?;
                    let mut share = record::get(tx, sealer, share_id)?;
                    if share.state == ShareState::Revoked {
                        // The goodbye went out: forget where to send.
                        forget_subscription(&mut share);
                        record::save(tx, sealer, &share, now)?;
                    }
                    Ok(PushOutcome::Delivered)
                }
                PushResult::Status {
                    code: 404 | 410, ..
                } => {
                    let mut share = record::get(tx, sealer, share_id)?;
                    if share.state != ShareState::Revoked {
                        share.state = ShareState::Gone;
                    }
                    forget_subscription(&mut share);
                    record::save(tx, sealer, &share, now)?;
                    tx.execute("DELETE FROM share_outbox WHERE share_id = ?1", [share_id])?;
                    Ok(PushOutcome::ShareGone)
                }
                PushResult::Status {
                    code: 400 | 413, ..
                } => {
                    tx.execute("DELETE FROM share_outbox WHERE id = ?1", [outbox_id])?;
                    Ok(PushOutcome::Dropped)
                }
                PushResult::Status {
                    code: 429,
                    retry_after_seconds,
                } => {
                    let wait = match retry_after_seconds {
                        Some(seconds) => Duration::from_secs(u64::from(seconds))
                            .clamp(FIRST_RETRY, LONGEST_RETRY),
                        None => backoff(attempts)?,
                    };
                    let at = now.plus(wait);
                    tx.execute(
                        "UPDATE share SET paused_until = ?2 WHERE id = ?1",
                        params![share_id, at.as_millis()],
                    )?;
                    retry(at)
                }
                PushResult::Status { .. } | PushResult::Unreachable => {
                    retry(now.plus(backoff(attempts)?))
                }
            }
        })
    }

    /// When the outbox next has something due (for the app's background scheduler), or
    /// `None` when it is empty or every share with messages is stopped.
    pub fn next_push_at(&self) -> Result<Option<Timestamp>> {
        self.read(|conn, _| {
            let at: Option<i64> = conn.query_row(
                "SELECT min(max(o.next_attempt_at, coalesce(s.paused_until, 0)))
                   FROM share_outbox o JOIN share s ON s.id = o.share_id
                  WHERE s.state IN ('active', 'revoked')",
                [],
                |r| r.get(0),
            )?;
            at.map(Timestamp::from_millis).transpose()
        })
    }
}

fn forget_subscription(share: &mut ShareRow) {
    if let Side::Patient { subscription, .. } = &mut share.details.side {
        *subscription = None;
    }
}
