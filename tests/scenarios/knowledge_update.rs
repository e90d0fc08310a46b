//! Knowledge-base updates fetched from a server on this device (127.0.0.1): a newer signed
//! bundle is installed with its ETag, the next check sends the ETag and takes `304 Not
//! Modified`, and a tampered bundle, a failing server or an unreachable one changes nothing.
//! Every request is the same plain `GET`, whatever the patient's medicines or genes.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use regimen_core::knowledge::{Bundle, Tables, generate_signing_key, public_key_of, sign};
use regimen_ffi::{
    KnowledgeUpdate, MedicineInfo, NewPgxResult, PgxSource, Regimen, RegimenConfig, RegimenError,
};
use regimen_tests::{MemoryKeyStore, block_on};

/// What the test server answers, in order, one response per connection.
enum Reply {
    /// `200 OK` with this body and ETag.
    Bundle(Vec<u8>, &'static str),
    /// `304 Not Modified` when the request carries this ETag in `If-None-Match`, else 412.
    NotModifiedIf(&'static str),
    /// An error status with no body.
    Status(u16),
}

/// A one-thread HTTP/1.1 server on a free loopback port; keeps each request's head.
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
    thread: JoinHandle<()>,
}

impl Server {
    fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/regimen/knowledge.bundle",
            listener.local_addr().unwrap()
        );
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let thread = std::thread::spawn(move || {
            for reply in replies {
                let (stream, _) = listener.accept().unwrap();
                let head = serve(stream, &reply);
                seen.lock().unwrap().push(head);
            }
        });
        Server {
            url,
            requests,
            thread,
        }
    }

    /// Waits for the server to have answered every reply and returns the request heads.
    fn finish(self) -> Vec<String> {
        self.thread.join().unwrap();
        Arc::try_unwrap(self.requests)
            .unwrap()
            .into_inner()
            .unwrap()
    }
}

fn serve(stream: TcpStream, reply: &Reply) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
    }
    let (status, etag, body): (u16, Option<&str>, &[u8]) = match reply {
        Reply::Bundle(bytes, etag) => (200, Some(etag), bytes),
        Reply::NotModifiedIf(etag) => {
            let sent = head
                .lines()
                .any(|l| l.eq_ignore_ascii_case(&format!("if-none-match: {etag}")));
            (if sent { 304 } else { 412 }, None, b"")
        }
        Reply::Status(status) => (*status, None, b""),
    };
    let mut stream = reader.into_inner();
    let mut response = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
    if let Some(etag) = etag {
        response.push_str(&format!("ETag: {etag}\r\n"));
    }
    if status != 304 {
        response.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    response.push_str("\r\n");
    stream.write_all(response.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    head
}

fn bundle(version: u64) -> Bundle {
    Bundle {
        version,
        created: "2026-11-21".into(),
        source: "test update".into(),
        tables: Tables::builtin(),
    }
}

/// A patient with medicines and a genotype: none of it may reach the request.
fn patient(trusted: String, dir: &tempfile::TempDir) -> Arc<Regimen> {
    let path = dir.path().join("patient.db").to_string_lossy().into_owned();
    let config = RegimenConfig {
        knowledge_keys: vec![trusted],
        ..RegimenConfig::default()
    };
    let regimen = Regimen::open(path, config, Arc::new(MemoryKeyStore::default())).unwrap();
    regimen
        .add_medicine(MedicineInfo {
            name: "clopidogrel".into(),
            ..MedicineInfo::default()
        })
        .unwrap();
    regimen
        .add_pgx_result(NewPgxResult {
            gene: "CYP2C19".into(),
            diplotype: "*2/*2".into(),
            source: PgxSource::Manual,
            test_date: None,
            lab: None,
            other_diplotypes: Vec::new(),
        })
        .unwrap();
    regimen
}

#[test]
fn an_update_is_fetched_once_and_then_answered_by_its_etag() {
    let key = generate_signing_key().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let regimen = patient(public_key_of(&key).unwrap(), &dir);
    let mut tampered = sign(&bundle(3), &key).unwrap();
    let last = tampered.len() - 3;
    tampered[last] ^= 1;
    let server = Server::start(vec![
        Reply::Bundle(sign(&bundle(2), &key).unwrap(), "\"kb-2\""),
        Reply::NotModifiedIf("\"kb-2\""),
        Reply::Bundle(tampered, "\"kb-3\""),
        Reply::Status(503),
        // The server lost its ETag and serves the bundle in use again.
        Reply::Bundle(sign(&bundle(2), &key).unwrap(), "\"kb-2b\""),
    ]);

    let update =
        |url: &str| block_on(regimen.update_knowledge(url.to_owned(), regimen_ffi::native_http()));
    let installed = update(&server.url).unwrap();
    assert_eq!(
        (
            installed.installed,
            installed.info.version,
            installed.info.updated
        ),
        (true, 2, true)
    );
    assert_eq!(
        update(&server.url).unwrap(),
        KnowledgeUpdate {
            installed: false,
            info: installed.info.clone()
        },
        "the server said the bundle in use is current"
    );
    assert!(matches!(
        update(&server.url),
        Err(RegimenError::KnowledgeBase { .. })
    ));
    assert!(matches!(
        update(&server.url),
        Err(RegimenError::Network { reason }) if reason.contains("503")
    ));
    assert!(!update(&server.url).unwrap().installed);
    assert_eq!(regimen.knowledge_info().unwrap().version, 2);

    let requests = server.finish();
    assert_eq!(requests.len(), 5);
    for (n, head) in requests.iter().enumerate() {
        let mut lines = head.lines();
        assert_eq!(lines.next(), Some("GET /regimen/knowledge.bundle HTTP/1.1"));
        for line in lines {
            let name = line.split(':').next().unwrap().to_ascii_lowercase();
            assert!(
                ["host", "accept", "if-none-match"].contains(&name.as_str()),
                "request {n} sent a {name} header"
            );
        }
        let lower = head.to_ascii_lowercase();
        for private in ["clopidogrel", "cyp2c19", "*2"] {
            assert!(!lower.contains(private), "request {n} carries patient data");
        }
        // The first request has no ETag to send; every later one sends the installed one.
        assert_eq!(
            lower.contains("if-none-match: \"kb-2\""),
            n > 0,
            "request {n}"
        );
    }
}

#[test]
fn an_update_url_that_could_differ_per_user_or_leave_tls_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let key = generate_signing_key().unwrap();
    let regimen = patient(public_key_of(&key).unwrap(), &dir);
    for url in [
        "http://updates.example/kb.bundle",
        "https://updates.example/kb.bundle?user=42",
        "https://updates.example/kb.bundle#x",
        "https://someone:secret@updates.example/kb.bundle",
        "ftp://updates.example/kb.bundle",
        "not a url",
    ] {
        let refused =
            block_on(regimen.update_knowledge(url.to_owned(), regimen_ffi::native_http()));
        assert!(
            matches!(&refused, Err(RegimenError::InvalidInput { field, .. }) if field == "url"),
            "{url}: {refused:?}"
        );
    }
}

#[test]
fn an_unreachable_server_is_a_network_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = generate_signing_key().unwrap();
    let regimen = patient(public_key_of(&key).unwrap(), &dir);
    // A port that was free a moment ago and has nobody listening now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = block_on(regimen.update_knowledge(
        format!("http://127.0.0.1:{port}/kb"),
        regimen_ffi::native_http(),
    ));
    assert!(
        matches!(refused, Err(RegimenError::Network { .. })),
        "{refused:?}"
    );
    assert_eq!(regimen.knowledge_info().unwrap().version, 1);
}
