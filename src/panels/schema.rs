//! What a validated panel is: its kind, chart, headline figures, thresholds (warn/crit with a
//! direction, judged by [`Threshold::evaluate`]), state mappings and, for `kind = "cloudwatch"`,
//! its metrics. Which figure, threshold and state names each kind understands is in the
//! service registry, `model::service`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

// The kinds and what each may name live in the service registry (`model::service`).
use crate::model::Status;
pub use crate::model::service::{Direction, PanelKind, SERVICES, ServiceDesc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    #[default]
    Sparkline,
    Line,
    Bar,
    Gauge,
    None,
}

/// warn/crit levels for one figure, and its hysteresis: how many consecutive readings past a
/// level raise a finding (`raise_after`), how far back inside the level a reading must be to
/// count as recovered (`clear_margin`, in the figure's own unit) and for how many consecutive
/// readings (`clear_after`). Judged per reading in `state::hysteresis`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub warn: Option<f64>,
    pub crit: Option<f64>,
    pub direction: Option<Direction>,
    /// Consecutive readings past a level before the finding is raised (default 1: at once).
    pub raise_after: Option<u32>,
    /// Consecutive readings back past the clear level before it clears (default 1).
    pub clear_after: Option<u32>,
    /// How far inside a level the clear level is, in the figure's unit (default 0): with
    /// `warn = 0.9` below and `clear_margin = 0.02`, a warning clears at >= 0.92.
    pub clear_margin: Option<f64>,
}

/// Hysteresis defaults: raise at the first reading past a level, clear at the first reading
/// back inside it (the behaviour of a plain threshold).
pub const DEFAULT_RAISE_AFTER: u32 = 1;
pub const DEFAULT_CLEAR_AFTER: u32 = 1;

impl Threshold {
    pub fn new(warn: Option<f64>, crit: Option<f64>, direction: Direction) -> Self {
        Threshold {
            warn,
            crit,
            direction: Some(direction),
            ..Default::default()
        }
    }

    /// Readings past a level before a finding is raised.
    pub fn raise_after(&self) -> u32 {
        self.raise_after.unwrap_or(DEFAULT_RAISE_AFTER)
    }

    /// Readings back inside the clear level before a finding clears.
    pub fn clear_after(&self) -> u32 {
        self.clear_after.unwrap_or(DEFAULT_CLEAR_AFTER)
    }

    /// Distance between a level and its clear level, in the figure's unit.
    pub fn clear_margin(&self) -> f64 {
        self.clear_margin.unwrap_or(0.0)
    }

    /// The status a value would have if every level sat `clear_margin` further toward the
    /// good side: the worst status the value has not yet recovered from. `None` is NoData.
    pub fn evaluate_for_clearing(&self, value: Option<f64>) -> Status {
        let m = self.clear_margin();
        let shift = |l: Option<f64>| {
            l.map(|l| match self.direction() {
                Direction::Above => l - m,
                Direction::Below => l + m,
            })
        };
        Threshold {
            warn: shift(self.warn),
            crit: shift(self.crit),
            ..*self
        }
        .evaluate(value)
    }

    /// The level a figure must be back past to clear `status` ("< 0.92" as a number).
    pub fn clear_level(&self, status: Status) -> Option<f64> {
        let m = self.clear_margin();
        self.breached_level(status).map(|l| match self.direction() {
            Direction::Above => l - m,
            Direction::Below => l + m,
        })
    }

    pub fn direction(&self) -> Direction {
        self.direction.unwrap_or_default()
    }

    /// Status of a value; `None` (no datapoint) is `NoData`, never OK.
    pub fn evaluate(&self, value: Option<f64>) -> Status {
        let Some(v) = value else {
            return Status::NoData;
        };
        let breached = |t: Option<f64>| {
            t.is_some_and(|t| match self.direction() {
                Direction::Above => v > t,
                Direction::Below => v < t,
            })
        };
        if breached(self.crit) {
            Status::Crit
        } else if breached(self.warn) {
            Status::Warn
        } else {
            Status::Ok
        }
    }

    /// The threshold a value breached, for messages ("> 1 s").
    pub fn breached_level(&self, status: Status) -> Option<f64> {
        match status {
            Status::Crit => self.crit,
            Status::Warn => self.warn,
            _ => None,
        }
    }

