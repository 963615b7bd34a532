//! Generic CloudWatch panels declared in panels/*.toml (`kind = "cloudwatch"`): one collector per
//! panel, over a [`MetricSource`] so the real CloudWatch and the simulation serve the same panels.
//!
//! Per round: `dimension_all` is resolved with ListMetrics (cached for a few minutes), every
//! metric due (its last fetch older than its period) becomes a query, expressions travel with
//! their inputs in one group (inputs with return_data = false), and everything goes through the
//! shared batched reader (500 queries per GetMetricData call). Each figure is the latest
//! datapoint with its timestamp, period, a short history and a status from the panel's
//! thresholds; no datapoint is "no data", never zero.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

mod expr;
mod source;
#[cfg(test)]
mod tests;

pub use expr::expression_ids;
pub use source::{Dims, LazyCloudWatch, MetricSource};

use super::MetricQuery;
use crate::config::{CloudWatchConfig, Config};
use crate::model::{CwFigure, Status};
use crate::panels::{CwMetric, CwPanel, PanelDef, Panels};
use crate::services::{BoxCollector, Collector, SourceKind, Update, aws::AwsContext};
use expr::{pick_instances, rename_ids};

/// Datapoints kept per figure for sparklines.
pub const HISTORY_POINTS: usize = 30;
/// How far a collector's first round reaches back, so a chart is full after a restart: the
/// panel's longest period times this many, at most [`BACKFILL_MAX`], and never more than one
/// GetMetricData answer holds ([`MAX_DATAPOINTS_PER_CALL`] shared by the call's queries).
/// GetMetricData is billed per metric requested in each call, so a window that needed
/// NextToken pages would bill every metric again per page; a 500-metric panel backfills
/// 201 periods (3 h 21 min at 60 s), a 5-metric panel the whole 24 h.
pub const BACKFILL_PERIODS: u32 = 1440;
/// Datapoints one GetMetricData call returns before it pages (the API's documented limit).
pub const MAX_DATAPOINTS_PER_CALL: usize = 100_800;
/// The longest backfill: the console keeps 24 h of history (`state::history`).
pub const BACKFILL_MAX: Duration = Duration::from_secs(24 * 3600);
/// Periods a first round reaches back for `queries` GetMetricData queries: as many as one
/// answer holds for the queries sharing a call, at most [`BACKFILL_PERIODS`].
pub fn backfill_periods(queries: usize) -> u32 {
    let per_call = queries.clamp(1, super::MAX_QUERIES_PER_CALL);
    (MAX_DATAPOINTS_PER_CALL / per_call).min(BACKFILL_PERIODS as usize) as u32
}

/// How long a ListMetrics answer is trusted before it is asked again.
pub const DIMENSION_REFRESH: Duration = Duration::from_secs(300);

/// Collectors for a context's `[cloudwatch]` section: one per applicable panel (all declared
/// cloudwatch panels when `panels` is empty), plus alarms when enabled. A bad panels_dir or an
/// unknown panel id becomes a collector that reports the error, so it shows on screen.
pub fn collectors(cfg: &CloudWatchConfig, aws: &AwsContext, config: &Config) -> Vec<BoxCollector> {
    let panels = match Panels::load(config) {
        Ok(p) => p,
        Err(e) => {
            return vec![Box::new(Failing {
                kind: SourceKind::CloudWatch("panels".into()),
                message: e.to_string(),
            })];
        }
    };
    let mut out: Vec<BoxCollector> = Vec::new();
    let (defs, unknown) = applicable(&panels, &cfg.panels);
    for id in unknown {
        out.push(Box::new(Failing {
            kind: SourceKind::CloudWatch(id.clone()),
            message: format!(
                "cloudwatch.panels: no panel {id:?} (known: {})",
                panels
                    .cloudwatch()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }));
    }
    for def in defs {
        let region = def.cloudwatch.as_ref().and_then(|c| c.region.clone());
        let source = LazyCloudWatch::new(aws.clone(), region);
        if let Some(c) = PanelCollector::new(def, source) {
            out.push(Box::new(c));
        }
    }
    if cfg.alarms {
        out.push(crate::services::alarms::collector(aws, &panels));
    }
    out
}

/// The cloudwatch panels a `panels` list selects (empty = all), and the ids it names that do
/// not exist.
pub fn applicable<'a>(panels: &'a Panels, wanted: &[String]) -> (Vec<&'a PanelDef>, Vec<String>) {
    if wanted.is_empty() {
        return (panels.cloudwatch().collect(), Vec::new());
    }
    let mut defs = Vec::new();
    let mut unknown = Vec::new();
    for id in wanted {
        match panels.cloudwatch().find(|d| &d.id == id) {
            Some(d) => defs.push(d),
            None => unknown.push(id.clone()),
        }
    }
    (defs, unknown)
}

