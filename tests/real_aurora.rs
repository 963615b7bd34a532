//! Aurora/MySQL collector against the real stack (`scripts/stack up`): MariaDB source 3316,
//! replica 3317, delayed replica 3318 (MASTER_DELAY), moto 5055 for RDS and CloudWatch.
//! A missing service fails these tests; it never skips them.

mod common;

use std::time::{Duration, Instant};

use opsdeck::config::secrets::EnvSecrets;
use opsdeck::config::{AuroraConfig, Context, ReplicaConfig};
use opsdeck::model::{AuroraStatus, LagSource, ReplicaState, ReplicaStatus};
use opsdeck::services::aurora::AuroraCollector;
use opsdeck::services::aws::AwsContext;
use sqlx::mysql::MySqlPool;
use sqlx::{Connection, Executor, Row};

use common::{
    moto_url as aws_endpoint, mysql_delayed_url as delayed_url, mysql_replica_url as replica_url,
    mysql_source_url as source_url,
};

fn aws_env() {
    opsdeck::install_crypto_provider();
    // The stack's static credentials and region come from `scripts/stack env`.
    common::aws();
}

/// Tests here stop replication threads and observe replica state: one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn no_aws() -> AwsContext {
    AwsContext::new(&Context::default())
}

fn with_aws() -> AwsContext {
    aws_env();
    AwsContext::new(&Context {
        region: Some("us-east-1".into()),
        endpoint_url: Some(aws_endpoint()),
        ..Default::default()
    })
}

fn replica(name: &str, url: &str) -> ReplicaConfig {
    ReplicaConfig {
        name: name.into(),
        url: url.into(),
        password_env: None,
        ..Default::default()
    }
}

fn stack_config() -> AuroraConfig {
    AuroraConfig {
        cluster_id: "catalog".into(),
        writer_url: Some(source_url().into()),
        replicas: vec![
            replica("replica-1", &replica_url()),
            replica("delayed", &delayed_url()),
        ],
        heartbeat_table: Some("opsdeck.heartbeat".into()),
        timeout: Some(Duration::from_secs(3)),
        ..Default::default()
    }
}

async fn pool(url: &str) -> MySqlPool {
    MySqlPool::connect(url)
        .await
        .unwrap_or_else(|e| panic!("MySQL at {url} is not reachable ({e}); run scripts/stack up"))
}

fn find<'a>(s: &'a AuroraStatus, name: &str) -> &'a ReplicaStatus {
    s.replicas
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no replica {name} in {s:#?}"))
}

fn reading(r: &ReplicaStatus, src: LagSource) -> Option<f64> {
    r.readings
        .iter()
        .find(|x| x.source == src)
        .and_then(|x| x.lag_seconds)
}

/// pt-heartbeat's job, done by the test itself so it does not depend on the stack's writer
/// process: the source's clock into opsdeck.heartbeat, every 200 ms, until dropped.
struct HeartbeatWriter(tokio::task::JoinHandle<()>);

impl HeartbeatWriter {
    async fn start() -> Self {
        let p = pool(&source_url()).await;
        p.execute("REPLACE INTO opsdeck.heartbeat (server_id, ts) VALUES (@@server_id, NOW(6))")
            .await
            .expect("write heartbeat on the source");
        HeartbeatWriter(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            loop {
                tick.tick().await;
                let _ = p
                    .execute(
                        "REPLACE INTO opsdeck.heartbeat (server_id, ts) VALUES (@@server_id, NOW(6))",
                    )
                    .await;
            }
        }))
    }
}

impl Drop for HeartbeatWriter {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs SQL on a server when dropped (also when the test panics), on its own thread and
/// runtime because Drop cannot await.
struct Restore {
    url: String,
    sql: &'static str,
}

impl Drop for Restore {
    fn drop(&mut self) {
        let url = self.url.clone();
        let sql = self.sql;
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                match sqlx::mysql::MySqlConnection::connect(&url).await {
                    Ok(mut c) => {
                        if let Err(e) = c.execute(sql).await {
                            eprintln!("restore {sql:?} on {url}: {e}");
                        }
                    }
                    Err(e) => eprintln!("restore {sql:?}: cannot connect to {url}: {e}"),
                }
            });
        })
        .join();
    }
}

