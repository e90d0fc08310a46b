//! Web Push message encryption: RFC 8291 over the RFC 8188 `aes128gcm` content coding.
//!
//! A message is one record: `salt (16) | record size (4, big-endian) | key id length (1) |
//! sender's public key (65) | AES-128-GCM(plaintext | 0x02)`. The keys come from P-256 ECDH
//! between a fresh sender key and the receiver's subscription key, mixed with the receiver's
//! 16-byte auth secret through HKDF-SHA-256 (written out with HMAC steps, as RFC 8291 §3.4
//! does). HMAC, AES-GCM, randomness and the sender's one-use ECDH are ring's. The receiver
//! must keep its key, which ring's ECDH does not allow, so receiving uses the `p256` crate
//! (about ten times slower, and only on the caregiver's side). The RFC's worked example fixes
//! the sender's key too, so the test reproducing it seals through `p256` as well; the two
//! ECDH implementations meet in every round-trip test.

use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use ring::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};

/// Length of an uncompressed P-256 public key (`0x04 | x | y`).
pub const PUBLIC_KEY_LEN: usize = 65;
/// Length of the receiver's auth secret.
pub const AUTH_SECRET_LEN: usize = 16;
/// The record size written in the header. The one record may be shorter (RFC 8188 §2).
pub const RECORD_SIZE: u32 = 4096;
/// The largest body push services must accept (RFC 8030 §7.2).
pub const MAX_BODY: usize = 4096;
/// The most plaintext one message can carry: the body less the header, tag and delimiter.
pub const MAX_PLAINTEXT: usize = MAX_BODY - HEADER_LEN - TAG_LEN - 1;

const SALT_LEN: usize = 16;
const HEADER_LEN: usize = SALT_LEN + 4 + 1 + PUBLIC_KEY_LEN;
const TAG_LEN: usize = 16;
/// The padding delimiter of the last (here: only) record, RFC 8188 §2.
const LAST_RECORD: u8 = 0x02;

fn refused(reason: &str) -> Error {
    Error::Crypto(reason.to_owned())
}

/// A Web Push receiver's keys: the subscription's P-256 key pair (`p256dh`) and its auth
/// secret (`auth`). A caregiver's Regimen keeps these to read what patients send.
#[derive(Clone)]
pub struct ReceiverKeys {
    secret: SecretKey,
    auth: [u8; AUTH_SECRET_LEN],
}

impl ReceiverKeys {
    /// Fresh keys from the system's random source.
    pub fn generate() -> Result<ReceiverKeys> {
        let mut auth = [0u8; AUTH_SECRET_LEN];
        fill(&mut auth)?;
        Ok(ReceiverKeys {
            secret: random_secret()?,
            auth,
        })
    }

    /// Keys from a stored 32-byte private scalar and auth secret.
    pub fn from_bytes(private: &[u8], auth: &[u8]) -> Result<ReceiverKeys> {
        Ok(ReceiverKeys {
            secret: SecretKey::from_slice(private)
                .map_err(|_| refused("the receiver's private key is not a P-256 key"))?,
            auth: auth
                .try_into()
                .map_err(|_| refused("the auth secret must be 16 bytes"))?,
        })
    }

    /// The private scalar, to store (sealed) and restore with [`ReceiverKeys::from_bytes`].
    pub fn private_bytes(&self) -> Vec<u8> {
        self.secret.to_bytes().to_vec()
    }

    /// The public key as a subscription's `p256dh` carries it (65 bytes, uncompressed).
    pub fn public_key(&self) -> Vec<u8> {
        uncompressed(&self.secret.public_key())
    }

    /// The auth secret as a subscription's `auth` carries it.
    pub fn auth(&self) -> [u8; AUTH_SECRET_LEN] {
        self.auth
    }
}

/// Fills `bytes` from the system's random source.
pub(super) fn fill(bytes: &mut [u8]) -> Result<()> {
    SystemRandom::new()
        .fill(bytes)
        .map_err(|_| refused("the system's random source failed"))
}

/// A random P-256 private key. A 32-byte string is a valid scalar unless it is zero or at
/// least the group order, which happens with probability about 2^-32; try again then.
fn random_secret() -> Result<SecretKey> {
    for _ in 0..8 {
        let mut bytes = [0u8; 32];
        fill(&mut bytes)?;
        if let Ok(secret) = SecretKey::from_slice(&bytes) {
            return Ok(secret);
        }
    }
    Err(refused("could not make a P-256 key"))
}

fn uncompressed(key: &PublicKey) -> Vec<u8> {
    key.to_encoded_point(false).as_bytes().to_vec()
}

/// Checks that `bytes` is an uncompressed P-256 public key, as a subscription's `p256dh` is.
pub fn check_public_key(bytes: &[u8]) -> Result<()> {
    public_key(bytes).map(|_| ())
}

