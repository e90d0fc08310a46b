//! Schedules that used to be accepted and then made every later call panic or allocate
//! gigabytes ("poison"): each is refused with the field at fault, and any schedule that
//! validates expands without panicking, whatever its numbers.

mod common;

use std::time::Duration;

use proptest::prelude::*;
use regimen_core::Error;
use regimen_core::interop::fhir::timing_from_fhir;
use regimen_core::schedule::{
    Anchors, AsNeeded, Bounds, Cycle, DayOffsets, ExpandContext, MaxDose, Phase, Quantity,
    Schedule, Timing, TimingRepeat, UnitOfTime, ZonePolicy, ZoneTimeline, expand, parse_zone,
};

use common::{at, daily_schedule, named, store};

fn with_timing(timing: Timing) -> Schedule {
    Schedule {
        phases: vec![Phase {
            timing,
            ..Phase::default()
        }],
        ..daily_schedule("2026-01-01", "Europe/Berlin", &["08:00"])
    }
}

fn fhir(json: &str) -> regimen_core::Result<Schedule> {
    let value: serde_json::Value = serde_json::from_str(json).expect("test JSON");
    timing_from_fhir(&value, parse_zone("Europe/Berlin")?).map(with_timing)
}

fn refused_field(schedule: regimen_core::Result<Schedule>) -> &'static str {
    match schedule.and_then(|s| s.validate().map(|()| s)) {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn poison_timings_are_refused_naming_the_field() {
    let cases = [
        // `--every 99999999999999999999h`
        (
            r#"{"repeat":{"frequency":1,"period":1e20,"periodUnit":"h"}}"#,
            "repeat.period",
        ),
        // No period: the frequency counts doses a day (4 billion of them).
        (r#"{"repeat":{"frequency":4294967295}}"#, "repeat.frequency"),
        (
            r#"{"repeat":{"count":4294967295,"frequency":1,"period":1,"periodUnit":"min"}}"#,
            "repeat.count",
        ),
        (
            r#"{"repeat":{"boundsDuration":{"value":1e300,"code":"d"},"frequency":1,"period":1,"periodUnit":"d"}}"#,
            "repeat.bounds[x]",
        ),
        (
            r#"{"repeat":{"frequency":1,"period":1e15,"periodUnit":"mo"}}"#,
            "repeat.period",
        ),
        (
            r#"{"repeat":{"frequency":1,"period":1e18,"periodUnit":"min"}}"#,
            "repeat.period",
        ),
        (
            r#"{"repeat":{"duration":1e300,"durationUnit":"h","frequency":1,"period":1,"periodUnit":"d"}}"#,
            "repeat.duration",
        ),
        (r#"{"event":["0001-01-01T00:00:00"]}"#, "event"),
        (
            r#"{"repeat":{"boundsPeriod":{"start":"2026-01-01","end":"99999-01-01"},"frequency":1,"period":1,"periodUnit":"d"}}"#,
            "repeat.boundsPeriod",
        ),
        (
            r#"{"repeat":{"frequency":1,"period":1,"periodUnit":"d","frequencyMax":99999}}"#,
            "repeat.frequencyMax",
        ),
    ];
    for (json, field) in cases {
        assert_eq!(refused_field(fhir(json)), field, "{json}");
    }
}

#[test]
fn poison_values_built_in_code_are_refused_too() {
    // Callers of the API build records directly, past any FHIR parser.
    let mut far = daily_schedule("2026-01-01", "Europe/Berlin", &["08:00"]);
    far.start = "2026-01-01".parse().unwrap();
    far.start.0 = chrono::NaiveDate::from_ymd_opt(9999, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    assert_eq!(refused_field(Ok(far)), "start");

    let mut events = with_timing(Timing {
        event: vec!["2026-01-01T08:00".parse().unwrap(); 1_001],
        ..Timing::default()
    });
    assert_eq!(refused_field(Ok(events.clone())), "event");
    events.phases[0].timing.event.truncate(1_000);
    assert!(events.validate().is_ok(), "a thousand events are fine");

    let many_times = with_timing(Timing {
        repeat: Some(TimingRepeat {
            time_of_day: vec!["08:00".parse().unwrap(); 97],
            ..TimingRepeat::default()
        }),
        ..Timing::default()
    });
    assert_eq!(refused_field(Ok(many_times)), "repeat.time_of_day");

    let mut huge_dose = daily_schedule("2026-01-01", "Europe/Berlin", &["08:00"]);
    huge_dose.phases[0].dose = Some(Quantity {
        value: 1e300,
        unit: "mg".into(),
    });
    assert_eq!(refused_field(Ok(huge_dose)), "dose");

    let prn = |min: Option<u32>, period_hours: u32| Schedule {
        phases: Vec::new(),
        as_needed: Some(AsNeeded {
            reason: None,
            min_interval_minutes: min,
            max_per_period: Some(MaxDose {
                amount: Quantity {
                    value: 4.0,
                    unit: "tablet".into(),
                },
                period_hours,
            }),
            dose: None,
            ends: None,
        }),
        ..daily_schedule("2026-01-01", "Europe/Berlin", &["08:00"])
    };
    assert_eq!(
        refused_field(Ok(prn(Some(u32::MAX), 24))),
        "as_needed.min_interval_minutes"
    );
    assert_eq!(
        refused_field(Ok(prn(Some(240), u32::MAX))),
        "as_needed.max_per_period.period_hours"
    );
    assert!(prn(Some(240), 24).validate().is_ok());
}

#[test]
fn a_refused_schedule_stores_nothing_and_the_rest_keeps_planning() {
    let (store, _dir) = store();
    let now = at("2026-03-01T06:00:00Z");
    let good = store
        .add_scheduled_medicine(
            &named("A"),
            Some(&daily_schedule("2026-01-01", "Europe/Berlin", &["08:00"])),
            now,
        )
        .unwrap()
        .0;
    let poison = with_timing(Timing {
        repeat: Some(TimingRepeat {
            frequency: Some(1),
            period: Some(1e20),
            period_unit: Some(UnitOfTime::H),
            ..TimingRepeat::default()
        }),
        ..Timing::default()
    });
    assert!(
        store
            .add_scheduled_medicine(&named("B"), Some(&poison), now)
            .is_err()
    );
    assert_eq!(
        store.medicines(true).unwrap().len(),
        1,
        "no half-added medicine"
    );
    let plan = store
        .plan_notifications(now, Duration::from_secs(86_400), 64)
        .unwrap();
    assert!(
        plan.notifications
            .iter()
            .all(|n| n.medicine_ids == [good.id])
    );
    assert!(!plan.notifications.is_empty());
    assert!(plan.schedule_problems.is_empty());
}

fn unit() -> impl Strategy<Value = UnitOfTime> {
    prop::sample::select(vec![
        UnitOfTime::S,
        UnitOfTime::Min,
        UnitOfTime::H,
        UnitOfTime::D,
        UnitOfTime::Wk,
        UnitOfTime::Mo,
        UnitOfTime::A,
    ])
}

/// Numbers from the ordinary to the absurd, with the edges a parser lets through.
fn wild_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.001f64..100.0,
        prop::sample::select(vec![
            0.5,
            1.0,
            1e6,
            1e9,
            1e15,
            1e20,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            3652.0,
            3653.0,
            120.0,
            121.0
        ]),
    ]
}

fn wild_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        1u32..50,
        prop::sample::select(vec![1_440, 1_441, 99_999, 100_000, 100_001, u32::MAX])
    ]
}

