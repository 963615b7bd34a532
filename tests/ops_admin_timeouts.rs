//! Every admin call an operation makes is bounded (`[contexts.X] admin_timeout`): against a
//! server that accepts connections and never answers (a hung load balancer, a stopped
//! process behind a live socket), RDS, S3 and OpenSearch calls end in an error that names the
//! call and its bound, headless and through the library.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use opsdeck::config::Context;
use opsdeck::services::aurora::rds_admin::{AwsRdsAdmin, RdsAdmin};
use opsdeck::services::aws::AwsContext;
use opsdeck::services::opensearch::OsAdmin;
use opsdeck::services::opensearch::admin::SearchAdmin;
use opsdeck::services::s3::admin::{LifecycleAdmin, S3Admin};

/// A loopback listener that accepts every connection and never writes a byte; the sockets
/// stay open until the test ends (dropping the task closes them).
struct Silent {
    url: String,
    _task: tokio::task::JoinHandle<()>,
}

impl Silent {
    async fn start() -> Silent {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = l.accept().await {
                held.push(s);
            }
        });
        Silent { url, _task: task }
    }
}

/// The stack's static test credentials, the endpoint at the silent server.
fn aws_at(endpoint: &str) -> AwsContext {
    common::aws(); // checks the static credentials are there
    AwsContext::new(&Context {
        region: Some(common::region()),
        endpoint_url: Some(endpoint.to_string()),
        ..Default::default()
    })
}

const BOUND: Duration = Duration::from_millis(400);

fn assert_bounded(err: &anyhow::Error, call: &str, took: Duration) {
    let msg = format!("{err:#}");
    assert!(msg.contains(call), "names the call {call:?}: {msg}");
    assert!(
        msg.contains("no answer within 400ms (admin_timeout)"),
        "names the bound and its key: {msg}"
    );
    assert!(
        took < Duration::from_secs(5),
        "ended by the bound: {took:?}"
    );
}

#[tokio::test]
async fn rds_calls_against_a_silent_endpoint_fail_naming_the_call_and_its_bound() {
    let silent = Silent::start().await;
    let rds = AwsRdsAdmin::new(aws_at(&silent.url)).bounded(BOUND);
    let t0 = Instant::now();
    let e = rds.describe_cluster("catalog").await.unwrap_err();
    assert_bounded(&e, "DescribeDBClusters catalog", t0.elapsed());
    let t0 = Instant::now();
    let e = rds.failover("catalog", "catalog-2").await.unwrap_err();
    assert_bounded(&e, "FailoverDBCluster catalog -> catalog-2", t0.elapsed());
}

#[tokio::test]
async fn s3_lifecycle_get_and_put_against_a_silent_endpoint_fail_naming_the_call_and_its_bound() {
    let silent = Silent::start().await;
    let aws = aws_at(&silent.url);
    let s3 = S3Admin::from_aws(&aws, Some(&silent.url))
        .await
        .bounded(BOUND);
    let t0 = Instant::now();
    let e = s3.get_lifecycle("streamshop-media").await.unwrap_err();
    assert_bounded(
        &e,
        "GetBucketLifecycleConfiguration streamshop-media",
        t0.elapsed(),
    );
    let doc: opsdeck::services::s3::lifecycle_doc::LifecycleConfiguration =
        serde_json::from_str(
            r#"{"Rules":[{"ID":"expire","Status":"Enabled","Filter":{"Prefix":"tmp/"},"Expiration":{"Days":7}}]}"#,
        )
        .unwrap();
    let t0 = Instant::now();
    let e = s3
        .put_lifecycle("streamshop-media", &doc)
        .await
        .unwrap_err();
    assert_bounded(
        &e,
        "PutBucketLifecycleConfiguration streamshop-media",
        t0.elapsed(),
    );
}

#[tokio::test]
async fn opensearch_admin_calls_against_a_silent_node_fail_naming_the_call_and_its_bound() {
    let silent = Silent::start().await;
    let os = OsAdmin::new(&silent.url).unwrap().bounded(BOUND);
    let t0 = Instant::now();
    let e = os.set_write_block("products_v1", true).await.unwrap_err();
    assert_bounded(&e, "PUT /products_v1/_settings", t0.elapsed());
    let t0 = Instant::now();
    let e = os.health().await.unwrap_err();
    assert_bounded(&e, "GET /_cluster/health", t0.elapsed());
}

/// The context's `admin_timeout` reaches the headless operations.
#[tokio::test]
async fn admin_timeout_of_the_context_bounds_headless_lifecycle_and_reindex() {
    let silent = Silent::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            r#"audit_log = "{audit}"
default_context = "hung"
[contexts.hung]
region = "us-east-1"
endpoint_url = "{url}"
admin_timeout = "400ms"
[contexts.hung.s3]
buckets = ["streamshop-media"]
[contexts.hung.opensearch]
url = "{url}"
"#,
            audit = dir.path().join("audit.jsonl").display(),
            url = silent.url
        ),
    )
    .unwrap();
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        r#"{"Rules":[{"ID":"expire","Status":"Enabled","Filter":{"Prefix":"tmp/"},"Expiration":{"Days":7}}]}"#,
    )
    .unwrap();
    let lifecycle = [
        "op",
        "lifecycle",
        "--bucket",
        "streamshop-media",
        "--rules",
        rules.to_str().unwrap(),
        "--yes",
    ]
    .map(String::from)
    .to_vec();
    let (code, out, took) = run_cli(config.clone(), lifecycle).await;
    assert_ne!(code, Some(0), "{out}");
    assert!(
        out.contains("GetBucketLifecycleConfiguration streamshop-media")
            && out.contains("no answer within 400ms (admin_timeout)"),
        "{out}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}: {out}");
    let reindex = [
        "op",
        "reindex",
        "--source",
        "products_v1",
        "--alias",
        "products",
        "--yes",
    ]
    .map(String::from)
    .to_vec();
    let (code, out, took) = run_cli(config, reindex).await;
    assert_ne!(code, Some(0), "{out}");
    assert!(
        out.contains("no answer within 400ms (admin_timeout)"),
        "{out}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}: {out}");
}

/// `opsdeck --config CONFIG ARGS...` on the blocking pool (the silent server keeps running on
/// the test's runtime): exit code, stdout + stderr, how long it took.
async fn run_cli(config: PathBuf, args: Vec<String>) -> (Option<i32>, String, Duration) {
    tokio::task::spawn_blocking(move || {
        let t0 = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .arg("--config")
            .arg(&config)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
            t0.elapsed(),
        )
    })
    .await
    .unwrap()
}
