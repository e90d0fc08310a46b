//! The Python FHIR R4 peer (`python/fhir_peer.sh`, fhir.resources 6.4.0) for interop tests.

use std::io::Write;
use std::process::{Command, Stdio};

/// Parses each JSON resource of `resources` (one per line) with fhir.resources: one verdict
/// each, in order (`{"resourceType", "ok", "error", "line"}`). `None` when the peer's
/// environment cannot be set up here (outside CI only: under CI that fails the test).
pub fn parse(resources: &[String]) -> Option<Vec<serde_json::Value>> {
    let mut child = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/python/fhir_peer.sh"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let mut stdin = child.stdin.take().unwrap();
    for resource in resources {
        assert!(!resource.contains('\n'), "one resource a line");
        writeln!(stdin, "{resource}").unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    if output.status.code() == Some(3) {
        let why = String::from_utf8_lossy(&output.stderr);
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Python FHIR peer could not be set up under CI: {why}"
        );
        println!("SKIPPED: the Python FHIR peer could not be set up here: {why}");
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect(),
    )
}
