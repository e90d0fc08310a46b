//! Share rows: the sealed details of each pairing and the plain columns the outbox uses.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::vapid::VapidKey;
use super::{ShareInfo, ShareRole, ShareScope, ShareState, base64url};
use crate::error::{Error, Result};
use crate::schedule::LocalDate;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;

/// A caregiver's Web Push subscription, as answered.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Subscription {
    pub endpoint: String,
    /// The caregiver's P-256 public key, base64url.
    pub p256dh: String,
    /// The caregiver's auth secret, base64url.
    pub auth: String,
}

/// How far the patient side has looked, so each fact is sent once.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Cursor {
    /// When the share was accepted: nothing from before is shared.
    pub since: Option<Timestamp>,
    /// Dose events with a larger id are not yet sent.
    pub last_event_id: i64,
    /// Doses that became missed up to this instant were sent.
    pub missed_until: Option<Timestamp>,
    /// The schedule as last sent: its fingerprint and the end of its window.
    pub schedule_fingerprint: Option<String>,
    pub schedule_until: Option<Timestamp>,
    /// The last local day (`YYYY-MM-DD`) whose summary was sent.
    pub summary_day: Option<LocalDate>,
    /// Ids of the high warnings present at the last look.
    pub warnings: BTreeSet<String>,
    /// Fingerprint of the PGx phenotypes last sent.
    pub pgx_fingerprint: Option<String>,
    /// Per medicine, the supply status last sent (absent: none, or restocked), by medicine
    /// id. A list of pairs: the internally tagged `Side` cannot read integer map keys back.
    #[serde(default)]
    pub supply: Vec<(i64, String)>,
    /// Diary entries with a larger id are not yet sent (medicines scope).
    #[serde(default)]
    pub last_diary_id: i64,
}

/// The role-specific part of a share.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub(crate) enum Side {
    Patient {
        /// The VAPID key, PKCS#8, base64url.
        vapid_pkcs8: String,
        subscription: Option<Subscription>,
        #[serde(default)]
        cursor: Box<Cursor>,
    },
    Caregiver {
        /// The receiver's P-256 private scalar and auth secret, base64url.
        private_key: String,
        auth: String,
        /// Minutes after a dose's time before an unconfirmed dose raises an alert.
        grace_minutes: u32,
    },
}

/// Everything sealed about a share.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Details {
    pub own_name: String,
    pub peer_name: Option<String>,
    pub scopes: Vec<ShareScope>,
    pub side: Side,
}

/// One share row, opened.
pub(crate) struct ShareRow {
    pub id: i64,
    pub key: String,
    pub state: ShareState,
    pub details: Details,
    pub last_delivered_at: Option<Timestamp>,
    pub last_received_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl ShareRow {
    /// The patient's VAPID key and the caregiver's subscription, for sending: `None` while
    /// no caregiver has answered (nowhere to send yet); an error when the stored key is
    /// damaged (the share cannot send, and must not stop silently).
    pub(crate) fn sending_keys(&self) -> Result<Option<(VapidKey, &Subscription)>> {
        let Side::Patient {
            vapid_pkcs8,
            subscription: Some(subscription),
            ..
        } = &self.details.side
        else {
            return Ok(None);
        };
        let damaged = || Error::Crypto("a share's signing key is damaged".into());
        let pkcs8 = base64url::decode(vapid_pkcs8, "vapid").map_err(|_| damaged())?;
        let key = VapidKey::from_pkcs8(&pkcs8).map_err(|_| damaged())?;
        Ok(Some((key, subscription)))
    }

    pub fn role(&self) -> ShareRole {
        match self.details.side {
            Side::Patient { .. } => ShareRole::Patient,
            Side::Caregiver { .. } => ShareRole::Caregiver,
        }
    }

    pub fn has_scope(&self, scope: ShareScope) -> bool {
        self.details.scopes.contains(&scope)
    }
}

fn details_slot(id: i64) -> Slot {
    Slot {
        table: "share",
        column: "details",
        row: id,
    }
}

fn role_sql(details: &Details) -> &'static str {
    match details.side {
        Side::Patient { .. } => "patient",
        Side::Caregiver { .. } => "caregiver",
    }
}

const SELECT: &str = "SELECT id, share_key, state, details, last_delivered_at,
    last_received_at, created_at FROM share";

