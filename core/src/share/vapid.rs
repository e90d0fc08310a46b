//! VAPID (RFC 8292): the patient's app proves to a push service that it is the sender the
//! caregiver's subscription was made for, with an ES256-signed token. The key is the
//! patient's own; its public half is the `applicationServerKey` the caregiver subscribes
//! with. No account, no Regimen server.

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

use super::base64url;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// How long a token is valid. RFC 8292 allows up to 24 hours; some push services want less.
const TOKEN_LIFETIME_SECONDS: i64 = 12 * 60 * 60;

fn invalid(field: &'static str, reason: &str) -> Error {
    Error::InvalidInput {
        field,
        reason: reason.to_owned(),
    }
}

/// The patient's VAPID key pair.
pub struct VapidKey {
    pkcs8: Vec<u8>,
    pair: EcdsaKeyPair,
}

impl VapidKey {
    /// A fresh key.
    pub fn generate() -> Result<VapidKey> {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .map_err(|_| Error::Crypto("could not make a VAPID key".into()))?;
        VapidKey::from_pkcs8(pkcs8.as_ref())
    }

    /// The key stored as PKCS#8 bytes (see [`VapidKey::pkcs8`]).
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<VapidKey> {
        let pair = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            &SystemRandom::new(),
        )
        .map_err(|_| Error::Crypto("the VAPID key is not a P-256 key".into()))?;
        Ok(VapidKey {
            pkcs8: pkcs8.to_vec(),
            pair,
        })
    }

    /// The key as PKCS#8 bytes, to store sealed.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key (65 bytes, uncompressed): the caregiver's `applicationServerKey`.
    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The `Authorization` header for a push to `endpoint`: `vapid t=<token>,k=<key>`.
    /// `subject` is how the push service may reach the sender (`mailto:` or `https:`); RFC
    /// 8292 makes it optional, but some push services (Apple's) refuse a token without one.
    pub fn authorization(
        &self,
        endpoint: &str,
        subject: Option<&str>,
        now: Timestamp,
    ) -> Result<String> {
        let mut claims = serde_json::json!({
            "aud": origin(endpoint)?,
            "exp": now.as_millis() / 1000 + TOKEN_LIFETIME_SECONDS,
        });
        if let Some(subject) = subject {
            check_subject(subject)?;
            claims["sub"] = subject.into();
        }
        let signing_input = format!(
            "{}.{}",
            base64url::encode(br#"{"typ":"JWT","alg":"ES256"}"#),
            base64url::encode(claims.to_string().as_bytes())
        );
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| Error::Crypto("could not sign the VAPID token".into()))?;
        // No space after the comma: HTTP allows one, but py-vapid (which Mozilla's push
        // service builds on) splits the header at its last space.
        Ok(format!(
            "vapid t={signing_input}.{},k={}",
            base64url::encode(signature.as_ref()),
            base64url::encode(self.public_key())
        ))
    }
}

/// Checks a VAPID contact: a `mailto:` or `https:` URI.
pub fn check_subject(subject: &str) -> Result<()> {
    if subject.starts_with("mailto:") || subject.starts_with("https://") {
        Ok(())
    } else {
        Err(invalid("subject", "must be a mailto: or https: URI"))
    }
}

/// The origin (`scheme://host[:port]`) of a push endpoint: the token's audience. Endpoints
/// are HTTPS; plain HTTP is accepted only on this device, for test push services.
pub fn origin(endpoint: &str) -> Result<String> {
    let (scheme, rest) = endpoint
        .split_once("://")
        .ok_or_else(|| invalid("endpoint", "is not a URL"))?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return Err(invalid("endpoint", "must name a host and no user"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback = is_loopback(host);
    match scheme.as_str() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(invalid("endpoint", "must use https")),
    }
    Ok(format!("{scheme}://{authority}"))
}

/// Whether `host` names this device: `localhost`, `::1` or an address in 127.0.0.0/8.
/// (Parsed by hand: core uses no networking module at all, see `tests/no_network.rs`.)
fn is_loopback(host: &str) -> bool {
    let octets: Result<Vec<u8>, _> = host.split('.').map(str::parse::<u8>).collect();
    host == "localhost" || host == "::1" || matches!(octets.as_deref(), Ok([127, _, _, _]))
}

#[cfg(test)]
mod tests {
    use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    use super::*;

    const ENDPOINT: &str = "https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV?x=1";

    fn now() -> Timestamp {
        Timestamp::from_millis(1_795_000_000_000).unwrap()
    }

    #[test]
    fn the_token_is_es256_over_the_endpoints_origin_and_verifies_with_the_public_key() {
        let key = VapidKey::generate().unwrap();
        let header = key
            .authorization(ENDPOINT, Some("mailto:care@example.org"), now())
            .unwrap();
        let (token, public) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(",k="))
            .unwrap();
        assert_eq!(base64url::decode(public, "k").unwrap(), key.public_key());
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |part: &str| -> serde_json::Value {
            serde_json::from_slice(&base64url::decode(part, "t").unwrap()).unwrap()
        };
        assert_eq!(
            decode(parts[0]),
            serde_json::json!({"typ": "JWT", "alg": "ES256"})
        );
        assert_eq!(
            decode(parts[1]),
            serde_json::json!({"aud": "https://push.example.net", "exp": 1_795_000_000 + 43_200, "sub": "mailto:care@example.org"})
        );
        let signature = base64url::decode(parts[2], "t").unwrap();
        assert_eq!(signature.len(), 64);
        let signed = format!("{}.{}", parts[0], parts[1]);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.public_key())
            .verify(signed.as_bytes(), &signature)
            .unwrap();
        // Without a contact the token has no subject.
        let bare = key.authorization(ENDPOINT, None, now()).unwrap();
        let claims = bare.split('.').nth(1).unwrap();
        assert_eq!(
            decode(claims),
            serde_json::json!({"aud": "https://push.example.net", "exp": 1_795_000_000 + 43_200})
        );
        // A restored key signs as the same sender.
        let restored = VapidKey::from_pkcs8(key.pkcs8()).unwrap();
        assert_eq!(restored.public_key(), key.public_key());
    }

    #[test]
    fn an_endpoint_or_subject_that_is_not_acceptable_is_refused() {
        let key = VapidKey::generate().unwrap();
        for endpoint in [
            "http://push.example.net/x",
            "push.example.net/x",
            "https://u@push.example.net/x",
            "https:///x",
        ] {
            assert!(
                matches!(
                    key.authorization(endpoint, Some("mailto:a@example.org"), now()),
                    Err(Error::InvalidInput {
                        field: "endpoint",
                        ..
                    })
                ),
                "{endpoint}"
            );
        }
        assert!(matches!(
            key.authorization(ENDPOINT, Some("care@example.org"), now()),
            Err(Error::InvalidInput {
                field: "subject",
                ..
            })
        ));
        assert_eq!(
            origin("http://127.0.0.1:8080/push/1").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin("HTTPS://Push.Example.NET:443/a").unwrap(),
            "https://push.example.net:443"
        );
        assert!(VapidKey::from_pkcs8(b"not a key").is_err());
    }
}