/// Rounds until `ok` holds, up to `deadline`; returns the last status either way.
async fn poll_until(
    c: &mut AuroraCollector,
    deadline: Duration,
    ok: impl Fn(&AuroraStatus) -> bool,
) -> AuroraStatus {
    let end = Instant::now() + deadline;
    loop {
        let s = c.round().await.expect("round");
        if ok(&s) || Instant::now() > end {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_replica_lag_matches_what_the_server_says_from_sql_and_heartbeat() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    let _hb = HeartbeatWriter::start().await;
    let delayed = pool(&delayed_url()).await;
    let mut c = AuroraCollector::new(&stack_config(), &no_aws());
    // MASTER_DELAY keeps the delayed replica several seconds behind once heartbeats flow.
    let s = poll_until(&mut c, Duration::from_secs(20), |s| {
        let d = find(s, "delayed");
        reading(d, LagSource::Sql).is_some_and(|l| l >= 2.0)
            && reading(d, LagSource::Heartbeat).is_some_and(|l| l >= 2.0)
    })
    .await;
    let d = find(&s, "delayed");
    // What the server says, right after the collector asked.
    let st = delayed.fetch_one("SHOW SLAVE STATUS").await.unwrap();
    let server_sql: i64 = st
        .try_get::<Option<i64>, _>("Seconds_Behind_Master")
        .ok()
        .flatten()
        .or_else(|| {
            st.try_get::<Option<u64>, _>("Seconds_Behind_Master")
                .ok()
                .flatten()
                .map(|v| v as i64)
        })
        .expect("delayed replica reports Seconds_Behind_Master");
    let server_hb: f64 = delayed
        .fetch_one(
            "SELECT TIMESTAMPDIFF(MICROSECOND, MAX(ts), NOW(6)) AS us FROM opsdeck.heartbeat",
        )
        .await
        .unwrap()
        .try_get::<i64, _>("us")
        .expect("heartbeat age") as f64
        / 1e6;

    assert_eq!(d.state, ReplicaState::Replicating, "{d:#?}");
    let sql = reading(d, LagSource::Sql).expect("sql reading");
    let hb = reading(d, LagSource::Heartbeat).expect("heartbeat reading");
    assert!(
        (sql - server_sql as f64).abs() <= 1.0,
        "sql lag {sql} vs server {server_sql}"
    );
    assert!(
        (hb - server_hb).abs() <= 1.0,
        "heartbeat lag {hb} vs server {server_hb}"
    );
    // Headline: heartbeat wins.
    assert_eq!(d.lag_source, LagSource::Heartbeat);
    assert_eq!(d.lag_seconds, Some(hb));
    assert!(d.gtid_position.is_some(), "{d:#?}");
    // The undelayed replica is close behind.
    let r = find(&s, "replica-1");
    assert_eq!(r.state, ReplicaState::Replicating, "{r:#?}");
    assert!(r.lag_seconds.is_some_and(|l| l < 2.0), "{r:#?}");
    // Writer health from the source.
    let w = s.writer_health.as_ref().expect("writer health");
    assert!(w.connections.is_some_and(|n| n >= 1), "{w:?}");
    assert!(w.max_connections.is_some_and(|n| n > 0), "{w:?}");
    assert!(w.running_transactions.is_some(), "{w:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_sql_thread_is_stopped_with_no_lag_then_recovers() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    let _hb = HeartbeatWriter::start().await;
    let replica_db = pool(&replica_url()).await;
    let cfg = AuroraConfig {
        replicas: vec![replica("replica-1", &replica_url())],
        ..stack_config()
    };
    let mut c = AuroraCollector::new(&cfg, &no_aws());
    let before = poll_until(&mut c, Duration::from_secs(10), |s| {
        find(s, "replica-1").state == ReplicaState::Replicating
    })
    .await;
    assert_eq!(find(&before, "replica-1").state, ReplicaState::Replicating);

    let _restore = Restore {
        url: replica_url(),
        sql: "START SLAVE SQL_THREAD",
    };
    replica_db.execute("STOP SLAVE SQL_THREAD").await.unwrap();
    let s = poll_until(&mut c, Duration::from_secs(10), |s| {
        find(s, "replica-1").state == ReplicaState::Stopped
    })
    .await;
    let r = find(&s, "replica-1");
    assert_eq!(r.state, ReplicaState::Stopped, "{r:#?}");
    assert_eq!(r.lag_seconds, None, "a stopped replica has no lag figure");
    assert_eq!(reading(r, LagSource::Sql), None, "{r:#?}");
    assert_eq!(r.sql_running, Some(false));
    assert_eq!(r.io_running, Some(true));
    assert!(r.last_error.is_some(), "{r:#?}");

    replica_db.execute("START SLAVE SQL_THREAD").await.unwrap();
    let s = poll_until(&mut c, Duration::from_secs(15), |s| {
        let r = find(s, "replica-1");
        r.state == ReplicaState::Replicating && r.lag_seconds.is_some()
    })
    .await;
    let r = find(&s, "replica-1");
    assert_eq!(r.state, ReplicaState::Replicating, "{r:#?}");
    assert!(r.lag_seconds.is_some_and(|l| l < 5.0), "{r:#?}");
}

/// A loopback port with nothing listening: connections are refused.
fn refused_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_and_hung_replicas_are_errors_within_the_timeout_while_others_report() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    // Accepts connections and never says a word (a hung server).
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hung_port = hung.local_addr().unwrap().port();
    let _hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = hung.accept().await {
            held.push(sock);
        }
    });
    let timeout = Duration::from_secs(2);
    let cfg = AuroraConfig {
        replicas: vec![
            replica("replica-1", &replica_url()),
            ReplicaConfig {
                name: "refused".into(),
                url: format!("mysql://root@127.0.0.1:{}/", refused_port()).into(),
                password_env: Some("OPSDECK_TEST_DEAD_PW".into()),
                ..Default::default()
            },
            replica("hung", &format!("mysql://root@127.0.0.1:{hung_port}/")),
        ],
        timeout: Some(timeout),
        ..stack_config()
    };
    let env = EnvSecrets::from_pairs([("OPSDECK_TEST_DEAD_PW", "s3cret-never-shown")]);
    let mut c = AuroraCollector::new(&cfg, &no_aws().with_env_secrets(env));
    let started = Instant::now();
    let s = c
        .round()
        .await
        .expect("a round with some dead replicas still reports");
    assert!(
        started.elapsed() < timeout,
        "round took {:?}",
        started.elapsed()
    );
    let ok = find(&s, "replica-1");
    assert_eq!(ok.state, ReplicaState::Replicating, "{ok:#?}");
    for name in ["refused", "hung"] {
        let r = find(&s, name);
        assert_eq!(r.state, ReplicaState::Error, "{r:#?}");
        assert_eq!(r.lag_seconds, None);
        let msg = r.last_error.as_deref().unwrap_or_default();
        assert!(!msg.is_empty());
        assert!(!msg.contains("s3cret"), "password leaked: {msg}");
    }
    let refused = find(&s, "refused").last_error.clone().unwrap();
    assert!(refused.to_lowercase().contains("refused"), "{refused}");
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("s3cret"));
}

