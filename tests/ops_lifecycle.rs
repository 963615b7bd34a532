//! Lifecycle operation against the stack's moto (S3 at $AWS_ENDPOINT_URL). Tests fail, never
//! skip, when moto is not running.

mod common;

use opsdeck::config::Context;
use opsdeck::services::aws::AwsContext;
use opsdeck::services::s3::admin::{LifecycleAdmin, S3Admin, compare};
use opsdeck::services::s3::lifecycle_doc::parse;

fn aws_env() {
    // The stack's static credentials and region come from `scripts/stack env`.
    common::aws();
}

async fn admin() -> (S3Admin, aws_sdk_s3::Client) {
    opsdeck::install_crypto_provider();
    aws_env();
    let ctx = Context {
        region: Some("us-east-1".into()),
        endpoint_url: Some(common::moto_url()),
        ..Default::default()
    };
    let aws = AwsContext::new(&ctx);
    let client = aws.s3().await;
    (S3Admin::new(client.clone()), client)
}

fn unique_bucket(tag: &str) -> String {
    format!("opsdeck-t-{tag}-{}", uuid::Uuid::new_v4().simple())
}

async fn create_bucket(client: &aws_sdk_s3::Client, name: &str) {
    client
        .create_bucket()
        .bucket(name)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "create bucket {name} on moto {} (is the stack up?): {e:?}",
                common::moto_url()
            )
        });
}

#[tokio::test]
async fn a_bucket_without_lifecycle_reads_as_an_empty_configuration() {
    let (admin, client) = admin().await;
    let b = unique_bucket("empty");
    create_bucket(&client, &b).await;
    let cfg = admin.get_lifecycle(&b).await.unwrap();
    assert!(cfg.rules.is_empty());
}

#[tokio::test]
async fn a_put_configuration_reads_back_equal() {
    let (admin, client) = admin().await;
    let b = unique_bucket("rt");
    create_bucket(&client, &b).await;
    let cfg = parse(
        r#"{"Rules":[
          {"ID":"media-tiers","Status":"Enabled","Filter":{"Prefix":"media/"},
           "Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"GLACIER_IR"}],
           "Expiration":{"Days":3650}},
          {"ID":"uploads","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}},
          {"ID":"tagged","Status":"Disabled","Filter":{"And":{"Prefix":"tmp/","Tags":[{"Key":"class","Value":"scratch"}]}},
           "Expiration":{"Days":14}}]}"#,
        "t",
    )
    .unwrap();
    admin.put_lifecycle(&b, &cfg).await.unwrap();
    let back = admin.get_lifecycle(&b).await.unwrap();
    assert_eq!(compare(&cfg, &back), Vec::<String>::new(), "{back:#?}");
}

// ------------------------------------------------------------------ `opsdeck op lifecycle`

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use opsdeck::services::s3::lifecycle_doc::load;

/// A config pointing at the stack's moto, and an audit log, in a temp dir.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let moto = common::moto_url();
        let cfg = format!(
            "default_context = \"local\"\naudit_log = \"{}\"\n\
             [contexts.local]\nregion = \"us-east-1\"\nendpoint_url = \"{moto}\"\n\
             [contexts.local.s3]\nbuckets = []\n",
            dir.path().join("audit.jsonl").display()
        );
        std::fs::write(dir.path().join("opsdeck.toml"), cfg).unwrap();
        Env { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .arg("--config")
            .arg(self.dir.path().join("opsdeck.toml"))
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run opsdeck")
    }

    fn audit(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("audit.jsonl")).unwrap_or_default()
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lifecycle")
        .join(name)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// (fixture, text the refusal must contain: the rule and the field)