    pub fn comparator(&self) -> &'static str {
        match self.direction() {
            Direction::Above => ">",
            Direction::Below => "<",
        }
    }

    /// Levels present, finite and ordered for the direction; the message names what is wrong.
    pub(super) fn validate(&self) -> Result<(), String> {
        if self.warn.is_none() && self.crit.is_none() {
            return Err("needs warn, crit or both".into());
        }
        for (name, v) in [
            ("raise_after", self.raise_after),
            ("clear_after", self.clear_after),
        ] {
            if v == Some(0) {
                return Err(format!(
                    "{name} = 0; it counts readings, at least 1 (1 = at once)"
                ));
            }
        }
        if let Some(m) = self.clear_margin
            && !(m.is_finite() && m >= 0.0)
        {
            return Err(format!(
                "clear_margin = {m}; must be a number >= 0 in the figure's unit"
            ));
        }
        for (name, v) in [("warn", self.warn), ("crit", self.crit)] {
            if let Some(v) = v
                && !v.is_finite()
            {
                return Err(format!("{name} = {v} is not a finite number"));
            }
        }
        if let (Some(w), Some(c)) = (self.warn, self.crit) {
            let ordered = match self.direction() {
                Direction::Above => w <= c,
                Direction::Below => w >= c,
            };
            if !ordered {
                return Err(match self.direction() {
                    Direction::Above => format!(
                        "warn ({w}) must not exceed crit ({c}) when bad is above (direction = \"above\")"
                    ),
                    Direction::Below => format!(
                        "warn ({w}) must not be below crit ({c}) when bad is below (direction = \"below\")"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// One metric of a generic CloudWatch panel.
#[derive(Debug, Clone, PartialEq)]
pub struct CwMetric {
    /// GetMetricData query id (`m1`), referenced by expressions.
    pub id: String,
    pub label: String,
    /// None for a metric-math expression.
    pub metric: Option<String>,
    /// Namespace override (defaults to the panel's).
    pub namespace: Option<String>,
    pub stat: String,
    /// Display unit: "%", "ms", "s", "bytes", "count", "count/s", or free text.
    pub unit: String,
    pub dimensions: BTreeMap<String, String>,
    /// List every value of this dimension with ListMetrics and show one figure per value.
    pub dimension_all: Option<String>,
    pub period: Duration,
    pub threshold: Option<Threshold>,
    pub expression: Option<String>,
    /// false for metrics that only feed an expression.
    pub show: bool,
}

impl CwMetric {
    pub fn evaluate(&self, value: Option<f64>) -> Status {
        match (&self.threshold, value) {
            (_, None) => Status::NoData,
            (Some(t), v) => t.evaluate(v),
            (None, Some(_)) => Status::Ok,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CwPanel {
    pub namespace: String,
    /// Region override: CloudFront publishes its metrics in us-east-1 only.
    pub region: Option<String>,
    pub period: Duration,
    pub metrics: Vec<CwMetric>,
}

/// A validated panel definition.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelDef {
    pub id: String,
    pub title: String,
    pub kind: PanelKind,
    pub order: i32,
    pub chart: ChartKind,
    /// Headline figures on the overview line, in order (names per kind, see `ServiceDesc::figures`).
    pub figures: Vec<String>,
    pub thresholds: BTreeMap<String, Threshold>,
    /// Value -> status mappings (e.g. opensearch health yellow = "warn").
    pub states: BTreeMap<String, BTreeMap<String, Status>>,
    pub cloudwatch: Option<CwPanel>,
    /// Where it came from, for messages ("embedded:aurora.toml" or a path).
    pub origin: String,
}

impl PanelDef {
    /// The configured threshold, or the built-in default when the file leaves it out.
    pub fn threshold(&self, name: &str) -> Option<Threshold> {
        self.thresholds.get(name).copied()
    }

    /// Map a state value through `states.<name>`; unknown values map to `default`.
    pub fn state_status(&self, name: &str, value: &str, default: Status) -> Status {
        self.states
            .get(name)
            .and_then(|m| m.get(&value.to_ascii_lowercase()))
            .copied()
            .unwrap_or(default)
    }
}
