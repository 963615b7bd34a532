//! Several contexts in one config: `--context` picks one, `:ctx NAME` switches the running
//! console (collectors, data, header colour, palette), and an operation started after a switch
//! plans and audits in the new context. Real collectors against the stack (Redis 6390, moto
//! 5055); a missing service fails, never skips.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use opsdeck::app::backends::Backends;
use opsdeck::app::live::{self, Live};
use opsdeck::audit::AuditLog;
use opsdeck::config::{self, GlobalOpts};
use opsdeck::keymap::Action;
use opsdeck::ops::cutover;
use opsdeck::ops::handle::{self, EngineEvent};
use opsdeck::sim::SimOptions;
use opsdeck::sim::aurora_admin;
use opsdeck::state::theme::Theme;
use opsdeck::state::{State, StateInit};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn env() {
    opsdeck::install_crypto_provider();
    // The stack's static credentials and region come from `scripts/stack env`.
    common::aws();
}

fn write_config(dir: &std::path::Path) -> std::path::PathBuf {
    let moto = common::moto_url();
    let redis = common::stack_env("OPSDECK_REDIS_URL");
    let text = format!(
        r#"default_context = "staging"
audit_log = "{audit}"

[contexts.staging]
colour = "green"
region = "us-east-1"
endpoint_url = "{moto}"
[contexts.staging.redis]
urls = ["{redis}"]
[contexts.staging.cloudwatch]
panels = ["dms"]
alarms = false

[contexts.prod]
colour = "red"
region = "us-east-1"
endpoint_url = "{moto}"
[contexts.prod.cloudwatch]
panels = ["dynamodb"]
[[contexts.prod.cutover]]
name = "catalog-failover"
strategy = "failover"
cluster_id = "catalog"
"#,
        audit = dir.join("audit.jsonl").display()
    );
    let path = dir.join("opsdeck.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn state_for(r: &config::Resolved) -> State {
    State::new(StateInit {
        context: r.context_name.clone(),
        colour: r.context().colour.clone(),
        demo: r.demo(),
        read_only: r.read_only,
        theme: Theme::colour(),
        ..Default::default()
    })
}

fn header_text_and_style(st: &State) -> (String, ratatui::style::Style) {
    let mut t = Terminal::new(TestBackend::new(120, 30)).unwrap();
    t.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
    let b = t.backend().buffer();
    let line: String = (0..b.area.width).map(|x| b[(x, 0)].symbol()).collect();
    let x = line.find(" ctx ").expect("context badge in the header") as u16;
    (line, b[(x + 2, 0)].style())
}

/// Receive samples until every wanted source has reported, failing on any unwanted one.
async fn pump(
    live: &mut Live,
    st: &mut State,
    wanted: &[&str],
    forbidden: &[&str],
) -> BTreeSet<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = BTreeSet::new();
    while !wanted.iter().all(|w| seen.contains(*w)) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out; seen {seen:?}, want {wanted:?}");
        if let Ok(Some(s)) = tokio::time::timeout(left, live.recv()).await {
            let name = s.source.name();
            assert!(
                !forbidden.contains(&name.as_str()),
                "a sample of {name} arrived after the switch"
            );
            seen.insert(name);
            st.apply_sample(s);
        }
    }
    seen
}

