//! Sending refill requests and following them over HTTP (feature `net`).

use std::time::Duration;

use regimen_core::supply::{PharmacyRequest, RefillState};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Result;
use crate::regimen::Regimen;

/// How long to wait for a pharmacy to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Rounds of prepare, send, record in one call: a request sent, then its status, then its
/// dispense.
const ROUNDS: usize = 3;
/// Largest answer read, in bytes.
const MAX_ANSWER: usize = 1 << 20;

/// What one `send_refills` call did.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct RefillReport {
    /// Requests the pharmacy now has (sent this time).
    pub sent: u32,
    /// Requests that could not reach the pharmacy and will be tried again.
    pub retrying: u32,
    /// Requests the pharmacy refused or could not fill.
    pub failed: u32,
    /// Requests filled (their dispense added the stock).
    pub done: u32,
}

/// Makes one prepared request; `None` when no answer came.
async fn send(client: &reqwest::Client, request: &PharmacyRequest) -> Option<(u16, String)> {
    let mut headers = HeaderMap::new();
    for header in &request.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(header.name.as_bytes()),
            HeaderValue::from_str(&header.value),
        ) {
            headers.insert(name, value);
        }
    }
    let builder = match request.method.as_str() {
        "POST" => client.post(&request.url),
        _ => client.get(&request.url),
    };
    let builder = match &request.body {
        Some(body) => builder.body(body.clone()),
        None => builder,
    };
    let response = builder.headers(headers).send().await.ok()?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.ok()?;
    let body = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_ANSWER)]).into_owned();
    Some((status, body))
}

#[uniffi::export(async_runtime = "tokio")]
impl Regimen {
    /// Sends the refill requests due, and follows those the pharmacy has: their status, and
    /// the dispense that fills them (added to the stock). Nothing is sent for a medicine the
    /// patient did not ask a refill for. Call it after `request_refill`, on app start and now
    /// and then while a request is open.
    pub async fn send_refills(&self) -> Result<RefillReport> {
        let client = crate::http::client(CONNECT_TIMEOUT, REQUEST_TIMEOUT, |builder| {
            builder.redirect(reqwest::redirect::Policy::none())
        })?;
        let mut report = RefillReport::default();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..ROUNDS {
            let requests = self.prepare_pharmacy_requests()?;
            // Each request once per call: a retry waits for its backoff and the next call.
            let requests: Vec<_> = requests
                .into_iter()
                .filter(|r| seen.insert((r.order_id, r.kind as u8)))
                .collect();
            if requests.is_empty() {
                break;
            }
            for request in requests {
                let answer = send(&client, &request).await;
                let (status, body) = answer.map_or((None, String::new()), |(s, b)| (Some(s), b));
                let before = request.kind;
                let order =
                    self.record_pharmacy_response(request.order_id, before, status, body)?;
                match order.state {
                    RefillState::Queued => report.retrying += 1,
                    RefillState::Sent
                        if before == regimen_core::supply::PharmacyRequestKind::CreateTask =>
                    {
                        report.sent += 1
                    }
                    RefillState::Sent => {}
                    RefillState::Failed => report.failed += 1,
                    RefillState::Done => report.done += 1,
                }
            }
        }
        Ok(report)
    }
}
