//! Model behaviour, stepped in simulated time (no wall-clock waits).

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::lifecycle::StorageClass;
use super::*;
use crate::model::{LagSource, ReplicaState};
use crate::services::{SourceKind, Update};

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

fn start() -> DateTime<Utc> {
    // 17:00 UTC = noon in StreamShop's US Eastern day.
    Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap()
}

fn opts(seed: u64, scenario: Scenario) -> SimOptions {
    SimOptions {
        seed,
        speed: 1.0,
        scenario,
        start: Some(start()),
    }
}

/// The S3, OpenSearch and Redshift collectors over the simulated wires, then the alarms,
/// at each sim time.
async fn run(seed: u64, scenario: Scenario, times: &[f64]) -> Vec<Vec<Update>> {
    let world = world(&opts(seed, scenario));
    let mut cs: Vec<crate::services::BoxCollector> = service_collectors(&world, false)
        .into_iter()
        .skip(2)
        .collect();
    cs.push(Box::new(alarms_collector(&world, false)));
    let mut out = Vec::new();
    for &t in times {
        lock(&world).advance_to(t);
        let mut row = Vec::new();
        for c in &mut cs {
            row.push(c.collect().await.expect("a sim round"));
        }
        out.push(row);
    }
    out
}

fn redis_ops(w: &World) -> f64 {
    w.redis.nodes.iter().map(|n| n.ops_rate).sum()
}

/// Two rounds of the real Redis collector over the simulated wire, `window` sim seconds apart
/// ending at `t`: what the demo shows at that moment.
async fn redis_window(world: &SharedWorld, t: f64, window: f64) -> crate::model::RedisStatus {
    let mut c = redis_collector_raw(world, false);
    lock(world).advance_to(t - window);
    c.round().await.expect("first round");
    lock(world).advance_to(t);
    c.round().await.expect("second round")
}

