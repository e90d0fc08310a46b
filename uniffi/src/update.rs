//! Knowledge-base updates fetched from a server, through the app's [`HttpClient`].
//!
//! The request is the same for every user: a plain `GET` of the configured URL, with no query,
//! no cookies and no credentials, plus `If-None-Match` carrying the ETag of the
//! bundle already installed (the server's own label for a file it serves to everyone). The
//! server learns that some copy of the app asked, and which public bundle it already has;
//! never a medicine, a gene or who asks. The body is verified and installed exactly as
//! [`Regimen::install_knowledge_bundle`] does, so a bad bundle changes nothing.

use std::net::IpAddr;
use std::sync::Arc;

use regimen_core::knowledge::{MAX_BUNDLE_BYTES, verify};
use regimen_core::supply::HttpHeader;

use crate::error::{RegimenError, Result, invalid};
use crate::http::{HttpClient, HttpError, HttpMethod, HttpRequest};
use crate::regimen::Regimen;
use regimen_core::knowledge::KnowledgeInfo;

/// How long to wait for the server to accept the connection, milliseconds.
const CONNECT_TIMEOUT_MS: u32 = 15_000;
/// How long the whole request may take, body included, milliseconds.
const REQUEST_TIMEOUT_MS: u32 = 120_000;

/// What an update check did.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct KnowledgeUpdate {
    /// Whether a newer bundle was installed; false when the server had nothing newer.
    pub installed: bool,
    /// The base in use after the check.
    pub info: KnowledgeInfo,
}

/// Checks that `url` can only carry the same request for everyone: an absolute HTTPS URL
/// (plain HTTP only to this device, for tests and local mirrors), with a host, no user name
/// or password, no query, no fragment, and nothing but printable ASCII.
fn update_url(url: &str) -> Result<&str> {
    if url.is_empty() || !url.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(invalid("url", "is not a valid URL"));
    }
    if url.contains(['?', '#']) {
        return Err(invalid(
            "url",
            "must not have a query or fragment: the request is the same for every user",
        ));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| invalid("url", "is not a valid URL"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Err(invalid("url", "must not carry a user name or password"));
    }
    let host = host_of(authority).ok_or_else(|| invalid("url", "has no host"))?;
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        other if !other.is_empty() && other.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Err(invalid("url", "must use https"))
        }
        _ => Err(invalid("url", "is not a valid URL")),
    }
}

/// The host of an authority (`host`, `host:port`, `[v6]`, `[v6]:port`), without brackets;
/// `None` when it is empty or its port is not a number.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']')?;
            let port = if after.is_empty() {
                ""
            } else {
                after.strip_prefix(':')?
            };
            (host, port)
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, port),
            None => (authority, ""),
        },
    };
    let port_ok = port.is_empty() || port.parse::<u16>().is_ok();
    (!host.is_empty() && port_ok).then_some(host)
}

/// A `Network` error that names what failed, never the server's text.
fn network(what: &str) -> RegimenError {
    RegimenError::Network {
        reason: what.into(),
    }
}

/// Why a request failed, in words that carry nothing from the client or the response.
fn describe(error: &HttpError) -> &'static str {
    match error {
        HttpError::Timeout { .. } => "the update server did not answer in time",
        HttpError::Unreachable { .. } => "the update server could not be reached",
        HttpError::TooLarge { .. } => "the update is larger than any bundle may be",
        HttpError::Failed { .. } => "the update request failed",
    }
}

#[uniffi::export]
impl Regimen {
    /// Asks `url` for a newer signed knowledge-base bundle, through `http`, and installs it if
    /// there is one.
    ///
    /// The request is identical for every user (see the module notes), and is sent only when
    /// the app calls this; warnings never touch the network. A bundle that is not signed by a
    /// key in `RegimenConfig::knowledge_keys`, is damaged or is older than the base in use is
    /// refused with `KnowledgeBase` and the base in use stays; an unreachable or failing
    /// server gives `Network` and changes nothing.
    pub async fn update_knowledge(
        &self,
        url: String,
        http: Arc<dyn HttpClient>,
    ) -> Result<KnowledgeUpdate> {
        let url = update_url(&url)?;
        let current = self.knowledge_info()?;
        let etag = if current.updated {
            self.store
                .installed_knowledge()?
                .and_then(|stored| stored.etag)
        } else {
            None
        };
        let request = HttpRequest {
            method: HttpMethod::Get,
            url: url.to_owned(),
            headers: etag
                .map(|etag| HttpHeader {
                    name: "If-None-Match".into(),
                    value: etag,
                })
                .into_iter()
                .collect(),
            body: None,
            connect_timeout_ms: CONNECT_TIMEOUT_MS,
            timeout_ms: REQUEST_TIMEOUT_MS,
            // A mirror may move the file; the client never follows one off https.
            follow_redirects: true,
            max_response_bytes: MAX_BUNDLE_BYTES as u32,
        };
        let response = http
            .send(request)
            .await
            .map_err(|error| network(describe(&error)))?;
        match response.status {
            304 => {
                return Ok(KnowledgeUpdate {
                    installed: false,
                    info: current,
                });
            }
            200 => {}
            status => {
                return Err(network(&format!("the update server answered {status}")));
            }
        }
        // The client keeps to the limit; one that does not is held to it here.
        if response.body.len() > MAX_BUNDLE_BYTES {
            return Err(network("the update is larger than any bundle may be"));
        }
        let new_etag = response.header("etag").map(str::to_owned);
        let bytes = response.body;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(url: &str) -> Option<String> {
        match update_url(url) {
            Ok(_) => None,
            Err(RegimenError::InvalidInput { field, reason }) => {
                assert_eq!(field, "url");
                Some(reason)
            }
            Err(other) => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn the_same_url_for_everyone_over_https_is_accepted() {
        for url in [
            "https://updates.example/regimen/kb.bundle",
            "HTTPS://Updates.Example:8443/kb",
            "https://updates.example",
            "http://127.0.0.1:8080/kb",
            "http://127.12.0.1/kb",
            "http://localhost:9000/kb",
            "http://LOCALHOST/kb",
            "http://[::1]:8080/kb",
            "http://[::1]/kb",
        ] {
            assert_eq!(refusal(url), None, "{url}");
        }
    }

    #[test]
    fn a_url_that_could_differ_per_user_or_leave_tls_is_refused_with_its_reason() {
        for (url, reason) in [
            ("http://updates.example/kb", "https"),
            ("http://10.0.0.1/kb", "https"),
            ("http://[::2]/kb", "https"),
            ("http://localhost.example/kb", "https"),
            ("ftp://updates.example/kb", "https"),
            ("https://updates.example/kb?user=42", "query"),
            ("https://updates.example/kb#me", "fragment"),
            ("https://me@updates.example/kb", "user name"),
            ("https://me:pw@updates.example/kb", "user name"),
            ("https:///kb", "host"),
            ("https://:443/kb", "host"),
            ("https://updates.example:port/kb", "host"),
            ("https://[::1/kb", "host"),
            ("https://updates.example/k b", "valid"),
            ("https://updates.example/kb\n", "valid"),
            ("https://updätes.example/kb", "valid"),
            ("updates.example/kb", "valid"),
            ("", "valid"),
            ("://updates.example", "valid"),
        ] {
            let got = refusal(url).unwrap_or_else(|| panic!("{url:?} was accepted"));
            assert!(got.contains(reason), "{url:?}: {got}");
        }
    }
}
