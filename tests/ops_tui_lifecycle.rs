//! The lifecycle editor from the console on a TestBackend against the simulation: opened from
//! the palette, a rule disabled, the diff and cost shown as the plan, confirmed, done, and
//! the simulated bucket has the rule disabled; invalid rules are refused naming rule and field
//! with nothing sent; removing a rule asks for the bucket's name.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::app::backends::Backends;
use opsdeck::app::console;
use opsdeck::config::{self, GlobalOpts, Resolved};
use opsdeck::keymap::Action;
use opsdeck::services::s3::admin::LifecycleAdmin;
use opsdeck::services::s3::lifecycle_doc::{LifecycleConfiguration, RuleStatus};
use opsdeck::sim::lifecycle_admin::SimLifecycleAdmin;
use opsdeck::sim::{self, SharedWorld, SimOptions};
use opsdeck::state::theme::Theme;
use opsdeck::state::{State, StateInit};
use opsdeck::ui::modal::Modal;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const BUCKET: &str = "streamshop-media";

fn resolved(dir: &tempfile::TempDir, read_only: bool) -> Resolved {
    let mut r = config::resolve(&GlobalOpts {
        demo: true,
        read_only,
        ..Default::default()
    })
    .unwrap();
    r.config.audit_log = Some(dir.path().join("audit.jsonl").display().to_string());
    r
}

fn draw(t: &mut Terminal<TestBackend>, m: &dyn Modal) -> String {
    t.draw(|f| {
        let area = f.area();
        m.render(f, area, &Theme::mono());
    })
    .unwrap();
    let b = t.backend().buffer();
    let mut s = String::new();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            s.push_str(b[(x, y)].symbol());
        }
        s.push('\n');
    }
    s.push_str(&m.footer());
    s
}

/// A key as the console delivers it: with the default keymap's action in the modal's scope.
fn press(m: &mut dyn Modal, code: KeyCode) {
    let ev = KeyEvent::new(code, KeyModifiers::NONE);
    let action = opsdeck::keymap::Keymap::builtin_default()
        .lookup(m.scope(), &ev)
        .cloned();
    m.handle_key(&ev, action.as_ref());
}

fn type_str(m: &mut dyn Modal, s: &str) {
    for c in s.chars() {
        press(m, KeyCode::Char(c));
    }
}

async fn until_screen(t: &mut Terminal<TestBackend>, m: &mut dyn Modal, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        m.tick();
        let s = draw(t, m);
        if s.contains(want) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {want:?}:\n{s}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn rules(w: &SharedWorld) -> LifecycleConfiguration {
    SimLifecycleAdmin::new(w.clone())
        .get_lifecycle(BUCKET)
        .await
        .unwrap()
}

fn open(r: &Resolved, w: &SharedWorld) -> Box<dyn Modal> {
    console::start(r, &Backends::Sim(w.clone()), &format!("lifecycle {BUCKET}"))
        .expect("lifecycle is an operation of the ops layer")
        .expect("the editor opens")
}

#[tokio::test]
async fn palette_offers_the_lifecycle_editor_per_bucket_except_in_read_only_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = State::new(StateInit::default());
    console::install(
        &mut st,
        &resolved(&dir, false),
        &Backends::Sim(sim::world(&SimOptions::default())),
    );
    let e = st
        .palette
        .iter()
        .find(|e| e.label == format!("lifecycle {BUCKET}"))
        .unwrap_or_else(|| {
            panic!(
                "no lifecycle entry: {:?}",
                st.palette.iter().map(|e| &e.label).collect::<Vec<_>>()
            )
        });
    assert_eq!(e.action, Action::StartOp(format!("lifecycle {BUCKET}")));
    let mut ro = State::new(StateInit::default());
    console::install(
        &mut ro,
        &resolved(&dir, true),
        &Backends::Sim(sim::world(&SimOptions::default())),
    );
    assert!(!ro.palette.iter().any(|e| e.label.starts_with("lifecycle")));
}

