//! Expansion: from a schedule to the instants its doses are due.
//!
//! Phases run one after another in wall-clock terms. Each phase's times are generated as
//! wall-clock date-times and read in the schedule's [`Frame`] (see `zone.rs` for the DST rule):
//! - policy `local`: the phone's zone at the time, from the [`ZoneTimeline`];
//! - policy `home`: the schedule's own zone, always;
//! - policy `elapsed`: the fixed UTC offset the schedule started with, so every step is exact
//!   in real time.
//!
//! How a phase's times are generated:
//! - explicit times (`time_of_day`, or `when` through the patient's anchors) on each day the
//!   phase is on;
//! - sub-daily periods (`every 8 h`): steps of `period / frequency` from the phase start (or
//!   from each day's window start, or from the last dose taken);
//! - `N times a day` with no times: spread over the waking day (or the window), at most
//!   `24 h / N` apart, starting at waking;
//! - a day is on if it matches `day_of_week`, the period's step (every other day, weekly on
//!   the start's weekday, monthly on the start's day of month), and the cycle.
//!
//! The result is strictly increasing: a wall-clock time that DST maps onto another's instant
//! is planned once.

use std::borrow::Cow;

use crate::Zone;
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime};

use super::anchors::Anchors;
use super::clock::ClockTime;
use super::timing::{Bounds, TimingRepeat, UnitOfTime};
use super::zone::{DayOffsets, Frame, parse_zone};
use super::{GradualShift, Phase, Schedule, ZonePolicy};
use crate::error::Result;
use crate::time::Timestamp;

use super::timing::MAX_COUNT;

/// Longest step between two interval doses: ten years (the longest period validation allows).
const MAX_STEP_SECONDS: f64 = 10.0 * 366.0 * 86_400.0;

/// The phone's time zone over time: the zone from each instant on.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneTimeline {
    initial: Zone,
    changes: Vec<(Timestamp, Zone)>,
}

impl ZoneTimeline {
    /// Always in `zone`.
    pub fn fixed(zone: Zone) -> Self {
        ZoneTimeline {
            initial: zone,
            changes: Vec::new(),
        }
    }

    /// In `initial` until the first change, then in each change's zone from its instant on.
    pub fn new(initial: Zone, mut changes: Vec<(Timestamp, Zone)>) -> Self {
        crate::order::sort_by_key(&mut changes, |(at, _)| *at);
        ZoneTimeline { initial, changes }
    }

    /// The zone at `instant`.
    pub fn zone_at(&self, instant: Timestamp) -> Zone {
        self.changes
            .iter()
            .rev()
            .find(|(at, _)| *at <= instant)
            .map_or(self.initial, |(_, zone)| *zone)
    }

    /// The zone of all of `[from, to)`, or `None` if the phone changed zone in it.
    pub fn only_zone(&self, from: Timestamp, to: Timestamp) -> Option<Zone> {
        let moved = self.changes.iter().any(|(at, _)| *at > from && *at < to);
        (!moved).then(|| self.zone_at(from))
    }

    /// The stretches of `[from, to)` spent in one zone, each with the zone change that began
    /// it (its instant and the zone before), if any.
    fn segments(&self, from: Timestamp, to: Timestamp) -> Vec<Segment> {
        let arrival = |at: Timestamp| {
            self.changes
                .iter()
                .rev()
                .find(|(since, _)| *since <= at)
                .map(|(since, _)| {
                    (
                        *since,
                        self.zone_at(since.minus(std::time::Duration::from_millis(1))),
                    )
                })
        };
        let mut segments = Vec::new();
        let mut start = from;
        for &(at, _) in self.changes.iter().filter(|(at, _)| *at > from && *at < to) {
            segments.push(Segment {
                from: start,
                to: at,
                zone: self.zone_at(start),
                arrival: arrival(start),
            });
            start = at;
        }
        segments.push(Segment {
            from: start,
            to,
            zone: self.zone_at(start),
            arrival: arrival(start),
        });
        segments
    }
}

/// A stretch of time whose wall-clock times are read in one frame.
struct Stretch {
    from: Timestamp,
    to: Timestamp,
    frame: Frame,
    /// For policy `local`: when the phone arrived in this zone, and the frame it came from.
    arrival: Option<(Timestamp, Frame)>,
}

