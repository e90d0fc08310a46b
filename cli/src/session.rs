//! One run of the CLI: the open `Regimen`, the instant and zone it runs at, and the output
//! mode. `--now` and `--tz` pin the first two so any output can be reproduced.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regimen_core::Zone;
use regimen_ffi::{Regimen, Timestamp};

/// What every command works with.
pub struct Session {
    /// The patient's Regimen, with "now" pinned for the whole run.
    pub regimen: Arc<Regimen>,
    /// The instant the run happens at.
    pub now: Timestamp,
    /// The zone the patient is in.
    pub zone: Zone,
    /// Machine-readable output.
    pub json: bool,
}

impl Session {
    /// Wall-clock date and time of `t` in the session's zone.
    pub fn local(&self, t: Timestamp) -> NaiveDateTime {
        t.to_datetime().with_timezone(&self.zone).naive_local()
    }

    /// `HH:MM` of `t` in the session's zone.
    pub fn clock(&self, t: Timestamp) -> String {
        self.local(t).format("%H:%M").to_string()
    }

    /// Today's date in the session's zone.
    pub fn today(&self) -> NaiveDate {
        self.local(self.now).date()
    }

    /// The first instant of `date` and of the day after, in the session's zone (where a DST
    /// change skips midnight, a day starts at its first minute that exists).
    pub fn day_bounds(&self, date: NaiveDate) -> (Timestamp, Timestamp) {
        let start = |day: NaiveDate| {
            let first = (0..=120)
                .filter_map(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
                .find_map(|time| {
                    self.zone
                        .from_local_datetime(&day.and_time(time))
                        .earliest()
                });
            first
                .and_then(|t| Timestamp::from_millis(t.timestamp_millis()).ok())
                .unwrap_or(Timestamp::MIN)
        };
        (start(date), start(date.succ_opt().unwrap_or(date)))
    }

    /// The instant of `date` at `time` in the session's zone (the first, in a DST fold), if
    /// that wall-clock time exists.
    pub fn instant_at(&self, date: NaiveDate, time: NaiveTime) -> Option<Timestamp> {
        let local = self
            .zone
            .from_local_datetime(&date.and_time(time))
            .earliest()?;
        Timestamp::from_millis(local.timestamp_millis()).ok()
    }

    /// Parses an RFC 3339 instant, or `HH:MM` today in the session's zone.
    pub fn parse_instant(&self, text: &str) -> Result<Timestamp, String> {
        if let Ok(time) = NaiveTime::parse_from_str(text.trim(), "%H:%M") {
            return self
                .instant_at(self.today(), time)
                .ok_or_else(|| format!("{text} does not exist today in {}", self.zone.name()));
        }
        Timestamp::parse_rfc3339(text).map_err(|_| {
            "expected an RFC 3339 instant (2025-03-30T08:00:00+02:00) or a time today (08:05)"
                .into()
        })
    }
}
