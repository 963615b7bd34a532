//! The long end of a series: one bucket per minute for the last 24 hours, each with the
//! minimum, maximum and mean of the samples that fell in it (CloudWatch's own shape for a
//! 1-minute period), and the chart windows an operator cycles through (5m, 1h, 24h).
//!
//! The bound is fixed: at most [`BUCKETS`] buckets of [`Bucket`]'s size per series, whatever
//! the sampling rate, so memory stays flat however long the console runs.

use std::collections::VecDeque;

use chrono::{DateTime, TimeZone, Utc};

/// Width of a bucket, seconds.
pub const BUCKET_SECS: i64 = 60;
/// Buckets kept per series: 24 h of minutes.
pub const BUCKETS: usize = 24 * 60;

/// A chart's time window; `w` cycles it on every chart and detail view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Window {
    /// The full-resolution samples (about the last 5 minutes at a 1 s interval).
    #[default]
    Recent,
    /// The last hour, one point per minute.
    Hour,
    /// The last 24 hours, one point per minute.
    Day,
}

impl Window {
    /// The next window in the 5m -> 1h -> 24h -> 5m cycle.
    pub fn next(self) -> Window {
        match self {
            Window::Recent => Window::Hour,
            Window::Hour => Window::Day,
            Window::Day => Window::Recent,
        }
    }

    /// "5m", "1h", "24h": what chart titles and the flash say.
    pub fn label(self) -> &'static str {
        match self {
            Window::Recent => "5m",
            Window::Hour => "1h",
            Window::Day => "24h",
        }
    }

    /// Minutes of buckets the window covers (None: the full-resolution samples).
    pub fn minutes(self) -> Option<i64> {
        match self {
            Window::Recent => None,
            Window::Hour => Some(60),
            Window::Day => Some(BUCKETS as i64),
        }
    }
}

/// The samples of one minute. 20 bytes: the values are f32, which keeps 7 significant digits,
/// more than any chart or figure shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Start of the minute, minutes since the Unix epoch.
    pub minute: i32,
    /// Samples folded in.
    pub count: u32,
    pub min: f32,
    pub max: f32,
    pub mean: f32,
}

impl Bucket {
    /// When the bucket's minute starts.
    pub fn start(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(i64::from(self.minute) * BUCKET_SECS, 0)
            .single()
            .unwrap_or_default()
    }

    fn fold(&mut self, v: f64) {
        self.count = self.count.saturating_add(1);
        let v32 = v as f32;
        self.min = self.min.min(v32);
        self.max = self.max.max(v32);
        let mean = f64::from(self.mean);
        self.mean = (mean + (v - mean) / f64::from(self.count)) as f32;
    }
}

/// The minute of `at`, as stored in [`Bucket::minute`].
pub fn minute_of(at: DateTime<Utc>) -> i32 {
    i32::try_from(at.timestamp().div_euclid(BUCKET_SECS)).unwrap_or(i32::MAX)
}

/// 24 hours of minute buckets, oldest first, at most [`BUCKETS`] of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Downsampled {
    buckets: VecDeque<Bucket>,
}

impl Downsampled {
    /// Fold a sample into its minute. Samples usually arrive in order; an older one (a
    /// backfill) goes into its own minute, and one older than 24 h before the newest is dropped.
    pub fn fold(&mut self, at: DateTime<Utc>, v: f64) {
        if !v.is_finite() {
            return;
        }
        let m = minute_of(at);
        let newest = self.buckets.back().map(|b| b.minute);
        if newest.is_some_and(|n| m <= n - BUCKETS as i32) {
            return;
        }
        let fresh = Bucket {
            minute: m,
            count: 1,
            min: v as f32,
            max: v as f32,
            mean: v as f32,
        };
        match newest {
            Some(n) if n == m => {
                if let Some(b) = self.buckets.back_mut() {
                    b.fold(v);
                }
            }
            Some(n) if m < n => match self.buckets.binary_search_by_key(&m, |b| b.minute) {
                Ok(i) => self.buckets[i].fold(v),
                Err(i) => {
                    self.reserve();
                    self.buckets.insert(i, fresh);
                }
            },
            _ => {
                while self
                    .buckets
                    .front()
                    .is_some_and(|b| b.minute <= m - BUCKETS as i32)
                {
                    self.buckets.pop_front();
                }
                self.reserve();
                self.buckets.push_back(fresh);
            }
        }
        while self.buckets.len() > BUCKETS {
            self.buckets.pop_front();
        }
    }

    /// Grow by doubling, but never past the bound: the allocation is what the memory figure
    /// in docs/PERFORMANCE.md counts.
    fn reserve(&mut self) {
        let cap = self.buckets.capacity();
        if self.buckets.len() < cap {
            return;
        }
        let want = (cap * 2).clamp(16, BUCKETS + 1);
        self.buckets.reserve_exact(want - self.buckets.len());
    }

    /// The buckets of the last `minutes` minutes before the newest (inclusive), oldest first.
    pub fn last(&self, minutes: i64) -> impl DoubleEndedIterator<Item = &Bucket> + '_ {
        let from = self
            .buckets
            .back()
            .map_or(0, |b| i64::from(b.minute) - minutes + 1);
        let skip = self.buckets.partition_point(|b| i64::from(b.minute) < from);
        self.buckets.range(skip..)
    }

    /// The oldest minute kept.
    pub fn first_start(&self) -> Option<DateTime<Utc>> {
        self.buckets.front().map(Bucket::start)
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Bytes held on the heap (the allocation, not only what is used).
    pub fn heap_bytes(&self) -> usize {
        self.buckets.capacity() * std::mem::size_of::<Bucket>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_764_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_minute_keeps_the_min_max_and_mean_of_its_samples() {
        let mut d = Downsampled::default();
        // 1_764_000_000 is a whole minute.
        for (s, v) in [(0, 2.0), (20, 6.0), (40, 1.0), (60, 9.0)] {
            d.fold(at(s), v);
        }
        let b: Vec<Bucket> = d.last(60).copied().collect();
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].min, b[0].max, b[0].mean, b[0].count),
            (1.0, 6.0, 3.0, 3)
        );
        assert_eq!((b[1].min, b[1].max, b[1].count), (9.0, 9.0, 1));
        assert_eq!(b[1].start(), at(60));
    }

    #[test]
    fn a_day_of_one_second_samples_stays_within_the_bound() {
        let mut d = Downsampled::default();
        for s in 0..(26 * 3600) {
            d.fold(at(s), (s % 100) as f64);
        }
        assert_eq!(d.len(), BUCKETS);
        assert!(
            d.heap_bytes() <= (BUCKETS + 1) * std::mem::size_of::<Bucket>(),
            "{} bytes",
            d.heap_bytes()
        );
        assert_eq!(std::mem::size_of::<Bucket>(), 20);
        // The oldest minute is 24 h before the newest.
        assert_eq!(d.first_start(), Some(at(2 * 3600)));
        assert_eq!(d.last(60).count(), 60);
    }

    #[test]
    fn an_older_sample_goes_into_its_own_minute_and_one_beyond_24h_is_dropped() {
        let mut d = Downsampled::default();
        d.fold(at(3600), 1.0);
        d.fold(at(600), 5.0);
        d.fold(at(610), 7.0);
        d.fold(at(3600 - 25 * 3600), 100.0);
        let b: Vec<Bucket> = d.last(BUCKETS as i64).copied().collect();
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].start(), b[0].min, b[0].max), (at(600), 5.0, 7.0));
        assert_eq!(b[1].start(), at(3600));
    }
}
