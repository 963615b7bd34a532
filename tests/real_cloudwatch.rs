//! Generic CloudWatch panels and alarms against moto (`scripts/stack up`, port 5055). Each test
//! publishes its own datapoints under test-unique dimension values, so the stack's seed and the
//! traffic generator do not matter. A missing moto fails these tests; it never skips them.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit, StateValue};
use chrono::{DateTime, Utc};
use opsdeck::config::Context;
use opsdeck::model::{CwFigure, Status};
use opsdeck::panels::Panels;
use opsdeck::services::Collector;
use opsdeck::services::aws::AwsContext;
use opsdeck::services::cloudwatch::panels::{Dims, LazyCloudWatch, MetricSource, PanelCollector};
use opsdeck::services::cloudwatch::{self, CloudWatchReader, MetricQuery, Series};
use opsdeck::services::{Update, alarms};

/// The batching test reads the process-wide GetMetricData counters: tests that call
/// GetMetricData hold this so their calls do not mix.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:5055".into())
}

fn aws() -> AwsContext {
    common::aws()
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

async fn put(
    cw: &aws_sdk_cloudwatch::Client,
    ns: &str,
    dims: &[(&str, &str)],
    points: &[(&str, f64, DateTime<Utc>)],
) {
    let data: Vec<MetricDatum> = points
        .iter()
        .map(|(name, v, t)| {
            MetricDatum::builder()
                .metric_name(*name)
                .set_dimensions(Some(
                    dims.iter()
                        .map(|(k, v)| Dimension::builder().name(*k).value(*v).build())
                        .collect(),
                ))
                .value(*v)
                .unit(StandardUnit::None)
                .timestamp(aws_smithy_types::DateTime::from_secs(t.timestamp()))
                .build()
        })
        .collect();
    cw.put_metric_data()
        .namespace(ns)
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("moto at AWS_ENDPOINT_URL (default 127.0.0.1:5055); run scripts/stack up");
}

/// Records the groups of every fetch, then delegates.
struct Recording<S> {
    inner: S,
    groups: Arc<Mutex<Vec<Vec<MetricQuery>>>>,
}

#[async_trait]
impl<S: MetricSource> MetricSource for Recording<S> {
    async fn fetch(
        &self,
        groups: &[Vec<MetricQuery>],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        self.groups.lock().unwrap().extend(groups.iter().cloned());
        self.inner.fetch(groups, start, end).await
    }
    async fn list_dimensions(
        &self,
        namespace: &str,
        metric: &str,
        name: &str,
        fixed: &[(String, String)],
    ) -> anyhow::Result<Vec<Dims>> {
        self.inner
            .list_dimensions(namespace, metric, name, fixed)
            .await
    }
}

async fn collect(c: &mut dyn Collector) -> Vec<CwFigure> {
    match c.collect().await.expect("a round against moto") {
        Update::CloudWatch(_, figs) => figs,
        other => panic!("not a cloudwatch update: {other:?}"),
    }
}

fn fig<'a>(figs: &'a [CwFigure], label: &str) -> &'a CwFigure {
    figs.iter()
        .find(|f| f.label == label)
        .unwrap_or_else(|| panic!("no figure {label:?} in {:#?}", figs))
}

fn minutes_ago(m: i64) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::minutes(m)
}

