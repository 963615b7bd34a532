//! Threshold evaluation: what is wrong, per service, in one sentence each: one judging function
//! per kind, chosen by its line in `super::registry::PANEL_STATE` (whose `judged` runs them all).
//! The overview and `opsdeck check` use the same function, so the screen and the pager judge alike; the
//! console adds hysteresis (`super::hysteresis`: a figure's finding is raised and cleared
//! per its panel's `raise_after` / `clear_after` / `clear_margin`), a single `check` round
//! judges each value on its own.

use std::collections::BTreeMap;

use super::hysteresis::Judge;
use crate::fmt;
use crate::model::*;
use crate::panels::{PanelDef, PanelKind, Panels, Threshold};

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// "aurora", "redis", "s3", "opensearch", "redshift", a CloudWatch panel id, or "alarms".
    pub service: String,
    pub status: Status,
    pub message: String,
}

impl Finding {
    fn new(service: &str, status: Status, message: impl Into<String>) -> Self {
        Finding {
            service: service.to_string(),
            status,
            message: message.into(),
        }
    }

    /// Nagios word for the status.
    pub fn word(&self) -> &'static str {
        status_word(self.status)
    }
}

pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Ok => "OK",
        Status::Warn => "WARNING",
        Status::Crit => "CRITICAL",
        Status::NoData => "UNKNOWN",
    }
}

/// The service a source error belongs to ("cloudwatch:dms" -> "dms").
pub fn service_of_source(source: &str) -> &str {
    source.strip_prefix("cloudwatch:").unwrap_or(source)
}

/// Threshold from the panel file, or the built-in default when there is no panel for the kind.
fn threshold(def: Option<&PanelDef>, name: &str) -> Option<Threshold> {
    def.and_then(|d| d.threshold(name))
}

fn state_status(def: Option<&PanelDef>, map: &str, value: &str, default: Status) -> Status {
    def.map_or(default, |d| d.state_status(map, value, default))
}

/// Format a breached threshold: "> 1 s".
fn limit(t: &Threshold, status: Status, f: impl Fn(f64) -> String) -> String {
    t.breached_level(status)
        .map(|l| format!(" {} {}", t.comparator(), f(l)))
        .unwrap_or_default()
}

/// The alarms in ALARM, each a critical finding of the `alarms` service (alarms are not a
/// panel kind: they have no [`PANEL_STATE`](super::registry::PANEL_STATE) line).
pub(super) fn alarms(snap: &Snapshot, out: &mut Vec<Finding>) {
    for a in &snap.alarms {
        if a.state.eq_ignore_ascii_case("alarm") {
            out.push(Finding::new(
                "alarms",
                Status::Crit,
                format!("{} in ALARM: {}", a.name, a.reason),
            ));
        }
    }
}

/// Each source's failed round (`errors[]`), an unknown finding of the service it feeds.
pub(super) fn source_errors(snap: &Snapshot, out: &mut Vec<Finding>) {
    for e in &snap.errors {
        out.push(Finding::new(
            service_of_source(&e.source),
            Status::NoData,
            format!("source error: {}", e.message),
        ));
    }
}

// One line each in `PANEL_STATE`: the kind's section of the snapshot, judged against its panel.
type Out<'o> = &'o mut Vec<Finding>;
pub(super) fn aurora_findings(s: &Snapshot, p: &Panels, j: &mut Judge<'_>, out: Out<'_>) {
    if let Some(a) = &s.aurora {
        aurora(a, p.of_kind(PanelKind::Aurora), j, out);
    }
}
pub(super) fn redis_findings(s: &Snapshot, p: &Panels, j: &mut Judge<'_>, out: Out<'_>) {
    if let Some(r) = &s.redis {
        redis(r, p.of_kind(PanelKind::Redis), j, out);
    }
}
pub(super) fn s3_findings(s: &Snapshot, p: &Panels, j: &mut Judge<'_>, out: Out<'_>) {
    if let Some(b) = &s.s3 {
        s3(b, p.of_kind(PanelKind::S3), j, out);
    }
}
pub(super) fn opensearch_findings(s: &Snapshot, p: &Panels, j: &mut Judge<'_>, out: Out<'_>) {
    if let Some(o) = &s.opensearch {
        opensearch(o, p.of_kind(PanelKind::OpenSearch), j, out);
    }
}
pub(super) fn redshift_findings(s: &Snapshot, p: &Panels, _: &mut Judge<'_>, out: Out<'_>) {
    if let Some(r) = &s.redshift {
        redshift(r, p.of_kind(PanelKind::Redshift), out);
    }
}
pub(super) fn cloudwatch_findings(s: &Snapshot, p: &Panels, j: &mut Judge<'_>, out: Out<'_>) {
    if let Some(cw) = &s.cloudwatch {
        cloudwatch(cw, p, j, out);
    }
}
/// Log lines are read, not judged.
pub(super) fn no_findings(_: &Snapshot, _: &Panels, _: &mut Judge<'_>, _: Out<'_>) {}

