//! The HTTP client behind the network calls (feature `net`).
//!
//! Trust: on iOS and desktops HTTPS is checked by the platform's verifier with the system's
//! roots (reqwest's default). On Android that verifier needs a JNI set-up from the app's
//! process (a Kotlin component and an init call with the app's `Context`) that a library
//! loaded through JNA cannot do for itself, so on Android Regimen checks against the Mozilla
//! roots it carries (`webpki-root-certs`): knowledge updates and caregiver pushes work with no
//! set-up, and certificates a user or an employer adds to the phone are not trusted by
//! Regimen's own requests.

use std::time::Duration;

use reqwest::{Client, ClientBuilder};

use crate::error::{RegimenError, Result};

/// A client on rustls with ring, with these timeouts and whatever `configure` adds.
pub(crate) fn client(
    connect_timeout: Duration,
    timeout: Duration,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<Client> {
    // reqwest is built without a default TLS provider (TOOLCHAIN gotcha 6); installing ring's
    // is idempotent in effect: a second call finds one installed and changes nothing.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout);
    configure(with_trust(builder)?)
        .build()
        .map_err(|_| RegimenError::Network {
            reason: "the HTTP client could not start".into(),
        })
}

/// The roots HTTPS is checked against: the bundled ones on Android, the platform's elsewhere.
fn with_trust(builder: ClientBuilder) -> Result<ClientBuilder> {
    #[cfg(target_os = "android")]
    let builder = builder.tls_certs_only(certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS)?);
    Ok(builder)
}

/// DER-encoded roots as reqwest certificates.
#[cfg(any(target_os = "android", test))]
fn certificates(
    roots: &[rustls::pki_types::CertificateDer<'_>],
) -> Result<Vec<reqwest::Certificate>> {
    roots
        .iter()
        .map(|der| reqwest::Certificate::from_der(der))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| RegimenError::Network {
            reason: "a bundled root certificate could not be read".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Android builds: every bundled root reads, and a client trusting only them starts.
    #[test]
    fn a_client_trusting_only_the_bundled_roots_starts() {
        let roots = certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS).unwrap();
        assert!(
            roots.len() > 100,
            "the Mozilla set has well over a hundred roots"
        );
        let _ = rustls::crypto::ring::default_provider().install_default();
        assert!(Client::builder().tls_certs_only(roots).build().is_ok());
    }
}
