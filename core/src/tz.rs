//! IANA time zones for chrono, from the time-zone database the device keeps.
//!
//! Phones keep their zone database current when a country changes its daylight-saving rules;
//! a copy bundled into the library goes stale until the app is updated, and a reminder at the
//! wrong hour is a real harm. So [`Zone`] reads the system database (`/usr/share/zoneinfo` on
//! iOS and Linux, Android's concatenated `tzdata`) through `jiff`, and only desktop builds
//! carry a bundled copy as a fallback (for machines without one). It implements chrono's
//! [`TimeZone`], so the rest of the code reads local times with chrono as before.
//!
//! A `Zone` is `Copy`: each zone is loaded once per process and kept (there are a few hundred
//! names at most), and a `Zone` is a reference to it.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock, PoisonError};

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use jiff::tz::AmbiguousOffset;

/// One loaded zone: its IANA name and its rules.
struct Entry {
    name: &'static str,
    rules: jiff::tz::TimeZone,
}

static UTC_ENTRY: Entry = Entry {
    name: "UTC",
    rules: jiff::tz::TimeZone::UTC,
};

/// Zones loaded so far, by name.
fn loaded() -> &'static Mutex<HashMap<String, &'static Entry>> {
    static LOADED: OnceLock<Mutex<HashMap<String, &'static Entry>>> = OnceLock::new();
    LOADED.get_or_init(Mutex::default)
}

/// An IANA time zone (`Europe/Berlin`), as chrono's [`TimeZone`].
#[derive(Clone, Copy)]
pub struct Zone(&'static Entry);

impl Zone {
    /// Coordinated Universal Time.
    pub const UTC: Zone = Zone(&UTC_ENTRY);

    /// The zone named `name` exactly as the IANA database spells it (`Europe/Berlin`,
    /// `America/Argentina/Buenos_Aires`, `UTC`), or `None` if the database has no such name.
    pub fn get(name: &str) -> Option<Zone> {
        if name == "UTC" {
            return Some(Zone::UTC);
        }
        // Names are paths in the database: refuse anything that is not a plain name first.
        let plain = !name.is_empty()
            && name.len() <= 64
            && !name.starts_with('/')
            && !name
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
        if !plain {
            return None;
        }
        let mut loaded = loaded().lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = loaded.get(name) {
            return Some(Zone(entry));
        }
        let rules = jiff::tz::db().get(name).ok()?;
        // The database looks names up without regard to case; Regimen stores and compares
        // them as IANA spells them, so another spelling is refused.
        if rules.iana_name() != Some(name) {
            return None;
        }
        // Kept for the life of the process: a few hundred zones at most.
        let entry: &'static Entry = Box::leak(Box::new(Entry {
            name: Box::leak(name.to_owned().into_boxed_str()),
            rules,
        }));
        loaded.insert(name.to_owned(), entry);
        Some(Zone(entry))
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// The offset from UTC at the instant `seconds` after the epoch.
    fn offset_at(&self, seconds: i64) -> FixedOffset {
        fixed(self.0.rules.to_offset(instant(seconds)))
    }

    /// The offset in force at the instant `seconds` after the epoch, with its abbreviation
    /// ("CEST") and whether it is daylight-saving time.
    pub fn offset_info(&self, seconds: i64) -> OffsetInfo {
        let info = self.0.rules.to_offset_info(instant(seconds));
        OffsetInfo {
            offset: fixed(info.offset()),
            abbreviation: info.abbreviation().to_owned(),
            dst: info.dst().is_dst(),
        }
    }

    /// The changes of offset after the instant `from` and before `to` (seconds after the
    /// epoch), oldest first: each instant with the offset from then on.
    pub fn transitions(&self, from: i64, to: i64) -> Vec<(i64, OffsetInfo)> {
        self.0
            .rules
            .following(instant(from))
            .map(|t| t.timestamp().as_second())
            .take_while(|at| *at < to)
            .map(|at| (at, self.offset_info(at)))
            .collect()
    }

    fn offset(&self, fixed: FixedOffset) -> ZoneOffset {
        ZoneOffset { zone: *self, fixed }
    }
}

