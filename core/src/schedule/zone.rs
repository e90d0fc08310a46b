//! Reading wall-clock times in a zone: the one rule for DST gaps and folds.
//!
//! - A wall-clock time that falls in a **gap** (spring forward) is read with the UTC offset in
//!   force before the gap, as RFC 5545 does: Europe/Berlin 02:30 on 2025-03-30 is 01:30 UTC,
//!   shown as 03:30 CEST.
//! - A wall-clock time that falls in a **fold** (fall back) is read once, at its first
//!   occurrence: Europe/Berlin 02:30 on 2025-10-26 is 00:30 UTC (02:30 CEST).
//!
//! A [`Frame`] is what a schedule's times are read in: a real zone (policies `local` and
//! `home`) or the fixed UTC offset the schedule started with (policy `elapsed`, so that steps
//! are exact in real time).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::Zone;
use chrono::{FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone};

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// Parses an IANA zone name (`Europe/Berlin`).
pub fn parse_zone(name: &str) -> Result<Zone> {
    name.trim()
        .parse::<Zone>()
        .map_err(|_| Error::invalid("zone", "expected an IANA time zone like Europe/Berlin"))
}

/// Memo of [`Frame::uniform_offset`] per zone and day, shared by the schedules of one call
/// (fifty medicines in one zone need one look-up a day, not fifty).
#[derive(Debug, Default)]
pub struct DayOffsets(RefCell<HashMap<(Zone, chrono::NaiveDate), Option<i64>>>);

impl DayOffsets {
    /// The offset that holds all day on `date` in `frame` (see [`Frame::uniform_offset`]).
    pub fn get(&self, frame: &Frame, date: chrono::NaiveDate) -> Option<i64> {
        match frame {
            Frame::Fixed(_) => frame.uniform_offset(date),
            Frame::Zone(zone) => *self
                .0
                .borrow_mut()
                .entry((*zone, date))
                .or_insert_with(|| frame.uniform_offset(date)),
        }
    }
}

/// What wall-clock times are read in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Frame {
    /// A real zone with its DST rules.
    Zone(Zone),
    /// A fixed offset from UTC.
    Fixed(FixedOffset),
}

impl Frame {
    /// The instant a wall-clock time stands for, by the gap and fold rule above.
    pub fn resolve(&self, local: NaiveDateTime) -> Timestamp {
        let millis = match self {
            Frame::Fixed(offset) => (local - offset_duration(*offset))
                .and_utc()
                .timestamp_millis(),
            Frame::Zone(zone) => match zone.from_local_datetime(&local) {
                LocalResult::Single(t) => t.timestamp_millis(),
                LocalResult::Ambiguous(first, second) => {
                    first.timestamp_millis().min(second.timestamp_millis())
                }
                LocalResult::None => {
                    let before = offset_before_gap(zone, local);
                    (local - offset_duration(before))
                        .and_utc()
                        .timestamp_millis()
                }
            },
        };
        Timestamp::from_millis(millis).unwrap_or(Timestamp::MAX)
    }

    /// The UTC offset (seconds east) that holds all day on `date`, or `None` if the offset
    /// changes that day (or midnight does not exist), when each time must be resolved alone.
    pub fn uniform_offset(&self, date: chrono::NaiveDate) -> Option<i64> {
        match self {
            Frame::Fixed(offset) => Some(i64::from(offset.local_minus_utc())),
            Frame::Zone(zone) => {
                let start = zone
                    .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
                    .single()?;
                let next = date.succ_opt()?.and_time(chrono::NaiveTime::MIN);
                let end = zone.from_local_datetime(&next).single()?;
                let (a, b) = (start.offset().fix(), end.offset().fix());
                (a == b).then_some(i64::from(a.local_minus_utc()))
            }
        }
    }

    /// The UTC offset in force at `instant`.
    pub fn offset_at(&self, instant: Timestamp) -> FixedOffset {
        match self {
            Frame::Fixed(offset) => *offset,
            Frame::Zone(zone) => zone
                .offset_from_utc_datetime(&instant.to_datetime().naive_utc())
                .fix(),
        }
    }

    /// The wall-clock time at `instant`.
    pub fn local(&self, instant: Timestamp) -> NaiveDateTime {
        instant.to_datetime().naive_utc() + offset_duration(self.offset_at(instant))
    }
}

fn offset_duration(offset: FixedOffset) -> chrono::Duration {
    chrono::Duration::seconds(i64::from(offset.local_minus_utc()))
}

/// The offset of the last wall-clock time before the gap that holds `local`. Gaps are
/// usually an hour; history has one of a whole day (Samoa, 2011), so look back up to two days.
fn offset_before_gap(zone: &Zone, local: NaiveDateTime) -> FixedOffset {
    (1..=48)
        .find_map(|hours| {
            zone.from_local_datetime(&(local - chrono::Duration::hours(hours)))
                .latest()
                .map(|t| t.offset().fix())
        })
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset is valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Frame {
        Frame::Zone(parse_zone("Europe/Berlin").unwrap())
    }

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn berlin_0230_in_the_spring_gap_fires_at_0330_cest() {
        let t = berlin().resolve(local("2025-03-30T02:30"));
        assert_eq!(t.to_string(), "2025-03-30T01:30:00Z");
        assert_eq!(berlin().local(t), local("2025-03-30T03:30"));
    }

    #[test]
    fn berlin_0230_in_the_autumn_fold_fires_once_at_the_first() {
        let t = berlin().resolve(local("2025-10-26T02:30"));
        assert_eq!(t.to_string(), "2025-10-26T00:30:00Z");
    }

    #[test]
    fn samoa_skipped_a_whole_day_and_still_resolves_forward() {
        let apia = Frame::Zone(parse_zone("Pacific/Apia").unwrap());
        let t = apia.resolve(local("2011-12-30T08:00"));
        // Read with the -10:00 offset in force before the skipped day.
        assert_eq!(t.to_string(), "2011-12-30T18:00:00Z");
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(parse_zone("Mars/Olympus").is_err());
    }
}
