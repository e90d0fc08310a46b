//! Waiting between retries of a request that failed (the caregiver outbox, refill orders):
//! doubling from [`FIRST_RETRY`] up to [`LONGEST_RETRY`], with jitter so that many phones do not
//! retry in step.

use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};

/// The first retry's delay (before jitter).
pub const FIRST_RETRY: Duration = Duration::from_secs(30);
/// The longest delay between retries (before jitter).
pub const LONGEST_RETRY: Duration = Duration::from_secs(6 * 60 * 60);

/// A random number in `0..=max`.
fn random_up_to(max: u64) -> Result<u64> {
    let mut bytes = [0u8; 8];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Crypto("the system random generator failed".into()))?;
    Ok(u64::from_le_bytes(bytes) % (max + 1))
}

/// The wait before retry number `attempt` (1-based): doubling from [`FIRST_RETRY`], capped at
/// [`LONGEST_RETRY`], then a random point in its second half ("equal jitter": never zero,
/// never more than the cap).
pub fn backoff(attempt: u32) -> Result<Duration> {
    let doubled = FIRST_RETRY
        .as_millis()
        .saturating_mul(1u128 << attempt.saturating_sub(1).min(30));
    let delay = doubled.min(LONGEST_RETRY.as_millis()) as u64;
    Ok(Duration::from_millis(delay / 2 + random_up_to(delay / 2)?))
}
