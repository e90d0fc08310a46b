//! The `HttpClient` platform hook: how Regimen's network calls reach a server.
//!
//! Regimen decides what to send and what an answer means; the app's HTTP stack carries the
//! request. On phones that is the platform's own client (the Android facade's
//! `UrlConnectionHttp`, over `HttpURLConnection`; `URLSession` on iOS), so HTTPS is checked by
//! the platform's TLS and trust store, with the app's network security configuration,
//! certificates a user or an employer installs, the system proxy and VPN, and TLS fixes that
//! arrive with OS updates. The library carries no TLS or HTTP code of its own (see
//! docs/benchmarks.md, "Library size"). Rust callers (the CLI, tests) use `native_http()`
//! (feature `native-http`).

use regimen_core::supply::HttpHeader;

/// A request method Regimen uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum HttpMethod {
    /// `GET`: knowledge updates, a pharmacy's task status and dispenses.
    Get,
    /// `POST`: a caregiver push, a refill request.
    Post,
}

/// One HTTP request, complete: the client sends exactly this and nothing that identifies the
/// user (no cookies, no credentials, no cache validators of its own; a fixed or empty
/// `User-Agent` rather than one naming the device).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: HttpMethod,
    /// An absolute `https:` URL (`http:` only to this device, for tests and local mirrors).
    pub url: String,
    /// Headers to send as given, besides those HTTP/1.1 itself needs (`Host`,
    /// `Content-Length`).
    pub headers: Vec<HttpHeader>,
    /// The body of a `POST`; `None` for a `GET`.
    pub body: Option<Vec<u8>>,
    /// How long to wait for the connection, milliseconds.
    pub connect_timeout_ms: u32,
    /// How long the whole exchange may take, body included, milliseconds.
    pub timeout_ms: u32,
    /// Whether to follow redirects (at most a few, and never from `https:` to anything
    /// else). When false a `3xx` answer is returned as it is.
    pub follow_redirects: bool,
    /// The largest body to read: a longer answer fails with `HttpError::TooLarge`, and the
    /// client stops reading as soon as it knows.
    pub max_response_bytes: u32,
}

/// The server's answer, whatever its status.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The status code (200, 304, 404, …).
    pub status: u16,
    /// The response headers, names in any case.
    pub headers: Vec<HttpHeader>,
    /// The body, at most the request's `max_response_bytes`.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (compared without regard to case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|header| header.name.eq_ignore_ascii_case(name))
            .map(|header| header.value.as_str())
    }
}

/// Why no answer came. `reason` is for the app's own logs; Regimen never passes it on.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum HttpError {
    /// The connection or the exchange took longer than the request allows.
    #[error("the server did not answer in time: {reason}")]
    Timeout {
        /// The client's explanation.
        reason: String,
    },
    /// No connection: no network, the name did not resolve, refused, or TLS failed.
    #[error("the server could not be reached: {reason}")]
    Unreachable {
        /// The client's explanation.
        reason: String,
    },
    /// The answer's body was longer than `max_response_bytes`.
    #[error("the answer was too large: {reason}")]
    TooLarge {
        /// The client's explanation.
        reason: String,
    },
    /// Anything else that kept the exchange from completing.
    #[error("the request failed: {reason}")]
    Failed {
        /// The client's explanation.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HttpError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HttpError::Failed {
            reason: format!("the HTTP client threw unexpectedly: {}", error.reason),
        }
    }
}

/// Makes HTTP requests for Regimen, implemented by the app over the platform's HTTP stack.
/// Regimen's network calls (`update_knowledge`, `send_pending`, `send_refills`,
/// `say_goodbye_to_caregivers`) take one and make their requests through it, one at a time.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HttpClient: Send + Sync {
    /// Sends `request` and returns the answer, whatever its status; `Err` only when no
    /// complete answer came.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;
}
