//! Panels are data: panels/*.toml say what each panel shows (headline figures, warn/crit
//! thresholds, state mappings, chart kind). The files in `panels/` are embedded as defaults; a
//! config's `panels_dir` overrides them (same file stem / id) or adds new ones without a rebuild.
//!
//! Two families share one format: the five headline services (`kind = "aurora"` ...), whose
//! collectors are Rust, and `kind = "cloudwatch"`, a list of CloudWatch metrics (with metric math)
//! that a generic collector reads and a generic page renders.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::config::{Config, line_col, opt_duration};
use crate::model::Status;

/// The panel files shipped in the binary, as (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    ("aurora.toml", include_str!("../panels/aurora.toml")),
    ("redis.toml", include_str!("../panels/redis.toml")),
    ("s3.toml", include_str!("../panels/s3.toml")),
    ("opensearch.toml", include_str!("../panels/opensearch.toml")),
    ("redshift.toml", include_str!("../panels/redshift.toml")),
    ("cloudfront.toml", include_str!("../panels/cloudfront.toml")),
    ("dynamodb.toml", include_str!("../panels/dynamodb.toml")),
    ("dms.toml", include_str!("../panels/dms.toml")),
    (
        "rds-instances.toml",
        include_str!("../panels/rds-instances.toml"),
    ),
    (
        "elasticache.toml",
        include_str!("../panels/elasticache.toml"),
    ),
    ("logs.toml", include_str!("../panels/logs.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelKind {
    Aurora,
    Redis,
    S3,
    #[serde(rename = "opensearch")]
    OpenSearch,
    Redshift,
    #[serde(rename = "cloudwatch")]
    CloudWatch,
    Logs,
}

impl PanelKind {
    pub fn name(self) -> &'static str {
        match self {
            PanelKind::Aurora => "aurora",
            PanelKind::Redis => "redis",
            PanelKind::S3 => "s3",
            PanelKind::OpenSearch => "opensearch",
            PanelKind::Redshift => "redshift",
            PanelKind::CloudWatch => "cloudwatch",
            PanelKind::Logs => "logs",
        }
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Bad when the value rises above the threshold (lag, memory, latency).
    #[default]
    Above,
    /// Bad when the value falls below it (hit ratio, free memory).
    Below,
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

    fn validate(&self) -> Result<(), String> {
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
    /// Headline figures on the overview line, in order (names per kind, see `KNOWN_FIGURES`).
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

/// Threshold names each built-in kind understands, with their fixed direction.
pub const KNOWN_THRESHOLDS: &[(PanelKind, &str, Direction)] = &[
    (PanelKind::Aurora, "replica_lag_seconds", Direction::Above),
    (PanelKind::Aurora, "writer_cpu_percent", Direction::Above),
    (PanelKind::Aurora, "connections_percent", Direction::Above),
    (
        PanelKind::Aurora,
        "oldest_transaction_seconds",
        Direction::Above,
    ),
    (PanelKind::Redis, "hit_ratio", Direction::Below),
    (PanelKind::Redis, "memory_percent", Direction::Above),
    (PanelKind::Redis, "evictions_per_sec", Direction::Above),
    (PanelKind::S3, "monthly_cost_usd", Direction::Above),
    (PanelKind::OpenSearch, "search_latency_ms", Direction::Above),
    (
        PanelKind::OpenSearch,
        "indexing_latency_ms",
        Direction::Above,
    ),
    (PanelKind::Redshift, "duration_seconds", Direction::Above),
];

/// State mappings each built-in kind understands.
pub const KNOWN_STATES: &[(PanelKind, &str)] = &[
    (PanelKind::Aurora, "replica"),
    (PanelKind::S3, "lifecycle"),
    (PanelKind::OpenSearch, "health"),
    (PanelKind::Redshift, "run"),
    (PanelKind::Redshift, "glue"),
];

/// Headline figure names per kind.
pub const KNOWN_FIGURES: &[(PanelKind, &[&str])] = &[
    (
        PanelKind::Aurora,
        &[
            "worst_lag",
            "writer",
            "replicas",
            "writer_cpu",
            "connections",
            "transactions",
        ],
    ),
    (
        PanelKind::Redis,
        &[
            "hit_ratio",
            "ops",
            "evictions",
            "memory",
            "clients",
            "nodes",
        ],
    ),
    (
        PanelKind::S3,
        &["total", "objects", "tiers", "cost", "rules"],
    ),
    (
        PanelKind::OpenSearch,
        &[
            "health",
            "alias",
            "docs",
            "indexing_rate",
            "search_latency",
            "tasks",
        ],
    ),
    (
        PanelKind::Redshift,
        &["last_run", "failed", "p50_duration", "glue"],
    ),
];

/// A bad panel file: which file, which line, which key, what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelError {
    pub file: String,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for PanelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "key `{k}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for PanelError {}

// ---------------------------------------------------------------- raw file format

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPanel {
    id: Option<String>,
    title: String,
    kind: PanelKind,
    order: Option<i32>,
    #[serde(default)]
    chart: ChartKind,
    #[serde(default)]
    figures: Vec<Spanned<String>>,
    #[serde(default)]
    thresholds: BTreeMap<String, Spanned<Threshold>>,
    #[serde(default)]
    states: BTreeMap<String, Spanned<BTreeMap<String, Status>>>,
    namespace: Option<String>,
    region: Option<String>,
    #[serde(default, with = "opt_duration")]
    period: Option<Duration>,
    #[serde(default)]
    metrics: Vec<Spanned<RawMetric>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    id: Option<String>,
    label: Option<String>,
    metric: Option<String>,
    namespace: Option<String>,
    stat: Option<String>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    dimensions: BTreeMap<String, String>,
    dimension_all: Option<String>,
    #[serde(default, with = "opt_duration")]
    period: Option<Duration>,
    warn: Option<f64>,
    crit: Option<f64>,
    direction: Option<Direction>,
    raise_after: Option<u32>,
    clear_after: Option<u32>,
    clear_margin: Option<f64>,
    expression: Option<String>,
    #[serde(default = "yes")]
    show: bool,
}

fn yes() -> bool {
    true
}

/// Parse and validate one panel file. `file` names it in errors; `stem` is the default id.
pub fn parse(text: &str, file: &str, stem: &str) -> Result<PanelDef, PanelError> {
    let raw: RawPanel = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_col(text, s.start).0);
        PanelError {
            file: file.to_string(),
            line,
            key: key_of_toml_error(text, &e),
            message: e.message().trim_end().to_string(),
        }
    })?;
    let err = |span: Option<std::ops::Range<usize>>, key: &str, message: String| PanelError {
        file: file.to_string(),
        line: span.map(|s| line_col(text, s.start).0),
        key: Some(key.to_string()),
        message,
    };
    let id = raw.id.clone().unwrap_or_else(|| stem.to_string());
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(err(
            find_key_span(text, "id"),
            "id",
            format!("panel id {id:?} must be non-empty letters, digits, '-' or '_'"),
        ));
    }

    let builtin = raw.kind != PanelKind::CloudWatch;
    if builtin {
        for (key, present) in [
            ("namespace", raw.namespace.is_some()),
            ("region", raw.region.is_some()),
            ("period", raw.period.is_some()),
            ("metrics", !raw.metrics.is_empty()),
        ] {
            if present {
                return Err(err(
                    find_key_span(text, key),
                    key,
                    format!(
                        "only kind = \"cloudwatch\" panels take `{key}` (this panel is kind = \"{}\")",
                        raw.kind.name()
                    ),
                ));
            }
        }
    }

    let known_figs: &[&str] = KNOWN_FIGURES
        .iter()
        .find(|(k, _)| *k == raw.kind)
        .map(|(_, f)| *f)
        .unwrap_or(&[]);
    let mut figures = Vec::new();
    for f in &raw.figures {
        if !known_figs.contains(&f.get_ref().as_str()) {
            return Err(err(
                Some(f.span()),
                "figures",
                if known_figs.is_empty() {
                    "kind = \"cloudwatch\" panels show their metrics; `figures` is not used".into()
                } else {
                    format!(
                        "unknown figure {:?} for kind {}; known: {}",
                        f.get_ref(),
                        raw.kind.name(),
                        known_figs.join(", ")
                    )
                },
            ));
        }
        figures.push(f.get_ref().clone());
    }

    let mut thresholds = BTreeMap::new();
    for (name, t) in &raw.thresholds {
        let key = format!("thresholds.{name}");
        let Some((_, _, dir)) = KNOWN_THRESHOLDS
            .iter()
            .find(|(k, n, _)| *k == raw.kind && n == name)
        else {
            let known: Vec<_> = KNOWN_THRESHOLDS
                .iter()
                .filter(|(k, _, _)| *k == raw.kind)
                .map(|(_, n, _)| *n)
                .collect();
            return Err(err(
                Some(t.span()),
                &key,
                format!(
                    "unknown threshold for kind {}; known: {}",
                    raw.kind.name(),
                    if known.is_empty() {
                        "none (put warn/crit on each metric)".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        };
        let mut th = *t.get_ref();
        if let Some(d) = th.direction
            && d != *dir
        {
            return Err(err(
                Some(t.span()),
                &key,
                format!("direction of {name} is fixed to {dir:?}"),
            ));
        }
        th.direction = Some(*dir);
        th.validate().map_err(|m| err(Some(t.span()), &key, m))?;
        thresholds.insert(name.clone(), th);
    }

    let mut states = BTreeMap::new();
    for (name, m) in &raw.states {
        if !KNOWN_STATES
            .iter()
            .any(|(k, n)| *k == raw.kind && n == name)
        {
            return Err(err(
                Some(m.span()),
                &format!("states.{name}"),
                format!("unknown state mapping for kind {}", raw.kind.name()),
            ));
        }
        let lower = m
            .get_ref()
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), *v))
            .collect();
        states.insert(name.clone(), lower);
    }

    let cloudwatch = if builtin {
        None
    } else {
        Some(cw_panel(&raw, text, file)?)
    };

    Ok(PanelDef {
        id,
        title: raw.title,
        kind: raw.kind,
        order: raw.order.unwrap_or(100),
        chart: raw.chart,
        figures,
        thresholds,
        states,
        cloudwatch,
        origin: file.to_string(),
    })
}

