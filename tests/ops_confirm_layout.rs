//! "The confirmation never covers the plan it confirms": every operation's confirmation,
//! drawn in the console at 80x24, 120x40 and 200x60, leaves every plan line readable above it
//! (the plan scrolls with up/down when it is taller than its area; the prompt never sits on
//! it). Runs against the simulation, as the demo does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::app::backends::Backends;
use opsdeck::app::op_modal::{OpModal, Phase};
use opsdeck::audit::{Actor, AuditLog};
use opsdeck::config::{self, GlobalOpts};
use opsdeck::keymap::Action;
use opsdeck::ops::cutover;
use opsdeck::ops::handle;
use opsdeck::ops::lifecycle::cost::default_prices;
use opsdeck::ops::lifecycle::op::LifecycleOp;
use opsdeck::ops::reindex::{ReindexOp, ReindexRequest};
use opsdeck::services::opensearch::admin::SearchAdmin;
use opsdeck::services::s3::admin::LifecycleAdmin;
use opsdeck::sim::lifecycle_admin::SimLifecycleAdmin;
use opsdeck::sim::search_admin::SimSearchAdmin;
use opsdeck::sim::{self, SimOptions, aurora_admin};
use opsdeck::state::{State, StateInit};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

fn audit(dir: &tempfile::TempDir) -> AuditLog {
    AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("demo"))
}

/// Every operation the console offers, each up to its confirmation.
async fn operations(dir: &tempfile::TempDir) -> Vec<(String, OpModal)> {
    let resolved = config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    let mut out = Vec::new();
    for plan in ["mysql-to-aurora", "catalog-failover", "catalog-blue-green"] {
        let op =
            cutover::build(&resolved, plan, &Backends::Sim(aurora_admin::fast_world())).unwrap();
        out.push((
            format!("cutover {plan}"),
            OpModal::new(handle::spawn(op, audit(dir), false, false)),
        ));
    }
    let world = sim::world(&SimOptions::default());
    let admin: Arc<dyn SearchAdmin> = Arc::new(SimSearchAdmin::new(world.clone()));
    let op = ReindexOp::prepare(
        admin,
        ReindexRequest {
            source: "products".into(),
            alias: "products".into(),
            context: "demo".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    out.push((
        "reindex products".into(),
        OpModal::new(handle::spawn(Arc::new(op), audit(dir), false, false)),
    ));
    let bucket = sim::lock(&world).bucket_names()[0].clone();
    let admin: Arc<dyn LifecycleAdmin> = Arc::new(SimLifecycleAdmin::new(world.clone()));
    let mut desired = admin.get_lifecycle(&bucket).await.unwrap();
    desired.rules.remove(0);
    let op = LifecycleOp::prepare(admin, &bucket, desired, &default_prices(), "demo", "test")
        .await
        .unwrap();
    let details = op.details_blocks();
    out.push((
        format!("lifecycle {bucket}"),
        OpModal::new(handle::spawn(Arc::new(op), audit(dir), false, false)).with_details(details),
    ));
    out
}

async fn until_confirming(name: &str, m: &mut OpModal) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while m.view.phase != Phase::Confirming {
        m.pump();
        assert!(
            Instant::now() < deadline,
            "{name}: no confirmation within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A text without its whitespace: wrapping moves line breaks and cuts a word longer than the
/// column (a long endpoint), it never changes the characters.
fn words(s: &str) -> String {
    s.split_whitespace().collect()
}

/// The text inside `r`, its rows joined.
fn text_in(t: &Terminal<TestBackend>, r: Rect) -> String {
    let b = t.backend().buffer();
    let mut s = String::new();
    for y in r.y..r.y + r.height {
        for x in r.x..r.x + r.width {
            s.push_str(b[(x, y)].symbol());
        }
        s.push(' ');
    }
    s
}

fn overlap(a: Rect, b: Rect) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

#[tokio::test]
async fn the_confirmation_never_covers_the_plan_it_confirms_at_any_size() {
    let dir = tempfile::tempdir().unwrap();
    let st = State::new(StateInit::default());
    let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
    for (name, mut m) in operations(&dir).await {
        until_confirming(&name, &mut m).await;
        // The plan as its pane lays it out (a table's columns fitted to the pane's width).
        let plan_at = |m: &OpModal, width: Option<usize>| -> Vec<String> {
            m.plan_text_at(width)
                .lines()
                .skip(1)
                .map(words)
                .filter(|l| !l.is_empty())
                .collect()
        };
        assert!(
            plan_at(&m, None).len() >= 3,
            "{name}: plan {:?}",
            plan_at(&m, None)
        );
        for (w, h) in SIZES {
            m.view.plan_scroll = 0;
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            let mut seen: Vec<String> = Vec::new();
            let mut plan = Vec::new();
            loop {
                term.draw(|f| {
                    opsdeck::ui::draw(f, &st);
                    let body = opsdeck::ui::body_area(f.area());
                    opsdeck::ui::draw_modal(f, body, &st, &m);
                })
                .unwrap();
                let v = m.view.drawn.get();
                if plan.is_empty() {
                    plan = plan_at(&m, Some(usize::from(v.plan.width)));
                }
                assert!(v.plan.height >= 3, "{name} at {w}x{h}: plan area {v:?}");
                assert!(v.confirm.height > 0, "{name} at {w}x{h}: no confirmation");
                assert!(
                    !overlap(v.plan, v.confirm),
                    "{name} at {w}x{h}: the confirmation {:?} covers the plan {:?}",
                    v.confirm,
                    v.plan
                );
                assert!(
                    v.confirm.y + v.confirm.height <= h,
                    "{name} at {w}x{h}: confirmation off screen"
                );
                seen.push(words(&text_in(&term, v.plan)));
                let before = v.scroll;
                m.handle_action(&down, Some(&Action::Down));
                term.draw(|f| {
                    let body = opsdeck::ui::body_area(f.area());
                    opsdeck::ui::draw_modal(f, body, &st, &m);
                })
                .unwrap();
                if m.view.drawn.get().scroll == before {
                    break;
                }
            }
            for line in &plan {
                assert!(
                    seen.iter().any(|s| s.contains(line.as_str())),
                    "{name} at {w}x{h}: plan line {line:?} never fully visible; screens:\n{}",
                    seen.join("\n---\n")
                );
            }
        }
        m.handle_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    }
}
