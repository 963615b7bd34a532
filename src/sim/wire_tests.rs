//! The demo's OpenSearch, S3 and Redshift figures come out of the real collectors over the
//! simulated wires: counter resets, finished tasks, daily storage figures, pricing and error
//! texts are the production code's, stepped in simulated time.

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::model::OpenSearchStatus;
use crate::services::opensearch::OpenSearchCollector;
use crate::services::s3::prices::PriceTable;

fn opts(seed: u64) -> SimOptions {
    SimOptions {
        seed,
        start: Some(Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap()),
        ..Default::default()
    }
}

async fn round_at(c: &mut OpenSearchCollector, w: &SharedWorld, t: f64) -> OpenSearchStatus {
    lock(w).advance_to(t);
    c.collect_status().await.expect("a sim round")
}

#[tokio::test]
async fn the_first_sim_search_round_has_no_rate_and_the_second_has_the_domains() {
    let w = world(&opts(3));
    let mut c = opensearch_collector(&w, false);
    let first = round_at(&mut c, &w, 10.0).await;
    assert_eq!(first.indexing_rate_per_sec, 0.0);
    assert_eq!(first.search_latency_ms, None, "no window yet");
    assert_eq!(first.cluster_name.as_deref(), Some("streamshop-search"));
    assert_eq!(first.nodes, 3);
    let second = round_at(&mut c, &w, 20.0).await;
    let truth = lock(&w).search.indexing_rate;
    assert!(
        (second.indexing_rate_per_sec - truth).abs() < truth * 0.5,
        "{} vs {truth}",
        second.indexing_rate_per_sec
    );
    assert!(second.search_rate_per_sec > 100.0);
    assert!(second.search_latency_ms.is_some_and(|l| l > 1.0));
    let products = second.indices.iter().find(|i| i.name == "products_v1");
    assert_eq!(
        products.map(|i| i.aliases.clone()),
        Some(vec!["products".to_string()])
    );
}

#[tokio::test]
async fn a_restarted_sim_search_node_counts_from_zero_and_its_work_since_stays_in_the_rate() {
    let w = world(&opts(5));
    let mut c = opensearch_collector(&w, false);
    round_at(&mut c, &w, 100.0).await;
    // The third node drops out at once and is back, restarted, at 115 s (the world steps 5 s).
    lock(&w).search.drop_node_until(112.0);
    let st = round_at(&mut c, &w, 140.0).await;
    let truth = lock(&w).search.indexing_rate;
    // Its counters went down: what it counted in the 25 s since the restart is its delta (not
    // minus its lifetime total, not nothing), so the cluster rate is the traffic's; dropping
    // the restarted node's work would give about 0.8 of it.
    let share = st.indexing_rate_per_sec / truth;
    assert!((0.9..1.1).contains(&share), "{share}");
    assert!(st.search_latency_ms.is_some_and(|l| l >= 0.0));
}

#[tokio::test]
async fn a_sim_reindex_task_is_listed_running_then_done_and_a_deleted_index_leaves_the_list() {
    let w = world(&opts(8));
    let mut c = opensearch_collector(&w, false);
    round_at(&mut c, &w, 1.0).await;
    let id = lock(&w)
        .start_reindex("products_v1", "products_v2")
        .unwrap();
    let running = round_at(&mut c, &w, 30.0).await;
    let task = running.tasks.iter().find(|t| t.id == id).expect("listed");
    assert!(!task.done && task.created > 0 && task.total > task.created);
    assert!(running.indices.iter().any(|i| i.name == "products_v2"));
    // 2 M documents at 7,500/s: done within ten minutes; the collector keeps it, done.
    let finished = round_at(&mut c, &w, 700.0).await;
    let task = finished.tasks.iter().find(|t| t.id == id).expect("kept");
    assert!(task.done);
    lock(&w).delete_index("products_v2").unwrap();
    let after = round_at(&mut c, &w, 701.0).await;
    assert!(!after.indices.iter().any(|i| i.name == "products_v2"));
    assert!(after.indexing_rate_per_sec >= 0.0);
}