fn public_key(bytes: &[u8]) -> Result<PublicKey> {
    if bytes.len() != PUBLIC_KEY_LEN {
        return Err(refused("a public key must be an uncompressed P-256 point"));
    }
    PublicKey::from_sec1_bytes(bytes).map_err(|_| refused("the public key is not on P-256"))
}

/// HMAC-SHA-256, the one step HKDF is built from.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> hmac::Tag {
    let mut context = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, key));
    for part in parts {
        context.update(part);
    }
    context.sign()
}

/// The content-encryption key and nonce of RFC 8291 §3.4 and RFC 8188 §2.2.
fn derive(
    shared: &[u8],
    auth: &[u8],
    receiver_public: &[u8],
    sender_public: &[u8],
    salt: &[u8],
) -> ([u8; 16], [u8; 12]) {
    let prk_key = hmac_sha256(auth, &[shared]);
    let ikm = hmac_sha256(
        prk_key.as_ref(),
        &[b"WebPush: info\0", receiver_public, sender_public, &[1]],
    );
    let prk = hmac_sha256(salt, &[ikm.as_ref()]);
    let cek = hmac_sha256(prk.as_ref(), &[b"Content-Encoding: aes128gcm\0", &[1]]);
    let nonce = hmac_sha256(prk.as_ref(), &[b"Content-Encoding: nonce\0", &[1]]);
    let mut key = [0u8; 16];
    key.copy_from_slice(&cek.as_ref()[..16]);
    let mut iv = [0u8; 12];
    iv.copy_from_slice(&nonce.as_ref()[..12]);
    (key, iv)
}

fn aead_key(key: &[u8; 16]) -> Result<LessSafeKey> {
    UnboundKey::new(&AES_128_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| refused("the content key is unusable"))
}

/// Encrypts `plaintext` for the subscription with public key `receiver_public` (`p256dh`)
/// and auth secret `auth`, with a fresh sender key and salt.
pub fn encrypt(plaintext: &[u8], receiver_public: &[u8], auth: &[u8]) -> Result<Vec<u8>> {
    check_sizes(plaintext, auth)?;
    public_key(receiver_public)?;
    let rng = SystemRandom::new();
    let mut salt = [0u8; SALT_LEN];
    fill(&mut salt)?;
    let sender = EphemeralPrivateKey::generate(&ECDH_P256, &rng)
        .map_err(|_| refused("could not make a P-256 key"))?;
    let sender_public = sender
        .compute_public_key()
        .map_err(|_| refused("could not make a P-256 key"))?;
    agree_ephemeral(
        sender,
        &UnparsedPublicKey::new(&ECDH_P256, receiver_public),
        |shared| {
            seal(
                plaintext,
                shared,
                auth,
                receiver_public,
                sender_public.as_ref(),
                &salt,
            )
        },
    )
    .map_err(|_| refused("the public key is not on P-256"))?
}

fn check_sizes(plaintext: &[u8], auth: &[u8]) -> Result<()> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(Error::InvalidInput {
            field: "message",
            reason: format!("is longer than the {MAX_PLAINTEXT} bytes one push can carry"),
        });
    }
    if auth.len() != AUTH_SECRET_LEN {
        return Err(refused("the auth secret must be 16 bytes"));
    }
    Ok(())
}

/// Builds the body from the ECDH secret: header, then the one sealed record.
fn seal(
    plaintext: &[u8],
    shared: &[u8],
    auth: &[u8],
    receiver_public: &[u8],
    sender_public: &[u8],
    salt: &[u8; SALT_LEN],
) -> Result<Vec<u8>> {
    let (key, iv) = derive(shared, auth, receiver_public, sender_public, salt);
    let mut record = Vec::with_capacity(plaintext.len() + 1 + TAG_LEN);
    record.extend_from_slice(plaintext);
    record.push(LAST_RECORD);
    aead_key(&key)?
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut record)
        .map_err(|_| refused("encryption failed"))?;

    let mut body = Vec::with_capacity(HEADER_LEN + record.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(PUBLIC_KEY_LEN as u8);
    body.extend_from_slice(sender_public);
    body.extend_from_slice(&record);
    Ok(body)
}

