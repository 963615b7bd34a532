//! The overview's line of each kind of panel: its headline figures, their statuses and its
//! sparkline, one function per kind named by `registry::PANEL_STATE`. Which lines are shown, in
//! which order, is `lines.rs`; no drawing: `ui::overview` lays the lines out.

use crate::fmt;
use crate::model::source::SourceKind;
use crate::model::*;
use crate::panels::PanelDef;
use crate::state::State;
use crate::state::findings::{lag_source, latest_runs, node_memory_pct};

/// One selectable line: a service or a generic panel.
pub struct Row {
    pub panel: String,
    pub kind: SourceKind,
    pub status: Status,
    pub name: String,
    pub figures: Vec<(String, Option<Status>)>,
    pub spark: Vec<u64>,
}

impl Row {
    /// What `/` matches: the name and every figure.
    pub fn text(&self) -> String {
        let mut s = self.name.clone();
        for (f, _) in &self.figures {
            s.push(' ');
            s.push_str(f);
        }
        s
    }
}

fn fig(text: impl Into<String>) -> (String, Option<Status>) {
    (text.into(), None)
}

fn judged(text: impl Into<String>, s: Status) -> (String, Option<Status>) {
    (text.into(), (s > Status::Ok).then_some(s))
}

/// Whether the panel file asks for figure `n` (all figures when it lists none).
fn wants(def: &PanelDef, n: &str) -> bool {
    def.figures.is_empty() || def.figures.iter().any(|f| f == n)
}

/// The Aurora overview line: headline figures and sparkline.
pub(super) fn aurora_line(st: &State, def: &PanelDef, row: &mut Row) {
    let d = &st.data;
    let want = |n: &str| wants(def, n);
    let Some(a) = &d.aurora else { return };
    row.spark = st.series.worst_lag.tail_scaled(64, 1000.0);
    if want("worst_lag") {
        let worst = a
            .replicas
            .iter()
            .filter(|r| r.lag_seconds.is_some())
            .max_by(|x, y| {
                x.lag_seconds
                    .unwrap_or(0.0)
                    .total_cmp(&y.lag_seconds.unwrap_or(0.0))
            });
        match worst {
            Some(r) => {
                let s = def
                    .threshold("replica_lag_seconds")
                    .map_or(Status::Ok, |t| {
                        st.hysteresis
                            .shown("aurora.replica_lag_seconds", &t, r.lag_seconds)
                    });
                row.figures.push(judged(
                    format!("worst lag {}", fmt::secs(r.lag_seconds.unwrap_or(0.0))),
                    s,
                ));
                row.figures
                    .push(fig(format!("{} ({})", r.name, lag_source(r.lag_source))));
            }
            None if a.replicas.is_empty() => row.figures.push(fig("no replicas")),
            None => row.figures.push(judged("lag unknown", Status::NoData)),
        }
    }
    if want("writer")
        && let Some(w) = &a.writer
    {
        row.figures.push(fig(format!("writer {w}")));
    }
    if want("replicas") {
        row.figures
            .push(fig(format!("{} replicas", a.replicas.len())));
    }
    if let Some(h) = &a.writer_health {
        if want("writer_cpu")
            && let Some(c) = h.cpu_percent
        {
            let s = def.threshold("writer_cpu_percent").map_or(Status::Ok, |t| {
                st.hysteresis
                    .shown("aurora.writer_cpu_percent", &t, Some(c))
            });
            row.figures.push(judged(format!("cpu {}", fmt::pct(c)), s));
        }
        if want("connections")
            && let Some(c) = h.connections
        {
            let txt = match h.max_connections {
                Some(m) => format!("conns {c}/{m}"),
                None => format!("conns {c}"),
            };
            row.figures.push(fig(txt));
        }
        if want("transactions")
            && let Some(t) = h.running_transactions
        {
            row.figures.push(fig(format!("trx {t}")));
        }
    }
}