/// A TCP proxy in front of a real server, that the test can kill and restart on the same port.
struct Proxy {
    port: u16,
    target: String,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    async fn start(target: &str) -> Self {
        let mut p = Proxy {
            port: 0,
            target: target.to_string(),
            task: None,
        };
        p.listen().await;
        p
    }
    async fn listen(&mut self) {
        let l = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        self.port = l.local_addr().unwrap().port();
        let target = self.target.clone();
        self.task = Some(tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = l.accept().await {
                let target = target.clone();
                conns.spawn(async move {
                    if let Ok(mut out) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
            }
        }));
    }
    /// Listener and every proxied connection gone: the port refuses.
    async fn kill(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replica_that_goes_away_shows_error_and_recovers_when_it_is_back() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    let target = replica_url()
        .trim_start_matches("mysql://")
        .split('@')
        .next_back()
        .unwrap()
        .trim_end_matches('/')
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut proxy = Proxy::start(&target).await;
    let cfg = AuroraConfig {
        replicas: vec![
            replica("replica-1", &replica_url()),
            replica("flaky", &format!("mysql://root@127.0.0.1:{}/", proxy.port)),
        ],
        ..stack_config()
    };
    let mut c = AuroraCollector::new(&cfg, &no_aws());
    let s = poll_until(&mut c, Duration::from_secs(10), |s| {
        find(s, "flaky").state == ReplicaState::Replicating
    })
    .await;
    assert_eq!(find(&s, "flaky").state, ReplicaState::Replicating);

    proxy.kill().await;
    let s = poll_until(&mut c, Duration::from_secs(10), |s| {
        find(s, "flaky").state == ReplicaState::Error
    })
    .await;
    let r = find(&s, "flaky");
    assert_eq!(r.state, ReplicaState::Error, "{r:#?}");
    assert!(r.last_error.is_some());
    assert_eq!(find(&s, "replica-1").state, ReplicaState::Replicating);

    proxy.listen().await;
    let s = poll_until(&mut c, Duration::from_secs(10), |s| {
        find(s, "flaky").state == ReplicaState::Replicating
    })
    .await;
    assert_eq!(find(&s, "flaky").state, ReplicaState::Replicating, "{s:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aurora_replica_host_status_fixture_gives_lag_and_lists_the_stale_reader_as_gone() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    let _hb = HeartbeatWriter::start().await;
    let writer = pool(&source_url()).await;
    // Keep catalog-2's row fresh (the stack's heartbeat process does this too, when running).
    writer
        .execute(
            "UPDATE aurora_fixture.replica_host_status SET LAST_UPDATE_TIMESTAMP = NOW(6), \
             REPLICA_LAG_IN_MILLISECONDS = 21.5 WHERE SERVER_ID = 'catalog-2'",
        )
        .await
        .expect("aurora_fixture.replica_host_status on the source");
    let cfg = AuroraConfig {
        replicas: vec![],
        replica_status_table: Some("aurora_fixture.replica_host_status".into()),
        ..stack_config()
    };
    let mut c = AuroraCollector::new(&cfg, &no_aws());
    let s = c.round().await.unwrap();
    assert_eq!(
        s.writer.as_deref(),
        Some("catalog-1"),
        "writer from MASTER_SESSION_ID"
    );
    let r2 = find(&s, "catalog-2");
    assert_eq!(r2.state, ReplicaState::Replicating, "{r2:#?}");
    assert_eq!(r2.lag_source, LagSource::Sql);
    let l = r2.lag_seconds.expect("catalog-2 lag");
    assert!(l > 0.0 && l < 0.1, "milliseconds read as seconds? {l}");
    // catalog-3's row is 10 minutes old: an instance that is gone, not a broken replica.
    assert!(
        s.replicas.iter().all(|r| r.name != "catalog-3"),
        "stale row is no replica: {s:#?}"
    );
    let gone = s.gone.iter().find(|g| g.name == "catalog-3").expect("gone");
    assert!(
        gone.last_update_age_seconds.is_some_and(|a| a >= 590.0),
        "{gone:?}"
    );
}

async fn rds_client() -> aws_sdk_rds::Client {
    aws_env();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(aws_endpoint())
        .load()
        .await;
    aws_sdk_rds::Client::new(&conf)
}

async fn moto_writer(rds: &aws_sdk_rds::Client) -> String {
    let out = rds
        .describe_db_clusters()
        .db_cluster_identifier("catalog")
        .send()
        .await
        .expect("moto at AWS_ENDPOINT_URL with the seeded cluster `catalog`; run scripts/stack up");
    out.db_clusters()[0]
        .db_cluster_members()
        .iter()
        .find(|m| m.is_cluster_writer() == Some(true))
        .and_then(|m| m.db_instance_identifier())
        .expect("cluster has a writer")
        .to_string()
}

/// Puts the writer back where it was, even when the test fails.
struct RestoreWriter {
    writer: String,
}

impl Drop for RestoreWriter {
    fn drop(&mut self) {
        let writer = self.writer.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let rds = rds_client().await;
                if moto_writer(&rds).await != writer {
                    let _ = rds
                        .failover_db_cluster()
                        .db_cluster_identifier("catalog")
                        .target_db_instance_identifier(&writer)
                        .send()
                        .await;
                }
            });
        })
        .join();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rds_topology_from_moto_and_failover_changes_the_writer_shown() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    let rds = rds_client().await;
    let original = moto_writer(&rds).await;
    let _restore = RestoreWriter {
        writer: original.clone(),
    };
    let cfg = AuroraConfig {
        replicas: vec![replica("replica-1", &replica_url())],
        ..stack_config()
    };
    let mut c = AuroraCollector::new(&cfg, &with_aws())
        .with_refresh(Duration::from_millis(200), Duration::from_secs(60));
    let s = c.round().await.unwrap();
    assert_eq!(s.writer.as_deref(), Some(original.as_str()), "{s:#?}");
    let names: Vec<&str> = s.instances.iter().map(|i| i.name.as_str()).collect();
    for n in ["catalog-1", "catalog-2", "catalog-3"] {
        assert!(names.contains(&n), "{names:?}");
    }
    assert_eq!(s.instances[0].role, "writer");
    let tiers: Vec<Option<i32>> = s.instances.iter().map(|i| i.promotion_tier).collect();
    assert!(tiers.iter().all(Option::is_some), "{:#?}", s.instances);
    assert!(
        s.instances.iter().all(|i| i.class.is_some()),
        "{:#?}",
        s.instances
    );
    // RDS readers are listed as replicas even without SQL access to them.
    let readers: Vec<&str> = s
        .instances
        .iter()
        .filter(|i| i.role == "reader")
        .map(|i| i.name.as_str())
        .collect();
    for r in &readers {
        assert!(s.replicas.iter().any(|x| x.name == *r), "{r} missing");
    }
    // SQL data is there alongside.
    assert_eq!(find(&s, "replica-1").state, ReplicaState::Replicating);

    let target = readers.first().expect("a reader").to_string();
    rds.failover_db_cluster()
        .db_cluster_identifier("catalog")
        .target_db_instance_identifier(&target)
        .send()
        .await
        .expect("FailoverDBCluster");
    let s = poll_until(&mut c, Duration::from_secs(10), |s| {
        s.writer.as_deref() == Some(target.as_str())
    })
    .await;
    assert_eq!(s.writer.as_deref(), Some(target.as_str()));
    assert!(
        s.instances
            .iter()
            .any(|i| i.name == original && i.role == "reader"),
        "{:#?}",
        s.instances
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_rds_is_a_partial_error_and_sql_figures_still_come() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    aws_env();
    let aws = AwsContext::new(&Context {
        region: Some("us-east-1".into()),
        endpoint_url: Some(format!("http://127.0.0.1:{}", refused_port())),
        ..Default::default()
    });
    let cfg = AuroraConfig {
        replicas: vec![replica("replica-1", &replica_url())],
        ..stack_config()
    };
    let mut c = AuroraCollector::new(&cfg, &aws);
    let s = c.round().await.expect("SQL side still reports");
    assert!(s.errors.iter().any(|e| e.contains("RDS")), "{:?}", s.errors);
    assert_eq!(find(&s, "replica-1").state, ReplicaState::Replicating);
    assert!(s.writer_health.is_some());
}

