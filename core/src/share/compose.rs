//! The patient's side: what to tell each caregiver. [`crate::Records::sync_shares`] looks at what
//! happened since its last look and queues one message per new fact, within the share's
//! scopes, moving the share's cursor in the same transaction (so a fact is queued exactly
//! once, even if the app dies right after):
//! - every dose taken or skipped (snoozes are not sent), with its scheduled and actual time;
//! - every dose that became missed;
//! - the schedule for the next [`SCHEDULE_DAYS`] local days, whenever it changed and when
//!   fewer than [`RESEND_WHEN_DAYS_LEFT`] days of the last one remain (names only with the
//!   medicines scope: with adherence only, times and counts are what the caregiver's alerts
//!   need);
//! - each finished local day's summary, once its last dose could have been missed;
//! - each new high-severity warning (warnings scope), and PGx phenotypes when they change
//!   (PGx scope);
//! - each change of a tracked medicine's supply (supply scope): running low, refill
//!   requested, refill refused, restocked;
//! - each new diary entry (medicines scope): when, its severity, its measurements and the
//!   medicine it is linked to, by name. The patient's own text is never sent: it may say
//!   anything, and the medicines scope shares what is taken and how, not what the patient
//!   writes. A deleted entry the caregiver was told of is followed by its removal
//!   ([`queue_diary_removal`]).
//!
//! A share for the supply alone (no adherence scope) sends supply messages only.
//!
//! Only facts from after the share was accepted are sent: the first schedule starts then,
//! not at midnight, so doses answered before are not shown to the caregiver as unconfirmed.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::message::{Body, ScheduleEntry, SharedDoseStatus, SharedPhenotype, SharedSupplyStatus};
use super::record::{self, Cursor, ShareRow, Side};
use super::{ShareScope, ShareState, ece::MAX_PLAINTEXT, outbox};
use crate::diary;
use crate::dose::DoseStatus;
use crate::dose::day::local_day;
use crate::dose::read_doses;
use crate::error::{Error, Result};
use crate::medicine;
use crate::schedule::{Frame, LocalDate};
use crate::snapshot::Snapshot;
use crate::store::seal::Sealer;
use crate::time::Timestamp;
use crate::warning::{Severity, Warning};

/// Days of schedule a caregiver is sent ahead.
pub const SCHEDULE_DAYS: u64 = 7;
/// The schedule is sent again when fewer days than this remain of the last one.
pub const RESEND_WHEN_DAYS_LEFT: u64 = 4;
/// Most finished days summarised in one look (a phone off for a month sends a week).
const MAX_SUMMARY_DAYS: u64 = 7;
/// Room left in a message for its envelope (id, share key, sequence, time).
const ENVELOPE: usize = 160;

const DAY: Duration = Duration::from_secs(86_400);

/// What one look at the patient's data queued.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Messages added to outboxes.
    pub queued: u32,
    /// Messages left out because they would not fit one push (a warning with an unusually
    /// long text); the rest were queued.
    pub too_large: u32,
}

/// Where one tracked medicine's supply stands now, for the supply scope (worked out by the
/// caller, which knows the forecasts and the refill orders).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SupplyFact {
    /// The medicine.
    pub medicine_id: i64,
    /// Where it stands; never [`SharedSupplyStatus::Restocked`] (that is the step from any
    /// other status to none).
    pub status: SharedSupplyStatus,
    /// When it runs out.
    pub run_out_at: Option<Timestamp>,
}

/// The facts of one look, shared by every share.
struct Look<'a> {
    snapshot: &'a Snapshot,
    now: Timestamp,
    zone: crate::Zone,
    names: BTreeMap<i64, String>,
    warnings: &'a [Warning],
    phenotypes: &'a [SharedPhenotype],
    /// Tracked medicines that run low or have a refill under way (empty unless some share has
    /// the supply scope).
    supply: Vec<SupplyFact>,
}