/// The Redis overview line: headline figures and sparkline.
pub(super) fn redis_line(st: &State, def: &PanelDef, row: &mut Row) {
    let d = &st.data;
    let want = |n: &str| wants(def, n);
    let Some(r) = &d.redis else { return };
    row.spark = st.series.ops_per_sec.tail_scaled(64, 1.0);
    if want("hit_ratio") {
        let txt = match r.hit_ratio {
            Some(h) => format!(
                "hit {}{}",
                fmt::ratio_pct(h),
                fmt::window_suffix(r.hit_ratio_window_seconds, "")
            ),
            None => "hit -".into(),
        };
        let s = def.threshold("hit_ratio").map_or(Status::Ok, |t| {
            st.hysteresis.shown("redis.hit_ratio", &t, r.hit_ratio)
        });
        row.figures.push(judged(txt, s));
    }
    if want("ops") {
        row.figures
            .push(fig(format!("{} ops/s", fmt::count(r.ops_per_sec))));
    }
    if want("evictions") {
        let s = def.threshold("evictions_per_sec").map_or(Status::Ok, |t| {
            st.hysteresis
                .shown("redis.evictions_per_sec", &t, Some(r.evictions_per_sec))
        });
        row.figures.push(judged(
            format!("evict {}", fmt::rate(r.evictions_per_sec)),
            s,
        ));
    }
    if want("memory")
        && let Some((n, p)) = r
            .nodes
            .iter()
            .filter_map(|n| node_memory_pct(n).map(|p| (n, p)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    {
        let s = def.threshold("memory_percent").map_or(Status::Ok, |t| {
            st.hysteresis.shown("redis.memory_percent", &t, Some(p))
        });
        let who = n.shard.clone().unwrap_or_else(|| n.addr.clone());
        row.figures
            .push(judged(format!("{who} mem {}", fmt::pct(p)), s));
    }
    if want("clients") {
        let c: u64 = r.nodes.iter().map(|n| n.connected_clients).sum();
        row.figures.push(fig(format!("{c} clients")));
    }
    if want("nodes") {
        row.figures.push(fig(format!("{} nodes", r.nodes.len())));
    }
}

/// The S3 overview line: headline figures and sparkline.
pub(super) fn s3_line(st: &State, def: &PanelDef, row: &mut Row) {
    let d = &st.data;
    let want = |n: &str| wants(def, n);
    let Some(s) = &d.s3 else { return };
    let total: u64 = s.buckets.iter().map(|b| b.total_bytes).sum();
    if want("total") {
        row.figures.push(fig(fmt::bytes(total)));
    }
    if want("objects") {
        let o: u64 = s.buckets.iter().map(|b| b.objects).sum();
        row.figures
            .push(fig(format!("{} objects", fmt::count(o as f64))));
    }
    if want("tiers") && total > 0 {
        let mut tiers: std::collections::BTreeMap<&str, u64> = Default::default();
        for b in &s.buckets {
            for (k, v) in &b.tiers {
                *tiers.entry(fmt::tier_short(k)).or_default() += v;
            }
        }
        let mut tv: Vec<_> = tiers.into_iter().collect();
        tv.sort_by_key(|x| std::cmp::Reverse(x.1));
        let txt: Vec<String> = tv
            .iter()
            .map(|(k, v)| format!("{k} {:.0}%", *v as f64 * 100.0 / total as f64))
            .collect();
        row.figures.push(fig(txt.join(" ")));
    }
    if want("cost") {
        let c: f64 = s.buckets.iter().map(|b| b.monthly_cost_usd).sum();
        let st_ = def.threshold("monthly_cost_usd").map_or(Status::Ok, |t| {
            st.hysteresis.shown("s3.monthly_cost_usd", &t, Some(c))
        });
        // A tier without a price is left out of the sum: say the total is a floor.
        let floor = if s.buckets.iter().any(|b| !b.unpriced_tiers.is_empty()) {
            ">="
        } else {
            ""
        };
        row.figures
            .push(judged(format!("{floor}{}/mo", fmt::usd(c)), st_));
    }
    if want("rules") {
        let n: usize = s.buckets.iter().map(|b| b.lifecycle_rules.len()).sum();
        row.figures.push(fig(format!("{n} lifecycle rules")));
    }
}

/// The OpenSearch overview line: headline figures and sparkline.
pub(super) fn opensearch_line(st: &State, def: &PanelDef, row: &mut Row) {
    let d = &st.data;
    let want = |n: &str| wants(def, n);
    let Some(o) = &d.opensearch else { return };
    row.spark = st.series.indexing_rate.tail_scaled(64, 1.0);
    if want("health") {
        let s = def.state_status("health", &o.health, Status::NoData);
        row.figures.push(judged(o.health.clone(), s));
    }
    if want("alias") {
        let aliased: Vec<String> = o
            .indices
            .iter()
            .filter(|i| !i.aliases.is_empty() && !i.name.starts_with('.'))
            .take(1)
            .map(|i| format!("{} -> {}", i.aliases[0], i.name))
            .collect();
        if let Some(a) = aliased.first() {
            row.figures.push(fig(a.clone()));
        }
    }
    if want("docs") {
        let aliased = o.indices.iter().find(|i| !i.aliases.is_empty());
        row.figures.push(fig(match aliased {
            Some(i) => match i.docs {
                Some(d) => format!("{} docs", fmt::count(d as f64)),
                None => format!("{} {}", i.name, i.state.as_str()),
            },
            None => "0 docs".into(),
        }));
    }
    if want("indexing_rate") {
        row.figures.push(fig(format!(
            "{} docs/s",
            fmt::count(o.indexing_rate_per_sec)
        )));
    }
    if want("search_latency")
        && let Some(ms) = o.search_latency_ms
    {
        let s = def.threshold("search_latency_ms").map_or(Status::Ok, |t| {
            st.hysteresis
                .shown("opensearch.search_latency_ms", &t, Some(ms))
        });
        row.figures.push(judged(format!("search {ms:.0} ms"), s));
    }
    if want("tasks") {
        let n = o.tasks.iter().filter(|t| !t.done).count();
        if n > 0 {
            row.figures.push(fig(format!("{n} tasks")));
        }
    }
}

/// The Redshift overview line: headline figures and sparkline.
pub(super) fn redshift_line(st: &State, def: &PanelDef, row: &mut Row) {
    let d = &st.data;
    let want = |n: &str| wants(def, n);
    let Some(r) = &d.redshift else { return };
    row.spark = st.series.etl_durations.tail_scaled(64, 1.0);
    let latest = latest_runs(r);
    if want("failed") {
        for run in latest
            .iter()
            .filter(|x| def.state_status("run", &x.status, Status::Ok) >= Status::Warn)
        {
            let s = def.state_status("run", &run.status, Status::Ok);
            let at = run.started_at.map(fmt::hm).unwrap_or_default();
            let err = run
                .error
                .as_deref()
                .map(|e| format!(" \"{}\"", fmt::truncate(e, 24)))
                .unwrap_or_default();
            row.figures.push(judged(
                format!("{} {} {at}{err}", run.table, run.status.to_uppercase()),
                s,
            ));
        }
    }
    if want("last_run")
        && let Some(run) = r.runs.iter().max_by_key(|x| x.started_at)
    {
        let at = run.started_at.map(fmt::hm).unwrap_or_default();
        row.figures
            .push(fig(format!("last {} {} {at}", run.table, run.status)));
    }
    if want("p50_duration")
        && let Some(m) = st.series.etl_durations.median()
    {
        row.figures.push(fig(format!("p50 {}", fmt::secs(m))));
    }
    if want("glue") {
        for g in &r.glue_runs {
            let s = def.state_status("glue", &g.state, Status::Ok);
            if s > Status::Ok {
                row.figures
                    .push(judged(format!("glue {} {}", g.job, g.state), s));
            }
        }
    }
}

/// The Logs overview line: headline figures and sparkline.
pub(super) fn logs_line(st: &State, _def: &PanelDef, row: &mut Row) {
    let l = &st.logs;
    if let Some(e) = l.buffer.iter().next_back() {
        row.figures.push(fig(format!(
            "last {}",
            fmt::truncate(e.event.message.trim_end(), 60)
        )));
    }
    row.figures.push(fig(format!("{} events", l.buffer.len())));
    if l.buffer.skipped > 0 {
        row.figures.push(judged(
            format!("{} skipped", l.buffer.skipped),
            Status::Warn,
        ));
    }
    if !l.errors.is_empty() {
        row.figures.push(judged(
            format!("{} groups failing", l.errors.len()),
            Status::Warn,
        ));
    }
}

/// The CloudWatch overview line: headline figures and sparkline.
pub(super) fn cloudwatch_line(st: &State, def: &PanelDef, row: &mut Row) {
    let d = &st.data;
    let Some(figs) = d.cloudwatch.as_ref().and_then(|m| m.get(&def.id)) else {
        return;
    };
    let worst = figs.iter().max_by_key(|f| f.status);
    let bad = figs.iter().filter(|f| f.status >= Status::Warn).count();
    row.figures.push(fig(format!("{} figures", figs.len())));
    match worst {
        Some(w) if w.status >= Status::Warn => {
            let v = w
                .value
                .map(|v| fmt::with_unit(v, &w.unit))
                .unwrap_or_else(|| "no data".into());
            row.figures
                .push(judged(format!("{} {v}", w.label), w.status));
            if bad > 1 {
                row.figures.push(fig(format!("+{} more", bad - 1)));
            }
        }
        _ => {
            for f in figs.iter().filter(|f| f.value.is_some()).take(2) {
                row.figures.push(fig(format!(
                    "{} {}",
                    f.label,
                    fmt::with_unit(f.value.unwrap_or(0.0), &f.unit)
                )));
            }
        }
    }
    if let Some(f) = figs.iter().find(|f| !f.history.is_empty()) {
        let max = f.history.iter().copied().fold(0.0, f64::max).max(1e-9);
        row.spark = f
            .history
            .iter()
            .map(|v| (v / max * 1000.0).max(0.0) as u64)
            .collect();
    }
}
