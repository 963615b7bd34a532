//! Redis collector against real servers: the stack's standalone (6390) and cluster
//! (7001-7006), plus redis-server processes these tests start themselves on spare loopback
//! ports when they need to kill, restart or CONFIG RESETSTAT a node without disturbing the
//! shared stack. A missing stack service fails these tests; it never skips them.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use opsdeck::config::secrets::EnvSecrets;
use opsdeck::config::{Context, RedisConfig};
use opsdeck::model::{RedisNode, RedisStatus};
use opsdeck::services::aws::AwsContext;
use opsdeck::services::redis::RedisCollector;
use tokio::io::AsyncWriteExt;

mod common;

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn standalone_url() -> String {
    env_or("OPSDECK_REDIS_URL", "redis://127.0.0.1:6390")
}

fn cluster_urls() -> Vec<String> {
    env_or(
        "OPSDECK_REDIS_CLUSTER_URLS",
        "redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003",
    )
    .split(',')
    .map(str::to_string)
    .collect()
}

fn no_aws() -> AwsContext {
    AwsContext::new(&Context::default())
}

fn config(urls: Vec<String>, cluster: bool) -> RedisConfig {
    RedisConfig {
        urls: urls.into_iter().map(Into::into).collect(),
        cluster,
        timeout: Some(Duration::from_secs(2)),
        ..Default::default()
    }
}

fn node<'a>(s: &'a RedisStatus, addr: &str) -> &'a RedisNode {
    s.nodes
        .iter()
        .find(|n| n.addr == addr)
        .unwrap_or_else(|| panic!("no node {addr} in {s:#?}"))
}

fn addr(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap()
        .rsplit('@')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string()
}

async fn plain(addr: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(format!("redis://{addr}"))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("Redis at {addr} is not reachable ({e}); run scripts/stack up"))
}

/// `hits` GETs of a present key and `misses` GETs of absent ones, in one pipeline.
async fn gets(c: &mut redis::aio::MultiplexedConnection, tag: &str, hits: usize, misses: usize) {
    let present = format!("{{{tag}}}present");
    let _: () = redis::cmd("SET")
        .arg(&present)
        .arg("1")
        .arg("EX")
        .arg(600)
        .query_async(c)
        .await
        .unwrap();
    let mut p = redis::pipe();
    for _ in 0..hits {
        p.cmd("GET").arg(&present);
    }
    for i in 0..misses {
        p.cmd("GET").arg(format!("{{{tag}}}absent-{i}"));
    }
    let _: Vec<Option<String>> = p.query_async(c).await.unwrap();
}

/// A redis-server of the test's own on a spare loopback port; killed when dropped.
struct OwnRedis {
    port: u16,
    child: Option<Child>,
    args: Vec<String>,
}