#[tokio::test]
async fn cloudfront_panel_reads_its_distribution_in_us_east_1_with_statuses_from_thresholds() {
    let _g = SERIAL.lock().await;
    let aws = aws();
    let cw = aws.cloudwatch().await;
    let dist = unique("ET").to_uppercase();
    let t = minutes_ago(2);
    put(
        &cw,
        "AWS/CloudFront",
        &[("DistributionId", &dist), ("Region", "Global")],
        &[
            ("Requests", 1200.0, t),
            ("Requests", 800.0, minutes_ago(1)),
            ("CacheHitRate", 80.0, t),
            ("4xxErrorRate", 2.0, t),
            ("5xxErrorRate", 6.5, t),
        ],
    )
    .await;
    let panels = Panels::embedded();
    let mut def = panels.get("cloudfront").unwrap().clone();
    let cfp = def.cloudwatch.as_mut().unwrap();
    assert_eq!(cfp.region.as_deref(), Some("us-east-1"));
    // moto computes no percentiles (p90 makes GetMetricData answer 500); CloudWatch does.
    cfp.metrics.retain(|m| !m.stat.starts_with('p'));
    // A context in another region still reads CloudFront from us-east-1, where moto holds it.
    let elsewhere = AwsContext::new(&Context {
        region: Some("eu-west-1".into()),
        endpoint_url: Some(endpoint()),
        ..Default::default()
    });
    let mut c =
        PanelCollector::new(&def, LazyCloudWatch::new(elsewhere, cfp_region(&def))).unwrap();
    let figs = collect(&mut c).await;
    let req = fig(&figs, &format!("{dist} requests"));
    assert_eq!(req.value, Some(2000.0), "Sum over the 5 min period");
    assert_eq!(req.status, Status::Ok);
    assert_eq!(req.period_seconds, Some(300));
    assert!(req.at.is_some());
    let hit = fig(&figs, &format!("{dist} cache hit rate"));
    assert_eq!(hit.value, Some(80.0));
    assert_eq!(
        hit.status,
        Status::Warn,
        "below 85 warns, below 70 is critical"
    );
    assert_eq!(
        fig(&figs, &format!("{dist} 4xx error rate")).status,
        Status::Ok
    );
    let e5 = fig(&figs, &format!("{dist} 5xx error rate"));
    assert_eq!((e5.value, e5.status), (Some(6.5), Status::Crit));
}

fn cfp_region(def: &opsdeck::panels::PanelDef) -> Option<String> {
    def.cloudwatch.as_ref().and_then(|c| c.region.clone())
}

#[tokio::test]
async fn dynamodb_panel_sends_capacity_math_with_its_inputs_and_reads_table_figures() {
    let _g = SERIAL.lock().await;
    let aws = aws();
    let cw = aws.cloudwatch().await;
    let table = unique("t-");
    let t = minutes_ago(2);
    put(
        &cw,
        "AWS/DynamoDB",
        &[("TableName", &table)],
        &[
            ("ConsumedReadCapacityUnits", 27_000.0, t),
            ("ProvisionedReadCapacityUnits", 100.0, t),
            ("ConsumedWriteCapacityUnits", 300.0, t),
            ("ProvisionedWriteCapacityUnits", 50.0, t),
            ("ThrottledRequests", 150.0, t),
        ],
    )
    .await;
    put(
        &cw,
        "AWS/DynamoDB",
        &[("TableName", &table), ("Operation", "GetItem")],
        &[("SuccessfulRequestLatency", 12.0, t)],
    )
    .await;
    let groups = Arc::new(Mutex::new(Vec::new()));
    let source = Recording {
        inner: LazyCloudWatch::new(aws.clone(), None),
        groups: groups.clone(),
    };
    let panels = Panels::embedded();
    let mut c = PanelCollector::new(panels.get("dynamodb").unwrap(), source).unwrap();
    let figs = collect(&mut c).await;
    let thr = fig(&figs, &format!("{table} throttled requests"));
    assert_eq!((thr.value, thr.status), (Some(150.0), Status::Crit));
    let lat = fig(&figs, &format!("{table} GetItem latency"));
    assert_eq!((lat.value, lat.status), (Some(12.0), Status::Ok));
    // One row per table for the ratio, sent as an expression in the same group as its inputs.
    fig(&figs, &format!("{table} read capacity used"));
    let groups = groups.lock().unwrap();
    let ratio = groups
        .iter()
        .find(|g| {
            g.iter().any(|q| {
                q.expression.is_none()
                    && q.metric == "ConsumedReadCapacityUnits"
                    && q.dimensions == vec![("TableName".to_string(), table.clone())]
            }) && g.iter().any(|q| q.expression.is_some())
        })
        .expect("the read ratio group of this table");
    assert_eq!(ratio.len(), 3, "{ratio:#?}");
    let expr = ratio.iter().find(|q| q.expression.is_some()).unwrap();
    assert!(expr.return_data);
    let inputs: Vec<&MetricQuery> = ratio.iter().filter(|q| q.expression.is_none()).collect();
    assert!(inputs.iter().all(|q| !q.return_data));
    let e = expr.expression.as_deref().unwrap();
    for q in inputs {
        assert!(e.contains(&q.id), "{e} refers to {}", q.id);
    }
}

