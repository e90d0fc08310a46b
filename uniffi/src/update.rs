//! Knowledge-base updates fetched from a server (feature `net`).
//!
//! The request is the same for every user: a plain `GET` of the configured URL, with no query,
//! no cookies, no user agent and no credentials, plus `If-None-Match` carrying the ETag of the
//! bundle already installed (the server's own label for a file it serves to everyone). The
//! server learns that some copy of the app asked, and which public bundle it already has;
//! never a medicine, a gene or who asks. The body is verified and installed exactly as
//! [`Regimen::install_knowledge_bundle`] does, so a bad bundle changes nothing.

use std::net::IpAddr;
use std::time::Duration;

use regimen_core::knowledge::{MAX_BUNDLE_BYTES, verify};
use reqwest::{StatusCode, Url, header};

use crate::error::{RegimenError, Result, invalid};
use crate::regimen::Regimen;
use regimen_core::knowledge::KnowledgeInfo;

/// How long to wait for the server to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the whole request may take, body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// What an update check did.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct KnowledgeUpdate {
    /// Whether a newer bundle was installed; false when the server had nothing newer.
    pub installed: bool,
    /// The base in use after the check.
    pub info: KnowledgeInfo,
}

/// Checks that `url` can only carry the same request for everyone: HTTPS (plain HTTP only to
/// this device, for tests and local mirrors), no user name or password, no query, no fragment.
fn update_url(url: &str) -> Result<Url> {
    let parsed = Url::parse(url).map_err(|_| invalid("url", "is not a valid URL"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| invalid("url", "has no host"))?;
    // An IPv6 host comes back in brackets, as written in the URL.
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(invalid("url", "must use https")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("url", "must not carry a user name or password"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid(
            "url",
            "must not have a query or fragment: the request is the same for every user",
        ));
    }
    Ok(parsed)
}

/// A `Network` error that names what failed, never the server's text.
fn network(what: &str) -> RegimenError {
    RegimenError::Network {
        reason: what.into(),
    }
}

/// Why a request failed, in words that carry nothing from the response.
fn describe(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "the update server did not answer in time"
    } else if error.is_connect() {
        "the update server could not be reached"
    } else if error.is_redirect() {
        "the update server redirected too often"
    } else {
        "the update request failed"
    }
}

/// One client per call: updates are rare, and a client holds no state worth keeping.
fn client(url: &Url) -> Result<reqwest::Client> {
    let https_only = url.scheme() == "https";
    crate::http::client(CONNECT_TIMEOUT, REQUEST_TIMEOUT, |builder| {
        builder.https_only(https_only)
    })
}

/// Reads the body, refusing it as soon as it grows past the largest bundle accepted.
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BUNDLE_BYTES as u64)
    {
        return Err(network("the update is larger than any bundle may be"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| network(describe(&error)))?
    {
        if body.len() + chunk.len() > MAX_BUNDLE_BYTES {
            return Err(network("the update is larger than any bundle may be"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[uniffi::export(async_runtime = "tokio")]
impl Regimen {
    /// Asks `url` for a newer signed knowledge-base bundle and installs it if there is one.
    ///
    /// The request is identical for every user (see the module notes), and is sent only when
    /// the app calls this; warnings never touch the network. A bundle that is not signed by a
    /// key in `RegimenConfig::knowledge_keys`, is damaged or is older than the base in use is
    /// refused with `KnowledgeBase` and the base in use stays; an unreachable or failing
    /// server gives `Network` and changes nothing.
    pub async fn update_knowledge(&self, url: String) -> Result<KnowledgeUpdate> {
        let url = update_url(&url)?;
        let current = self.knowledge_info()?;
        let etag = if current.updated {
            self.store
                .installed_knowledge()?
                .and_then(|stored| stored.etag)
        } else {
            None
        };
        let mut request = client(&url)?.get(url);
        if let Some(etag) = &etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        let response = request
            .send()
            .await
            .map_err(|error| network(describe(&error)))?;
        match response.status() {
            StatusCode::NOT_MODIFIED => {
                return Ok(KnowledgeUpdate {
                    installed: false,
                    info: current,
                });
            }
            StatusCode::OK => {}
            status => {
                return Err(network(&format!(
                    "the update server answered {}",
                    status.as_u16()
                )));
            }
        }
        let new_etag = response
            .headers()
            .get(header::ETAG)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let bytes = read_body(response).await?;
        let offered = verify(&bytes, self.knowledge.trusted_keys())?;
        if offered.version == current.version {
            // The server serves the bundle in use (for example after its ETag changed).
            return Ok(KnowledgeUpdate {
                installed: false,
                info: current,
            });
        }
        let info = self.install_with_etag(&bytes, new_etag.as_deref())?;
        Ok(KnowledgeUpdate {
            installed: true,
            info,
        })
    }
}
