//! The text of an iCalendar file (RFC 5545): content lines folded at 75 octets and ended with
//! CRLF (3.1), TEXT values escaped (3.3.11), date-times in UTC or as local time in a zone
//! (3.3.5), and a `VTIMEZONE` that writes a zone's offsets over a stretch of time (3.6.5).

use chrono::{FixedOffset, NaiveDateTime};

use crate::Zone;
use crate::time::Timestamp;

/// Longest content line in octets, the CRLF not counted (RFC 5545 3.1).
const MAX_OCTETS: usize = 75;

/// An iCalendar object being written, one content line at a time.
#[derive(Default)]
pub(crate) struct Lines(String);

impl Lines {
    /// Appends `name` (with any parameters, as written) and `value`, folded.
    pub fn push(&mut self, name: &str, value: &str) {
        fold(&format!("{name}:{value}"), &mut self.0);
    }

    /// Appends a property whose value is TEXT, escaped.
    pub fn text(&mut self, name: &str, value: &str) {
        self.push(name, &escape(value));
    }

    /// The whole object.
    pub fn finish(self) -> String {
        self.0
    }
}

/// Writes `line` as lines of at most 75 octets, each continuation starting with a space,
/// never splitting a character, each ended with CRLF.
fn fold(line: &str, out: &mut String) {
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > MAX_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// A TEXT value: backslash, semicolon and comma escaped with a backslash, line breaks as `\n`
/// (RFC 5545 3.3.11), other control characters left out (3.1 allows none in a value).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// An instant as a UTC DATE-TIME (`20250330T013000Z`).
pub(crate) fn utc(at: Timestamp) -> String {
    at.to_datetime().format("%Y%m%dT%H%M%SZ").to_string()
}

/// A wall-clock time as a local DATE-TIME (`20250330T023000`), read in the zone its `TZID`
/// names.
pub(crate) fn local(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%S").to_string()
}

/// A UTC offset (`+0100`, `-0330`, or with seconds where it has them).
fn offset(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// A `VTIMEZONE` for `zone` valid over `[from, to)`: one observance for the offset in force
/// at `from` and one for each change of offset until `to`, each with its exact onset (no
/// rule), so a reader needs nothing but this file to place every time of the stretch.
pub(crate) fn vtimezone(zone: Zone, from: Timestamp, to: Timestamp, out: &mut Lines) {
    let (from, to) = (from.as_millis() / 1000, to.as_millis() / 1000);
    out.push("BEGIN", "VTIMEZONE");
    out.push("TZID", zone.name());
    let first = zone.offset_info(from);
    let mut before = first.offset;
    observance(out, &first, wall(from, before), before);
    for (at, info) in zone.transitions(from, to) {
        // The onset is the local time just before the change, read with the old offset.
        observance(out, &info, wall(at, before), before);
        before = info.offset;
    }
    out.push("END", "VTIMEZONE");
}

/// The wall-clock time at `seconds` after the epoch with `offset`.
fn wall(seconds: i64, offset: FixedOffset) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .naive_utc()
        + chrono::Duration::seconds(i64::from(offset.local_minus_utc()))
}

/// One `STANDARD` or `DAYLIGHT` observance from its onset on.
fn observance(
    out: &mut Lines,
    info: &crate::tz::OffsetInfo,
    onset: NaiveDateTime,
    from: FixedOffset,
) {
    let kind = if info.dst { "DAYLIGHT" } else { "STANDARD" };
    out.push("BEGIN", kind);
    out.push("DTSTART", &local(onset));
    out.push("TZOFFSETFROM", &offset(from));
    out.push("TZOFFSETTO", &offset(info.offset));
    out.text("TZNAME", &info.abbreviation);
    out.push("END", kind);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_the_four_specials_as_rfc_5545_3_3_11_says() {
        // Worked by hand from RFC 5545 3.3.11: "\\", "\;", "\,", and "\n" for a line break.
        assert_eq!(escape("a\\b;c,d\r\ne\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
        assert_eq!(escape("bell\u{7}gone"), "bellgone");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let mut lines = Lines::default();
        // "SUMMARY:" is 8 octets; 40 two-octet letters make 88 octets in all.
        lines.text("SUMMARY", &"é".repeat(40));
        let text = lines.finish();
        let physical: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(physical.len(), 2);
        // 8 + 33 letters = 74 octets: a 34th letter would make 76.
        assert_eq!(physical[0].len(), 74);
        assert!(physical[1].starts_with(' '));
        assert_eq!(physical[1].len(), 1 + 7 * 2);
        assert!(text.ends_with("\r\n"));
    }

    #[test]
    fn berlin_2025_has_its_two_changes_with_onsets_in_the_old_offset() {
        let berlin = Zone::get("Europe/Berlin").unwrap();
        let from = Timestamp::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
        let to = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let mut lines = Lines::default();
        vtimezone(berlin, from, to, &mut lines);
        let text = lines.finish();
        // Clocks went forward at 02:00 CET on 30 March and back at 03:00 CEST on 26 October.
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
        ));
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
        ));
        assert_eq!(text.matches("BEGIN:STANDARD").count(), 2);
    }

    #[test]
    fn offsets_are_written_with_sign_hours_and_minutes() {
        assert_eq!(offset(FixedOffset::east_opt(37_800).unwrap()), "+1030");
        assert_eq!(offset(FixedOffset::west_opt(12_600).unwrap()), "-0330");
        assert_eq!(offset(FixedOffset::east_opt(0).unwrap()), "+0000");
    }
}