/// Decrypts a pushed body with the receiver's keys. Refuses a body that is not one whole
/// `aes128gcm` record, was changed, or was meant for other keys.
pub fn decrypt(body: &[u8], keys: &ReceiverKeys) -> Result<Vec<u8>> {
    if body.len() < HEADER_LEN + TAG_LEN + 1 {
        return Err(refused("the push message is too short"));
    }
    let (salt, rest) = body.split_at(SALT_LEN);
    let record_size = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    if usize::from(rest[4]) != PUBLIC_KEY_LEN {
        return Err(refused("the push message's key id is not a P-256 key"));
    }
    let sender_public = &rest[5..5 + PUBLIC_KEY_LEN];
    let record = &rest[5 + PUBLIC_KEY_LEN..];
    if record.len() > record_size {
        return Err(refused("the push message holds more than one record"));
    }
    let sender = public_key(sender_public)?;
    let shared = p256::ecdh::diffie_hellman(keys.secret.to_nonzero_scalar(), sender.as_affine());
    let (key, iv) = derive(
        shared.raw_secret_bytes(),
        &keys.auth,
        &keys.public_key(),
        sender_public,
        salt,
    );
    let mut record = record.to_vec();
    let opened = aead_key(&key)?
        .open_in_place(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut record)
        .map_err(|_| refused("the push message could not be decrypted"))?;
    // Strip the padding: zeros after the delimiter, which must mark the last record.
    let end = opened
        .iter()
        .rposition(|&b| b != 0)
        .ok_or_else(|| refused("the push message has no padding delimiter"))?;
    if opened[end] != LAST_RECORD {
        return Err(refused("the push message is not a final record"));
    }
    Ok(opened[..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// base64url without padding, as RFC 8291 writes its example.
    fn b64(text: &str) -> Vec<u8> {
        crate::share::base64url::decode(text, "test vector").unwrap()
    }

    /// [`encrypt`] with a given sender key and salt, as the RFC's worked example fixes both.
    fn encrypt_with(
        plaintext: &[u8],
        receiver_public: &[u8],
        auth: &[u8],
        sender: &SecretKey,
        salt: &[u8; SALT_LEN],
    ) -> Result<Vec<u8>> {
        check_sizes(plaintext, auth)?;
        let receiver = public_key(receiver_public)?;
        let shared = p256::ecdh::diffie_hellman(sender.to_nonzero_scalar(), receiver.as_affine());
        let sender_public = uncompressed(&sender.public_key());
        seal(
            plaintext,
            shared.raw_secret_bytes(),
            auth,
            receiver_public,
            &sender_public,
            salt,
        )
    }

    // RFC 8291, Appendix A.
    const PLAINTEXT: &[u8] = b"When I grow up, I want to be a watermelon";
    const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    const AS_PUBLIC: &str =
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    #[test]
    fn the_rfc_8291_example_encrypts_byte_for_byte() {
        let sender = SecretKey::from_slice(&b64(AS_PRIVATE)).unwrap();
        assert_eq!(uncompressed(&sender.public_key()), b64(AS_PUBLIC));
        let salt: [u8; 16] = b64(SALT).try_into().unwrap();
        let body = encrypt_with(PLAINTEXT, &b64(UA_PUBLIC), &b64(AUTH), &sender, &salt).unwrap();
        assert_eq!(body, b64(BODY));
    }

    #[test]
    fn the_rfc_8291_example_decrypts() {
        let keys = ReceiverKeys::from_bytes(&b64(UA_PRIVATE), &b64(AUTH)).unwrap();
        assert_eq!(keys.public_key(), b64(UA_PUBLIC));
        assert_eq!(decrypt(&b64(BODY), &keys).unwrap(), PLAINTEXT);
    }

    #[test]
    fn a_changed_truncated_or_misaddressed_message_is_refused() {
        let keys = ReceiverKeys::generate().unwrap();
        let body = encrypt(b"dose taken", &keys.public_key(), &keys.auth()).unwrap();
        assert_eq!(decrypt(&body, &keys).unwrap(), b"dose taken");
        let mut changed = body.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert!(decrypt(&changed, &keys).is_err());
        assert!(decrypt(&body[..body.len() - 1], &keys).is_err());
        assert!(decrypt(&body[..40], &keys).is_err());
        let other = ReceiverKeys::generate().unwrap();
        assert!(decrypt(&body, &other).is_err());
        // Restored from its stored bytes, the receiver still reads it.
        let restored = ReceiverKeys::from_bytes(&keys.private_bytes(), &keys.auth()).unwrap();
        assert_eq!(decrypt(&body, &restored).unwrap(), b"dose taken");
    }

    #[test]
    fn a_message_fills_a_push_but_no_more() {
        let keys = ReceiverKeys::generate().unwrap();
        let largest = vec![b'x'; MAX_PLAINTEXT];
        let body = encrypt(&largest, &keys.public_key(), &keys.auth()).unwrap();
        assert_eq!(body.len(), MAX_BODY);
        assert_eq!(decrypt(&body, &keys).unwrap(), largest);
        let too_long = vec![b'x'; MAX_PLAINTEXT + 1];
        assert!(matches!(
            encrypt(&too_long, &keys.public_key(), &keys.auth()),
            Err(Error::InvalidInput {
                field: "message",
                ..
            })
        ));
    }
}
