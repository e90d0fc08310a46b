//! Instants typed on the command line: RFC 3339 (`2025-03-30T08:00:00+02:00`), or a local
//! clock time today (`08:05`).

use chrono::{Local, NaiveTime, TimeZone};
use regimen_ffi::Timestamp;

/// Parses `text` as an RFC 3339 instant or as `HH:MM` today in the machine's local zone.
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    if let Ok(time) = NaiveTime::parse_from_str(text.trim(), "%H:%M") {
        let today = Local::now().date_naive().and_time(time);
        // In a DST fold the earlier instant is meant; in a gap there is none.
        let local = Local
            .from_local_datetime(&today)
            .earliest()
            .ok_or_else(|| format!("{text} does not exist today in the local time zone"))?;
        return Timestamp::from_millis(local.timestamp_millis()).map_err(|e| e.to_string());
    }
    Timestamp::parse_rfc3339(text).map_err(|_| {
        "expected an RFC 3339 instant (2025-03-30T08:00:00+02:00) or a time today (08:05)".into()
    })
}

/// The start of today and of tomorrow in the local zone.
pub fn today() -> (Timestamp, Timestamp) {
    let date = Local::now().date_naive();
    let start = |day: chrono::NaiveDate| {
        // Where a DST change skips midnight, the day starts at the first minute that exists.
        let first_minute = (0..=120)
            .filter_map(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
            .find_map(|time| Local.from_local_datetime(&day.and_time(time)).earliest());
        let millis = first_minute
            .map(|t| t.timestamp_millis())
            .unwrap_or_default();
        Timestamp::from_millis(millis).unwrap_or(Timestamp::MIN)
    };
    (start(date), start(date.succ_opt().unwrap_or(date)))
}

/// Today's date shifted by `days`, at `hour:minute` local time (`None` if that time does not
/// exist on that day).
pub fn local_day_at(days: i64, hour: u32, minute: u32) -> Option<Timestamp> {
    let date = Local::now().date_naive() + chrono::Duration::days(days);
    let naive = date.and_time(NaiveTime::from_hms_opt(hour, minute, 0)?);
    let local = Local.from_local_datetime(&naive).earliest()?;
    Timestamp::from_millis(local.timestamp_millis()).ok()
}
