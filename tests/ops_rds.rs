//! Failover and blue/green cutovers against moto (scripts/stack, port 5055), through the real
//! aws-sdk-rds client. Each test creates its own uniquely named cluster, so they can run in
//! parallel with each other and with anything reading the stack's `catalog` cluster.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use aws_sdk_rds::config::{BehaviorVersion, Credentials, Region};
use opsdeck::audit::{Actor, AuditLog, Outcome};

fn rds() -> aws_sdk_rds::Client {
    let conf = aws_sdk_rds::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(common::moto_url())
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .build();
    aws_sdk_rds::Client::from_conf(conf)
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// A cluster with a writer (tier 0) and readers `<c>-aaa` (tier 3) and `<c>-zzz` (tier 1):
/// name order and tier order disagree, so the choice by tier is visible.
async fn cluster() -> String {
    let c = unique("opsdeck-test");
    let client = rds();
    client
        .create_db_cluster()
        .db_cluster_identifier(&c)
        .engine("aurora-mysql")
        .master_username("admin")
        .master_user_password("local-only-password")
        .send()
        .await
        .unwrap_or_else(|e| panic!("moto at {} is not reachable or refused CreateDBCluster ({e:?}); run scripts/stack up", common::moto_url()));
    for (suffix, tier) in [("writer", 0), ("aaa", 3), ("zzz", 1)] {
        client
            .create_db_instance()
            .db_instance_identifier(format!("{c}-{suffix}"))
            .db_cluster_identifier(&c)
            .engine("aurora-mysql")
            .db_instance_class("db.r6g.large")
            .promotion_tier(tier)
            .send()
            .await
            .unwrap();
    }
    c
}

async fn writer(c: &str) -> String {
    let out = rds()
        .describe_db_clusters()
        .db_cluster_identifier(c)
        .send()
        .await
        .unwrap();
    out.db_clusters()[0]
        .db_cluster_members()
        .iter()
        .find(|m| m.is_cluster_writer() == Some(true))
        .and_then(|m| m.db_instance_identifier())
        .unwrap()
        .to_string()
}

async fn blue_green(c: &str) -> String {
    let arn = rds()
        .describe_db_clusters()
        .db_cluster_identifier(c)
        .send()
        .await
        .unwrap()
        .db_clusters()[0]
        .db_cluster_arn()
        .unwrap()
        .to_string();
    rds()
        .create_blue_green_deployment()
        .blue_green_deployment_name(format!("{c}-bg"))
        .source(arn)
        .target_engine_version("8.0.mysql_aurora.3.08.0")
        .send()
        .await
        .unwrap()
        .blue_green_deployment()
        .unwrap()
        .blue_green_deployment_identifier()
        .unwrap()
        .to_string()
}

async fn bg_status(id: &str) -> String {
    rds()
        .describe_blue_green_deployments()
        .blue_green_deployment_identifier(id)
        .send()
        .await
        .unwrap()
        .blue_green_deployments()[0]
        .status()
        .unwrap()
        .to_string()
}

struct Env {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Env {
    fn new(plan_toml: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("opsdeck.toml");
        std::fs::write(
            &config,
            format!(
                "audit_log = \"{}\"\ndefault_context = \"moto\"\n[contexts.moto]\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n{plan_toml}",
                dir.path().join("audit.jsonl").display(),
                common::moto_url()
            ),
        )
        .unwrap();
        Env { dir, config }
    }
    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }
    fn entries(&self) -> Vec<opsdeck::audit::Entry> {
        AuditLog::new(self.dir.path().join("audit.jsonl"), Actor::current("moto"))
            .read_all()
            .unwrap()
    }
}

fn failover_plan(c: &str, target: Option<&str>) -> String {
    format!(
        "[[contexts.moto.cutover]]\nname = \"fo\"\nstrategy = \"failover\"\ncluster_id = \"{c}\"\ntimeout = \"30s\"\n{}",
        target
            .map(|t| format!("target_instance = \"{t}\"\n"))
            .unwrap_or_default()
    )
}

#[tokio::test]
async fn failover_promotes_the_reader_with_the_best_promotion_tier() {
    let c = cluster().await;
    assert_eq!(writer(&c).await, format!("{c}-writer"));
    let env = Env::new(&failover_plan(&c, None));
    let (code, out) = env.run(&["op", "cutover", "--plan", "fo", "--yes"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(writer(&c).await, format!("{c}-zzz"), "tier 1 beats tier 3");
    assert!(out.contains(&format!("writer is {c}-zzz")), "{out}");
    assert!(
        opsdeck::audit::verify_file(&env.dir.path().join("audit.jsonl"))
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn failover_goes_to_the_instance_named_by_target_instance() {
    let c = cluster().await;
    let env = Env::new(&failover_plan(&c, None));
    let target = format!("{c}-aaa");
    let (code, out) = env.run(&[
        "op",
        "cutover",
        "--plan",
        "fo",
        "--yes",
        "--target-instance",
        &target,
    ]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(writer(&c).await, target);
}

#[tokio::test]
async fn failover_to_the_current_writer_is_refused_by_its_guardrail() {
    let c = cluster().await;
    let env = Env::new(&failover_plan(&c, Some(&format!("{c}-writer"))));
    let (code, out) = env.run(&["op", "cutover", "--plan", "fo", "--yes"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("is already the writer"), "{out}");
    assert_eq!(writer(&c).await, format!("{c}-writer"));
}

#[tokio::test]
async fn blue_green_switchover_runs_to_switchover_completed_and_cannot_repeat() {
    let c = cluster().await;
    let id = blue_green(&c).await;
    assert_eq!(bg_status(&id).await, "AVAILABLE");
    let env = Env::new(&format!(
        "[[contexts.moto.cutover]]\nname = \"bg\"\nstrategy = \"blue-green\"\ncluster_id = \"{c}\"\nblue_green_id = \"{id}\"\ntimeout = \"60s\"\n"
    ));
    let (code, out) = env.run(&["op", "cutover", "--plan", "bg", "--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("type the name `") && out.contains("AVAILABLE"),
        "{out}"
    );

    let (code, out) = env.run(&["op", "cutover", "--plan", "bg", "--yes"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(bg_status(&id).await, "SWITCHOVER_COMPLETED");
    assert!(out.contains("switched over"), "{out}");

    let (code, out) = env.run(&["op", "cutover", "--plan", "bg", "--yes"]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("deployment status: SWITCHOVER_COMPLETED")
            && out.contains("required AVAILABLE"),
        "{out}"
    );
}

#[tokio::test]
async fn read_only_mode_refuses_failover_and_blue_green_with_an_audit_entry() {
    let c = cluster().await;
    let id = blue_green(&c).await;
    let env = Env::new(&format!(
        "{}[[contexts.moto.cutover]]\nname = \"bg\"\nstrategy = \"blue-green\"\nblue_green_id = \"{id}\"\n",
        failover_plan(&c, None)
    ));
    for plan in ["fo", "bg"] {
        let (code, out) = env.run(&["--read-only", "op", "cutover", "--plan", plan, "--yes"]);
        assert_eq!(code, 3, "{plan}: {out}");
        assert!(out.contains("read-only"), "{out}");
    }
    assert_eq!(writer(&c).await, format!("{c}-writer"));
    assert_eq!(bg_status(&id).await, "AVAILABLE");
    let e = env.entries();
    assert_eq!(e.len(), 2);
    assert!(e.iter().all(|x| x.outcome == Outcome::Refused));
}
