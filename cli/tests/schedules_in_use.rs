//! Schedule and reminder behaviour found wrong in use, checked as a user meets it through
//! `regimen`: flags that were silently dropped, as-needed limits, tapers, snoozes, travel,
//! settings and the words of the output.

mod common;

use common::Run;
use serde_json::Value;

/// The due times of a `today --json` answer, as RFC 3339 strings.
fn due_times(today: &Value) -> Vec<String> {
    today["doses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["due_at"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn times_with_every_three_days_come_every_third_day() {
    let run = Run::new();
    let added = run.ok(&[
        "med",
        "add",
        "Alendronate",
        "--times",
        "09:00",
        "--every",
        "3d",
        "--start",
        "2025-06-01",
    ]);
    assert!(added.contains("at 09:00 every 3 days"), "{added}");
    let on = |date: &str| due_times(&run.json(&["today", "--date", date]));
    assert_eq!(on("2025-06-01"), ["2025-06-01T07:00:00Z"]);
    assert!(on("2025-06-02").is_empty());
    assert!(on("2025-06-03").is_empty());
    assert_eq!(on("2025-06-04"), ["2025-06-04T07:00:00Z"]);
}

#[test]
fn flags_another_flag_would_make_meaningless_are_refused_and_nothing_is_added() {
    let run = Run::new();
    let refused = [
        (
            vec!["--times", "09:00", "--window", "08:00-10:00"],
            "--window",
        ),
        (vec!["--cycle", "21/7"], "--cycle"),
        (vec!["--days", "mon"], "--days"),
        (vec!["--for", "10d"], "--for"),
        (vec!["--times", "09:00", "--every", "8h"], "--every"),
        (vec!["--every", "8h", "--max", "3 tablet/24h"], "--max"),
        (vec!["--min-interval", "4h"], "--min-interval"),
        (
            vec!["--times", "09:00", "--after-last-taken"],
            "--after-last-taken",
        ),
        (
            vec!["--timing", r#"{"code":{"text":"BID"}}"#, "--times", "09:00"],
            "--times",
        ),
        (
            vec!["--every", "1d", "--after-last-taken"],
            "after_last_taken",
        ),
    ];
    for (flags, named) in refused {
        let mut args = vec!["med", "add", "Metformin"];
        args.extend(&flags);
        let stderr = run.fails(&args);
        assert!(stderr.contains(named), "{flags:?}: {stderr}");
    }
    assert!(
        run.json(&["med", "list", "--all"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A window does what it says with an interval.
    run.ok(&[
        "med",
        "add",
        "Salbutamol",
        "--every",
        "2h",
        "--window",
        "08:00-12:00",
        "--start",
        "2025-06-04",
    ]);
    let today = run.json(&["today"]);
    assert_eq!(
        due_times(&today),
        [
            "2025-06-04T06:00:00Z",
            "2025-06-04T08:00:00Z",
            "2025-06-04T10:00:00Z"
        ]
    );
}

#[test]
fn an_as_needed_dose_exactly_at_the_least_interval_is_on_time() {
    let run = Run::new();
    let before = ["--now", "2025-06-04T00:00:00+02:00"];
    run.ok(&[
        &["med", "add", "Paracetamol", "--prn", "--min-interval", "4h"][..],
        &before,
    ]
    .concat());
    let first = run.json(&[
        "dose",
        "take",
        "Paracetamol",
        "--now",
        "2025-06-04T08:00:00+02:00",
    ]);
    assert!(first["warning"].is_null());
    let on_time = run.json(&[
        "dose",
        "take",
        "Paracetamol",
        "--now",
        "2025-06-04T12:00:00+02:00",
    ]);
    assert!(on_time["warning"].is_null(), "{on_time}");
    let early = run.json(&[
        "dose",
        "take",
        "Paracetamol",
        "--now",
        "2025-06-04T15:59:00+02:00",
    ]);
    assert_eq!(early["warning"]["rule"], "too_soon");
    assert_eq!(
        early["warning"]["earliest_allowed_at"],
        "2025-06-04T14:00:00Z"
    );
}

#[test]
fn an_as_needed_dose_logged_without_an_amount_counts_as_the_prescribed_dose() {
    let run = Run::new();
    run.ok(&[
        "med",
        "add",
        "Ibuprofen",
        "--strength",
        "200 mg",
        "--prn",
        "--dose",
        "2 tablet",
        "--max",
        "1200 mg/24h",
        "--now",
        "2025-06-04T00:00:00+02:00",
    ]);
    // Three doses of two 200 mg tablets are 1200 mg: at the ceiling, not over it.
    for hour in ["06", "10", "14"] {
        let at = format!("2025-06-04T{hour}:00:00+02:00");
        let logged = run.json(&["dose", "take", "Ibuprofen", "--now", &at]);
        assert!(logged["warning"].is_null(), "{hour}: {logged}");
    }
    let fourth = run.json(&[
        "dose",
        "take",
        "Ibuprofen",
        "--now",
        "2025-06-04T18:00:00+02:00",
    ]);
    assert_eq!(fourth["warning"]["rule"], "over_maximum");
    assert_eq!(fourth["warning"]["taken_in_period"]["value"], 1600.0);
    assert_eq!(fourth["warning"]["taken_in_period"]["unit"], "mg");
    let text = run.ok(&[
        "dose",
        "take",
        "Ibuprofen",
        "--now",
        "2025-06-04T20:00:00+02:00",
    ]);
    // Five doses are 2000 mg: two of the earlier ones must leave the 24 hours first.
    assert!(
        text.contains("within the rules from Thu 5 Jun 10:00"),
        "{text}"
    );
}

#[test]
fn an_as_needed_ceiling_it_cannot_count_against_is_said_not_guessed() {
    let run = Run::new();
    // No amount per dose and no strength: a logged dose cannot be put in mg.
    run.ok(&[
        "med",
        "add",
        "Naproxen",
        "--prn",
        "--max",
        "1000 mg/24h",
        "--now",
        "2025-06-04T00:00:00+02:00",
    ]);
    let logged = run.json(&[
        "dose",
        "take",
        "Naproxen",
        "--now",
        "2025-06-04T08:00:00+02:00",
    ]);
    assert_eq!(logged["warning"]["rule"], "unchecked");
    let text = run.ok(&[
        "dose",
        "take",
        "Naproxen",
        "--now",
        "2025-06-04T12:00:00+02:00",
    ]);
    assert!(text.contains("could not be checked"), "{text}");
}

const TAPER: &str = r#"{"resourceType":"MedicationRequest",
 "medicationCodeableConcept":{"text":"Prednisolone 5 mg"},
 "dosageInstruction":[
  {"sequence":2,"text":"then 4 tablets each morning for 3 days",
   "timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"],
     "boundsDuration":{"value":3,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}},
   "doseAndRate":[{"doseQuantity":{"value":4,"unit":"tablet"}}]},
  {"sequence":1,"text":"8 tablets each morning for 3 days",
   "timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"],
     "boundsDuration":{"value":3,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}},
   "doseAndRate":[{"doseQuantity":{"value":8,"unit":"tablet"}}]},
  {"sequence":3,"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"]}},
   "doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]}"#;

