//! The caregiver's side: take in pushed messages, keep them sealed, show what was shared,
//! and know by itself when a dose went unconfirmed.
//!
//! [`Store::receive`] opens a pushed body with the keys of whichever followed patient it was
//! meant for, drops duplicates and replays (by message id and sequence number) and anything
//! after the share ended, and stores the rest. Views are computed from every stored message in
//! sequence order, so the order the push service delivered them in does not matter: the
//! latest schedule for a time wins, the latest word about a dose wins.
//!
//! Missed-dose alerts: for each dose in the shared schedule, the caregiver's own notification
//! plan holds an alert at the dose's time plus the grace chosen when answering (60 minutes by
//! default), unless the patient's phone confirmed the dose (taken or skipped) before. So the
//! caregiver hears even when the patient's phone is off or offline. The patient's phone shares
//! a week ahead and refreshes it days before it ends; if it has gone quiet for so long that
//! the shared week is about to run out, the plan holds one more alert a day before the end, so
//! the watch never stops silently.

use std::collections::BTreeMap;
use std::time::Duration;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::ece::{self, MAX_BODY, ReceiverKeys};
use super::message::{
    Body, Message, MessageKind, SharedDoseStatus, SharedPhenotype, SharedSupplyStatus,
};
use super::record::{self, ShareRow, Side};
use super::{ShareInfo, ShareRole, ShareScope, ShareState, base64url};
use crate::diary::measure::Measurement;
use crate::error::{Error, Result};
use crate::schedule::LocalDate;
use crate::store::Store;
use crate::store::seal::{Sealer, Slot};
use crate::time::Timestamp;

/// What [`Store::receive`] did with a pushed body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReceivedMessage {
    /// The share (followed patient) it belongs to.
    pub share_id: i64,
    /// What kind of message it was.
    pub kind: MessageKind,
    /// Its sequence number.
    pub seq: i64,
    /// True when it was already stored (a duplicate or replay) or arrived after the share
    /// ended; nothing changed then.
    pub ignored: bool,
    /// The share after taking it in.
    pub share: ShareInfo,
}

/// One dose of a followed patient.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SharedDose {
    /// The medicine, by the patient's id.
    pub medicine_id: i64,
    /// Its name, when the patient shares medicines.
    pub name: Option<String>,
    /// When it is (was) due; `None` for an as-needed dose.
    pub due_at: Option<Timestamp>,
    /// Where it stands, as far as the caregiver knows.
    pub status: SharedDoseStatus,
    /// When it was taken or skipped, as the patient logged it.
    pub actual_at: Option<Timestamp>,
}

crate::redact::redacted_display!(SharedDose, medicine_id, due_at, status, actual_at);

/// How one of the patient's days went, as the patient's phone summarised it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SharedDay {
    /// The patient's local day.
    pub day: LocalDate,
    /// Doses that were due.
    pub scheduled: u32,
    /// Taken on time.
    pub taken: u32,
    /// Taken late.
    pub late: u32,
    /// Skipped.
    pub skipped: u32,
    /// Missed.
    pub missed: u32,
}

/// A high-severity warning the patient shared.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SharedWarning {
    /// The warning's stable id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What to do.
    pub what_to_do: String,
    /// When the patient's phone sent it.
    pub sent_at: Timestamp,
}

crate::redact::redacted_display!(SharedWarning, sent_at);

/// A medicine's supply as the patient's phone last reported it.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SharedSupply {
    /// The patient's medicine id.
    pub medicine_id: i64,
    /// Its name, if the patient shares medicines.
    pub name: Option<String>,
    /// Where it stands.
    pub status: SharedSupplyStatus,
    /// When it runs out, while it runs low.
    pub run_out_at: Option<Timestamp>,
    /// When the patient's phone sent it.
    pub sent_at: Timestamp,
}

crate::redact::redacted_display!(SharedSupply, medicine_id, status, run_out_at, sent_at);

