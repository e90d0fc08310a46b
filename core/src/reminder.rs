//! Reminder planning: the notifications the phone should have pending. The core plans; the
//! OS delivers. [`plan`] is a pure function of a [`PlanInput`]; the app calls
//! [`crate::Records::plan_notifications`] (which gathers the input) on start, after every log
//! and at the plan's `refresh_at`, diffs the plan's stable ids against what is pending, and
//! adds or cancels only what changed.
//!
//! The rules:
//! - doses due at the same moment are one notification (a snoozed dose's moment is its
//!   snooze's end), and the patient never gets two notifications in one minute: a snooze's
//!   end and another dose's follow-up at 08:10 are one notification naming both;
//! - each gets follow-ups every `follow_up_every_minutes`, `follow_up_count` times, until it
//!   is answered or missed; an optional heads-up comes before it;
//! - text follows the patient's privacy level: hidden, generic (the default: "Time for your
//!   8:00 medicines", no names on the lock screen) or full names;
//! - within the budget: every medicine's next dose notification is kept, then the nearest
//!   others; `refresh_at` is when the app must plan again (the first one left out, or the end
//!   of the horizon);
//! - the same inputs give the same plan, byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::dose::{DoseStatus, ScheduledDose};
use crate::error::{Error, Result};
use crate::medicine::Medicine;
use crate::schedule::{Frame, Quantity, ScheduleProblem, ZoneTimeline};
use crate::settings::{PrivacyLevel, Settings};
use crate::share::caregiver::AlertDue;
use crate::share::message::SharedSupplyStatus;
use crate::supply::{RefillDue, RefillsDue};
use crate::time::Timestamp;

/// Longest horizon a plan may cover.
pub const MAX_HORIZON: Duration = Duration::from_secs(31 * 86_400);
/// Largest budget a plan may have.
pub const MAX_BUDGET: u32 = 1_000;

/// What a notification is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Shortly before doses are due.
    HeadsUp,
    /// Doses are due.
    Dose,
    /// Doses are still unanswered.
    FollowUp,
    /// Caregiver side: a followed patient's dose was not confirmed within the grace time.
    CaregiverAlert,
    /// Caregiver side: a followed patient's phone has sent no schedule for the days ahead, so
    /// missed-dose alerts end a day after this fires (`due_at`) unless it is heard from.
    CaregiverSilence,
    /// Medicines are running low: time to refill (`due_at` is when the first runs out).
    Refill,
}

/// One notification the phone should have pending.
#[cfg_attr(feature = "uniffi", uniffi::export(Display))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PlannedNotification {
    /// Stable id: the same notification has the same id in every plan.
    pub id: String,
    /// A stable 31-bit number derived from `id`, for platforms that want integers (Android).
    pub platform_id: i32,
    /// What it is for.
    pub kind: NotificationKind,
    /// When to show it.
    pub fire_at: Timestamp,
    /// The moment of the doses it is about.
    pub due_at: Timestamp,
    /// The medicines it is about, by id (for a caregiver alert, the patient's ids).
    pub medicine_ids: Vec<i64>,
    /// For a caregiver alert: the share (followed patient) it is about.
    pub share_id: Option<i64>,
    /// Title, at the patient's privacy level.
    pub title: String,
    /// Body, at the patient's privacy level.
    pub body: String,
    /// Group (thread) identifier, so the OS can stack a dose's notifications.
    pub group: String,
}

crate::redact::redacted_display!(
    PlannedNotification,
    id,
    platform_id,
    kind,
    fire_at,
    due_at,
    medicine_ids
);

/// The notifications to have pending, and when to plan again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NotificationPlan {
    /// Nearest first.
    pub notifications: Vec<PlannedNotification>,
    /// Plan again at this instant at the latest.
    pub refresh_at: Timestamp,
    /// Medicines left out of the plan because their schedule cannot be planned: tell the
    /// patient, who must give each a new schedule (or archive it).
    pub schedule_problems: Vec<ScheduleProblem>,
    /// Medicines whose refill reminder is wanted now: one already shown for another medicine
    /// was answered (or its stock came in) and can be dismissed.
    pub refills_open: Vec<i64>,
}

