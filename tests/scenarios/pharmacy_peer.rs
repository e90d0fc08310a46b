//! The stand-in pharmacy (`peers/pharmacy`, HAPI FHIR with its R4 validator) for end-to-end
//! tests: started on loopback by a test and stopped when dropped, with a small HTTP client for
//! its control API.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running pharmacy.
pub struct Pharmacy {
    child: Child,
    /// Its FHIR base URL (`http://127.0.0.1:PORT/fhir`).
    pub base: String,
    /// Its port.
    pub port: u16,
}

/// The peer's script.
fn script() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/peers/pharmacy/run.sh").to_owned()
}

impl Pharmacy {
    /// Starts the pharmacy on `port` (0: any free port); `None` when its environment cannot be
    /// set up here (outside CI only: under CI that fails the test).
    pub fn start(port: u16) -> Option<Pharmacy> {
        let mut child = Command::new("bash")
            .arg(script())
            .args(["serve", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("bash runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(base) = line.trim().strip_prefix("READY ").map(str::to_owned) else {
            let status = child.wait().unwrap();
            assert!(
                status.code() == Some(3) && std::env::var("CI").as_deref() != Ok("true"),
                "the pharmacy peer did not start ({status})"
            );
            println!("SKIPPED: the pharmacy peer could not be set up here");
            return None;
        };
        let port = base
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches("/fhir")
            .parse()
            .unwrap();
        Some(Pharmacy { child, base, port })
    }

    /// A control call: `POST` (with `body`) or `GET` of `/control/PATH`; the answer's JSON.
    pub fn control(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let (status, text) = http(self.port, method, &format!("/control/{path}"), body);
        assert!(status < 300, "{method} /control/{path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// A FHIR `GET` of `PATH` under the base: the answer's status and JSON.
    pub fn fhir_get(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, text) = http(self.port, "GET", &format!("/fhir/{path}"), "");
        (status, serde_json::from_str(&text).unwrap_or_default())
    }
}

impl Drop for Pharmacy {
    fn drop(&mut self) {
        // Its stdin closing stops it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request to 127.0.0.1:`port`: the status and the body.
fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, rest) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            unchunk(rest)
        } else {
            rest.to_owned()
        },
    )
}

/// A chunked body, joined.
fn unchunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || tail.len() < size {
            break;
        }
        out.push_str(&tail[..size]);
        rest = tail[size..].trim_start_matches("\r\n");
    }
    out
}

/// Parses FHIR JSON files with HAPI's parser and R4 validator (`run.sh parse`): each file's
/// error messages. `None` when the peer cannot be set up here.
pub fn hapi_parse(files: &[&std::path::Path]) -> Option<Vec<(String, Vec<String>)>> {
    let output = Command::new("bash")
        .arg(script())
        .arg("parse")
        .args(files)
        .output()
        .unwrap();
    if output.status.code() == Some(3) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the pharmacy peer could not be set up under CI"
        );
        println!("SKIPPED: the pharmacy peer could not be set up here");
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| {
                let json: serde_json::Value = serde_json::from_str(line).unwrap();
                let errors = json["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().to_owned())
                    .collect();
                (json["file"].as_str().unwrap_or_default().to_owned(), errors)
            })
            .collect(),
    )
}

/// What HAPI's validator said of one file.
pub struct Validated {
    /// The file.
    pub file: String,
    /// Its errors (and fatal issues), `LOCATION: MESSAGE`.
    pub errors: Vec<String>,
    /// Its warnings, `LOCATION: MESSAGE`.
    pub warnings: Vec<String>,
}

/// Like [`hapi_parse`], with each file's warnings too (`PHARMACY_SHOW_WARNINGS`). `None` when
/// the peer cannot be set up here.
pub fn hapi_validate(files: &[&std::path::Path]) -> Option<Vec<Validated>> {
    let output = Command::new("bash")
        .arg(script())
        .arg("parse")
        .args(files)
        .env("PHARMACY_SHOW_WARNINGS", "1")
        .output()
        .unwrap();
    if output.status.code() == Some(3) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the pharmacy peer could not be set up under CI"
        );
        println!("SKIPPED: the pharmacy peer could not be set up here");
        return None;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| {
                let json: serde_json::Value = serde_json::from_str(line).unwrap();
                let file = json["file"].as_str().unwrap_or_default().to_owned();
                let errors = json["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().to_owned())
                    .collect();
                let prefix = format!("{file}: warning: ");
                let warnings = stderr
                    .lines()
                    .filter_map(|l| l.strip_prefix(&prefix))
                    .map(str::to_owned)
                    .collect();
                Validated {
                    file,
                    errors,
                    warnings,
                }
            })
            .collect(),
    )
}