/// A diary entry the patient shared (medicines scope): the facts, never the text.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SharedDiaryEntry {
    /// The patient's entry id.
    pub entry_id: i64,
    /// When it happened.
    pub at: Timestamp,
    /// The medicine the patient linked it to, by the patient's id.
    pub medicine_id: Option<i64>,
    /// Its name.
    pub name: Option<String>,
    /// How bad, 1 (mild) to 5 (severe).
    pub severity: Option<u8>,
    /// What was measured.
    pub measurements: Vec<Measurement>,
}

crate::redact::redacted_display!(SharedDiaryEntry, entry_id, at);

/// Everything shared by one patient, for the caregiver's screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PatientView {
    /// The share.
    pub share: ShareInfo,
    /// The doses due in the asked range (and as-needed doses taken then), by time.
    pub doses: Vec<SharedDose>,
    /// Daily summaries, newest first.
    pub days: Vec<SharedDay>,
    /// Shared high warnings, newest first.
    pub warnings: Vec<SharedWarning>,
    /// PGx phenotypes, if shared.
    pub phenotypes: Vec<SharedPhenotype>,
    /// Supply, if shared: each medicine's latest report (restocked ones included), the one
    /// that runs out first first.
    pub supply: Vec<SharedSupply>,
    /// Diary entries, if medicines are shared: newest first, deleted ones left out.
    pub diary: Vec<SharedDiaryEntry>,
}

/// A due caregiver alert, for the reminder planner: a missed dose, (`silence`) the shared
/// schedule about to run out, or (`supply`) a medicine running low or a refused refill.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertDue {
    /// The patient's phone has gone quiet (rather than a dose not confirmed).
    pub silence: bool,
    /// For a supply alert: the medicine's status (running low, or the refill refused).
    pub supply: Option<SharedSupplyStatus>,
    /// The share (followed patient).
    pub share_id: i64,
    /// The patient's name, as they gave it.
    pub patient: String,
    /// The dose's time, or when the shared schedule runs out.
    pub due_at: Timestamp,
    /// When the alert fires.
    pub fire_at: Timestamp,
    /// The patient's medicine ids.
    pub medicine_ids: Vec<i64>,
    /// Medicine names, if the patient shares them.
    pub names: Vec<String>,
}

/// How long before the shared schedule runs out the caregiver is told (see [`alerts_due`]).
pub const SILENCE_NOTICE: Duration = Duration::from_secs(86_400);

fn message_slot(id: i64) -> Slot {
    Slot {
        table: "share_inbox",
        column: "message",
        row: id,
    }
}

fn receiver_keys(share: &ShareRow) -> Option<(ReceiverKeys, u32)> {
    let Side::Caregiver {
        private_key,
        auth,
        grace_minutes,
    } = &share.details.side
    else {
        return None;
    };
    let private = base64url::decode(private_key, "private_key").ok()?;
    let auth = base64url::decode(auth, "auth").ok()?;
    Some((
        ReceiverKeys::from_bytes(&private, &auth).ok()?,
        *grace_minutes,
    ))
}