/// Doses that share a reminder moment.
struct Moment {
    /// When the patient should act (due time, or a snooze's end).
    at: Timestamp,
    /// The scheduled time they answer (the earliest, for a mixed group).
    due_at: Timestamp,
    medicine_ids: BTreeSet<i64>,
    /// How much of each medicine, where the schedule says (shown at the `full` level only).
    amounts: BTreeMap<i64, Quantity>,
    /// Set for a followed patient's missed-dose alert (caregiver side).
    caregiver: Option<CaregiverMoment>,
    /// Set for a refill reminder: the medicines of `medicine_ids` run low (`due_at` is when
    /// the first runs out).
    refill: bool,
}

/// Who a caregiver alert is about, and which kind it is.
struct CaregiverMoment {
    kind: NotificationKind,
    /// For a supply alert: the medicine's status.
    supply: Option<SharedSupplyStatus>,
    share_id: i64,
    patient: String,
    /// Medicine names, if the patient shares them.
    names: Vec<String>,
}

impl From<AlertDue> for Moment {
    fn from(alert: AlertDue) -> Self {
        Moment {
            at: alert.fire_at,
            due_at: alert.due_at,
            medicine_ids: alert.medicine_ids.into_iter().collect(),
            amounts: BTreeMap::new(),
            refill: false,
            caregiver: Some(CaregiverMoment {
                kind: if alert.silence {
                    NotificationKind::CaregiverSilence
                } else {
                    NotificationKind::CaregiverAlert
                },
                supply: alert.supply,
                share_id: alert.share_id,
                patient: alert.patient,
                names: alert.names,
            }),
        }
    }
}

/// Groups open doses by their reminder moment.
fn moments(doses: &[ScheduledDose]) -> Vec<Moment> {
    let mut by_time: BTreeMap<Timestamp, Moment> = BTreeMap::new();
    for dose in doses {
        let Some(due) = dose.due_at else { continue };
        let at = match dose.status {
            DoseStatus::Upcoming | DoseStatus::Due | DoseStatus::Late => due,
            DoseStatus::Snoozed => match dose.event.as_ref().and_then(|e| e.snooze_until) {
                Some(until) => until,
                None => continue,
            },
            _ => continue,
        };
        let moment = by_time.entry(at).or_insert_with(|| Moment {
            at,
            due_at: due,
            medicine_ids: BTreeSet::new(),
            amounts: BTreeMap::new(),
            caregiver: None,
            refill: false,
        });
        moment.due_at = moment.due_at.min(due);
        moment.medicine_ids.insert(dose.medicine_id);
        if let Some(amount) = &dose.dose {
            moment.amounts.insert(dose.medicine_id, amount.clone());
        }
    }
    by_time.into_values().collect()
}

/// Groups refill reminders firing at the same instant into one moment.
fn refill_moments(refills: &[RefillDue]) -> Vec<Moment> {
    let mut by_time: BTreeMap<Timestamp, Moment> = BTreeMap::new();
    for refill in refills {
        let moment = by_time.entry(refill.fire_at).or_insert_with(|| Moment {
            at: refill.fire_at,
            due_at: refill.run_out_at,
            medicine_ids: BTreeSet::new(),
            amounts: BTreeMap::new(),
            caregiver: None,
            refill: true,
        });
        moment.due_at = moment.due_at.min(refill.run_out_at);
        moment.medicine_ids.insert(refill.medicine_id);
    }
    by_time.into_values().collect()
}

/// FNV-1a, folded to 31 bits: a stable integer id from a string id.
fn platform_id(id: &str) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in id.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    (hash & 0x7fff_ffff) as i32
}

/// Builds notification texts.
struct Texts<'a> {
    privacy: PrivacyLevel,
    medicines: &'a BTreeMap<i64, Medicine>,
}

