//! The latest sample of every (context, source), and opsdeck's own figures about collecting it:
//! rounds, failures, durations. Collector tasks write here; a scrape only reads, so it never
//! waits on a backend.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

use crate::services::{self, BoxCollector, Sample, SourceKind, Update};

/// What is known about one source of one context.
#[derive(Debug, Clone)]
pub struct SourceState {
    pub context: String,
    pub source: SourceKind,
    /// The collector's own interval.
    pub interval: Duration,
    /// The last successful round's data and when it was taken.
    pub latest: Option<(DateTime<Utc>, Update)>,
    /// Whether the last round succeeded (false before the first round).
    pub up: bool,
    pub last_error: Option<String>,
    /// Rounds attempted since start.
    pub collections: u64,
    /// Rounds that failed (error or timeout) since start.
    pub errors: u64,
    /// Sum of round durations since start, seconds.
    pub duration_sum_seconds: f64,
    /// Duration of the last round, seconds.
    pub last_duration_seconds: Option<f64>,
}

/// Every source's state, keyed by (context, source name).
#[derive(Debug, Default)]
pub struct Store {
    pub sources: BTreeMap<(String, String), SourceState>,
}

/// Shared between the collector tasks (writers) and the HTTP handler (reader).
pub type SharedStore = Arc<Mutex<Store>>;

impl Store {
    /// Declare a source before its first round, so it is exported as down until it answers.
    pub fn register(&mut self, context: &str, source: SourceKind, interval: Duration) {
        self.sources
            .entry((context.to_string(), source.name()))
            .or_insert_with(|| SourceState {
                context: context.to_string(),
                source,
                interval,
                latest: None,
                up: false,
                last_error: None,
                collections: 0,
                errors: 0,
                duration_sum_seconds: 0.0,
                last_duration_seconds: None,
            });
    }

    /// Fold one round in: data replaces the previous data, a failure keeps it (served with its
    /// age) and counts an error.
    pub fn record(&mut self, context: &str, sample: Sample, took: Duration) {
        let key = (context.to_string(), sample.source.name());
        let st = self.sources.entry(key).or_insert_with(|| SourceState {
            context: context.to_string(),
            source: sample.source.clone(),
            interval: Duration::from_secs(1),
            latest: None,
            up: false,
            last_error: None,
            collections: 0,
            errors: 0,
            duration_sum_seconds: 0.0,
            last_duration_seconds: None,
        });
        st.collections += 1;
        st.duration_sum_seconds += took.as_secs_f64();
        st.last_duration_seconds = Some(took.as_secs_f64());
        match sample.result {
            Ok(u) => {
                st.up = true;
                st.last_error = None;
                st.latest = Some((sample.at, u));
            }
            Err(e) => {
                // once per change: the log file says when a source broke and why
                if st.last_error.as_deref() != Some(e.as_str()) {
                    tracing::warn!(source = %sample.source.name(), "collection failed: {e}");
                }
                st.up = false;
                st.errors += 1;
                st.last_error = Some(e);
            }
        }
    }
}

/// Run `collectors` of `context` in one task each, every round recorded into `store`; after a
/// failure a task backs off like the console's collectors ([`services::backoff`]).
pub fn spawn(
    context: &str,
    collectors: Vec<BoxCollector>,
    store: &SharedStore,
) -> Vec<JoinHandle<()>> {
    {
        let mut s = store.lock().unwrap_or_else(|e| e.into_inner());
        for c in &collectors {
            s.register(context, c.kind(), c.interval());
        }
    }
    collectors
        .into_iter()
        .map(|mut c| {
            let store = store.clone();
            let context = context.to_string();
            tokio::spawn(async move {
                let mut failures: u32 = 0;
                loop {
                    let started = Instant::now();
                    let sample = services::collect_once(c.as_mut()).await;
                    let took = started.elapsed();
                    let ok = sample.result.is_ok();
                    store
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .record(&context, sample, took);
                    let wait = if ok {
                        failures = 0;
                        c.interval()
                    } else {
                        failures = failures.saturating_add(1);
                        services::backoff(c.interval(), failures)
                    };
                    tokio::time::sleep(wait).await;
                }
            })
        })
        .collect()
}
