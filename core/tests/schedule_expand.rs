//! Schedule expansion pinned to named instants: zones, DST, FHIR patterns and extensions.

use regimen_core::Timestamp;
use regimen_core::schedule::{
    Anchors, Bounds, Cycle, DayOfWeek, EventTiming, ExpandContext, Phase, Schedule, Timing,
    TimingCode, TimingRepeat, UnitOfTime, Window, ZonePolicy, ZoneTimeline, expand, parse_zone,
};

fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

fn daily_at(times: &[&str]) -> TimingRepeat {
    TimingRepeat {
        frequency: Some(times.len() as u32),
        period: Some(1.0),
        period_unit: Some(UnitOfTime::D),
        time_of_day: times.iter().map(|t| t.parse().unwrap()).collect(),
        ..TimingRepeat::default()
    }
}

fn phase(repeat: TimingRepeat) -> Phase {
    Phase {
        timing: Timing {
            repeat: Some(repeat),
            ..Timing::default()
        },
        ..Phase::default()
    }
}

fn schedule(start: &str, zone: &str, policy: ZonePolicy, phases: Vec<Phase>) -> Schedule {
    Schedule {
        start: start.parse().unwrap(),
        zone: zone.into(),
        policy,
        phases,
        as_needed: None,
        shift: None,
    }
}

/// Instants due in `[from, to)` with the phone staying in the schedule's zone.
fn due(schedule: &Schedule, from: &str, to: &str) -> Vec<String> {
    let zones = ZoneTimeline::fixed(parse_zone(&schedule.zone).unwrap());
    due_with(schedule, &zones, None, from, to)
}

fn due_with(
    schedule: &Schedule,
    zones: &ZoneTimeline,
    last_taken: Option<Timestamp>,
    from: &str,
    to: &str,
) -> Vec<String> {
    let anchors = Anchors::default();
    let context = ExpandContext {
        anchors: &anchors,
        device_zones: zones,
        last_taken,
        offsets: &regimen_core::schedule::DayOffsets::default(),
    };
    expand(schedule, &context, at(from), at(to))
        .unwrap()
        .iter()
        .map(|d| d.at.to_string())
        .collect()
}

#[test]
fn daily_0230_on_spring_forward_fires_at_0330_cest() {
    let s = schedule(
        "2025-03-28",
        "Europe/Berlin",
        ZonePolicy::Local,
        vec![phase(daily_at(&["02:30"]))],
    );
    assert_eq!(
        due(&s, "2025-03-29T00:00:00Z", "2025-04-01T00:00:00Z"),
        [
            "2025-03-29T01:30:00Z",
            "2025-03-30T01:30:00Z",
            "2025-03-31T00:30:00Z"
        ]
    );
}

#[test]
fn daily_0230_in_the_autumn_fold_fires_once_at_the_first_0230() {
    let s = schedule(
        "2025-10-20",
        "Europe/Berlin",
        ZonePolicy::Local,
        vec![phase(daily_at(&["02:30"]))],
    );
    assert_eq!(
        due(&s, "2025-10-25T00:00:00Z", "2025-10-28T00:00:00Z"),
        [
            "2025-10-25T00:30:00Z",
            "2025-10-26T00:30:00Z",
            "2025-10-27T01:30:00Z"
        ]
    );
}

#[test]
fn elapsed_8_hours_from_2300_cet_before_spring_forward_next_fires_at_0800_cest() {
    let every_8h = TimingRepeat {
        frequency: Some(1),
        period: Some(8.0),
        period_unit: Some(UnitOfTime::H),
        ..TimingRepeat::default()
    };
    let s = schedule(
        "2025-03-29T23:00",
        "Europe/Berlin",
        ZonePolicy::Elapsed,
        vec![phase(every_8h.clone())],
    );
    assert_eq!(
        due(&s, "2025-03-29T00:00:00Z", "2025-03-30T14:00:01Z"),
        [
            "2025-03-29T22:00:00Z",
            "2025-03-30T06:00:00Z",
            "2025-03-30T14:00:00Z"
        ]
    );
    // With policy local the same schedule keeps wall-clock steps: 07:00 CEST, 7 real hours.
    let local = schedule(
        "2025-03-29T23:00",
        "Europe/Berlin",
        ZonePolicy::Local,
        vec![phase(every_8h)],
    );
    assert_eq!(
        due(&local, "2025-03-29T00:00:00Z", "2025-03-30T06:00:00Z"),
        ["2025-03-29T22:00:00Z", "2025-03-30T05:00:00Z"]
    );
}

