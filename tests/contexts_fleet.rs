//! Several contexts in one console, against the real stack (Redis 6390, moto 5055): `:ctx all`
//! makes the first context the console's own and runs every other context's collectors in
//! parallel into a State of its own; operation entries name their context; `:ctx NAME` goes
//! back to one. A missing service fails, never skips.

mod common;

use std::time::{Duration, Instant};

use opsdeck::app::fleet::{self, Fleet};
use opsdeck::app::live::{self, Live};
use opsdeck::config::{self, GlobalOpts};
use opsdeck::keymap::Action;
use opsdeck::sim::SimOptions;
use opsdeck::state::{State, StateInit};

fn env() {
    opsdeck::install_crypto_provider();
    // The emulator's static credentials and region come from `scripts/stack env`; checked
    // present, never set here (a set_var in a threaded test binary is undefined behaviour).
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
        "AWS_EC2_METADATA_DISABLED",
    ] {
        common::stack_env(v);
    }
}

fn write_config(dir: &std::path::Path) -> std::path::PathBuf {
    let moto = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:5055".into());
    let redis = std::env::var("OPSDECK_REDIS_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "redis://127.0.0.1:6390".into());
    let text = format!(
        r#"default_context = "staging"
audit_log = "{audit}"

[contexts.prod]
colour = "red"
region = "us-east-1"
endpoint_url = "{moto}"
[contexts.prod.cloudwatch]
panels = ["dynamodb"]
alarms = false
[[contexts.prod.cutover]]
name = "catalog-failover"
strategy = "failover"
cluster_id = "catalog"

[contexts.staging]
extends = "prod"
colour = "green"
[contexts.staging.redis]
urls = ["{redis}"]
"#,
        audit = dir.join("audit.jsonl").display()
    );
    let path = dir.join("opsdeck.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctx_all_runs_every_context_collectors_and_names_the_context_of_each_operation() {
    env();
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path());
    let mut r = config::resolve(&GlobalOpts {
        config: Some(path),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(r.context_name, "staging");
    let sim = SimOptions::default();
    let mut st = State::new(StateInit {
        context: r.context_name.clone(),
        colour: r.context().colour.clone(),
        read_only: r.read_only,
        ..Default::default()
    });
    let mut lv = Live::new();
    let mut backends = live::start(&r, &sim, &mut st, &mut lv).await;
    live::add_context_entries(&mut st, &r.config);
    assert!(
        st.palette
            .iter()
            .any(|e| e.label == "ctx all" && e.action == Action::SwitchContext("all".into())),
        "ctx all is offered when there are several contexts"
    );

    let mut fl = Fleet::default();
    fleet::switch(
        "all",
        &mut r,
        &mut backends,
        &sim,
        &mut st,
        &mut lv,
        &mut fl,
    )
    .await
    .unwrap();
    // "all" is every context in name order: prod is the console's own, staging is shown beside.
    assert_eq!(r.context_name, "prod");
    assert_eq!(st.context, "prod");
    let names: Vec<&str> = st.fleet.iter().map(|m| m.context.as_str()).collect();
    assert_eq!(names, ["staging"]);
    assert_eq!(st.fleet[0].colour.as_deref(), Some("green"));

    // staging's own Redis collector feeds staging's State, not prod's.
    let deadline = Instant::now() + Duration::from_secs(30);
    while st.fleet[0].data.redis.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no Redis sample for staging");
        if let Ok(Some((ctx, s))) = tokio::time::timeout(left, fl.live.recv()).await {
            assert_eq!(
                ctx, "staging",
                "only other contexts come through the fleet channel"
            );
            st.fleet_apply(&ctx, s);
        }
    }
    assert!(st.data.redis.is_none(), "prod has no Redis");

    // Every operation entry names exactly one context, and members' start there.
    let ops: Vec<(String, Action)> = st
        .palette
        .iter()
        .filter(|e| matches!(e.action, Action::StartOp(_)))
        .map(|e| (e.label.clone(), e.action.clone()))
        .collect();
    assert!(
        ops.iter()
            .any(|(l, a)| l == "cutover catalog-failover @ prod"
                && *a == Action::StartOp("cutover catalog-failover".into())),
        "{ops:?}"
    );
    assert!(
        ops.iter()
            .any(|(l, a)| l == "cutover catalog-failover @ staging"
                && *a == Action::StartOp("@staging cutover catalog-failover".into())),
        "{ops:?}"
    );
    assert!(ops.iter().all(|(l, _)| l.contains(" @ ")), "{ops:?}");
    assert_eq!(
        fl.resolved_of("staging").map(|r| r.context_name.as_str()),
        Some("staging")
    );

    // Back to one context: the fleet stops and its entries go.
    fleet::switch(
        "staging",
        &mut r,
        &mut backends,
        &sim,
        &mut st,
        &mut lv,
        &mut fl,
    )
    .await
    .unwrap();
    assert_eq!(r.context_name, "staging");
    assert!(st.fleet.is_empty());
    assert!(!fl.live.is_running());
    assert!(
        st.palette.iter().all(|e| !e.label.contains(" @ ")),
        "no operation names another context any more"
    );
    assert!(
        fleet::switch(
            "prod,nowhere",
            &mut r,
            &mut backends,
            &sim,
            &mut st,
            &mut lv,
            &mut fl
        )
        .await
        .unwrap_err()
        .contains("no context \"nowhere\"")
    );
}