/// A collector that only reports why it cannot run.
struct Failing {
    kind: SourceKind,
    message: String,
}

#[async_trait]
impl Collector for Failing {
    fn kind(&self) -> SourceKind {
        self.kind.clone()
    }
    fn interval(&self) -> Duration {
        Duration::from_secs(60)
    }
    async fn collect(&mut self) -> anyhow::Result<Update> {
        anyhow::bail!("{}", self.message)
    }
}

// ---------------------------------------------------------------- the collector

#[derive(Debug, Clone)]
struct Cached {
    fetched_at: DateTime<Utc>,
    dims: Vec<Dims>,
}

/// The figure of one (metric, instance), kept between rounds.
#[derive(Debug, Clone, Default)]
struct FigState {
    points: BTreeMap<DateTime<Utc>, f64>,
    /// The first round's datapoints (up to [`BACKFILL_MAX`] back), sent once with the figure.
    backfill: Vec<(DateTime<Utc>, f64)>,
    /// CloudWatch's Forbidden / InternalError for this figure's last fetch, with its message.
    error: Option<String>,
}

pub struct PanelCollector<S: MetricSource> {
    id: String,
    panel: CwPanel,
    source: S,
    interval: Duration,
    /// ListMetrics answers by (namespace, metric, dimension_all, fixed dims).
    dims_cache: HashMap<String, Cached>,
    /// Last fetch per metric id (for the "never faster than the period" rule).
    last_fetch: HashMap<String, DateTime<Utc>>,
    figures: BTreeMap<(String, Option<String>), FigState>,
    /// Only instances whose dimension_all value starts with this (the nodes of one
    /// ElastiCache replication group: CacheClusterIds "<group>-0001-001", ...).
    instance_prefix: Option<String>,
    /// Whether a round has fetched the backfill window yet.
    backfilled: bool,
}

impl<S: MetricSource> PanelCollector<S> {
    /// None when `def` is not a cloudwatch panel.
    pub fn new(def: &PanelDef, source: S) -> Option<Self> {
        let panel = def.cloudwatch.clone()?;
        let min_period = panel
            .metrics
            .iter()
            .map(|m| m.period)
            .min()
            .unwrap_or(panel.period);
        // A billed source is polled once per shortest period; the simulation every second.
        let interval = if source.billed() {
            min_period.max(Duration::from_secs(1))
        } else {
            Duration::from_secs(1)
        };
        Some(PanelCollector {
            id: def.id.clone(),
            panel,
            source,
            interval,
            dims_cache: HashMap::new(),
            last_fetch: HashMap::new(),
            figures: BTreeMap::new(),
            instance_prefix: None,
            backfilled: false,
        })
    }

    /// Keep only instances whose dimension_all value starts with `prefix`.
    pub fn with_instance_prefix(mut self, prefix: &str) -> Self {
        self.instance_prefix = Some(prefix.to_string());
        self
    }

    /// One round: every shown metric per instance, judged against the panel's thresholds
    /// (labels "<instance> <label>").
    pub async fn figures(&mut self) -> anyhow::Result<Vec<CwFigure>> {
        self.round().await
    }

    pub fn with_interval(mut self, d: Duration) -> Self {
        self.interval = d;
        self
    }

    pub fn source(&self) -> &S {
        &self.source
    }

    fn namespace<'a>(&'a self, m: &'a CwMetric) -> &'a str {
        m.namespace.as_deref().unwrap_or(&self.panel.namespace)
    }

