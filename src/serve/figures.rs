//! What each service's latest sample becomes on `/metrics`: every figure of the snapshot, named
//! `opsdeck_<service>_<figure>_<unit>` in base units (seconds, bytes, ratio 0..1), labelled with
//! `context`, `service` and, for a figure of one part, `instance` (replica, node address, bucket,
//! index, table, job, panel, alarm). Label values come from the config and the backend's bounded
//! vocabularies (StorageType, health colour, task action); ids that grow without bound (task ids,
//! run ids, dated index names) are never labels.

use super::families::{Desc, Families, Labels};
use crate::model::*;
use crate::services::Update;

fn base(context: &str, service: &str) -> Labels {
    vec![
        ("context", context.to_string()),
        ("service", service.to_string()),
    ]
}

fn with(mut l: Labels, extra: &[(&'static str, &str)]) -> Labels {
    l.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    l
}

fn bool01(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Add the families of one source's latest data.
pub fn add(f: &mut Families, context: &str, update: &Update) {
    match update {
        Update::Aurora(a) => aurora(f, context, a),
        Update::Redis(r) => redis(f, context, r),
        Update::S3(s) => s3(f, context, s),
        Update::OpenSearch(o) => opensearch(f, context, o),
        Update::Redshift(r) => redshift(f, context, r),
        Update::CloudWatch(panel, figs) => cloudwatch(f, context, "cloudwatch", panel, figs),
        Update::Alarms(a) => alarms(f, context, a),
        // log lines are not figures; serve never follows log groups
        Update::Logs(_) => {}
    }
}

// ---------------------------------------------------------------- Aurora / MySQL

pub const AURORA_REPLICA_LAG: Desc = Desc::gauge(
    "opsdeck_aurora_replica_lag",
    Some("seconds"),
    "Replica lag per replica (instance) and reading (source: heartbeat = pt-heartbeat table, sql = Seconds_Behind_Master, cloudwatch = AuroraReplicaLag).",
);
pub const AURORA_REPLICA_STATE: Desc = Desc::gauge(
    "opsdeck_aurora_replica_state",
    None,
    "Replication state per replica: 1 for the current state (replicating, stopped, error, unknown), 0 for the others.",
);
pub const AURORA_WRITER_CPU: Desc = Desc::gauge(
    "opsdeck_aurora_writer_cpu_utilization",
    Some("ratio"),
    "Writer CPUUtilization (CloudWatch), 0..1.",
);
pub const AURORA_WRITER_CONNECTIONS: Desc = Desc::gauge(
    "opsdeck_aurora_writer_connections",
    None,
    "Writer connections (Threads_connected / DatabaseConnections).",
);
pub const AURORA_WRITER_MAX_CONNECTIONS: Desc = Desc::gauge(
    "opsdeck_aurora_writer_max_connections",
    None,
    "Writer max_connections.",
);
pub const AURORA_WRITER_TRANSACTIONS: Desc = Desc::gauge(
    "opsdeck_aurora_writer_running_transactions",
    None,
    "Transactions running on the writer (information_schema.innodb_trx).",
);
pub const AURORA_WRITER_OLDEST_TRX: Desc = Desc::gauge(
    "opsdeck_aurora_writer_oldest_transaction_age",
    Some("seconds"),
    "Age of the writer's oldest running transaction.",
);

fn aurora(f: &mut Families, ctx: &str, a: &AuroraStatus) {
    let b = base(ctx, "aurora");
    for r in &a.replicas {
        let inst = with(b.clone(), &[("instance", &r.name)]);
        let mut readings = r.readings.clone();
        if readings.is_empty() {
            readings.push(LagReading {
                source: r.lag_source,
                lag_seconds: r.lag_seconds,
            });
        }
        for rd in &readings {
            let src = match rd.source {
                LagSource::Sql => "sql",
                LagSource::Heartbeat => "heartbeat",
                LagSource::Cloudwatch => "cloudwatch",
            };
            f.add_opt(
                &AURORA_REPLICA_LAG,
                with(inst.clone(), &[("source", src)]),
                rd.lag_seconds,
            );
        }
        for (state, name) in [
            (ReplicaState::Replicating, "replicating"),
            (ReplicaState::Stopped, "stopped"),
            (ReplicaState::Error, "error"),
            (ReplicaState::Unknown, "unknown"),
        ] {
            f.add(
                &AURORA_REPLICA_STATE,
                with(inst.clone(), &[("state", name)]),
                bool01(r.state == state),
            );
        }
    }
    if let Some(w) = &a.writer_health {
        let inst = with(b, &[("instance", a.writer.as_deref().unwrap_or(""))]);
        f.add_opt(
            &AURORA_WRITER_CPU,
            inst.clone(),
            w.cpu_percent.map(|p| p / 100.0),
        );
        let n = |v: Option<u64>| v.map(|v| v as f64);
        f.add_opt(&AURORA_WRITER_CONNECTIONS, inst.clone(), n(w.connections));
        f.add_opt(
            &AURORA_WRITER_MAX_CONNECTIONS,
            inst.clone(),
            n(w.max_connections),
        );
        f.add_opt(
            &AURORA_WRITER_TRANSACTIONS,
            inst.clone(),
            n(w.running_transactions),
        );
        f.add_opt(
            &AURORA_WRITER_OLDEST_TRX,
            inst,
            w.oldest_transaction_seconds,
        );
    }
}

// ---------------------------------------------------------------- Redis

pub const REDIS_HIT_RATIO: Desc = Desc::gauge(
    "opsdeck_redis_hit",
    Some("ratio"),
    "Keyspace hit ratio of the whole deployment over the last collection window: keyspace_hits / (keyspace_hits + keyspace_misses) deltas, 0..1.",
);
pub const REDIS_HIT_RATIO_LIFETIME: Desc = Desc::gauge(
    "opsdeck_redis_lifetime_hit",
    Some("ratio"),
    "Keyspace hit ratio since the nodes started (INFO keyspace_hits / (keyspace_hits + keyspace_misses), summed over nodes), 0..1.",
);
pub const REDIS_OPS: Desc = Desc::gauge(
    "opsdeck_redis_ops",
    Some("per_second"),
    "Commands processed per second over the last window (total_commands_processed deltas), whole deployment.",
);
pub const REDIS_EVICTIONS: Desc = Desc::gauge(
    "opsdeck_redis_evictions",
    Some("per_second"),
    "Keys evicted per second over the last window (evicted_keys deltas), whole deployment.",
);
pub const REDIS_NODE_HIT_RATIO: Desc = Desc::gauge(
    "opsdeck_redis_node_hit",
    Some("ratio"),
    "Keyspace hit ratio per node over the last window, 0..1.",
);
pub const REDIS_NODE_OPS: Desc = Desc::gauge(
    "opsdeck_redis_node_ops",
    Some("per_second"),
    "Commands processed per second per node over the last window.",
);
pub const REDIS_NODE_USED_MEMORY: Desc = Desc::gauge(
    "opsdeck_redis_node_used_memory",
    Some("bytes"),
    "INFO used_memory per node.",
);
pub const REDIS_NODE_MAX_MEMORY: Desc = Desc::gauge(
    "opsdeck_redis_node_maxmemory",
    Some("bytes"),
    "INFO maxmemory per node (0 = no limit).",
);
pub const REDIS_NODE_EVICTED: Desc = Desc::counter(
    "opsdeck_redis_node_evicted_keys",
    None,
    "INFO evicted_keys per node (resets when the node restarts or on CONFIG RESETSTAT).",
);
pub const REDIS_NODE_CLIENTS: Desc = Desc::gauge(
    "opsdeck_redis_node_connected_clients",
    None,
    "INFO connected_clients per node.",
);
pub const REDIS_NODE_REPL_LAG: Desc = Desc::gauge(
    "opsdeck_redis_node_replication_offset_lag",
    Some("bytes"),
    "Bytes of replication stream a replica is behind its primary (master_repl_offset - slave_repl_offset).",
);

fn redis(f: &mut Families, ctx: &str, r: &RedisStatus) {
    let b = base(ctx, "redis");
    f.add_opt(&REDIS_HIT_RATIO, b.clone(), r.hit_ratio);
    f.add_opt(&REDIS_HIT_RATIO_LIFETIME, b.clone(), r.hit_ratio_lifetime);
    f.add(&REDIS_OPS, b.clone(), r.ops_per_sec);
    f.add(&REDIS_EVICTIONS, b.clone(), r.evictions_per_sec);
    for n in &r.nodes {
        if n.error.is_some() && n.used_memory_bytes == 0 {
            continue;
        }
        let l = with(
            b.clone(),
            &[
                ("instance", &n.addr),
                ("role", &n.role),
                ("shard", n.shard.as_deref().unwrap_or("")),
            ],
        );
        f.add_opt(&REDIS_NODE_HIT_RATIO, l.clone(), n.hit_ratio);
        f.add(&REDIS_NODE_OPS, l.clone(), n.ops_per_sec);
        f.add(
            &REDIS_NODE_USED_MEMORY,
            l.clone(),
            n.used_memory_bytes as f64,
        );
        f.add(&REDIS_NODE_MAX_MEMORY, l.clone(), n.max_memory_bytes as f64);
        f.add(&REDIS_NODE_EVICTED, l.clone(), n.evicted_keys as f64);
        f.add(&REDIS_NODE_CLIENTS, l.clone(), n.connected_clients as f64);
        f.add_opt(&REDIS_NODE_REPL_LAG, l, n.repl_offset_lag.map(|v| v as f64));
    }
    if !r.cloudwatch.is_empty() {
        cloudwatch(f, ctx, "redis", "elasticache", &r.cloudwatch);
    }
}

// ---------------------------------------------------------------- S3

pub const S3_BUCKET_SIZE: Desc = Desc::gauge(
    "opsdeck_s3_bucket_size",
    Some("bytes"),
    "BucketSizeBytes per bucket (instance) and CloudWatch StorageType.",
);
pub const S3_BUCKET_OBJECTS: Desc = Desc::gauge(
    "opsdeck_s3_bucket_objects",
    None,
    "NumberOfObjects per bucket.",
);
pub const S3_BUCKET_COST: Desc = Desc::gauge(
    "opsdeck_s3_bucket_monthly_cost",
    Some("usd"),
    "Projected monthly storage cost per bucket at list price (data/s3_prices.toml or s3_prices), USD.",
);
pub const S3_BUCKET_RULES: Desc = Desc::gauge(
    "opsdeck_s3_bucket_lifecycle_rules",
    None,
    "Lifecycle rules per bucket and rule status (Enabled, Disabled).",
);

fn s3(f: &mut Families, ctx: &str, s: &S3Status) {
    let b = base(ctx, "s3");
    for bk in &s.buckets {
        let l = with(b.clone(), &[("instance", &bk.name)]);
        for (tier, bytes) in &bk.tiers {
            f.add(
                &S3_BUCKET_SIZE,
                with(l.clone(), &[("storage_type", tier)]),
                *bytes as f64,
            );
        }
        f.add(&S3_BUCKET_OBJECTS, l.clone(), bk.objects as f64);
        f.add(&S3_BUCKET_COST, l.clone(), bk.monthly_cost_usd);
        let mut by_status = std::collections::BTreeMap::<&str, u64>::new();
        for r in &bk.lifecycle_rules {
            *by_status.entry(r.status.as_str()).or_default() += 1;
        }
        for (status, n) in by_status {
            f.add(
                &S3_BUCKET_RULES,
                with(l.clone(), &[("status", status)]),
                n as f64,
            );
        }
    }
}

// ---------------------------------------------------------------- OpenSearch

pub const OS_HEALTH: Desc = Desc::gauge(
    "opsdeck_opensearch_cluster_health_status",
    None,
    "Cluster health: 1 for the current colour (green, yellow, red), 0 for the others.",
);
pub const OS_NODES: Desc = Desc::gauge("opsdeck_opensearch_nodes", None, "Nodes in the cluster.");
pub const OS_DOCS: Desc = Desc::gauge(
    "opsdeck_opensearch_docs",
    None,
    "Documents in all indices (_cat/indices docs.count summed).",
);
pub const OS_INDICES: Desc = Desc::gauge("opsdeck_opensearch_indices", None, "Number of indices.");
pub const OS_INDEX_DOCS: Desc = Desc::gauge(
    "opsdeck_opensearch_index_docs",
    None,
    "Documents per index, for indices behind an alias (the ones operations act on; dated indices would make the label unbounded).",
);
pub const OS_INDEX_SIZE: Desc = Desc::gauge(
    "opsdeck_opensearch_index_size",
    Some("bytes"),
    "Store size per index, for indices behind an alias.",
);
pub const OS_INDEXING_RATE: Desc = Desc::gauge(
    "opsdeck_opensearch_indexing_rate",
    Some("per_second"),
    "Documents indexed per second over the last window (index_total deltas).",
);
pub const OS_INDEXING_LATENCY: Desc = Desc::gauge(
    "opsdeck_opensearch_indexing_latency",
    Some("seconds"),
    "Mean indexing time per document over the last window.",
);
pub const OS_SEARCH_RATE: Desc = Desc::gauge(
    "opsdeck_opensearch_search_rate",
    Some("per_second"),
    "Search queries per second over the last window (query_total deltas).",
);
pub const OS_SEARCH_LATENCY: Desc = Desc::gauge(
    "opsdeck_opensearch_search_latency",
    Some("seconds"),
    "Mean query time over the last window.",
);
pub const OS_TASKS_RUNNING: Desc = Desc::gauge(
    "opsdeck_opensearch_tasks_running",
    None,
    "Running tasks opsdeck follows (reindex, update/delete by query), per action.",
);
pub const OS_TASK_TOTAL: Desc = Desc::gauge(
    "opsdeck_opensearch_task_total_docs",
    None,
    "Documents the running tasks of an action will process (status.total summed).",
);
pub const OS_TASK_CREATED: Desc = Desc::gauge(
    "opsdeck_opensearch_task_created_docs",
    None,
    "Documents the running tasks of an action have created so far (status.created summed).",
);
pub const OS_TASK_PROGRESS: Desc = Desc::gauge(
    "opsdeck_opensearch_task_progress",
    Some("ratio"),
    "Progress of the running tasks of an action: (created + updated) / total, 0..1.",
);

fn opensearch(f: &mut Families, ctx: &str, o: &OpenSearchStatus) {
    let b = base(ctx, "opensearch");
    for colour in ["green", "yellow", "red"] {
        f.add(
            &OS_HEALTH,
            with(b.clone(), &[("color", colour)]),
            bool01(o.health == colour),
        );
    }
    f.add(&OS_NODES, b.clone(), o.nodes as f64);
    f.add(
        &OS_DOCS,
        b.clone(),
        // Indices without stats (closed, red) add nothing rather than a false zero.
        o.indices
            .iter()
            .filter_map(|i| i.docs)
            .map(|d| d as f64)
            .sum(),
    );
    f.add(&OS_INDICES, b.clone(), o.indices.len() as f64);
    for i in o.indices.iter().filter(|i| !i.aliases.is_empty()) {
        let l = with(b.clone(), &[("instance", &i.name)]);
        f.add_opt(&OS_INDEX_DOCS, l.clone(), i.docs.map(|d| d as f64));
        f.add_opt(&OS_INDEX_SIZE, l, i.size_bytes.map(|b| b as f64));
    }
    f.add(&OS_INDEXING_RATE, b.clone(), o.indexing_rate_per_sec);
    f.add_opt(
        &OS_INDEXING_LATENCY,
        b.clone(),
        o.indexing_latency_ms.map(|ms| ms / 1000.0),
    );
    f.add(&OS_SEARCH_RATE, b.clone(), o.search_rate_per_sec);
    f.add_opt(
        &OS_SEARCH_LATENCY,
        b.clone(),
        o.search_latency_ms.map(|ms| ms / 1000.0),
    );
    let mut by_action = std::collections::BTreeMap::<&str, (u64, u64, u64)>::new();
    for t in o.tasks.iter().filter(|t| !t.done) {
        let e = by_action.entry(t.action.as_str()).or_default();
        e.0 += 1;
        e.1 += t.total;
        e.2 += t.created + t.updated;
    }
    for (action, (n, total, done)) in by_action {
        let l = with(b.clone(), &[("action", action)]);
        f.add(&OS_TASKS_RUNNING, l.clone(), n as f64);
        f.add(&OS_TASK_TOTAL, l.clone(), total as f64);
        f.add(&OS_TASK_CREATED, l.clone(), done as f64);
        if total > 0 {
            f.add(&OS_TASK_PROGRESS, l, done as f64 / total as f64);
        }
    }
}

// ---------------------------------------------------------------- Redshift, Glue

pub const RS_LOAD_DURATION: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_duration",
    Some("seconds"),
    "Duration of the latest COPY per table (sys_load_history), running ones included.",
);
pub const RS_LOAD_FAILED: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_failed",
    None,
    "1 when the latest COPY of a table failed or was aborted (or logged load errors), else 0.",
);
pub const RS_LOAD_STARTED: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_start_time",
    Some("seconds"),
    "Start of the latest COPY per table, Unix time.",
);
pub const RS_LOAD_ROWS: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_rows",
    None,
    "Rows loaded by the latest COPY per table.",
);
pub const RS_LOAD_SLOW: Desc = Desc::gauge(
    "opsdeck_redshift_last_load_slow",
    None,
    "1 when the latest COPY of a table took much longer than its recent median (slow_factor).",
);
pub const RS_LOADS: Desc = Desc::gauge(
    "opsdeck_redshift_loads",
    None,
    "COPY runs in the history opsdeck reads, per table and status.",
);
pub const GLUE_RUN_DURATION: Desc = Desc::gauge(
    "opsdeck_glue_last_job_run_duration",
    Some("seconds"),
    "Duration of the latest Glue job run (ExecutionTime), per job.",
);
pub const GLUE_RUN_FAILED: Desc = Desc::gauge(
    "opsdeck_glue_last_job_run_failed",
    None,
    "1 when the latest Glue job run ended FAILED, ERROR or TIMEOUT, else 0.",
);

