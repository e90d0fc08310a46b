//! The medication schedules as an iCalendar file (RFC 5545), for a calendar app.
//!
//! Each phase of each schedule in force becomes one `VEVENT` series (one per minute of the
//! hour its times fall on, since `BYHOUR` and `BYMINUTE` multiply), whose occurrences are
//! exactly the doses Regimen itself plans over the range asked, no more:
//! - the times are read where Regimen reads them: policy `home` in the schedule's zone and
//!   `local` in the phone's zone (`DTSTART;TZID=...`, with a `VTIMEZONE` for every zone used,
//!   written from the zone's own changes over the range), policy `elapsed` in UTC;
//! - a phase a recurrence rule can follow gets an `RRULE` up to its last dose in the range
//!   (see `rrule.rs`); what the phase does besides (a cycle's days off, a dose a spacing rule
//!   moved, a one-off time, the end of a count within a day) is patched with `EXDATE` and
//!   `RDATE`, so the series stays exact;
//! - a phase no rule can follow (meal and sleep times, doses spread over waking hours,
//!   intervals from the last dose taken, a gradual shift, a phone that changed zone, two
//!   times that a DST change lands on one instant) is written as its exact instants: a
//!   `DTSTART` and `RDATE`s in UTC;
//! - every series says which in `X-REGIMEN-EXPORT` (`rrule` or `exact`), and why in `COMMENT`.
//!
//! Regimen reads a wall-clock time in a DST gap with the offset before the gap and one in a
//! fold at its first occurrence: RFC 5545 3.3.5 reads them the same way, so a rule's times
//! need no patching at DST changes, except where two of a phase's times fall on one instant
//! (02:30 and 03:30 on the spring-forward day), which Regimen plans once.
//!
//! Medicines taken only as needed have no series. Text is generic ("Time for your medicine")
//! unless the caller asks for names; UIDs hold the database id, the medicine's, the schedule
//! version's and the phase's numbers, nothing about the medicine itself.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDateTime, Timelike};

use super::ical::{self, Lines};
use super::rrule::{Refusal, Rule};
use crate::Zone;
use crate::dose::LastTaken;
use crate::dose::day::Planned;
use crate::medicine::Medicine;
use crate::schedule::{
    Anchors, Frame, Schedule, ZonePolicy, ZoneTimeline, parse_zone, unbounded_times, wall_clock,
};
use crate::snapshot::InForce;
use crate::time::Timestamp;

/// The summary of every dose when names were not asked for.
pub const GENERIC_SUMMARY: &str = "Time for your medicine";

const TRAVEL: Refusal = "the phone changed time zone while it was in force";
const SHIFT: Refusal = "it moves gradually onto another zone's clock";
const COLLIDES: Refusal = "a DST change lands two of its times on one instant";
const UNRULED: Refusal = "none of its rule's occurrences is a dose Regimen plans";
const PATCHED: &str =
    "the rule's occurrences that Regimen does not plan are EXDATEs, its other doses RDATEs";

/// What the calendar is made of.
pub(crate) struct CalendarInput<'a> {
    /// The database's id, for UIDs.
    pub database_id: &'a str,
    /// The schedules in force in the range, with their stretches.
    pub periods: &'a [InForce<'a>],
    /// Regimen's own doses over the range (spacing rules applied), any order.
    pub planned: &'a [Planned<'a>],
    /// Where the phone was (`None`: never said, so each schedule's own zone).
    pub zones: Option<&'a ZoneTimeline>,
    /// The patient's day, as expansion read it.
    pub anchors: &'a Anchors,
    /// The last dose taken per medicine, as expansion read it.
    pub last_taken: &'a LastTaken,
    /// Medicines by id when names were asked for; `None` for generic text.
    pub names: Option<&'a BTreeMap<i64, Medicine>>,
    /// The range's start: no series begins before it.
    pub from: Timestamp,
    /// The range's end: every series ends before it.
    pub to: Timestamp,
    /// When the file is written (`DTSTAMP`).
    pub now: Timestamp,
}

/// How a series writes its times.
#[derive(Clone, Copy, PartialEq)]
enum Written {
    /// Local time with the zone's `TZID`.
    Zone(Zone),
    /// UTC.
    Utc,
}

