//! Reading one panel file: the raw TOML shape (unknown keys refused), then the rules a panel
//! must keep (known figures, thresholds and states per kind; CloudWatch statistics, periods,
//! query ids and metric-math references), each error located by the toml crate's spans.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{ChartKind, CwMetric, CwPanel, Direction, PanelDef, PanelError, PanelKind, Threshold};
use crate::config::opt_duration;
use crate::config::span::{self, Doc, Location};
use crate::model::Status;

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
///
/// Errors carry `file:line:column` and the dotted key (`thresholds.hit_ratio`,
/// `metrics[1].stat`): a type error or unknown key where toml points, a rule broken by a value
/// at that value (or at its key when the key itself is the problem), from the document's spans.
pub fn parse(text: &str, file: &str, stem: &str) -> Result<PanelDef, PanelError> {
    let raw: RawPanel = span::from_str(text, file).map_err(|e| PanelError::from_toml(file, e))?;
    let at = Locate::new(text, file);
    let id = raw.id.clone().unwrap_or_else(|| stem.to_string());
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(at.error(
            Where::Value("id"),
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
                return Err(at.error(

                    Where::Key(key),
                    format!(
                        "only kind = \"cloudwatch\" panels take `{key}` (this panel is kind = \"{}\")",
                        raw.kind.name()
                    ),
                ));
            }
        }
    }

    let desc = raw.kind.desc();
    let known_figs: &[&str] = desc.figures;
    let mut figures = Vec::new();
    for (i, f) in raw.figures.iter().enumerate() {
        if !known_figs.contains(&f.get_ref().as_str()) {
            return Err(at.error(
                Where::Value(&format!("figures[{i}]")),
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
        let Some((_, dir)) = desc.thresholds.iter().find(|(n, _)| n == name) else {
            let known: Vec<_> = desc.thresholds.iter().map(|(n, _)| *n).collect();
            return Err(at.error(
                Where::Key(&key),
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
            return Err(at.error(
                Where::Value(&format!("{key}.direction")),
                format!("direction of {name} is fixed to {dir:?}"),
            ));
        }
        th.direction = Some(*dir);
        th.validate().map_err(|m| at.error(Where::Value(&key), m))?;
        thresholds.insert(name.clone(), th);
    }

    let mut states = BTreeMap::new();
    for (name, m) in &raw.states {
        if !desc.states.contains(&name.as_str()) {
            return Err(at.error(
                Where::Key(&format!("states.{name}")),
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
        Some(cw_panel(&raw, &at)?)
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
pub(super) fn valid_stat(s: &str) -> bool {
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

fn cw_panel(raw: &RawPanel, at: &Locate<'_>) -> Result<CwPanel, PanelError> {
    let Some(namespace) = raw.namespace.clone() else {
        return Err(at.error(
            Where::Missing("namespace", "kind"),
            "kind = \"cloudwatch\" needs a namespace (e.g. \"AWS/DynamoDB\")".into(),
        ));
    };
    if raw.metrics.is_empty() {
        return Err(at.error(
            Where::Missing("metrics", "kind"),
            "kind = \"cloudwatch\" needs at least one [[metrics]] entry".into(),
        ));
    }
    if !raw.figures.is_empty() || !raw.thresholds.is_empty() {
        let key = if raw.figures.is_empty() {
            "thresholds"
        } else {
            "figures"
        };
        return Err(at.error(

            Where::Key(key),
            "cloudwatch panels put warn/crit on each metric; panel-level figures/thresholds are not used".into(),
        ));
    }
    let period = raw.period.unwrap_or(Duration::from_secs(300));
    check_period(period).map_err(|m| at.error(Where::Value("period"), m))?;
    let mut metrics: Vec<CwMetric> = Vec::new();
    for (i, m) in raw.metrics.iter().enumerate() {
        let r = m.get_ref();
        let key = |k: &str| format!("metrics[{i}].{k}");
        let id = r.id.clone().unwrap_or_else(|| format!("m{}", i + 1));
        if !valid_query_id(&id) {
            return Err(at.error(Where::Value(&key("id")),
                format!(
                    "{id:?} is not a valid query id (start with a lowercase letter; letters, digits, _)"
                ),
            ));
        }
        if metrics.iter().any(|o| o.id == id) {
            return Err(at.error(Where::Value(&key("id")), format!("id {id:?} is used twice")));
        }
        match (&r.metric, &r.expression) {
            (None, None) => {
                return Err(at.error(
                    Where::Value(&key("metric")),
                    "each metric needs `metric` (a CloudWatch metric name) or `expression`".into(),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(at.error(
                    Where::Value(&key("expression")),
                    "`metric` and `expression` are exclusive".into(),
                ));
            }
            _ => {}
        }
        let stat = r.stat.clone().unwrap_or_else(|| "Average".into());
        if r.expression.is_none() && !valid_stat(&stat) {
            return Err(at.error(
                Where::Value(&key("stat")),
                format!(
                    "unknown statistic {stat:?}; use {} or a percentile like p99",
                    STATS.join(", ")
                ),
            ));
        }
        if r.expression.is_some() && (r.stat.is_some() || !r.dimensions.is_empty()) {
            return Err(at.error(
                Where::Value(&key("expression")),
                "an expression takes no stat or dimensions (its inputs have them)".into(),
            ));
        }
        if let Some(d) = &r.dimension_all
            && r.dimensions.contains_key(d)
        {
            return Err(at.error(
                Where::Value(&key("dimension_all")),
                format!("{d:?} is also fixed in `dimensions`"),
            ));
        }
        let period = r.period.unwrap_or(period);
        check_period(period).map_err(|m| at.error(Where::Value(&key("period")), m))?;
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
                at.error(Where::Value(&key(k)), m)
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
                    return Err(at.error(
                        Where::Value(&format!("metrics[{i}].expression")),
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

/// What a validation error points at, by dotted key path.
enum Where<'k> {
    /// The key itself is the problem (not allowed here, unknown name).
    Key(&'k str),
    /// The value written for this key is wrong.
    Value(&'k str),
    /// A required key is absent: point at another key (the panel's `kind`) and name the
    /// missing one.
    Missing(&'k str, &'k str),
}

/// Locates validation errors in one file's spanned document.
struct Locate<'t> {
    text: &'t str,
    file: &'t str,
    doc: Option<Doc<'t>>,
}

impl<'t> Locate<'t> {
    fn new(text: &'t str, file: &'t str) -> Self {
        Locate {
            text,
            file,
            doc: Doc::parse(text),
        }
    }

    fn error(&self, what: Where<'_>, message: String) -> PanelError {
        let (key, look, value) = match what {
            Where::Key(k) => (k, k, false),
            Where::Value(k) => (k, k, true),
            Where::Missing(k, near) => (k, near, false),
        };
        // A defaulted key (an id the file leaves out) is not in the document: the nearest
        // enclosing entry that is, e.g. the `[[metrics]]` table.
        let mut path = look;
        let span = loop {
            let Some(doc) = &self.doc else { break None };
            let found = if value || path != look {
                doc.value_span(path)
            } else {
                doc.key_span(path)
            };
            if let Some(s) = found {
                break Some(s);
            }
            match path.rfind(['.', '[']) {
                Some(i) => path = &path[..i],
                None => break None,
            }
        };
        let at = span.map(|s| Location::at(self.file, self.text, s.start, None));
        PanelError {
            file: self.file.to_string(),
            line: at.as_ref().map(|a| a.line),
            column: at.as_ref().map(|a| a.column),
            key: Some(key.to_string()),
            message,
        }
    }
}
