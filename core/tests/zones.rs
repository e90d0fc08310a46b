//! The time zones Regimen reads (the device's IANA database, through `Zone`) agree with an
//! independent reading of the IANA rules (chrono-tz's compiled copy) for every zone name,
//! at instants across four decades and at the local times around each change.

use chrono::{Duration, NaiveDateTime, Offset, TimeZone};
use regimen_core::Zone;

/// Instants every 9 days and 5 hours from 1980 to 2023: every weekday, hour of the day and
/// season comes up. Later years are left out: a newer database may know rule changes that
/// the compiled copy does not (and the other way round).
fn instants() -> impl Iterator<Item = NaiveDateTime> {
    let start = NaiveDateTime::parse_from_str("1980-01-01T00:00", "%Y-%m-%dT%H:%M").unwrap();
    let end = NaiveDateTime::parse_from_str("2024-01-01T00:00", "%Y-%m-%dT%H:%M").unwrap();
    std::iter::successors(Some(start), |t| Some(*t + Duration::hours(9 * 24 + 5)))
        .take_while(move |t| *t < end)
}

/// The names tzdata 2024b turned into links.
const LINKED_IN_2024B: &[&str] = &[
    "CET", "CST6CDT", "EET", "EST", "EST5EDT", "HST", "MET", "MST", "MST7MDT", "PST8PDT", "WET",
];

#[test]
fn every_zone_gives_the_same_offsets_as_an_independent_reading_of_the_rules() {
    let mut missing = Vec::new();
    let mut differ = Vec::new();
    let mut checked = 0usize;
    for oracle in chrono_tz::TZ_VARIANTS {
        // tzdata 2024b made these old names links to a city's zone (EET to Europe/Athens, WET
        // to Europe/Lisbon...), which changed their history: the two copies may disagree.
        if LINKED_IN_2024B.contains(&oracle.name()) {
            continue;
        }
        let Some(zone) = Zone::get(oracle.name()) else {
            missing.push(oracle.name());
            continue;
        };
        for utc in instants() {
            checked += 1;
            let ours = zone.offset_from_utc_datetime(&utc).fix();
            let theirs = oracle.offset_from_utc_datetime(&utc).fix();
            if ours != theirs {
                differ.push(format!("{} at {utc}Z: {ours} vs {theirs}", oracle.name()));
                break;
            }
            // The same wall-clock time read back: one instant, none (a gap) or two (a fold).
            let wall = utc + Duration::seconds(i64::from(theirs.local_minus_utc()));
            let ours = zone.from_local_datetime(&wall).map(|t| t.naive_utc());
            let theirs = oracle.from_local_datetime(&wall).map(|t| t.naive_utc());
            if ours != theirs {
                differ.push(format!(
                    "{} local {wall}: {ours:?} vs {theirs:?}",
                    oracle.name()
                ));
                break;
            }
        }
    }
    assert!(checked > 100_000, "{checked} instants");
    assert!(missing.is_empty(), "names the database lacks: {missing:?}");
    assert!(
        differ.is_empty(),
        "{} zones differ: {differ:#?}",
        differ.len()
    );
}

#[test]
fn the_hours_around_each_change_read_the_same_in_both() {
    // Around every transition of a few zones with unusual rules: half-hour DST (Lord Howe),
    // southern hemisphere (Santiago), a 45-minute offset (Chatham), a skipped day (Apia 2011).
    for name in [
        "Australia/Lord_Howe",
        "America/Santiago",
        "Pacific/Chatham",
        "Pacific/Apia",
        "Europe/Berlin",
        "America/New_York",
    ] {
        let zone = Zone::get(name).unwrap();
        let oracle: chrono_tz::Tz = name.parse().unwrap();
        let mut wall = NaiveDateTime::parse_from_str("2005-01-01T00:00", "%Y-%m-%dT%H:%M").unwrap();
        let end = NaiveDateTime::parse_from_str("2023-12-31T00:00", "%Y-%m-%dT%H:%M").unwrap();
        while wall < end {
            let ours = zone.from_local_datetime(&wall).map(|t| t.naive_utc());
            let theirs = oracle.from_local_datetime(&wall).map(|t| t.naive_utc());
            assert_eq!(ours, theirs, "{name} local {wall}");
            wall += Duration::minutes(15);
        }
    }
}
