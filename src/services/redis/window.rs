//! The hit ratio over a window the operator sets (`redis.hit_ratio_window`, default 1 min):
//! keyspace_hits / keyspace_misses deltas between the newest sample of a node and the oldest
//! one still inside the window. One quiet round barely moves it, where a per-round ratio of a
//! handful of lookups swings from 0 to 100 %.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Default window of the hit ratio.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// Per node: (taken at, keyspace_hits, keyspace_misses), oldest first.
#[derive(Debug, Default)]
pub struct HitWindow {
    window: Duration,
    samples: HashMap<String, VecDeque<(Instant, u64, u64)>>,
}

impl HitWindow {
    pub fn new(window: Duration) -> Self {
        HitWindow {
            window,
            samples: HashMap::new(),
        }
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    /// Add a node's sample. `baseline` = its counters restarted (restart, CONFIG RESETSTAT):
    /// what came before cannot be subtracted from them, so the window starts again here.
    pub fn push(&mut self, addr: &str, at: Instant, hits: u64, misses: u64, baseline: bool) {
        let q = self.samples.entry(addr.to_string()).or_default();
        if baseline {
            q.clear();
        }
        q.push_back((at, hits, misses));
        // Keep the newest sample at or before the window's start, so the window is full.
        while q.len() > 2 && q[1].0 + self.window <= at {
            q.pop_front();
        }
    }

    /// (hits, misses) over the window for a node; None with fewer than two samples.
    pub fn delta(&self, addr: &str) -> Option<(u64, u64)> {
        let q = self.samples.get(addr)?;
        let (first, last) = (q.front()?, q.back()?);
        if q.len() < 2 {
            return None;
        }
        Some((last.1.checked_sub(first.1)?, last.2.checked_sub(first.2)?))
    }

    /// Forget nodes no longer in the topology.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.samples.retain(|a, _| keep(a));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_spans_the_window_so_one_quiet_round_does_not_swing_it() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_secs(n);
        let mut w = HitWindow::new(Duration::from_secs(60));
        w.push("a", s(0), 0, 0, true);
        // 59 busy seconds at 96 % ...
        w.push("a", s(59), 96_000, 4_000, false);
        // ... then one second with a single miss.
        w.push("a", s(60), 96_000, 4_001, false);
        let (h, m) = w.delta("a").unwrap();
        let r = h as f64 / (h + m) as f64;
        assert!((r - 0.96).abs() < 0.001, "{r}");
    }

    #[test]
    fn old_samples_leave_the_window_and_a_reset_starts_it_again() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_secs(n);
        let mut w = HitWindow::new(Duration::from_secs(60));
        for i in 0..=180 {
            w.push("a", s(i), i * 10, i, false);
        }
        // The window's 60 s only: 600 hits, 60 misses.
        assert_eq!(w.delta("a"), Some((600, 60)));
        w.push("a", s(181), 5, 1, true);
        assert_eq!(w.delta("a"), None, "a fresh baseline has no window yet");
    }

    #[test]
    fn windows_are_labelled_like_the_config() {
        assert_eq!(crate::fmt::window(60.0), "1m");
        assert_eq!(crate::fmt::window(30.0), "30s");
        assert_eq!(crate::fmt::window(90.0), "1m30s");
    }
}
