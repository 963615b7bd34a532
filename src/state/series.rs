//! Time series for sparklines and charts: the newest samples at full resolution, and minute
//! buckets (min, max, mean) for the last 24 hours (`history.rs`), within a fixed bound per
//! series (figures in docs/PERFORMANCE.md).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

use super::history::{self, Downsampled, Window};
use crate::model::source::Update;

/// Samples kept at full resolution per series: at a 1 s interval, five minutes, which fills a
/// 160-column sparkline with room to spare. Older history lives in the minute buckets.
pub const CAPACITY: usize = 300;

/// One point of a chart: a sample (min = max = mean), or a minute's bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// When the sample was taken, or when the bucket's minute starts.
    pub at: DateTime<Utc>,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ring {
    buf: VecDeque<f64>,
    /// When each value was sampled, for a chart's clock axis (kept only while every value
    /// came with its time, see [`Ring::times`]).
    times: VecDeque<DateTime<Utc>>,
    /// Values ever pushed: the absolute index one past the newest, so charts can page on it.
    pushed: u64,
    /// Every timed value also folded into its minute, for the 1h and 24h windows.
    coarse: Downsampled,
}

impl Ring {
    /// Allocate the full-resolution tier once, at its bound, so the series' memory is what
    /// docs/PERFORMANCE.md says from the first sample on.
    fn reserve(&mut self, timed: bool) {
        if self.buf.capacity() < CAPACITY {
            self.buf.reserve_exact(CAPACITY - self.buf.len());
        }
        if timed && self.times.capacity() < CAPACITY {
            self.times.reserve_exact(CAPACITY - self.times.len());
        }
    }

    pub fn push(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        self.reserve(false);
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
        self.reserve(true);
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
        self.coarse.fold(at, v);
    }

    /// Older datapoints fetched after the fact (CloudWatch's GetMetricData when a panel opens),
    /// oldest first. Only points older than everything held are taken, so a live sample is
    /// never counted twice; they fill the minute buckets and, up to the bound, the front of
    /// the full-resolution tier. Returns how many were taken.
    pub fn backfill(&mut self, points: &[(DateTime<Utc>, f64)]) -> usize {
        let oldest = match (self.times.front(), self.coarse.first_start()) {
            (Some(t), _) => Some(*t),
            (None, Some(b)) => Some(b),
            (None, None) => None,
        };
        if !self.buf.is_empty() && self.times.len() != self.buf.len() {
            return 0; // an untimed series has no place for timed points
        }
        let older: Vec<(DateTime<Utc>, f64)> = points
            .iter()
            .copied()
            .filter(|(t, v)| v.is_finite() && oldest.is_none_or(|o| *t < o))
            .collect();
        if older.is_empty() {
            return 0;
        }
        self.reserve(true);
        for (t, v) in &older {
            self.coarse.fold(*t, *v);
        }
        let room = CAPACITY - self.buf.len();
        for (t, v) in older.iter().rev().take(room) {
            self.buf.push_front(*v);
            self.times.push_front(*t);
        }
        self.pushed += older.len().min(room) as u64;
        older.len()
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

    /// The points of a chart window, oldest first: the full-resolution samples for
    /// [`Window::Recent`] (with their times when every value has one), the minute buckets of
    /// the last hour or day otherwise (empty for a series whose values have no time).
    pub fn points(&self, w: Window) -> Vec<Point> {
        match w.minutes() {
            None => {
                let times = self.times();
                self.buf
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Point {
                        at: times.map_or_else(DateTime::default, |t| t[i]),
                        mean: *v,
                        min: *v,
                        max: *v,
                    })
                    .collect()
            }
            Some(m) => self
                .coarse
                .last(m)
                .map(|b| Point {
                    at: b.start(),
                    mean: f64::from(b.mean),
                    min: f64::from(b.min),
                    max: f64::from(b.max),
                })
                .collect(),
        }
    }