#[test]
fn elapsed_daily_dose_keeps_24_real_hours_across_dst() {
    let s = schedule(
        "2025-03-28",
        "Europe/Berlin",
        ZonePolicy::Elapsed,
        vec![phase(daily_at(&["08:00"]))],
    );
    // 08:00 CET = 07:00Z every day, so 09:00 CEST after the change.
    assert_eq!(
        due(&s, "2025-03-29T00:00:00Z", "2025-04-01T00:00:00Z"),
        [
            "2025-03-29T07:00:00Z",
            "2025-03-30T07:00:00Z",
            "2025-03-31T07:00:00Z"
        ]
    );
}

#[test]
fn local_policy_follows_the_phone_to_new_york_and_home_policy_does_not() {
    let berlin = parse_zone("Europe/Berlin").unwrap();
    let new_york = parse_zone("America/New_York").unwrap();
    // The patient lands in New York on 2025-06-02 at 18:00 UTC.
    let zones = ZoneTimeline::new(berlin, vec![(at("2025-06-02T18:00:00Z"), new_york)]);
    let local = schedule(
        "2025-06-01",
        "Europe/Berlin",
        ZonePolicy::Local,
        vec![phase(daily_at(&["08:00"]))],
    );
    assert_eq!(
        due_with(
            &local,
            &zones,
            None,
            "2025-06-02T00:00:00Z",
            "2025-06-04T00:00:00Z"
        ),
        // 08:00 CEST on the 2nd, then 08:00 EDT on the 3rd.
        ["2025-06-02T06:00:00Z", "2025-06-03T12:00:00Z"]
    );
    let home = Schedule {
        policy: ZonePolicy::Home,
        ..local
    };
    assert_eq!(
        due_with(
            &home,
            &zones,
            None,
            "2025-06-02T00:00:00Z",
            "2025-06-04T00:00:00Z"
        ),
        ["2025-06-02T06:00:00Z", "2025-06-03T06:00:00Z"]
    );
}

#[test]
fn bid_without_times_spreads_over_the_waking_day() {
    let bid = Phase {
        timing: Timing {
            code: Some(TimingCode::Bid),
            ..Timing::default()
        },
        ..Phase::default()
    };
    let s = schedule("2025-06-01", "UTC", ZonePolicy::Local, vec![bid]);
    assert_eq!(
        due(&s, "2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z"),
        ["2025-06-01T07:00:00Z", "2025-06-01T19:00:00Z"]
    );
}

#[test]
fn before_breakfast_with_an_offset_uses_the_patients_anchors() {
    let acm = TimingRepeat {
        when: vec![EventTiming::Acm],
        offset: Some(60),
        frequency: Some(1),
        period: Some(1.0),
        period_unit: Some(UnitOfTime::D),
        ..TimingRepeat::default()
    };
    let s = schedule("2025-06-01", "UTC", ZonePolicy::Local, vec![phase(acm)]);
    assert_eq!(
        due(&s, "2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z"),
        ["2025-06-01T06:30:00Z"]
    );
}

#[test]
fn every_other_day_counts_from_the_start() {
    let qod = Phase {
        timing: Timing {
            code: Some(TimingCode::Qod),
            ..Timing::default()
        },
        ..Phase::default()
    };
    let s = schedule("2025-06-01T09:00", "UTC", ZonePolicy::Local, vec![qod]);
    assert_eq!(
        due(&s, "2025-06-01T00:00:00Z", "2025-06-06T00:00:00Z"),
        [
            "2025-06-01T09:00:00Z",
            "2025-06-03T09:00:00Z",
            "2025-06-05T09:00:00Z"
        ]
    );
}

#[test]
fn monday_wednesday_friday_at_0800() {
    let mwf = TimingRepeat {
        day_of_week: vec![DayOfWeek::Mon, DayOfWeek::Wed, DayOfWeek::Fri],
        ..daily_at(&["08:00"])
    };
    // 2025-06-02 is a Monday.
    let s = schedule("2025-06-01", "UTC", ZonePolicy::Local, vec![phase(mwf)]);
    assert_eq!(
        due(&s, "2025-06-01T00:00:00Z", "2025-06-09T00:00:00Z"),
        [
            "2025-06-02T08:00:00Z",
            "2025-06-04T08:00:00Z",
            "2025-06-06T08:00:00Z"
        ]
    );
}

