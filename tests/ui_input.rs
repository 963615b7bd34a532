//! Key- and mouse-driven tests of the console's inputs: the mouse (a tab, a row, the wheel),
//! text inputs with a cursor and bracketed paste (a 64-character index name pasted into a
//! typed confirmation), and a lifecycle-editor key rebound through a keymap file, listed in `?`.

mod common;

use common::console::{press, render, typ};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use opsdeck::app::backends::Backends;
use opsdeck::app::console;
use opsdeck::config::{self, GlobalOpts};
use opsdeck::keymap::{Action, Keymap};
use opsdeck::services::s3::admin::LifecycleAdmin;
use opsdeck::services::s3::lifecycle_doc::RuleStatus;
use opsdeck::sim::lifecycle_admin::SimLifecycleAdmin;
use opsdeck::sim::{self, SimOptions};
use opsdeck::state::{Input, State, StateInit, Tab, fixture};
use opsdeck::ui::modal::ConfirmDialog;

fn mouse(st: &mut State, kind: MouseEventKind, column: u16, row: u16) {
    st.handle_mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    });
}

fn click(st: &mut State, column: u16, row: u16) {
    mouse(st, MouseEventKind::Down(MouseButton::Left), column, row);
}

/// (column, row) of the first cell of `needle` on the screen (columns counted in characters,
/// which is cells for the ASCII looked for here).
fn find(screen: &str, needle: &str) -> (u16, u16) {
    for (y, line) in screen.lines().enumerate() {
        if let Some(at) = line.find(needle) {
            return (line[..at].chars().count() as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{screen}");
}

#[test]
fn clicking_a_tab_opens_it_a_row_selects_it_a_second_click_opens_its_detail() {
    let mut st = fixture::state();
    let screen = render(&st, 120, 40);
    let (x, y) = find(&screen, "3 redis");
    click(&mut st, x + 2, y);
    assert_eq!(st.tab, Tab::Panel("redis".into()));
    let screen = render(&st, 120, 40);
    let (x, y) = find(&screen, "10.0.2.12");
    click(&mut st, x, y);
    assert_eq!(st.selected_row().unwrap().id, "10.0.2.12:6379");
    assert!(st.detail.is_empty());
    render(&st, 120, 40);
    click(&mut st, x, y);
    let detail = render(&st, 120, 40);
    assert!(detail.contains("node 10.0.2.12:6379"), "{detail}");
}

#[test]
fn the_wheel_moves_the_selection_and_scrolls_the_help() {
    let mut st = fixture::state();
    typ(&mut st, "3");
    render(&st, 120, 40);
    let first = st.view().selected;
    mouse(&mut st, MouseEventKind::ScrollDown, 10, 10);
    assert_eq!(st.view().selected, first + 1);
    mouse(&mut st, MouseEventKind::ScrollUp, 10, 10);
    assert_eq!(st.view().selected, first);
    typ(&mut st, "?");
    mouse(&mut st, MouseEventKind::ScrollDown, 10, 10);
    assert_eq!(st.help, Some(3));
}

#[test]
fn a_click_on_the_overview_selects_the_line_and_a_second_opens_its_panel() {
    let mut st = fixture::state();
    let screen = render(&st, 120, 40);
    let (x, y) = find(&screen, "OpenSearch");
    click(&mut st, x, y);
    assert_eq!(st.tab, Tab::Overview);
    render(&st, 120, 40);
    click(&mut st, x, y);
    assert_eq!(st.tab, Tab::Panel("opensearch".into()));
}

#[test]
fn the_filter_has_a_cursor_and_takes_a_paste_as_text() {
    let mut st = fixture::state();
    typ(&mut st, "3/shrd");
    press(&mut st, KeyCode::Left);
    press(&mut st, KeyCode::Left);
    typ(&mut st, "a");
    assert_eq!(st.filter_text(), "shard");
    press(&mut st, KeyCode::End);
    // A pasted "-2" with a newline is text: the newline neither accepts nor types a key.
    st.handle_paste("-2\n");
    assert_eq!(st.filter_text(), "shard-2");
    assert!(matches!(st.input, Some(Input::Filter { .. })));
    // A paste of "q" quits nothing.
    st.handle_paste("q");
    assert!(!st.quit);
    press(&mut st, KeyCode::Backspace);
    press(&mut st, KeyCode::Enter);
    assert_eq!(st.view().filter, "shard-2");
}

#[test]
fn pasting_a_64_character_index_name_into_the_typed_confirmation_confirms() {
    let name = format!("products_v{}", "7".repeat(54));
    assert_eq!(name.len(), 64);
    let mut st = State::new(StateInit::default());
    st.modals.push(Box::new(ConfirmDialog::typed(
        "delete index",
        vec![format!("delete index {name}")],
        name.clone(),
        Action::StartOp("done".into()),
    )));
    st.handle_paste(&name);
    let screen = render(&st, 80, 24);
    assert!(
        screen.contains("77777777"),
        "the pasted name is shown:\n{screen}"
    );
    assert_eq!(
        press(&mut st, KeyCode::Enter),
        vec![Action::StartOp("done".into())]
    );
    assert!(st.modals.is_empty());
}

#[tokio::test]
async fn a_lifecycle_editor_key_rebound_in_a_keymap_file_acts_and_is_listed_in_help() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.toml");
    std::fs::write(
        &file,
        "extends = \"default\"\n[editor]\ntoggle_rule = \"t\"\n",
    )
    .unwrap();
    let km = Keymap::load(file.to_str().unwrap()).unwrap();
    let mut r = config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    r.config.audit_log = Some(dir.path().join("audit.jsonl").display().to_string());
    let w = sim::world(&SimOptions::default());
    let bucket = sim::lock(&w).bucket_names()[0].clone();
    let mut st = State::new(StateInit {
        keymap: km,
        ..StateInit::default()
    });
    let editor = console::start(
        &r,
        &Backends::Sim(w.clone()),
        &format!("lifecycle {bucket}"),
    )
    .unwrap()
    .unwrap();
    st.modals.push(editor);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !render(&st, 150, 44).contains("rule(s) on") {
        st.modals.last_mut().unwrap().tick();
        assert!(Instant::now() < deadline, "the editor never loaded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let screen = render(&st, 150, 44);
    assert!(
        screen.contains("t enable/disable"),
        "footer from the keymap:\n{screen}"
    );
    // The old key does nothing now; the new one toggles.
    let disabled = |st: &State| render(st, 150, 44).matches("Disabled").count();
    let before = disabled(&st);
    typ(&mut st, " ");
    assert_eq!(disabled(&st), before);
    typ(&mut st, "t");
    assert_ne!(disabled(&st), before);
    // Nothing was sent while editing.
    let now = SimLifecycleAdmin::new(w.clone())
        .get_lifecycle(&bucket)
        .await
        .unwrap();
    assert_eq!(now.rules[0].status, RuleStatus::Enabled);
    // `?` lists the editor's and the operation dialog's keys.
    st.modals.clear();
    typ(&mut st, "?");
    let lines: Vec<String> = opsdeck::ui::help::lines(&st)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    let has = |keys: &str, what: &str| {
        lines
            .iter()
            .any(|l| l.trim_start().starts_with(keys) && l.contains(what))
    };
    assert!(
        has("t ", "enable / disable the selected rule"),
        "{lines:#?}"
    );
    assert!(has("h ", "hold"), "{lines:#?}");
    assert!(has("a ", "abort"), "{lines:#?}");
    assert!(has("tab right", "next field"), "{lines:#?}");
}

#[test]
fn mouse_and_bell_are_on_unless_the_config_says_false() {
    let on: opsdeck::config::Config = toml::from_str("").unwrap();
    assert!(on.mouse() && on.bell());
    let off: opsdeck::config::Config = toml::from_str("mouse = false\nbell = false\n").unwrap();
    assert!(!off.mouse() && !off.bell());
    let bad = toml::from_str::<opsdeck::config::Config>("mouse = \"no\"\n").unwrap_err();
    assert!(bad.to_string().contains("mouse"), "{bad}");
}