/// Worst status per service (services with data and no finding are OK).
pub fn service_status(findings: &[Finding], service: &str) -> Status {
    findings
        .iter()
        .filter(|f| f.service == service)
        .map(|f| f.status)
        .max()
        .unwrap_or(Status::Ok)
}

fn aurora(a: &AuroraStatus, def: Option<&PanelDef>, judge: &mut Judge<'_>, out: &mut Vec<Finding>) {
    const S: &str = "aurora";
    for e in &a.errors {
        out.push(Finding::new(S, Status::NoData, format!("partial: {e}")));
    }
    for r in &a.replicas {
        let state = format!("{:?}", r.state).to_ascii_lowercase();
        let st = state_status(def, "replica", &state, Status::Ok);
        if st != Status::Ok {
            let why = r
                .last_error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            out.push(Finding::new(
                S,
                st,
                format!("replica {} is {state}{why}", r.name),
            ));
        }
    }
    let worst = a
        .replicas
        .iter()
        .filter(|r| r.lag_seconds.is_some())
        .max_by(|x, y| {
            x.lag_seconds
                .unwrap_or(0.0)
                .total_cmp(&y.lag_seconds.unwrap_or(0.0))
        });
    if let (Some(r), Some(t)) = (worst, threshold(def, "replica_lag_seconds")) {
        let st = judge.status("aurora.replica_lag_seconds", &t, r.lag_seconds);
        if st > Status::NoData {
            out.push(Finding::new(
                S,
                st,
                format!(
                    "worst replica lag {} on {} ({}){}",
                    fmt::secs(r.lag_seconds.unwrap_or(0.0)),
                    r.name,
                    lag_source(r.lag_source),
                    limit(&t, st, compact_secs)
                ),
            ));
        }
    } else if worst.is_none()
        && a.replicas
            .iter()
            .any(|r| r.state == ReplicaState::Replicating)
    {
        out.push(Finding::new(
            S,
            Status::NoData,
            "no replica lag reading (sql, heartbeat and cloudwatch all empty)",
        ));
    }
    if let Some(w) = &a.writer_health {
        let name = a.writer.as_deref().unwrap_or("writer");
        if let (Some(cpu), Some(t)) = (w.cpu_percent, threshold(def, "writer_cpu_percent")) {
            let st = judge.status("aurora.writer_cpu_percent", &t, Some(cpu));
            if st > Status::NoData {
                out.push(Finding::new(
                    S,
                    st,
                    format!("{name} cpu {}{}", fmt::pct(cpu), limit(&t, st, fmt::pct)),
                ));
            }
        }
        if let (Some(c), Some(m), Some(t)) = (
            w.connections,
            w.max_connections.filter(|m| *m > 0),
            threshold(def, "connections_percent"),
        ) {
            let p = c as f64 * 100.0 / m as f64;
            let st = judge.status("aurora.connections_percent", &t, Some(p));
            if st > Status::NoData {
                out.push(Finding::new(
                    S,
                    st,
                    format!(
                        "{name} connections {c}/{m} ({}){}",
                        fmt::pct(p),
                        limit(&t, st, fmt::pct)
                    ),
                ));
            }
        }
        if let (Some(age), Some(t)) = (
            w.oldest_transaction_seconds,
            threshold(def, "oldest_transaction_seconds"),
        ) {
            let st = judge.status("aurora.oldest_transaction_seconds", &t, Some(age));
            if st > Status::NoData {
                out.push(Finding::new(
                    S,
                    st,
                    format!(
                        "{name} oldest transaction open {}{}",
                        fmt::secs(age),
                        limit(&t, st, compact_secs)
                    ),
                ));
            }
        }
    }
}

/// "1 s", "0.5 s": thresholds are round numbers, print them as written.
fn compact_secs(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0} s")
    } else {
        format!("{v} s")
    }
}

pub fn lag_source(s: LagSource) -> &'static str {
    match s {
        LagSource::Sql => "sql",
        LagSource::Heartbeat => "heartbeat",
        LagSource::Cloudwatch => "cloudwatch",
    }
}