impl Texts<'_> {
    fn render(
        &self,
        kind: NotificationKind,
        moment: &Moment,
        clock: &str,
        heads_up_minutes: u32,
    ) -> (String, String) {
        if let Some(caregiver) = &moment.caregiver {
            return self.render_caregiver_alert(caregiver, clock);
        }
        if moment.refill {
            return self.render_refill(moment, clock);
        }
        let one = moment.medicine_ids.len() == 1;
        let noun = if one { "medicine" } else { "medicines" };
        let (needs, is) = if one {
            ("needs", "is")
        } else {
            ("need", "are")
        };
        match self.privacy {
            PrivacyLevel::Hidden => ("Reminder".into(), "You have a reminder".into()),
            PrivacyLevel::Generic => match kind {
                NotificationKind::Dose => {
                    ("Medicines".into(), format!("Time for your {clock} {noun}"))
                }
                NotificationKind::FollowUp => (
                    "Medicines".into(),
                    format!("Your {clock} {noun} still {needs} an answer"),
                ),
                NotificationKind::HeadsUp => (
                    "Medicines".into(),
                    format!("Your {clock} {noun} {is} due in {heads_up_minutes} minutes"),
                ),
                // Rendered by `render_caregiver_alert` and `render_refill` above.
                NotificationKind::CaregiverAlert
                | NotificationKind::CaregiverSilence
                | NotificationKind::Refill => ("Medicines".into(), String::new()),
            },
            PrivacyLevel::Full => {
                let list = self.full_list(moment);
                match kind {
                    NotificationKind::Dose => {
                        (format!("{clock} medicines"), format!("Time for {list}"))
                    }
                    NotificationKind::FollowUp => (
                        format!("{clock} medicines"),
                        format!("Still waiting: {list}"),
                    ),
                    NotificationKind::HeadsUp => (
                        format!("{clock} medicines"),
                        format!("In {heads_up_minutes} minutes: {list}"),
                    ),
                    NotificationKind::CaregiverAlert
                    | NotificationKind::CaregiverSilence
                    | NotificationKind::Refill => (format!("{clock} medicines"), list),
                }
            }
        }
    }

    /// A refill reminder: "A medicine is running low" by default; at the `full` level the
    /// medicines and the day the first runs out (`clock`).
    fn render_refill(&self, moment: &Moment, clock: &str) -> (String, String) {
        let count = moment.medicine_ids.len();
        match self.privacy {
            PrivacyLevel::Hidden => ("Reminder".into(), "You have a reminder".into()),
            PrivacyLevel::Generic if count == 1 => {
                ("Refill".into(), "A medicine is running low".into())
            }
            PrivacyLevel::Generic => (
                "Refill".into(),
                format!("{count} medicines are running low"),
            ),
            PrivacyLevel::Full => {
                let mut names: Vec<String> = moment
                    .medicine_ids
                    .iter()
                    .filter_map(|id| self.medicines.get(id))
                    .map(|m| match &m.info.strength {
                        Some(strength) => format!("{} {strength}", m.info.name),
                        None => m.info.name.clone(),
                    })
                    .collect();
                crate::order::sort_by_key(&mut names, |name| name.to_lowercase());
                let body = match names.as_slice() {
                    [one] => format!("{one} runs out {clock}: time to ask for a refill"),
                    many => format!(
                        "Running low: {}. The first runs out {clock}",
                        many.join(", ")
                    ),
                };
                ("Refill".into(), body)
            }
        }
    }

    /// The `full` level's list: each medicine with its strength and how much to take
    /// ("Prednisolone 5 mg (8 tablets)"), and for a single medicine its instructions.
    fn full_list(&self, moment: &Moment) -> String {
        let mut items: Vec<(String, Option<&str>)> = moment
            .medicine_ids
            .iter()
            .filter_map(|id| self.medicines.get(id).map(|m| (id, m)))
            .map(|(id, m)| {
                let mut item = m.info.name.clone();
                if let Some(strength) = &m.info.strength {
                    item.push_str(&format!(" {strength}"));
                }
                if let Some(amount) = moment.amounts.get(id) {
                    item.push_str(&format!(" ({})", amount.describe()));
                }
                (item, m.info.instructions.as_deref())
            })
            .collect();
        crate::order::sort_by_key(&mut items, |(item, _)| item.to_lowercase());
        match items.as_slice() {
            [(item, Some(instructions))] => format!("{item}. {instructions}"),
            _ => {
                let names: Vec<&str> = items.iter().map(|(item, _)| item.as_str()).collect();
                names.join(", ")
            }
        }
    }

    /// A followed patient's unconfirmed dose, at the caregiver's privacy level. `clock` is
    /// the dose's time on the caregiver's clock.
    /// For a silence alert `clock` is the day and time the shared schedule ends.
    fn render_caregiver_alert(&self, who: &CaregiverMoment, clock: &str) -> (String, String) {
        let patient = &who.patient;
        let names = || {
            let mut names = who.names.clone();
            crate::order::sort_by_key(&mut names, |name| name.to_lowercase());
            names.join(", ")
        };
        match (self.privacy, who.supply) {
            (PrivacyLevel::Hidden, _) => ("Reminder".into(), "You have a reminder".into()),
            (PrivacyLevel::Full, Some(SharedSupplyStatus::RefillRefused))
                if !who.names.is_empty() =>
            {
                (
                    format!("Check on {patient}"),
                    format!("The pharmacy turned down a refill: {}", names()),
                )
            }
            (_, Some(SharedSupplyStatus::RefillRefused)) => (
                format!("Check on {patient}"),
                "The pharmacy turned down a refill request".into(),
            ),
            (PrivacyLevel::Full, Some(_)) if !who.names.is_empty() => (
                format!("Check on {patient}"),
                format!("Running low: {}", names()),
            ),
            (_, Some(_)) => (
                format!("Check on {patient}"),
                "A medicine is running low".into(),
            ),
            (_, None) => self.render_dose_alert(who, clock),
        }
    }

    /// A followed patient's unconfirmed dose (or, for a silence alert, the shared schedule's
    /// end), at a privacy level other than hidden.
    fn render_dose_alert(&self, who: &CaregiverMoment, clock: &str) -> (String, String) {
        let patient = &who.patient;
        match self.privacy {
            PrivacyLevel::Hidden => ("Reminder".into(), "You have a reminder".into()),
            _ if who.kind == NotificationKind::CaregiverSilence => (
                format!("Check on {patient}"),
                format!("Nothing new from {patient}'s phone: missed-dose alerts stop {clock}"),
            ),
            PrivacyLevel::Full if !who.names.is_empty() => {
                let mut names = who.names.clone();
                crate::order::sort_by_key(&mut names, |name| name.to_lowercase());
                (
                    format!("Check on {patient}"),
                    format!("Not confirmed since {clock}: {}", names.join(", ")),
                )
            }
            PrivacyLevel::Generic | PrivacyLevel::Full => (
                format!("Check on {patient}"),
                format!("A dose due at {clock} has not been confirmed"),
            ),
        }
    }
}