/// A value of `DTSTART`, `EXDATE` or `RDATE`.
#[derive(Clone, Copy)]
enum When {
    Local(Zone, NaiveDateTime),
    Utc(Timestamp),
}

/// One `VEVENT`.
struct Series {
    uid: String,
    start: When,
    rrule: Option<String>,
    exdates: Vec<When>,
    rdates: Vec<Timestamp>,
    owner: Owner,
    comment: Option<&'static str>,
}

/// Whose doses a series holds.
#[derive(Clone, Copy)]
struct Owner {
    medicine_id: i64,
    /// Index into [`CalendarInput::periods`].
    period: usize,
    phase: usize,
}

/// The calendar: a `VCALENDAR` with a `VTIMEZONE` for each zone used and the series.
pub(crate) fn calendar(input: &CalendarInput<'_>) -> String {
    let mut series = Vec::new();
    for (index, period) in input.periods.iter().enumerate() {
        let doses: Vec<&Planned> = input
            .planned
            .iter()
            .filter(|p| p.medicine_id == period.medicine_id)
            .filter(|p| {
                let scheduled = p.moved.as_ref().map_or(p.due_at, |m| m.scheduled_for);
                scheduled >= period.from && scheduled < period.to
            })
            .collect();
        series.extend(series_of(input, period, index, &doses));
    }
    let mut out = Lines::default();
    out.push("BEGIN", "VCALENDAR");
    out.push("VERSION", "2.0");
    out.push(
        "PRODID",
        concat!("-//Regimen//Regimen ", env!("CARGO_PKG_VERSION"), "//EN"),
    );
    out.push("CALSCALE", "GREGORIAN");
    out.push("METHOD", "PUBLISH");
    let zones: BTreeSet<Zone> = crate::order::set(
        series
            .iter()
            .flat_map(|s| std::iter::once(&s.start).chain(&s.exdates))
            .filter_map(|w| match w {
                When::Local(zone, _) => Some(*zone),
                When::Utc(_) => None,
            }),
    );
    let margin = std::time::Duration::from_secs(2 * 86_400);
    for zone in zones {
        ical::vtimezone(
            zone,
            input.from.minus(margin),
            input.to.plus(margin),
            &mut out,
        );
    }
    let stamp = ical::utc(input.now);
    for s in &series {
        write_series(input, s, &stamp, &mut out);
    }
    out.push("END", "VCALENDAR");
    out.finish()
}

fn write_series(input: &CalendarInput<'_>, s: &Series, stamp: &str, out: &mut Lines) {
    out.push("BEGIN", "VEVENT");
    out.push("UID", &s.uid);
    out.push("DTSTAMP", stamp);
    let (name, value) = when(&s.start, "DTSTART");
    out.push(&name, &value);
    if let Some(rule) = &s.rrule {
        out.push("RRULE", rule);
    }
    for chunk in s.exdates.chunks(8) {
        let mut name = String::new();
        let values: Vec<String> = chunk
            .iter()
            .map(|w| {
                let (n, v) = when(w, "EXDATE");
                name = n;
                v
            })
            .collect();
        out.push(&name, &values.join(","));
    }
    for chunk in s.rdates.chunks(8) {
        let values: Vec<String> = chunk.iter().map(|at| ical::utc(*at)).collect();
        out.push("RDATE", &values.join(","));
    }
    out.text("SUMMARY", &summary(input, s));
    out.push("CLASS", "PRIVATE");
    out.push("TRANSP", "TRANSPARENT");
    out.push(
        "X-REGIMEN-EXPORT",
        if s.rrule.is_some() { "rrule" } else { "exact" },
    );
    if let Some(comment) = s.comment {
        out.text("COMMENT", comment);
    }
    out.push("END", "VEVENT");
}

/// A property's name with its `TZID`, and its value.
fn when(value: &When, name: &str) -> (String, String) {
    match value {
        When::Local(zone, at) => (format!("{name};TZID={}", zone.name()), ical::local(*at)),
        When::Utc(at) => (name.to_owned(), ical::utc(*at)),
    }
}

