//! Sharing with caregivers over standard Web Push, without a Regimen server.
//!
//! So far this holds the message encryption ([`ece`]), the sender's proof to the push service
//! ([`vapid`]) and the key spelling both use ([`base64url`]); pairing, messages, the outbox
//! and the caregiver side build on them.

pub mod base64url;
pub mod ece;
pub mod vapid;
