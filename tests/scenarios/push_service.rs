//! A Web Push service stand-in on loopback (127.0.0.1), for tests and for trying caregiver
//! sharing on one laptop: it accepts RFC 8030 `POST`s to its subscriptions' endpoints, checks
//! what a real push service checks (the VAPID token and key of RFC 8292, `TTL`,
//! `Content-Encoding: aes128gcm`, the 4 KB limit) and keeps each accepted body for the test to
//! hand to a caregiver. It can be told to fail the next requests (a status, or a connection
//! closed with no answer, or a body kept but never acknowledged) to prove retries.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use regimen_core::share::base64url;
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

/// Largest body a push service must accept (RFC 8030 §7.2).
const MAX_BODY: usize = 4096;
/// Longest a VAPID token may live (RFC 8292 §2).
const MAX_TOKEN_SECONDS: u64 = 24 * 60 * 60;

/// How to fail one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Answer with this status and no body.
    Status(u16),
    /// Answer 429 with `Retry-After` in seconds.
    TooManyRequests(u32),
    /// Close the connection without answering (a timeout, a dropped network).
    Hangup,
    /// Keep the body as delivered, then close without answering: the sender cannot know.
    AcceptThenHangup,
}

/// A body the service accepted.
#[derive(Clone, Debug)]
pub struct Delivered {
    /// The subscription's name.
    pub subscription: String,
    /// The encrypted body.
    pub body: Vec<u8>,
    /// The `Urgency` header, if sent.
    pub urgency: Option<String>,
}

#[derive(Default)]
struct State {
    /// Subscription name → the application server key it was made with.
    subscriptions: HashMap<String, Vec<u8>>,
    failures: HashMap<String, VecDeque<Failure>>,
    delivered: Vec<Delivered>,
    refused: Vec<String>,
    /// Open mode (the stand-in binary): an unknown subscription is made on its first push,
    /// with that push's VAPID key, and every accepted body is also written to this folder.
    open: Option<PathBuf>,
}

/// The running service; stops when dropped.
pub struct PushService {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PushService {
    /// Starts on a free loopback port.
    pub fn start() -> std::io::Result<PushService> {
        PushService::start_on(0, None)
    }

