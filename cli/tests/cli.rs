//! The `regimen` binary as a user runs it: exit codes, one-line errors, JSON, the key file.

mod common;

use std::path::Path;
use std::process::Command;

use common::Run;

fn file_mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn demo_fills_an_empty_database_once_and_shows_today() {
    let run = Run::new();
    let first = run.json(&["demo"]);
    assert_eq!(first["created"], true);
    let medicines = first["medicines"].as_array().unwrap();
    assert!(medicines.len() >= 5);
    assert!(
        medicines.iter().any(|m| !m["archived_at"].is_null()),
        "a finished course"
    );

    let second = run.json(&["demo"]);
    assert_eq!(second["created"], false);
    assert_eq!(
        second["medicines"].as_array().unwrap().len(),
        medicines.len()
    );

    let text = run.ok(&["demo"]);
    assert!(text.contains("Metformin 500 mg"), "{text}");
    assert!(text.contains("Time for your 19:00 medicines"), "{text}");
    assert!(
        !text.contains("Metformin 500 mg  taken 19"),
        "nothing after now is answered"
    );
    assert!(first["today"].as_array().unwrap().len() >= 7);
    assert!(
        !first["plan"]["notifications"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn key_file_is_created_beside_the_database_readable_by_the_owner_only() {
    let run = Run::new();
    run.ok(&["med", "list"]);
    let key = run.dir.path().join("patient.db.key");
    assert_eq!(file_mode(&key), 0o600);
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
}

#[test]
fn add_show_edit_archive_restore_round_trip() {
    let run = Run::new();
    let added = run.json(&[
        "med",
        "add",
        "Levothyroxine",
        "--strength",
        "75 mcg",
        "--form",
        "tablet",
        "--atc",
        "h03aa01",
        "--rxnorm",
        "10582",
    ]);
    let id = added["medicine"]["id"].as_i64().unwrap().to_string();
    assert_eq!(added["medicine"]["info"]["atc"], "H03AA01");
    assert_eq!(added["medicine"]["info"]["form"], "tablet");

    let edited = run.json(&["med", "edit", "levothyroxine", "--strength", "88 mcg"]);
    assert_eq!(edited["medicine"]["info"]["strength"], "88 mcg");
    assert_eq!(
        edited["medicine"]["info"]["atc"], "H03AA01",
        "unchanged fields stay"
    );
    assert_eq!(edited["medicine"]["revision"], 2);

    run.ok(&["med", "archive", &id]);
    assert_eq!(run.json(&["med", "list"]).as_array().unwrap().len(), 0);
    assert_eq!(
        run.json(&["med", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    run.ok(&["med", "restore", &id]);
    let shown = run.json(&["med", "show", &id]);
    assert!(shown["medicine"]["archived_at"].is_null());
}

#[test]
fn dose_log_records_and_lists_todays_doses() {
    let run = Run::new();
    run.ok(&["med", "add", "Metformin"]);
    let logged = run.json(&[
        "dose",
        "log",
        "Metformin",
        "--action",
        "skipped",
        "--note",
        "nausea",
    ]);
    assert_eq!(logged["event"]["action"], "skipped");
    let today = run.json(&["dose", "list"]);
    assert_eq!(today.as_array().unwrap().len(), 1);
    assert_eq!(today[0]["note"], "nausea");
}

#[test]
fn bad_input_prints_one_line_and_exits_non_zero_leaving_data_alone() {
    let run = Run::new();
    run.ok(&["med", "add", "Aspirin"]);
    let output = run.regimen(&["med", "add", "Ibuprofen", "--rxnorm", "12x"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("rxnorm"), "{stderr}");
    assert!(!stderr.contains("Ibuprofen"), "{stderr}");
    assert_eq!(run.json(&["med", "list"]).as_array().unwrap().len(), 1);

    let json_error = run.regimen(&["--json", "med", "show", "99"]);
    assert!(!json_error.status.success());
    let error: serde_json::Value = serde_json::from_slice(&json_error.stderr).unwrap();
    assert_eq!(error["error"]["kind"], "not_found");
}

#[test]
fn a_lost_key_file_is_reported_and_the_database_is_kept() {
    let run = Run::new();
    run.ok(&["med", "add", "Warfarin"]);
    let files = |run: &Run| -> Vec<Option<Vec<u8>>> {
        ["", "-wal", "-shm"]
            .iter()
            .map(|suffix| std::fs::read(format!("{}{suffix}", run.db().display())).ok())
            .collect()
    };
    let before = files(&run);
    let key_path = run.dir.path().join("patient.db.key");
    let key = std::fs::read(&key_path).unwrap();
    std::fs::remove_file(&key_path).unwrap();

    let output = run.regimen(&["med", "list"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("patient.db.key"), "{stderr}");
    assert_eq!(
        files(&run),
        before,
        "the database files are byte for byte as they were"
    );
    assert!(!key_path.exists(), "no new key replaces a lost one");

    // With the key back, everything is there.
    std::fs::write(&key_path, key).unwrap();
    let listed = run.json(&["med", "list"]);
    assert_eq!(listed[0]["info"]["name"], "Warfarin");
}

#[test]
fn regimen_key_from_the_environment_opens_the_database_without_a_key_file() {
    let run = Run::new();
    let key = "0f".repeat(32);
    let with_key = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_regimen"))
            .arg("--db")
            .arg(run.db())
            .args(args)
            .env("REGIMEN_KEY", &key)
            .output()
            .unwrap()
    };
    assert!(with_key(&["med", "add", "Atorvastatin"]).status.success());
    assert!(!run.dir.path().join("patient.db.key").exists());
    let listed = with_key(&["--json", "med", "list"]);
    let medicines: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(medicines[0]["info"]["name"], "Atorvastatin");
    // Without the key, the database stays locked.
    assert!(!run.regimen(&["med", "list"]).status.success());
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_kept() {
    let run = Run::new();
    std::fs::write(run.db(), b"my shopping list, definitely not SQLite").unwrap();
    let output = run.regimen(&["med", "list"]);
    assert!(!output.status.success());
    assert_eq!(
        std::fs::read(run.db()).unwrap(),
        b"my shopping list, definitely not SQLite"
    );
}

#[test]
fn a_scheduled_medicine_is_planned_taken_and_counted_at_a_pinned_instant_and_zone() {
    let run = Run::new();
    let added = run.json(&[
        "med",
        "add",
        "Metformin",
        "--times",
        "08:00,20:00",
        "--start",
        "2025-06-01",
        "--dose",
        "1 tablet",
    ]);
    assert_eq!(added["schedule_versions"].as_array().unwrap().len(), 1);

    // 12:30 in Berlin: the 08:00 dose is missed, the 20:00 one upcoming.
    let today = run.json(&["today"]);
    let statuses: Vec<&str> = today["doses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["missed", "upcoming"]);
    assert_eq!(today["doses"][1]["due_at"], "2025-06-04T18:00:00Z");

    let plan = run.json(&["plan", "--horizon", "1d", "--budget", "3"]);
    let notifications = plan["notifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 3);
    assert_eq!(notifications[0]["fire_at"], "2025-06-04T18:00:00Z");
    assert_eq!(notifications[0]["body"], "Time for your 20:00 medicine");

    // Taking it at 20:05 answers the 20:00 dose.
    let taken = run.json(&[
        "dose",
        "take",
        "Metformin",
        "--now",
        "2025-06-04T20:05:00+02:00",
    ]);
    assert_eq!(taken["event"]["scheduled_at"], "2025-06-04T18:00:00Z");
    let report = run.json(&[
        "adherence",
        "--days",
        "4",
        "--now",
        "2025-06-05T00:30:00+02:00",
    ]);
    assert_eq!(report["overall"]["taken_on_time"], 1);
    assert_eq!(
        report["overall"]["missed"], 5,
        "June 2 to 4 (June 5 has no dose due yet)"
    );

    // The same inputs give the same plan, byte for byte.
    let again = run.ok(&["plan", "--json", "--horizon", "1d", "--budget", "3"]);
    assert_eq!(
        again,
        run.ok(&["plan", "--json", "--horizon", "1d", "--budget", "3"])
    );
}

#[test]
fn friendly_flags_and_a_fhir_timing_describe_the_same_schedule() {
    let run = Run::new();
    run.ok(&[
        "med",
        "add",
        "A",
        "--every",
        "8h",
        "--start",
        "2025-06-04T06:00",
        "--policy",
        "elapsed",
    ]);
    run.ok(&[
        "med",
        "add",
        "B",
        "--timing",
        r#"{"repeat":{"frequency":1,"period":8,"periodUnit":"h"}}"#,
        "--start",
        "2025-06-04T06:00",
        "--policy",
        "elapsed",
    ]);
    let today = run.json(&["today"]);
    let due = |id: i64| -> Vec<String> {
        today["doses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["medicine_id"] == id)
            .map(|d| d["due_at"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        due(1),
        [
            "2025-06-04T04:00:00Z",
            "2025-06-04T12:00:00Z",
            "2025-06-04T20:00:00Z"
        ]
    );
    assert_eq!(due(1), due(2));
}

#[test]
fn skipping_without_a_due_dose_is_refused_with_a_hint() {
    let run = Run::new();
    run.ok(&[
        "med",
        "add",
        "Atorvastatin",
        "--times",
        "21:00",
        "--start",
        "2025-06-01",
    ]);
    let output = run.regimen(&["dose", "skip", "Atorvastatin"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--due 21:00"), "{stderr}");
}

#[test]
fn a_fhir_medication_request_imports_and_exports() {
    let run = Run::new();
    let file = run.dir.path().join("request.json");
    std::fs::write(
        &file,
        r#"{"resourceType":"MedicationRequest","medicationCodeableConcept":{"text":"Amoxicillin 500 mg",
            "coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"723"}]},
            "dosageInstruction":[{"text":"One capsule three times a day for 7 days",
              "timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d","boundsDuration":{"value":7,"unit":"days","system":"http://unitsofmeasure.org","code":"d"}}},
              "doseAndRate":[{"doseQuantity":{"value":1,"unit":"capsule"}}]}]}"#,
    )
    .unwrap();
    let imported = run.json(&["med", "import", file.to_str().unwrap()]);
    assert_eq!(imported["medicine"]["info"]["rxnorm"], "723");
    let exported = run.ok(&["med", "export", "1"]);
    let dosages: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(dosages[0]["timing"]["repeat"]["frequency"], 3);
    assert_eq!(dosages[0]["timing"]["repeat"]["boundsDuration"]["value"], 7);
}

#[test]
fn pgx_phenotype_reads_without_storing_and_import_show_read_a_lab_list() {
    let run = Run::new();
    let reading = run.json(&["pgx", "phenotype", "CYP2C19", "*1/*17"]);
    assert_eq!(reading["calls"][0]["phenotype"], "Rapid Metabolizer");
    assert!(
        run.json(&["pgx", "show"]).as_array().unwrap().is_empty(),
        "nothing stored"
    );

    let file = run.dir.path().join("results.csv");
    std::fs::write(&file, "gene,diplotype\nCYP2D6,*4/*4\nTPMT,*1/*3A\n").unwrap();
    let imported = run.json(&["pgx", "import", file.to_str().unwrap()]);
    assert_eq!(imported["results"].as_array().unwrap().len(), 2);
    let shown = run.json(&["pgx", "show"]);
    assert_eq!(
        shown[0]["reading"]["calls"][0]["phenotype"],
        "Poor Metabolizer"
    );
    assert_eq!(
        shown[1]["reading"]["calls"][0]["phenotype"],
        "Intermediate Metabolizer"
    );
}

#[test]
fn warnings_show_a_drug_gene_problem_after_a_result_is_imported() {
    let run = Run::new();
    run.ok(&[
        "med",
        "add",
        "Clopidogrel",
        "--times",
        "08:00",
        "--start",
        "2025-06-01",
    ]);
    let before = run.json(&["warnings"]);
    assert_eq!(before[0]["kind"], "unknown_result");
    let file = run.dir.path().join("results.csv");
    std::fs::write(&file, "CYP2C19,*2/*2\n").unwrap();
    run.ok(&["pgx", "import", file.to_str().unwrap()]);
    let after = run.json(&["warnings"]);
    assert_eq!(after[0]["kind"], "drug_gene");
    assert_eq!(after[0]["severity"], "high");
    assert_eq!(after[0]["genetic_phenotype"], "CYP2C19 Poor Metabolizer");
}

#[test]
fn a_bundle_is_built_signed_verified_and_installed_only_when_trusted_and_newer() {
    let run = Run::new();
    let key = run.dir.path().join("sign.key");
    let keygen = run.json(&["kb", "keygen", "--out", key.to_str().unwrap()]);
    let public = keygen["public_key"].as_str().unwrap().to_owned();
    assert_eq!(file_mode(&key), 0o600);
    let bundle = run.dir.path().join("kb.bundle");
    let knowledge = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/knowledge");
    run.ok(&[
        "kb",
        "build",
        "--from",
        knowledge,
        "--bundle-version",
        "2",
        "--source",
        "test",
        "--key",
        key.to_str().unwrap(),
        "--out",
        bundle.to_str().unwrap(),
    ]);
    let verified = run.json(&["kb", "verify", bundle.to_str().unwrap(), "--trust", &public]);
    assert_eq!(verified["version"], 2);

    let with_keys = |keys: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_regimen"))
            .arg("--db")
            .arg(run.db())
            .args(args)
            .env("REGIMEN_KB_KEYS", keys)
            .env_remove("REGIMEN_KEY")
            .output()
            .unwrap()
    };
    assert!(
        !with_keys("", &["kb", "install", bundle.to_str().unwrap()])
            .status
            .success(),
        "untrusted"
    );
    assert!(
        with_keys(&public, &["kb", "install", bundle.to_str().unwrap()])
            .status
            .success()
    );
    let again = with_keys(&public, &["kb", "install", bundle.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("not newer"));
    let info = with_keys(&public, &["--json", "kb", "info"]);
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["version"], 2);
}

/// Serves `body` once, with an ETag, from a loopback port; returns the URL.
fn serve_once(body: Vec<u8>) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/kb.bundle", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            line.clear();
        }
        let mut stream = reader.into_inner();
        let head = format!(
            "HTTP/1.1 200 OK\r\nETag: \"v2\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
    });
    (url, thread)
}

#[test]
fn an_unsigned_build_is_signed_apart_and_fetched_by_kb_update() {
    let run = Run::new();
    let key = run.dir.path().join("sign.key");
    let public = run.json(&["kb", "keygen", "--out", key.to_str().unwrap()])["public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let unsigned = run.dir.path().join("kb.json");
    let signed = run.dir.path().join("kb.bundle");
    let knowledge = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/knowledge");
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    run.ok(&[
        "kb",
        "build",
        "--from",
        knowledge,
        "--bundle-version",
        "2",
        "--source",
        "test",
        "--out",
        &path(&unsigned),
    ]);
    // The unsigned payload is not a bundle any phone accepts.
    let unverified = run.regimen(&["kb", "verify", &path(&unsigned), "--trust", &public]);
    assert!(!unverified.status.success());
    run.ok(&[
        "kb",
        "sign",
        &path(&unsigned),
        "--key",
        &path(&key),
        "--out",
        &path(&signed),
    ]);
    assert_eq!(
        run.json(&["kb", "verify", &path(&signed), "--trust", &public])["version"],
        2
    );

    let (url, server) = serve_once(std::fs::read(&signed).unwrap());
    let output = Command::new(env!("CARGO_BIN_EXE_regimen"))
        .args(["--db", &path(&run.db()), "--json", "kb", "update", &url])
        .env("REGIMEN_KB_KEYS", &public)
        .env_remove("REGIMEN_KEY")
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let update: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (update["installed"].as_bool(), update["version"].as_u64()),
        (Some(true), Some(2))
    );

    let refused = run.regimen(&["--json", "kb", "update", "http://updates.example/kb.bundle"]);
    let error: serde_json::Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(error["error"]["field"], "url");
}

#[test]
fn two_databases_pair_and_share_through_a_push_service_on_loopback() {
    let patient = Run::new();
    let caregiver = Run::new();
    // Real "now": the push service checks VAPID tokens against its own clock.
    let now = chrono::Utc::now().to_rfc3339();
    let json = |run: &Run, args: &[&str]| -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["--now", now.as_str()]);
        run.json(&all)
    };

    let pushed = tempfile::tempdir().unwrap();
    let service =
        regimen_tests::push_service::PushService::start_on(0, Some(pushed.path().into())).unwrap();
    let endpoint = format!("{}/push/ben", service.origin());

    patient.ok(&["demo", "--now", &now]);
    let offer = json(
        &patient,
        &["share", "offer", "--name", "Ana", "--scope", "medicines"],
    );
    let offer = offer["payload"].as_str().unwrap().to_owned();
    let answer = json(
        &caregiver,
        &[
            "share",
            "answer",
            &offer,
            "--endpoint",
            &endpoint,
            "--name",
            "Ben",
        ],
    );
    assert_eq!(answer["share"]["state"], "offered");
    let answer = answer["payload"].as_str().unwrap().to_owned();
    let accepted = json(&patient, &["share", "accept", &answer]);
    assert_eq!(accepted["state"], "active");

    let sent = json(&patient, &["share", "send"]);
    assert_eq!(sent["delivered"], 2, "{sent}");
    assert!(service.refused().is_empty(), "{:?}", service.refused());

    let mut files: Vec<String> = std::fs::read_dir(pushed.path())
        .unwrap()
        .map(|entry| entry.unwrap().path().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut args = vec!["share", "receive"];
    args.extend(files.iter().map(String::as_str));
    let received = json(&caregiver, &args);
    let kinds: Vec<&str> = received
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["received"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["shared", "schedule"]);
    // The same file again changes nothing.
    let again = json(&caregiver, &["share", "receive", &files[0]]);
    assert_eq!(again[0]["received"]["ignored"], true);
    // A damaged file among good ones: each is reported, the good one still taken in, and the
    // run fails.
    let damaged = pushed.path().join("damaged");
    std::fs::write(&damaged, b"not a push message").unwrap();
    let mixed = caregiver.regimen(&[
        "--json",
        "share",
        "receive",
        damaged.to_str().unwrap(),
        &files[1],
    ]);
    assert!(!mixed.status.success());
    let reported: serde_json::Value = serde_json::from_slice(&mixed.stdout).unwrap();
    assert!(reported[0]["error"].as_str().unwrap().contains("invalid"));
    assert_eq!(reported[1]["received"]["ignored"], true);

    let status = json(&caregiver, &["share", "status", "1"]);
    assert_eq!(status["share"]["peer_name"], "Ana");
    assert_eq!(status["share"]["state"], "active");

    let revoked = json(&patient, &["share", "revoke", "1"]);
    assert_eq!(revoked["state"], "revoked");
    let bad = patient.regimen(&["--json", "share", "accept", "{\"type\":\"x\"}"]);
    assert!(!bad.status.success());
    let error: serde_json::Value = serde_json::from_slice(&bad.stderr).unwrap();
    assert_eq!(error["error"]["field"], "answer");
}

#[test]
fn poison_schedules_are_refused_and_the_database_keeps_working() {
    let run = Run::new();
    run.ok(&["med", "add", "Metformin", "--times", "08:00,20:00"]);
    let poison: &[&[&str]] = &[
        &["--every", "99999999999999999999h"],
        &["--timing", r#"{"repeat":{"frequency":4294967295}}"#],
        &[
            "--timing",
            r#"{"repeat":{"frequency":1,"period":1,"periodUnit":"d","count":4294967295}}"#,
        ],
        &["--timing", r#"{"event":["0001-01-01T00:00:00"]}"#],
        &["--times", "08:00", "--for", "99999999999w"],
        &["--prn", "--min-interval", "99999999999h"],
        &["--prn", "--max", "2 tablet/99999999999h"],
        &["--times", "08:00", "--dose", "1e300 mg"],
    ];
    for flags in poison {
        let mut args = vec!["med", "add", "Poison"];
        args.extend_from_slice(flags);
        let output = run.regimen(&args);
        assert_eq!(output.status.code(), Some(1), "{flags:?} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("invalid"), "{flags:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{flags:?}: {stderr}");
    }
    let list = run.ok(&["med", "list"]);
    assert!(!list.contains("Poison"), "{list}");
    let today = run.ok(&["today"]);
    assert!(
        today.contains("08:00  Metformin") || today.contains("Metformin"),
        "{today}"
    );
    assert!(run.ok(&["plan"]).contains("notifications to have pending"));
    run.ok(&["med", "archive", "1"]);
}

#[test]
fn an_empty_key_file_left_by_an_interrupted_first_run_does_not_block_the_path() {
    let run = Run::new();
    let key = run.dir.path().join("patient.db.key");
    std::fs::write(&key, b"").unwrap();
    run.ok(&["med", "add", "Metformin"]);
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
    assert!(run.ok(&["med", "list"]).contains("Metformin"));
}

#[test]
fn several_processes_creating_one_database_at_once_all_succeed() {
    for round in 0..5 {
        let run = Run::new();
        let children: Vec<_> = (0..4)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_regimen"))
                    .arg("--db")
                    .arg(run.db())
                    .args(["--tz", "Europe/Berlin", "med", "add", &format!("M{i}")])
                    .env_remove("REGIMEN_KEY")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let list = run.ok(&["med", "list"]);
        assert_eq!(
            list.lines().filter(|l| l.contains('M')).count(),
            4,
            "{list}"
        );
    }
}

#[test]
fn a_database_in_a_folder_that_does_not_exist_says_so() {
    let run = Run::new();
    let db = run.dir.path().join("missing").join("p.db");
    let output = Command::new(env!("CARGO_BIN_EXE_regimen"))
        .arg("--db")
        .arg(&db)
        .args(["med", "list"])
        .env_remove("REGIMEN_KEY")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("folder"), "{stderr}");
    assert!(!stderr.contains("key"), "{stderr}");
}

#[test]
fn real_world_results_and_medicines_are_read_right_or_refused_plainly() {
    let run = Run::new();
    let file = run.dir.path().join("lab.csv");
    std::fs::write(
        &file,
        "gene,result\nHLA-B,*57:01 positive\nTPMT,*3A/TPMT*3A\nNUDT15,*1/*1\n",
    )
    .unwrap();
    run.ok(&["pgx", "import", file.to_str().unwrap()]);
    run.ok(&["med", "add", "Triumeq"]);
    run.ok(&["med", "add", "Azathioprine"]);
    run.ok(&["med", "add", "Codein"]);
    let warnings = run.json(&["warnings"]);
    let kinds: Vec<(&str, &str)> = warnings
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["kind"].as_str().unwrap(), w["severity"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("drug_gene", "high")), "{kinds:?}");
    assert!(kinds.contains(&("not_checked", "low")), "{kinds:?}");
    let text = run.ok(&["warnings"]);
    assert!(text.contains("Triumeq (abacavir)"), "{text}");
    assert!(text.contains("Did you mean codeine?"), "{text}");

    let reading = run.json(&["pgx", "phenotype", "", "CYP2C19*2/*17"]);
    assert_eq!(reading["calls"][0]["phenotype"], "Intermediate Metabolizer");
    let refused = run.regimen(&["pgx", "add", "CYP2D6", "*1/*999"]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(
        said.contains("NOT UNDERSTOOD") && said.contains("*999"),
        "{said}"
    );
    let vkorc1 = run.json(&["pgx", "phenotype", "VKORC1", "-1639 AA"]);
    assert_eq!(vkorc1["calls"][0]["phenotype"], "-1639 AA");

    let found = run.json(&["drug", "search", "plav"]);
    assert_eq!(found[0]["name"], "Plavix");
    assert_eq!(found[0]["ingredients"][0], "clopidogrel");
    let id = found[0]["id"].as_str().unwrap().to_owned();
    run.ok(&["med", "add", "Heart pill", "--drug", &id]);
    let text = run.ok(&["warnings"]);
    assert!(text.contains("Heart pill (clopidogrel)"), "{text}");
}