#[tokio::test]
async fn ctx_switch_swaps_every_source_the_header_colour_and_the_palette() {
    env();
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path());
    let mut resolved = config::resolve(&GlobalOpts {
        config: Some(path.clone()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(resolved.context_name, "staging", "default_context");
    let sim = SimOptions::default();
    let mut st = state_for(&resolved);
    let mut lv = Live::new();
    live::start(&resolved, &sim, &mut st, &mut lv).await;
    live::add_context_entries(&mut st, &resolved.config);
    assert!(
        st.palette
            .iter()
            .any(|e| e.label == "ctx prod" && e.action == Action::SwitchContext("prod".into()))
    );
    pump(&mut lv, &mut st, &["redis", "cloudwatch:dms"], &[]).await;
    assert!(st.data.redis.is_some());
    let (line, style) = header_text_and_style(&st);
    assert!(line.contains("ctx staging"), "{line}");
    assert_eq!(style.bg, Some(ratatui::style::Color::Green));

    // `:ctx prod` through the palette, as the operator types it.
    let actions = st.apply_action(Action::SwitchContext("prod".into()));
    assert_eq!(actions, vec![Action::SwitchContext("prod".into())]);
    let generation = lv.generation();
    live::switch_context("prod", &mut resolved, &sim, &mut st, &mut lv)
        .await
        .unwrap();
    assert_eq!(lv.generation(), generation + 1);
    assert_eq!(st.context, "prod");
    assert!(st.data.redis.is_none(), "old context's data is gone");
    let registered: BTreeSet<String> = st.sources.keys().cloned().collect();
    assert_eq!(
        registered,
        BTreeSet::from(["alarms".to_string(), "cloudwatch:dynamodb".to_string()])
    );
    pump(
        &mut lv,
        &mut st,
        &["alarms", "cloudwatch:dynamodb"],
        &["redis", "cloudwatch:dms"],
    )
    .await;
    assert!(st.data.redis.is_none());
    assert!(
        st.data
            .cloudwatch
            .as_ref()
            .is_some_and(|c| c.contains_key("dynamodb") && !c.contains_key("dms"))
    );
    let (line, style) = header_text_and_style(&st);
    assert!(line.contains("ctx prod"), "{line}");
    assert_eq!(style.bg, Some(ratatui::style::Color::Red));
    assert!(st.palette.iter().any(|e| e.label == "ctx staging"));
    assert!(
        st.palette
            .iter()
            .any(|e| e.label == "cutover catalog-failover"),
        "the new context's operations are offered"
    );
    assert!(!st.palette.iter().any(|e| e.label == "ctx prod"));

    let err = live::switch_context("nope", &mut resolved, &sim, &mut st, &mut lv)
        .await
        .unwrap_err();
    assert!(
        err.contains("nope") && err.contains("prod, staging"),
        "{err}"
    );
    assert_eq!(st.context, "prod", "a failed switch changes nothing");
}

#[tokio::test]
async fn an_operation_started_after_a_switch_plans_and_audits_in_the_new_context() {
    env();
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path());
    let mut resolved = config::resolve(&GlobalOpts {
        config: Some(path),
        context: Some("staging".into()),
        ..Default::default()
    })
    .unwrap();
    let sim = SimOptions::default();
    let mut st = state_for(&resolved);
    let mut lv = Live::new();
    live::start(&resolved, &sim, &mut st, &mut lv).await;
    assert!(
        cutover::build(
            &resolved,
            "catalog-failover",
            &Backends::Sim(aurora_admin::fast_world())
        )
        .is_err(),
        "staging has no cutover plans"
    );
    live::switch_context("prod", &mut resolved, &sim, &mut st, &mut lv)
        .await
        .unwrap();
    let op = cutover::build(
        &resolved,
        "catalog-failover",
        &Backends::Sim(aurora_admin::fast_world()),
    )
    .unwrap();
    assert_eq!(op.plan().context, "prod");
    assert!(op.plan().render().contains("(context prod)"));
    let audit = AuditLog::for_resolved(&resolved);
    let mut h = handle::spawn(op, audit.clone(), resolved.read_only, false);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, h.events.recv()).await {
            Ok(Some(EngineEvent::Guardrails(_))) => h.decline("test declines"),
            Ok(Some(EngineEvent::Finished(_))) | Ok(None) => break,
            Ok(Some(_)) => {}
            Err(_) => panic!("the operation did not finish"),
        }
    }
    let entries = audit.read_all().unwrap();
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e.context == "prod"),
        "{:#?}",
        entries
            .iter()
            .map(|e| (&e.context, &e.step))
            .collect::<Vec<_>>()
    );
}