/// The new messages for one share; moves its cursor past them.
fn look_for(
    tx: &Connection,
    sealer: &Sealer,
    look: &Look<'_>,
    share: &mut ShareRow,
) -> Result<Vec<Body>> {
    let with_names = share.has_scope(ShareScope::Medicines);
    let name_of = |id: i64| with_names.then(|| look.names.get(&id).cloned()).flatten();
    let scopes = share.details.scopes.clone();
    let Side::Patient { cursor, .. } = &mut share.details.side else {
        return Ok(Vec::new());
    };
    let mut bodies = Vec::new();
    if scopes.contains(&ShareScope::Adherence) {
        answered_doses(tx, look, cursor, &name_of, &mut bodies)?;
        missed_doses(tx, sealer, look, cursor, &name_of, &mut bodies)?;
        schedule(tx, sealer, look, cursor, with_names, &name_of, &mut bodies)?;
        summaries(tx, sealer, look, cursor, &mut bodies)?;
    }
    if scopes.contains(&ShareScope::Supply) {
        supply(look, cursor, &name_of, &mut bodies);
    }
    if scopes.contains(&ShareScope::Medicines) {
        diary_entries(tx, sealer, cursor, &name_of, &mut bodies)?;
    }
    if scopes.contains(&ShareScope::Warnings) {
        new_warnings(look, cursor, &mut bodies);
    }
    if scopes.contains(&ShareScope::Pgx) {
        phenotypes(look, cursor, &mut bodies);
    }
    Ok(bodies)
}

/// Doses taken or skipped since the cursor's last event.
fn answered_doses(
    tx: &Connection,
    look: &Look<'_>,
    cursor: &mut Cursor,
    name_of: &dyn Fn(i64) -> Option<String>,
    out: &mut Vec<Body>,
) -> Result<()> {
    let late_after =
        Duration::from_secs(u64::from(look.snapshot.settings.thresholds.late_after_minutes) * 60);
    let mut statement = tx.prepare_cached(
        "SELECT id, medicine_id, action, scheduled_at, actual_at FROM dose_event
          WHERE id > ?1 ORDER BY id",
    )?;
    let mut rows = statement.query([cursor.last_event_id])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        cursor.last_event_id = id;
        let medicine: i64 = row.get(1)?;
        let scheduled: Option<i64> = row.get(3)?;
        let actual: i64 = row.get(4)?;
        let action: String = row.get(2)?;
        let status = match action.as_str() {
            "taken" => match scheduled {
                Some(due) if actual > Timestamp::from_millis(due)?.plus(late_after).as_millis() => {
                    SharedDoseStatus::TakenLate
                }
                _ => SharedDoseStatus::Taken,
            },
            "skipped" => SharedDoseStatus::Skipped,
            _ => continue,
        };
        out.push(Body::Dose {
            medicine,
            name: name_of(medicine),
            status,
            scheduled,
            actual: Some(actual),
        });
    }
    Ok(())
}

/// Doses whose missed threshold passed since the last look and that are still unanswered.
fn missed_doses(
    tx: &Connection,
    sealer: &Sealer,
    look: &Look<'_>,
    cursor: &mut Cursor,
    name_of: &dyn Fn(i64) -> Option<String>,
    out: &mut Vec<Body>,
) -> Result<()> {
    let missed_after =
        Duration::from_secs(u64::from(look.snapshot.settings.thresholds.missed_after_minutes) * 60);
    // A phone off for weeks reports the last two days, not a flood.
    let since = cursor
        .missed_until
        .unwrap_or(look.now)
        .max(look.now.minus(2 * DAY));
    cursor.missed_until = Some(look.now);
    let (from, to) = (since.minus(missed_after), look.now.minus(missed_after));
    if to <= from {
        return Ok(());
    }
    for dose in read_doses(
        tx,
        sealer,
        look.snapshot,
        (from, to),
        look.now,
        &mut Vec::new(),
    )? {
        if let (DoseStatus::Missed, Some(due)) = (dose.status, dose.due_at) {
            out.push(Body::Dose {
                medicine: dose.medicine_id,
                name: name_of(dose.medicine_id),
                status: SharedDoseStatus::Missed,
                scheduled: Some(due.as_millis()),
                actual: None,
            });
        }
    }
    Ok(())
}

