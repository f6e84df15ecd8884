//! The rate limits per client address (`tower_governor`, by peer IP): built from the `Config`
//! and kept in the state, so that the binary's minute timer can forget the addresses whose
//! allowance is full again and the limiters' memory does not grow with every address that came.

use std::sync::Arc;
use std::time::Duration;

use governor::middleware::NoOpMiddleware;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::PeerIpKeyExtractor;

use crate::server::Config;

/// One limit: requests per peer IP.
pub type PerAddress = Arc<GovernorConfig<PeerIpKeyExtractor, NoOpMiddleware>>;

/// Every rate limit of the API.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Sign-in and setup (`Config::sign_in_burst`, `Config::sign_in_period`).
    pub sign_in: PerAddress,
    /// Starting a chat (`Config::start_chat_burst`, `Config::start_chat_period`).
    pub start_chat: PerAddress,
}

/// `burst` requests at once, then one more after each `period`.
fn per_address(burst: u32, period: Duration) -> PerAddress {
    let period_ms = u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1);
    let built = GovernorConfigBuilder::default().per_millisecond(period_ms).burst_size(burst.max(1)).finish();
    // `finish` refuses only a burst or a period of zero, and both are at least one here.
    Arc::new(built.unwrap_or_default())
}

impl RateLimits {
    pub fn new(config: &Config) -> RateLimits {
        RateLimits {
            sign_in: per_address(config.sign_in_burst, config.sign_in_period),
            start_chat: per_address(config.start_chat_burst, config.start_chat_period),
        }
    }

    /// Forgets every address whose allowance is full again (as good as never seen); how many
    /// addresses the limiters still hold.
    pub fn forget_idle_clients(&self) -> usize {
        [&self.sign_in, &self.start_chat]
            .into_iter()
            .map(|limit| {
                let limiter = limit.limiter();
                limiter.retain_recent();
                limiter.shrink_to_fit();
                limiter.len()
            })
            .sum()
    }
}