#[tokio::test]
async fn dms_panel_reads_task_latency_and_a_silent_metric_is_no_data() {
    let _g = SERIAL.lock().await;
    let aws = aws();
    let cw = aws.cloudwatch().await;
    let task = unique("task-");
    let dims = [
        ("ReplicationInstanceIdentifier", "dms-test-1"),
        ("ReplicationTaskIdentifier", task.as_str()),
    ];
    let t = minutes_ago(1);
    put(
        &cw,
        "AWS/DMS",
        &dims,
        &[
            ("CDCLatencySource", 7.0, t),
            ("CDCLatencyTarget", 3.0, t),
            ("CDCIncomingChanges", 200_000.0, t),
            // Published a day ago, nothing since: listed, but no datapoint in the window.
            (
                "FullLoadThroughputRowsTarget",
                12_000.0,
                Utc::now() - chrono::Duration::days(1),
            ),
        ],
    )
    .await;
    let panels = Panels::embedded();
    let mut c =
        PanelCollector::new(panels.get("dms").unwrap(), LazyCloudWatch::new(aws, None)).unwrap();
    let figs = collect(&mut c).await;
    let src = fig(&figs, &format!("{task} CDC latency source"));
    assert_eq!((src.value, src.status), (Some(7.0), Status::Warn));
    assert_eq!(src.period_seconds, Some(60));
    let tgt = fig(&figs, &format!("{task} CDC latency target"));
    assert_eq!((tgt.value, tgt.status), (Some(3.0), Status::Ok));
    let inc = fig(&figs, &format!("{task} CDC incoming changes"));
    assert_eq!(inc.status, Status::Crit);
    let full = fig(&figs, &format!("{task} full load rows/s"));
    assert_eq!(full.value, None);
    assert_eq!(full.status, Status::NoData);
    assert!(full.at.is_none());
}