const STATS: &[&str] = &["Average", "Sum", "Minimum", "Maximum", "SampleCount", "IQM"];

/// CloudWatch's extended statistics: p99, p99.9, tm90, wm99, tc90, ts90, PR(10:50)...
fn valid_stat(s: &str) -> bool {
    if STATS.contains(&s) {
        return true;
    }
    let num = |r: &str| !r.is_empty() && r.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v));
    if let Some(r) = s.strip_prefix('p') {
        return num(r);
    }
    for p in ["tm", "wm", "tc", "ts"] {
        if let Some(r) = s.strip_prefix(p) {
            return num(r) || (r.starts_with('(') && r.ends_with(')'));
        }
    }
    s.starts_with("PR(") && s.ends_with(')')
}

/// GetMetricData ids: lowercase first letter, then letters, digits, underscore.
fn valid_query_id(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase())
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Identifiers an expression uses that look like query ids (m1, e2, reads).
fn expression_ids(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_str = false;
    for ch in expr.chars().chain(std::iter::once(' ')) {
        if ch == '"' {
            in_str = !in_str;
            cur.clear();
            continue;
        }
        if in_str {
            continue;
        }
        if ch.is_ascii_alphanumeric() || ch == '_' {
            cur.push(ch);
        } else {
            // Upper-case words are functions (SUM, METRICS, IF); '(' after a word too.
            if !cur.is_empty() && valid_query_id(&cur) && ch != '(' {
                out.push(cur.clone());
            }
            cur.clear();
        }
    }
    out
}