/// "Time for your medicine", or the medicine's name, strength and the phase's dose.
fn summary(input: &CalendarInput<'_>, s: &Series) -> String {
    let Some(medicine) = input.names.and_then(|n| n.get(&s.owner.medicine_id)) else {
        return GENERIC_SUMMARY.to_owned();
    };
    let mut text = medicine.info.name.clone();
    if let Some(strength) = &medicine.info.strength {
        text = format!("{text} {strength}");
    }
    let dose = input.periods[s.owner.period]
        .schedule
        .phases
        .get(s.owner.phase)
        .and_then(|p| p.dose.as_ref());
    match dose {
        Some(dose) => format!("{text}: {}", dose.describe()),
        None => text,
    }
}

/// The frame a schedule's times are read in over `period`, and how the series write them.
fn frame_of(
    input: &CalendarInput<'_>,
    period: &InForce<'_>,
    home: Zone,
) -> Result<(Frame, Written), Refusal> {
    let schedule = period.schedule;
    let zone = match schedule.policy {
        ZonePolicy::Home if schedule.shift.is_some() => return Err(SHIFT),
        ZonePolicy::Home => home,
        ZonePolicy::Elapsed => {
            let first = Frame::Zone(home).resolve(schedule.start.0);
            return Ok((
                Frame::Fixed(Frame::Zone(home).offset_at(first)),
                Written::Utc,
            ));
        }
        ZonePolicy::Local => match input.zones {
            Some(zones) => zones.only_zone(period.from, period.to).ok_or(TRAVEL)?,
            None => home,
        },
    };
    let written = if zone == Zone::UTC {
        Written::Utc
    } else {
        Written::Zone(zone)
    };
    Ok((Frame::Zone(zone), written))
}

/// The series of one schedule over the stretch it is in force.
fn series_of(
    input: &CalendarInput<'_>,
    period: &InForce<'_>,
    index: usize,
    doses: &[&Planned],
) -> Vec<Series> {
    let schedule: &Schedule = period.schedule;
    let Ok(home) = parse_zone(&schedule.zone) else {
        return Vec::new();
    };
    let frame = frame_of(input, period, home);
    // The phases' stretches as expansion walks them, in whichever frame reads the times
    // (the phase boundaries are wall-clock times, the same in any frame). Two days either
    // side hold every zone a travelling phone may have read them in (offsets differ by at
    // most 26 hours).
    let reading = frame.map_or(Frame::Zone(home), |(f, _)| f);
    let window = (
        reading.local(period.from) - Duration::days(2),
        reading.local(period.to) + Duration::days(2),
    );
    let last_taken = input
        .last_taken
        .get(&period.medicine_id)
        .map(|t| reading.local(*t));
    let lower = period.from.max(Frame::Zone(home).resolve(schedule.start.0));
    let mut out = Vec::new();
    for (phase_index, wall) in wall_clock(schedule, input.anchors, last_taken, window.0, window.1)
        .into_iter()
        .enumerate()
    {
        let mut planned: Vec<Timestamp> = doses
            .iter()
            .filter(|d| d.phase as usize == phase_index)
            .map(|d| d.due_at)
            .collect();
        crate::order::sort(&mut planned);
        planned.dedup();
        if planned.is_empty() {
            continue;
        }
        let uid = |k: usize| {
            format!(
                "regimen-{}-{}-{}-{phase_index}-{k}@regimen",
                input.database_id, period.medicine_id, period.version_id
            )
        };
        let owner = Owner {
            medicine_id: period.medicine_id,
            period: index,
            phase: phase_index,
        };
        let ruled = frame.and_then(|(frame, written)| {
            let shift = (written == Written::Utc).then(|| frame.offset_at(lower).local_minus_utc());
            let rule = Rule::of(&schedule.phases[phase_index], wall.start, shift)?;
            let end = wall.end.map_or(window.1, |e| e.min(window.1));
            let times = unbounded_times(&rule.phase, wall.start, input.anchors, window.0, end);
            let occurrences = occurrences(frame, &times, lower, period.to)?;
            let list = ruled_series(&rule, written, &occurrences, &planned, owner, &uid);
            if list.is_empty() {
                Err(UNRULED)
            } else {
                Ok(list)
            }
        });
        match ruled {
            Ok(list) => out.extend(list),
            Err(reason) => out.push(Series {
                uid: uid(0),
                start: When::Utc(planned[0]),
                rrule: None,
                exdates: Vec::new(),
                rdates: planned[1..].to_vec(),
                owner,
                comment: Some(reason),
            }),
        }
    }
    out
}

