//! Deterministic StreamShop-shaped data for unit tests of findings, checks, exports and state
//! folding: a fixed clock, a fixed snapshot with edge cases picked by hand, and a State that has
//! seen a minute of samples. Compiled into tests only; the UI snapshots render the fixed-seed
//! simulation through the real collectors instead (tests/ui_snapshots.rs).

pub mod fleet;
use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use crate::model::service::PanelKind;
use crate::model::source::{Sample, SourceKind, Update};
use crate::model::*;
use crate::state::{State, StateInit};

/// 2026-11-25 14:02:11 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 14, 2, 11).unwrap()
}

fn at(h: u32, m: u32) -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2026, 11, 25, h, m, 0).unwrap())
}

const TB: u64 = 1_000_000_000_000;
const GB: u64 = 1_000_000_000;

pub fn aurora() -> AuroraStatus {
    AuroraStatus {
        cluster: "catalog".into(),
        writer: Some("catalog-1".into()),
        replicas: vec![
            ReplicaStatus {
                name: "catalog-2".into(),
                lag_seconds: Some(4.2),
                lag_source: LagSource::Heartbeat,
                state: ReplicaState::Replicating,
                readings: vec![
                    LagReading {
                        source: LagSource::Heartbeat,
                        lag_seconds: Some(4.2),
                    },
                    LagReading {
                        source: LagSource::Sql,
                        lag_seconds: Some(4.0),
                    },
                ],
                io_running: Some(true),
                sql_running: Some(true),
                last_error: None,
                gtid_position: Some("0-1-88123".into()),
            },
            ReplicaStatus {
                name: "catalog-3".into(),
                lag_seconds: Some(0.4),
                lag_source: LagSource::Sql,
                state: ReplicaState::Replicating,
                readings: vec![LagReading {
                    source: LagSource::Sql,
                    lag_seconds: Some(0.4),
                }],
                io_running: Some(true),
                sql_running: Some(true),
                last_error: None,
                gtid_position: Some("0-1-88140".into()),
            },
        ],
        instances: vec![
            DbInstance {
                name: "catalog-1".into(),
                role: "writer".into(),
                class: Some("db.r6g.2xlarge".into()),
                status: Some("available".into()),
                promotion_tier: Some(0),
            },
            DbInstance {
                name: "catalog-2".into(),
                role: "reader".into(),
                class: Some("db.r6g.xlarge".into()),
                status: Some("available".into()),
                promotion_tier: Some(1),
            },
            DbInstance {
                name: "catalog-3".into(),
                role: "reader".into(),
                class: Some("db.r6g.xlarge".into()),
                status: Some("available".into()),
                promotion_tier: Some(2),
            },
        ],
        writer_health: Some(WriterHealth {
            cpu_percent: Some(71.0),
            connections: Some(812),
            max_connections: Some(2000),
            running_transactions: Some(14),
            oldest_transaction_seconds: Some(3.2),
        }),
        gone: Vec::new(),
        errors: Vec::new(),
    }
}

pub fn redis() -> RedisStatus {
    let node = |i: usize, role: &str, shard: usize, mem_pct: f64, ops: f64, hit: f64| RedisNode {
        addr: format!("10.0.{shard}.{}:6379", 10 + i),
        role: role.into(),
        hit_ratio: Some(hit),
        used_memory_bytes: (mem_pct / 100.0 * 13.0 * GB as f64) as u64,
        evicted_keys: if shard == 2 { 912_000 } else { 0 },
        connected_clients: if role == "master" { 1210 } else { 40 },
        max_memory_bytes: 13 * GB,
        hit_ratio_lifetime: Some(0.91),
        ops_per_sec: ops,
        evictions_per_sec: if shard == 2 && role == "master" {
            420.0
        } else {
            0.0
        },
        repl_offset_lag: (role == "replica").then_some(if shard == 2 { 48_000 } else { 0 }),
        shard: Some(format!("shard-{shard}")),
        error: None,
    };
    let nodes = vec![
        node(0, "master", 1, 61.0, 58_000.0, 0.93),
        node(1, "replica", 1, 61.0, 2_000.0, 0.95),
        node(2, "master", 2, 93.0, 71_000.0, 0.79),
        node(3, "replica", 2, 92.0, 3_000.0, 0.81),
        node(4, "master", 3, 58.0, 46_000.0, 0.92),
        node(5, "replica", 3, 58.0, 2_000.0, 0.94),
    ];
    RedisStatus {
        hit_ratio: Some(0.874),
        hit_ratio_window_seconds: Some(60.0),
        hit_ratio_lifetime: Some(0.912),
        ops_per_sec: 182_000.0,
        rate_window_seconds: Some(1.0),
        used_memory_bytes: nodes.iter().map(|n| n.used_memory_bytes).sum(),
        max_memory_bytes: nodes.iter().map(|n| n.max_memory_bytes).sum(),
        nodes,
        cluster: true,
        evictions_per_sec: 420.0,
        cloudwatch: Vec::new(),
        errors: Vec::new(),
    }
}