    /// Instances of a plain metric: (dimension_all value, full dims), or one with the fixed dims.
    async fn instances_of(
        &mut self,
        m: &CwMetric,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(Option<String>, Dims)>> {
        let fixed: Dims = m
            .dimensions
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let (Some(all), Some(metric)) = (&m.dimension_all, &m.metric) else {
            return Ok(vec![(None, fixed)]);
        };
        let ns = self.namespace(m).to_string();
        let key = format!("{ns}\u{1f}{metric}\u{1f}{all}\u{1f}{fixed:?}");
        let fresh = self
            .dims_cache
            .get(&key)
            .is_some_and(|c| (now - c.fetched_at).to_std().unwrap_or_default() < DIMENSION_REFRESH);
        if !fresh {
            match self.source.list_dimensions(&ns, metric, all, &fixed).await {
                Ok(dims) => {
                    self.dims_cache.insert(
                        key.clone(),
                        Cached {
                            fetched_at: now,
                            dims,
                        },
                    );
                }
                // Keep the previous answer when ListMetrics fails; fail only with none at all.
                Err(e) if !self.dims_cache.contains_key(&key) => return Err(e),
                Err(_) => {}
            }
        }
        let listed = self.dims_cache.get(&key).map(|c| c.dims.clone());
        let mut picked = pick_instances(listed.unwrap_or_default(), all, &fixed);
        if let Some(p) = &self.instance_prefix {
            picked.retain(|(k, _)| k.as_deref().is_some_and(|k| k.starts_with(p.as_str())));
        }
        Ok(picked)
    }

    async fn round(&mut self) -> anyhow::Result<Vec<CwFigure>> {
        let now = self.source.now();
        let metrics = self.panel.metrics.clone();
        // Instances of every plain metric (inputs of expressions included).
        let mut inst: HashMap<String, Vec<(Option<String>, Dims)>> = HashMap::new();
        for m in metrics.iter().filter(|m| m.expression.is_none()) {
            let v = self.instances_of(m, now).await?;
            inst.insert(m.id.clone(), v);
        }
        let due = |m: &CwMetric, last: &HashMap<String, DateTime<Utc>>| {
            !self.source.billed()
                || last
                    .get(&m.id)
                    .is_none_or(|t| (now - *t).to_std().unwrap_or_default() >= m.period)
        };
        // Build the groups: one per (shown metric, instance).
        let mut groups: Vec<Vec<MetricQuery>> = Vec::new();
        // query id -> (metric id, instance key)
        let mut wanted: HashMap<String, (String, Option<String>)> = HashMap::new();
        // Rows to show, in panel order: (metric, instance key).
        let mut rows: Vec<(CwMetric, Option<String>)> = Vec::new();
        let mut fetched: Vec<String> = Vec::new();
        let mut n = 0usize;
        let mut next_id = |prefix: &str| {
            n += 1;
            format!("{prefix}_{n}")
        };
        for m in metrics.iter().filter(|m| m.show) {
            let is_due = due(m, &self.last_fetch);
            match &m.expression {
                None => {
                    let list = inst.get(&m.id).cloned().unwrap_or_default();
                    if list.is_empty() {
                        rows.push((m.clone(), None));
                    }
                    for (key, dims) in list {
                        rows.push((m.clone(), key.clone()));
                        if is_due {
                            let qid = next_id(&m.id);
                            groups.push(vec![self.query(m, &qid, dims, true)]);
                            wanted.insert(qid, (m.id.clone(), key));
                        }
                    }
                }
                Some(expr) => {
                    let inputs: Vec<&CwMetric> = expression_ids(expr)
                        .iter()
                        .filter_map(|id| metrics.iter().find(|o| &o.id == id))
                        .collect();
                    // Instance keys: those of the first input listing per dimension_all value,
                    // kept only where every input has the same instance.
                    let keys: Vec<Option<String>> = inputs
                        .first()
                        .and_then(|i| inst.get(&i.id))
                        .map(|v| v.iter().map(|(k, _)| k.clone()).collect())
                        .unwrap_or_else(|| vec![None]);
                    let keys: Vec<Option<String>> = keys
                        .into_iter()
                        .filter(|k| {
                            inputs.iter().all(|i| {
                                inst.get(&i.id).is_some_and(|v| {
                                    v.iter().any(|(k2, _)| k2 == k || k2.is_none())
                                })
                            })
                        })
                        .collect();
                    if keys.is_empty() {
                        rows.push((m.clone(), None));
                    }
                    for key in keys {
                        rows.push((m.clone(), key.clone()));
                        if !is_due {
                            continue;
                        }
                        let mut group = Vec::new();
                        let mut rename: HashMap<String, String> = HashMap::new();
                        for i in &inputs {
                            let dims = inst
                                .get(&i.id)
                                .and_then(|v| {
                                    v.iter()
                                        .find(|(k2, _)| *k2 == key || k2.is_none())
                                        .map(|(_, d)| d.clone())
                                })
                                .unwrap_or_default();
                            let qid = next_id(&i.id);
                            group.push(self.query(i, &qid, dims, false));
                            rename.insert(i.id.clone(), qid);
                        }
                        let qid = next_id(&m.id);
                        let mut q = MetricQuery::expression(
                            qid.clone(),
                            &rename_ids(expr, &rename),
                            period_secs(m.period),
                        );
                        q.return_data = true;
                        group.push(q);
                        groups.push(group);
                        wanted.insert(qid, (m.id.clone(), key));
                    }
                }
            }
            if is_due {
                fetched.push(m.id.clone());
            }
        }
        if !groups.is_empty() {
            let longest = metrics.iter().map(|m| m.period).max().unwrap_or_default();
            let since = |d: Duration| now - chrono::Duration::from_std(d).unwrap_or_default();
            let cutoff = since(longest * HISTORY_POINTS as u32);
            let backfill = !self.backfilled;
            let start = if backfill {
                let queries: usize = groups.iter().map(|g| g.len()).sum();
                since((longest * backfill_periods(queries)).min(BACKFILL_MAX))
            } else {
                cutoff
            };
            let results = self.source.fetch(&groups, start, now).await?;
            self.backfilled = true;
            for (qid, (mid, key)) in &wanted {
                let st = self.figures.entry((mid.clone(), key.clone())).or_default();
                st.error = None;
                if let Some(s) = results.get(qid) {
                    st.error = s.error();
                    for (t, v) in &s.points {
                        if !v.is_finite() {
                            continue;
                        }
                        if backfill {
                            st.backfill.push((*t, *v));
                        }
                        if *t >= cutoff {
                            st.points.insert(*t, *v);
                        }
                    }
                }
                st.points.retain(|t, _| *t >= cutoff);
                while st.points.len() > HISTORY_POINTS {
                    st.points.pop_first();
                }
            }
            // From when the answer came, not when the round began: a slow round (a long
            // first-round backfill, a slow endpoint) must not make the next one due at once.
            let answered = self.source.now();
            for id in fetched {
                self.last_fetch.insert(id, answered);
            }
        }
        Ok(rows
            .into_iter()
            .map(|(m, key)| {
                let mut st = self.figures.get_mut(&(m.id.clone(), key.clone()));
                // The backfill travels once; later rounds carry only the short history.
                let backfill = st.as_mut().map(|s| std::mem::take(&mut s.backfill));
                let mut fig = figure(&m, key.as_deref(), st.as_deref());
                fig.backfill = backfill.unwrap_or_default();
                fig
            })
            .collect())
    }

    fn query(&self, m: &CwMetric, qid: &str, dims: Dims, return_data: bool) -> MetricQuery {
        MetricQuery {
            id: qid.to_string(),
            namespace: self.namespace(m).to_string(),
            metric: m.metric.clone().unwrap_or_default(),
            dimensions: dims,
            stat: m.stat.clone(),
            period_seconds: period_secs(m.period),
            expression: None,
            return_data,
        }
    }
}

fn period_secs(d: Duration) -> i32 {
    i32::try_from(d.as_secs()).unwrap_or(i32::MAX)
}

fn figure(m: &CwMetric, key: Option<&str>, st: Option<&FigState>) -> CwFigure {
    let error = st.and_then(|s| s.error.clone());
    // A refused or failed query is unknown, not the last value nor "no data".
    let latest = st
        .filter(|_| error.is_none())
        .and_then(|s| s.points.last_key_value().map(|(t, v)| (*t, *v)));
    let value = latest.map(|(_, v)| v);
    CwFigure {
        label: match key {
            Some(k) => format!("{k} {}", m.label),
            None => m.label.clone(),
        },
        value,
        unit: m.unit.clone(),
        status: if value.is_none() {
            Status::NoData
        } else {
            m.evaluate(value)
        },
        at: latest.map(|(t, _)| t),
        period_seconds: u32::try_from(m.period.as_secs()).ok(),
        history: st
            .map(|s| s.points.values().copied().collect())
            .unwrap_or_default(),
        backfill: Vec::new(),
        error,
    }
}

#[async_trait]
impl<S: MetricSource + 'static> Collector for PanelCollector<S> {
    fn kind(&self) -> SourceKind {
        SourceKind::CloudWatch(self.id.clone())
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    /// Never faster than the shortest period of its metrics (billed) or its own interval.
    fn min_interval(&self) -> Duration {
        self.interval
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(20)
    }

    async fn collect(&mut self) -> anyhow::Result<Update> {
        let figs = self.round().await?;
        Ok(Update::CloudWatch(self.id.clone(), figs))
    }
}