    /// Starts on loopback `port` (0: any free one). With `open_dir`, any `/push/NAME`
    /// endpoint works: its subscription is made on the first push with that push's VAPID
    /// key, and each accepted body is written to `open_dir/NNNNN-NAME.bin` (in arrival order) for
    /// `regimen share receive`.
    pub fn start_on(port: u16, open_dir: Option<PathBuf>) -> std::io::Result<PushService> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            open: open_dir,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stopping) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || serve_connection(stream, addr, &state));
            }
        });
        Ok(PushService {
            addr,
            state,
            stop,
            thread: Some(thread),
        })
    }

    /// The service's origin, `http://127.0.0.1:port`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Makes a subscription for `application_server_key` (the patient's VAPID public key,
    /// as the offer carries it) and returns its endpoint.
    pub fn subscribe(&self, name: &str, application_server_key: &[u8]) -> String {
        lock(&self.state)
            .subscriptions
            .insert(name.into(), application_server_key.to_vec());
        format!("{}/push/{name}", self.origin())
    }

    /// Ends a subscription: pushes to it get 410 Gone from now on.
    pub fn unsubscribe(&self, name: &str) {
        lock(&self.state).subscriptions.remove(name);
    }

    /// Fails the next requests to `name`, one failure each, in order.
    pub fn fail_next(&self, name: &str, failures: &[Failure]) {
        lock(&self.state)
            .failures
            .entry(name.into())
            .or_default()
            .extend(failures);
    }

    /// Takes the bodies accepted so far.
    pub fn take_delivered(&self) -> Vec<Delivered> {
        std::mem::take(&mut lock(&self.state).delivered)
    }

    /// Why requests were refused so far (a failed check, not an injected failure).
    pub fn refused(&self) -> Vec<String> {
        lock(&self.state).refused.clone()
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One request: its target, headers (lower-case names) and body.
struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn serve_connection(stream: TcpStream, addr: SocketAddr, state: &Mutex<State>) {
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    let mut writer = writer;
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        let (status, extra) = match answer(&request, addr, state) {
            Answer::Status(status, extra) => (status, extra),
            Answer::Hangup => return,
        };
        let response = format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\n{extra}\r\n");
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

enum Answer {
    Status(u16, String),
    Hangup,
}

fn refuse(state: &Mutex<State>, status: u16, why: &str) -> Answer {
    let mut state = lock(state);
    if state.open.is_some() {
        eprintln!("refused with {status}: {why}");
    }
    state.refused.push(why.to_owned());
    Answer::Status(status, String::new())
}

fn answer(request: &Request, addr: SocketAddr, state: &Mutex<State>) -> Answer {
    let Some(name) = request.path.strip_prefix("/push/") else {
        return refuse(state, 404, "not a push endpoint");
    };
    if request.method != "POST" {
        return refuse(state, 405, "only POST delivers a message");
    }
    let known = lock(state).subscriptions.get(name).cloned();
    let key = match known {
        Some(key) => key,
        None if lock(state).open.is_some() => {
            let Some(key) = vapid_key(request.headers.get("authorization")) else {
                return refuse(state, 401, "no VAPID key to make the subscription with");
            };
            lock(state)
                .subscriptions
                .insert(name.to_owned(), key.clone());
            key
        }
        None => return Answer::Status(410, String::new()),
    };
    let failure = lock(state)
        .failures
        .get_mut(name)
        .and_then(VecDeque::pop_front);
    match failure {
        Some(Failure::Status(status)) => return Answer::Status(status, String::new()),
        Some(Failure::TooManyRequests(seconds)) => {
            return Answer::Status(429, format!("Retry-After: {seconds}\r\n"));
        }
        Some(Failure::Hangup) => return Answer::Hangup,
        Some(Failure::AcceptThenHangup) | None => {}
    }
    let header = |name: &str| request.headers.get(name).map(String::as_str);
    if header("ttl").is_none_or(|ttl| ttl.parse::<u64>().is_err()) {
        return refuse(state, 400, "TTL missing or not a number");
    }
    if let Some(urgency) = header("urgency")
        && !["very-low", "low", "normal", "high"].contains(&urgency)
    {
        return refuse(state, 400, "unknown Urgency");
    }
    if header("content-encoding") != Some("aes128gcm") {
        return refuse(state, 415, "Content-Encoding is not aes128gcm");
    }
    if request.body.len() > MAX_BODY {
        return refuse(state, 413, "body over 4096 bytes");
    }
    if let Err(why) = check_vapid(header("authorization"), &format!("http://{addr}"), &key) {
        return refuse(state, if why.starts_with("key") { 403 } else { 401 }, why);
    }
    let open_dir = lock(state).open.clone();
    if let Some(dir) = open_dir {
        let count = lock(state).delivered.len() + 1;
        let file = dir.join(format!("{count:05}-{name}.bin"));
        if std::fs::write(&file, &request.body).is_err() {
            return refuse(state, 500, "could not write the body to the folder");
        }
    }
    lock(state).delivered.push(Delivered {
        subscription: name.to_owned(),
        body: request.body.clone(),
        urgency: header("urgency").map(str::to_owned),
    });
    if failure == Some(Failure::AcceptThenHangup) {
        return Answer::Hangup;
    }
    Answer::Status(201, "Location: /message/1\r\n".into())
}

/// The `k` of a VAPID `Authorization` header, decoded.
fn vapid_key(header: Option<&String>) -> Option<Vec<u8>> {
    let params = header?.strip_prefix("vapid ")?;
    let k = params
        .split(',')
        .find_map(|part| part.trim().strip_prefix("k="))?;
    base64url::decode(k, "k").ok()
}

/// Checks `vapid t=<jwt>,k=<key>`: the key is the subscription's, the ES256 signature holds,
/// the audience is this service's origin and the token has not expired nor lives too long.
fn check_vapid(header: Option<&str>, origin: &str, key: &[u8]) -> Result<(), &'static str> {
    let params = header
        .and_then(|h| h.strip_prefix("vapid "))
        .ok_or("no VAPID Authorization")?;
    let mut token = None;
    let mut public = None;
    for part in params.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => token = Some(value),
            Some(("k", value)) => public = Some(value),
            _ => {}
        }
    }
    let public = base64url::decode(public.ok_or("no k")?, "k").map_err(|_| "k is not base64url")?;
    if public != key {
        return Err("key differs from the subscription's applicationServerKey");
    }
    let token = token.ok_or("no t")?;
    let (signed, signature) = token.rsplit_once('.').ok_or("t is not a JWT")?;
    let signature = base64url::decode(signature, "t").map_err(|_| "bad signature encoding")?;
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| "signature does not verify")?;
    let claims = signed.split('.').nth(1).ok_or("t is not a JWT")?;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64url::decode(claims, "t").map_err(|_| "bad claims")?)
            .map_err(|_| "claims are not JSON")?;
    if claims["aud"] != origin {
        return Err("audience is not this push service");
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "clock")?
        .as_secs();
    let exp = claims["exp"].as_u64().ok_or("no exp")?;
    if exp <= now || exp > now + MAX_TOKEN_SECONDS {
        return Err("token expired or lives over 24 hours");
    }
    Ok(())
}