/// Every message stored for a share, in sequence order.
fn messages(conn: &Connection, sealer: &Sealer, share_id: i64) -> Result<Vec<Message>> {
    let mut statement = conn
        .prepare_cached("SELECT id, message FROM share_inbox WHERE share_id = ?1 ORDER BY seq")?;
    let mut rows = statement.query([share_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let sealed: Vec<u8> = row.get(1)?;
        out.push(Message::decode(&sealer.open(message_slot(id), &sealed)?)?);
    }
    Ok(out)
}

fn time(millis: i64) -> Result<Timestamp> {
    Timestamp::from_millis(millis)
}

/// Which dose a word from the patient is about: `(medicine, due, actual)`; `due` is `None`
/// for an as-needed dose, which is told apart by its actual time instead.
type DoseKey = (i64, Option<Timestamp>, Option<Timestamp>);

/// The shared schedule and the patient's word on each dose, from messages in sequence order.
struct Picture {
    /// `(due, medicine)` → name, as the latest schedule covering `due` says.
    planned: BTreeMap<(Timestamp, i64), Option<String>>,
    /// The latest word on each dose.
    answers: BTreeMap<DoseKey, Word>,
    /// Where the shared schedule ends (the latest end of any window), if one was shared.
    schedule_end: Option<Timestamp>,
}

/// What the patient's phone said about a dose.
struct Word {
    status: SharedDoseStatus,
    actual: Option<Timestamp>,
    /// The medicine's name, if shared.
    name: Option<String>,
}

fn picture(messages: &[Message]) -> Result<Picture> {
    let mut planned = BTreeMap::new();
    let mut answers = BTreeMap::new();
    let mut schedule_end: Option<Timestamp> = None;
    for message in messages {
        match &message.body {
            Body::Schedule { from, to, doses } => {
                let (from, to) = (time(*from)?, time(*to)?);
                schedule_end = schedule_end.max(Some(to));
                planned.retain(|(due, _), _| *due < from || *due >= to);
                for entry in doses {
                    for minutes in &entry.at {
                        let due = from.plus(Duration::from_secs(u64::from(*minutes) * 60));
                        if due < to {
                            planned.insert((due, entry.medicine), entry.name.clone());
                        }
                    }
                }
            }
            Body::Dose {
                medicine,
                name,
                status,
                scheduled,
                actual,
            } => {
                let scheduled = scheduled.map(time).transpose()?;
                let actual = actual.map(time).transpose()?;
                // A scheduled dose is one dose whatever its actual time; an as-needed one is
                // keyed by when it was taken.
                let key = match scheduled {
                    Some(_) => (*medicine, scheduled, None),
                    None => (*medicine, None, actual),
                };
                answers.insert(
                    key,
                    Word {
                        status: *status,
                        actual,
                        name: name.clone(),
                    },
                );
            }
            _ => {}
        }
    }
    Ok(Picture {
        planned,
        answers,
        schedule_end,
    })
}

/// Where a dose with no word from the patient stands at `now`.
fn unanswered(due: Timestamp, now: Timestamp, grace: Duration) -> SharedDoseStatus {
    if now < due {
        SharedDoseStatus::Upcoming
    } else if now < due.plus(grace) {
        SharedDoseStatus::Due
    } else {
        SharedDoseStatus::Unconfirmed
    }
}

fn is_confirmation(status: SharedDoseStatus) -> bool {
    matches!(
        status,
        SharedDoseStatus::Taken | SharedDoseStatus::TakenLate | SharedDoseStatus::Skipped
    )
}

fn grace_of(share: &ShareRow) -> Duration {
    let minutes = match share.details.side {
        Side::Caregiver { grace_minutes, .. } => grace_minutes,
        Side::Patient { .. } => 0,
    };
    Duration::from_secs(u64::from(minutes) * 60)
}

fn doses_in(
    picture: &Picture,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
    grace: Duration,
) -> Vec<SharedDose> {
    let mut doses = Vec::new();
    for ((due, medicine), name) in picture.planned.range((from, i64::MIN)..(to, i64::MIN)) {
        let word = picture.answers.get(&(*medicine, Some(*due), None));
        doses.push(SharedDose {
            medicine_id: *medicine,
            name: name.clone().or_else(|| word.and_then(|w| w.name.clone())),
            due_at: Some(*due),
            status: word.map_or_else(|| unanswered(*due, now, grace), |w| w.status),
            actual_at: word.and_then(|w| w.actual),
        });
    }
    // Answers for doses outside any shared schedule, and as-needed doses.
    for ((medicine, scheduled, _), word) in &picture.answers {
        let at = scheduled.or(word.actual);
        let in_range = at.is_some_and(|at| at >= from && at < to);
        let planned = scheduled.is_some_and(|due| picture.planned.contains_key(&(due, *medicine)));
        if in_range && !planned {
            doses.push(SharedDose {
                medicine_id: *medicine,
                name: word.name.clone(),
                due_at: *scheduled,
                status: word.status,
                actual_at: word.actual,
            });
        }
    }
    crate::order::sort_by_key(&mut doses, |d| (d.due_at.or(d.actual_at), d.medicine_id));
    doses
}

impl Store {
    /// Caregiver side: takes in a pushed body (the raw bytes the push service delivered).
    /// Refused with `InvalidInput` when no followed patient's keys open it; a duplicate, a
    /// replay, or a message after the share ended is `ignored` and changes nothing.
    pub fn receive(&self, body: &[u8], now: Timestamp) -> Result<ReceivedMessage> {
        if body.len() > MAX_BODY {
            return Err(Error::invalid(
                "body",
                "is larger than a push message may be",
            ));
        }
        self.write(|tx, sealer| {
            let mut opened = None;
            for share in record::all(tx, sealer)? {
                let Some((keys, _)) = receiver_keys(&share) else {
                    continue;
                };
                if let Ok(plaintext) = ece::decrypt(body, &keys) {
                    opened = Some((share, plaintext));
                    break;
                }
            }
            let (mut share, plaintext) = opened.ok_or_else(|| {
                Error::invalid("body", "is not a message for any patient followed here")
            })?;
            let message = Message::decode(&plaintext)?;
            if message.share != share.key {
                return Err(Error::invalid("body", "names another share than its keys"));
            }
            let kind = message.body.kind();
            let ended = matches!(share.state, ShareState::Revoked | ShareState::Gone);
            let stored = !ended && store_message(tx, sealer, &share, &message, &plaintext, now)?;
            if stored {
                match &message.body {
                    Body::Shared { name, scopes } => {
                        share.details.peer_name = Some(name.clone());
                        share.details.scopes = scopes.clone();
                    }
                    Body::Revoked => share.state = ShareState::Revoked,
                    Body::DiaryRemoved { entry } => forget_diary_entry(tx, sealer, &share, *entry)?,
                    _ => {}
                }
                if share.state == ShareState::Offered {
                    share.state = ShareState::Active;
                }
                tx.execute(
                    "UPDATE share SET last_received_at = ?2 WHERE id = ?1",
                    params![share.id, now.as_millis()],
                )?;
                record::save(tx, sealer, &share, now)?;
            }
            let share = record::get(tx, sealer, share.id)?;
            Ok(ReceivedMessage {
                share_id: share.id,
                kind,
                seq: message.seq,
                ignored: !stored,
                share: record::info(tx, &share)?,
            })
        })
    }

    /// Caregiver side: what one patient shared: the doses due in `[from, to)` as they stand at
    /// `now`, daily summaries, warnings and phenotypes.
    pub fn patient_view(
        &self,
        share_id: i64,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> Result<PatientView> {
        if to < from {
            return Err(Error::invalid(
                "to",
                "the end of the range is before its start",
            ));
        }
        self.read(|conn, sealer| {
            let share = record::get(conn, sealer, share_id)?;
            if share.role() != ShareRole::Caregiver {
                return Err(Error::invalid(
                    "share_id",
                    "is a share this phone gives, not one it follows",
                ));
            }
            let messages = messages(conn, sealer, share.id)?;
            let picture = picture(&messages)?;
            let mut days: BTreeMap<LocalDate, SharedDay> = BTreeMap::new();
            let mut warnings = Vec::new();
            let mut phenotypes = Vec::new();
            let mut supply = BTreeMap::new();
            let mut diary = BTreeMap::new();
            for message in &messages {
                match &message.body {
                    Body::Summary {
                        day,
                        scheduled,
                        taken,
                        late,
                        skipped,
                        missed,
                    } => {
                        days.insert(
                            *day,
                            SharedDay {
                                day: *day,
                                scheduled: *scheduled,
                                taken: *taken,
                                late: *late,
                                skipped: *skipped,
                                missed: *missed,
                            },
                        );
                    }
                    Body::Warning {
                        warning,
                        title,
                        what_to_do,
                    } => warnings.push(SharedWarning {
                        id: warning.clone(),
                        title: title.clone(),
                        what_to_do: what_to_do.clone(),
                        sent_at: time(message.at)?,
                    }),
                    Body::Pgx { phenotypes: latest } => phenotypes = latest.clone(),
                    Body::Supply {
                        medicine,
                        name,
                        status,
                        run_out,
                    } => {
                        supply.insert(
                            *medicine,
                            SharedSupply {
                                medicine_id: *medicine,
                                name: name.clone(),
                                status: *status,
                                run_out_at: run_out.map(time).transpose()?,
                                sent_at: time(message.at)?,
                            },
                        );
                    }
                    Body::Diary {
                        entry,
                        happened,
                        medicine,
                        name,
                        severity,
                        measurements,
                    } => {
                        diary.insert(
                            *entry,
                            SharedDiaryEntry {
                                entry_id: *entry,
                                at: time(*happened)?,
                                medicine_id: *medicine,
                                name: name.clone(),
                                severity: *severity,
                                measurements: measurements.clone(),
                            },
                        );
                    }
                    Body::DiaryRemoved { entry } => {
                        diary.remove(entry);
                    }
                    _ => {}
                }
            }
            warnings.reverse();
            let mut diary: Vec<SharedDiaryEntry> = diary.into_values().collect();
            crate::order::sort_by_key(&mut diary, |d| std::cmp::Reverse((d.at, d.entry_id)));
            let mut supply: Vec<SharedSupply> = supply.into_values().collect();
            crate::order::sort_by_key(&mut supply, |s| {
                (s.run_out_at.unwrap_or(Timestamp::MAX), s.medicine_id)
            });
            Ok(PatientView {
                share: record::info(conn, &share)?,
                doses: doses_in(&picture, from, to, now, grace_of(&share)),
                days: days.into_values().rev().collect(),
                warnings,
                phenotypes,
                supply,
                diary,
            })
        })
    }
}

/// Deletes the stored message that told of diary entry `entry` (the patient deleted it). Its
/// removal stays, so a replay of the old message is hidden from the view all the same.
fn forget_diary_entry(
    tx: &Connection,
    sealer: &Sealer,
    share: &ShareRow,
    entry: i64,
) -> Result<()> {
    let mut told = Vec::new();
    {
        let mut statement =
            tx.prepare_cached("SELECT id, message FROM share_inbox WHERE share_id = ?1")?;
        let mut rows = statement.query([share.id])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let sealed: Vec<u8> = row.get(1)?;
            let message = Message::decode(&sealer.open(message_slot(id), &sealed)?)?;
            if matches!(message.body, Body::Diary { entry: e, .. } if e == entry) {
                told.push(id);
            }
        }
    }
    for id in told {
        tx.execute("DELETE FROM share_inbox WHERE id = ?1", [id])?;
    }
    Ok(())
}

/// Stores a message unless its id or sequence number is already there; true if stored.
fn store_message(
    tx: &Connection,
    sealer: &Sealer,
    share: &ShareRow,
    message: &Message,
    plaintext: &[u8],
    now: Timestamp,
) -> Result<bool> {
    let duplicate: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM share_inbox
                         WHERE share_id = ?1 AND (seq = ?2 OR message_id = ?3))",
        params![share.id, message.seq, message.id],
        |r| r.get(0),
    )?;
    if duplicate {
        return Ok(false);
    }
    let id: i64 = tx.query_row(
        "SELECT coalesce(max(id), 0) + 1 FROM share_inbox",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO share_inbox (id, share_id, seq, message_id, message, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            share.id,
            message.seq,
            message.id,
            sealer.seal(message_slot(id), plaintext)?,
            now.as_millis()
        ],
    )?;
    Ok(true)
}

