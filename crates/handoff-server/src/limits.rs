//! The rate limits per client address (`tower_governor`, by peer IP): built from the `Config`
//! and kept in the state, so that the binary's minute timer can forget the addresses whose
//! allowance is full again and the limiters' memory does not grow with every address that came.
//! Beside them, how many sockets each address holds open (`SocketsPerAddress`), and how many
//! commands each customer's chat sends (`PerChat`, keyed by the chat rather than the address:
//! its token is what lets them in).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustc_hash::FxHashMap;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use handoff::ChatId;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::PeerIpKeyExtractor;

use crate::server::Config;

/// One limit: requests per peer IP.
pub type PerAddress = Arc<GovernorConfig<PeerIpKeyExtractor, NoOpMiddleware>>;

/// One limit: commands per customer's chat.
pub type PerChat = RateLimiter<ChatId, DefaultKeyedStateStore<ChatId>, DefaultClock>;

/// Every rate limit of the API.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Sign-in and setup (`Config::sign_in_burst`, `Config::sign_in_period`).
    pub sign_in: PerAddress,
    /// Starting a chat (`Config::start_chat_burst`, `Config::start_chat_period`).
    pub start_chat: PerAddress,
    /// Open sockets (`Config::sockets_per_address`).
    pub sockets: Arc<SocketsPerAddress>,
    /// A customer's commands in their chat (`Config::chat_command_burst`,
    /// `Config::chat_command_period`).
    pub chat_commands: Arc<PerChat>,
}

/// How many sockets each client address holds open, up to a cap; an address holding none is
/// not kept.
#[derive(Debug)]
pub struct SocketsPerAddress {
    cap: usize,
    open: Mutex<FxHashMap<IpAddr, usize>>,
}

/// One open socket's place in its address's count, given back when dropped.
#[derive(Debug)]
pub struct SocketSlot {
    counts: Arc<SocketsPerAddress>,
    address: IpAddr,
}

impl SocketsPerAddress {
    pub fn new(cap: usize) -> SocketsPerAddress {
        SocketsPerAddress { cap, open: Mutex::default() }
    }

    /// A place for one more socket from `address`; `None` when it holds the cap already.
    pub fn take(self: &Arc<Self>, address: IpAddr) -> Option<SocketSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(address).or_default();
        if *count >= self.cap {
            if *count == 0 {
                open.remove(&address);
            }
            return None;
        }
        *count += 1;
        Some(SocketSlot { counts: Arc::clone(self), address })
    }

    /// How many sockets `address` holds open.
    pub fn held_by(&self, address: IpAddr) -> usize {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).get(&address).copied().unwrap_or(0)
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// `burst` requests at once, then one more after each `period`.
fn per_address(burst: u32, period: Duration) -> PerAddress {
    let period_ms = u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1);
    let built = GovernorConfigBuilder::default().per_millisecond(period_ms).burst_size(burst.max(1)).finish();
    // `finish` refuses only a burst or a period of zero, and both are at least one here.
    Arc::new(built.unwrap_or_default())
}

/// `burst` commands at once per chat, then one more after each `period`.
fn per_chat(burst: u32, period: Duration) -> PerChat {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    // `with_period` refuses only a period of zero, and this one is at least a nanosecond.
    let quota = Quota::with_period(period.max(Duration::from_nanos(1))).unwrap_or(Quota::per_second(burst));
    RateLimiter::keyed(quota.allow_burst(burst))
}

impl RateLimits {
    pub fn new(config: &Config) -> RateLimits {
        RateLimits {
            sign_in: per_address(config.sign_in_burst, config.sign_in_period),
            start_chat: per_address(config.start_chat_burst, config.start_chat_period),
            sockets: Arc::new(SocketsPerAddress::new(config.sockets_per_address)),
            chat_commands: Arc::new(per_chat(config.chat_command_burst, config.chat_command_period)),
        }
    }

    /// Takes one of `chat`'s commands from its allowance; when none is left, how long until one
    /// is.
    pub fn chat_command(&self, chat: ChatId) -> Result<(), Duration> {
        self.chat_commands.check_key(&chat).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets every address whose allowance is full again (as good as never seen); how many
    /// addresses the limiters still hold.
    pub fn forget_idle_clients(&self) -> usize {
        let addresses: usize = [&self.sign_in, &self.start_chat]
            .into_iter()
            .map(|limit| {
                let limiter = limit.limiter();
                limiter.retain_recent();
                limiter.shrink_to_fit();
                limiter.len()
            })
            .sum();
        self.chat_commands.retain_recent();
        self.chat_commands.shrink_to_fit();
        addresses + self.chat_commands.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_up_to_the_cap_and_a_closed_socket_gives_its_place_back() {
        let counts = Arc::new(SocketsPerAddress::new(2));
        let (here, there) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let first = counts.take(here).expect("one");
        let second = counts.take(here).expect("two");
        assert!(counts.take(here).is_none(), "a third is refused");
        let elsewhere = counts.take(there).expect("another address has its own count");
        drop(first);
        let again = counts.take(here).expect("a place came free");
        drop((second, again, elsewhere));
        assert_eq!((counts.held_by(here), counts.held_by(there)), (0, 0));
        assert!(counts.open.lock().expect("not poisoned").is_empty(), "nothing is kept of addresses holding none");
        assert!(Arc::new(SocketsPerAddress::new(0)).take(here).is_none());
    }

    #[test]
    fn a_chat_sends_its_burst_then_waits_and_another_chat_has_its_own_allowance() {
        let mut config = Config::new("http://handoff.test");
        (config.chat_command_burst, config.chat_command_period) = (3, Duration::from_secs(60));
        let limits = RateLimits::new(&config);
        for _ in 0..3 {
            assert_eq!(limits.chat_command(ChatId(1)), Ok(()));
        }
        let wait = limits.chat_command(ChatId(1)).expect_err("the fourth waits");
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60), "{wait:?}");
        assert_eq!(limits.chat_command(ChatId(2)), Ok(()), "another chat is not limited by it");
    }
}