#[tokio::test]
async fn same_seed_and_sim_times_give_identical_numbers() {
    let times = [1.0, 2.0, 30.0, 600.0, 2.0 * HOUR];
    let a = run(7, Scenario::BlackFriday, &times).await;
    let b = run(7, Scenario::BlackFriday, &times).await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn different_seeds_give_different_numbers() {
    let times = [1.0, 60.0];
    let a = run(1, Scenario::Normal, &times).await;
    let b = run(2, Scenario::Normal, &times).await;
    assert_ne!(a, b);
    let s3 = |u: &Vec<Vec<Update>>| u[1][0].clone();
    assert_ne!(s3(&a), s3(&b));
}

#[test]
fn black_friday_raises_redis_ops_tenfold_and_replica_lag() {
    let mut normal = World::new(&opts(3, Scenario::Normal));
    let mut bf = World::new(&opts(3, Scenario::BlackFriday));
    normal.advance_to(40.0 * 60.0);
    bf.advance_to(40.0 * 60.0);
    let ratio = redis_ops(&bf) / redis_ops(&normal);
    assert!((7.0..13.0).contains(&ratio), "ops ratio {ratio}");
    let lag_n = normal.replica_lag("catalog-2").unwrap();
    let lag_b = bf.replica_lag("catalog-2").unwrap();
    assert!(lag_b > 5.0, "black friday catalog-2 lag {lag_b}");
    assert!(lag_b > 10.0 * lag_n, "lag {lag_b} vs normal {lag_n}");
    // And it comes back down after the event.
    bf.advance_to(4.0 * HOUR);
    assert!(bf.replica_lag("catalog-2").unwrap() < 2.0);
}

#[test]
fn black_friday_sets_the_replica_lag_alarm_with_a_reason() {
    let mut w = World::new(&opts(5, Scenario::BlackFriday));
    w.advance_to(30.0 * 60.0);
    let alarm = w
        .alarms()
        .into_iter()
        .find(|a| a.name == "catalog-replica-lag")
        .unwrap();
    assert_eq!(alarm.state, "ALARM");
    assert!(alarm.reason.contains("3 datapoints"), "{}", alarm.reason);
    assert!(alarm.since.unwrap() <= w.now());
}

#[tokio::test]
async fn redis_hit_ratio_falls_and_evictions_rise_when_working_set_outgrows_memory() {
    let window = |scenario| async move {
        let w = world(&opts(9, scenario));
        redis_window(&w, 41.0 * 60.0, 60.0).await
    };
    let normal = window(Scenario::Normal).await;
    let bf = window(Scenario::BlackFriday).await;
    let shard2 = |r: &crate::model::RedisStatus| {
        r.nodes
            .iter()
            .find(|n| n.shard.as_deref() == Some("shard-2") && n.role == "primary")
            .cloned()
            .unwrap()
    };
    assert!(shard2(&normal).used_memory_bytes < shard2(&normal).max_memory_bytes);
    assert!(
        bf.hit_ratio.unwrap() < normal.hit_ratio.unwrap() - 0.02,
        "bf {:?} normal {:?}",
        bf.hit_ratio,
        normal.hit_ratio
    );
    assert!(shard2(&bf).hit_ratio.unwrap() < 0.9);
    assert!(bf.evictions_per_sec > 10.0 * normal.evictions_per_sec.max(1.0));
    // Lifetime ratio moves far less than the windowed one: it is dominated by history.
    assert!(
        (bf.hit_ratio_lifetime.unwrap() - normal.hit_ratio_lifetime.unwrap()).abs()
            < (bf.hit_ratio.unwrap() - normal.hit_ratio.unwrap()).abs()
    );
}

#[tokio::test]
async fn the_demo_redis_topology_comes_from_cluster_nodes_and_replication_from_info() {
    let w = world(&opts(2, Scenario::Normal));
    let r = redis_window(&w, 600.0, 1.0).await;
    assert!(r.cluster);
    assert_eq!(r.nodes.len(), 6, "{:?}", r.nodes);
    for shard in ["shard-1", "shard-2", "shard-3"] {
        let roles: Vec<&str> = r
            .nodes
            .iter()
            .filter(|n| n.shard.as_deref() == Some(shard))
            .map(|n| n.role.as_str())
            .collect();
        assert_eq!(roles, ["primary", "replica"], "{shard}");
    }
    assert!(
        r.nodes
            .iter()
            .filter(|n| n.role == "replica")
            .all(|n| n.repl_offset_lag.is_some())
    );
    assert!(r.ops_per_sec > 0.0 && r.hit_ratio.is_some() && r.rate_window_seconds.is_some());
}

#[tokio::test]
async fn the_first_demo_redis_sample_has_no_windowed_ratio_or_rate() {
    let w = world(&opts(1, Scenario::Normal));
    let mut c = redis_collector_raw(&w, false);
    let first = c.round().await.unwrap();
    assert_eq!(first.hit_ratio, None, "a ratio needs two samples");
    assert_eq!(first.ops_per_sec, 0.0);
    assert_eq!(
        first.rate_window_seconds, None,
        "the 0 ops/s of a first sample is 'not yet', not a measured zero"
    );
    assert!(first.hit_ratio_lifetime.is_some());
}

#[test]
fn counters_never_go_backwards() {
    let mut w = World::new(&opts(11, Scenario::BlackFriday));
    let counters = |w: &World| -> Vec<[f64; 4]> {
        w.redis
            .nodes
            .iter()
            .map(|n| [n.hits, n.misses, n.evicted, n.commands])
            .collect()
    };
    let mut prev = counters(&w);
    for i in 1..=300 {
        w.advance_to(i as f64 * 7.3);
        let now = counters(&w);
        for (a, b) in prev.iter().zip(&now) {
            assert!(a.iter().zip(b).all(|(x, y)| y >= x), "{a:?} -> {b:?}");
        }
        prev = now;
    }
}

#[tokio::test]
async fn a_restarted_demo_redis_node_gives_no_rate_across_the_restart() {
    let w = world(&opts(1, Scenario::Normal));
    let mut c = redis_collector_raw(&w, false);
    c.round().await.unwrap();
    let node = {
        let mut g = lock(&w);
        g.advance_by(Duration::from_secs(5));
        let id = g.redis.nodes[0].id.clone();
        assert!(g.restart_redis_node(&id));
        g.redis.nodes[0].addr.clone()
    };
    lock(&w).advance_by(Duration::from_secs(5));
    let r = c.round().await.unwrap();
    let n = r.nodes.iter().find(|n| n.addr == node).unwrap();
    assert_eq!(n.hit_ratio, None, "no ratio across a restart");
    assert_eq!(n.ops_per_sec, 0.0);
    assert!(r.ops_per_sec >= 0.0);
    assert!(
        r.nodes
            .iter()
            .all(|n| n.hit_ratio.is_none_or(|h| (0.0..=1.0).contains(&h)))
    );
    // The next round has a baseline again.
    lock(&w).advance_by(Duration::from_secs(5));
    let r = c.round().await.unwrap();
    let n = r.nodes.iter().find(|n| n.addr == node).unwrap();
    assert!(n.hit_ratio.is_some() && n.ops_per_sec > 0.0);
}

#[test]
fn lifecycle_rules_move_bytes_to_standard_ia_after_thirty_days() {
    let mut w = World::new(&opts(4, Scenario::Normal));
    let tier = |w: &World, k: &str| *w.s3.tiers.get(k).unwrap_or(&0.0);
    let ia0 = tier(&w, "StandardIAStorage");
    let total0 = w.s3.total_bytes();
    // Without rules, new uploads stay in STANDARD.
    w.delete_lifecycle("streamshop-media").unwrap();
    let std0 = w.s3_bytes_by_class("images/")[&StorageClass::Standard];
    w.advance_to(10.0 * DAY);
    let std10 = w.s3_bytes_by_class("images/")[&StorageClass::Standard];
    assert!(std10 > std0);
    // With the default rules back, images older than 30 days leave STANDARD for STANDARD_IA.
    w.put_lifecycle("streamshop-media", super::s3::default_rules())
        .unwrap();
    w.advance_to(45.0 * DAY);
    let images = w.s3_bytes_by_class("images/");
    let daily_max = 1.2e12 / 30.4 * 1.2;
    assert!(images[&StorageClass::Standard] <= 31.0 * daily_max);
    assert!(tier(&w, "StandardIAStorage") > ia0);
    // ~5 TB/month of growth.
    let grown = (w.s3.total_bytes() - total0) / 1e12;
    assert!((6.0..9.5).contains(&grown), "grew {grown} TB in 45 days");
}

#[test]
fn storage_classes_follow_the_s3_waterfall() {
    assert!(StorageClass::StandardIa.can_transition_to(StorageClass::GlacierIr));
    assert!(!StorageClass::GlacierIr.can_transition_to(StorageClass::StandardIa));
    assert!(!StorageClass::OnezoneIa.can_transition_to(StorageClass::GlacierIr));
    assert_eq!(
        StorageClass::from_api("GLACIER_IR"),
        Some(StorageClass::GlacierIr)
    );
    assert_eq!(StorageClass::from_api("EXPRESS_ONEZONE"), None);
}

#[test]
fn price_table_is_keyed_by_storage_type() {
    let table = crate::services::s3::prices::PriceTable::new(None, &Default::default());
    let p = table.as_map();
    assert_eq!(p["StandardStorage"], 0.023);
    assert_eq!(p["StandardIAStorage"], 0.0125);
    assert_eq!(p["DeepArchiveStorage"], 0.00099);
    assert_eq!(p["IntelligentTieringAIAStorage"], 0.004);
    for c in [
        StorageClass::Standard,
        StorageClass::StandardIa,
        StorageClass::OnezoneIa,
        StorageClass::GlacierIr,
        StorageClass::Glacier,
        StorageClass::DeepArchive,
        StorageClass::IntelligentTiering,
    ] {
        assert!(p.contains_key(c.storage_type()), "{c:?}");
    }
}

#[test]
fn reindex_task_progresses_to_done_and_alias_moves_atomically() {
    let mut w = World::new(&opts(8, Scenario::Normal));
    let id = w.start_reindex("products", "products_v2").unwrap();
    w.advance_by(Duration::from_secs(60));
    let t = w.task(&id).unwrap();
    assert!(t.created > 0 && t.created < t.total, "{t:?}");
    assert_eq!(w.search_health(), "green");
    // Throttled, it slows down.
    w.rethrottle(&id, Some(100.0)).unwrap();
    let before = w.task(&id).unwrap().created;
    w.advance_by(Duration::from_secs(10));
    assert!(w.task(&id).unwrap().created - before <= 1000);
    w.rethrottle(&id, None).unwrap();
    w.advance_by(Duration::from_secs(600));
    let t = w.task(&id).unwrap();
    assert!(t.completed && !t.cancelled);
    assert_eq!(t.created, t.total);
    assert_eq!(w.index_doc_count("products_v2"), Some(t.total));
    // A bad action anywhere in the call leaves every alias as it was.
    let err = w
        .update_aliases(&[("products_v1", "products")], &[("nope", "products")])
        .unwrap_err();
    assert_eq!(err.kind, "index_not_found_exception");
    assert_eq!(w.alias_targets("products"), vec!["products_v1"]);
    w.update_aliases(
        &[("products_v1", "products")],
        &[("products_v2", "products")],
    )
    .unwrap();
    assert_eq!(w.alias_targets("products"), vec!["products_v2"]);
    // New catalog updates now land in v2.
    let v2 = w.index_doc_count("products_v2").unwrap();
    w.advance_by(Duration::from_secs(3600));
    assert!(w.index_doc_count("products_v2").unwrap() > v2);
}

#[test]
fn cancelled_reindex_stops_and_index_api_reports_opensearch_errors() {
    let mut w = World::new(&opts(8, Scenario::Normal));
    let id = w.start_reindex("products_v1", "products_v9").unwrap();
    w.advance_by(Duration::from_secs(5));
    w.cancel_task(&id).unwrap();
    let created = w.task(&id).unwrap().created;
    w.advance_by(Duration::from_secs(60));
    let t = w.task(&id).unwrap();
    assert!(t.cancelled && t.completed && t.created == created);
    assert_eq!(
        w.create_index("products_v9").unwrap_err().kind,
        "resource_already_exists_exception"
    );
    w.delete_index("products_v9").unwrap();
    assert_eq!(
        w.delete_index("products_v9").unwrap_err().kind,
        "index_not_found_exception"
    );
    assert!(w.start_reindex("nope", "x").is_err());
    assert_eq!(
        w.cancel_task("abc:1").unwrap_err().kind,
        "resource_not_found_exception"
    );
}

#[test]
fn binlog_cutover_drains_lag_then_target_takes_writes() {
    let mut w = World::new(&opts(2, Scenario::Normal));
    let m = w.migration();
    assert!(m.replication_running && !m.source_read_only && !m.target_writable);
    w.set_source_read_only(true);
    w.advance_by(Duration::from_secs(30));
    let m = w.migration();
    assert_eq!(m.source_transactions, m.applied_transactions);
    assert_eq!(m.lag_seconds, Some(0.0));
    assert!(
        m.rejected_writes > 0,
        "writes fail while nothing is writable"
    );
    assert!(
        w.reset_replication().is_err(),
        "reset refused while running"
    );
    w.stop_replication();
    assert_eq!(w.migration().lag_seconds, None);
    let st = w.aurora_status();
    let src = st
        .replicas
        .iter()
        .find(|r| r.name == "mysql-onprem")
        .unwrap();
    assert_eq!(src.state, ReplicaState::Stopped);
    w.reset_replication().unwrap();
    w.set_target_writable(true);
    let gtid_before = w.migration().source_gtid;
    w.advance_by(Duration::from_secs(30));
    let m = w.migration();
    assert_eq!(
        m.source_gtid, gtid_before,
        "source takes no writes after cutover"
    );
    assert!(
        m.applied_gtid.contains(",\n"),
        "target has its own GTIDs: {}",
        m.applied_gtid
    );
    assert!(
        !w.aurora_status()
            .replicas
            .iter()
            .any(|r| r.name == "mysql-onprem")
    );
}

#[test]
fn failover_and_blue_green_switchover_complete_after_a_short_delay() {
    let mut w = World::new(&opts(2, Scenario::Normal));
    assert_eq!(w.writer(), "catalog-1");
    w.failover_to("catalog-3").unwrap();
    assert_eq!(w.writer(), "catalog-1");
    assert!(w.failover_to("catalog-2").is_err());
    w.advance_by(Duration::from_secs(60));
    assert_eq!(w.writer(), "catalog-3");
    let st = w.aurora_status();
    assert!(st.replicas.iter().any(|r| r.name == "catalog-1"));
    assert!(!st.replicas.iter().any(|r| r.name == "catalog-3"));
    assert!(w.failover_to("nope").is_err());
    w.switchover_blue_green().unwrap();
    assert_eq!(w.blue_green_status(), "SWITCHOVER_IN_PROGRESS");
    w.advance_by(Duration::from_secs(120));
    assert_eq!(w.blue_green_status(), "SWITCHOVER_COMPLETED");
    assert!(w.switchover_blue_green().is_err());
}

#[test]
fn cloudwatch_metrics_answer_known_and_none_for_unknown() {
    let w = World::new(&opts(1, Scenario::Normal));
    let d = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let cf = d(&[("DistributionId", "E2STREAMSHOP"), ("Region", "Global")]);
    let hit = w
        .metric("AWS/CloudFront", "CacheHitRate", &cf, "Average")
        .unwrap();
    assert!((50.0..100.0).contains(&hit));
    assert!(w.metric("AWS/CloudFront", "Requests", &cf, "Sum").unwrap() > 0.0);
    let t = d(&[("TableName", "behaviour")]);
    assert_eq!(
        w.metric(
            "AWS/DynamoDB",
            "ProvisionedWriteCapacityUnits",
            &t,
            "Average"
        ),
        Some(4500.0)
    );
    let dms = d(&[("ReplicationTaskIdentifier", "catalog-migration")]);
    assert!(
        w.metric("AWS/DMS", "CDCLatencyTarget", &dms, "Average")
            .is_some()
    );
    let rds = d(&[("DBInstanceIdentifier", "catalog-1")]);
    assert!(
        w.metric("AWS/RDS", "CPUUtilization", &rds, "Average")
            .is_some()
    );
    let ec = d(&[("CacheClusterId", "streamshop-sessions-0002-001")]);
    assert!(
        w.metric(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            &ec,
            "Average"
        )
        .unwrap()
            > 50.0
    );
    assert_eq!(
        w.metric("AWS/CloudFront", "NoSuchMetric", &cf, "Average"),
        None
    );
    assert_eq!(
        w.metric(
            "AWS/DynamoDB",
            "ThrottledRequests",
            &d(&[("TableName", "nope")]),
            "Sum"
        ),
        None
    );
    assert_eq!(w.metric("AWS/Nope", "X", &[], "Average"), None);
    assert_eq!(
        w.metric("AWS/CloudFront", "CacheHitRate", &cf, "Median"),
        None
    );
    assert_eq!(
        w.list_dimension_values("AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName"),
        vec!["reviews", "wishlists", "behaviour"]
    );
    assert_eq!(
        w.list_dimension_values("AWS/RDS", "AuroraReplicaLag", "DBInstanceIdentifier"),
        vec!["catalog-2", "catalog-3", "catalog-4"]
    );
    assert!(
        w.list_dimension_values("AWS/DynamoDB", "Nope", "TableName")
            .is_empty()
    );
}

#[tokio::test]
async fn redshift_history_has_a_failure_with_error_and_a_slow_run() {
    let w = world(&opts(1, Scenario::Normal));
    let r = redshift_collector(&w, false)
        .collect_status()
        .await
        .expect("a sim round");
    // The collector's default 50 newest COPYs (three tables an hour).
    assert_eq!(r.runs.len(), 50);
    assert!(r.runs.iter().any(|x| x.status == "failed"
        && x.error.as_deref().is_some_and(|e| e
            .starts_with("Invalid digit, Value 'O', Pos 0, Type: Integer (column user_id, line 1, s3://streamshop-etl/fact_clicks/"))));
    assert!(r.runs.iter().any(|x| x.slow));
    assert!(!r.glue_runs.is_empty() && r.glue_runs.iter().all(|g| g.job == "orders-etl"));
}

#[tokio::test]
async fn collectors_report_every_section() {
    let opts = opts(42, Scenario::Normal);
    let mut cs = collectors(&opts);
    let kinds: Vec<SourceKind> = cs.iter().map(|c| c.kind()).collect();
    assert!(kinds.contains(&SourceKind::CloudWatch("dms".into())));
    assert_eq!(
        kinds.len(),
        11,
        "five services, alarms, five cloudwatch panels"
    );
    for c in &mut cs {
        let u = c.collect().await.unwrap();
        if let Update::CloudWatch(_, figs) = &u {
            assert!(!figs.is_empty());
        }
    }
}

#[tokio::test]
async fn the_demo_aurora_round_goes_through_the_real_collector_and_labels_lag_sources() {
    let w = world(&opts(3, Scenario::Normal));
    lock(&w).advance_to(600.0);
    let st = aurora_collector_raw(&w, false).round().await.unwrap();
    assert_eq!(st.cluster, "catalog");
    assert_eq!(st.writer.as_deref(), Some("catalog-1"));
    let h = st.writer_health.as_ref().unwrap();
    assert!(h.cpu_percent.is_some() && h.connections.is_some());
    let sources: Vec<LagSource> = st.replicas.iter().map(|r| r.lag_source).collect();
    assert!(sources.contains(&LagSource::Heartbeat), "{sources:?}");
    assert!(sources.contains(&LagSource::Sql), "{sources:?}");
    let src = st
        .replicas
        .iter()
        .find(|r| r.name == "mysql-onprem")
        .unwrap();
    assert_eq!(src.state, ReplicaState::Replicating);
    assert!(src.gtid_position.is_some());
    // Every replica has a CloudWatch reading besides its headline.
    assert!(
        st.replicas
            .iter()
            .filter(|r| r.name != "mysql-onprem")
            .all(|r| r.readings.iter().any(|x| x.source == LagSource::Cloudwatch))
    );
}
