//! The shared per-workspace rate limiter: paces requests from `X-RateLimit-Limit/Remaining/Reset` so that many
//! concurrent tasks saturate, but never exceed, the configured share of the workspace's 10-second window budget.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Rate-limit headers of one response, with the server's clock from the `Date` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Limit`.
    pub limit: u64,
    /// `X-RateLimit-Remaining`: requests left in the current window.
    pub remaining: u64,
    /// `X-RateLimit-Reset`: Unix seconds when the window resets.
    pub reset: u64,
    /// The server's clock (`Date`), Unix seconds; the local clock if absent.
    pub server_now: u64,
}

/// A snapshot for `steward doctor` and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitSnapshot {
    /// The last `X-RateLimit-Limit` seen.
    pub limit: Option<u64>,
    /// The last `X-RateLimit-Remaining` seen.
    pub remaining: Option<u64>,
    /// The largest per-window budget observed.
    pub window_quota: u64,
    /// The configured share.
    pub share: f64,
    /// 429 responses seen by this limiter.
    pub rate_limited: u64,
}

/// One permission to send a request; hand it back with [`RateLimiter::observe`].
#[derive(Debug)]
pub struct Permit {
    seq: u64,
}

/// The limiter shared by every client of one workspace.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
    first_response: Notify,
}

#[derive(Debug)]
struct State {
    share: f64,
    known: bool,
    next_seq: u64,
    in_flight: BTreeSet<u64>,
    budget: i64,
    quota: u64,
    reset: Option<u64>,
    expect_newer: bool,
    window_end: Option<Instant>,
    window_len: Duration,
    last_limit: Option<u64>,
    last_remaining: Option<u64>,
    rate_limited: u64,
    headerless: u32,
}

impl RateLimiter {
    /// A limiter that uses `share` (in (0, 1]) of the workspace's budget.
    pub fn new(share: f64) -> Self {
        let share = if share > 0.0 && share <= 1.0 { share } else { 1.0 };
        Self {
            state: Mutex::new(State {
                share,
                known: false,
                next_seq: 0,
                in_flight: BTreeSet::new(),
                budget: 0,
                quota: 0,
                reset: None,
                expect_newer: false,
                window_end: None,
                window_len: Duration::from_secs(10),
                last_limit: None,
                last_remaining: None,
                rate_limited: 0,
                headerless: 0,
            }),
            first_response: Notify::new(),
        }
    }

    /// Waits until a request may be sent.
    pub async fn acquire(&self) -> Permit {
        loop {
            let wait_until = {
                let mut state = lock(&self.state);
                let now = Instant::now();
                if !state.known {
                    if state.in_flight.is_empty() {
                        return state.grant();
                    }
                    None
                } else {
                    if let Some(end) = state.window_end {
                        if now >= end {
                            state.roll_window(end, now);
                        }
                    }
                    if state.budget > 0 {
                        state.budget -= 1;
                        return state.grant();
                    }
                    Some(state.window_end.unwrap_or(now + Duration::from_millis(100)))
                }
            };
            match wait_until {
                None => {
                    // Until the first response tells us the budget, only one request probes.
                    let notified = self.first_response.notified();
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                    }
                }
                Some(until) => {
                    let jitter = Duration::from_millis(rand::thread_rng().gen_range(1..15));
                    tokio::time::sleep_until(until + jitter).await;
                }
            }
        }
    }

    /// Records the outcome of a permitted request: its headers (if a response arrived) and whether it was a 429.
    pub fn observe(&self, permit: Permit, received_at: Instant, headers: Option<RateLimitHeaders>, was_429: bool) {
        let mut state = lock(&self.state);
        state.in_flight.remove(&permit.seq);
        if was_429 {
            state.rate_limited += 1;
        }
        let Some(h) = headers else {
            // A server that never sends the headers (a proxy, an old mock) is not paced after a few tries.
            if state.reset.is_none() {
                state.headerless += 1;
                if state.headerless >= 3 && !state.known {
                    state.known = true;
                    state.budget = i64::MAX / 2;
                }
            }
            drop(state);
            self.first_response.notify_waiters();
            return;
        };
        state.known = true;
        state.last_limit = Some(h.limit);
        state.last_remaining = Some(h.remaining);
        let mut quota = state.quota.max(h.remaining + 1);
        if h.limit > 0 {
            quota = quota.min(h.limit.max(1));
        }
        state.quota = quota;
        let reserve = ((quota as f64) * (1.0 - state.share)).floor() as i64;
        let sent_later = state.in_flight.range(permit.seq + 1..).count() as i64;
        let available = h.remaining as i64 - reserve - sent_later;
        let until_reset = Duration::from_secs(h.reset.saturating_sub(h.server_now));
        match state.reset {
            Some(current) if h.reset < current || (h.reset == current && state.expect_newer) => {
                // A late response from a window we already left: it says nothing about the current one.
            }
            Some(current) if h.reset == current => {
                state.budget = state.budget.min(available);
                let end = received_at + until_reset;
                state.window_end = Some(state.window_end.map_or(end, |e| e.min(end)));
            }
            previous => {
                if let Some(previous) = previous {
                    let step = h.reset - previous;
                    if (1..=60).contains(&step) {
                        state.window_len = state.window_len.min(Duration::from_secs(step));
                    }
                }
                state.reset = Some(h.reset);
                state.expect_newer = false;
                state.budget = available;
                let end = (received_at + until_reset).min(received_at + state.window_len);
                state.window_end = Some(end);
            }
        }
        if was_429 || h.remaining == 0 {
            state.budget = state.budget.min(0);
        }
        drop(state);
        self.first_response.notify_waiters();
    }

    /// The current view of the budget.
    pub fn snapshot(&self) -> RateLimitSnapshot {
        let state = lock(&self.state);
        RateLimitSnapshot {
            limit: state.last_limit,
            remaining: state.last_remaining,
            window_quota: state.quota,
            share: state.share,
            rate_limited: state.rate_limited,
        }
    }
}

