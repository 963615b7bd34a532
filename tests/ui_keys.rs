//! Key-driven tests: press keys as an operator would and assert that the screen changes.

mod common;

use common::console::{press, render, typ};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use opsdeck::model::service::PanelKind;
use opsdeck::services::{Sample, SourceKind, Update};
use opsdeck::state::fixture;

#[test]
fn colon_opens_the_palette_and_typing_fuzzy_filters_it() {
    let mut st = fixture::state();
    press(&mut st, KeyCode::Char(':'));
    let open = render(&st, 100, 30);
    assert!(
        open.contains("enter run  tab complete  esc close"),
        "{open}"
    );
    assert!(open.contains("panel aurora"), "{open}");
    assert!(open.contains("panel dynamodb"), "{open}");
    typ(&mut st, "dyndb");
    let filtered = render(&st, 100, 30);
    assert!(filtered.contains(": dyndb"), "{filtered}");
    assert!(filtered.contains("panel dynamodb"), "{filtered}");
    assert!(!filtered.contains("panel aurora"), "{filtered}");
    press(&mut st, KeyCode::Enter);
    let page = render(&st, 100, 30);
    assert!(page.contains("DynamoDB AWS/DynamoDB"), "{page}");
    assert!(!page.contains("enter run"), "{page}");
}

#[test]
fn slash_filter_narrows_the_redis_node_table() {
    let mut st = fixture::state();
    press(&mut st, KeyCode::Char('3'));
    let all = render(&st, 120, 30);
    assert!(
        all.contains("10.0.1.10:6379") && all.contains("10.0.3.14:6379"),
        "{all}"
    );
    press(&mut st, KeyCode::Char('/'));
    typ(&mut st, "shard-2");
    let narrowed = render(&st, 120, 30);
    assert!(narrowed.contains("10.0.2.12:6379"), "{narrowed}");
    assert!(!narrowed.contains("10.0.1.10:6379"), "{narrowed}");
    // The cursor is a reversed cell after the text, not a character.
    assert!(narrowed.contains("/ shard-2 "), "{narrowed}");
    assert!(
        matches!(&st.input, Some(opsdeck::state::Input::Filter { text, .. }) if text.cursor() == 7)
    );
    press(&mut st, KeyCode::Enter);
    let kept = render(&st, 120, 30);
    assert!(!kept.contains("10.0.3.14:6379"), "{kept}");
    assert!(kept.contains("/ shard-2 "), "{kept}");
    press(&mut st, KeyCode::Esc);
    let cleared = render(&st, 120, 30);
    assert!(cleared.contains("10.0.3.14:6379"), "{cleared}");
}

#[test]
fn slash_filter_on_the_overview_narrows_services_and_findings() {
    let mut st = fixture::state();
    press(&mut st, KeyCode::Char('/'));
    typ(&mut st, "redshift");
    let s = render(&st, 120, 30);
    assert!(s.contains("Redshift"), "{s}");
    assert!(!s.contains("Aurora "), "{s}");
}

#[test]
fn question_mark_shows_help_generated_from_the_keymap() {
    let mut st = fixture::state();
    assert!(!render(&st, 100, 30).contains("command palette"));
    press(&mut st, KeyCode::Char('?'));
    let help = render(&st, 100, 30);
    assert!(help.contains(" help "), "{help}");
    assert!(help.contains("command palette (fuzzy)"), "{help}");
    assert!(help.contains("q ctrl-c"), "{help}");
    press(&mut st, KeyCode::Esc);
    assert!(!render(&st, 100, 30).contains("command palette (fuzzy)"));
}

#[test]
fn space_shows_paused_and_stops_applying_samples() {
    let mut st = fixture::state();
    press(&mut st, KeyCode::Char('3'));
    press(&mut st, KeyCode::Char(' '));
    let paused = render(&st, 120, 30);
    assert!(paused.contains("PAUSED"), "{paused}");
    let mut r = fixture::redis();
    r.ops_per_sec = 999_000.0;
    st.apply_sample(Sample {
        source: SourceKind::Service(PanelKind::Redis),
        at: fixture::now(),
        result: Ok(Update::Redis(r)),
    });
    let still = render(&st, 120, 30);
    assert!(!still.contains("999k ops/s"), "{still}");
    assert!(still.contains("182k ops/s"), "{still}");
    assert!(still.contains("updates held"), "{still}");
    press(&mut st, KeyCode::Char(' '));
    let resumed = render(&st, 120, 30);
    assert!(!resumed.contains("PAUSED"), "{resumed}");
    assert!(resumed.contains("999k ops/s"), "{resumed}");
}

#[test]
fn number_keys_and_tab_switch_panels_and_the_footer_marks_the_current_one() {
    let mut st = fixture::state();
    press(&mut st, KeyCode::Char('6'));
    let s = render(&st, 120, 30);
    assert!(s.contains("┌ Redshift"), "{s}");
    press(&mut st, KeyCode::Tab);
    assert!(render(&st, 120, 30).contains("┌ CloudFront"));
    press(&mut st, KeyCode::Esc);
    assert!(render(&st, 120, 30).contains("┌ Overview"));
}

#[test]
fn enter_on_an_overview_line_opens_its_panel() {
    let mut st = fixture::state();
    render(&st, 120, 30);
    press(&mut st, KeyCode::Down);
    press(&mut st, KeyCode::Enter);
    assert!(render(&st, 120, 30).contains("┌ Redis"));
}

#[test]
fn plus_and_minus_change_the_collection_interval_in_the_header() {
    let mut st = fixture::state();
    assert!(render(&st, 120, 30).contains("refresh 1s"));
    press(&mut st, KeyCode::Char('-'));
    assert!(render(&st, 120, 30).contains("collect 2s"));
    press(&mut st, KeyCode::Char('+'));
    press(&mut st, KeyCode::Char('+'));
    assert!(render(&st, 120, 30).contains("collect 500ms"));
}

#[test]
fn a_typed_confirmation_dialog_needs_the_exact_word() {
    use opsdeck::keymap::Action;
    use opsdeck::ui::modal::ConfirmDialog;
    let mut st = fixture::state();
    st.modals.push(Box::new(ConfirmDialog::typed(
        "cut over mysql-to-aurora",
        vec!["source goes read-only".into()],
        "catalog",
        Action::StartOp("cutover mysql-to-aurora".into()),
    )));
    let s = render(&st, 100, 30);
    assert!(s.contains("type catalog to confirm"), "{s}");
    typ(&mut st, "catalo");
    assert!(st.handle_key(enter()).is_empty());
    assert_eq!(st.modals.len(), 1);
    typ(&mut st, "g");
    assert_eq!(
        st.handle_key(enter()),
        vec![Action::StartOp("cutover mysql-to-aurora".into())]
    );
    assert!(st.modals.is_empty());
}

fn enter() -> KeyEvent {
    KeyEvent {
        code: KeyCode::Enter,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    }
}
