//! Sending the caregiver outbox through the app's [`HttpClient`]: each prepared request is an
//! RFC 8030 `POST` to the caregiver's push service, and its answer decides what happens to the
//! message (see `record_push_result`). The push service sees the endpoint, the VAPID token and
//! ciphertext; never what the message says.

use std::collections::BTreeSet;
use std::sync::Arc;

use regimen_core::Timestamp;
use regimen_core::share::outbox::{MAX_BATCH, PushOutcome, PushRequest, PushResult};
use regimen_core::supply::HttpHeader;

use crate::error::Result;
use crate::http::{HttpClient, HttpMethod, HttpRequest};
use crate::regimen::Regimen;

/// How long to wait for a push service to accept the connection, milliseconds.
const CONNECT_TIMEOUT_MS: u32 = 10_000;
/// How long one push may take, milliseconds.
const REQUEST_TIMEOUT_MS: u32 = 30_000;
/// The longest answer read from a push service (its body is not used).
const MAX_ANSWER: u32 = 64 * 1024;

/// What one `send_pending` call did.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct SendReport {
    /// Messages the push services accepted.
    pub delivered: u32,
    /// Messages that failed this time and will be retried.
    pub retrying: u32,
    /// Messages a push service will never take (413, 400); dropped.
    pub dropped: u32,
    /// Shares whose subscription is gone (404, 410); they stopped.
    pub shares_gone: u32,
    /// When the outbox next has something due; `None` when nothing waits.
    pub next_attempt_at: Option<Timestamp>,
}

/// `Retry-After` in seconds, when given as seconds (the form push services use).
fn retry_after(value: Option<&str>) -> Option<u32> {
    value?.trim().parse().ok()
}

/// Sends one prepared request; any failure to get an answer is `Unreachable`.
async fn post(http: &dyn HttpClient, request: PushRequest) -> PushResult {
    let request = HttpRequest {
        method: HttpMethod::Post,
        url: request.endpoint,
        headers: request
            .headers
            .into_iter()
            .map(|header| HttpHeader {
                name: header.name,
                value: header.value,
            })
            .collect(),
        body: Some(request.body),
        connect_timeout_ms: CONNECT_TIMEOUT_MS,
        timeout_ms: REQUEST_TIMEOUT_MS,
        // A push service answers; it does not send the message elsewhere.
        follow_redirects: false,
        max_response_bytes: MAX_ANSWER,
    };
    match http.send(request).await {
        Ok(response) => PushResult::Status {
            code: response.status,
            retry_after_seconds: retry_after(response.header("retry-after")),
        },
        Err(_) => PushResult::Unreachable,
    }
}

#[uniffi::export]
impl Regimen {
    /// Patient side: looks at what is new for each caregiver and sends every due message
    /// through the caregivers' push services, one after another, with `http`. Failures are retried on a
    /// later call (after the backoff); a message accepted is never sent again. Call it after
    /// logging a dose, on app start, and from a background task at `next_attempt_at`.
    pub async fn send_pending(&self, http: Arc<dyn HttpClient>) -> Result<SendReport> {
        let requests = self.prepare_push_requests(MAX_BATCH)?;
        let mut report = SendReport::default();
        let mut gone = BTreeSet::new();
        for request in requests {
            if gone.contains(&request.share_id) {
                continue;
            }
            let (id, share) = (request.outbox_id, request.share_id);
            let result = post(http.as_ref(), request).await;
            match self.record_push_result(id, result)? {
                PushOutcome::Delivered => report.delivered += 1,
                PushOutcome::Retry { .. } => report.retrying += 1,
                PushOutcome::Dropped => report.dropped += 1,
                PushOutcome::ShareGone => {
                    gone.insert(share);
                    report.shares_gone += 1;
                }
                PushOutcome::AlreadySettled => {}
            }
        }
        report.next_attempt_at = self.next_push_at()?;
        Ok(report)
    }

    /// Before `delete_everything`: ends every caregiver share and sends each caregiver its
    /// goodbye (and whatever else was waiting), once, without retrying later. A caregiver
    /// offline or unreachable is counted in the report and not told. Deleting without calling
    /// this first ends the shares silently. The goodbyes go through `http`.
    pub async fn say_goodbye_to_caregivers(&self, http: Arc<dyn HttpClient>) -> Result<SendReport> {
        self.revoke_every_share()?;
        self.send_pending(http).await
    }
}