fn cw_panel(raw: &RawPanel, text: &str, file: &str) -> Result<CwPanel, PanelError> {
    // A [[metrics]] span covers the whole entry: point at the line of the key itself.
    let err = |span: Option<std::ops::Range<usize>>, key: String, message: String| PanelError {
        file: file.to_string(),
        line: span.map(|s| {
            let leaf = key.rsplit('.').next().unwrap_or(&key);
            let start = key_offset_within(text, s.clone(), leaf).unwrap_or(s.start);
            line_col(text, start).0
        }),
        key: Some(key),
        message,
    };
    let Some(namespace) = raw.namespace.clone() else {
        return Err(err(
            find_key_span(text, "kind"),
            "namespace".into(),
            "kind = \"cloudwatch\" needs a namespace (e.g. \"AWS/DynamoDB\")".into(),
        ));
    };
    if raw.metrics.is_empty() {
        return Err(err(
            find_key_span(text, "kind"),
            "metrics".into(),
            "kind = \"cloudwatch\" needs at least one [[metrics]] entry".into(),
        ));
    }
    if !raw.figures.is_empty() || !raw.thresholds.is_empty() {
        let key = if raw.figures.is_empty() {
            "thresholds"
        } else {
            "figures"
        };
        return Err(err(
            find_key_span(text, key),
            key.into(),
            "cloudwatch panels put warn/crit on each metric; panel-level figures/thresholds are not used".into(),
        ));
    }
    let period = raw.period.unwrap_or(Duration::from_secs(300));
    check_period(period).map_err(|m| err(find_key_span(text, "period"), "period".into(), m))?;
    let mut metrics: Vec<CwMetric> = Vec::new();
    for (i, m) in raw.metrics.iter().enumerate() {
        let span = Some(m.span());
        let r = m.get_ref();
        let key = |k: &str| format!("metrics[{i}].{k}");
        let id = r.id.clone().unwrap_or_else(|| format!("m{}", i + 1));
        if !valid_query_id(&id) {
            return Err(err(
                span,
                key("id"),
                format!(
                    "{id:?} is not a valid query id (start with a lowercase letter; letters, digits, _)"
                ),
            ));
        }
        if metrics.iter().any(|o| o.id == id) {
            return Err(err(span, key("id"), format!("id {id:?} is used twice")));
        }
        match (&r.metric, &r.expression) {
            (None, None) => {
                return Err(err(
                    span,
                    key("metric"),
                    "each metric needs `metric` (a CloudWatch metric name) or `expression`".into(),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(err(
                    span,
                    key("expression"),
                    "`metric` and `expression` are exclusive".into(),
                ));
            }
            _ => {}
        }
        let stat = r.stat.clone().unwrap_or_else(|| "Average".into());
        if r.expression.is_none() && !valid_stat(&stat) {
            return Err(err(
                span,
                key("stat"),
                format!(
                    "unknown statistic {stat:?}; use {} or a percentile like p99",
                    STATS.join(", ")
                ),
            ));
        }
        if r.expression.is_some() && (r.stat.is_some() || !r.dimensions.is_empty()) {
            return Err(err(
                span,
                key("expression"),
                "an expression takes no stat or dimensions (its inputs have them)".into(),
            ));
        }
        if let Some(d) = &r.dimension_all
            && r.dimensions.contains_key(d)
        {
            return Err(err(
                span,
                key("dimension_all"),
                format!("{d:?} is also fixed in `dimensions`"),
            ));
        }
        let period = r.period.unwrap_or(period);
        check_period(period).map_err(|m| err(span.clone(), key("period"), m))?;
        let threshold = if r.warn.is_some() || r.crit.is_some() {
            let t = Threshold {
                warn: r.warn,
                crit: r.crit,
                direction: Some(r.direction.unwrap_or_default()),
                raise_after: r.raise_after,
                clear_after: r.clear_after,
                clear_margin: r.clear_margin,
            };
            t.validate().map_err(|m| {
                // Name the hysteresis key the message is about, else the levels.
                let k = ["raise_after", "clear_after", "clear_margin"]
                    .into_iter()
                    .find(|k| m.starts_with(k))
                    .unwrap_or("warn");
                err(span.clone(), key(k), m)
            })?;
            Some(t)
        } else {
            None
        };
        let label = r
            .label
            .clone()
            .or_else(|| r.metric.clone())
            .unwrap_or_else(|| id.clone());
        metrics.push(CwMetric {
            id,
            label,
            metric: r.metric.clone(),
            namespace: r.namespace.clone(),
            stat,
            unit: r.unit.clone(),
            dimensions: r.dimensions.clone(),
            dimension_all: r.dimension_all.clone(),
            period,
            threshold,
            expression: r.expression.clone(),
            show: r.show,
        });
    }
    // Expressions may only refer to ids defined in the panel.
    for (i, m) in raw.metrics.iter().enumerate() {
        if let Some(expr) = &m.get_ref().expression {
            for used in expression_ids(expr) {
                if !metrics.iter().any(|o| o.id == used) {
                    return Err(err(
                        Some(m.span()),
                        format!("metrics[{i}].expression"),
                        format!("{expr:?} uses {used:?}, which no metric in this panel has as id"),
                    ));
                }
            }
        }
    }
    Ok(CwPanel {
        namespace,
        region: raw.region.clone(),
        period,
        metrics,
    })
}

/// CloudWatch periods: 1, 5, 10, 30 s (high resolution) or a multiple of 60 s.
fn check_period(p: Duration) -> Result<(), String> {
    let s = p.as_secs();
    if p.subsec_nanos() == 0 && ([1, 5, 10, 30].contains(&s) || (s > 0 && s.is_multiple_of(60))) {
        Ok(())
    } else {
        Err(format!(
            "period {} is not one CloudWatch accepts (1s, 5s, 10s, 30s or a multiple of 60s)",
            humantime::format_duration(p)
        ))
    }
}

/// Best effort: the key named in toml's "unknown field `x`" / "missing field `x`" messages.
fn key_of_toml_error(text: &str, e: &toml::de::Error) -> Option<String> {
    let msg = e.message();
    for marker in ["unknown field `", "missing field `", "duplicate key `"] {
        if let Some(rest) = msg.split(marker).nth(1)
            && let Some(k) = rest.split('`').next()
        {
            return Some(k.to_string());
        }
    }
    let span = e.span()?;
    // Otherwise the key at the start of the offending line (`warn = "x"` -> warn).
    let (line, _) = line_col(text, span.start);
    let l = text.lines().nth(line - 1)?.trim();
    let (k, _) = l.split_once('=')?;
    Some(k.trim().trim_matches('"').to_string())
}

/// Offset of the `key =` line inside `span`, if the key is written there.
fn key_offset_within(text: &str, span: std::ops::Range<usize>, key: &str) -> Option<usize> {
    // toml's span of an array-of-tables entry may cover only its `[[header]]`: scan on to the
    // next header.
    let mut off = span.start;
    for (i, line) in text.get(span.start..)?.split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        if i > 0 && t.starts_with('[') {
            break;
        }
        if let Some(rest) = t.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(off + (line.len() - t.len()));
        }
        off += line.len();
    }
    None
}

