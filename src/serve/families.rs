//! Metric families built fresh at each scrape and written with `prometheus-client`'s OpenMetrics
//! encoder. Each family is declared once as a [`Desc`] (name without unit, unit, type, help), so
//! the exported names are listed in one place per service and cannot drift between samples.

use std::collections::BTreeMap;

use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;

/// One exported metric family. `name` excludes the unit and the `_total` suffix: the encoder
/// appends `_<unit>` (OpenMetrics requires the unit as the name's suffix) and `_total` for
/// counters.
#[derive(Debug, Clone, Copy)]
pub struct Desc {
    pub name: &'static str,
    /// Base unit ("seconds", "bytes", "ratio", ...) or None for a plain count.
    pub unit: Option<&'static str>,
    pub counter: bool,
    pub help: &'static str,
}

impl Desc {
    pub const fn gauge(name: &'static str, unit: Option<&'static str>, help: &'static str) -> Self {
        Desc {
            name,
            unit,
            counter: false,
            help,
        }
    }
    pub const fn counter(
        name: &'static str,
        unit: Option<&'static str>,
        help: &'static str,
    ) -> Self {
        Desc {
            name,
            unit,
            counter: true,
            help,
        }
    }
    /// The series name as Prometheus stores it (unit and `_total` included).
    pub fn full_name(&self) -> String {
        let mut n = self.name.to_string();
        if let Some(u) = self.unit {
            n.push('_');
            n.push_str(u);
        }
        if self.counter {
            n.push_str("_total");
        }
        n
    }
}

/// Label pairs of one sample, in the order written.
pub type Labels = Vec<(&'static str, String)>;

/// The families of one scrape, in name order (keyed by full name: one base name may carry
/// several units, e.g. `opsdeck_cloudwatch_figure_seconds` and `_bytes`).
#[derive(Debug, Default)]
pub struct Families {
    map: BTreeMap<String, (Desc, Vec<(Labels, f64)>)>,
}

impl Families {
    /// Add one sample. Non-finite values (no data) are left out: an absent series is how
    /// Prometheus says "unknown".
    pub fn add(&mut self, desc: &Desc, labels: Labels, value: f64) {
        if !value.is_finite() {
            return;
        }
        self.map
            .entry(desc.full_name())
            .or_insert_with(|| (*desc, Vec::new()))
            .1
            .push((labels, value));
    }

    /// Add a sample when there is a value.
    pub fn add_opt(&mut self, desc: &Desc, labels: Labels, value: Option<f64>) {
        if let Some(v) = value {
            self.add(desc, labels, v);
        }
    }

    pub fn len(&self) -> usize {
        self.map.values().map(|(_, s)| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Write every family through `prometheus-client`'s encoder.
    pub fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for (desc, samples) in self.map.values() {
            let unit = desc.unit.map(|u| match u {
                "seconds" => Unit::Seconds,
                "bytes" => Unit::Bytes,
                other => Unit::Other(other.to_string()),
            });
            let kind = if desc.counter {
                MetricType::Counter
            } else {
                MetricType::Gauge
            };
            let mut family =
                encoder.encode_descriptor(desc.name, desc.help, unit.as_ref(), kind)?;
            for (labels, v) in samples {
                let mut m = family.encode_family(labels)?;
                if desc.counter {
                    m.encode_counter::<NoLabelSet, _, f64>(v, None)?;
                } else {
                    m.encode_gauge(v)?;
                }
            }
        }
        Ok(())
    }
}