fn load_failed(r: &LoadRun) -> bool {
    r.status == "aborted" || r.status == "failed" || r.error_count.unwrap_or(0) > 0
}

fn redshift(f: &mut Families, ctx: &str, r: &RedshiftStatus) {
    let b = base(ctx, "redshift");
    let mut latest = std::collections::BTreeMap::<&str, &LoadRun>::new();
    let mut counts = std::collections::BTreeMap::<(&str, &str), u64>::new();
    for run in &r.runs {
        *counts
            .entry((run.table.as_str(), run.status.as_str()))
            .or_default() += 1;
        let e = latest.entry(run.table.as_str()).or_insert(run);
        if run.started_at > e.started_at {
            *e = run;
        }
    }
    for (table, run) in latest {
        let l = with(b.clone(), &[("instance", table)]);
        f.add_opt(&RS_LOAD_DURATION, l.clone(), run.duration_seconds);
        f.add(&RS_LOAD_FAILED, l.clone(), bool01(load_failed(run)));
        f.add_opt(
            &RS_LOAD_STARTED,
            l.clone(),
            run.started_at.map(|t| t.timestamp_millis() as f64 / 1000.0),
        );
        f.add_opt(&RS_LOAD_ROWS, l.clone(), run.rows.map(|v| v as f64));
        f.add(&RS_LOAD_SLOW, l, bool01(run.slow));
    }
    for ((table, status), n) in counts {
        f.add(
            &RS_LOADS,
            with(b.clone(), &[("instance", table), ("status", status)]),
            n as f64,
        );
    }
    let g = base(ctx, "glue");
    let mut glue = std::collections::BTreeMap::<&str, &GlueRun>::new();
    for run in &r.glue_runs {
        let e = glue.entry(run.job.as_str()).or_insert(run);
        if run.started_at > e.started_at {
            *e = run;
        }
    }
    for (job, run) in glue {
        let l = with(g.clone(), &[("instance", job)]);
        f.add_opt(&GLUE_RUN_DURATION, l.clone(), run.duration_seconds);
        f.add(
            &GLUE_RUN_FAILED,
            l,
            bool01(matches!(run.state.as_str(), "FAILED" | "ERROR" | "TIMEOUT")),
        );
    }
}