/// Span of a top-level `key =` line, to point at it in validation errors.
fn find_key_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let start = off + (line.len() - t.len());
            return Some(start..start + key.len());
        }
        if t.starts_with('[') {
            break;
        }
        off += line.len();
    }
    None
}

/// Every panel: the embedded defaults, overridden or extended by `panels_dir`.
#[derive(Debug, Clone, Default)]
pub struct Panels {
    pub defs: Vec<PanelDef>,
}

impl Panels {
    /// Embedded defaults only (tests, benches, demo without config).
    pub fn embedded() -> Self {
        let mut defs = Vec::new();
        for (name, text) in EMBEDDED {
            let stem = name.trim_end_matches(".toml");
            defs.push(
                parse(text, &format!("embedded:panels/{name}"), stem)
                    .expect("embedded panel files are valid (tested)"),
            );
        }
        let mut p = Panels { defs };
        p.sort();
        p
    }

    /// Embedded defaults plus the files of `config.panels_dir` (a file with the same id
    /// replaces the default).
    pub fn load(config: &Config) -> Result<Self, PanelError> {
        let mut p = Self::embedded();
        if let Some(dir) = &config.panels_dir {
            let dir = crate::config::expand_home(&dir.to_string_lossy());
            p.overlay_dir(&dir)?;
        }
        Ok(p)
    }

