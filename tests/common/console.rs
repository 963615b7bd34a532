//! Driving the console in key-driven tests: one frame on a TestBackend as text, key presses and
//! typed text into a State (what the terminal would send).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use opsdeck::keymap::Action;
use opsdeck::state::State;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// One frame of `st` at `w`x`h`, as the TestBackend's text.
pub fn render(st: &State, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
    term.backend().to_string()
}

/// Press `code` without modifiers; the actions the State hands back to the console.
pub fn press(st: &mut State, code: KeyCode) -> Vec<Action> {
    st.handle_key(KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

/// Type `text` one character at a time.
pub fn typ(st: &mut State, text: &str) {
    for c in text.chars() {
        press(st, KeyCode::Char(c));
    }
}

/// The seeded black-friday demo world from 2026-11-27 17:00 UTC (seed 7), whose alarms fire
/// within two simulated days, and its start: the alarm-detail tests' shared starting point.
pub fn black_friday_world() -> (opsdeck::sim::SharedWorld, chrono::DateTime<chrono::Utc>) {
    use chrono::TimeZone;
    let start = chrono::Utc
        .with_ymd_and_hms(2026, 11, 27, 17, 0, 0)
        .unwrap();
    let world = opsdeck::sim::world(&opsdeck::sim::SimOptions {
        seed: 7,
        scenario: opsdeck::sim::Scenario::BlackFriday,
        start: Some(start),
        ..opsdeck::sim::SimOptions::default()
    });
    (world, start)
}
