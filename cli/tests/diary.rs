//! `regimen diary add | list | delete` as a patient uses them: measurements typed with their
//! units, refusals that name the field, the list read back, and a delete.

mod common;

use common::Run;

#[test]
fn an_entry_with_measurements_reads_back_in_words_and_as_json() {
    let run = Run::new();
    let added = run.json(&["med", "add", "Metformin", "--times", "08:00"]);
    let medicine = added["medicine"]["id"].as_i64().unwrap();
    let text = run.ok(&[
        "diary",
        "add",
        "--at",
        "2025-03-10T08:30:00+01:00",
        "--medicine",
        "Metformin",
        "--severity",
        "3",
        "--bp",
        "150/95",
        "--heart-rate",
        "88",
        "--glucose",
        "100mg/dL",
        "--weight",
        "154lb",
        "--temperature",
        "37.2C",
        "Dizzy after breakfast",
        "--now",
        "2025-03-10T09:00:00+01:00",
    ]);
    // 100 mg/dL / 18.016 = 5.55 mmol/L; 154 lb * 0.45359237 = 69.85 kg; 37.2 °C = 98.96 °F.
    for shown in [
        "severity 3/5",
        "150/95 mmHg",
        "88 /min",
        "100 mg/dL (5.6 mmol/L)",
        "154 lb (69.9 kg)",
        "37.2 °C (99.0 °F)",
        "Metformin: Dizzy after breakfast",
        "08:30",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    run.ok(&[
        "diary",
        "add",
        "--at",
        "2025-03-12T21:00:00+01:00",
        "--glucose",
        "5.4 mmol/L",
        "--now",
        "2025-03-12T21:00:00+01:00",
    ]);
    let listed = run.json(&[
        "diary",
        "list",
        "--days",
        "7",
        "--now",
        "2025-03-13T12:00:00+01:00",
    ]);
    let entries = listed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["text"], "Dizzy after breakfast");
    assert_eq!(entries[0]["medicine_id"], medicine);
    assert_eq!(entries[0]["severity"], 3);
    assert_eq!(entries[0]["at"], "2025-03-10T07:30:00Z");
    let glucose = &entries[0]["measurements"][2];
    assert_eq!(glucose["kind"], "glucose");
    assert_eq!(
        glucose["unit"], "mg_per_dl",
        "kept in the unit it was taken in"
    );
    assert_eq!(glucose["value"], 100.0);
    assert_eq!(entries[1]["measurements"][0]["unit"], "mmol_per_l");
    // Three days back from the 13th starts on the 11th: only the second entry.
    let recent = run.json(&[
        "diary",
        "list",
        "--days",
        "3",
        "--now",
        "2025-03-13T12:00:00+01:00",
    ]);
    assert_eq!(recent["entries"].as_array().unwrap().len(), 1);

    let first = entries[0]["id"].as_i64().unwrap().to_string();
    run.ok(&[
        "diary",
        "delete",
        &first,
        "--now",
        "2025-03-13T12:00:00+01:00",
    ]);
    let after = run.ok(&[
        "diary",
        "list",
        "--days",
        "7",
        "--now",
        "2025-03-13T12:00:00+01:00",
    ]);
    assert!(after.starts_with("1 entry in the last 7 days"), "{after}");
    assert!(!after.contains("Dizzy"));
    let again = run.fails(&[
        "diary",
        "delete",
        &first,
        "--now",
        "2025-03-13T12:00:00+01:00",
    ]);
    assert!(
        again.contains("not found") || again.contains("no diary entry"),
        "{again}"
    );
}

#[test]
fn bad_measurements_are_refused_naming_the_field_and_nothing_is_written() {
    let run = Run::new();
    for (flag, value, field) in [
        ("--glucose", "5.4", "glucose"),
        ("--glucose", "5.4mg/dL", "glucose"),
        ("--weight", "70 stone", "weight"),
        ("--temperature", "37.2F", "temperature"),
        ("--bp", "80/120", "blood_pressure"),
        ("--heart-rate", "400", "heart_rate"),
        ("--severity", "6", "severity"),
    ] {
        let error = run.fails(&["diary", "add", flag, value, "felt odd"]);
        assert!(error.contains(field), "{flag} {value}: {error}");
    }
    let future = run.fails(&[
        "diary",
        "add",
        "--at",
        "2025-03-10T10:00:00Z",
        "--now",
        "2025-03-10T09:00:00Z",
        "tomorrow's headache",
    ]);
    assert!(future.contains("at"), "{future}");
    let listed = run.json(&["diary", "list"]);
    assert!(listed["entries"].as_array().unwrap().is_empty());
}