    pub fn overlay_dir(&mut self, dir: &Path) -> Result<(), PanelError> {
        let entries = std::fs::read_dir(dir).map_err(|e| PanelError {
            file: dir.display().to_string(),
            line: None,
            key: Some("panels_dir".into()),
            message: format!("cannot read directory: {e}"),
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| PanelError {
                file: path.display().to_string(),
                line: None,
                key: None,
                message: format!("cannot read: {e}"),
            })?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let def = parse(&text, &path.display().to_string(), &stem)?;
            self.defs.retain(|d| d.id != def.id);
            self.defs.push(def);
        }
        self.sort();
        Ok(())
    }

    fn sort(&mut self) {
        self.defs
            .sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
    }

    pub fn get(&self, id: &str) -> Option<&PanelDef> {
        self.defs.iter().find(|d| d.id == id)
    }

    /// The panel of a built-in kind (the first, if a user defined several).
    pub fn of_kind(&self, kind: PanelKind) -> Option<&PanelDef> {
        self.defs.iter().find(|d| d.kind == kind)
    }

    pub fn cloudwatch(&self) -> impl Iterator<Item = &PanelDef> {
        self.defs.iter().filter(|d| d.kind == PanelKind::CloudWatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_panel_file_parses() {
        for (name, text) in EMBEDDED {
            let stem = name.trim_end_matches(".toml");
            let def = parse(text, name, stem).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(def.id, stem);
        }
        let p = Panels::embedded();
        assert_eq!(p.cloudwatch().count(), 5);
        assert!(p.of_kind(PanelKind::Aurora).is_some());
    }

    #[test]
    fn embedded_thresholds_match_the_runbook() {
        let p = Panels::embedded();
        let a = p.of_kind(PanelKind::Aurora).unwrap();
        let lag = a.threshold("replica_lag_seconds").unwrap();
        assert_eq!((lag.warn, lag.crit), (Some(1.0), Some(5.0)));
        let r = p.of_kind(PanelKind::Redis).unwrap();
        let hit = r.threshold("hit_ratio").unwrap();
        assert_eq!(hit.evaluate(Some(0.95)), Status::Ok);
        assert_eq!(hit.evaluate(Some(0.85)), Status::Warn);
        assert_eq!(hit.evaluate(Some(0.79)), Status::Crit);
        assert_eq!(hit.evaluate(None), Status::NoData);
        let os = p.of_kind(PanelKind::OpenSearch).unwrap();
        assert_eq!(
            os.state_status("health", "yellow", Status::Ok),
            Status::Warn
        );
        assert_eq!(os.state_status("health", "RED", Status::Ok), Status::Crit);
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let text = "title = \"X\"\nkind = \"redis\"\nthresholds = { hit_ratio = { warn = 0.9 \n";
        let e = parse(text, "panels/x.toml", "x").unwrap_err();
        assert_eq!(e.file, "panels/x.toml");
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = "title = \"X\"\nkind = \"redis\"\ncolour = \"red\"\n";
        let e = parse(text, "panels/x.toml", "x").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert_eq!(e.key.as_deref(), Some("colour"), "{e}");
        assert!(
            e.to_string().starts_with("panels/x.toml:3: key `colour`"),
            "{e}"
        );
    }

    #[test]
    fn inverted_threshold_names_line_and_key() {
        let text = "title = \"R\"\nkind = \"redis\"\n\n[thresholds]\nhit_ratio = { warn = 0.8, crit = 0.9 }\n";
        let e = parse(text, "r.toml", "r").unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert_eq!(e.key.as_deref(), Some("thresholds.hit_ratio"));
        assert!(e.message.contains("warn (0.8)"), "{e}");
    }

    #[test]
    fn non_numeric_threshold_is_an_error_on_its_line() {
        let text = "title = \"A\"\nkind = \"aurora\"\n[thresholds]\nreplica_lag_seconds = { warn = \"1s\" }\n";
        let e = parse(text, "a.toml", "a").unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
    }

    #[test]
    fn unknown_threshold_name_lists_known_ones() {
        let text = "title = \"A\"\nkind = \"aurora\"\n[thresholds]\nlag = { warn = 1 }\n";
        let e = parse(text, "a.toml", "a").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("thresholds.lag"));
        assert!(e.message.contains("replica_lag_seconds"), "{e}");
    }

    #[test]
    fn cloudwatch_panel_parses_metric_math_and_dimension_all() {
        let text = r#"
title = "Tables"
kind = "cloudwatch"
namespace = "AWS/DynamoDB"
period = "1m"
[[metrics]]
id = "used"
metric = "ConsumedReadCapacityUnits"
stat = "Sum"
dimension_all = "TableName"
show = false
[[metrics]]
id = "prov"
metric = "ProvisionedReadCapacityUnits"
dimension_all = "TableName"
show = false
[[metrics]]
label = "read use"
expression = "used/60/prov*100"
unit = "%"
warn = 80
crit = 95
"#;
        let d = parse(text, "t.toml", "tables").unwrap();
        let cw = d.cloudwatch.unwrap();
        assert_eq!(cw.metrics.len(), 3);
        assert_eq!(cw.metrics[2].id, "m3");
        assert_eq!(cw.metrics[2].evaluate(Some(90.0)), Status::Warn);
        assert_eq!(cw.metrics[0].period, Duration::from_secs(60));
    }

    #[test]
    fn expression_with_undefined_id_is_rejected() {
        let text = "title = \"T\"\nkind = \"cloudwatch\"\nnamespace = \"AWS/X\"\n[[metrics]]\nid = \"a\"\nmetric = \"M\"\n[[metrics]]\nexpression = \"a/b*100\"\n";
        let e = parse(text, "t.toml", "t").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("metrics[1].expression"));
        assert!(e.message.contains("\"b\""), "{e}");
        assert_eq!(e.line, Some(8), "{e}");
    }