/// A notification that may go into the plan; texts and ids are made only for those kept.
struct Candidate {
    kind: NotificationKind,
    fire_at: Timestamp,
    /// Index of its moment.
    moment: usize,
    /// Which follow-up (1-based), 0 for the others.
    follow_up: u32,
    /// Moments of other patient notifications in the same minute, folded into this one.
    folded: Vec<usize>,
}

/// The candidate notifications of one moment that fire after `now`.
fn candidates(
    index: usize,
    moment: &Moment,
    now: Timestamp,
    settings: &Settings,
    out: &mut Vec<Candidate>,
) {
    if moment.refill {
        if moment.at > now {
            out.push(Candidate {
                kind: NotificationKind::Refill,
                fire_at: moment.at,
                moment: index,
                follow_up: 0,
                folded: Vec::new(),
            });
        }
        return;
    }
    if let Some(who) = &moment.caregiver {
        // A caregiver alert is one notification, at the end of the grace time (or a day before
        // the shared schedule ends).
        if moment.at > now {
            out.push(Candidate {
                kind: who.kind,
                fire_at: moment.at,
                moment: index,
                follow_up: 0,
                folded: Vec::new(),
            });
        }
        return;
    }
    let reminders = settings.reminders;
    let missed = moment.due_at.plus(Duration::from_secs(
        u64::from(settings.thresholds.missed_after_minutes) * 60,
    ));
    let mut push = |kind: NotificationKind, fire_at: Timestamp, follow_up: u32| {
        if fire_at > now {
            out.push(Candidate {
                kind,
                fire_at,
                moment: index,
                follow_up,
                folded: Vec::new(),
            });
        }
    };
    if let Some(minutes) = reminders.heads_up_minutes {
        push(
            NotificationKind::HeadsUp,
            moment
                .at
                .minus(Duration::from_secs(u64::from(minutes) * 60)),
            0,
        );
    }
    push(NotificationKind::Dose, moment.at, 0);
    let every = Duration::from_secs(u64::from(reminders.follow_up_every_minutes) * 60);
    let mut at = moment.at;
    for n in 1..=reminders.follow_up_count {
        at = at.plus(every);
        if at >= missed {
            break;
        }
        push(NotificationKind::FollowUp, at, n);
    }
}

