//! The exporter's encoding, from samples shaped like the collectors' (the end-to-end path against
//! real servers and a real Prometheus is tests/serve_prometheus.rs).

use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::export;
use super::store::Store;
use crate::model::service::PanelKind;
use crate::model::*;
use crate::services::{Sample, SourceKind, Update};

fn aurora_sample(at: chrono::DateTime<Utc>) -> Sample {
    Sample {
        source: SourceKind::Service(PanelKind::Aurora),
        at,
        result: Ok(Update::Aurora(AuroraStatus {
            cluster: "catalog".into(),
            writer: Some("catalog-1".into()),
            replicas: vec![ReplicaStatus {
                name: "replica-delayed".into(),
                lag_seconds: Some(5.2),
                lag_source: LagSource::Heartbeat,
                state: ReplicaState::Replicating,
                readings: vec![
                    LagReading {
                        source: LagSource::Heartbeat,
                        lag_seconds: Some(5.2),
                    },
                    LagReading {
                        source: LagSource::Sql,
                        lag_seconds: Some(5.0),
                    },
                ],
                io_running: Some(true),
                sql_running: Some(true),
                last_error: None,
                gtid_position: None,
            }],
            ..Default::default()
        })),
    }
}

fn redis_sample(at: chrono::DateTime<Utc>) -> Sample {
    Sample {
        source: SourceKind::Service(PanelKind::Redis),
        at,
        result: Ok(Update::Redis(RedisStatus {
            hit_ratio: Some(0.875),
            ops_per_sec: 1200.0,
            nodes: vec![RedisNode {
                addr: "127.0.0.1:6390".into(),
                role: "master".into(),
                hit_ratio: Some(0.875),
                used_memory_bytes: 1_048_576,
                evicted_keys: 12,
                connected_clients: 3,
                ..Default::default()
            }],
            ..Default::default()
        })),
    }
}

fn render(store: &Store, now: chrono::DateTime<Utc>) -> String {
    let mut out = String::new();
    let fams = export::families(store, now);
    let mut reg = prometheus_client::registry::Registry::default();
    #[derive(Debug)]
    struct Fixed(std::sync::Mutex<Option<super::families::Families>>);
    impl prometheus_client::collector::Collector for Fixed {
        fn encode(
            &self,
            e: prometheus_client::encoding::DescriptorEncoder,
        ) -> Result<(), std::fmt::Error> {
            match self.0.lock().unwrap().as_ref() {
                Some(f) => f.encode(e),
                None => Ok(()),
            }
        }
    }
    reg.register_collector(Box::new(Fixed(std::sync::Mutex::new(Some(fams)))));
    prometheus_client::encoding::text::encode(&mut out, &reg).unwrap();
    out
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap()
}

#[test]
fn replica_lag_is_exported_per_replica_and_reading_in_seconds() {
    let mut s = Store::default();
    s.register(
        "prod",
        SourceKind::Service(PanelKind::Aurora),
        Duration::from_secs(2),
    );
    s.record("prod", aurora_sample(t0()), Duration::from_millis(30));
    let text = render(&s, t0() + chrono::Duration::seconds(1));
    assert!(
        text.contains("# TYPE opsdeck_aurora_replica_lag_seconds gauge"),
        "{text}"
    );
    assert!(
        text.contains("# UNIT opsdeck_aurora_replica_lag_seconds seconds"),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_aurora_replica_lag_seconds{context="prod",service="aurora",instance="replica-delayed",source="heartbeat"} 5.2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_aurora_replica_lag_seconds{context="prod",service="aurora",instance="replica-delayed",source="sql"} 5.0"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_aurora_replica_state{context="prod",service="aurora",instance="replica-delayed",state="replicating"} 1"#),
        "{text}"
    );
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
}

#[test]
fn redis_hit_ratio_is_exported_for_the_deployment_and_per_node() {
    let mut s = Store::default();
    s.record("prod", redis_sample(t0()), Duration::from_millis(5));
    let text = render(&s, t0());
    assert!(
        text.contains(r#"opsdeck_redis_hit_ratio{context="prod",service="redis"} 0.875"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_redis_node_hit_ratio{context="prod",service="redis",instance="127.0.0.1:6390",role="master",shard=""} 0.875"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_redis_node_evicted_keys_total{context="prod",service="redis",instance="127.0.0.1:6390",role="master",shard=""} 12"#),
        "{text}"
    );
}

#[test]
fn a_failed_round_marks_the_source_down_counts_an_error_and_keeps_the_last_data_with_its_age() {
    let mut s = Store::default();
    s.register(
        "prod",
        SourceKind::Service(PanelKind::Aurora),
        Duration::from_secs(2),
    );
    s.record("prod", aurora_sample(t0()), Duration::from_millis(30));
    s.record(
        "prod",
        Sample {
            source: SourceKind::Service(PanelKind::Aurora),
            at: t0() + chrono::Duration::seconds(2),
            result: Err("connection refused".into()),
        },
        Duration::from_millis(10),
    );
    let text = render(&s, t0() + chrono::Duration::seconds(7));
    assert!(
        text.contains(r#"opsdeck_source_up{context="prod",service="aurora"} 0"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_source_errors_total{context="prod",service="aurora"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_source_collections_total{context="prod",service="aurora"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_source_sample_age_seconds{context="prod",service="aurora"} 7.0"#),
        "{text}"
    );
    assert!(
        text.contains("opsdeck_aurora_replica_lag_seconds{"),
        "{text}"
    );
}

#[test]
fn a_source_that_never_answered_is_down_and_exports_no_figures() {
    let mut s = Store::default();
    s.register(
        "prod",
        SourceKind::CloudWatch("dms".into()),
        Duration::from_secs(60),
    );
    let text = render(&s, t0());
    assert!(
        text.contains(r#"opsdeck_source_up{context="prod",service="cloudwatch",instance="dms"} 0"#),
        "{text}"
    );
    assert!(
        !text.contains("opsdeck_source_sample_age_seconds{"),
        "{text}"
    );
}

#[test]
fn cloudwatch_figures_are_converted_to_base_units() {
    let mut s = Store::default();
    let fig = |label: &str, value: f64, unit: &str| CwFigure {
        label: label.into(),
        value: Some(value),
        unit: unit.into(),
        status: Status::Warn,
        ..Default::default()
    };
    s.record(
        "prod",
        Sample {
            source: SourceKind::CloudWatch("dms".into()),
            at: t0(),
            result: Ok(Update::CloudWatch(
                "dms".into(),
                vec![fig("CDCLatencyTarget", 1500.0, "ms"), fig("CPU", 42.0, "%")],
            )),
        },
        Duration::from_millis(10),
    );
    let text = render(&s, t0());
    assert!(
        text.contains(r#"opsdeck_cloudwatch_figure_seconds{context="prod",service="cloudwatch",instance="dms",figure="CDCLatencyTarget"} 1.5"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_cloudwatch_figure_ratio{context="prod",service="cloudwatch",instance="dms",figure="CPU"} 0.42"#),
        "{text}"
    );
    assert!(
        text.contains(r#"opsdeck_cloudwatch_figure_status{context="prod",service="cloudwatch",instance="dms",figure="CPU",status="warn"} 1"#),
        "{text}"
    );
}