#[test]
fn for_10_days_and_6_doses_total_stop_by_themselves() {
    let ten_days = TimingRepeat {
        bounds: Some(Bounds::Duration {
            value: 10.0,
            unit: UnitOfTime::D,
        }),
        ..daily_at(&["08:00"])
    };
    let s = schedule(
        "2025-06-01",
        "UTC",
        ZonePolicy::Local,
        vec![phase(ten_days)],
    );
    let doses = due(&s, "2025-05-01T00:00:00Z", "2025-08-01T00:00:00Z");
    assert_eq!(doses.len(), 10);
    assert_eq!(doses.last().unwrap(), "2025-06-10T08:00:00Z");

    let six = TimingRepeat {
        count: Some(6),
        ..daily_at(&["08:00", "20:00"])
    };
    let s = schedule("2025-06-01", "UTC", ZonePolicy::Local, vec![phase(six)]);
    let doses = due(&s, "2025-05-01T00:00:00Z", "2025-08-01T00:00:00Z");
    assert_eq!(doses.len(), 6);
    assert_eq!(doses.last().unwrap(), "2025-06-03T20:00:00Z");
    // A window that starts after some doses still respects the total.
    assert_eq!(
        due(&s, "2025-06-03T00:00:00Z", "2025-08-01T00:00:00Z").len(),
        2
    );
}

#[test]
fn a_21_7_cycle_pauses_for_a_week() {
    let cycle = Phase {
        cycle: Some(Cycle {
            days_on: 21,
            days_off: 7,
        }),
        ..phase(daily_at(&["09:00"]))
    };
    let s = schedule("2025-06-01", "UTC", ZonePolicy::Local, vec![cycle]);
    let doses = due(&s, "2025-06-01T00:00:00Z", "2025-07-27T00:00:00Z");
    assert_eq!(doses.len(), 42);
    assert_eq!(doses[20], "2025-06-21T09:00:00Z");
    assert_eq!(
        doses[21], "2025-06-29T09:00:00Z",
        "day 29 starts the second cycle"
    );
}

