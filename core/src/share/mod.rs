//! Sharing with caregivers over standard Web Push, without a Regimen server.
//!
//! So far this holds the message encryption ([`ece`]); pairing, messages, the outbox and the
//! caregiver side build on it.

pub mod ece;
