//! What the CLI tests share: a temporary database and a way to run `regimen` on it.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A temporary folder holding one patient's database.
pub struct Run {
    /// The folder (removed when the run is dropped).
    pub dir: tempfile::TempDir,
}

impl Run {
    /// A new, empty folder.
    pub fn new() -> Self {
        Run {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The database path.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("patient.db")
    }

    /// Runs `regimen --db <temp db> ARGS` in Berlin on 2025-06-04 at 12:30 (unless ARGS say
    /// otherwise), with no `REGIMEN_KEY` in its environment.
    pub fn regimen(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_regimen"));
        command.arg("--db").arg(self.db()).args(args);
        if !args.contains(&"--now") {
            command.args(["--now", "2025-06-04T12:30:00+02:00"]);
        }
        if !args.contains(&"--tz") {
            command.args(["--tz", "Europe/Berlin"]);
        }
        command.env_remove("REGIMEN_KEY").output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.regimen(args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs with `--json` and expects success; returns the parsed stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut with_json = args.to_vec();
        with_json.push("--json");
        serde_json::from_str(&self.ok(&with_json)).unwrap()
    }

    /// Runs and expects a failure; returns its one line of stderr.
    // Not every test file uses every helper.
    #[allow(dead_code)]
    pub fn fails(&self, args: &[&str]) -> String {
        let output = self.regimen(args);
        assert!(!output.status.success(), "{args:?} should have failed");
        String::from_utf8(output.stderr).unwrap()
    }
}