#[test]
fn a_taper_runs_its_phases_one_after_another() {
    let four_weeks = TimingRepeat {
        bounds: Some(Bounds::Duration {
            value: 4.0,
            unit: UnitOfTime::Wk,
        }),
        ..daily_at(&["08:00"])
    };
    let s = schedule(
        "2025-06-01",
        "UTC",
        ZonePolicy::Local,
        vec![phase(four_weeks), phase(daily_at(&["08:00"]))],
    );
    let anchors = Anchors::default();
    let zones = ZoneTimeline::fixed(parse_zone("UTC").unwrap());
    let context = ExpandContext {
        anchors: &anchors,
        device_zones: &zones,
        last_taken: None,
        offsets: &regimen_core::schedule::DayOffsets::default(),
    };
    let doses = expand(
        &s,
        &context,
        at("2025-06-01T00:00:00Z"),
        at("2025-07-05T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(doses.len(), 34);
    assert!(doses[..28].iter().all(|d| d.phase == 0));
    assert_eq!(doses[28].at, at("2025-06-29T08:00:00Z"));
    assert_eq!(doses[28].phase, 1);
}

#[test]
fn every_3_hours_between_0800_and_2200() {
    let every_3h = TimingRepeat {
        frequency: Some(1),
        period: Some(3.0),
        period_unit: Some(UnitOfTime::H),
        ..TimingRepeat::default()
    };
    let windowed = Phase {
        window: Some(Window {
            start: "08:00".parse().unwrap(),
            end: "22:00".parse().unwrap(),
        }),
        ..phase(every_3h)
    };
    let s = schedule("2025-06-01", "UTC", ZonePolicy::Local, vec![windowed]);
    assert_eq!(
        due(&s, "2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z"),
        [
            "2025-06-01T08:00:00Z",
            "2025-06-01T11:00:00Z",
            "2025-06-01T14:00:00Z",
            "2025-06-01T17:00:00Z",
            "2025-06-01T20:00:00Z"
        ]
    );
}

#[test]
fn an_interval_from_the_last_dose_taken_restarts_from_it() {
    let every_8h = Phase {
        after_last_taken: true,
        ..phase(TimingRepeat {
            frequency: Some(1),
            period: Some(8.0),
            period_unit: Some(UnitOfTime::H),
            ..TimingRepeat::default()
        })
    };
    let s = schedule("2025-06-01T06:00", "UTC", ZonePolicy::Local, vec![every_8h]);
    let zones = ZoneTimeline::fixed(parse_zone("UTC").unwrap());
    let taken_late = Some(at("2025-06-01T15:20:00Z"));
    assert_eq!(
        due_with(
            &s,
            &zones,
            taken_late,
            "2025-06-01T15:30:00Z",
            "2025-06-02T08:00:00Z"
        ),
        ["2025-06-01T23:20:00Z", "2025-06-02T07:20:00Z"]
    );
}

#[test]
fn monthly_on_the_31st_falls_on_the_last_day_of_shorter_months() {
    let monthly = Phase {
        timing: Timing {
            code: Some(TimingCode::Mo),
            ..Timing::default()
        },
        ..Phase::default()
    };
    let s = schedule("2025-01-31T10:00", "UTC", ZonePolicy::Local, vec![monthly]);
    assert_eq!(
        due(&s, "2025-01-01T00:00:00Z", "2025-05-01T00:00:00Z"),
        [
            "2025-01-31T10:00:00Z",
            "2025-02-28T10:00:00Z",
            "2025-03-31T10:00:00Z",
            "2025-04-30T10:00:00Z"
        ]
    );
}

#[test]
fn nothing_is_due_before_the_schedule_starts() {
    let s = schedule(
        "2025-06-01T12:00",
        "UTC",
        ZonePolicy::Local,
        vec![phase(daily_at(&["08:00", "20:00"]))],
    );
    assert_eq!(
        due(&s, "2025-05-30T00:00:00Z", "2025-06-02T00:00:00Z"),
        ["2025-06-01T20:00:00Z"]
    );
}

#[test]
fn half_a_day_is_every_12_hours_from_the_start() {
    let half_day = TimingRepeat {
        frequency: Some(1),
        period: Some(0.5),
        period_unit: Some(UnitOfTime::D),
        ..TimingRepeat::default()
    };
    let s = schedule(
        "2025-06-01T09:00",
        "UTC",
        ZonePolicy::Local,
        vec![phase(half_day)],
    );
    assert_eq!(
        due(&s, "2025-06-01T00:00:00Z", "2025-06-02T10:00:00Z"),
        [
            "2025-06-01T09:00:00Z",
            "2025-06-01T21:00:00Z",
            "2025-06-02T09:00:00Z"
        ]
    );
}

#[test]
fn an_empty_repeat_or_an_overflowing_cycle_is_refused() {
    let empty = schedule(
        "2025-06-01",
        "UTC",
        ZonePolicy::Local,
        vec![phase(TimingRepeat::default())],
    );
    assert!(empty.validate().is_err());
    let huge = Phase {
        cycle: Some(Cycle {
            days_on: u32::MAX,
            days_off: u32::MAX,
        }),
        ..phase(daily_at(&["08:00"]))
    };
    assert!(
        schedule("2025-06-01", "UTC", ZonePolicy::Local, vec![huge])
            .validate()
            .is_err()
    );
}

#[test]
fn a_gradual_shift_moves_0800_berlin_to_0800_new_york_two_hours_a_day() {
    use regimen_core::schedule::GradualShift;
    let mut s = schedule(
        "2025-06-01",
        "Europe/Berlin",
        ZonePolicy::Home,
        vec![phase(daily_at(&["08:00"]))],
    );
    s.shift = Some(GradualShift {
        to_zone: "America/New_York".into(),
        starts: "2025-06-03".parse().unwrap(),
        max_hours_per_day: 2,
    });
    s.validate().unwrap();
    assert_eq!(
        due(&s, "2025-06-01T00:00:00Z", "2025-06-07T00:00:00Z"),
        [
            "2025-06-01T06:00:00Z", // 08:00 Berlin
            "2025-06-02T06:00:00Z",
            "2025-06-03T08:00:00Z", // 2 h later
            "2025-06-04T10:00:00Z", // 4 h later
            "2025-06-05T12:00:00Z", // 08:00 New York
            "2025-06-06T12:00:00Z",
        ]
    );
    s.policy = ZonePolicy::Local;
    assert!(s.validate().is_err(), "only home schedules shift");
}

#[test]
fn flying_west_does_not_repeat_a_dose_already_due_in_the_zone_left_behind() {
    let berlin = parse_zone("Europe/Berlin").unwrap();
    let new_york = parse_zone("America/New_York").unwrap();
    // In New York from 10:30 UTC: 06:30 there, after the 06:30 Berlin dose (04:30 UTC).
    let zones = ZoneTimeline::new(berlin, vec![(at("2025-06-04T10:30:00Z"), new_york)]);
    let s = schedule(
        "2025-06-01",
        "Europe/Berlin",
        ZonePolicy::Local,
        vec![phase(daily_at(&["06:30", "19:00"]))],
    );
    assert_eq!(
        due_with(
            &s,
            &zones,
            None,
            "2025-06-04T00:00:00Z",
            "2025-06-05T12:00:00Z"
        ),
        [
            "2025-06-04T04:30:00Z", // 06:30 in Berlin
            "2025-06-04T23:00:00Z", // 19:00 in New York (not 17:00 UTC in Berlin)
            "2025-06-05T10:30:00Z", // 06:30 in New York the next day
        ]
    );
}