/// A stretch of time spent in one zone.
struct Segment {
    from: Timestamp,
    to: Timestamp,
    zone: Zone,
    /// When the phone arrived in `zone`, and the zone it came from.
    arrival: Option<(Timestamp, Zone)>,
}

/// What expansion needs besides the schedule.
#[derive(Clone, Copy, Debug)]
pub struct ExpandContext<'a> {
    /// The patient's wake, meal and sleep times, for `when` codes and spreading.
    pub anchors: &'a Anchors,
    /// Where the phone was, for policy `local`.
    pub device_zones: &'a ZoneTimeline,
    /// The last dose taken of this medicine, for phases counted from it.
    pub last_taken: Option<Timestamp>,
    /// Zone offsets per day, shared by every schedule expanded in one call.
    pub offsets: &'a DayOffsets,
}

/// One planned dose.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlannedDose {
    /// When it is due.
    pub at: Timestamp,
    /// Which phase it belongs to (0-based).
    pub phase: u32,
}

/// The doses of `schedule` due in `[from, to)`, strictly increasing.
pub fn expand(
    schedule: &Schedule,
    context: &ExpandContext<'_>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<PlannedDose>> {
    let home = parse_zone(&schedule.zone)?;
    let home_frame = Frame::Zone(home);
    let start = schedule.start.0;
    let first_instant = home_frame.resolve(start);
    let from = from.max(first_instant);
    if from >= to {
        return Ok(Vec::new());
    }
    // A gradual shift moves doses by up to 12 hours: generate that much wider, then cut.
    let reach = std::time::Duration::from_secs(13 * 3600);
    let stretches: Vec<Stretch> = match schedule.policy {
        ZonePolicy::Home if schedule.shift.is_some() => vec![Stretch {
            from: from.minus(reach).max(first_instant),
            to: to.plus(reach),
            frame: home_frame,
            arrival: None,
        }],
        ZonePolicy::Home => vec![Stretch {
            from,
            to,
            frame: home_frame,
            arrival: None,
        }],
        ZonePolicy::Elapsed => vec![Stretch {
            from,
            to,
            frame: Frame::Fixed(home_frame.offset_at(first_instant)),
            arrival: None,
        }],
        ZonePolicy::Local => context
            .device_zones
            .segments(from, to)
            .into_iter()
            .map(|s| Stretch {
                from: s.from,
                to: s.to,
                frame: Frame::Zone(s.zone),
                arrival: s.arrival.map(|(at, zone)| (at, Frame::Zone(zone))),
            })
            .collect(),
    };
    let mut doses = Vec::new();
    for Stretch {
        from: seg_from,
        to: seg_to,
        frame,
        arrival,
    } in stretches
    {
        let before = doses.len();
        // Wall-clock bounds of the segment, a day wider on each side for zone offsets.
        let local_from = frame.local(seg_from) - Duration::days(1);
        let local_to = frame.local(seg_to) + Duration::days(1);
        let last_taken = context.last_taken.map(|t| frame.local(t));
        for (index, times) in
            wall_clock(schedule, context.anchors, last_taken, local_from, local_to)
                .into_iter()
                .enumerate()
        {
            let mut day_offset: Option<(NaiveDate, Option<i64>)> = None;
            for local in &times.times {
                // One zone look-up a day serves every dose of a day without a DST change.
                let date = local.date();
                let offset = match day_offset {
                    Some((cached, offset)) if cached == date => offset,
                    _ => {
                        let offset = context.offsets.get(&frame, date);
                        day_offset = Some((date, offset));
                        offset
                    }
                };
                let at = match offset {
                    Some(seconds) => {
                        Timestamp::from_millis((local.and_utc().timestamp() - seconds) * 1000)
                            .unwrap_or(Timestamp::MAX)
                    }
                    None => frame.resolve(*local),
                };
                // Flying west, a wall-clock time comes round again: a slot that already
                // fired in the zone the phone came from is not planned twice.
                let fired_before =
                    arrival.is_some_and(|(since, previous)| previous.resolve(*local) < since);
                if at >= seg_from && at < seg_to && !fired_before {
                    doses.push(PlannedDose {
                        at,
                        phase: index as u32,
                    });
                }
            }
        }
        crate::order::sort_by_key(&mut doses[before..], |d| d.at);
    }
    if let Some(shift) = &schedule.shift {
        apply_shift(shift, home, &mut doses)?;
        doses.retain(|d| d.at >= from && d.at < to);
        crate::order::sort_by_key(&mut doses, |d| d.at);
    }
    doses.dedup_by_key(|d| d.at);
    Ok(doses)
}