    /// Values for a paged sparkline in window `w` (bucket means beyond 5m) and the absolute
    /// index one past the newest (see [`Ring::pushed`]; for buckets, the newest minute's
    /// number plus one, so pages stay put while a minute fills).
    pub fn window_values(&self, w: Window) -> (Vec<f64>, u64) {
        match w.minutes() {
            None => (self.buf.iter().copied().collect(), self.pushed),
            Some(m) => {
                let b: Vec<&history::Bucket> = self.coarse.last(m).collect();
                let total = b
                    .last()
                    .map_or(0, |x| u64::try_from(x.minute).unwrap_or(0) + 1);
                (b.iter().map(|x| f64::from(x.mean)).collect(), total)
            }
        }
    }

    /// Bytes this series holds on the heap (allocations, used or not).
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity() * std::mem::size_of::<f64>()
            + self.times.capacity() * std::mem::size_of::<DateTime<Utc>>()
            + self.coarse.heap_bytes()
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

impl Series {
    /// Every ring, for memory accounting.
    pub fn rings(&self) -> impl Iterator<Item = &Ring> + '_ {
        self.lag
            .values()
            .chain([
                &self.worst_lag,
                &self.hit_ratio,
                &self.ops_per_sec,
                &self.evictions_per_sec,
                &self.indexing_rate,
                &self.etl_durations,
            ])
            .chain(self.cloudwatch.values())
    }

    /// Every ring, mutable (examples that fill a day of history).
    pub fn rings_mut(&mut self) -> impl Iterator<Item = &mut Ring> + '_ {
        self.lag
            .values_mut()
            .chain([
                &mut self.worst_lag,
                &mut self.hit_ratio,
                &mut self.ops_per_sec,
                &mut self.evictions_per_sec,
                &mut self.indexing_rate,
                &mut self.etl_durations,
            ])
            .chain(self.cloudwatch.values_mut())
    }

    /// Bytes the rings hold on the heap (the maps' own nodes and keys not counted).
    pub fn heap_bytes(&self) -> usize {
        self.rings().map(Ring::heap_bytes).sum()
    }
}

// One line each in `super::registry::PANEL_STATE`: what a round of the kind's source adds to the
// series (an update of another kind adds nothing).
type At = DateTime<Utc>;

pub(super) fn aurora(s: &mut Series, u: &Update, at: At) {
    let Update::Aurora(a) = u else { return };
    let mut worst: Option<f64> = None;
    for r in &a.replicas {
        if let Some(l) = r.lag_seconds {
            s.lag.entry(r.name.clone()).or_default().push_at(at, l);
            worst = Some(worst.map_or(l, |w| w.max(l)));
        }
    }
    if let Some(w) = worst {
        s.worst_lag.push_at(at, w);
    }
}

pub(super) fn redis(s: &mut Series, u: &Update, at: At) {
    let Update::Redis(r) = u else { return };
    if let Some(h) = r.hit_ratio {
        s.hit_ratio.push_at(at, h);
    }
    // A first sample's 0 ops/s is "not measured yet": a point there would start every chart
    // with a climb from zero.
    if r.rate_window_seconds.is_some() {
        s.ops_per_sec.push_at(at, r.ops_per_sec);
        s.evictions_per_sec.push_at(at, r.evictions_per_sec);
    }
}

pub(super) fn opensearch(s: &mut Series, u: &Update, at: At) {
    if let Update::OpenSearch(o) = u
        && o.rate_window_seconds.is_some()
    {
        s.indexing_rate.push_at(at, o.indexing_rate_per_sec);
    }
}

pub(super) fn redshift(s: &mut Series, u: &Update, _: At) {
    let Update::Redshift(r) = u else { return };
    let mut runs: Vec<_> = r
        .runs
        .iter()
        .filter(|x| x.duration_seconds.is_some())
        .collect();
    runs.sort_by_key(|x| x.started_at);
    for run in runs {
        let done = !run.status.eq_ignore_ascii_case("running");
        if done && s.etl_seen.insert(run.id.clone()) {
            s.etl_durations.push(run.duration_seconds.unwrap_or(0.0));
        }
    }
}

