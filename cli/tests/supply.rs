//! `regimen supply` and `regimen pharmacy` as a user runs them, with `--json` and in words.

mod common;

use common::Run;

#[test]
fn stock_is_tracked_counted_and_checked_for_a_trip() {
    let run = Run::new();
    run.ok(&[
        "med",
        "add",
        "Metformin",
        "--times",
        "08:00,20:00",
        "--dose",
        "1 tablet",
        "--start",
        "2025-06-01",
        "--now",
        "2025-06-01T00:00:00+02:00",
    ]);
    run.ok(&[
        "supply",
        "track",
        "Metformin",
        "--unit",
        "tablet",
        "--pack",
        "30",
    ]);
    let added = run.json(&["supply", "add", "Metformin", "--packs", "2"]);
    assert_eq!(added["amount"], 60.0);
    // 12:30 on 4 June: 60 tablets, nothing logged taken; two a day from 20:00 today.
    let shown = run.json(&["supply", "show", "Metformin"]);
    assert_eq!(shown["forecast"]["stock"]["on_hand"], 60.0);
    assert_eq!(shown["forecast"]["run_out_at"], "2025-07-04T18:00:00Z");
    let text = run.ok(&["supply", "show"]);
    assert!(
        text.contains("60 tablets; runs out Fri 4 Jul 2025 at 20:00"),
        "{text}"
    );
    // The patient counts 10 left: out on the 9th.
    run.ok(&["supply", "count", "Metformin", "10"]);
    let check = run.json(&["supply", "check", "--until", "2025-06-10"]);
    assert_eq!(
        check[0]["needed"], 13.0,
        "20:00 on the 4th, then two a day to the 10th"
    );
    assert_eq!(check[0]["shortfall"], 3.0);
    let words = run.ok(&["supply", "check", "--until", "2025-06-10"]);
    assert!(words.contains("short by 3 tablets"), "{words}");
    // A refill reminder is in the plan, without the medicine's name.
    let plan = run.json(&["plan", "--horizon", "1d"]);
    let refill = plan["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "refill")
        .expect("a refill reminder");
    assert_eq!(refill["body"], "A medicine is running low");
    // Bad input is one line and changes nothing.
    assert!(
        run.fails(&["supply", "add", "Metformin", "-5"])
            .contains("amount")
    );
    assert!(
        run.fails(&["supply", "add", "Metformin"])
            .contains("amount or --packs")
    );
    assert_eq!(
        run.json(&["supply", "show", "Metformin"])["log"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn prescriptions_come_in_from_a_bundle_and_a_refill_waits_for_an_unreachable_pharmacy() {
    let run = Run::new();
    let file = run.dir.path().join("orders.json");
    std::fs::write(
        &file,
        r#"{"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"MedicationRequest","id":"rx1","status":"active","intent":"order",
            "medicationCodeableConcept":{"text":"Atorvastatin 20 mg tablets"},
            "dosageInstruction":[{"text":"Take as directed"}],
            "dispenseRequest":{"numberOfRepeatsAllowed":1,"quantity":{"value":30,"unit":"tablet"}}}},
          {"resource":{"resourceType":"MedicationRequest","status":"cancelled","intent":"order",
            "medicationCodeableConcept":{"text":"Aspirin"}}}]}"#,
    )
    .unwrap();
    let text = run.ok(&["pharmacy", "import", file.to_str().unwrap()]);
    assert!(
        text.contains("Atorvastatin 20 mg tablets: added; set its times"),
        "{text}"
    );
    assert!(text.contains("entry 1: not imported"), "{text}");
    // Nothing listens on port 9 of this machine.
    run.ok(&[
        "pharmacy",
        "set",
        "http://127.0.0.1:9/fhir",
        "--name",
        "Corner",
    ]);
    let requested = run.ok(&["pharmacy", "request", "1"]);
    assert!(
        requested.contains("0 sent, 1 waiting to be sent again"),
        "{requested}"
    );
    let status = run.json(&["pharmacy", "status"]);
    assert_eq!(status[0]["state"], "queued");
    assert_eq!(status[0]["quantity"]["value"], 30.0);
    assert!(
        run.fails(&["pharmacy", "set", "http://pharmacy.example/fhir"])
            .contains("base_url")
    );
}