#[test]
fn a_taper_says_how_much_today_and_from_when_the_amount_changes() {
    let run = Run::new();
    let file = run.dir.path().join("taper.json");
    std::fs::write(&file, TAPER).unwrap();
    run.ok(&[
        "med",
        "import",
        file.to_str().unwrap(),
        "--now",
        "2025-06-01T12:00:00+02:00",
    ]);

    let monday = run.json(&["today", "--date", "2025-06-02"]);
    let dose = &monday["doses"][0];
    assert_eq!(dose["dose"]["value"], 8.0);
    assert_eq!(dose["next_change"]["at"], "2025-06-05T06:00:00Z");
    assert_eq!(dose["next_change"]["dose"]["value"], 4.0);
    let text = run.ok(&["today", "--date", "2025-06-02"]);
    assert!(
        text.contains("8 tablets (4 tablets from Thu 5 Jun)"),
        "{text}"
    );
    let thursday = run.ok(&["today", "--date", "2025-06-05"]);
    assert!(
        thursday.contains("4 tablets (1 tablet from Sun 8 Jun)"),
        "{thursday}"
    );
    // The last step has nothing after it.
    let later = run.json(&["today", "--date", "2025-06-09"]);
    assert!(later["doses"][0]["next_change"].is_null());
    assert_eq!(later["doses"][0]["dose"]["value"], 1.0);

    // At the full privacy level a reminder says how much, and the steps in order.
    run.ok(&["settings", "--privacy", "full"]);
    let plan = run.json(&[
        "plan",
        "--now",
        "2025-06-05T07:00:00+02:00",
        "--horizon",
        "2h",
    ]);
    let body = plan["notifications"][0]["body"].as_str().unwrap();
    assert!(
        body.starts_with("Time for Prednisolone 5 mg (4 tablets)."),
        "{body}"
    );
    assert!(
        body.contains("8 tablets each morning for 3 days; then 4 tablets"),
        "{body}"
    );
}

