//! Property tests of expansion over random schedules, zones with DST, and ranges.

use std::time::Duration;

use proptest::prelude::*;
use regimen_core::Timestamp;
use regimen_core::schedule::{
    Anchors, Bounds, DayOfWeek, ExpandContext, Phase, PlannedDose, Schedule, Timing, TimingRepeat,
    UnitOfTime, ZonePolicy, ZoneTimeline, expand, parse_zone,
};

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Kolkata",
    "Pacific/Apia",
    "UTC",
];

const DAYS: &[DayOfWeek] = &[
    DayOfWeek::Mon,
    DayOfWeek::Tue,
    DayOfWeek::Wed,
    DayOfWeek::Thu,
    DayOfWeek::Fri,
    DayOfWeek::Sat,
    DayOfWeek::Sun,
];

fn repeat_strategy() -> impl Strategy<Value = TimingRepeat> {
    let daily = (
        prop::collection::vec((0u32..24, 0u32..60), 1..5),
        prop::collection::vec(0usize..7, 0..4),
    )
        .prop_map(|(times, days)| TimingRepeat {
            frequency: Some(times.len() as u32),
            period: Some(1.0),
            period_unit: Some(UnitOfTime::D),
            time_of_day: times
                .iter()
                .map(|(h, m)| format!("{h:02}:{m:02}").parse().unwrap())
                .collect(),
            day_of_week: days.iter().map(|&d| DAYS[d]).collect(),
            ..TimingRepeat::default()
        });
    let interval = (1u32..13, 1u32..3).prop_map(|(hours, frequency)| TimingRepeat {
        frequency: Some(frequency),
        period: Some(f64::from(hours)),
        period_unit: Some(UnitOfTime::H),
        ..TimingRepeat::default()
    });
    let spread = (1u32..5, 1u32..4).prop_map(|(frequency, days)| TimingRepeat {
        frequency: Some(frequency),
        period: Some(f64::from(days)),
        period_unit: Some(UnitOfTime::D),
        ..TimingRepeat::default()
    });
    (
        prop_oneof![daily, interval, spread],
        prop::option::of(1u32..40),
        prop::option::of(1u32..30),
    )
        .prop_map(|(mut repeat, count, bound_days)| {
            repeat.count = count;
            repeat.bounds = bound_days.map(|days| Bounds::Duration {
                value: f64::from(days),
                unit: UnitOfTime::D,
            });
            repeat
        })
}

fn schedule_strategy() -> impl Strategy<Value = Schedule> {
    (
        repeat_strategy(),
        0usize..ZONES.len(),
        prop_oneof![
            Just(ZonePolicy::Local),
            Just(ZonePolicy::Home),
            Just(ZonePolicy::Elapsed)
        ],
        0i64..700,
        0u32..24,
    )
        .prop_map(|(repeat, zone, policy, day, hour)| {
            let date =
                chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(day);
            Schedule {
                start: format!("{date}T{hour:02}:00").parse().unwrap(),
                zone: ZONES[zone].into(),
                policy,
                phases: vec![Phase {
                    timing: Timing {
                        repeat: Some(repeat),
                        ..Timing::default()
                    },
                    ..Phase::default()
                }],
                as_needed: None,
                shift: None,
            }
        })
}

fn run(schedule: &Schedule, device_zone: &str, from: Timestamp, to: Timestamp) -> Vec<PlannedDose> {
    let anchors = Anchors::default();
    let zones = ZoneTimeline::fixed(parse_zone(device_zone).unwrap());
    let context = ExpandContext {
        anchors: &anchors,
        device_zones: &zones,
        last_taken: None,
        offsets: &regimen_core::schedule::DayOffsets::default(),
    };
    expand(schedule, &context, from, to).unwrap()
}

/// The earliest instant the schedule's start (a wall-clock time) can mean: read in the
/// schedule's zone or the phone's, whichever comes first, an hour early for a DST change.
fn earliest_start(schedule: &Schedule, device_zone: &str) -> Timestamp {
    use chrono::TimeZone;
    let wall = schedule.start.0;
    let at = |zone: &str| {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let local = tz
            .from_local_datetime(&wall)
            .earliest()
            .unwrap_or_else(|| tz.from_utc_datetime(&wall));
        local.timestamp_millis()
    };
    let millis = at(&schedule.zone).min(at(device_zone)) - 3_600_000;
    Timestamp::from_millis(millis).unwrap()
}

fn day_start(day: i64) -> Timestamp {
    Timestamp::parse_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .plus(Duration::from_secs(day as u64 * 86_400))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn occurrences_strictly_increase_and_stay_within_the_range_and_the_start(
        schedule in schedule_strategy(),
        device in 0usize..ZONES.len(),
        from_day in 0i64..760,
        length in 1i64..60,
    ) {
        prop_assert!(schedule.validate().is_ok());
        let (from, to) = (day_start(from_day), day_start(from_day + length));
        let doses = run(&schedule, ZONES[device], from, to);
        for pair in doses.windows(2) {
            prop_assert!(pair[0].at < pair[1].at, "not strictly increasing: {:?}", pair);
        }
        let start = earliest_start(&schedule, ZONES[device]);
        for dose in &doses {
            prop_assert!(dose.at >= from && dose.at < to);
            prop_assert!(dose.at >= start, "a dose before the schedule starts: {:?}", dose);
        }
    }

    #[test]
    fn a_count_is_never_exceeded_and_splitting_the_range_changes_nothing(
        schedule in schedule_strategy(),
        device in 0usize..ZONES.len(),
        split in 1i64..100,
    ) {
        let (from, middle, to) = (day_start(0), day_start(split), day_start(800));
        let whole = run(&schedule, ZONES[device], from, to);
        let mut halves = run(&schedule, ZONES[device], from, middle);
        halves.extend(run(&schedule, ZONES[device], middle, to));
        prop_assert_eq!(&whole, &halves);
        let repeat = schedule.phases[0].timing.repeat.as_ref().unwrap();
        if let Some(count) = repeat.count {
            prop_assert!(whole.len() <= count as usize);
        }
        if let Some(Bounds::Duration { value, .. }) = repeat.bounds {
            // A phase of N days has at most N days of doses (plus DST slack of a day).
            let days: std::collections::BTreeSet<i64> =
                whole.iter().map(|d| d.at.as_millis().div_euclid(86_400_000)).collect();
            prop_assert!(days.len() as f64 <= value + 2.0);
        }
    }
}