fn optional_time(value: Option<i64>) -> Result<Option<Timestamp>> {
    value.map(Timestamp::from_millis).transpose()
}

fn from_row(row: &Row<'_>, sealer: &Sealer) -> Result<ShareRow> {
    let id: i64 = row.get(0)?;
    let sealed: Vec<u8> = row.get(3)?;
    Ok(ShareRow {
        id,
        key: row.get(1)?,
        state: ShareState::from_sql(&row.get::<_, String>(2)?)?,
        details: sealer.open_json(details_slot(id), &sealed)?,
        last_delivered_at: optional_time(row.get(4)?)?,
        last_received_at: optional_time(row.get(5)?)?,
        created_at: Timestamp::from_millis(row.get(6)?)?,
    })
}

/// Stores a new share and returns its id.
pub(crate) fn insert(
    tx: &Connection,
    sealer: &Sealer,
    key: &str,
    state: ShareState,
    details: &Details,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM share", [], |r| {
        r.get(0)
    })?;
    let inserted = tx.execute(
        "INSERT INTO share (id, share_key, role, state, details, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT (share_key) DO NOTHING",
        params![
            id,
            key,
            role_sql(details),
            state.as_sql(),
            sealer.seal_json(details_slot(id), details)?,
            now.as_millis()
        ],
    )?;
    if inserted == 0 {
        return Err(Error::Conflict(
            "this share is already in the database (the offer was answered twice?)".into(),
        ));
    }
    Ok(id)
}

/// One share by local id.
pub(crate) fn get(conn: &Connection, sealer: &Sealer, id: i64) -> Result<ShareRow> {
    conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], |row| {
        Ok(from_row(row, sealer))
    })
    .optional()?
    .ok_or(Error::NotFound { what: "share", id })?
}

/// One share by its public key, if this database has it.
pub(crate) fn by_key(conn: &Connection, sealer: &Sealer, key: &str) -> Result<Option<ShareRow>> {
    conn.query_row(&format!("{SELECT} WHERE share_key = ?1"), [key], |row| {
        Ok(from_row(row, sealer))
    })
    .optional()?
    .transpose()
}

/// Every share, oldest first.
pub(crate) fn all(conn: &Connection, sealer: &Sealer) -> Result<Vec<ShareRow>> {
    let mut statement = conn.prepare_cached(&format!("{SELECT} ORDER BY id"))?;
    let mut rows = statement.query([])?;
    let mut shares = Vec::new();
    while let Some(row) = rows.next()? {
        shares.push(from_row(row, sealer)?);
    }
    Ok(shares)
}

/// Writes back a share's details and state.
pub(crate) fn save(
    tx: &Connection,
    sealer: &Sealer,
    share: &ShareRow,
    now: Timestamp,
) -> Result<()> {
    tx.execute(
        "UPDATE share SET state = ?2, details = ?3, updated_at = ?4 WHERE id = ?1",
        params![
            share.id,
            share.state.as_sql(),
            sealer.seal_json(details_slot(share.id), &share.details)?,
            now.as_millis()
        ],
    )?;
    Ok(())
}

/// Takes the next sequence number of a share.
pub(crate) fn take_seq(tx: &Connection, share_id: i64) -> Result<i64> {
    Ok(tx.query_row(
        "UPDATE share SET next_seq = next_seq + 1 WHERE id = ?1 RETURNING next_seq - 1",
        [share_id],
        |r| r.get(0),
    )?)
}

/// The share as the app lists it.
pub(crate) fn info(conn: &Connection, share: &ShareRow) -> Result<ShareInfo> {
    let pending: i64 = conn.query_row(
        "SELECT count(*) FROM share_outbox WHERE share_id = ?1",
        [share.id],
        |r| r.get(0),
    )?;
    Ok(ShareInfo {
        id: share.id,
        role: share.role(),
        state: share.state,
        own_name: share.details.own_name.clone(),
        peer_name: share.details.peer_name.clone(),
        scopes: share.details.scopes.clone(),
        created_at: share.created_at,
        pending_messages: u32::try_from(pending).unwrap_or(u32::MAX),
        last_delivered_at: share.last_delivered_at,
        last_received_at: share.last_received_at,
    })
}