fn spare_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl OwnRedis {
    async fn start(extra: &[&str]) -> Self {
        let mut r = OwnRedis {
            port: spare_port(),
            child: None,
            args: extra.iter().map(|s| s.to_string()).collect(),
        };
        r.spawn().await;
        r
    }
    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
    async fn spawn(&mut self) {
        let dir = std::env::temp_dir();
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .args(
                self.args
                    .iter()
                    .map(|a| a.replace("{port}", &self.port.to_string())),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (Debian package redis-server) on PATH");
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(self.addr()).await.is_err() {
            assert!(Instant::now() < end, "own redis-server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn poll_until(
    c: &mut RedisCollector,
    deadline: Duration,
    ok: impl Fn(&RedisStatus) -> bool,
) -> RedisStatus {
    let end = Instant::now() + deadline;
    loop {
        match c.round().await {
            Ok(s) if ok(&s) => return s,
            Ok(s) if Instant::now() > end => return s,
            Err(e) if Instant::now() > end => panic!("no successful round: {e:#}"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The collector takes no rate from two INFO samples under 1 ms apart (info::delta's TooSoon):
/// a pipelined burst on loopback can finish faster than that, so a test that wants a rate
/// from the next round lets that much time pass first. This orders nothing; it only meets the
/// collector's documented minimum sampling interval.
async fn measurable_interval() {
    tokio::time::sleep(Duration::from_millis(2)).await;
}

fn close(a: Option<f64>, want: f64, tol: f64) -> bool {
    a.is_some_and(|a| (a - want).abs() <= tol)
}

#[tokio::test]
async fn windowed_hit_ratio_follows_a_known_mix_on_a_node_we_alone_use() {
    opsdeck::install_crypto_provider();
    let own = OwnRedis::start(&[]).await;
    let mut c = RedisCollector::new(
        &config(vec![format!("redis://{}", own.addr())], false),
        &no_aws(),
    );
    let first = c.round().await.unwrap();
    assert_eq!(first.hit_ratio, None, "first sample has no window");
    assert_eq!(first.ops_per_sec, 0.0);

    let mut conn = plain(&own.addr()).await;
    gets(&mut conn, "w", 300, 100).await;
    measurable_interval().await;
    let s = c.round().await.unwrap();
    let n = node(&s, &own.addr());
    // 300 hits of 400 lookups, exactly: nobody else talks to this server.
    assert_eq!(n.hit_ratio, Some(0.75), "{n:#?}");
    assert_eq!(s.hit_ratio, Some(0.75));
    assert_eq!(n.role, "primary");
    assert!(n.ops_per_sec > 0.0);
    assert!(s.hit_ratio_lifetime.is_some());

    // A round with only misses: inside the 1 min window the ratio is that of the whole
    // window (300 hits of 600 lookups), not of the quiet round alone.
    gets(&mut conn, "w", 0, 200).await;
    measurable_interval().await;
    let s = c.round().await.unwrap();
    assert_eq!(s.hit_ratio, Some(0.5), "{s:#?}");
    assert_eq!(s.hit_ratio_window_seconds, Some(60.0));
    assert!(close(s.hit_ratio_lifetime, 301.0 / 601.0, 0.01), "{s:#?}");

    // A zero window is the ratio between the last two samples: that round's misses alone.
    let mut c = RedisCollector::new(
        &RedisConfig {
            hit_ratio_window: Some(Duration::ZERO),
            ..config(vec![format!("redis://{}", own.addr())], false)
        },
        &no_aws(),
    );
    c.round().await.unwrap();
    gets(&mut conn, "w", 0, 50).await;
    measurable_interval().await;
    let s = c.round().await.unwrap();
    assert_eq!(s.hit_ratio, Some(0.0), "{s:#?}");
}

#[tokio::test]
async fn windowed_hit_ratio_on_the_stack_standalone_matches_a_known_mix() {
    opsdeck::install_crypto_provider();
    let url = standalone_url();
    let a = addr(&url);
    let mut conn = plain(&a).await;
    let mut c = RedisCollector::new(&config(vec![url], false), &no_aws());
    c.round().await.unwrap();
    // 25 % hits, in a volume that drowns the stack's load generator (~250 GETs/s at ~85 %).
    gets(&mut conn, "opsdeck-test-standalone", 5_000, 15_000).await;
    measurable_interval().await;
    let s = c.round().await.unwrap();
    let n = node(&s, &a);
    assert!(close(n.hit_ratio, 0.25, 0.03), "{n:#?}");
    assert!(close(s.hit_ratio, 0.25, 0.03), "{s:#?}");
    assert!(n.used_memory_bytes > 0 && n.connected_clients >= 1);
}

#[tokio::test]
async fn cluster_nodes_are_discovered_and_a_known_mix_moves_the_owning_nodes_ratio() {
    opsdeck::install_crypto_provider();
    // One seed is enough: the rest is discovered.
    let seed = cluster_urls()[0].clone();
    let mut c = RedisCollector::new(&config(vec![seed], true), &no_aws());
    let s = c.round().await.expect("cluster round");
    assert!(s.cluster);
    let primaries: Vec<&RedisNode> = s.nodes.iter().filter(|n| n.role == "primary").collect();
    let replicas: Vec<&RedisNode> = s.nodes.iter().filter(|n| n.role == "replica").collect();
    assert_eq!(primaries.len(), 3, "{s:#?}");
    assert_eq!(replicas.len(), 3, "{s:#?}");
    for n in &s.nodes {
        assert!(n.error.is_none(), "{n:#?}");
        assert!(n.shard.is_some(), "{n:#?}");
    }
    for r in &replicas {
        assert!(
            primaries.iter().any(|p| p.shard == r.shard),
            "replica grouped with a primary: {r:#?}"
        );
        assert!(r.repl_offset_lag.is_some(), "{r:#?}");
    }

    // The primary that owns hash tag {opsdeck-test-cluster} accepts the SET; others MOVE it.
    let tag = "opsdeck-test-cluster";
    let mut owner = None;
    for p in &primaries {
        let mut conn = plain(&p.addr).await;
        let r: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("{{{tag}}}present"))
            .arg("1")
            .query_async(&mut conn)
            .await;
        if r.is_ok() {
            owner = Some((p.addr.clone(), conn));
        }
    }
    let (owner, mut conn) = owner.expect("one primary owns the slot");
    c.round().await.unwrap();
    gets(&mut conn, tag, 5_000, 15_000).await;
    let s = c.round().await.unwrap();
    let n = node(&s, &owner);
    assert!(close(n.hit_ratio, 0.25, 0.03), "{n:#?}");
    // Aggregate = sum of every node's deltas: our 20k lookups dominate the window.
    assert!(close(s.hit_ratio, 0.25, 0.05), "{s:#?}");
    assert!(s.ops_per_sec > 0.0);
}

#[tokio::test]
async fn config_resetstat_and_restart_never_give_a_negative_or_absurd_rate() {
    opsdeck::install_crypto_provider();
    let mut own = OwnRedis::start(&[]).await;
    let a = own.addr();
    let mut c = RedisCollector::new(&config(vec![format!("redis://{a}")], false), &no_aws());
    let mut conn = plain(&a).await;
    gets(&mut conn, "r", 500, 500).await;
    c.round().await.unwrap();
    gets(&mut conn, "r", 500, 500).await;
    let s = c.round().await.unwrap();
    assert_eq!(node(&s, &a).hit_ratio, Some(0.5));

    let _: () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async(&mut conn)
        .await
        .unwrap();
    let s = c.round().await.unwrap();
    let n = node(&s, &a);
    assert_eq!(n.hit_ratio, None, "no window across a reset: {n:#?}");
    assert!(n.ops_per_sec >= 0.0 && n.ops_per_sec < 1e6, "{n:#?}");
    assert!(s.ops_per_sec >= 0.0 && s.evictions_per_sec >= 0.0);
    // The next window is measured from the reset.
    gets(&mut conn, "r", 100, 300).await;
    let s = c.round().await.unwrap();
    assert_eq!(node(&s, &a).hit_ratio, Some(0.25));

    // Restart: new run_id, counters from zero.
    own.kill();
    own.spawn().await;
    let s = poll_until(&mut c, Duration::from_secs(10), |s| {
        node(s, &a).error.is_none()
    })
    .await;
    let n = node(&s, &a);
    assert!(n.error.is_none(), "{n:#?}");
    assert_eq!(n.hit_ratio, None);
    assert!(n.ops_per_sec >= 0.0 && n.ops_per_sec < 1e6, "{n:#?}");
}

#[tokio::test]
async fn killed_node_shows_its_error_others_report_and_it_recovers_on_restart() {
    opsdeck::install_crypto_provider();
    let mut own = OwnRedis::start(&[]).await;
    let a = own.addr();
    let stack = standalone_url();
    let timeout = Duration::from_secs(2);
    let mut c = RedisCollector::new(
        &RedisConfig {
            timeout: Some(timeout),
            ..config(vec![format!("redis://{a}"), stack.clone()], false)
        },
        &no_aws(),
    );
    let s = c.round().await.unwrap();
    assert!(node(&s, &a).error.is_none());

    own.kill();
    let started = Instant::now();
    let s = c.round().await.expect("the other node still reports");
    assert!(started.elapsed() < timeout, "{:?}", started.elapsed());
    let n = node(&s, &a);
    let e = n.error.as_deref().expect("error on the killed node");
    assert!(
        e.to_lowercase().contains("refused") || e.contains("broken") || e.contains("closed"),
        "{e}"
    );
    assert!(node(&s, &addr(&stack)).error.is_none());

    own.spawn().await;
    let s = poll_until(&mut c, Duration::from_secs(10), |s| {
        node(s, &a).error.is_none()
    })
    .await;
    assert!(node(&s, &a).error.is_none(), "{s:#?}");
    assert_eq!(node(&s, &a).role, "primary");
}

#[tokio::test]
async fn hung_and_garbage_nodes_are_errors_within_one_timeout() {
    opsdeck::install_crypto_provider();
    // Accepts and never answers.
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hung_addr = hung.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = hung.accept().await {
            held.push(s);
        }
    });
    // Answers with something that is not RESP.
    let junk = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let junk_addr = junk.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut s, _)) = junk.accept().await {
            let _ = s
                .write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n<html>nope</html>")
                .await;
            held.push(s);
        }
    });
    let timeout = Duration::from_secs(2);
    let stack = standalone_url();
    let mut c = RedisCollector::new(
        &RedisConfig {
            timeout: Some(timeout),
            ..config(
                vec![
                    format!("redis://{hung_addr}"),
                    format!("redis://{junk_addr}"),
                    stack.clone(),
                ],
                false,
            )
        },
        &no_aws(),
    );
    let started = Instant::now();
    let s = c.round().await.expect("the healthy node reports");
    assert!(started.elapsed() < timeout, "{:?}", started.elapsed());
    assert!(node(&s, &hung_addr).error.is_some());
    assert!(node(&s, &junk_addr).error.is_some());
    assert!(node(&s, &addr(&stack)).error.is_none());
}

#[tokio::test]
async fn password_from_env_authenticates_and_never_appears_in_output() {
    opsdeck::install_crypto_provider();
    let secret = "pw-opsdeck-test-7731";
    let own = OwnRedis::start(&["--requirepass", secret]).await;
    let a = own.addr();
    let env = EnvSecrets::from_pairs([
        ("OPSDECK_TEST_REDIS_PW", secret),
        ("OPSDECK_TEST_REDIS_PW_WRONG", "not-the-password"),
    ]);
    let aws = no_aws().with_env_secrets(env);
    let mut c = RedisCollector::new(
        &RedisConfig {
            password_env: Some("OPSDECK_TEST_REDIS_PW".into()),
            ..config(vec![format!("redis://{a}")], false)
        },
        &aws,
    );
    let s = c.round().await.unwrap();
    assert!(node(&s, &a).error.is_none(), "{s:#?}");

    let mut wrong = RedisCollector::new(
        &RedisConfig {
            password_env: Some("OPSDECK_TEST_REDIS_PW_WRONG".into()),
            ..config(vec![format!("redis://{a}")], false)
        },
        &aws,
    );
    let e = format!("{:#}", wrong.round().await.unwrap_err());
    assert!(
        !e.contains("not-the-password") && !e.contains(secret),
        "{e}"
    );
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains(secret));
}

#[tokio::test]
async fn elasticache_cloudwatch_figures_per_node_of_the_group_judged_by_the_panel() {
    opsdeck::install_crypto_provider();
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    // the emulator's static credentials, passed in: no change to the process environment
    let endpoint = env_or("AWS_ENDPOINT_URL", "http://127.0.0.1:5055");
    let group = format!("opsdeck-test-rg-{}", std::process::id());
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(&endpoint)
        .credentials_provider(aws_sdk_cloudwatch::config::Credentials::new(
            "test", "test", None, None, "static",
        ))
        .load()
        .await;
    let cw = aws_sdk_cloudwatch::Client::new(&conf);
    // A minute's datapoint, two minutes back: CloudWatch's own publication delay.
    let now = aws_smithy_types::DateTime::from_secs(chrono::Utc::now().timestamp() - 120);
    // As AWS publishes them: per CacheClusterId (one per node) and CacheNodeId, never per
    // ReplicationGroupId. A node of another group whose name shares the prefix is decoy.
    let datum = |cluster: &str, m: &str, v: f64, u: StandardUnit| {
        let dim = |n: &str, v: &str| Dimension::builder().name(n).value(v).build();
        MetricDatum::builder()
            .metric_name(m)
            .dimensions(dim("CacheClusterId", cluster))
            .dimensions(dim("CacheNodeId", "0001"))
            .value(v)
            .unit(u)
            .timestamp(now)
            .build()
    };
    let (n1, n2, other) = (
        format!("{group}-0001-001"),
        format!("{group}-0001-002"),
        format!("{group}0-0001-001"),
    );
    cw.put_metric_data()
        .namespace("AWS/ElastiCache")
        .metric_data(datum(&n1, "CacheHitRate", 91.5, StandardUnit::Percent))
        .metric_data(datum(
            &n1,
            "EngineCPUUtilization",
            95.0,
            StandardUnit::Percent,
        ))
        .metric_data(datum(&n2, "CacheHitRate", 62.0, StandardUnit::Percent))
        .metric_data(datum(
            &n2,
            "EngineCPUUtilization",
            20.0,
            StandardUnit::Percent,
        ))
        .metric_data(datum(
            &other,
            "EngineCPUUtilization",
            99.0,
            StandardUnit::Percent,
        ))
        .send()
        .await
        .expect("PutMetricData to moto");
    let aws = AwsContext::from_sdk_config(conf.clone(), Some(endpoint));
    let mut c = RedisCollector::new(
        &RedisConfig {
            replication_group: Some(group.clone()),
            ..config(vec![standalone_url()], false)
        },
        &aws,
    );
    let s = c.round().await.unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let fig = |label: String| {
        s.cloudwatch
            .iter()
            .find(|f| f.label == label)
            .unwrap_or_else(|| panic!("no {label} in {:#?}", s.cloudwatch))
    };
    use opsdeck::model::Status;
    // Thresholds of panels/elasticache.toml: hit rate warn below 80, crit below 50; engine
    // CPU warn above 70, crit above 90.
    assert_eq!(fig(format!("{n1} hit rate")).value, Some(91.5));
    assert_eq!(fig(format!("{n1} hit rate")).status, Status::Ok);
    assert_eq!(fig(format!("{n1} engine CPU")).status, Status::Crit);
    assert_eq!(fig(format!("{n2} hit rate")).status, Status::Warn);
    assert_eq!(fig(format!("{n2} engine CPU")).value, Some(20.0));
    assert!(
        s.cloudwatch.iter().all(|f| !f.label.starts_with(&other)),
        "another group's node is not shown: {:#?}",
        s.cloudwatch
    );
}

/// An operator's `panels_dir/elasticache.toml` with thresholds unlike the embedded ones
/// (hit rate warn below 90 instead of 80; engine CPU warn above 80 instead of 70) judges the
/// Redis panel's ElastiCache figures: `opsdeck snapshot` with and without the panels_dir, on
/// the same datapoints, disagree exactly where the thresholds differ.
#[tokio::test]
async fn an_operators_panels_dir_elasticache_thresholds_judge_the_redis_panel() {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    let endpoint = common::moto_url();
    let region = common::region();
    let group = format!("opsdeck-panels-rg-{}", std::process::id());
    let node = format!("{group}-0001-001");
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.clone()))
        .endpoint_url(&endpoint)
        .credentials_provider(aws_sdk_cloudwatch::config::Credentials::new(
            common::stack_env("AWS_ACCESS_KEY_ID"),
            common::stack_env("AWS_SECRET_ACCESS_KEY"),
            None,
            None,
            "stack",
        ))
        .load()
        .await;
    let cw = aws_sdk_cloudwatch::Client::new(&conf);
    let now = aws_smithy_types::DateTime::from_secs(chrono::Utc::now().timestamp() - 120);
    // As AWS publishes them: per CacheClusterId and CacheNodeId.
    let datum = |m: &str, v: f64| {
        let dim = |n: &str, v: &str| Dimension::builder().name(n).value(v).build();
        MetricDatum::builder()
            .metric_name(m)
            .dimensions(dim("CacheClusterId", &node))
            .dimensions(dim("CacheNodeId", "0001"))
            .value(v)
            .unit(StandardUnit::Percent)
            .timestamp(now)
            .build()
    };
    cw.put_metric_data()
        .namespace("AWS/ElastiCache")
        .metric_data(datum("CacheHitRate", 85.0))
        .metric_data(datum("EngineCPUUtilization", 75.0))
        .send()
        .await
        .expect("PutMetricData to moto");

    let dir = tempfile::tempdir().unwrap();
    let panels = dir.path().join("panels");
    std::fs::create_dir(&panels).unwrap();
    let embedded = include_str!("../panels/elasticache.toml");
    let own = embedded
        .replace(
            "direction = \"below\"\nwarn = 80",
            "direction = \"below\"\nwarn = 90",
        )
        .replace(
            "dimension_all = \"CacheClusterId\"\nwarn = 70",
            "dimension_all = \"CacheClusterId\"\nwarn = 80",
        );
    assert_ne!(
        own, embedded,
        "the test's panel differs from the embedded one"
    );
    std::fs::write(panels.join("elasticache.toml"), own).unwrap();
    let config = |with_panels: bool| {
        let path = dir.path().join(format!("opsdeck-{with_panels}.toml"));
        let panels_dir = if with_panels {
            format!("panels_dir = {:?}\n", panels.display().to_string())
        } else {
            String::new()
        };
        std::fs::write(
            &path,
            format!(
                "{panels_dir}default_context = \"t\"\n[contexts.t]\nregion = {region:?}\n\
                 endpoint_url = {endpoint:?}\n[contexts.t.redis]\nurls = [{:?}]\n\
                 replication_group = {group:?}\n",
                standalone_url()
            ),
        )
        .unwrap();
        path
    };
    let snapshot = |with_panels: bool| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .arg("snapshot")
            .arg("--config")
            .arg(config(with_panels))
            .env("OPSDECK_LOG_DIR", dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let status = |snap: &serde_json::Value, label: &str| -> String {
        let figs = snap["redis"]["cloudwatch"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let f = figs
            .iter()
            .find(|f| f["label"] == format!("{node} {label}"))
            .unwrap_or_else(|| panic!("no {node} {label} in {snap:#}"));
        f["status"].as_str().unwrap().to_string()
    };
    let built_in = snapshot(false);
    assert_eq!(
        status(&built_in, "hit rate"),
        "ok",
        "85 is above the embedded 80"
    );
    assert_eq!(
        status(&built_in, "engine CPU"),
        "warn",
        "75 is above the embedded 70"
    );
    let operators = snapshot(true);
    assert_eq!(
        status(&operators, "hit rate"),
        "warn",
        "85 is below the operator's 90"
    );
    assert_eq!(
        status(&operators, "engine CPU"),
        "ok",
        "75 is under the operator's 80"
    );
}

#[tokio::test]
async fn tls_rediss_url_with_auth_from_env_is_collected() {
    opsdeck::install_crypto_provider();
    // A throwaway CA and a server certificate for 127.0.0.1 signed by it.
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).display().to_string();
    let (ca, ca_key, cert, key, csr) = (
        p("ca.pem"),
        p("ca.key"),
        p("cert.pem"),
        p("key.pem"),
        p("cert.csr"),
    );
    let ext = p("ext.cnf");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let steps: Vec<Vec<&str>> = vec![
        vec![
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=opsdeck test CA",
            "-keyout",
            &ca_key,
            "-out",
            &ca,
        ],
        vec![
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            &key,
            "-out",
            &csr,
        ],
        vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            &ext,
            "-out",
            &cert,
        ],
    ];
    for args in steps {
        let ok = Command::new("openssl")
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl on PATH")
            .success();
        assert!(ok, "openssl {args:?} failed");
    }
    let secret = "tls-pw-opsdeck-5521";
    let (c, k) = (cert.clone(), key.clone());
    let own = OwnRedis::start(&[
        "--port",
        "0",
        "--tls-port",
        "{port}",
        "--tls-cert-file",
        &c,
        "--tls-key-file",
        &k,
        "--tls-auth-clients",
        "no",
        "--requirepass",
        secret,
    ])
    .await;
    let url = format!("rediss://{}", own.addr());
    let env = EnvSecrets::from_pairs([("OPSDECK_TEST_REDIS_TLS_PW", secret)]);
    let mut col = RedisCollector::new(
        &RedisConfig {
            password_env: Some("OPSDECK_TEST_REDIS_TLS_PW".into()),
            // The server certificate is verified against this CA.
            tls_ca_file: Some(ca.clone()),
            ..config(vec![url], false)
        },
        &no_aws().with_env_secrets(env),
    );
    let s = col.round().await.expect("TLS round");
    let n = node(&s, &own.addr());
    assert!(n.error.is_none(), "{n:#?}");
    assert_eq!(n.role, "primary");
    assert!(!serde_json::to_string(&s).unwrap().contains(secret));
}