#[tokio::test]
async fn disabling_a_rule_in_the_editor_shows_the_diff_and_cost_then_applies_it_on_y() {
    let dir = tempfile::tempdir().unwrap();
    let r = resolved(&dir, false);
    let w = sim::world(&SimOptions::default());
    let before = rules(&w).await;
    assert_eq!(before.rules[0].status, RuleStatus::Enabled);
    let first = before.rules[0].label(0);
    let mut m = open(&r, &w);
    let mut t = Terminal::new(TestBackend::new(150, 44)).unwrap();
    let s = until_screen(&mut t, m.as_mut(), &format!("rule(s) on {BUCKET}")).await;
    assert!(s.contains(&first), "current rules listed:\n{s}");
    press(m.as_mut(), KeyCode::Char(' '));
    let s = draw(&mut t, m.as_ref());
    assert!(s.contains("Disabled"), "{s}");
    assert_eq!(rules(&w).await, before, "nothing sent while editing");
    press(m.as_mut(), KeyCode::Enter);
    let s = until_screen(&mut t, m.as_mut(), "Run this operation? (y/n)").await;
    for want in [
        format!("changes to {BUCKET}"),
        first.clone(),
        "Status".into(),
        "projected".into(),
        "put-configuration".into(),
    ] {
        assert!(s.contains(&want), "plan missing {want:?}:\n{s}");
    }
    press(m.as_mut(), KeyCode::Char('y'));
    until_screen(&mut t, m.as_mut(), "✓ done").await;
    let after = rules(&w).await;
    assert_eq!(after.rules[0].status, RuleStatus::Disabled);
    assert_eq!(after.rules.len(), before.rules.len());
}

#[tokio::test]
async fn an_invalid_added_rule_is_refused_naming_rule_and_field_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let r = resolved(&dir, false);
    let w = sim::world(&SimOptions::default());
    let before = rules(&w).await;
    let mut m = open(&r, &w);
    let mut t = Terminal::new(TestBackend::new(150, 44)).unwrap();
    until_screen(&mut t, m.as_mut(), &format!("rule(s) on {BUCKET}")).await;
    press(m.as_mut(), KeyCode::Char('a'));
    until_screen(&mut t, m.as_mut(), "days to STANDARD_IA").await;
    type_str(m.as_mut(), "too-soon");
    press(m.as_mut(), KeyCode::Tab);
    type_str(m.as_mut(), "tmp/");
    press(m.as_mut(), KeyCode::Tab);
    // S3 refuses STANDARD_IA before 30 days.
    type_str(m.as_mut(), "10");
    press(m.as_mut(), KeyCode::Enter);
    until_screen(&mut t, m.as_mut(), "too-soon").await;
    press(m.as_mut(), KeyCode::Enter);
    let s = until_screen(&mut t, m.as_mut(), "not sent").await;
    assert!(
        s.contains("rule \"too-soon\"") && s.contains("Transitions[0]"),
        "error names rule and field:\n{s}"
    );
    assert_eq!(rules(&w).await, before);
}

#[tokio::test]
async fn removing_a_rule_asks_for_the_bucket_name_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let r = resolved(&dir, false);
    let w = sim::world(&SimOptions::default());
    let before = rules(&w).await;
    let mut m = open(&r, &w);
    let mut t = Terminal::new(TestBackend::new(150, 44)).unwrap();
    until_screen(&mut t, m.as_mut(), &format!("rule(s) on {BUCKET}")).await;
    press(m.as_mut(), KeyCode::Char('d'));
    press(m.as_mut(), KeyCode::Enter);
    let s = until_screen(&mut t, m.as_mut(), &format!("Type the name `{BUCKET}`")).await;
    assert!(s.contains("DELETED"), "{s}");
    type_str(m.as_mut(), BUCKET);
    press(m.as_mut(), KeyCode::Enter);
    until_screen(&mut t, m.as_mut(), "✓ done").await;
    assert_eq!(rules(&w).await.rules.len(), before.rules.len() - 1);
}
