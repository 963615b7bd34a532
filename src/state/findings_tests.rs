//! Tests of the findings: each service's judging against panels/ and the edge cases of its figures.

use super::*;
use crate::state::fixture;
use crate::state::registry::findings;

#[test]
fn fixture_findings_name_the_worst_replica_and_its_lag_source() {
    let snap = fixture::snapshot();
    let f = findings(&snap, &Panels::embedded());
    let lag = f
        .iter()
        .find(|f| f.message.starts_with("worst replica lag"))
        .expect("lag finding");
    assert_eq!(lag.status, Status::Warn);
    assert_eq!(
        lag.message,
        "worst replica lag 4.2 s on catalog-2 (heartbeat) > 1 s"
    );
    // Sorted worst first.
    assert!(f.windows(2).all(|w| w[0].status >= w[1].status));
}

#[test]
fn lag_over_crit_is_critical_and_under_warn_is_silent() {
    let mut snap = fixture::snapshot();
    let a = snap.aurora.as_mut().unwrap();
    a.replicas[1].lag_seconds = Some(6.0);
    let f = findings(&snap, &Panels::embedded());
    assert_eq!(service_status(&f, "aurora"), Status::Crit);
    let a = snap.aurora.as_mut().unwrap();
    for r in &mut a.replicas {
        r.lag_seconds = Some(0.2);
    }
    let f = findings(&snap, &Panels::embedded());
    assert!(
        !f.iter().any(|f| f.message.contains("replica lag")),
        "{f:?}"
    );
}

#[test]
fn stopped_replica_is_critical_even_with_zero_lag() {
    let mut snap = fixture::snapshot();
    let r = &mut snap.aurora.as_mut().unwrap().replicas[0];
    r.state = ReplicaState::Stopped;
    r.lag_seconds = Some(0.0);
    r.last_error = Some("Error 1062 on table orders".into());
    let f = findings(&snap, &Panels::embedded());
    let stop = f.iter().find(|f| f.message.contains("stopped")).unwrap();
    assert_eq!(stop.status, Status::Crit);
    assert!(stop.message.contains("1062"));
}

#[test]
fn redis_hit_ratio_below_thresholds() {
    let mut snap = fixture::snapshot();
    snap.redis.as_mut().unwrap().hit_ratio = Some(0.75);
    let f = findings(&snap, &Panels::embedded());
    let hit = f
        .iter()
        .find(|f| f.message.starts_with("hit ratio"))
        .unwrap();
    assert_eq!(hit.status, Status::Crit);
    assert_eq!(hit.message, "hit ratio 75.0% (1m) < 80.0%");
}

#[test]
fn opensearch_yellow_warns_and_red_is_critical() {
    let mut snap = fixture::snapshot();
    snap.opensearch.as_mut().unwrap().health = "yellow".into();
    let f = findings(&snap, &Panels::embedded());
    assert_eq!(service_status(&f, "opensearch"), Status::Warn);
    snap.opensearch.as_mut().unwrap().health = "red".into();
    let f = findings(&snap, &Panels::embedded());
    assert_eq!(service_status(&f, "opensearch"), Status::Crit);
}

#[test]
fn failed_etl_run_is_critical_and_slow_warns() {
    let snap = fixture::snapshot();
    let f = findings(&snap, &Panels::embedded());
    let failed = f
        .iter()
        .find(|f| f.message.contains("fact_clicks FAILED"))
        .unwrap();
    assert_eq!(failed.status, Status::Crit);
    assert!(failed.message.contains("Invalid digit"));
    assert!(
        f.iter()
            .any(|f| f.status == Status::Warn && f.message.contains("slow"))
    );
}

#[test]
fn source_errors_are_unknown_findings_for_their_service() {
    let mut snap = fixture::snapshot();
    snap.errors.push(SourceError {
        source: "cloudwatch:dms".into(),
        message: "timed out after 5s".into(),
    });
    let f = findings(&snap, &Panels::embedded());
    let e = f
        .iter()
        .find(|f| f.service == "dms" && f.message.starts_with("source error"))
        .unwrap();
    assert_eq!(e.message, "source error: timed out after 5s");
    assert_eq!(e.status, Status::NoData);
}

#[test]
fn a_forbidden_cloudwatch_query_is_a_finding_with_its_message_not_no_datapoints() {
    let panels = Panels::embedded();
    let def = panels.get("dynamodb").expect("embedded dynamodb panel");
    let m = &def.cloudwatch.as_ref().unwrap().metrics[0];
    // The figure the panel collector makes of a refused query (see its own test).
    let f = CwFigure {
        label: m.label.clone(),
        value: None,
        unit: String::new(),
        status: Status::NoData,
        at: None,
        period_seconds: Some(60),
        history: Vec::new(),
        backfill: Vec::new(),
        error: Some("Forbidden: not authorized to perform cloudwatch:GetMetricData".into()),
    };
    let cw = std::collections::BTreeMap::from([("dynamodb".to_string(), vec![f.clone()])]);
    let mut snap = fixture::snapshot();
    snap.cloudwatch = Some(cw);
    let found = findings(&snap, &panels);
    let msgs: Vec<&str> = found
        .iter()
        .filter(|x| x.message.starts_with("DynamoDB") || x.message.contains(&f.label))
        .map(|x| x.message.as_str())
        .collect();
    assert!(
        msgs.iter()
            .any(|x| x
                .ends_with(": Forbidden: not authorized to perform cloudwatch:GetMetricData")),
        "{msgs:?}"
    );
    assert!(
        !msgs.iter().any(|x| x.contains("no datapoints")),
        "{msgs:?}"
    );
}
