//! Sending refill requests and following them through the app's [`HttpClient`].

use std::sync::Arc;

use regimen_core::supply::{PharmacyRequest, RefillState};

use crate::error::Result;
use crate::http::{HttpClient, HttpMethod, HttpRequest};
use crate::regimen::Regimen;

/// How long to wait for a pharmacy to accept the connection, milliseconds.
const CONNECT_TIMEOUT_MS: u32 = 10_000;
/// How long one request may take, milliseconds.
const REQUEST_TIMEOUT_MS: u32 = 30_000;
/// Rounds of prepare, send, record in one call: a request sent, then its status, then its
/// dispense.
const ROUNDS: usize = 3;
/// Largest answer read, in bytes.
const MAX_ANSWER: u32 = 1 << 20;

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
async fn send(http: &dyn HttpClient, request: &PharmacyRequest) -> Option<(u16, String)> {
    let post = request.method == "POST";
    let request = HttpRequest {
        method: if post {
            HttpMethod::Post
        } else {
            HttpMethod::Get
        },
        url: request.url.clone(),
        headers: request.headers.clone(),
        body: request
            .body
            .as_ref()
            .filter(|_| post)
            .map(|body| body.clone().into_bytes()),
        connect_timeout_ms: CONNECT_TIMEOUT_MS,
        timeout_ms: REQUEST_TIMEOUT_MS,
        // A pharmacy's FHIR server answers where it was asked.
        follow_redirects: false,
        max_response_bytes: MAX_ANSWER,
    };
    let response = http.send(request).await.ok()?;
    Some((
        response.status,
        String::from_utf8_lossy(&response.body).into_owned(),
    ))
}

#[uniffi::export]
impl Regimen {
    /// Sends the refill requests due, and follows those the pharmacy has: their status, and
    /// the dispense that fills them (added to the stock), through `http`. Nothing is sent for a medicine the
    /// patient did not ask a refill for. Call it after `request_refill`, on app start and now
    /// and then while a request is open.
    pub async fn send_refills(&self, http: Arc<dyn HttpClient>) -> Result<RefillReport> {
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
                let answer = send(http.as_ref(), &request).await;
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