impl State {
    fn grant(&mut self) -> Permit {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight.insert(seq);
        Permit { seq }
    }

    fn roll_window(&mut self, end: Instant, now: Instant) {
        let mut next_end = end + self.window_len;
        while next_end <= now {
            next_end += self.window_len;
        }
        let reserve = ((self.quota as f64) * (1.0 - self.share)).floor() as i64;
        self.budget = self.quota as i64 - reserve - self.in_flight.len() as i64;
        self.window_end = Some(next_end);
        self.expect_newer = true;
    }
}

fn lock(mutex: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    // The state stays consistent even if a holder panicked: every update is a few assignments.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(remaining: u64, reset: u64, now: u64) -> Option<RateLimitHeaders> {
        Some(RateLimitHeaders { limit: 600, remaining, reset, server_now: now })
    }

    #[tokio::test(start_paused = true)]
    async fn paces_to_the_window_budget_and_waits_for_reset() {
        let limiter = RateLimiter::new(1.0);
        let p = limiter.acquire().await;
        limiter.observe(p, Instant::now(), headers(4, 1010, 1000), false);
        for _ in 0..4 {
            let p = limiter.acquire().await;
            limiter.observe(p, Instant::now(), None, false);
        }
        let before = Instant::now();
        let _p = limiter.acquire().await;
        let waited = Instant::now() - before;
        assert!(waited >= Duration::from_secs(10), "waited {waited:?}");
        assert!(waited < Duration::from_secs(11), "waited {waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn share_leaves_room_for_others() {
        let limiter = RateLimiter::new(0.5);
        let p = limiter.acquire().await;
        limiter.observe(p, Instant::now(), headers(9, 1010, 1000), false);
        let mut sent = 0;
        while sent < 20 {
            match tokio::time::timeout(Duration::from_secs(1), limiter.acquire()).await {
                Ok(p) => limiter.observe(p, Instant::now(), None, false),
                Err(_) => break,
            }
            sent += 1;
        }
        assert_eq!(sent, 4, "quota 10, share 0.5, one already used");
        assert_eq!(limiter.snapshot().window_quota, 10);
    }

    #[tokio::test(start_paused = true)]
    async fn without_headers_pacing_gives_up_after_a_few_responses() {
        let limiter = RateLimiter::new(1.0);
        for _ in 0..3 {
            let p = limiter.acquire().await;
            limiter.observe(p, Instant::now(), None, false);
        }
        let held: Vec<Permit> = {
            let mut held = Vec::new();
            for _ in 0..50 {
                held.push(tokio::time::timeout(Duration::from_millis(1), limiter.acquire()).await.expect("not paced"));
            }
            held
        };
        assert_eq!(held.len(), 50, "many requests may be in flight at once");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_stops_everyone_until_reset() {
        let limiter = RateLimiter::new(1.0);
        let p = limiter.acquire().await;
        limiter.observe(p, Instant::now(), headers(0, 1003, 1000), true);
        let before = Instant::now();
        let _p = limiter.acquire().await;
        assert!(Instant::now() - before >= Duration::from_secs(3));
        assert_eq!(limiter.snapshot().rate_limited, 1);
    }
}