#[tokio::test]
async fn alarms_in_alarm_and_insufficient_data_are_collected_with_reason_and_panel() {
    let aws = aws();
    let cw = aws.cloudwatch().await;
    let firing = unique("opsdeck-test-firing-");
    let unsure = unique("opsdeck-test-unsure-");
    let quiet = unique("opsdeck-test-ok-");
    for (name, metric) in [
        (&firing, "ThrottledRequests"),
        (&unsure, "Custom"),
        (&quiet, "ThrottledRequests"),
    ] {
        cw.put_metric_alarm()
            .alarm_name(name)
            .namespace(if metric == "Custom" {
                "OpsdeckTest/App"
            } else {
                "AWS/DynamoDB"
            })
            .metric_name(metric)
            .dimensions(
                Dimension::builder()
                    .name("TableName")
                    .value("reviews")
                    .build(),
            )
            .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
            .period(60)
            .evaluation_periods(1)
            .threshold(10.0)
            .comparison_operator(
                aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold,
            )
            .send()
            .await
            .expect("moto PutMetricAlarm; run scripts/stack up");
    }
    for (name, state, reason) in [
        (
            &firing,
            StateValue::Alarm,
            "Threshold Crossed: 1 datapoint [150.0] > 10",
        ),
        (
            &unsure,
            StateValue::InsufficientData,
            "no datapoints for 3 periods",
        ),
        (&quiet, StateValue::Ok, "fine"),
    ] {
        cw.set_alarm_state()
            .alarm_name(name)
            .state_value(state)
            .state_reason(reason)
            .send()
            .await
            .unwrap();
    }
    let panels = Panels::embedded();
    let got = alarms::describe(&cw, &alarms::watched_metrics(&panels))
        .await
        .unwrap();
    let find = |n: &str| got.iter().position(|a| a.name == n);
    let f = &got[find(&firing).expect("ALARM listed")];
    assert_eq!(f.state, "ALARM");
    assert_eq!(f.reason, "Threshold Crossed: 1 datapoint [150.0] > 10");
    assert_eq!(f.panel.as_deref(), Some("dynamodb"));
    assert_eq!(f.metric.as_deref(), Some("ThrottledRequests"));
    assert!(f.since.is_some());
    let u = &got[find(&unsure).expect("INSUFFICIENT_DATA listed")];
    assert_eq!(u.state, "INSUFFICIENT_DATA");
    assert_eq!(
        u.panel, None,
        "no declared panel shows OpsdeckTest/App Custom"
    );
    assert!(find(&quiet).is_none(), "OK alarms are not shown");
    let last_alarm = got.iter().rposition(|a| a.state == "ALARM").unwrap();
    let first_unsure = got
        .iter()
        .position(|a| a.state == "INSUFFICIENT_DATA")
        .unwrap();
    assert!(last_alarm < first_unsure, "ALARM first");

    // Through the collector, as the console gets them.
    let mut c = alarms::collector(&aws, &panels);
    let Update::Alarms(v) = c.collect().await.unwrap() else {
        panic!()
    };
    assert!(v.alarms.iter().any(|a| a.name == firing));
}

/// The overview's "N alarms OK" line: the collector counts the alarms in OK (DescribeAlarms
/// StateValue=OK, every page) without listing them.
#[tokio::test]
async fn the_alarms_collector_counts_the_alarms_in_ok_without_listing_them() {
    let aws = aws();
    let cw = aws.cloudwatch().await;
    let panels = Panels::embedded();
    let mut c = alarms::collector(&aws, &panels);
    let Update::Alarms(before) = c.collect().await.unwrap() else {
        panic!()
    };
    let before_ok = before.ok_count.expect("OK alarms counted");
    let names: Vec<String> = (0..3).map(|_| unique("opsdeck-test-count-ok-")).collect();
    for name in &names {
        cw.put_metric_alarm()
            .alarm_name(name)
            .namespace("AWS/DynamoDB")
            .metric_name("ThrottledRequests")
            .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
            .period(60)
            .evaluation_periods(1)
            .threshold(10.0)
            .comparison_operator(
                aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold,
            )
            .send()
            .await
            .expect("moto PutMetricAlarm; run scripts/stack up");
        cw.set_alarm_state()
            .alarm_name(name)
            .state_value(StateValue::Ok)
            .state_reason("Threshold Crossed: no datapoints were received")
            .send()
            .await
            .unwrap();
    }
    let Update::Alarms(after) = c.collect().await.unwrap() else {
        panic!()
    };
    // other tests of this run may add OK alarms of their own meanwhile, never remove ours
    assert!(
        after.ok_count.expect("OK alarms counted") >= before_ok + 3,
        "{before_ok} -> {:?}",
        after.ok_count
    );
    assert!(
        !after.alarms.iter().any(|a| names.contains(&a.name)),
        "OK alarms are counted, not listed"
    );
}

/// StateReasonData as CloudWatch writes it for a threshold alarm.
const REASON_DATA: &str = r#"{"version":"1.0","queryDate":"2026-11-29T03:12:00.000+0000","statistic":"Sum","period":60,"recentDatapoints":[150.0],"threshold":10.0,"evaluatedDatapoints":[{"timestamp":"2026-11-29T03:11:00.000+0000","sampleCount":1.0,"value":150.0}]}"#;

