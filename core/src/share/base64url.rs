//! Base64url without padding (RFC 4648 §5), the spelling Web Push uses for keys, secrets and
//! token parts.

use crate::error::{Error, Result};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes `bytes` without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        // n bytes give n + 1 characters.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(bits >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url text, with or without padding. `field` names the input in the error.
pub fn decode(text: &str, field: &'static str) -> Result<Vec<u8>> {
    let invalid = || Error::InvalidInput {
        field,
        reason: "is not base64url".into(),
    };
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return Err(invalid());
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut bits = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let value = ALPHABET.iter().position(|&a| a == c).ok_or_else(invalid)?;
            bits |= (value as u32) << (18 - 6 * i);
        }
        // n characters carry n - 1 whole bytes.
        out.extend_from_slice(&bits.to_be_bytes()[1..chunk.len()]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length_and_matches_rfc_4648() {
        // RFC 4648 §10, in the URL alphabet without padding.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded, "x").unwrap(), plain.as_bytes());
        }
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&bytes), "x").unwrap(), bytes);
        assert!(encode(&[0xfb, 0xff]).contains('-') && encode(&[0xff, 0xff]).contains('_'));
        assert_eq!(decode("Zm9vYg==", "x").unwrap(), b"foob");
        assert!(decode("Zm9v+", "key").is_err());
        assert!(decode("Z", "key").is_err());
    }
}