async fn cmd<T: redis::FromRedisValue>(
    c: &mut redis::aio::MultiplexedConnection,
    args: &[&str],
) -> redis::RedisResult<T> {
    let mut k = redis::cmd(args[0]);
    for a in &args[1..] {
        k.arg(*a);
    }
    k.query_async(c).await
}

#[tokio::test]
async fn cluster_failover_is_picked_up_without_restart() {
    opsdeck::install_crypto_provider();
    // A two-node cluster of our own (one shard: a primary with every slot, and its replica),
    // so a failover here disturbs nobody.
    let cluster_args = [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "opsdeck-test-nodes-{port}.conf",
        "--cluster-node-timeout",
        "2000",
    ];
    let a = OwnRedis::start(&cluster_args).await;
    let b = OwnRedis::start(&cluster_args).await;
    let mut ca = plain(&a.addr()).await;
    let mut cb = plain(&b.addr()).await;
    let _: () = cmd(&mut ca, &["CLUSTER", "ADDSLOTSRANGE", "0", "16383"])
        .await
        .unwrap();
    let _: () = cmd(
        &mut cb,
        &["CLUSTER", "MEET", "127.0.0.1", &a.port.to_string()],
    )
    .await
    .unwrap();
    let a_id: String = cmd(&mut ca, &["CLUSTER", "MYID"]).await.unwrap();
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        // B can replicate A once the handshake made A known to it.
        if cmd::<()>(&mut cb, &["CLUSTER", "REPLICATE", &a_id])
            .await
            .is_ok()
        {
            break;
        }
        assert!(Instant::now() < end, "cluster handshake did not complete");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut c = RedisCollector::new(
        &config(vec![format!("redis://{}", a.addr())], true),
        &no_aws(),
    );
    let s = poll_until(&mut c, Duration::from_secs(15), |s| {
        s.nodes.len() == 2
            && s.nodes
                .iter()
                .any(|n| n.addr == b.addr() && n.role == "replica")
    })
    .await;
    assert_eq!(node(&s, &a.addr()).role, "primary", "{s:#?}");
    assert_eq!(node(&s, &b.addr()).role, "replica", "{s:#?}");
    let nodes_a: String = cmd(&mut ca, &["CLUSTER", "NODES"]).await.unwrap();
    assert_eq!(
        node(&s, &a.addr()).shard,
        node(&s, &b.addr()).shard,
        "{nodes_a}"
    );

    // Let the replica catch up, then fail over to it.
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        let info: String = cmd(&mut cb, &["INFO", "replication"]).await.unwrap();
        if info.contains("master_link_status:up") {
            break;
        }
        assert!(Instant::now() < end, "replica never linked: {info}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _: () = cmd(&mut cb, &["CLUSTER", "FAILOVER"]).await.unwrap();
    let s = poll_until(&mut c, Duration::from_secs(15), |s| {
        s.nodes
            .iter()
            .any(|n| n.addr == b.addr() && n.role == "primary")
            && s.nodes
                .iter()
                .any(|n| n.addr == a.addr() && n.role == "replica")
    })
    .await;
    assert_eq!(node(&s, &b.addr()).role, "primary", "{s:#?}");
    assert_eq!(node(&s, &a.addr()).role, "replica", "{s:#?}");
    assert_eq!(node(&s, &a.addr()).shard, node(&s, &b.addr()).shard);
    for port in [a.port, b.port] {
        let _ = std::fs::remove_file(
            std::env::temp_dir().join(format!("opsdeck-test-nodes-{port}.conf")),
        );
    }
}
