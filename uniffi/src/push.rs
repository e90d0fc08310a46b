//! Sending the caregiver outbox over HTTP (feature `net`): each prepared request is an RFC 8030
//! `POST` to the caregiver's push service, and its answer decides what happens to the message
//! (see `record_push_result`). The push service sees the endpoint, the VAPID token and
//! ciphertext; never what the message says.

use std::collections::BTreeSet;
use std::time::Duration;

use regimen_core::Timestamp;
use regimen_core::share::outbox::{MAX_BATCH, PushOutcome, PushRequest, PushResult};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

use crate::error::Result;
use crate::regimen::Regimen;

/// How long to wait for a push service to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one push may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

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

fn client() -> Result<reqwest::Client> {
    // A push service answers; it does not send the message elsewhere.
    crate::http::client(CONNECT_TIMEOUT, REQUEST_TIMEOUT, |builder| {
        builder.redirect(reqwest::redirect::Policy::none())
    })
}

/// `Retry-After` in seconds, when given as seconds (the form push services use).
fn retry_after(headers: &HeaderMap) -> Option<u32> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

/// Sends one prepared request; any failure to get an answer is `Unreachable`.
async fn post(client: &reqwest::Client, request: PushRequest) -> PushResult {
    let mut headers = HeaderMap::new();
    for header in &request.headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(header.name.as_bytes()),
            HeaderValue::from_str(&header.value),
        ) else {
            continue;
        };
        headers.insert(name, value);
    }
    match client
        .post(&request.endpoint)
        .headers(headers)
        .body(request.body)
        .send()
        .await
    {
        Ok(response) => PushResult::Status {
            code: response.status().as_u16(),
            retry_after_seconds: retry_after(response.headers()),
        },
        Err(_) => PushResult::Unreachable,
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Regimen {
    /// Patient side: looks at what is new for each caregiver and sends every due message
    /// through the caregivers' push services, one after another. Failures are retried on a
    /// later call (after the backoff); a message accepted is never sent again. Call it after
    /// logging a dose, on app start, and from a background task at `next_attempt_at`.
    pub async fn send_pending(&self) -> Result<SendReport> {
        let requests = self.prepare_push_requests(MAX_BATCH)?;
        let client = client()?;
        let mut report = SendReport::default();
        let mut gone = BTreeSet::new();
        for request in requests {
            if gone.contains(&request.share_id) {
                continue;
            }
            let (id, share) = (request.outbox_id, request.share_id);
            let result = post(&client, request).await;
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
    /// this first ends the shares silently.
    pub async fn say_goodbye_to_caregivers(&self) -> Result<SendReport> {
        self.revoke_every_share()?;
        self.send_pending().await
    }
}