#[tokio::test]
async fn sim_bucket_tiers_come_from_daily_storage_metrics_priced_by_the_one_table() {
    let w = world(&opts(4));
    let st = s3_collector(&w, false)
        .collect_status()
        .await
        .expect("a sim round");
    let (tiers, objects) = lock(&w).bucket_usage("streamshop-media").unwrap();
    let b = &st.buckets[0];
    assert_eq!(b.name, "streamshop-media");
    assert_eq!(b.measured_by, "cloudwatch");
    assert_eq!(b.tiers, tiers);
    assert_eq!(b.objects, objects);
    assert_eq!(b.total_bytes, tiers.values().sum::<u64>());
    let midnight: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap();
    assert_eq!(b.as_of, Some(midnight));
    let table = PriceTable::new(Some("us-east-1"), &Default::default());
    let cost: f64 = tiers
        .iter()
        .map(|(t, v)| table.monthly_cost(t, *v).unwrap())
        .sum();
    assert!((b.monthly_cost_usd - cost).abs() < 0.01, "{b:?}");
    assert!(b.unpriced_tiers.is_empty());
    assert!(b.has_lifecycle);
    assert_eq!(b.lifecycle_rules.len(), 5);
    assert_eq!(
        b.lifecycle_rules[0].summary,
        "prefix images/: 30d→STANDARD_IA, 90d→INTELLIGENT_TIERING"
    );
    assert_eq!(b.error, None);
}

#[tokio::test]
async fn a_sim_bucket_moves_to_the_next_days_figures_after_midnight_and_without_rules_has_none() {
    let w = world(&opts(4));
    let c = s3_collector(&w, false);
    lock(&w).delete_lifecycle("streamshop-media").unwrap();
    // 17:00 + 8 h: past midnight UTC.
    lock(&w).advance_to(8.0 * 3600.0);
    let st = c.collect_status().await.expect("a sim round");
    let b = &st.buckets[0];
    assert_eq!(
        b.as_of,
        Some(Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap())
    );
    assert!(!b.has_lifecycle);
    assert!(b.lifecycle_rules.is_empty());
}

#[tokio::test]
async fn sim_glue_runs_and_running_copies_come_through_the_redshift_collector() {
    let w = world(&opts(2));
    // 17:10: the orders COPY (from :09) is running.
    lock(&w).advance_to(600.0);
    let st = redshift_collector(&w, false)
        .collect_status()
        .await
        .expect("a sim round");
    assert!(st.errors.is_empty(), "{:?}", st.errors);
    assert!(st.glue_runs.iter().all(|g| g.job == "orders-etl"));
    assert!(!st.glue_runs.is_empty());
    let newest = &st.runs[0];
    assert_eq!(newest.table, "orders");
    assert_eq!(newest.status, "running");
    assert!(
        newest
            .duration_seconds
            .is_some_and(|d| (0.0..120.0).contains(&d))
    );
    assert!(st.runs.iter().any(|r| r.median_seconds.is_some()));
}

/// The demo's alarms come out of the real alarms collector and history parser: an alarm the
/// world put in ALARM is listed with its StateReasonData, and its DescribeAlarmHistory items
/// parse into the transitions that led there, newest first, ending in its current state.
#[tokio::test]
async fn sim_alarms_go_through_the_real_collector_and_their_history_ends_in_the_listed_state() {
    use crate::services::Collector as _;
    use crate::services::alarms::{self, AlarmsWire as _};
    let w = world(&SimOptions {
        scenario: Scenario::BlackFriday,
        ..opts(7)
    });
    let mut c = alarms_collector(&w, false);
    let wire = alarms_wire::SimAlarmsWire::new(w.clone(), false);
    let mut t = 0.0;
    let listed = loop {
        t += 600.0;
        assert!(t < 48.0 * 3600.0, "no alarm fired in two simulated days");
        lock(&w).advance_to(t);
        let crate::services::Update::Alarms(v) = c.collect().await.expect("a sim round") else {
            panic!("the alarms collector reports alarms")
        };
        if let Some(a) = v.alarms.into_iter().find(|a| a.state == "ALARM") {
            break a;
        }
    };
    assert!(
        listed.reason.starts_with("Threshold Crossed"),
        "{}",
        listed.reason
    );
    let data: serde_json::Value =
        serde_json::from_str(listed.reason_data.as_deref().expect("StateReasonData")).unwrap();
    assert_eq!(data["period"], 60);
    let h = alarms::history(&wire, &listed.name, std::time::Duration::from_secs(1))
        .await
        .expect("the simulated endpoint serves DescribeAlarmHistory");
    assert!(!h.is_empty());
    assert_eq!(h[0].new, "ALARM");
    assert_eq!(Some(h[0].at), listed.since);
    assert_eq!(h[0].reason, listed.reason);
    assert!(
        h.windows(2)
            .all(|p| p[0].at >= p[1].at && p[0].old == p[1].new)
    );
    assert!(
        wire.alarm_history("no-such-alarm", 10)
            .await
            .unwrap()
            .is_empty(),
        "CloudWatch answers an unknown name with no items"
    );
}