/// The local date of `at` in `zone`.
fn local_date(zone: crate::Zone, at: Timestamp) -> NaiveDate {
    Frame::Zone(zone).local(at).date()
}

/// The next days' dose times, when they changed or run short.
fn schedule(
    tx: &Connection,
    sealer: &Sealer,
    look: &Look<'_>,
    cursor: &mut Cursor,
    with_names: bool,
    name_of: &dyn Fn(i64) -> Option<String>,
    out: &mut Vec<Body>,
) -> Result<()> {
    let names: Vec<&String> = if with_names {
        look.names.values().collect()
    } else {
        Vec::new()
    };
    let fingerprint = format!(
        "{}/{}",
        look.snapshot.generation(),
        fingerprint(&format!("{names:?}"))
    );
    let fresh = cursor.schedule_fingerprint.as_deref() == Some(fingerprint.as_str())
        && cursor
            .schedule_until
            .is_some_and(|until| until > look.now.plus(RESEND_WHEN_DAYS_LEFT as u32 * DAY));
    if fresh {
        return Ok(());
    }
    let today = local_date(look.zone, look.now);
    // From the start of today, or from when sharing began: the caregiver was not told about
    // doses before that, so must not count them as unconfirmed.
    let since = cursor.since.unwrap_or(Timestamp::MIN);
    // Whole minutes: dose times travel as minutes after `from`.
    let since = Timestamp::from_millis(since.as_millis().div_euclid(60_000) * 60_000)?;
    let from = local_day(look.zone, today).0.max(since);
    let period = (from, from.plus(SCHEDULE_DAYS as u32 * DAY + DAY));
    let planned = read_doses(tx, sealer, look.snapshot, period, look.now, &mut Vec::new())?;
    // The longest window that fits one message, a week at most.
    for days in (1..=SCHEDULE_DAYS).rev() {
        let to = local_day(look.zone, today + chrono::Days::new(days)).0;
        let mut by_medicine: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
        for dose in &planned {
            if let Some(due) = dose.due_at.filter(|due| *due >= from && *due < to) {
                let minutes = (due.as_millis() - from.as_millis()) / 60_000;
                by_medicine
                    .entry(dose.medicine_id)
                    .or_default()
                    .push(u32::try_from(minutes).unwrap_or(u32::MAX));
            }
        }
        let body = Body::Schedule {
            from: from.as_millis(),
            to: to.as_millis(),
            doses: by_medicine
                .into_iter()
                .map(|(medicine, mut at)| {
                    crate::order::sort(&mut at);
                    at.dedup();
                    ScheduleEntry {
                        medicine,
                        name: name_of(medicine),
                        at,
                    }
                })
                .collect(),
        };
        let size = serde_json::to_vec(&body).map_or(usize::MAX, |b| b.len());
        if size + ENVELOPE <= MAX_PLAINTEXT || days == 1 {
            cursor.schedule_fingerprint = Some(fingerprint);
            cursor.schedule_until = Some(to);
            if size + ENVELOPE <= MAX_PLAINTEXT {
                out.push(body);
            }
            return Ok(());
        }
    }
    Ok(())
}

/// Diary entries written since the last look (and since the share began), without their text.
fn diary_entries(
    tx: &Connection,
    sealer: &Sealer,
    cursor: &mut Cursor,
    name_of: &dyn Fn(i64) -> Option<String>,
    out: &mut Vec<Body>,
) -> Result<()> {
    let since = cursor.since.unwrap_or(Timestamp::MIN);
    for entry in diary::entries_after(tx, sealer, cursor.last_diary_id, since)? {
        cursor.last_diary_id = entry.id;
        out.push(Body::Diary {
            entry: entry.id,
            happened: entry.at.as_millis(),
            medicine: entry.medicine_id,
            name: entry.medicine_id.and_then(name_of),
            severity: entry.severity,
            measurements: entry.measurements,
        });
    }
    Ok(())
}