/// A zone's offset at some instant, as a calendar names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetInfo {
    /// The offset from UTC.
    pub offset: FixedOffset,
    /// Its abbreviation in the database ("CET", "CEST", or "+1030" where there is none).
    pub abbreviation: String,
    /// Whether it is daylight-saving time.
    pub dst: bool,
}

/// The instant `seconds` after the epoch, clamped to jiff's range.
fn instant(seconds: i64) -> jiff::Timestamp {
    let seconds = seconds.clamp(
        jiff::Timestamp::MIN.as_second(),
        jiff::Timestamp::MAX.as_second(),
    );
    jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// A jiff offset as chrono's (both are whole seconds within a day).
fn fixed(offset: jiff::tz::Offset) -> FixedOffset {
    FixedOffset::east_opt(offset.seconds()).unwrap_or(FixedOffset::east_opt(0).expect("zero"))
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Zone {}

impl std::hash::Hash for Zone {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl PartialOrd for Zone {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Zone {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.name().cmp(other.name())
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name the time-zone database does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownZone;

impl fmt::Display for UnknownZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an IANA time zone name")
    }
}

impl std::error::Error for UnknownZone {}

impl FromStr for Zone {
    type Err = UnknownZone;

    fn from_str(name: &str) -> Result<Zone, UnknownZone> {
        Zone::get(name).ok_or(UnknownZone)
    }
}

/// The offset of a [`Zone`] at some instant: what chrono's `DateTime<Zone>` carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneOffset {
    zone: Zone,
    fixed: FixedOffset,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.fixed, f)
    }
}

/// A chrono local date-time as jiff's, if jiff's range (years -9999 to 9999) holds it.
fn civil(local: &NaiveDateTime) -> Option<jiff::civil::DateTime> {
    use chrono::{Datelike, Timelike};
    jiff::civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        i8::try_from(local.month()).ok()?,
        i8::try_from(local.day()).ok()?,
        i8::try_from(local.hour()).ok()?,
        i8::try_from(local.minute()).ok()?,
        // chrono writes a leap second as second 59 with nanoseconds past a billion.
        i8::try_from(local.second()).ok()?,
        i32::try_from(local.nanosecond() % 1_000_000_000).ok()?,
    )
    .ok()
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        let Some(civil) = civil(local) else {
            return LocalResult::None;
        };
        match self.0.rules.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                LocalResult::Single(self.offset(fixed(offset)))
            }
            AmbiguousOffset::Gap { .. } => LocalResult::None,
            // The earlier instant first, as chrono orders them: the offset before the fold.
            AmbiguousOffset::Fold { before, after } => {
                LocalResult::Ambiguous(self.offset(fixed(before)), self.offset(fixed(after)))
            }
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.offset(self.offset_at(utc.and_utc().timestamp()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn names_are_found_as_iana_spells_them_and_nothing_else() {
        assert_eq!(Zone::get("Europe/Berlin").unwrap().name(), "Europe/Berlin");
        assert_eq!("UTC".parse::<Zone>().unwrap(), Zone::UTC);
        for bad in [
            "europe/berlin",
            "Europe/Nowhere",
            "",
            "/etc/passwd",
            "../zoneinfo",
            "Europe//Berlin",
        ] {
            assert!(Zone::get(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_gap_has_no_local_time_and_a_fold_has_two_the_earlier_first() {
        let berlin = Zone::get("Europe/Berlin").unwrap();
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST.
        assert_eq!(
            berlin.offset_from_local_datetime(&local("2026-03-29T02:30")),
            LocalResult::None
        );
        let LocalResult::Single(winter) =
            berlin.offset_from_local_datetime(&local("2026-03-29T01:59"))
        else {
            panic!("one offset before the gap");
        };
        assert_eq!(winter.fix().local_minus_utc(), 3600);
        // 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice.
        match berlin.offset_from_local_datetime(&local("2026-10-25T02:30")) {
            LocalResult::Ambiguous(first, second) => {
                assert_eq!(first.fix().local_minus_utc(), 7200);
                assert_eq!(second.fix().local_minus_utc(), 3600);
            }
            other => panic!("expected a fold, got {other:?}"),
        }
        let summer = berlin.offset_from_utc_datetime(&local("2026-07-01T12:00"));
        assert_eq!(summer.fix().local_minus_utc(), 7200);
    }
}