/// The missed-dose alerts of every followed patient that fire in `(now, until)`, grouped by
/// patient and dose time.
pub(crate) fn alerts_due(
    conn: &Connection,
    sealer: &Sealer,
    now: Timestamp,
    until: Timestamp,
) -> Result<Vec<AlertDue>> {
    let mut alerts = Vec::new();
    for share in record::all(conn, sealer)? {
        if share.role() != ShareRole::Caregiver || share.state != ShareState::Active {
            continue;
        }
        let grace = grace_of(&share);
        let picture = picture(&messages(conn, sealer, share.id)?)?;
        let mut by_due: BTreeMap<Timestamp, AlertDue> = BTreeMap::new();
        let first_due = now.minus(grace);
        for ((due, medicine), name) in picture
            .planned
            .range((first_due, i64::MIN)..(until.minus(grace), i64::MIN))
        {
            let confirmed = picture
                .answers
                .get(&(*medicine, Some(*due), None))
                .is_some_and(|word| is_confirmation(word.status));
            if confirmed {
                continue;
            }
            let alert = by_due.entry(*due).or_insert_with(|| AlertDue {
                silence: false,
                supply: None,
                share_id: share.id,
                patient: share.details.peer_name.clone().unwrap_or_default(),
                due_at: *due,
                fire_at: due.plus(grace),
                medicine_ids: Vec::new(),
                names: Vec::new(),
            });
            alert.medicine_ids.push(*medicine);
            if let Some(name) = name {
                alert.names.push(name.clone());
            }
        }
        alerts.extend(by_due.into_values().filter(|a| a.fire_at > now));
        // A patient's phone refreshes the schedule days before it ends; when it has not, the
        // caregiver is told a day ahead that the watch is about to stop.
        if let Some(end) = picture.schedule_end {
            let fire_at = end.minus(SILENCE_NOTICE);
            if fire_at > now && fire_at < until {
                alerts.push(AlertDue {
                    silence: true,
                    supply: None,
                    share_id: share.id,
                    patient: share.details.peer_name.clone().unwrap_or_default(),
                    due_at: end,
                    fire_at,
                    medicine_ids: Vec::new(),
                    names: Vec::new(),
                });
            }
        }
        if share.has_scope(ShareScope::Supply) {
            alerts.extend(supply_alerts(conn, sealer, &share, now, until)?);
        }
    }
    Ok(alerts)
}

