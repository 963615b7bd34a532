//! The scrape: the store's latest samples and opsdeck's own collection figures, encoded as
//! OpenMetrics text by `prometheus-client` (a custom collector, because the values are already
//! folded by the collectors; a scrape only reads them).

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::registry::Registry;

use super::families::{Desc, Families, Labels};
use super::figures;
use super::store::{SharedStore, SourceState, Store};
use crate::services::SourceKind;

pub const SOURCE_UP: Desc = Desc::gauge(
    "opsdeck_source_up",
    None,
    "1 when the source's last collection round succeeded, 0 when it failed, timed out or has not answered yet.",
);
pub const SOURCE_ERRORS: Desc = Desc::counter(
    "opsdeck_source_errors",
    None,
    "Collection rounds of the source that failed or timed out since opsdeck started.",
);
pub const SOURCE_COLLECTIONS: Desc = Desc::counter(
    "opsdeck_source_collections",
    None,
    "Collection rounds of the source since opsdeck started.",
);
pub const SOURCE_DURATION: Desc = Desc::counter(
    "opsdeck_source_collection_duration",
    Some("seconds"),
    "Time spent in collection rounds of the source since start (divide by opsdeck_source_collections_total for the mean).",
);
pub const SOURCE_LAST_DURATION: Desc = Desc::gauge(
    "opsdeck_source_last_collection_duration",
    Some("seconds"),
    "Duration of the source's last collection round.",
);
pub const SOURCE_AGE: Desc = Desc::gauge(
    "opsdeck_source_sample_age",
    Some("seconds"),
    "Age of the source's data served by this scrape (time since its last successful round).",
);
pub const SOURCE_LAST_SUCCESS: Desc = Desc::gauge(
    "opsdeck_source_last_success_time",
    Some("seconds"),
    "When the source last answered, Unix time.",
);
pub const SOURCE_INTERVAL: Desc = Desc::gauge(
    "opsdeck_source_collection_interval",
    Some("seconds"),
    "The source's collection interval.",
);
pub const CW_CALLS: Desc = Desc::counter(
    "opsdeck_cloudwatch_get_metric_data_calls",
    None,
    "GetMetricData calls made by this process since start.",
);
pub const CW_METRICS: Desc = Desc::counter(
    "opsdeck_cloudwatch_metrics_requested",
    None,
    "Metrics requested through GetMetricData since start (what CloudWatch bills, per 1,000).",
);

/// `service` and `instance` of a source: a generic CloudWatch panel is service `cloudwatch`,
/// instance = panel id.
fn source_labels(st: &SourceState) -> Labels {
    let (service, instance) = match &st.source {
        SourceKind::CloudWatch(id) => ("cloudwatch".to_string(), Some(id.clone())),
        other => (other.name(), None),
    };
    let mut l: Labels = vec![("context", st.context.clone()), ("service", service)];
    if let Some(i) = instance {
        l.push(("instance", i));
    }
    l
}

/// Every family of one scrape, as of `now`.
pub fn families(store: &Store, now: DateTime<Utc>) -> Families {
    let mut f = Families::default();
    for st in store.sources.values() {
        let l = source_labels(st);
        f.add(&SOURCE_UP, l.clone(), if st.up { 1.0 } else { 0.0 });
        f.add(&SOURCE_ERRORS, l.clone(), st.errors as f64);
        f.add(&SOURCE_COLLECTIONS, l.clone(), st.collections as f64);
        f.add(&SOURCE_DURATION, l.clone(), st.duration_sum_seconds);
        f.add_opt(&SOURCE_LAST_DURATION, l.clone(), st.last_duration_seconds);
        f.add(&SOURCE_INTERVAL, l.clone(), st.interval.as_secs_f64());
        if let Some((at, update)) = &st.latest {
            let age = (now - *at).num_milliseconds().max(0) as f64 / 1000.0;
            f.add(&SOURCE_AGE, l.clone(), age);
            f.add(
                &SOURCE_LAST_SUCCESS,
                l,
                at.timestamp_millis() as f64 / 1000.0,
            );
            figures::add(&mut f, &st.context, update);
        }
    }
    let (calls, metrics) = crate::services::cloudwatch::usage();
    f.add(&CW_CALLS, Vec::new(), calls as f64);
    f.add(&CW_METRICS, Vec::new(), metrics as f64);
    f
}

/// The `prometheus-client` collector reading the store at each scrape.
#[derive(Debug)]
struct StoreCollector(SharedStore);

impl Collector for StoreCollector {
    fn encode(&self, encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let store: &Mutex<Store> = &self.0;
        let fams = {
            let s = store.lock().unwrap_or_else(|e| e.into_inner());
            families(&s, Utc::now())
        };
        fams.encode(encoder)
    }
}

/// A registry whose only collector is the store.
pub fn registry(store: SharedStore) -> Registry {
    let mut r = Registry::default();
    r.register_collector(Box::new(StoreCollector(store)));
    r
}

/// The OpenMetrics text of one scrape (ends with `# EOF`).
pub fn render(registry: &Registry) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, registry)?;
    Ok(out)
}