pub(super) fn cloudwatch(s: &mut Series, u: &Update, at: At) {
    let Update::CloudWatch(id, figs) = u else {
        return;
    };
    for f in figs {
        if f.value.is_none() && f.backfill.is_empty() {
            continue;
        }
        let ring = s
            .cloudwatch
            .entry((id.clone(), f.label.clone()))
            .or_default();
        // Older datapoints first: a ring takes only points older than it holds.
        ring.backfill(&f.backfill);
        if let Some(v) = f.value {
            ring.push_at(at, v);
        }
    }
}

/// S3 usage is daily and log lines are not figures: no series.
pub(super) fn none(_: &mut Series, _: &Update, _: At) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_sample_without_a_rate_window_adds_no_rate_point_so_charts_do_not_start_at_zero() {
        use crate::model::{OpenSearchStatus, RedisStatus};
        let at = Utc::now();
        let mut s = Series::default();
        let first = RedisStatus::default();
        redis(&mut s, &Update::Redis(first), at);
        opensearch(&mut s, &Update::OpenSearch(OpenSearchStatus::default()), at);
        assert_eq!(s.ops_per_sec.len(), 0);
        assert_eq!(s.evictions_per_sec.len(), 0);
        assert_eq!(s.indexing_rate.len(), 0);
        let measured = RedisStatus {
            ops_per_sec: 5.0,
            rate_window_seconds: Some(1.0),
            ..Default::default()
        };
        redis(&mut s, &Update::Redis(measured), at);
        let os = OpenSearchStatus {
            indexing_rate_per_sec: 3.0,
            rate_window_seconds: Some(1.0),
            ..Default::default()
        };
        opensearch(&mut s, &Update::OpenSearch(os), at);
        assert_eq!(s.ops_per_sec.last(), Some(5.0));
        assert_eq!(s.indexing_rate.last(), Some(3.0));
    }

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

    fn t(secs: i64) -> DateTime<Utc> {
        chrono::TimeZone::timestamp_opt(&Utc, 1_764_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_day_of_samples_keeps_five_minutes_in_full_and_24h_in_minutes_within_the_bound() {
        let mut r = Ring::default();
        for s in 0..(25 * 3600) {
            r.push_at(t(s), (s % 60) as f64);
        }
        assert_eq!(r.len(), CAPACITY);
        assert_eq!(r.points(Window::Recent).len(), CAPACITY);
        assert_eq!(r.points(Window::Hour).len(), 60);
        let day = r.points(Window::Day);
        assert_eq!(day.len(), history::BUCKETS);
        // Each minute saw 0..=59: the bucket keeps the extremes and the mean.
        assert_eq!((day[0].min, day[0].max, day[0].mean), (0.0, 59.0, 29.5));
        assert_eq!(day[day.len() - 1].at, t(25 * 3600 - 60));
        // The bound: 300 values with their times, 1,440 buckets of 20 bytes (+1 spare slot).
        assert!(r.heap_bytes() <= CAPACITY * 20 + (history::BUCKETS + 1) * 20);
    }

    #[test]
    fn a_backfill_fills_the_history_before_the_first_live_sample_once() {
        let mut r = Ring::default();
        r.push_at(t(3600), 5.0);
        let past: Vec<_> = (0..50).map(|i| (t(i * 60), i as f64)).collect();
        assert_eq!(r.backfill(&past), 50);
        assert_eq!(r.len(), 51);
        assert_eq!(r.times().unwrap()[0], t(0));
        assert_eq!(r.last(), Some(5.0));
        assert_eq!(r.points(Window::Day).len(), 51);
        // The same points again are not older than what is held: nothing is counted twice.
        assert_eq!(r.backfill(&past), 0);
        assert_eq!(r.len(), 51);
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