const INVALID: &[(&str, &str)] = &[
    (
        "invalid_ia_too_early.json",
        r#"rule "media-ia": Transitions[0].Days: 10 days before STANDARD_IA; S3 requires at least 30"#,
    ),
    (
        "invalid_graph.json",
        r#"rule "tiering": Transitions[1].StorageClass: S3 cannot transition INTELLIGENT_TIERING to STANDARD_IA"#,
    ),
    (
        "invalid_glacier_after_ia.json",
        r#"rule "archive": Transitions[1].Days: 45 days is 15 days after Transitions[0] (STANDARD_IA)"#,
    ),
    (
        "invalid_expiration_order.json",
        r#"rule "logs": Expiration.Days: 30 is not after Transitions[0]"#,
    ),
    (
        "invalid_duplicate_id.json",
        r#"rule "same": ID: duplicate ID"#,
    ),
    (
        "invalid_no_action.json",
        r#"rule "idle": (rule): no action"#,
    ),
    (
        "invalid_filter_and_prefix.json",
        r#"rule "both": Prefix: both Filter and the legacy Prefix"#,
    ),
    (
        "invalid_date_not_midnight.json",
        r#"rule "dated": Expiration.Date: "2027-01-01T12:00:00Z" is not midnight UTC"#,
    ),
    (
        "invalid_days_and_date.json",
        r#"rule "mixed": Transitions: Days and Date are mixed"#,
    ),
    (
        "invalid_misspelt_field.json",
        "invalid_misspelt_field.json:3:",
    ),
];

#[tokio::test]
async fn every_invalid_document_is_refused_with_exit_3_naming_the_rule_and_field() {
    let (admin, client) = admin().await;
    let b = unique_bucket("invalid");
    create_bucket(&client, &b).await;
    let env = Env::new();
    for (file, want) in INVALID {
        let path = fixture(file);
        let o = env.run(&[
            "op",
            "lifecycle",
            "--bucket",
            &b,
            "--rules",
            path.to_str().unwrap(),
            "--yes",
        ]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(3), "{file}: {out}");
        assert!(out.contains(want), "{file}: expected {want:?} in:\n{out}");
    }
    // Nothing was written.
    assert!(admin.get_lifecycle(&b).await.unwrap().rules.is_empty());
    let o = env.run(&[
        "op",
        "lifecycle",
        "--bucket",
        &b,
        "--rules",
        fixture("invalid_misspelt_field.json").to_str().unwrap(),
        "--dry-run",
    ]);
    assert!(
        text(&o).contains("Rules[0]") && text(&o).contains("Transitons"),
        "{}",
        text(&o)
    );
}

