//! An [`HttpClient`] in Rust (feature `native-http`): reqwest over rustls with ring, for Rust
//! callers of the API (the CLI, tests, a desktop app). Phones give the platform's client
//! instead, and the library they ship is built without this feature.
//!
//! Trust: HTTPS is checked by the platform's verifier with the system's roots (reqwest's
//! default).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use regimen_core::supply::HttpHeader;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::redirect::Policy;

use crate::http::{HttpClient, HttpError, HttpMethod, HttpRequest, HttpResponse};

/// Redirects followed when a request allows them.
const MAX_REDIRECTS: usize = 5;

/// A Rust HTTP client for the API's network calls, for one call or a batch of them on one
/// async runtime (an outbox run): requests with the same settings share a reqwest client, and
/// so its kept-alive connections.
pub fn native_http() -> Arc<dyn HttpClient> {
    Arc::new(NativeHttp::default())
}

/// What a reqwest client is built from: connect timeout, timeout (ms), follows redirects,
/// https only.
type Settings = (u32, u32, bool, bool);

/// reqwest clients, one per combination of settings the requests asked for.
#[derive(Default)]
struct NativeHttp {
    clients: Mutex<Vec<(Settings, reqwest::Client)>>,
}

impl NativeHttp {
    /// The client for `request`'s settings, built on first use.
    fn client(&self, request: &HttpRequest) -> Result<reqwest::Client, HttpError> {
        // A redirect may not leave TLS.
        let https = request
            .url
            .get(..6)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https:"));
        let settings = (
            request.connect_timeout_ms,
            request.timeout_ms,
            request.follow_redirects,
            https,
        );
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, client)) = clients.iter().find(|(kept, _)| *kept == settings) {
            return Ok(client.clone());
        }
        // reqwest is built without a default TLS provider (TOOLCHAIN gotcha 6); installing
        // ring's is idempotent in effect: a second call finds one installed and changes nothing.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(request.connect_timeout_ms.into()))
            .timeout(Duration::from_millis(request.timeout_ms.into()))
            .redirect(if request.follow_redirects {
                Policy::limited(MAX_REDIRECTS)
            } else {
                Policy::none()
            })
            .https_only(https)
            .build()
            .map_err(|_| failed("the HTTP client could not start"))?;
        clients.push((settings, client.clone()));
        Ok(client)
    }
}

#[async_trait::async_trait]
impl HttpClient for NativeHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let client = self.client(&request)?;
        // reqwest runs on tokio; Compat gives it a runtime whatever executor polls this.
        async_compat::Compat::new(send(client, request)).await
    }
}

async fn send(client: reqwest::Client, request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let method = match request.method {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Post => reqwest::Method::POST,
    };
    let mut headers = HeaderMap::new();
    for header in &request.headers {
        let name = HeaderName::from_bytes(header.name.as_bytes())
            .map_err(|_| failed("a header name is not valid"))?;
        let value = HeaderValue::from_str(&header.value)
            .map_err(|_| failed("a header value is not valid"))?;
        headers.append(name, value);
    }
    let mut builder = client.request(method, &request.url).headers(headers);
    if let Some(body) = request.body {
        builder = builder.body(body);
    }
    let mut response = builder.send().await.map_err(|error| describe(&error))?;
    let limit = request.max_response_bytes as usize;
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large());
    }
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some(HttpHeader {
                name: name.as_str().to_owned(),
                value: value.to_str().ok()?.to_owned(),
            })
        })
        .collect();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| describe(&error))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// The kind of failure, in words that carry nothing from the request or the answer.
fn describe(error: &reqwest::Error) -> HttpError {
    if error.is_timeout() {
        HttpError::Timeout {
            reason: "no answer in time".into(),
        }
    } else if error.is_connect() {
        HttpError::Unreachable {
            reason: "no connection".into(),
        }
    } else if error.is_redirect() {
        failed("too many redirects, or one that left https")
    } else {
        failed("the exchange did not complete")
    }
}

fn failed(reason: &str) -> HttpError {
    HttpError::Failed {
        reason: reason.into(),
    }
}

fn too_large() -> HttpError {
    HttpError::TooLarge {
        reason: "longer than the request allows".into(),
    }
}
