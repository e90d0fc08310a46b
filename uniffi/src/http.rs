//! The HTTP client behind the network calls (feature `net`).

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
    configure(
        Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(timeout),
    )
    .build()
    .map_err(|_| RegimenError::Network {
        reason: "the HTTP client could not start".into(),
    })
}