/// used/max memory of a node, when maxmemory is set.
pub fn node_memory_pct(n: &RedisNode) -> Option<f64> {
    (n.max_memory_bytes > 0).then(|| n.used_memory_bytes as f64 * 100.0 / n.max_memory_bytes as f64)
}

fn redis(r: &RedisStatus, def: Option<&PanelDef>, judge: &mut Judge<'_>, out: &mut Vec<Finding>) {
    const S: &str = "redis";
    for e in &r.errors {
        out.push(Finding::new(S, Status::NoData, format!("partial: {e}")));
    }
    if let Some(t) = threshold(def, "hit_ratio") {
        match r.hit_ratio {
            Some(h) => {
                let st = judge.status("redis.hit_ratio", &t, Some(h));
                if st > Status::NoData {
                    out.push(Finding::new(
                        S,
                        st,
                        format!(
                            "hit ratio {}{}{}",
                            fmt::ratio_pct(h),
                            fmt::window_suffix(r.hit_ratio_window_seconds, " (window)"),
                            limit(&t, st, fmt::ratio_pct)
                        ),
                    ));
                }
            }
            None if !r.nodes.is_empty() => {
                // The first sample has no window yet; not an alarm, but say so.
            }
            None => {}
        }
    }
    if let Some(t) = threshold(def, "memory_percent")
        && let Some((n, p)) = r
            .nodes
            .iter()
            .filter_map(|n| node_memory_pct(n).map(|p| (n, p)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    {
        let st = judge.status("redis.memory_percent", &t, Some(p));
        if st > Status::NoData {
            let shard = n
                .shard
                .as_deref()
                .map(|s| format!("{s} "))
                .unwrap_or_default();
            out.push(Finding::new(
                S,
                st,
                format!(
                    "{shard}{} memory {}{}",
                    n.addr,
                    fmt::pct(p),
                    limit(&t, st, fmt::pct)
                ),
            ));
        }
    }
    if let Some(t) = threshold(def, "evictions_per_sec") {
        let st = judge.status("redis.evictions_per_sec", &t, Some(r.evictions_per_sec));
        if st > Status::NoData {
            out.push(Finding::new(
                S,
                st,
                format!(
                    "evictions {}{}",
                    fmt::rate(r.evictions_per_sec),
                    limit(&t, st, fmt::rate)
                ),
            ));
        }
    }
    for n in &r.nodes {
        if let Some(e) = &n.error {
            out.push(Finding::new(
                S,
                Status::Crit,
                format!("node {} unreachable: {e}", n.addr),
            ));
        }
    }
}

fn s3(s: &S3Status, def: Option<&PanelDef>, judge: &mut Judge<'_>, out: &mut Vec<Finding>) {
    const S: &str = "s3";
    let total: f64 = s.buckets.iter().map(|b| b.monthly_cost_usd).sum();
    if let Some(t) = threshold(def, "monthly_cost_usd") {
        let st = judge.status("s3.monthly_cost_usd", &t, Some(total));
        if st > Status::NoData {
            out.push(Finding::new(
                S,
                st,
                format!(
                    "storage cost {}/month{}",
                    fmt::usd(total),
                    limit(&t, st, fmt::usd)
                ),
            ));
        }
    }
    for b in &s.buckets {
        if !b.has_lifecycle && b.lifecycle_rules.is_empty() {
            let st = state_status(def, "lifecycle", "missing", Status::Ok);
            if st != Status::Ok {
                out.push(Finding::new(
                    S,
                    st,
                    format!(
                        "bucket {} has no lifecycle configuration ({} all in its current tiers)",
                        b.name,
                        fmt::bytes(b.total_bytes)
                    ),
                ));
            }
        }
    }
}

fn opensearch(
    o: &OpenSearchStatus,
    def: Option<&PanelDef>,
    judge: &mut Judge<'_>,
    out: &mut Vec<Finding>,
) {
    const S: &str = "opensearch";
    let st = state_status(def, "health", &o.health, Status::NoData);
    if st != Status::Ok {
        let bad: Vec<&str> = o
            .indices
            .iter()
            .filter(|i| i.health.as_deref().is_some_and(|h| h != "green"))
            .map(|i| i.name.as_str())
            .collect();
        let which = if bad.is_empty() {
            String::new()
        } else {
            format!(" ({})", bad.join(", "))
        };
        out.push(Finding::new(
            S,
            st,
            format!("cluster health {}{which}", o.health),
        ));
    }
    if let (Some(ms), Some(t)) = (o.search_latency_ms, threshold(def, "search_latency_ms")) {
        let st = judge.status("opensearch.search_latency_ms", &t, Some(ms));
        if st > Status::NoData {
            out.push(Finding::new(
                S,
                st,
                format!(
                    "search latency {ms:.0} ms{}",
                    limit(&t, st, |v| format!("{v:.0} ms"))
                ),
            ));
        }
    }
}

/// The newest run per table, by start time.
pub fn latest_runs(r: &RedshiftStatus) -> Vec<&LoadRun> {
    let mut by_table: BTreeMap<&str, &LoadRun> = BTreeMap::new();
    for run in &r.runs {
        let e = by_table.entry(run.table.as_str()).or_insert(run);
        if run.started_at > e.started_at {
            *e = run;
        }
    }
    by_table.into_values().collect()
}

fn redshift(r: &RedshiftStatus, def: Option<&PanelDef>, out: &mut Vec<Finding>) {
    const S: &str = "redshift";
    for run in latest_runs(r) {
        let status = run.status.to_ascii_lowercase();
        let mut st = state_status(def, "run", &status, Status::Ok);
        let mut what = format!("{} {}", run.table, run.status.to_ascii_uppercase());
        if run.slow {
            let slow = state_status(def, "run", "slow", Status::Warn);
            if slow > st {
                st = slow;
                what = format!("{} slow", run.table);
            }
        }
        if let (Some(d), Some(t)) = (run.duration_seconds, threshold(def, "duration_seconds")) {
            let dst = t.evaluate(Some(d));
            if dst > st {
                st = dst;
                what = format!(
                    "{} took {}{}",
                    run.table,
                    fmt::secs(d),
                    limit(&t, dst, fmt::secs)
                );
            }
        }
        if st > Status::Ok {
            let at = run
                .started_at
                .map(|t| format!(" at {}", fmt::hm(t)))
                .unwrap_or_default();
            let err = run
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            out.push(Finding::new(S, st, format!("{what}{at}{err}")));
        }
    }
    let mut latest_glue: BTreeMap<&str, &GlueRun> = BTreeMap::new();
    for g in &r.glue_runs {
        let e = latest_glue.entry(g.job.as_str()).or_insert(g);
        if g.started_at > e.started_at {
            *e = g;
        }
    }
    for g in latest_glue.values() {
        let st = state_status(def, "glue", &g.state, Status::Ok);
        if st > Status::Ok {
            let err = g
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            out.push(Finding::new(
                S,
                st,
                format!("glue job {} {}{err}", g.job, g.state),
            ));
        }
    }
}

fn cloudwatch(
    cw: &BTreeMap<String, Vec<CwFigure>>,
    panels: &Panels,
    judge: &mut Judge<'_>,
    out: &mut Vec<Finding>,
) {
    for (panel, figs) in cw {
        let title = panels
            .get(panel)
            .map_or(panel.as_str(), |d| d.title.as_str());
        for f in figs {
            if let Some(e) = &f.error {
                // Unknown, as Nagios has it: not a breach, but not "no data" either.
                out.push(Finding::new(
                    panel,
                    Status::NoData,
                    format!("{title} {}: {e}", f.label),
                ));
                continue;
            }
            let threshold = panels
                .get(panel)
                .and_then(|d| d.cloudwatch.as_ref())
                .and_then(|c| c.metrics.iter().find(|m| f.label.contains(&m.label)))
                .and_then(|m| m.threshold);
            // The collector's verdict, unless the panel's threshold is here to judge it with
            // the figure's hysteresis.
            let status = match (&threshold, f.value) {
                (Some(t), Some(v)) => judge.status(&format!("{panel}/{}", f.label), t, Some(v)),
                _ => f.status,
            };
            if status >= Status::Warn {
                let v = f
                    .value
                    .map(|v| fmt::with_unit(v, &f.unit))
                    .unwrap_or_else(|| "no data".into());
                let lim = threshold
                    .map(|t| limit(&t, status, |l| fmt::with_unit(l, &f.unit)))
                    .unwrap_or_default();
                out.push(Finding::new(
                    panel,
                    status,
                    format!("{title} {} {v}{lim}", f.label),
                ));
            }
        }
        if !figs.is_empty() && figs.iter().all(|f| f.value.is_none() && f.error.is_none()) {
            out.push(Finding::new(
                panel,
                Status::NoData,
                format!("{title}: no datapoints for any metric"),
            ));
        }
    }
}

#[cfg(test)]
#[path = "findings_tests.rs"]
mod tests;