/// One phase's stretch of wall-clock time and its times inside a window.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PhaseWall {
    /// The phase's first moment (its bounds' start if later than the previous phase's end).
    pub start: NaiveDateTime,
    /// Where it ends (exclusive), if it ends before the window does.
    pub end: Option<NaiveDateTime>,
    /// Its wall-clock times in the window, in order.
    pub times: Vec<NaiveDateTime>,
}

/// The phases of `schedule` that begin before `to`, in order, with their wall-clock times in
/// `[from, to)`: phases run one after another, each from where the one before ended.
pub(crate) fn wall_clock(
    schedule: &Schedule,
    anchors: &Anchors,
    last_taken: Option<NaiveDateTime>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Vec<PhaseWall> {
    let mut out = Vec::new();
    let mut phase_start = schedule.start.0;
    for phase in &schedule.phases {
        let plan = PhasePlan::new(phase, phase_start, anchors, last_taken);
        let times = plan.times(from, to);
        out.push(PhaseWall {
            start: plan.start,
            end: times.phase_end,
            times: times.within,
        });
        match times.phase_end {
            Some(end) if end < to => phase_start = end,
            _ => break,
        }
    }
    out
}

/// The wall-clock times in `[from, to)` of `phase` run from `start` with no end: its own
/// bounds and count are the caller's to apply.
pub(crate) fn unbounded_times(
    phase: &Phase,
    start: NaiveDateTime,
    anchors: &Anchors,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Vec<NaiveDateTime> {
    let mut open = phase.clone();
    open.timing.repeat = phase.timing.effective_repeat().map(|repeat| TimingRepeat {
        bounds: None,
        count: None,
        ..repeat
    });
    PhasePlan::new(&open, start, anchors, None)
        .times(from, to)
        .within
}

/// Moves a home schedule's doses onto `shift.to_zone`'s wall clock, at most
/// `max_hours_per_day` more each day from `shift.starts` (the shorter way round the clock).
fn apply_shift(shift: &GradualShift, home: Zone, doses: &mut [PlannedDose]) -> Result<()> {
    let target = Frame::Zone(parse_zone(&shift.to_zone)?);
    let home = Frame::Zone(home);
    let step = i64::from(shift.max_hours_per_day) * 3_600;
    for dose in doses.iter_mut() {
        let day = home.local(dose.at).date();
        if day < shift.starts.0 {
            continue;
        }
        let days_in = (day - shift.starts.0).num_days() + 1;
        // Same wall-clock time in the target zone is `difference` seconds later in UTC.
        let mut difference = i64::from(home.offset_at(dose.at).local_minus_utc())
            - i64::from(target.offset_at(dose.at).local_minus_utc());
        if difference > 43_200 {
            difference -= 86_400;
        } else if difference <= -43_200 {
            difference += 86_400;
        }
        let moved = difference.signum() * difference.abs().min(step * days_in);
        dose.at = Timestamp::from_millis(dose.at.as_millis() + moved * 1000)?;
    }
    Ok(())
}

/// The wall-clock times of one phase inside a window, and where the phase ends.
struct PhaseTimes {
    within: Vec<NaiveDateTime>,
    phase_end: Option<NaiveDateTime>,
}

/// One phase, ready to generate wall-clock times.
struct PhasePlan<'a> {
    phase: &'a Phase,
    repeat: Option<TimingRepeat>,
    /// `time_of_day`, sorted and without repeats (the common case, computed once).
    fixed_times: Vec<ClockTime>,
    start: NaiveDateTime,
    /// Exclusive end from bounds (not from count).
    bound_end: Option<NaiveDateTime>,
    anchors: &'a Anchors,
    last_taken: Option<NaiveDateTime>,
}

impl<'a> PhasePlan<'a> {
    fn new(
        phase: &'a Phase,
        phase_start: NaiveDateTime,
        anchors: &'a Anchors,
        last_taken: Option<NaiveDateTime>,
    ) -> Self {
        let repeat = phase.timing.effective_repeat();
        let mut start = phase_start;
        let mut bound_end = None;
        match repeat.as_ref().and_then(|r| r.bounds.clone()) {
            Some(Bounds::Duration { value, unit }) => {
                bound_end = Some(add_duration(start, value, unit))
            }
            Some(Bounds::Period {
                start: period_start,
                end,
            }) => {
                if let Some(period_start) = period_start {
                    start = start.max(period_start.0);
                }
                // The period's end is inclusive; an end at midnight (a bare date) means the
                // whole of that day.
                bound_end = end.map(|end| {
                    if end.0.time() == NaiveTime::MIN {
                        end.0 + Duration::days(1)
                    } else {
                        end.0 + Duration::seconds(1)
                    }
                });
            }
            None => {}
        }
        let mut fixed_times = repeat
            .as_ref()
            .map_or_else(Vec::new, |r| r.time_of_day.clone());
        crate::order::sort(&mut fixed_times);
        fixed_times.dedup();
        PhasePlan {
            phase,
            repeat,
            fixed_times,
            start,
            bound_end,
            anchors,
            last_taken,
        }
    }

    /// Times in `[from, to)` and the phase's end. A phase with a `count` is walked from its
    /// start, since the count runs from there.
    fn times(&self, from: NaiveDateTime, to: NaiveDateTime) -> PhaseTimes {
        let count = self
            .repeat
            .as_ref()
            .and_then(|r| r.count)
            .map(|c| c.min(MAX_COUNT));
        let walk_from = if count.is_some() {
            self.start
        } else {
            from.max(self.start)
        };
        let mut walk_to = to;
        if let Some(end) = self.bound_end {
            walk_to = walk_to.min(end);
        }
        let mut all = self.generate(walk_from, walk_to, count);
        all.extend(
            self.phase
                .timing
                .event
                .iter()
                .map(|e| e.0)
                .filter(|e| *e >= self.start && self.bound_end.is_none_or(|end| *e < end)),
        );
        crate::order::sort(&mut all);
        all.dedup();
        let mut phase_end = self.bound_end;
        if let Some(count) = count {
            all.truncate(count as usize);
            // A phase ends with its last dose when that comes before any bound: the next
            // phase starts the day after.
            if all.len() == count as usize
                && let Some(last) = all.last()
            {
                let next_day = (last.date() + Duration::days(1)).and_time(NaiveTime::MIN);
                phase_end = Some(phase_end.map_or(next_day, |end| end.min(next_day)));
            }
        }
        let within = all.into_iter().filter(|t| *t >= from && *t < to).collect();
        PhaseTimes { within, phase_end }
    }

    /// Repeat-driven times in `[from, to)`, at most `limit` of them.
    fn generate(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
        limit: Option<u32>,
    ) -> Vec<NaiveDateTime> {
        let Some(repeat) = &self.repeat else {
            return Vec::new();
        };
        let limit = limit.map_or(usize::MAX, |l| l as usize);
        let mut out = Vec::new();
        if let Some(step) = sub_daily_step(repeat) {
            self.generate_intervals(repeat, step, from, to, limit, &mut out);
            return out;
        }
        let mut date = from.date();
        while date <= to.date() && out.len() < limit {
            if self.day_is_on(repeat, date) {
                for time in self.times_on(repeat, date).iter() {
                    let at = date.and_time(time.to_naive());
                    if at >= from && at < to && at >= self.start {
                        out.push(at);
                    }
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        out.truncate(limit);
        out
    }

    fn generate_intervals(
        &self,
        repeat: &TimingRepeat,
        step: Duration,
        from: NaiveDateTime,
        to: NaiveDateTime,
        limit: usize,
        out: &mut Vec<NaiveDateTime>,
    ) {
        if let Some(window) = self.phase.window {
            let mut date = from.date();
            while date <= to.date() && out.len() < limit {
                if self.day_is_on(repeat, date) {
                    let mut at = date.and_time(window.start.to_naive());
                    let end = date.and_time(window.end.to_naive());
                    while at <= end && out.len() < limit {
                        if at >= from && at < to && at >= self.start {
                            out.push(at);
                        }
                        at += step;
                    }
                }
                match date.succ_opt() {
                    Some(next) => date = next,
                    None => break,
                }
            }
            return;
        }
        let anchor = match (self.phase.after_last_taken, self.last_taken) {
            (true, Some(taken)) if taken >= self.start => taken + step,
            _ => self.start,
        };
        // Jump to the first step at or after `from`, in whole seconds (checked: a step times
        // a count of steps must not wrap).
        let step_seconds = step.num_seconds().max(1);
        let behind = (from - anchor).num_seconds().max(0);
        let skip = behind / step_seconds + i64::from(behind % step_seconds != 0);
        let first = skip
            .checked_mul(step_seconds)
            .and_then(Duration::try_seconds)
            .and_then(|offset| anchor.checked_add_signed(offset));
        let Some(mut at) = first else {
            return;
        };
        while at < to && out.len() < limit {
            if self.day_is_on(repeat, at.date()) {
                out.push(at);
            }
            match at.checked_add_signed(step) {
                Some(next) => at = next,
                None => break,
            }
        }
    }

    /// Whether `date` has doses: day of week, the period's step, and the cycle.
    fn day_is_on(&self, repeat: &TimingRepeat, date: NaiveDate) -> bool {
        let start = self.start.date();
        if date < start {
            return false;
        }
        let days = (date - start).num_days();
        if let Some(cycle) = self.phase.cycle {
            let length = (i64::from(cycle.days_on) + i64::from(cycle.days_off)).max(1);
            if days % length >= i64::from(cycle.days_on) {
                return false;
            }
        }
        if !repeat.day_of_week.is_empty()
            && !repeat
                .day_of_week
                .iter()
                .any(|d| d.to_chrono() == date.weekday())
        {
            return false;
        }
        let period = repeat.period.unwrap_or(1.0);
        let frequency = i64::from(repeat.frequency.unwrap_or(1));
        match repeat.period_unit.unwrap_or(UnitOfTime::D) {
            UnitOfTime::S | UnitOfTime::Min | UnitOfTime::H => true,
            UnitOfTime::D => spread_day(
                days,
                period.round().max(1.0) as i64,
                frequency,
                &repeat.time_of_day,
                &repeat.when,
            ),
            UnitOfTime::Wk => {
                let weeks = period.round().max(1.0) as i64;
                if repeat.day_of_week.is_empty() {
                    spread_day(
                        days,
                        weeks * 7,
                        frequency,
                        &repeat.time_of_day,
                        &repeat.when,
                    )
                } else {
                    let start_monday =
                        start - Duration::days(start.weekday().num_days_from_monday().into());
                    ((date - start_monday).num_days() / 7) % weeks == 0
                }
            }
            UnitOfTime::Mo => {
                let step = period.round().max(1.0) as i32;
                let months =
                    (date.year() - start.year()) * 12 + date.month() as i32 - start.month() as i32;
                months % step == 0 && date.day() == anniversary_day(start, date)
            }
            UnitOfTime::A => {
                let step = period.round().max(1.0) as i32;
                (date.year() - start.year()) % step == 0
                    && date.month() == start.month()
                    && date.day() == anniversary_day(start, date)
            }
        }
    }

    /// The clock times of doses on a day that is on.
    fn times_on(&self, repeat: &TimingRepeat, date: NaiveDate) -> Cow<'_, [ClockTime]> {
        if !self.fixed_times.is_empty() {
            return Cow::Borrowed(&self.fixed_times);
        }
        let day = self.anchors.on(date);
        if !repeat.when.is_empty() {
            let mut times: Vec<ClockTime> = repeat
                .when
                .iter()
                .flat_map(|w| day.resolve(*w, repeat.offset))
                .collect();
            crate::order::sort(&mut times);
            times.dedup();
            return Cow::Owned(times);
        }
        // "N times a day" spreads N doses over the day; multi-day periods give one dose a day.
        let per_day = match (
            repeat.period_unit.unwrap_or(UnitOfTime::D),
            repeat.period.unwrap_or(1.0),
        ) {
            (UnitOfTime::D, p) if p <= 1.0 => repeat.frequency.unwrap_or(1),
            _ => 1,
        };
        let (window_start, window_seconds) = match self.phase.window {
            Some(w) => (w.start, w.end.seconds() - w.start.seconds()),
            None => (day.wake, day.waking_seconds()),
        };
        if per_day == 1 {
            let start_time = ClockTime::from_naive(self.start.time());
            let time = if self.phase.window.is_some() {
                window_start
            } else if start_time != ClockTime::MIDNIGHT {
                start_time
            } else {
                day.breakfast
            };
            return Cow::Owned(vec![time]);
        }
        let n = i64::from(per_day);
        let step = (86_400 / n).min(i64::from(window_seconds) / (n - 1));
        // Whole five minutes, or whole minutes for more than about a dozen doses a day.
        let rounded = if step >= 300 {
            step / 300 * 300
        } else {
            (step / 60 * 60).max(60)
        };
        Cow::Owned(
            (0..n)
                .map(|i| ClockTime::from_seconds(i64::from(window_start.seconds()) + i * rounded))
                .collect(),
        )
    }
}

/// The step of an interval schedule (periods in seconds, minutes or hours, or fractional
/// days and weeks, with no explicit times). "N times a day" is spread over the day
/// instead (`times_on`).
fn sub_daily_step(repeat: &TimingRepeat) -> Option<Duration> {
    // Whole days and weeks step by calendar days; months and years by the calendar.
    if !repeat.is_interval() {
        return None;
    }
    let unit = repeat.period_unit?;
    let period = repeat.period?;
    let seconds = period * unit.fixed_seconds()? as f64;
    let step = seconds / f64::from(repeat.frequency.unwrap_or(1).max(1));
    // Validation bounds the period to ten years; a value outside chrono's range (from a
    // schedule stored before the bounds) gives no step rather than a panic.
    if !step.is_finite() {
        return None;
    }
    Duration::try_seconds(step.round().clamp(60.0, MAX_STEP_SECONDS) as i64)
}

/// The step between the doses of an interval timing, in seconds (see [`sub_daily_step`]).
pub(crate) fn interval_step(repeat: &TimingRepeat) -> Option<i64> {
    sub_daily_step(repeat).map(|step| step.num_seconds())
}

/// The times of day an interval phase with a daily window has: from the window's start, a
/// step apart, up to its end.
pub(crate) fn window_times(phase: &Phase) -> Option<Vec<ClockTime>> {
    let window = phase.window?;
    let step = interval_step(&phase.timing.effective_repeat()?)?.max(1);
    let (start, end) = (
        i64::from(window.start.seconds()),
        i64::from(window.end.seconds()),
    );
    Some(
        (0..)
            .map(|k| start + k * step)
            .take_while(|at| *at <= end)
            .map(ClockTime::from_seconds)
            .collect(),
    )
}

/// Whether day `days` after the start has a dose when `frequency` doses spread over `length`
/// days (every other day: 1 in 2; three a week: days 0, 2, 4 of 7). With explicit times the
/// frequency counts doses within a day, not days.
fn spread_day(
    days: i64,
    length: i64,
    frequency: i64,
    time_of_day: &[ClockTime],
    when: &[super::timing::EventTiming],
) -> bool {
    let position = days % length;
    if length == 1 || frequency <= 1 || !time_of_day.is_empty() || !when.is_empty() {
        return position == 0;
    }
    (0..frequency.min(length)).any(|i| i * length / frequency.min(length) == position)
}

/// The start's day of month in `date`'s month, clamped to the month's length (31st -> 30th).
fn anniversary_day(start: NaiveDate, date: NaiveDate) -> u32 {
    let first_of_next = if date.month() == 12 {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
    };
    let length = first_of_next.map_or(28, |next| (next - Duration::days(1)).day());
    start.day().min(length)
}

/// `start` plus a FHIR duration in wall-clock terms (calendar months and years), saturating
/// at the last moment chrono can hold (validation keeps durations to a hundred years).
fn add_duration(start: NaiveDateTime, value: f64, unit: UnitOfTime) -> NaiveDateTime {
    let end = match unit.fixed_seconds() {
        Some(seconds) => Duration::try_seconds((value * seconds as f64).round() as i64)
            .and_then(|d| start.checked_add_signed(d)),
        None => {
            let per = if unit == UnitOfTime::A { 12 } else { 1 };
            u32::try_from(value.round().max(0.0) as u64)
                .ok()
                .and_then(|n| n.checked_mul(per))
                .and_then(|months| start.checked_add_months(Months::new(months)))
        }
    };
    end.unwrap_or(NaiveDateTime::MAX)
}
