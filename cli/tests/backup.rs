//! `regimen backup create|restore|info` and `regimen delete-everything`: the demo patient moved
//! to a new database reads the same in every view; refusals are typed and write nothing;
//! deleting leaves no file behind.

mod common;

use common::Run;

/// Every read-only view, as JSON, of the database of `run`.
fn views(run: &Run) -> Vec<(String, serde_json::Value)> {
    let commands: [&[&str]; 9] = [
        &["med", "list", "--all"],
        &["today"],
        &["adherence", "--days", "30"],
        &["pgx", "show"],
        &["warnings"],
        &["supply", "show"],
        &["settings"],
        &["share", "status"],
        &["dose", "list", "--from", "2025-05-01T00:00:00Z"],
    ];
    commands
        .iter()
        .map(|args| (args.join(" "), run.json(args)))
        .collect()
}

fn passphrase_file(run: &Run, passphrase: &str) -> String {
    let path = run.dir.path().join("passphrase.txt");
    std::fs::write(&path, format!("{passphrase}\n")).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_demo_patient_restored_into_a_new_database_reads_the_same_everywhere() {
    let old = Run::new();
    old.ok(&["demo"]);
    let secret = passphrase_file(&old, "pillbox in the kitchen");
    let file = old.dir.path().join("patient.backup");
    let file_arg = file.to_string_lossy().into_owned();
    old.ok(&[
        "backup",
        "create",
        "--out",
        &file_arg,
        "--passphrase-file",
        &secret,
    ]);
    let info = old.json(&["backup", "info", &file_arg]);
    assert_eq!(info["format"], 1);
    assert_eq!(info["restorable"], true);

    let new = Run::new();
    let restored = new.json(&["backup", "restore", &file_arg, "--passphrase-file", &secret]);
    assert_eq!(restored["medicines"], 7);
    // `regimen import` tells a backup by its content and restores it the same way (the
    // passphrase from the environment here).
    let imported = Run::new();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_regimen"))
        .args([
            "--db",
            &imported.db().to_string_lossy(),
            "--json",
            "import",
            &file_arg,
        ])
        .env("REGIMEN_BACKUP_PASSPHRASE", "pillbox in the kitchen")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        imported.json(&["med", "list", "--all"]),
        old.json(&["med", "list", "--all"])
    );
    let before = views(&old);
    let logged = &before
        .iter()
        .find(|(view, _)| view.starts_with("dose"))
        .unwrap()
        .1;
    assert!(
        logged.as_array().unwrap().len() >= 20,
        "the demo logs a few weeks of doses"
    );
    for ((view, before), (_, after)) in before.into_iter().zip(views(&new)) {
        assert_eq!(before, after, "`regimen {view}` differs after the restore");
    }
    // The plan is the same but for the database id that starts every notification id.
    let plan = |run: &Run| -> Vec<(String, String)> {
        run.json(&["plan"])["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let id = n["id"].as_str().unwrap();
                let (database, rest) = id.split_once('/').unwrap();
                (database.to_owned(), format!("{rest} {}", n["fire_at"]))
            })
            .collect()
    };
    let (before, after) = (plan(&old), plan(&new));
    assert!(!before.is_empty());
    assert_eq!(
        before.iter().map(|(_, r)| r).collect::<Vec<_>>(),
        after.iter().map(|(_, r)| r).collect::<Vec<_>>()
    );
    assert_ne!(before[0].0, after[0].0);
}

#[test]
fn refused_backups_say_why_and_write_nothing() {
    let old = Run::new();
    old.ok(&["med", "add", "Lisinopril"]);
    let secret = passphrase_file(&old, "pillbox in the kitchen");
    let file = old.dir.path().join("patient.backup");
    let file_arg = file.to_string_lossy().into_owned();
    old.ok(&[
        "backup",
        "create",
        "--out",
        &file_arg,
        "--passphrase-file",
        &secret,
    ]);
    // The backup file is the owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
    // Writing over an existing file is refused.
    let again = old.fails(&[
        "backup",
        "create",
        "--out",
        &file_arg,
        "--passphrase-file",
        &secret,
    ]);
    assert!(again.contains("exists already"), "{again}");

    let new = Run::new();
    let wrong = passphrase_file(&new, "pillbox in the bathroom");
    let kind = |stderr: &str| -> String {
        let error: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap();
        error["error"]["kind"].as_str().unwrap().to_owned()
    };
    let refused = new.fails(&[
        "--json",
        "backup",
        "restore",
        &file_arg,
        "--passphrase-file",
        &wrong,
    ]);
    assert_eq!(kind(&refused), "wrong_passphrase");
    let bytes = std::fs::read(&file).unwrap();
    let cut = new.dir.path().join("cut.backup");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let refused = new.fails(&[
        "--json",
        "backup",
        "restore",
        &cut.to_string_lossy(),
        "--passphrase-file",
        &secret,
    ]);
    assert_eq!(kind(&refused), "backup_truncated");
    let not_one = new.fails(&[
        "--json",
        "backup",
        "restore",
        &old.db().to_string_lossy(),
        "--passphrase-file",
        &secret,
    ]);
    assert_eq!(kind(&not_one), "not_a_backup");
    let left: Vec<String> = std::fs::read_dir(new.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("patient.db"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
    // Onto an existing database: a conflict, and the database keeps its medicine.
    let conflict = old.fails(&[
        "--json",
        "backup",
        "restore",
        &file_arg,
        "--passphrase-file",
        &secret,
    ]);
    assert_eq!(kind(&conflict), "conflict");
    assert_eq!(old.json(&["med", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn delete_everything_asks_for_yes_then_leaves_no_file() {
    let run = Run::new();
    run.ok(&["demo"]);
    let refused = run.fails(&["delete-everything"]);
    assert!(refused.contains("--yes"), "{refused}");
    assert_eq!(
        run.json(&["med", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let report = run.json(&["delete-everything", "--yes"]);
    assert!(report["files_removed"].as_u64().unwrap() >= 1);
    let left: Vec<String> = std::fs::read_dir(run.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        Vec::<String>::new(),
        "the database, its journals and key are gone"
    );
}