#[test]
fn a_snooze_ending_with_another_medicines_follow_up_rings_once() {
    let run = Run::new();
    for name in ["Metformin", "Lisinopril"] {
        run.ok(&[
            "med",
            "add",
            name,
            "--times",
            "08:00",
            "--start",
            "2025-06-01",
        ]);
    }
    run.ok(&[
        "dose",
        "snooze",
        "Metformin",
        "--minutes",
        "10",
        "--now",
        "2025-06-04T08:00:00+02:00",
    ]);
    let plan = run.json(&[
        "plan",
        "--now",
        "2025-06-04T08:01:00+02:00",
        "--horizon",
        "2h",
    ]);
    let at_ten: Vec<&Value> = plan["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["fire_at"] == "2025-06-04T06:10:00Z")
        .collect();
    assert_eq!(at_ten.len(), 1, "{plan}");
    assert_eq!(at_ten[0]["body"], "Time for your 8:00 medicines");
    assert_eq!(at_ten[0]["medicine_ids"].as_array().unwrap().len(), 2);
}

#[test]
fn two_databases_on_one_phone_never_share_a_notification_id() {
    let (parent, child) = (Run::new(), Run::new());
    let ids = |run: &Run| -> Vec<(String, i64)> {
        run.ok(&[
            "med",
            "add",
            "Levothyroxine",
            "--times",
            "07:00",
            "--start",
            "2025-06-01",
        ]);
        let plan = run.json(&["plan", "--horizon", "2d"]);
        plan["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_owned(),
                    n["platform_id"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let (a, b) = (ids(&parent), ids(&child));
    assert_eq!(a.len(), b.len());
    assert!(!a.is_empty());
    for (id, platform_id) in &a {
        assert!(
            b.iter()
                .all(|(other, other_platform)| other != id && other_platform != platform_id)
        );
    }
}

#[test]
fn after_landing_the_offered_gradual_shift_moves_home_doses_toward_local_time() {
    let run = Run::new();
    run.ok(&[
        "med",
        "add",
        "Tacrolimus",
        "--times",
        "08:00",
        "--policy",
        "home",
        "--start",
        "2025-06-01",
    ]);
    run.ok(&["zone", "Europe/Berlin"]);
    let landing = [
        "--now",
        "2025-06-04T18:00:00-04:00",
        "--tz",
        "America/New_York",
    ];
    let mut args = vec!["zone", "America/New_York"];
    args.extend(landing);
    let report = run.ok(&args);
    assert!(report.contains("regimen med shift 1 --hours 2"), "{report}");

    let mut args = vec!["med", "shift", "1", "--hours", "2"];
    args.extend(landing);
    let shifted = run.ok(&args);
    assert!(
        shifted.contains("moving to America/New_York time by 2 h a day"),
        "{shifted}"
    );
    // 08:00 in Berlin is 02:00 in New York; each day the dose comes up to 2 hours later on
    // the local clock until it is at 08:00 there.
    let local_due = |date: &str| {
        let mut args = vec!["today", "--date", date];
        args.extend(landing);
        let today = run.json(&args);
        due_times(&today)
    };
    assert_eq!(
        local_due("2025-06-05"),
        ["2025-06-05T08:00:00Z"],
        "04:00 in New York"
    );
    assert_eq!(
        local_due("2025-06-06"),
        ["2025-06-06T10:00:00Z"],
        "06:00 in New York"
    );
    assert_eq!(
        local_due("2025-06-07"),
        ["2025-06-07T12:00:00Z"],
        "08:00 in New York"
    );
    assert_eq!(
        local_due("2025-06-09"),
        ["2025-06-09T12:00:00Z"],
        "and stays there"
    );
}

#[test]
fn settings_read_as_text_and_as_json_with_json() {
    let run = Run::new();
    let text = run.ok(&["settings"]);
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert!(
        text.contains("late after 30 minutes and missed after 120 minutes"),
        "{text}"
    );
    assert!(text.contains("the time, no medicine names"), "{text}");
    let json = run.json(&["settings", "--follow-ups", "1"]);
    assert_eq!(json["reminders"]["follow_up_count"], 1);
    assert!(
        run.ok(&["settings"])
            .contains("repeat 1 time (10 minutes apart)")
    );
}

#[test]
fn counts_and_amounts_read_in_the_right_number() {
    let run = Run::new();
    let one = run.ok(&["med", "add", "A", "--times", "08:00", "--dose", "1 tablet"]);
    assert!(one.contains("1 tablet at 08:00"), "{one}");
    let four = run.ok(&["med", "add", "B", "--every", "3d", "--dose", "4 tablet"]);
    assert!(four.contains("4 tablets every 3 days"), "{four}");
    let liquid = run.ok(&[
        "med",
        "add",
        "C",
        "--times",
        "08:00,20:00",
        "--dose",
        "2.5 mL",
    ]);
    assert!(liquid.contains("2.5 mL at 08:00, 20:00"), "{liquid}");
    let file = run.dir.path().join("one.csv");
    std::fs::write(&file, "gene,diplotype\nCYP2C19,*1/*2\n").unwrap();
    let imported = run.ok(&["pgx", "import", file.to_str().unwrap()]);
    assert!(imported.contains("Read 1 result from"), "{imported}");
    // A and C are due together at 08:00 tomorrow: one notification, and no follow-ups.
    run.ok(&["settings", "--follow-ups", "0"]);
    let plan = run.ok(&[
        "plan",
        "--horizon",
        "1h",
        "--now",
        "2025-06-05T07:59:00+02:00",
    ]);
    assert!(plan.starts_with("1 notification to have pending"), "{plan}");
}