#[tokio::test]
async fn a_valid_change_is_applied_read_back_equal_and_audited_with_before_and_after() {
    let (admin, client) = admin().await;
    let b = unique_bucket("apply");
    create_bucket(&client, &b).await;
    for i in 0..5 {
        client
            .put_object()
            .bucket(&b)
            .key(format!("media/{i}.jpg"))
            .body(vec![7u8; 200_000].into())
            .send()
            .await
            .unwrap();
    }
    let env = Env::new();
    let o = env.run(&[
        "op",
        "lifecycle",
        "--bucket",
        &b,
        "--rules",
        fixture("valid.json").to_str().unwrap(),
        "--yes",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("+ rule \"media-tiers\" added"), "{out}");
    assert!(
        out.contains("StandardStorage"),
        "projected cost per tier: {out}"
    );
    assert!(out.contains("read back"), "{out}");
    let want = load(&fixture("valid.json")).unwrap();
    let back = admin.get_lifecycle(&b).await.unwrap();
    assert_eq!(compare(&want, &back), Vec::<String>::new());
    let audit = env.audit();
    assert!(audit.contains("\"op\":\"lifecycle\""), "{audit}");
    assert!(audit.contains("after: {"), "{audit}");
    assert!(audit.contains("\"outcome\":\"succeeded\""), "{audit}");
}

#[tokio::test]
async fn a_document_dropping_a_rule_shows_it_removed_and_asks_for_the_bucket_name() {
    let (admin, client) = admin().await;
    let b = unique_bucket("drop");
    create_bucket(&client, &b).await;
    let mut two = load(&fixture("valid.json")).unwrap();
    two.rules.push(
        parse(
            r#"{"Rules":[{"ID":"old-logs","Status":"Enabled","Filter":{"Prefix":"logs/"},"Expiration":{"Days":90}}]}"#,
            "t",
        )
        .unwrap()
        .rules
        .remove(0),
    );
    admin.put_lifecycle(&b, &two).await.unwrap();
    let env = Env::new();
    let rules = fixture("valid.json");
    let o = env.run(&[
        "op",
        "lifecycle",
        "--bucket",
        &b,
        "--rules",
        rules.to_str().unwrap(),
        "--dry-run",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("- rule \"old-logs\" REMOVED"), "{out}");
    assert!(out.contains("= rule \"media-tiers\" unchanged"), "{out}");
    // Not the demo: the context is part of what is typed.
    assert!(out.contains(&format!("type the name `local/{b}`")), "{out}");
    // Without --yes and without a terminal nothing runs.
    let o = env.run(&[
        "op",
        "lifecycle",
        "--bucket",
        &b,
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert_eq!(admin.get_lifecycle(&b).await.unwrap().rules.len(), 3);
}

#[tokio::test]
async fn read_only_mode_refuses_a_lifecycle_change_with_exit_3() {
    let (admin, client) = admin().await;
    let b = unique_bucket("ro");
    create_bucket(&client, &b).await;
    let env = Env::new();
    let o = env.run(&[
        "--read-only",
        "op",
        "lifecycle",
        "--bucket",
        &b,
        "--rules",
        fixture("valid.json").to_str().unwrap(),
        "--yes",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("read-only"), "{}", text(&o));
    assert!(admin.get_lifecycle(&b).await.unwrap().rules.is_empty());
    assert!(env.audit().contains("\"outcome\":\"refused\""));
}

// ------------------------------------------------------------------ the console's op modal

mod modal {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use opsdeck::app::op_modal::{OpModal, Phase};
    use opsdeck::audit::{Actor, AuditLog};
    use opsdeck::ops::handle;
    use opsdeck::ops::lifecycle::cost::default_prices;
    use opsdeck::ops::lifecycle::op::LifecycleOp;
    use opsdeck::services::s3::admin::LifecycleAdmin;
    use opsdeck::services::s3::lifecycle_doc::load;
    use opsdeck::sim::lifecycle_admin::SimLifecycleAdmin;
    use opsdeck::sim::{self, SimOptions};

    fn key(m: &mut OpModal, c: KeyCode) {
        m.handle_key(&KeyEvent::new(c, KeyModifiers::NONE));
    }

    async fn pump_until(m: &mut OpModal, what: &str, done: impl Fn(&OpModal) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(m) {
            m.pump();
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn removing_rules_in_the_op_modal_needs_the_bucket_name_typed() {
        let world = sim::world(&SimOptions::default());
        let bucket = sim::lock(&world).bucket_names()[0].clone();
        let admin: Arc<dyn LifecycleAdmin> = Arc::new(SimLifecycleAdmin::new(world.clone()));
        let before = admin.get_lifecycle(&bucket).await.unwrap();
        let desired = load(&super::fixture("valid.json")).unwrap();
        let op = LifecycleOp::prepare(
            admin.clone(),
            &bucket,
            desired.clone(),
            &default_prices(),
            "demo",
            "valid.json",
        )
        .await
        .unwrap();
        assert!(op.diff.removed().count() > 0);
        let dir = tempfile::tempdir().unwrap();
        let audit = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("demo"));
        let mut m = OpModal::new(handle::spawn(Arc::new(op), audit, false, false));
        pump_until(&mut m, "guardrails", |m| m.view.phase == Phase::Confirming).await;
        // y alone does not confirm a change that deletes rules.
        key(&mut m, KeyCode::Char('y'));
        key(&mut m, KeyCode::Enter);
        m.pump();
        assert_eq!(m.view.phase, Phase::Confirming);
        assert_eq!(admin.get_lifecycle(&bucket).await.unwrap(), before);
        key(&mut m, KeyCode::Backspace);
        for c in bucket.chars() {
            key(&mut m, KeyCode::Char(c));
        }
        key(&mut m, KeyCode::Enter);
        pump_until(&mut m, "the PUT", |m| m.view.phase == Phase::Finished).await;
        assert_eq!(m.outcome.as_ref().unwrap().exit_code(), 0);
        let now = admin.get_lifecycle(&bucket).await.unwrap();
        assert_eq!(
            opsdeck::services::s3::admin::compare(&desired, &now),
            Vec::<String>::new()
        );
    }
}
