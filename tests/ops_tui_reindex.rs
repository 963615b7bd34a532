//! Reindex from the console on a TestBackend against the simulation: the palette offers
//! "reindex ALIAS" (not in read-only mode), `StartOp` builds the plan and opens the modal,
//! y runs it with live progress and moves the alias; the modal's throttle and cancel keys
//! reach the running task, and a cancelled task ends the run aborted with the alias unmoved.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::app::backends::Backends;
use opsdeck::app::console;
use opsdeck::config::{self, GlobalOpts, Resolved};
use opsdeck::keymap::Action;
use opsdeck::sim::{self, SharedWorld, SimOptions};
use opsdeck::state::theme::Theme;
use opsdeck::state::{State, StateInit};
use opsdeck::ui::modal::Modal;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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
fn key_code(m: &mut dyn Modal, code: KeyCode) {
    let ev = KeyEvent::new(code, KeyModifiers::NONE);
    let action = opsdeck::keymap::Keymap::builtin_default()
        .lookup(m.scope(), &ev)
        .cloned();
    m.handle_key(&ev, action.as_ref());
}

fn key(m: &mut dyn Modal, c: char) {
    key_code(m, KeyCode::Char(c));
}

/// Tick the modal and redraw until the screen shows `want`.
async fn until_screen(
    t: &mut Terminal<TestBackend>,
    m: &mut dyn Modal,
    want: &str,
    secs: u64,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
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

fn world(speed: f64) -> SharedWorld {
    sim::world(&SimOptions {
        speed,
        ..Default::default()
    })
}

fn alias(w: &SharedWorld, a: &str) -> Vec<String> {
    sim::lock(w).alias_targets(a)
}

#[tokio::test]
async fn palette_offers_reindex_per_sim_alias_and_hides_it_in_read_only_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = State::new(StateInit::default());
    console::install(
        &mut st,
        &resolved(&dir, false),
        &Backends::Sim(sim::world(&SimOptions::default())),
    );
    let labels: Vec<&str> = st.palette.iter().map(|e| e.label.as_str()).collect();
    for want in ["reindex products", "reindex reviews"] {
        assert!(labels.contains(&want), "{want:?} missing from {labels:?}");
    }
    let e = st
        .palette
        .iter()
        .find(|e| e.label == "reindex products")
        .unwrap();
    assert_eq!(e.action, Action::StartOp("reindex products".into()));

    let mut ro = State::new(StateInit::default());
    console::install(
        &mut ro,
        &resolved(&dir, true),
        &Backends::Sim(sim::world(&SimOptions::default())),
    );
    assert!(
        !ro.palette.iter().any(|e| e.label.starts_with("reindex")),
        "read-only mode must not offer reindex"
    );
}

#[tokio::test]
async fn reindex_from_the_palette_shows_the_plan_runs_on_y_with_progress_and_moves_the_alias() {
    let dir = tempfile::tempdir().unwrap();
    let r = resolved(&dir, false);
    let w = world(200.0);
    let before = alias(&w, "products");
    let mut m = console::start(&r, &Backends::Sim(w.clone()), "reindex products")
        .expect("reindex is an operation of the ops layer")
        .expect("modal opens");
    let mut t = Terminal::new(TestBackend::new(140, 34)).unwrap();
    let s = until_screen(&mut t, m.as_mut(), "Run this operation? (y/n)", 20).await;
    for want in [
        "create-target",
        "start-copy",
        "swap-alias",
        "point of no return",
        "disk for the copy",
        "products_v2",
    ] {
        assert!(s.contains(want), "plan screen missing {want:?}:\n{s}");
    }
    assert_eq!(before, vec!["products_v1".to_string()]);
    key(m.as_mut(), 'y');
    let s = until_screen(&mut t, m.as_mut(), "✓ done", 60).await;
    assert!(s.contains("copied"), "live copy figures shown:\n{s}");
    assert!(s.contains("✓ swap-alias"), "{s}");
    assert_eq!(alias(&w, "products"), vec!["products_v2".to_string()]);
}