// ---------------------------------------------------------------- CloudWatch panels, alarms

pub const CW_SECONDS: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure",
    Some("seconds"),
    "A CloudWatch panel figure measured in time (panel unit s or ms), per panel (instance) and figure.",
);
pub const CW_BYTES: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure",
    Some("bytes"),
    "A CloudWatch panel figure measured in bytes, per panel (instance) and figure.",
);
pub const CW_RATIO: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure",
    Some("ratio"),
    "A CloudWatch panel figure given in percent, as a ratio 0..1, per panel (instance) and figure.",
);
pub const CW_RATE: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure",
    Some("per_second"),
    "A CloudWatch panel figure given per second, per panel (instance) and figure.",
);
pub const CW_VALUE: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure_value",
    None,
    "A CloudWatch panel figure without a base unit (counts), per panel (instance) and figure.",
);
pub const CW_STATUS: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure_status",
    None,
    "A panel figure judged against its panel thresholds: 1 for the current status (ok, warn, crit, no_data), 0 for the others.",
);
pub const ALARM_STATE: Desc = Desc::gauge(
    "opsdeck_cloudwatch_alarm_state",
    None,
    "CloudWatch alarm state per alarm (instance): 1 for the current StateValue (OK, ALARM, INSUFFICIENT_DATA), 0 for the others.",
);

