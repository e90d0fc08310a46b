//! Wall-clock values a schedule is written in: a time of day, a calendar date, a local
//! date-time, and FHIR's `dateTime` text. They carry no zone: a schedule's zone policy decides
//! which zone reads them (see `zone.rs`).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// A time of day, to the second: `08:00` or `08:00:30`. Crosses the FFI as that text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u32);

impl ClockTime {
    /// Midnight.
    pub const MIDNIGHT: ClockTime = ClockTime(0);

    /// `hour:minute:second`, if a valid time of day.
    pub fn new(hour: u32, minute: u32, second: u32) -> Result<Self> {
        if hour > 23 || minute > 59 || second > 59 {
            return Err(Error::invalid("time", "a time of day is 00:00 to 23:59:59"));
        }
        Ok(ClockTime(hour * 3600 + minute * 60 + second))
    }

    /// Seconds after midnight.
    pub fn seconds(self) -> u32 {
        self.0
    }

    /// The time `seconds` after midnight, wrapping past 24 h.
    pub fn from_seconds(seconds: i64) -> Self {
        ClockTime(seconds.rem_euclid(86_400) as u32)
    }

    /// As a chrono time.
    pub fn to_naive(self) -> NaiveTime {
        NaiveTime::from_num_seconds_from_midnight_opt(self.0, 0).unwrap_or(NaiveTime::MIN)
    }

    /// From a chrono time (sub-second part dropped).
    pub fn from_naive(time: NaiveTime) -> Self {
        ClockTime(time.num_seconds_from_midnight())
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if s == 0 {
            write!(f, "{h:02}:{m:02}")
        } else {
            write!(f, "{h:02}:{m:02}:{s:02}")
        }
    }
}

impl FromStr for ClockTime {
    type Err = Error;

    /// `HH:MM` or `HH:MM:SS` (FHIR `time`).
    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        NaiveTime::parse_from_str(text, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
            .map(ClockTime::from_naive)
            .map_err(|_| Error::invalid("time", "expected a time of day like 08:00 or 08:00:00"))
    }
}

/// A calendar date: `2025-03-30`. Crosses the FFI as that text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDate(pub NaiveDate);

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// First year a wall-clock value may lie in; the same range as [`crate::Timestamp`].
const FIRST_YEAR: i32 = 1900;
/// Last year a wall-clock value may lie in (instants end at 2200-01-01T00:00Z).
const LAST_YEAR: i32 = 2199;

fn in_range(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

impl FromStr for LocalDate {
    type Err = Error;

    /// `YYYY-MM-DD`, in the years 1900 to 2199.
    fn from_str(text: &str) -> Result<Self> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .ok()
            .filter(|date| in_range(*date))
            .map(LocalDate)
            .ok_or_else(|| {
                Error::invalid(
                    "date",
                    "expected a date like 2025-03-30, in the years 1900 to 2199",
                )
            })
    }
}

/// A wall-clock date and time with no zone: `2025-03-30T08:00`. Crosses the FFI as that text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime(pub NaiveDateTime);

impl LocalDateTime {
    /// `at`, if it lies in the years Regimen plans (1900 to 2199).
    pub fn checked(at: NaiveDateTime) -> Option<Self> {
        in_range(at.date()).then_some(LocalDateTime(at))
    }

    /// Whether it lies in the years Regimen plans (1900 to 2199): always true of one parsed
    /// or made by [`LocalDateTime::checked`].
    pub fn in_range(self) -> bool {
        in_range(self.0.date())
    }

    /// The date part.
    pub fn date(self) -> LocalDate {
        LocalDate(self.0.date())
    }

    /// The time part.
    pub fn time(self) -> ClockTime {
        ClockTime::from_naive(self.0.time())
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.second() == 0 {
            write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M"))
        } else {
            write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%S"))
        }
    }
}

impl FromStr for LocalDateTime {
    type Err = Error;

    /// `YYYY-MM-DDTHH:MM[:SS]`, or a bare date (midnight), in the years 1900 to 2199.
    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
            .or_else(|_| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(NaiveTime::MIN))
            })
            .ok()
            .filter(|at| in_range(at.date()))
            .map(LocalDateTime)
            .ok_or_else(|| {
                Error::invalid(
                    "date_time",
                    "expected a local date-time like 2025-03-30T08:00, in the years 1900 to 2199",
                )
            })
    }
}

/// Serde and uniffi for the three types above, as their text.
macro_rules! text_type {
    ($name:ident) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "uniffi")]
        uniffi::custom_type!($name, String, {
            lower: |value| value.to_string(),
            // A typed InvalidInput (not an internal error) for a value that does not parse.
            try_lift: |text| Ok(text.parse::<$name>().map_err(crate::error::lift_error)?),
        });
    };
}

text_type!(ClockTime);
text_type!(LocalDate);
text_type!(LocalDateTime);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_parse_with_or_without_seconds_and_print_short() {
        assert_eq!("08:00".parse::<ClockTime>().unwrap().to_string(), "08:00");
        assert_eq!(
            "08:00:30".parse::<ClockTime>().unwrap().to_string(),
            "08:00:30"
        );
        assert!("24:00".parse::<ClockTime>().is_err());
        assert!("8h".parse::<ClockTime>().is_err());
    }

    #[test]
    fn local_date_times_accept_a_bare_date_as_midnight() {
        let t: LocalDateTime = "2025-03-30".parse().unwrap();
        assert_eq!(t.to_string(), "2025-03-30T00:00");
        assert_eq!(t.time(), ClockTime::MIDNIGHT);
    }
}