#[tokio::test]
async fn modal_rethrottles_the_running_copy_and_the_cancel_task_action_aborts_without_moving_the_alias()
 {
    let dir = tempfile::tempdir().unwrap();
    let r = resolved(&dir, false);
    // Real-time world, slow copy: the copy step stays running while the keys are pressed.
    let w = world(1.0);
    let mut m = console::start(&r, &Backends::Sim(w.clone()), "reindex products")
        .unwrap()
        .unwrap();
    let mut t = Terminal::new(TestBackend::new(140, 34)).unwrap();
    until_screen(&mut t, m.as_mut(), "Run this operation? (y/n)", 20).await;
    key(m.as_mut(), 'y');
    let s = until_screen(&mut t, m.as_mut(), "c cancel task", 20).await;
    assert!(s.contains("throttle (unlimited)"), "{s}");
    // Wait for the copy task to exist before controlling it: the live figure "copied: N / M"
    // (plain "copied" already matches create-target's "(copied mappings)", before the task
    // exists, and a rethrottle then fails under load).
    until_screen(&mut t, m.as_mut(), "copied: ", 20).await;
    key(m.as_mut(), '-');
    let s = until_screen(&mut t, m.as_mut(), "throttle 1000 docs/s", 20).await;
    assert!(
        s.contains("throttle (1000/s)"),
        "footer shows the new throttle:\n{s}"
    );
    // The live figure is read back from the task itself on the next poll.
    until_screen(&mut t, m.as_mut(), "throttle: 1000 docs/s", 20).await;
    // t: type a throttle; "-" goes into the field, not to the rethrottle_down action.
    key(m.as_mut(), 't');
    for c in "250".chars() {
        key(m.as_mut(), c);
    }
    key_code(m.as_mut(), KeyCode::Enter);
    until_screen(&mut t, m.as_mut(), "throttle: 250 docs/s", 20).await;
    // Cancel through the dialog keymap's action (as if rebound to x), not the raw `c`.
    m.handle_key(
        &KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
        Some(&Action::CancelTask),
    );
    let s = until_screen(&mut t, m.as_mut(), "↺ aborted", 30).await;
    assert!(s.contains("cancelled"), "{s}");
    assert_eq!(alias(&w, "products"), vec!["products_v1".to_string()]);
}

/// Start a reindex from the palette and abort it with `a` while it copies; returns the
/// aborted screen.
async fn start_then_abort(r: &Resolved, w: &SharedWorld, t: &mut Terminal<TestBackend>) -> String {
    let mut m = console::start(r, &Backends::Sim(w.clone()), "reindex products")
        .unwrap()
        .unwrap();
    until_screen(t, m.as_mut(), "Run this operation? (y/n)", 20).await;
    key(m.as_mut(), 'y');
    until_screen(t, m.as_mut(), "copied: ", 20).await;
    key(m.as_mut(), 'a');
    until_screen(t, m.as_mut(), "↺ aborted", 30).await
}

#[tokio::test]
async fn after_an_aborted_reindex_the_palette_offers_resume_and_resuming_completes_and_moves_the_alias()
 {
    let dir = tempfile::tempdir().unwrap();
    let r = resolved(&dir, false);
    let w = world(200.0);
    let mut t = Terminal::new(TestBackend::new(140, 34)).unwrap();
    let s = start_then_abort(&r, &w, &mut t).await;
    // The outcome says what was kept and why, not that the target was rolled back.
    assert!(s.contains("kept: products_v2 (the partial copy"), "{s}");
    assert!(!s.contains("rolled back: start-copy, create-target"), "{s}");
    assert_eq!(alias(&w, "products"), vec!["products_v1".to_string()]);

    let mut st = State::new(StateInit::default());
    console::install(&mut st, &r, &Backends::Sim(w.clone()));
    let e = st
        .palette
        .iter()
        .find(|e| e.label == "resume reindex products")
        .unwrap_or_else(|| panic!("no resume entry in {:?}", st.palette));
    assert_eq!(e.action, Action::StartOp("resume reindex products".into()));

    let mut m = console::start(&r, &Backends::Sim(w.clone()), "resume reindex products")
        .expect("resume is an operation of the ops layer")
        .expect("modal opens");
    let s = until_screen(&mut t, m.as_mut(), "Run this operation? (y/n)", 20).await;
    assert!(
        s.contains("products_v2 exists"),
        "target reading shown:\n{s}"
    );
    key(m.as_mut(), 'y');
    let s = until_screen(&mut t, m.as_mut(), "✓ done", 60).await;
    assert!(s.contains("✓ swap-alias"), "{s}");
    assert_eq!(alias(&w, "products"), vec!["products_v2".to_string()]);
}

#[tokio::test]
async fn reindex_refused_after_an_abort_names_the_resume_entry_shows_its_guardrails_and_says_refused_once()
 {
    let dir = tempfile::tempdir().unwrap();
    let r = resolved(&dir, false);
    let w = world(200.0);
    let mut t = Terminal::new(TestBackend::new(140, 34)).unwrap();
    start_then_abort(&r, &w, &mut t).await;
    let mut m = console::start(&r, &Backends::Sim(w.clone()), "reindex products")
        .unwrap()
        .unwrap();
    let s = until_screen(&mut t, m.as_mut(), "✗ refused", 20).await;
    assert!(!s.contains("refused: refused"), "doubled prefix:\n{s}");
    assert!(
        s.contains("resume reindex products"),
        "the refusal names the palette entry that resumes:\n{s}"
    );
    assert!(
        s.contains("products_v2 exists"),
        "the refused plan still shows its guardrail readings:\n{s}"
    );
}