fn wild_schedule() -> impl Strategy<Value = Schedule> {
    (
        (
            prop::option::of(wild_u32()),
            prop::option::of(wild_f64()),
            unit(),
            prop::option::of(wild_u32()),
            prop::option::of((wild_f64(), unit())),
        ),
        (
            prop::option::of((1u32..400, 0u32..400)),
            prop::bool::ANY,
            prop::sample::select(vec![
                ZonePolicy::Local,
                ZonePolicy::Home,
                ZonePolicy::Elapsed,
            ]),
            1900i32..2200,
        ),
    )
        .prop_map(
            |(
                (frequency, period, period_unit, count, bounds),
                (cycle, after_last, policy, year),
            )| {
                let mut schedule = with_timing(Timing {
                    repeat: Some(TimingRepeat {
                        frequency,
                        period,
                        period_unit: period.map(|_| period_unit),
                        count,
                        bounds: bounds.map(|(value, unit)| Bounds::Duration { value, unit }),
                        ..TimingRepeat::default()
                    }),
                    ..Timing::default()
                });
                schedule.phases[0].cycle =
                    cycle.map(|(days_on, days_off)| Cycle { days_on, days_off });
                schedule.phases[0].after_last_taken = after_last;
                schedule.policy = policy;
                schedule.start.0 = chrono::NaiveDate::from_ymd_opt(year, 6, 1)
                    .unwrap()
                    .and_hms_opt(8, 0, 0)
                    .unwrap();
                schedule
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Anything validation lets through expands over a month anywhere in the supported
    /// years without panicking, in strictly increasing order and within the frequency cap.
    #[test]
    fn every_accepted_schedule_expands_without_panicking(
        schedule in wild_schedule(),
        window_year in 1900i32..2200,
        last_taken_days in prop::option::of(0i64..20_000),
    ) {
        if schedule.validate().is_err() {
            return Ok(());
        }
        let zones = ZoneTimeline::fixed(parse_zone(&schedule.zone).unwrap());
        let offsets = DayOffsets::default();
        let anchors = Anchors::default();
        let from = regimen_core::Timestamp::parse_rfc3339(&format!("{window_year}-03-01T00:00:00Z")).unwrap();
        let to = from.plus(Duration::from_secs(31 * 86_400));
        let context = ExpandContext {
            anchors: &anchors,
            device_zones: &zones,
            last_taken: last_taken_days.map(|d| from.minus(Duration::from_secs(d as u64 * 86_400))),
            offsets: &offsets,
        };
        if let Ok(doses) = expand(&schedule, &context, from, to) {
            prop_assert!(doses.windows(2).all(|w| w[0].at < w[1].at));
            prop_assert!(doses.len() <= 31 * 1_440 + 1_440);
            prop_assert!(doses.iter().all(|d| d.at >= from && d.at < to));
        }
    }
}