fn cloudwatch(f: &mut Families, ctx: &str, service: &str, panel: &str, figs: &[CwFigure]) {
    let b = with(base(ctx, service), &[("instance", panel)]);
    for fig in figs {
        let l = with(b.clone(), &[("figure", &fig.label)]);
        let (desc, scale) = match fig.unit.as_str() {
            "s" => (&CW_SECONDS, 1.0),
            "ms" => (&CW_SECONDS, 0.001),
            "bytes" => (&CW_BYTES, 1.0),
            "%" => (&CW_RATIO, 0.01),
            u if u.ends_with("/s") => (&CW_RATE, 1.0),
            _ => (&CW_VALUE, 1.0),
        };
        f.add_opt(desc, l.clone(), fig.value.map(|v| v * scale));
        for (st, name) in [
            (Status::Ok, "ok"),
            (Status::Warn, "warn"),
            (Status::Crit, "crit"),
            (Status::NoData, "no_data"),
        ] {
            f.add(
                &CW_STATUS,
                with(l.clone(), &[("status", name)]),
                bool01(fig.status == st),
            );
        }
    }
}

fn alarms(f: &mut Families, ctx: &str, alarms: &[Alarm]) {
    let b = base(ctx, "cloudwatch");
    for a in alarms {
        for state in ["OK", "ALARM", "INSUFFICIENT_DATA"] {
            f.add(
                &ALARM_STATE,
                with(b.clone(), &[("instance", &a.name), ("state", state)]),
                bool01(a.state == state),
            );
        }
    }
}