/// Which of two patient notifications in one minute is kept: a dose before a follow-up before
/// a heads-up.
fn rank(kind: NotificationKind) -> u8 {
    match kind {
        NotificationKind::Dose => 0,
        NotificationKind::FollowUp => 1,
        NotificationKind::HeadsUp => 2,
        NotificationKind::CaregiverAlert
        | NotificationKind::CaregiverSilence
        | NotificationKind::Refill => 3,
    }
}

/// Folds the patient's candidates that fire in the same minute into one (noting the other
/// moments in `folded`), so a snooze's end and a follow-up never ring twice; the kept one
/// takes the most urgent kind ([`rank`]). Caregiver alerts stay apart: each names its own
/// patient. `all` is in firing order, so one minute's candidates are next to each other.
fn one_per_minute(all: Vec<Candidate>, moments: &[Moment]) -> Vec<Candidate> {
    let minute = |c: &Candidate| c.fire_at.as_millis().div_euclid(60_000);
    let mut out: Vec<Candidate> = Vec::with_capacity(all.len());
    // Where in `out` this minute's patient notification is.
    let mut patient_at: Option<(i64, usize)> = None;
    for c in all {
        if moments[c.moment].caregiver.is_some() || moments[c.moment].refill {
            out.push(c);
            continue;
        }
        let Some(index) = patient_at
            .filter(|(m, _)| *m == minute(&c))
            .map(|(_, index)| index)
        else {
            patient_at = Some((minute(&c), out.len()));
            out.push(c);
            continue;
        };
        let kept = &mut out[index];
        if rank(c.kind) < rank(kept.kind) {
            kept.kind = c.kind;
            kept.follow_up = c.follow_up;
        }
        if kept.moment != c.moment && !kept.folded.contains(&c.moment) {
            kept.folded.push(c.moment);
        }
    }
    out
}

/// Gives each kept candidate that folded others a moment of its own naming every medicine
/// (made only for the few kept, not for every candidate).
fn merge_folded(kept: &mut [Candidate], moments: &mut Vec<Moment>) {
    for c in kept.iter_mut().filter(|c| !c.folded.is_empty()) {
        let first = &moments[c.moment];
        let mut merged = Moment {
            at: first.at,
            due_at: first.due_at,
            medicine_ids: first.medicine_ids.clone(),
            amounts: first.amounts.clone(),
            caregiver: None,
            refill: false,
        };
        for &other in &c.folded {
            let other = &moments[other];
            merged.due_at = merged.due_at.min(other.due_at);
            merged.medicine_ids.extend(&other.medicine_ids);
            for (id, amount) in &other.amounts {
                merged.amounts.entry(*id).or_insert_with(|| amount.clone());
            }
        }
        c.moment = moments.len();
        moments.push(merged);
    }
}