    #[test]
    fn bad_statistic_and_period_are_rejected() {
        let t = "title = \"T\"\nkind = \"cloudwatch\"\nnamespace = \"N\"\n[[metrics]]\nmetric = \"M\"\nstat = \"Mean\"\n";
        assert_eq!(
            parse(t, "t", "t").unwrap_err().key.as_deref(),
            Some("metrics[0].stat")
        );
        let t = "title = \"T\"\nkind = \"cloudwatch\"\nnamespace = \"N\"\nperiod = \"7s\"\n[[metrics]]\nmetric = \"M\"\n";
        let e = parse(t, "t", "t").unwrap_err();
        assert_eq!((e.key.as_deref(), e.line), (Some("period"), Some(4)));
        for ok in ["p99", "p99.9", "tm90", "Sum", "PR(10:50)"] {
            assert!(valid_stat(ok), "{ok}");
        }
    }

    #[test]
    fn builtin_panel_rejects_cloudwatch_keys() {
        let t = "title = \"R\"\nkind = \"redis\"\nnamespace = \"AWS/ElastiCache\"\n";
        let e = parse(t, "r", "r").unwrap_err();
        assert_eq!((e.key.as_deref(), e.line), (Some("namespace"), Some(3)));
    }

    #[test]
    fn hysteresis_keys_are_read_and_bad_counts_are_named() {
        let t = "title = \"R\"\nkind = \"redis\"\n[thresholds]\n\
                 hit_ratio = { warn = 0.9, raise_after = 3, clear_after = 2, clear_margin = 0.02 }\n";
        let p = parse(t, "redis.toml", "redis").unwrap();
        let h = p.thresholds["hit_ratio"];
        assert_eq!((h.raise_after(), h.clear_after()), (3, 2));
        assert_eq!(h.clear_margin(), 0.02);
        let bad = "title = \"R\"\nkind = \"redis\"\n[thresholds]\n\
                   hit_ratio = { warn = 0.9, raise_after = 0 }\n";
        let e = parse(bad, "redis.toml", "redis").unwrap_err().to_string();
        assert!(e.contains("raise_after = 0"), "{e}");
        let cw = "title = \"E\"\nkind = \"cloudwatch\"\nnamespace = \"AWS/ElastiCache\"\n\
                  [[metrics]]\nid = \"m\"\nlabel = \"cpu\"\nmetric = \"CPUUtilization\"\n\
                  warn = 70\nclear_margin = -1\n";
        let e = parse(cw, "e.toml", "e").unwrap_err().to_string();
        assert!(e.contains("metrics[0].clear_margin"), "{e}");
        let ok = cw.replace("clear_margin = -1", "clear_margin = 5\nraise_after = 2");
        let p = parse(&ok, "e.toml", "e").unwrap();
        let m = &p.cloudwatch.unwrap().metrics[0];
        assert_eq!(m.threshold.unwrap().raise_after(), 2);
    }

    #[test]
    fn panels_dir_overrides_and_adds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("redis.toml"),
            "title = \"Sessions\"\nkind = \"redis\"\n[thresholds]\nhit_ratio = { warn = 0.99 }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("glue.toml"),
            "title = \"Glue\"\nkind = \"cloudwatch\"\nnamespace = \"Glue\"\n[[metrics]]\nmetric = \"glue.driver.aggregate.numFailedTasks\"\nstat = \"Sum\"\ndimensions = { JobName = \"orders-etl\", JobRunId = \"ALL\", Type = \"count\" }\ncrit = 0\n",
        )
        .unwrap();
        let mut p = Panels::embedded();
        p.overlay_dir(dir.path()).unwrap();
        assert_eq!(p.get("redis").unwrap().title, "Sessions");
        assert_eq!(p.defs.iter().filter(|d| d.id == "redis").count(), 1);
        assert!(p.get("glue").is_some());

        std::fs::write(dir.path().join("bad.toml"), "title = 3\n").unwrap();
        let e = Panels::embedded().overlay_dir(dir.path()).unwrap_err();
        assert!(e.file.ends_with("bad.toml"), "{e}");
        assert_eq!(e.line, Some(1));
    }
}