#[tokio::test]
async fn an_alarm_detail_shows_its_state_reason_and_reason_data_from_describe_alarms() {
    let aws = aws();
    let cw = aws.cloudwatch().await;
    let name = unique("opsdeck-test-detail-");
    cw.put_metric_alarm()
        .alarm_name(&name)
        .namespace("AWS/DynamoDB")
        .metric_name("ThrottledRequests")
        .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(10.0)
        .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .expect("moto PutMetricAlarm; run scripts/stack up");
    cw.set_alarm_state()
        .alarm_name(&name)
        .state_value(StateValue::Alarm)
        .state_reason(
            "Threshold Crossed: 1 datapoint [150.0] was greater than the threshold (10.0).",
        )
        .state_reason_data(REASON_DATA)
        .send()
        .await
        .unwrap();
    let panels = Panels::embedded();
    let got = alarms::describe(&cw, &alarms::watched_metrics(&panels))
        .await
        .unwrap();
    let a = got.iter().find(|a| a.name == name).expect("ALARM listed");
    assert_eq!(a.reason_data.as_deref(), Some(REASON_DATA));
    let mut st = opsdeck::state::State::new(opsdeck::state::StateInit::default());
    st.data.alarms = vec![a.clone()];
    st.alarm_detail = Some(name.clone());
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    term.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
    let screen = term.backend().to_string();
    for want in [
        "StateReason",
        "was greater than the threshold (10.0)",
        "StateReasonData",
        "recentDatapoints     150.0",
        "evaluatedDatapoints  150.0 at 03:11:00",
        "threshold            10.0",
        "MetricName",
        "ThrottledRequests",
        "the dynamodb panel",
    ] {
        assert!(screen.contains(want), "missing {want:?}:\n{screen}");
    }
    cw.delete_alarms().alarm_names(&name).send().await.unwrap();
}

fn many_metrics_panel(ns: &str, shard: &str, n: usize) -> String {
    let mut s = format!(
        "title = \"batch\"\nkind = \"cloudwatch\"\nnamespace = \"{ns}\"\nperiod = \"1m\"\n"
    );
    for i in 0..n {
        s.push_str(&format!(
            "[[metrics]]\nid = \"m{i}\"\nmetric = \"M{i}\"\nstat = \"Sum\"\ndimensions = {{ Shard = \"{shard}{i}\" }}\n"
        ));
    }
    s
}

#[tokio::test]
async fn n_declared_metrics_take_ceil_n_over_500_get_metric_data_calls_per_refresh() {
    let _g = SERIAL.lock().await;
    let aws = aws();
    let cw = aws.cloudwatch().await;
    let ns = unique("OpsdeckTest/Batch");
    // moto matches GetMetricData dimensions without the namespace: the values are unique too.
    let shard = unique("s");
    put(
        &cw,
        &ns,
        &[("Shard", &format!("{shard}1"))],
        &[("M1", 5.0, minutes_ago(1))],
    )
    .await;
    for (n, calls) in [(1usize, 1u64), (500, 1), (501, 2), (2000, 4)] {
        let def =
            opsdeck::panels::parse(&many_metrics_panel(&ns, &shard, n), "batch.toml", "batch")
                .expect("generated panel parses");
        let reader = CloudWatchReader::new(cw.clone());
        let mut c = PanelCollector::new(&def, reader).unwrap();
        let (before, metrics_before) = cloudwatch::usage();
        let figs = collect(&mut c).await;
        let (after, metrics_after) = cloudwatch::usage();
        assert_eq!(after - before, calls, "{n} metrics");
        assert_eq!(metrics_after - metrics_before, n as u64);
        assert_eq!(figs.len(), n);
        if n > 1 {
            assert_eq!(fig(&figs, "M1").value, Some(5.0));
            assert_eq!(fig(&figs, "M0").status, Status::NoData);
        }
        // Asked again within the period: nothing is due, no call is made.
        let (before, _) = cloudwatch::usage();
        let again = collect(&mut c).await;
        assert_eq!(
            cloudwatch::usage().0,
            before,
            "never faster than the period"
        );
        assert_eq!(again.len(), n);
    }
}