/// Queues, inside `tx`, the removal of diary entry `entry` (recorded at `recorded_at`, being
/// deleted now) for every active share that was told of it.
pub(crate) fn queue_diary_removal(
    tx: &Connection,
    sealer: &Sealer,
    entry: i64,
    recorded_at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    for share in record::all(tx, sealer)? {
        let Side::Patient { cursor, .. } = &share.details.side else {
            continue;
        };
        let told = share.state == ShareState::Active
            && share.has_scope(ShareScope::Medicines)
            && entry <= cursor.last_diary_id
            && recorded_at >= cursor.since.unwrap_or(Timestamp::MIN);
        if told {
            outbox::enqueue(tx, sealer, &share, Body::DiaryRemoved { entry }, now)?;
        }
    }
    Ok(())
}

/// Summaries of finished local days not yet summarised.
fn summaries(
    tx: &Connection,
    sealer: &Sealer,
    look: &Look<'_>,
    cursor: &mut Cursor,
    out: &mut Vec<Body>,
) -> Result<()> {
    let missed_after =
        Duration::from_secs(u64::from(look.snapshot.settings.thresholds.missed_after_minutes) * 60);
    let today = local_date(look.zone, look.now);
    let Some(LocalDate(last)) = cursor.summary_day else {
        // The first look: the day the share began is the first one summarised.
        cursor.summary_day = today.pred_opt().map(LocalDate);
        return Ok(());
    };
    let oldest = today - chrono::Days::new(MAX_SUMMARY_DAYS);
    let mut day = last.succ_opt().unwrap_or(last).max(oldest);
    while day < today {
        let (from, to) = local_day(look.zone, day);
        // Wait until the day's last dose could have been missed.
        if to.plus(missed_after) > look.now {
            break;
        }
        let (mut scheduled, mut taken, mut late, mut skipped, mut missed) = (0, 0, 0, 0, 0);
        for dose in read_doses(
            tx,
            sealer,
            look.snapshot,
            (from, to),
            look.now,
            &mut Vec::new(),
        )? {
            if dose.due_at.is_none() {
                continue;
            }
            scheduled += 1;
            match dose.status {
                DoseStatus::Taken => taken += 1,
                DoseStatus::TakenLate => late += 1,
                DoseStatus::Skipped => skipped += 1,
                DoseStatus::Missed => missed += 1,
                _ => {}
            }
        }
        out.push(Body::Summary {
            day: LocalDate(day),
            scheduled,
            taken,
            late,
            skipped,
            missed,
        });
        cursor.summary_day = Some(LocalDate(day));
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    Ok(())
}

/// High-severity warnings not present at the last look.
fn new_warnings(look: &Look<'_>, cursor: &mut Cursor, out: &mut Vec<Body>) {
    let high: BTreeSet<String> = crate::order::set(
        look.warnings
            .iter()
            .filter(|w| w.severity == Severity::High)
            .map(|w| w.id.clone()),
    );
    for warning in look
        .warnings
        .iter()
        .filter(|w| w.severity == Severity::High && !cursor.warnings.contains(&w.id))
    {
        out.push(Body::Warning {
            warning: warning.id.clone(),
            title: warning.title.clone(),
            what_to_do: warning.what_to_do.clone(),
        });
    }
    cursor.warnings = high;
}

/// Supply statuses that changed since the last look: a new or different status, and
/// `Restocked` for a medicine that had one and no longer has.
fn supply(
    look: &Look<'_>,
    cursor: &mut Cursor,
    name_of: &dyn Fn(i64) -> Option<String>,
    out: &mut Vec<Body>,
) {
    let mut sent: BTreeMap<i64, String> = crate::order::map(std::mem::take(&mut cursor.supply));
    let current: BTreeMap<i64, &SupplyFact> =
        crate::order::map(look.supply.iter().map(|f| (f.medicine_id, f)));
    for fact in current.values() {
        let word = fact.status.as_str();
        if sent.get(&fact.medicine_id).map(String::as_str) != Some(word) {
            out.push(Body::Supply {
                medicine: fact.medicine_id,
                name: name_of(fact.medicine_id),
                status: fact.status,
                run_out: fact.run_out_at.map(Timestamp::as_millis),
            });
            sent.insert(fact.medicine_id, word.to_owned());
        }
    }
    sent.retain(|medicine, _| {
        let still = current.contains_key(medicine);
        if !still {
            out.push(Body::Supply {
                medicine: *medicine,
                name: name_of(*medicine),
                status: SharedSupplyStatus::Restocked,
                run_out: None,
            });
        }
        still
    });
    cursor.supply = sent.into_iter().collect();
}

/// The phenotypes, when they changed.
fn phenotypes(look: &Look<'_>, cursor: &mut Cursor, out: &mut Vec<Body>) {
    let mut phenotypes = look.phenotypes.to_vec();
    crate::order::sort_by(&mut phenotypes, |a, b| {
        (&a.gene, &a.phenotype).cmp(&(&b.gene, &b.phenotype))
    });
    let fingerprint = fingerprint(&format!("{phenotypes:?}"));
    if cursor.pgx_fingerprint.as_deref() != Some(fingerprint.as_str()) {
        cursor.pgx_fingerprint = Some(fingerprint);
        out.push(Body::Pgx { phenotypes });
    }
}

/// A short fingerprint of `text` (the first 8 bytes of its SHA-256, in hex) to tell whether
/// something changed since it was last sent; it is stored sealed.
fn fingerprint(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Queues, for every active share this patient gives, the messages for what happened since
/// the last call (see the module docs), inside `tx`. `warnings` are the patient's current
/// warnings and `phenotypes` the current PGx phenotypes; each is sent only if in scope. The
/// planning snapshot is read only when some share is active, and `supply` (the tracked
/// medicines' supply facts) only when some share has the supply scope.
pub(crate) fn queue_updates(
    tx: &Connection,
    sealer: &Sealer,
    snapshot: impl FnOnce() -> Result<std::sync::Arc<Snapshot>>,
    supply: impl FnOnce(&Snapshot) -> Result<Vec<SupplyFact>>,
    now: Timestamp,
    warnings: &[Warning],
    phenotypes: &[SharedPhenotype],
) -> Result<SyncReport> {
    let shares: Vec<ShareRow> = record::all(tx, sealer)?
        .into_iter()
        .filter(|s| s.state == ShareState::Active && matches!(s.details.side, Side::Patient { .. }))
        .collect();
    if shares.is_empty() {
        return Ok(SyncReport::default());
    }
    let snapshot = snapshot()?;
    let names = if shares.iter().any(|s| s.has_scope(ShareScope::Medicines)) {
        medicine::list(tx, sealer, true)?
            .into_iter()
            .map(|m| (m.id, m.info.name))
            .collect()
    } else {
        BTreeMap::new()
    };
    let look = Look {
        snapshot: &snapshot,
        now,
        zone: snapshot
            .zones
            .as_ref()
            .map_or(crate::Zone::UTC, |z| z.zone_at(now)),
        names,
        warnings,
        phenotypes,
        supply: if shares.iter().any(|s| s.has_scope(ShareScope::Supply)) {
            supply(&snapshot)?
        } else {
            Vec::new()
        },
    };
    let mut report = SyncReport::default();
    for mut share in shares {
        let bodies = look_for(tx, sealer, &look, &mut share)?;
        for body in bodies {
            match outbox::enqueue(tx, sealer, &share, body, now) {
                Ok(()) => report.queued += 1,
                // One message that cannot fit a push must not block every other one.
                Err(Error::InvalidInput {
                    field: "message", ..
                }) => report.too_large += 1,
                Err(error) => return Err(error),
            }
        }
        record::save(tx, sealer, &share, now)?;
    }
    Ok(report)
}