/// Keeps every medicine's next dose notification, then the nearest others, within `budget`
/// (after folding each minute's patient notifications into one); returns the kept ones in firing order and the first instant left out.
fn within_budget(
    mut all: Vec<Candidate>,
    moments: &[Moment],
    budget: usize,
) -> (Vec<Candidate>, Option<Timestamp>) {
    crate::order::sort_by_key(&mut all, |c| (c.fire_at, c.kind, c.moment, c.follow_up));
    let all = one_per_minute(all, moments);
    let mut keep = vec![false; all.len()];
    let mut covered = BTreeSet::new();
    let mut kept = 0;
    for (index, c) in all.iter().enumerate() {
        if kept == budget {
            break;
        }
        // Coverage is per medicine: the patient's own, and each followed patient's apart.
        let moment = &moments[c.moment];
        let share = moment.caregiver.as_ref().map(|who| who.share_id);
        let keys = || {
            std::iter::once(c.moment)
                .chain(c.folded.iter().copied())
                .flat_map(|m| moments[m].medicine_ids.iter().map(move |id| (share, *id)))
        };
        let first_of_kind = matches!(
            c.kind,
            NotificationKind::Dose | NotificationKind::CaregiverAlert
        );
        // A refill reminder names what no dose reminder does: keep each.
        if c.kind == NotificationKind::Refill {
            keep[index] = true;
            kept += 1;
        } else if first_of_kind && keys().any(|key| !covered.contains(&key)) {
            covered.extend(keys());
            keep[index] = true;
            kept += 1;
        }
    }
    for flag in keep.iter_mut() {
        if kept == budget {
            break;
        }
        if !*flag {
            *flag = true;
            kept += 1;
        }
    }
    let first_left_out = all
        .iter()
        .zip(&keep)
        .find(|(_, kept)| !**kept)
        .map(|(c, _)| c.fire_at);
    let kept = all
        .into_iter()
        .zip(keep)
        .filter_map(|(c, kept)| kept.then_some(c))
        .collect();
    (kept, first_left_out)
}

/// The notification a kept candidate becomes: its stable id, texts and group.
fn render(
    c: &Candidate,
    moment: &Moment,
    clock: &str,
    settings: &Settings,
    texts: &Texts<'_>,
    database_id: &str,
) -> PlannedNotification {
    let ids: Vec<i64> = moment.medicine_ids.iter().copied().collect();
    let id_list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let prefix = match c.kind {
        NotificationKind::HeadsUp => "heads-up".to_owned(),
        NotificationKind::Dose => "dose".to_owned(),
        NotificationKind::FollowUp => format!("follow-up-{}", c.follow_up),
        NotificationKind::CaregiverAlert => match &moment.caregiver {
            Some(who) if who.supply.is_some() => format!("caregiver-supply/{}", who.share_id),
            who => format!("caregiver/{}", who.as_ref().map_or(0, |who| who.share_id)),
        },
        NotificationKind::CaregiverSilence => format!(
            "caregiver-silence/{}",
            moment.caregiver.as_ref().map_or(0, |who| who.share_id)
        ),
        NotificationKind::Refill => "refill".to_owned(),
    };
    let id = format!(
        "{database_id}/{prefix}/{}/{}",
        moment.at.as_millis(),
        id_list.join("+")
    );
    let share_id = moment.caregiver.as_ref().map(|who| who.share_id);
    let supply = moment
        .caregiver
        .as_ref()
        .is_some_and(|who| who.supply.is_some());
    let group = match share_id {
        Some(share) if supply => format!("caregiver/{share}/supply/{}", id_list.join("+")),
        Some(share) => format!("caregiver/{share}/{}", moment.due_at.as_millis()),
        None if moment.refill => "refill".to_owned(),
        None => format!("dose/{}", moment.due_at.as_millis()),
    };
    let heads_up = settings.reminders.heads_up_minutes.unwrap_or(0);
    let (title, body) = texts.render(c.kind, moment, clock, heads_up);
    PlannedNotification {
        platform_id: platform_id(&id),
        id,
        kind: c.kind,
        fire_at: c.fire_at,
        due_at: moment.due_at,
        medicine_ids: ids,
        share_id,
        title,
        body,
        group,
    }
}