pub fn s3() -> S3Status {
    let total = 30_400 * GB;
    let tiers: BTreeMap<String, u64> = [
        ("StandardStorage", total * 41 / 100),
        ("StandardIAStorage", total * 33 / 100),
        ("GlacierInstantRetrievalStorage", total * 12 / 100),
        ("DeepArchiveStorage", total * 14 / 100),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let price = |k: &str| match k {
        "StandardStorage" => 0.023,
        "StandardIAStorage" => 0.0125,
        "GlacierInstantRetrievalStorage" => 0.004,
        "DeepArchiveStorage" => 0.00099,
        _ => 0.023,
    };
    let cost_by_tier: BTreeMap<String, f64> = tiers
        .iter()
        .map(|(k, v)| (k.clone(), *v as f64 / GB as f64 * price(k)))
        .collect();
    let media = BucketStatus {
        name: "streamshop-media".into(),
        total_bytes: total,
        objects: 48_200_000,
        monthly_cost_usd: cost_by_tier.values().sum(),
        tiers,
        cost_by_tier,
        lifecycle_rules: vec![
            LifecycleRuleSummary {
                id: "media-to-ia-30d".into(),
                status: "Enabled".into(),
                summary: "after 30 d -> STANDARD_IA".into(),
            },
            LifecycleRuleSummary {
                id: "media-to-glacier-ir-90d".into(),
                status: "Enabled".into(),
                summary: "after 90 d -> GLACIER_IR".into(),
            },
            LifecycleRuleSummary {
                id: "originals-deep-archive-365d".into(),
                status: "Enabled".into(),
                summary: "prefix originals/: after 365 d -> DEEP_ARCHIVE".into(),
            },
            LifecycleRuleSummary {
                id: "abort-multipart-7d".into(),
                status: "Enabled".into(),
                summary: "abort incomplete uploads after 7 d".into(),
            },
        ],
        measured_by: "cloudwatch".into(),
        as_of: at(0, 0),
        has_lifecycle: true,
        ..Default::default()
    };
    let logs_bytes = 2 * TB + 150 * GB;
    let logs = BucketStatus {
        name: "streamshop-logs".into(),
        total_bytes: logs_bytes,
        objects: 9_100_000,
        tiers: [("StandardStorage".to_string(), logs_bytes)].into(),
        monthly_cost_usd: logs_bytes as f64 / GB as f64 * 0.023,
        cost_by_tier: [(
            "StandardStorage".to_string(),
            logs_bytes as f64 / GB as f64 * 0.023,
        )]
        .into(),
        lifecycle_rules: Vec::new(),
        measured_by: "cloudwatch".into(),
        as_of: at(0, 0),
        has_lifecycle: false,
        ..Default::default()
    };
    S3Status {
        buckets: vec![media, logs],
        ..Default::default()
    }
}

pub fn opensearch() -> OpenSearchStatus {
    OpenSearchStatus {
        health: "green".into(),
        indexing_rate_per_sec: 340.0,
        rate_window_seconds: Some(1.0),
        indices: vec![
            IndexStatus {
                name: "products_v1".into(),
                docs: Some(2_000_000),
                size_bytes: Some(3_100_000_000),
                state: Default::default(),
                aliases: vec!["products".into()],
                health: Some("green".into()),
            },
            IndexStatus {
                name: "products_v2".into(),
                docs: Some(1_240_000),
                size_bytes: Some(1_900_000_000),
                state: Default::default(),
                aliases: vec![],
                health: Some("green".into()),
            },
            IndexStatus {
                name: "search-logs-2026.11".into(),
                docs: Some(18_400_000),
                size_bytes: Some(7_600_000_000),
                state: Default::default(),
                aliases: vec!["search-logs".into()],
                health: Some("green".into()),
            },
        ],
        tasks: vec![TaskStatus {
            id: "oTUltX4IQMOUUVeiohTt8A:12345".into(),
            action: "indices:data/write/reindex".into(),
            total: 2_000_000,
            created: 1_240_000,
            done: false,
            updated: 0,
            description: Some("reindex from [products_v1] to [products_v2]".into()),
            running_seconds: Some(412.0),
        }],
        cluster_name: Some("streamshop-search".into()),
        nodes: 3,
        indexing_latency_ms: Some(2.1),
        search_rate_per_sec: 1_850.0,
        search_latency_ms: Some(18.0),
        ..Default::default()
    }
}

pub fn redshift() -> RedshiftStatus {
    let run = |id: u32, table: &str, status: &str, h: u32, dur: f64, rows: u64| LoadRun {
        id: format!("q{id}"),
        table: table.into(),
        status: status.into(),
        started_at: at(h, 0),
        duration_seconds: Some(dur),
        rows: Some(rows),
        error: None,
        bytes: Some(rows * 180),
        files: Some(24),
        slow: false,
        ..Default::default()
    };
    let mut runs = Vec::new();
    for (i, h) in (6..13).enumerate() {
        runs.push(run(
            100 + i as u32,
            "fact_orders",
            "completed",
            h,
            88.0 + (i as f64 * 3.0) % 11.0,
            410_000,
        ));
    }
    for (i, h) in (9..13).enumerate() {
        runs.push(run(
            200 + i as u32,
            "fact_clicks",
            "completed",
            h,
            140.0 + i as f64 * 5.0,
            9_800_000,
        ));
    }
    let mut failed = run(210, "fact_clicks", "failed", 13, 12.0, 0);
    failed.error = Some("Invalid digit, Value 'x', Pos 0, Type: Integer".into());
    runs.push(failed);
    let mut slow = run(301, "dim_products", "completed", 13, 410.0, 2_000_000);
    slow.slow = true;
    runs.push(slow);
    runs.push(run(302, "fact_orders", "running", 14, 41.0, 0));
    runs.sort_by_key(|r| std::cmp::Reverse(r.started_at));
    RedshiftStatus {
        runs,
        glue_runs: vec![
            GlueRun {
                job: "orders-etl".into(),
                id: "jr_4f1c".into(),
                state: "SUCCEEDED".into(),
                started_at: at(13, 30),
                duration_seconds: Some(312.0),
                dpu_seconds: Some(3120.0),
                error: None,
                ..Default::default()
            },
            GlueRun {
                job: "clicks-etl".into(),
                id: "jr_9a2e".into(),
                state: "RUNNING".into(),
                started_at: at(14, 0),
                duration_seconds: Some(131.0),
                dpu_seconds: None,
                error: None,
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

fn fig(label: &str, value: Option<f64>, unit: &str, status: Status, history: &[f64]) -> CwFigure {
    CwFigure {
        label: label.into(),
        value,
        unit: unit.into(),
        status,
        at: Some(now() - chrono::Duration::seconds(if value.is_some() { 240 } else { 0 }))
            .filter(|_| value.is_some()),
        period_seconds: Some(300),
        history: history.to_vec(),
        backfill: Vec::new(),
        error: None,
    }
}

pub fn cloudwatch() -> BTreeMap<String, Vec<CwFigure>> {
    let mut m = BTreeMap::new();
    m.insert(
        "cloudfront".to_string(),
        vec![
            fig(
                "requests E2MEDIA",
                Some(1_840_000.0),
                "count",
                Status::Ok,
                &[1.6e6, 1.7e6, 1.75e6, 1.8e6, 1.84e6],
            ),
            fig(
                "cache hit rate E2MEDIA",
                Some(91.3),
                "%",
                Status::Ok,
                &[90.0, 91.0, 92.0, 91.3],
            ),
            fig("4xx error rate E2MEDIA", Some(0.8), "%", Status::Ok, &[]),
            fig(
                "5xx error rate E2MEDIA",
                Some(1.4),
                "%",
                Status::Warn,
                &[0.1, 0.2, 0.9, 1.4],
            ),
            fig(
                "origin latency p90 E2MEDIA",
                Some(212.0),
                "ms",
                Status::Ok,
                &[],
            ),
        ],
    );
    m.insert(
        "dynamodb".to_string(),
        vec![
            fig(
                "read capacity used carts",
                Some(62.0),
                "%",
                Status::Ok,
                &[50.0, 55.0, 62.0],
            ),
            fig(
                "write capacity used carts",
                Some(71.5),
                "%",
                Status::Ok,
                &[],
            ),
            fig(
                "throttled requests carts",
                Some(0.0),
                "count",
                Status::Ok,
                &[],
            ),
            fig("GetItem latency carts", Some(4.1), "ms", Status::Ok, &[]),
        ],
    );
    m.insert(
        "dms".to_string(),
        vec![
            fig(
                "CDC latency source orders-cdc",
                Some(2.0),
                "s",
                Status::Ok,
                &[1.0, 2.0, 2.0],
            ),
            fig(
                "CDC latency target orders-cdc",
                Some(14.0),
                "s",
                Status::Warn,
                &[3.0, 8.0, 14.0],
            ),
            fig(
                "CDC incoming changes orders-cdc",
                Some(1_200.0),
                "count",
                Status::Ok,
                &[],
            ),
            fig(
                "full load rows/s orders-cdc",
                None,
                "count/s",
                Status::NoData,
                &[],
            ),
        ],
    );
    m
}

pub fn alarms() -> Vec<Alarm> {
    vec![
        Alarm {
            name: "orders-api-5xx".into(),
            state: "OK".into(),
            reason: "Threshold Crossed: 1 datapoint [0.2] was not greater than 1.0".into(),
            since: at(11, 5),
            namespace: Some("AWS/ApplicationELB".into()),
            metric: Some("HTTPCode_Target_5XX_Count".into()),
            panel: None,
            ..Default::default()
        },
        Alarm {
            name: "dms-orders-cdc-latency".into(),
            state: "INSUFFICIENT_DATA".into(),
            reason: "Insufficient Data: 3 datapoints were unknown".into(),
            since: at(13, 40),
            namespace: Some("AWS/DMS".into()),
            metric: Some("CDCLatencyTarget".into()),
            panel: Some("dms".into()),
            ..Default::default()
        },
        Alarm {
            name: "catalog-replica-lag".into(),
            state: "ALARM".into(),
            reason: "AuroraReplicaLag > 1000 ms for 3 datapoints".into(),
            since: at(13, 58),
            namespace: Some("AWS/RDS".into()),
            metric: Some("AuroraReplicaLag".into()),
            panel: Some("aurora".into()),
            ..Default::default()
        },
    ]
}

/// The fixture as one snapshot (what `opsdeck check` would evaluate).
pub fn snapshot() -> Snapshot {
    Snapshot {
        taken_at: now(),
        context: "prod-us-east-1".into(),
        demo: false,
        aurora: Some(aurora()),
        redis: Some(redis()),
        s3: Some(s3()),
        opensearch: Some(opensearch()),
        redshift: Some(redshift()),
        cloudwatch: Some(cloudwatch()),
        alarms: alarms(),
        alarms_ok_count: None,
        errors: Vec::new(),
    }
}

fn sample(at: DateTime<Utc>, update: Update) -> Sample {
    let source = update.source();
    let result = Ok(update);
    Sample { source, at, result }
}

/// Sources the fixture registers, with their collection intervals.
pub fn sources() -> Vec<(SourceKind, Duration)> {
    let secs = Duration::from_secs;
    let cw = |id: &str| SourceKind::CloudWatch(id.into());
    vec![
        (PanelKind::Aurora.source(""), secs(1)),
        (PanelKind::Redis.source(""), secs(1)),
        (PanelKind::S3.source(""), secs(3600)),
        (PanelKind::OpenSearch.source(""), secs(2)),
        (PanelKind::Redshift.source(""), secs(60)),
        (cw("cloudfront"), secs(60)),
        (cw("dynamodb"), secs(60)),
        (cw("dms"), secs(60)),
        (SourceKind::Alarms, secs(60)),
    ]
}

/// A State that has seen a minute of samples ending at `now()`, with wavy but deterministic
/// history so sparklines and charts have shape.
pub fn state() -> State {
    let mut st = State::new(StateInit {
        context: "prod-us-east-1".into(),
        colour: Some("red".into()),
        demo: false,
        read_only: true,
        ..StateInit::default()
    });
    for (k, i) in sources() {
        st.register_source(k, i);
    }
    let t0 = now() - chrono::Duration::seconds(60);
    for i in 0..60i64 {
        let t = t0 + chrono::Duration::seconds(i);
        let x = i as f64;
        let mut a = aurora();
        a.replicas[0].lag_seconds = Some(0.3 + 3.9 * (x / 59.0).powi(3));
        a.replicas[1].lag_seconds = Some(0.2 + 0.2 * ((x / 5.0).sin().abs()));
        let mut r = redis();
        r.ops_per_sec = 150_000.0 + 32_000.0 * (x / 9.0).sin().abs();
        r.hit_ratio = Some(0.874 + 0.03 * (x / 7.0).cos());
        let mut o = opensearch();
        o.indexing_rate_per_sec = 300.0 + 40.0 * (x / 4.0).sin();
        if i == 59 {
            a = aurora();
            r = redis();
            o = opensearch();
        }
        st.apply_sample(sample(t, Update::Aurora(a)));
        st.apply_sample(sample(t, Update::Redis(r)));
        if i % 2 == 1 {
            st.apply_sample(sample(t, Update::OpenSearch(o)));
        }
    }
    let t = now();
    st.apply_sample(sample(t - chrono::Duration::seconds(600), Update::S3(s3())));
    st.apply_sample(sample(
        t - chrono::Duration::seconds(20),
        Update::Redshift(redshift()),
    ));
    for (id, figs) in cloudwatch() {
        st.apply_sample(sample(
            t - chrono::Duration::seconds(30),
            Update::CloudWatch(id, figs),
        ));
    }
    st.apply_sample(sample(
        t - chrono::Duration::seconds(20),
        Update::Alarms(crate::model::source::AlarmsSample::listed(alarms())),
    ));
    st.now = t;
    st
}
