//! Fixed-size time series for sparklines and charts: one value per applied sample.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

/// Samples kept per series: at a 1 s interval, four minutes of history, which fills a 160-column
/// sparkline with room to spare.
pub const CAPACITY: usize = 240;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ring {
    buf: VecDeque<f64>,
    /// When each value was sampled, for a chart's clock axis (kept only while every value
    /// came with its time, see [`Ring::times`]).
    times: VecDeque<DateTime<Utc>>,
    /// Values ever pushed: the absolute index one past the newest, so charts can page on it.
    pushed: u64,
}

impl Ring {
    pub fn push(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        if self.buf.len() == CAPACITY {
            self.buf.pop_front();
            self.times.pop_front();
        }
        self.buf.push_back(v);
        self.times.clear();
        self.pushed += 1;
    }

    /// A value with the time it was sampled at.
    pub fn push_at(&mut self, at: DateTime<Utc>, v: f64) {
        if !v.is_finite() {
            return;
        }
        if self.times.len() != self.buf.len() {
            self.times.clear();
            self.buf.clear();
        }
        if self.buf.len() == CAPACITY {
            self.buf.pop_front();
            self.times.pop_front();
        }
        self.buf.push_back(v);
        self.times.push_back(at);
        self.pushed += 1;
    }

    /// Sample times, oldest first, one per value (None when some value came without one).
    pub fn times(&self) -> Option<&VecDeque<DateTime<Utc>>> {
        (!self.buf.is_empty() && self.times.len() == self.buf.len()).then_some(&self.times)
    }

    /// How many values were ever pushed (kept or since dropped): the newest value's absolute
    /// index plus one. Charts place their pages on it (`ui::widgets::page`).
    pub fn pushed(&self) -> u64 {
        self.pushed
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn last(&self) -> Option<f64> {
        self.buf.back().copied()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = f64> + ExactSizeIterator + '_ {
        self.buf.iter().copied()
    }

    /// The newest `n` values, oldest first, scaled to integers for ratatui's Sparkline.
    pub fn tail_scaled(&self, n: usize, scale: f64) -> Vec<u64> {
        let skip = self.buf.len().saturating_sub(n);
        self.buf
            .iter()
            .skip(skip)
            .map(|v| (v * scale).max(0.0).round() as u64)
            .collect()
    }

    pub fn max(&self) -> Option<f64> {
        self.buf.iter().copied().reduce(f64::max)
    }

    /// Median of the window, for "p50" style figures.
    pub fn median(&self) -> Option<f64> {
        median(self.buf.iter().copied())
    }
}

pub fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    })
}

/// Every series the console keeps.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Replica lag in seconds, per replica name.
    pub lag: BTreeMap<String, Ring>,
    /// Worst lag across replicas (overview sparkline).
    pub worst_lag: Ring,
    /// Windowed Redis hit ratio (0..=1).
    pub hit_ratio: Ring,
    pub ops_per_sec: Ring,
    pub evictions_per_sec: Ring,
    pub indexing_rate: Ring,
    /// Load run durations in seconds, newest runs appended once each (by run id).
    pub etl_durations: Ring,
    pub etl_seen: std::collections::BTreeSet<String>,
    /// Generic CloudWatch figures, by (panel id, label), when the collector sends no history.
    pub cloudwatch: BTreeMap<(String, String), Ring>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_newest_values() {
        let mut r = Ring::default();
        for i in 0..(CAPACITY + 10) {
            r.push(i as f64);
        }
        assert_eq!(r.len(), CAPACITY);
        assert_eq!(r.iter().next(), Some(10.0));
        assert_eq!(r.last(), Some((CAPACITY + 9) as f64));
        assert_eq!(
            r.tail_scaled(2, 1.0),
            vec![CAPACITY as u64 + 8, CAPACITY as u64 + 9]
        );
    }

    #[test]
    fn ring_ignores_non_finite_and_scales_without_going_negative() {
        let mut r = Ring::default();
        r.push(f64::NAN);
        r.push(-1.0);
        r.push(0.25);
        assert_eq!(r.tail_scaled(10, 1000.0), vec![0, 250]);
    }

    #[test]
    fn median_of_even_and_odd_windows() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), Some(2.0));
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), Some(2.5));
        assert_eq!(median(std::iter::empty()), None);
    }
}