/// Everything a plan is made from, gathered by [`crate::Records::plan_notifications`] (or by a
/// test, with no database at all).
#[derive(Clone, Debug, Default)]
pub struct PlanInput {
    /// The patient's doses around the horizon with where each stands (open ones remind).
    pub doses: Vec<ScheduledDose>,
    /// The caregiver side's alerts for followed patients.
    pub alerts: Vec<AlertDue>,
    /// Refill reminders for medicines running low, and which are wanted now.
    pub refills: RefillsDue,
    /// Reminder settings and thresholds.
    pub settings: Settings,
    /// Where the phone was, for the clock times in texts (UTC when unknown).
    pub zones: Option<ZoneTimeline>,
    /// Medicines by id, for texts at the `full` privacy level (others need none).
    pub medicines: BTreeMap<i64, Medicine>,
    /// Medicines left out because their schedule cannot be planned.
    pub schedule_problems: Vec<ScheduleProblem>,
    /// This database's id, in every notification id (two databases on one phone never share
    /// an id).
    pub database_id: String,
}

/// How far back open doses are looked for: they still get follow-ups until they are missed.
pub fn lookback(settings: &Settings) -> Duration {
    Duration::from_secs(u64::from(settings.thresholds.missed_after_minutes) * 60 + 86_400)
}

/// Checks a plan's horizon and budget.
pub fn check_request(horizon: Duration, budget: u32) -> Result<()> {
    if horizon.is_zero() || horizon > MAX_HORIZON {
        return Err(Error::invalid(
            "horizon",
            "must be more than zero and at most 31 days",
        ));
    }
    if budget == 0 || budget > MAX_BUDGET {
        return Err(Error::invalid("budget", "must be 1 to 1000"));
    }
    Ok(())
}

/// The notifications to have pending from `now` for `horizon`, at most `budget` of them: a
/// pure function of `input` (see the module docs for the rules).
pub fn plan(
    input: &PlanInput,
    now: Timestamp,
    horizon: Duration,
    budget: u32,
) -> Result<NotificationPlan> {
    check_request(horizon, budget)?;
    let horizon_end = now.plus(horizon);
    let settings = &input.settings;
    let texts = Texts {
        privacy: settings.reminders.privacy,
        medicines: &input.medicines,
    };
    let mut moments = moments(&input.doses);
    moments.extend(input.alerts.iter().cloned().map(Moment::from));
    moments.extend(refill_moments(&input.refills.reminders));
    let mut all = Vec::new();
    for (index, moment) in moments.iter().enumerate() {
        candidates(index, moment, now, settings, &mut all);
    }
    all.retain(|c| c.fire_at < horizon_end);
    let (mut kept, first_left_out) = within_budget(all, &moments, budget as usize);
    merge_folded(&mut kept, &mut moments);
    let notifications = kept
        .iter()
        .map(|c| {
            let moment = &moments[c.moment];
            // A notification names the doses' time (a silence alert the schedule's end, with
            // its day), not the time it fires.
            let (shown, format) = match &moment.caregiver {
                Some(who) if who.kind == NotificationKind::CaregiverSilence => {
                    (moment.due_at, "%a %-H:%M")
                }
                None if moment.refill => (moment.due_at, "%a %-d %b"),
                // The patient's texts name the time the doses were due, also after a snooze.
                Some(_) | None => (moment.due_at, "%-H:%M"),
            };
            let clock = match &input.zones {
                Some(zones) => Frame::Zone(zones.zone_at(shown)).local(shown),
                None => shown.to_datetime().naive_utc(),
            }
            .format(format)
            .to_string();
            render(c, moment, &clock, settings, &texts, &input.database_id)
        })
        .collect();
    let mut problems = input.schedule_problems.clone();
    crate::order::sort_by_key(&mut problems, |p| p.medicine_id);
    problems.dedup_by_key(|p| p.medicine_id);
    Ok(NotificationPlan {
        notifications,
        refresh_at: first_left_out.map_or(horizon_end, |t| t.min(horizon_end)),
        schedule_problems: problems,
        refills_open: input.refills.open.clone(),
    })
}