/// The rule's times with their instants, those in `[lower, upper)`; refused when a DST change
/// lands two on one instant or turns their order, where a rule and Regimen part ways.
fn occurrences(
    frame: Frame,
    times: &[NaiveDateTime],
    lower: Timestamp,
    upper: Timestamp,
) -> Result<Vec<(NaiveDateTime, Timestamp)>, Refusal> {
    let resolved: Vec<(NaiveDateTime, Timestamp)> =
        times.iter().map(|t| (*t, frame.resolve(*t))).collect();
    if resolved.windows(2).any(|pair| pair[1].1 <= pair[0].1) {
        return Err(COLLIDES);
    }
    Ok(resolved
        .into_iter()
        .filter(|(_, at)| *at >= lower && *at < upper)
        .collect())
}

/// The series of a rule: one per minute of the hour (one in all for steps), each from its
/// first dose Regimen plans to its last, with `EXDATE`s for the occurrences between that
/// Regimen does not plan, and `RDATE`s (on the first series) for the doses the rule lacks.
fn ruled_series(
    rule: &Rule,
    written: Written,
    occurrences: &[(NaiveDateTime, Timestamp)],
    planned: &[Timestamp],
    owner: Owner,
    uid: &dyn Fn(usize) -> String,
) -> Vec<Series> {
    let planned_set: BTreeSet<Timestamp> = crate::order::set(planned.iter().copied());
    let ruled_set: BTreeSet<Timestamp> = crate::order::set(occurrences.iter().map(|(_, at)| *at));
    // The clock time a series writes: the zone's wall clock, or UTC's.
    let clock = |(wall, at): &(NaiveDateTime, Timestamp)| match written {
        Written::Zone(_) => *wall,
        Written::Utc => at.to_datetime().naive_utc(),
    };
    let mut groups: BTreeMap<(u32, u32), Vec<&(NaiveDateTime, Timestamp)>> = BTreeMap::new();
    for occurrence in occurrences {
        let key = if rule.steps() {
            (0, 0)
        } else {
            let t = clock(occurrence);
            (t.minute(), t.second())
        };
        groups.entry(key).or_default().push(occurrence);
    }
    let value = |occurrence: &(NaiveDateTime, Timestamp)| match written {
        Written::Zone(zone) => When::Local(zone, occurrence.0),
        Written::Utc => When::Utc(occurrence.1),
    };
    let mut out: Vec<Series> = Vec::new();
    for ((minute, second), group) in groups {
        let kept: Vec<usize> = (0..group.len())
            .filter(|i| planned_set.contains(&group[*i].1))
            .collect();
        let (Some(&first), Some(&last)) = (kept.first(), kept.last()) else {
            continue;
        };
        let exdates: Vec<When> = group[first..=last]
            .iter()
            .filter(|o| !planned_set.contains(&o.1))
            .map(|o| value(o))
            .collect();
        let mut hours: Vec<u32> = group.iter().map(|o| clock(o).hour()).collect();
        crate::order::sort(&mut hours);
        hours.dedup();
        let until = ical::utc(group[last].1);
        out.push(Series {
            uid: uid(out.len()),
            start: value(group[first]),
            rrule: Some(rule.text(&until, &hours, minute, second)),
            comment: (!exdates.is_empty()).then_some(PATCHED),
            exdates,
            rdates: Vec::new(),
            owner,
        });
    }
    let extra: Vec<Timestamp> = planned
        .iter()
        .filter(|at| !ruled_set.contains(at))
        .copied()
        .collect();
    if let Some(first) = out.first_mut()
        && !extra.is_empty()
    {
        first.rdates = extra;
        first.comment = Some(PATCHED);
    }
    out
}
