//! The demo's collectors and the admins handed to its operations read and change ONE simulated
//! world (`app::backends`): a change made through an admin shows in the next sample the
//! collectors take, as it does on a real platform.

use opsdeck::app::backends::Backends;
use opsdeck::config::{self, GlobalOpts, Resolved};
use opsdeck::model::service::PanelKind;
use opsdeck::services::s3::lifecycle_doc::RuleStatus;
use opsdeck::services::{BoxCollector, SourceKind, Update, collect_once};
use opsdeck::sim::SimOptions;

const BUCKET: &str = "streamshop-media";

fn demo() -> Resolved {
    config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .expect("the demo resolves")
}

async fn sample_of(collectors: &mut [BoxCollector], kind: SourceKind) -> Update {
    let c = collectors
        .iter_mut()
        .find(|c| c.kind() == kind)
        .unwrap_or_else(|| panic!("the demo has a {kind:?} collector"));
    collect_once(c.as_mut())
        .await
        .result
        .unwrap_or_else(|e| panic!("{kind:?} round failed: {e}"))
}

#[tokio::test]
async fn a_lifecycle_rule_disabled_through_the_demo_admin_shows_in_the_next_s3_sample() {
    let r = demo();
    let backends = Backends::for_resolved(&r, &SimOptions::default());
    let mut collectors = backends.collectors(&r).await;
    let admin = backends
        .connect_lifecycle_admin(&r)
        .await
        .expect("the demo has an S3 admin");

    let mut cfg = admin.get_lifecycle(BUCKET).await.unwrap();
    let rule = cfg
        .rules
        .iter_mut()
        .find(|r| r.status == RuleStatus::Enabled && r.id.is_some())
        .expect("the demo bucket has an enabled rule with an ID");
    rule.status = RuleStatus::Disabled;
    let id = rule.id.clone().unwrap();
    admin.put_lifecycle(BUCKET, &cfg).await.unwrap();

    let Update::S3(s3) = sample_of(&mut collectors, SourceKind::Service(PanelKind::S3)).await
    else {
        panic!("the S3 collector sent another section");
    };
    let bucket = s3
        .buckets
        .iter()
        .find(|b| b.name == BUCKET)
        .expect("the sample lists the demo bucket");
    let seen = bucket
        .lifecycle_rules
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("rule {id} in {:?}", bucket.lifecycle_rules));
    assert_eq!(seen.status, "Disabled", "{:?}", bucket.lifecycle_rules);
}

#[tokio::test]
async fn a_reindex_started_through_the_demo_admin_shows_in_the_next_opensearch_sample() {
    let r = demo();
    let backends = Backends::for_resolved(&r, &SimOptions::default());
    let mut collectors = backends.collectors(&r).await;
    let admin = backends
        .search_admin(&r)
        .expect("the demo has a search admin")
        .await
        .unwrap();

    let source = admin.alias_targets("products").await.unwrap().remove(0);
    let target = opsdeck::services::opensearch::admin::next_version_name(&source);
    let def = admin.index_definition(&source).await.unwrap();
    admin
        .create_index(&target, &def.settings, &def.mappings)
        .await
        .unwrap();
    let task = admin
        .start_reindex(&source, &target, None, None)
        .await
        .unwrap();

    let Update::OpenSearch(os) =
        sample_of(&mut collectors, SourceKind::Service(PanelKind::OpenSearch)).await
    else {
        panic!("the OpenSearch collector sent another section");
    };
    assert!(
        os.indices.iter().any(|i| i.name == target),
        "{target} not among {:?}",
        os.indices.iter().map(|i| &i.name).collect::<Vec<_>>()
    );
    assert!(
        os.tasks.iter().any(|t| t.id == task),
        "task {task} not among {:?}",
        os.tasks
    );
}

/// The palette's demo entries name what the console's own world holds (the world its
/// operations change), not what a fresh world would start with.
#[tokio::test]
async fn the_palette_offers_reindex_for_an_alias_added_to_the_consoles_own_demo_world() {
    use opsdeck::state::{State, StateInit};
    let dir = tempfile::tempdir().unwrap();
    let mut r = demo();
    r.config.audit_log = Some(dir.path().join("audit.jsonl").display().to_string());
    let backends = Backends::for_resolved(&r, &SimOptions::default());
    let admin = backends
        .connect_search_admin(&r)
        .await
        .expect("the demo has a search admin");
    let index = admin
        .alias_targets("products")
        .await
        .unwrap()
        .pop()
        .expect("the demo's products alias points at an index");
    admin
        .swap_alias("products-read", &[], &index, &serde_json::json!({}))
        .await
        .unwrap();

    let mut st = State::new(StateInit::default());
    opsdeck::app::console::install(&mut st, &r, &backends);
    let labels: Vec<&str> = st.palette.iter().map(|e| e.label.as_str()).collect();
    assert!(labels.contains(&"reindex products-read"), "{labels:?}");
    assert!(
        labels.contains(&format!("lifecycle {BUCKET}").as_str()),
        "{labels:?}"
    );
}

/// In a view of two contexts, an operation started for the other context runs against that
/// context's backends: here a demo context shown beside the console's own, whose failover
/// moves the writer of the demo's simulated world (not of a real cluster).
#[tokio::test]
async fn an_operation_started_for_a_demo_context_beside_the_console_changes_that_demos_world() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use opsdeck::app::fleet::Fleet;
    use opsdeck::state::{State, StateInit};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let mut other = demo();
    other.config.audit_log = Some(dir.path().join("audit.jsonl").display().to_string());
    let fast = SimOptions {
        speed: 300.0,
        ..SimOptions::default()
    };
    let mut st = State::new(StateInit {
        context: "prod".into(),
        ..Default::default()
    });
    let mut fleet = Fleet::default();
    fleet.show(vec![other], &fast, &mut st).await;
    let world = fleet
        .backends_of("demo")
        .and_then(|b| b.world())
        .expect("the demo context shown beside runs on a simulated world")
        .clone();
    let writer_before = opsdeck::sim::lock(&world).writer();

    let spec = st
        .palette
        .iter()
        .find_map(|e| match &e.action {
            opsdeck::keymap::Action::StartOp(s) if e.label == "cutover catalog-failover @ demo" => {
                Some(s.clone())
            }
            _ => None,
        })
        .expect("the demo's failover is offered, named with its context");
    let (Some(ctx), op) = opsdeck::state::fleet::op_context(&spec) else {
        panic!("{spec} names no context");
    };
    let modal = fleet.start_op(ctx, op).expect("the operation opens");
    st.modals.push(modal);

    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 40)).unwrap();
    let mut screen = |st: &State| {
        term.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
        let b = term.backend().buffer();
        let mut s = String::new();
        for y in 0..b.area.height {
            for x in 0..b.area.width {
                s.push_str(b[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    };
    let tick = |st: &mut State| {
        if let Some(m) = st.modals.last_mut() {
            m.tick();
        }
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !screen(&st).contains("[ Cancel ]") {
        tick(&mut st);
        assert!(
            Instant::now() < deadline,
            "no confirmation:\n{}",
            screen(&st)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for c in "catalog".chars() {
        st.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    st.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    while opsdeck::sim::lock(&world).writer() == writer_before {
        tick(&mut st);
        assert!(
            Instant::now() < deadline,
            "the demo's writer is still {writer_before}:\n{}",
            screen(&st)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
