//! `regimen export csv` read back by Python's own `csv` module (an independent RFC 4180
//! reader): names and notes with commas, quotes and line breaks survive, formulas are marked
//! as text, and times carry the patient's offset across a DST change. `regimen export fhir`
//! read back by `regimen import` into a new database.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::Run;

/// The rows Python's `csv` module reads from `text`.
fn python_rows(text: &str) -> Vec<Vec<String>> {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import csv, io, json, sys; \
             print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline='')))))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_dose_log_reads_back_field_for_field_across_a_dst_change() {
    let run = Run::new();
    let name = "Vitamin D, \"sunshine\" drops";
    let added = run.json(&[
        "med",
        "add",
        name,
        "--times",
        "08:00",
        "--start",
        "2025-03-28",
        "--now",
        "2025-03-28T00:00:00+01:00",
    ]);
    let id = added["medicine"]["id"].as_i64().unwrap().to_string();
    let note = "felt dizzy,\nthen fine";
    // 28 March is in CET (+01:00); Berlin moves to CEST (+02:00) on the 30th.
    run.ok(&[
        "dose",
        "log",
        &id,
        "--scheduled",
        "2025-03-28T08:00:00+01:00",
        "--at",
        "2025-03-28T08:10:00+01:00",
        "--note",
        note,
        "--now",
        "2025-03-28T09:00:00+01:00",
    ]);
    run.ok(&[
        "dose",
        "log",
        &id,
        "--action",
        "skipped",
        "--scheduled",
        "2025-03-31T08:00:00+02:00",
        "--at",
        "2025-03-31T08:30:00+02:00",
        "--note",
        "=HYPERLINK(\"x\")",
        "--now",
        "2025-03-31T09:00:00+02:00",
    ]);
    let out = run.dir.path().join("doses.csv");
    run.ok(&[
        "export",
        "csv",
        "doses",
        "--days",
        "10",
        "--out",
        out.to_str().unwrap(),
        "--now",
        "2025-04-01T12:00:00+02:00",
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with("\r\n"), "RFC 4180 lines end in CRLF");
    let rows = python_rows(&text);
    assert_eq!(rows.len(), 3, "a header and two events: {rows:?}");
    let header = &rows[0];
    let column =
        |row: &Vec<String>, name: &str| row[header.iter().position(|h| h == name).unwrap()].clone();
    assert_eq!(column(&rows[1], "medicine"), name);
    assert_eq!(column(&rows[1], "medicine_id"), id);
    assert_eq!(column(&rows[1], "action"), "taken");
    assert_eq!(
        column(&rows[1], "scheduled_at"),
        "2025-03-28T08:00:00+01:00"
    );
    assert_eq!(column(&rows[1], "actual_at"), "2025-03-28T08:10:00+01:00");
    assert_eq!(column(&rows[1], "note"), note);
    assert_eq!(column(&rows[2], "action"), "skipped");
    assert_eq!(
        column(&rows[2], "scheduled_at"),
        "2025-03-31T08:00:00+02:00"
    );
    assert_eq!(
        column(&rows[2], "note"),
        "'=HYPERLINK(\"x\")",
        "a formula is marked as text"
    );
}

#[test]
fn adherence_per_day_counts_each_day_in_the_patients_zone() {
    let run = Run::new();
    run.ok(&[
        "med",
        "add",
        "Metformin",
        "--times",
        "08:00,20:00",
        "--start",
        "2025-06-01",
        "--now",
        "2025-06-01T00:00:00+02:00",
    ]);
    for (due, at) in [
        ("2025-06-01T08:00:00+02:00", "2025-06-01T08:05:00+02:00"),
        ("2025-06-01T20:00:00+02:00", "2025-06-01T23:30:00+02:00"),
        ("2025-06-02T08:00:00+02:00", "2025-06-02T08:00:00+02:00"),
    ] {
        run.ok(&[
            "dose",
            "log",
            "Metformin",
            "--scheduled",
            due,
            "--at",
            at,
            "--now",
            at,
        ]);
    }
    let text = run.ok(&[
        "export",
        "csv",
        "adherence",
        "--days",
        "3",
        "--now",
        "2025-06-03T12:00:00+02:00",
    ]);
    let rows = python_rows(&text);
    let header = &rows[0];
    let day = |date: &str| {
        let row = rows
            .iter()
            .find(|r| r[0] == date)
            .unwrap_or_else(|| panic!("{date}: {rows:?}"));
        header
            .iter()
            .zip(row)
            .map(|(h, v)| (h.as_str(), v.as_str()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    // 1 June: on time at 08:05, late at 23:30 (past the default late threshold).
    let first = day("2025-06-01");
    assert_eq!(
        (first["due"], first["taken_on_time"], first["taken_late"]),
        ("2", "1", "1")
    );
    // 2 June: the morning dose taken, the evening one never answered: missed by noon on the 3rd.
    let second = day("2025-06-02");
    assert_eq!((second["taken_on_time"], second["missed"]), ("1", "1"));
    // 3 June at noon: the morning dose unanswered (missed or still open), the evening one open.
    let third = day("2025-06-03");
    assert_eq!(third["due"], "2");
    assert_eq!(third["medicine"], "Metformin");
}

#[test]
fn a_fhir_export_fills_a_new_database_which_then_exports_the_same() {
    let old = Run::new();
    old.ok(&["demo"]);
    let file = old.dir.path().join("everything.json");
    let path = file.to_str().unwrap();
    old.ok(&["export", "fhir", "--out", path]);

    let new = Run::new();
    let report = new.json(&["import", path]);
    let medicines = old.json(&["med", "list", "--all"]);
    assert_eq!(
        report["medicines"].as_u64(),
        medicines.as_array().map(|m| m.len() as u64)
    );
    assert_eq!(new.json(&["med", "list", "--all"]), medicines);
    assert_eq!(new.ok(&["today"]), old.ok(&["today"]));
    assert_eq!(
        new.ok(&["pgx", "show", "--history"]),
        old.ok(&["pgx", "show", "--history"])
    );
    let again = new.dir.path().join("again.json");
    new.ok(&["export", "fhir", "--out", again.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(&again).unwrap(),
        std::fs::read_to_string(&file).unwrap()
    );

    // Only into an empty database, and only a file it knows.
    assert!(new.fails(&["import", path]).contains("conflict"));
    let orders = new.dir.path().join("orders.json");
    std::fs::write(
        &orders,
        r#"{"resourceType":"Bundle","type":"collection","entry":[]}"#,
    )
    .unwrap();
    assert!(
        new.fails(&["import", orders.to_str().unwrap()])
            .contains("not a file regimen import reads")
    );

    // The patient chooses: without the log, no MedicationAdministration.
    let lean: serde_json::Value =
        serde_json::from_str(&old.ok(&["export", "fhir", "--no-log"])).unwrap();
    let kinds: Vec<&str> = lean["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"MedicationStatement"));
    assert!(!kinds.contains(&"MedicationAdministration"));
}

#[test]
fn the_calendar_holds_a_week_of_doses_as_a_daily_rule_and_no_name_unless_asked() {
    let run = Run::new();
    run.ok(&[
        "med",
        "add",
        "Metformin",
        "--strength",
        "500 mg",
        "--times",
        "08:00",
        "--dose",
        "1 tablet",
        "--start",
        "2025-03-28",
        "--now",
        "2025-03-28T00:00:00+01:00",
    ]);
    let out = run.dir.path().join("doses.ics");
    let export = |names: bool| {
        let mut args = vec![
            "export",
            "ics",
            "--days",
            "7",
            "--out",
            out.to_str().unwrap(),
            "--now",
            "2025-03-28T12:00:00+01:00",
        ];
        if names {
            args.push("--names");
        }
        run.ok(&args);
        std::fs::read_to_string(&out).unwrap()
    };
    let text = export(false);
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    // 28 March to 3 April at 08:00 Berlin time; the last is 08:00 CEST, 06:00 UTC, after the
    // change to summer time on the 30th.
    assert!(text.contains("DTSTART;TZID=Europe/Berlin:20250328T080000\r\n"));
    assert!(
        text.contains("RRULE:FREQ=DAILY;UNTIL=20250403T060000Z;BYHOUR=8;BYMINUTE=0;BYSECOND=0\r\n")
    );
    assert!(text.contains("DTSTAMP:20250328T110000Z\r\n"));
    assert!(text.contains("SUMMARY:Time for your medicine\r\n"));
    assert!(!text.contains("Metformin") && !text.contains("500 mg"));
    let named = export(true);
    assert!(named.contains("SUMMARY:Metformin 500 mg: 1 tablet\r\n"));
}