#[tokio::test]
async fn header_shows_metrics_requested_per_minute_and_their_list_price() {
    let _g = SERIAL.lock().await;
    let aws = aws();
    let panels = Panels::embedded();
    let mut c =
        PanelCollector::new(panels.get("dms").unwrap(), LazyCloudWatch::new(aws, None)).unwrap();
    collect(&mut c).await;
    let m = cloudwatch::metrics_per_minute().expect("a call was made");
    assert!(m >= 1.0, "{m}");
    let mut st = opsdeck::state::State::new(opsdeck::state::StateInit::default());
    // The console folds the collectors' request counters into State before each frame.
    st.cloudwatch_usage = Some(opsdeck::state::CloudWatchUsage {
        metrics_per_minute: m,
        usd_per_day: cloudwatch::usd_per_day(m),
    });
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 30)).unwrap();
    t.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
    let b = t.backend().buffer();
    let header: String = (0..b.area.width).map(|x| b[(x, 0)].symbol()).collect();
    let want = format!(
        "CW {m:.0} metrics/min ${:.2}/day",
        cloudwatch::usd_per_day(m)
    );
    assert!(header.contains(&want), "{header}");
}

#[tokio::test]
async fn a_panel_opened_after_a_restart_backfills_its_chart_from_get_metric_data() {
    use opsdeck::services::{Sample, SourceKind};
    use opsdeck::state::history::Window;
    use opsdeck::state::{State, StateInit};

    let _g = SERIAL.lock().await;
    let aws = aws();
    let cw = aws.cloudwatch().await;
    let task = unique("task-");
    let dims = [
        ("ReplicationInstanceIdentifier", "dms-test-1"),
        ("ReplicationTaskIdentifier", task.as_str()),
    ];
    // An hour of CDC latency published before opsdeck started, one datapoint a minute on the
    // minute as DMS publishes it (values 1..=60), the newest two minutes ago.
    let now = Utc::now();
    let minute = DateTime::from_timestamp(now.timestamp() / 60 * 60, 0).unwrap();
    let seeded: Vec<(&str, f64, DateTime<Utc>)> = (0..60)
        .map(|i| {
            let t = minute - chrono::Duration::minutes(61 - i);
            ("CDCLatencySource", (i + 1) as f64, t)
        })
        .collect();
    put(&cw, "AWS/DMS", &dims, &seeded).await;

    // The console starts: the panel's collector runs its first round, the State folds it in.
    let panels = Panels::embedded();
    let mut c =
        PanelCollector::new(panels.get("dms").unwrap(), LazyCloudWatch::new(aws, None)).unwrap();
    let started = Utc::now();
    let figs = collect(&mut c).await;
    let label = format!("{task} CDC latency source");
    assert_eq!(
        fig(&figs, &label).backfill.len(),
        60,
        "{:#?}",
        fig(&figs, &label)
    );
    let mut st = State::new(StateInit::default());
    st.apply_sample(Sample {
        source: SourceKind::CloudWatch("dms".into()),
        at: started,
        result: Ok(Update::CloudWatch("dms".into(), figs)),
    });
    let ring = &st.series.cloudwatch[&("dms".to_string(), label.clone())];
    let day = ring.points(Window::Day);
    let values: Vec<f64> = day.iter().map(|p| p.max).collect();
    let want: Vec<f64> = (1..=60).map(f64::from).chain([60.0]).collect();
    assert_eq!(values, want, "the seeded hour, then the live sample");
    assert!(day[..60].iter().all(|p| p.at < started));
    assert!(day.windows(2).all(|w| w[0].at < w[1].at));
    // Full resolution holds them too: the 5-minute chart is not empty either.
    assert_eq!(ring.len(), 61);
    // The State keeps the figure without its backfill (the series has it).
    let kept = &st.data.cloudwatch.as_ref().unwrap()["dms"];
    assert!(kept.iter().all(|f| f.backfill.is_empty()));

    // Later rounds carry no backfill.
    let again = collect(&mut c).await;
    assert!(fig(&again, &label).backfill.is_empty());
}