async fn cloudwatch_client() -> aws_sdk_cloudwatch::Client {
    aws_env();
    let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(aws_endpoint())
        .load()
        .await;
    aws_sdk_cloudwatch::Client::new(&conf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudwatch_aurora_replica_lag_in_milliseconds_is_reported_in_seconds() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
    // A replica name of this test's own, so no other datapoint shares its minute.
    let name = format!("opsdeck-test-cw-{}", std::process::id());
    let cw = cloudwatch_client().await;
    let now = aws_smithy_types::DateTime::from_secs(chrono::Utc::now().timestamp());
    cw.put_metric_data()
        .namespace("AWS/RDS")
        .metric_data(
            MetricDatum::builder()
                .metric_name("AuroraReplicaLag")
                .dimensions(
                    Dimension::builder()
                        .name("DBInstanceIdentifier")
                        .value(&name)
                        .build(),
                )
                .value(1234.0)
                .unit(StandardUnit::Milliseconds)
                .timestamp(now)
                .build(),
        )
        .send()
        .await
        .expect("PutMetricData to moto");
    let cfg = AuroraConfig {
        // SQL goes to the stack's replica; CloudWatch is asked about the same name.
        replicas: vec![replica(&name, &replica_url())],
        heartbeat_table: None,
        ..stack_config()
    };
    let mut c = AuroraCollector::new(&cfg, &with_aws());
    let s = c.round().await.unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let r = find(&s, &name);
    let lag = reading(r, LagSource::Cloudwatch).expect("a CloudWatch reading");
    assert!((lag - 1.234).abs() < 1e-9, "ms -> s: {lag}");
    // SQL outranks CloudWatch for the headline.
    assert_eq!(r.lag_source, LagSource::Sql, "{r:#?}");
    // The seeded readers get CloudWatch queries too (from the RDS topology).
    assert!(s.replicas.iter().any(|r| r.name == "catalog-2"));
}

/// A config like config.local.toml, with the URLs `scripts/stack env` gives (so a stack on other
/// ports works too).
fn snapshot_config(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("opsdeck.toml");
    std::fs::write(
        &p,
        format!(
            r#"default_context = "local"
[contexts.local]
region = "us-east-1"
endpoint_url = "{aws}"
[contexts.local.aurora]
cluster_id = "catalog"
writer_url = "{src}"
replicas = [ {{ name = "replica-1", url = "{rep}" }}, {{ name = "replica-delayed", url = "{del}" }} ]
heartbeat_table = "opsdeck.heartbeat"
replica_status_table = "aurora_fixture.replica_host_status"
[contexts.local.redis]
urls = ["{redis}"]
"#,
            aws = aws_endpoint(),
            src = source_url(),
            rep = replica_url(),
            del = delayed_url(),
            redis = common::stack_env("OPSDECK_REDIS_URL"),
        ),
    )
    .unwrap();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_fills_aurora_and_redis_per_the_contract() {
    let _serial = SERIAL.lock().await;
    let _hb = HeartbeatWriter::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = snapshot_config(dir.path());
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("snapshot")
        .arg("--config")
        .arg(&config)
        .args(["--context", "local", "--window", "1s"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(dir.path())
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert!(
        !errors
            .iter()
            .any(|e| e["source"] == "aurora" || e["source"] == "redis"),
        "{errors:#?}"
    );

    let a = &v["aurora"];
    assert_eq!(a["cluster"], "catalog");
    assert!(a["writer"].is_string(), "{a:#}");
    let replicas = a["replicas"].as_array().unwrap();
    assert!(replicas.len() >= 2, "{a:#}");
    for r in replicas {
        assert!(r["name"].is_string());
        let lag = has(r, "lag_seconds");
        assert!(lag.is_number() || lag.is_null(), "{r}");
        assert!(
            ["sql", "heartbeat", "cloudwatch"].contains(&r["lag_source"].as_str().unwrap()),
            "{r}"
        );
        assert!(
            ["replicating", "stopped", "error", "unknown"].contains(&r["state"].as_str().unwrap()),
            "{r}"
        );
    }
    let r1 = replicas.iter().find(|r| r["name"] == "replica-1").unwrap();
    assert_eq!(r1["state"], "replicating", "{r1}");
    assert!(r1["lag_seconds"].is_number(), "{r1}");

    let r = &v["redis"];
    for k in ["hit_ratio", "hit_ratio_lifetime"] {
        let v = has(r, k);
        assert!(v.is_number() || v.is_null(), "{k}: {r:#}");
    }
    assert!(r["ops_per_sec"].as_f64().unwrap() >= 0.0, "{r:#}");
    let nodes = r["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    for n in nodes {
        for k in [
            "addr",
            "role",
            "hit_ratio",
            "used_memory_bytes",
            "evicted_keys",
            "connected_clients",
        ] {
            has(n, k);
        }
        assert!(n.get("error").is_none_or(|e| e.is_null()), "{n}");
    }
}

/// The contract says a key is present even when its value is null: `v[k]` alone reads a missing
/// key as null, so look the key up and fail naming it when it is absent.
fn has<'a>(v: &'a serde_json::Value, k: &str) -> &'a serde_json::Value {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .get(k)
        .unwrap_or_else(|| panic!("contract key {k:?} missing from {v}"))
}