/// How soon after a supply message arrives the caregiver is told: at once, as an alarm armed
/// by the plan made right after the message is taken in.
const SUPPLY_NOTICE: Duration = Duration::from_secs(60);

/// A followed patient's medicines whose latest supply word is "running low" or "refill
/// refused": one alert each, a minute after that word arrived (once: after it fired, later
/// plans leave it out).
fn supply_alerts(
    conn: &Connection,
    sealer: &Sealer,
    share: &ShareRow,
    now: Timestamp,
    until: Timestamp,
) -> Result<Vec<AlertDue>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, message, received_at FROM share_inbox WHERE share_id = ?1 ORDER BY seq",
    )?;
    let mut rows = statement.query([share.id])?;
    let mut latest: BTreeMap<i64, (SharedSupplyStatus, Option<String>, Timestamp)> =
        BTreeMap::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let sealed: Vec<u8> = row.get(1)?;
        let message = Message::decode(&sealer.open(message_slot(id), &sealed)?)?;
        if let Body::Supply {
            medicine,
            name,
            status,
            ..
        } = message.body
        {
            latest.insert(medicine, (status, name, time(row.get(2)?)?));
        }
    }
    Ok(latest
        .into_iter()
        .filter(|(_, (status, _, _))| {
            matches!(
                status,
                SharedSupplyStatus::RunningLow | SharedSupplyStatus::RefillRefused
            )
        })
        .map(|(medicine, (status, name, received))| AlertDue {
            silence: false,
            supply: Some(status),
            share_id: share.id,
            patient: share.details.peer_name.clone().unwrap_or_default(),
            due_at: received,
            fire_at: received.plus(SUPPLY_NOTICE),
            medicine_ids: vec![medicine],
            names: name.into_iter().collect(),
        })
        .filter(|alert| alert.fire_at > now && alert.fire_at < until)
        .collect())
}
