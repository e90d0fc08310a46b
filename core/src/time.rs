//! Instants. Every instant Regimen stores or returns is a [`Timestamp`]: milliseconds since the
//! Unix epoch, in UTC. Wall-clock times and zones belong to schedules, never to stored instants.
//! Nothing here reads the clock: callers pass `now` in.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// An instant in UTC with millisecond precision.
///
/// Serialises as an RFC 3339 string (`2025-03-30T01:30:00Z`); crosses the FFI as the platform's
/// own instant type (`java.time.Instant` in Kotlin, `Date` in Swift).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Earliest instant Regimen accepts: 1900-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp(-2_208_988_800_000);
    /// Latest instant Regimen accepts: 2200-01-01T00:00:00Z.
    pub const MAX: Timestamp = Timestamp(7_258_118_400_000);

    /// The instant `millis` milliseconds after the Unix epoch, if it lies within
    /// [`Timestamp::MIN`]..=[`Timestamp::MAX`].
    pub fn from_millis(millis: i64) -> Result<Self> {
        let t = Timestamp(millis);
        if t < Self::MIN || t > Self::MAX {
            return Err(Error::invalid(
                "timestamp",
                "must lie between the years 1900 and 2200",
            ));
        }
        Ok(t)
    }

    /// Milliseconds since the Unix epoch.
    pub fn as_millis(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 instant such as `2025-03-30T08:00:00+02:00`.
    pub fn parse_rfc3339(text: &str) -> Result<Self> {
        let parsed = DateTime::parse_from_rfc3339(text.trim()).map_err(|_| {
            Error::invalid(
                "timestamp",
                "expected an RFC 3339 instant like 2025-03-30T08:00:00Z",
            )
        })?;
        Self::from_millis(parsed.timestamp_millis())
    }

    /// This instant as a chrono UTC date-time.
    pub fn to_datetime(self) -> DateTime<Utc> {
        // In range by construction, so the conversion cannot fail; the epoch is a safe fallback.
        DateTime::from_timestamp_millis(self.0).unwrap_or_default()
    }

    /// The instant `duration` later, saturating at [`Timestamp::MAX`].
    pub fn plus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(millis).min(Self::MAX.0))
    }

    /// The instant `duration` earlier, saturating at [`Timestamp::MIN`].
    pub fn minus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_sub(millis).max(Self::MIN.0))
    }

    /// The instant as a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        let magnitude = Duration::from_millis(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH + magnitude
        } else {
            UNIX_EPOCH - magnitude
        }
    }

    /// The instant of a `SystemTime`, if within the accepted range.
    pub fn from_system_time(time: SystemTime) -> Result<Self> {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()),
            Err(before) => i64::try_from(before.duration().as_millis()).map(|m| -m),
        }
        .map_err(|_| Error::invalid("timestamp", "must lie between the years 1900 and 2200"))?;
        Self::from_millis(millis)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, seconds precision unless the instant has milliseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = if self.0 % 1000 == 0 {
            SecondsFormat::Secs
        } else {
            SecondsFormat::Millis
        };
        f.write_str(&self.to_datetime().to_rfc3339_opts(format, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "uniffi")]
uniffi::custom_type!(Timestamp, SystemTime, {
    lower: |t| t.to_system_time(),
    // A typed InvalidInput (not an internal error) for an instant out of range.
    try_lift: |time| Ok(Timestamp::from_system_time(time).map_err(crate::error::lift_error)?),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_offset_is_stored_as_utc() {
        let t = Timestamp::parse_rfc3339("2025-03-30T08:00:00+02:00").unwrap();
        assert_eq!(t.to_string(), "2025-03-30T06:00:00Z");
    }

    #[test]
    fn instants_outside_1900_to_2200_are_refused() {
        assert!(Timestamp::parse_rfc3339("1899-12-31T23:59:59Z").is_err());
        assert!(Timestamp::parse_rfc3339("2200-01-01T00:00:01Z").is_err());
        assert!(Timestamp::parse_rfc3339("not a time").is_err());
    }

    #[test]
    fn system_time_round_trips_before_and_after_the_epoch() {
        for millis in [-86_400_123, 0, 1_743_300_000_456] {
            let t = Timestamp::from_millis(millis).unwrap();
            assert_eq!(Timestamp::from_system_time(t.to_system_time()).unwrap(), t);
        }
    }
}
