//! What the operation dialogs say, drawn in the console at 80x24, 120x40 and 160x48: no word
//! said twice on a row, no table row wrapped, figures named by where they come from.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::app::backends::Backends;
use opsdeck::app::console;
use opsdeck::config::{self, GlobalOpts, Resolved};
use opsdeck::sim::{self, SimOptions};
use opsdeck::state::{State, StateInit};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const BUCKET: &str = "streamshop-media";
const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (160, 48)];

fn resolved(dir: &tempfile::TempDir) -> Resolved {
    let mut r = config::resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    r.config.audit_log = Some(dir.path().join("audit.jsonl").display().to_string());
    r
}

fn screen(t: &mut Terminal<TestBackend>, st: &State) -> Vec<String> {
    t.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
    let b = t.backend().buffer();
    (0..b.area.height)
        .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
        .collect()
}

fn press(st: &mut State, code: KeyCode) {
    st.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

async fn until(t: &mut Terminal<TestBackend>, st: &mut State, want: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(m) = st.modals.last_mut() {
            m.tick();
        }
        let s = screen(t, st);
        if s.iter().any(|l| l.contains(want)) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {want:?}:\n{}",
            s.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The lifecycle editor, then its plan (the first rule disabled), in a console of `w`x`h`.
async fn lifecycle_screens(w: u16, h: u16) -> (Vec<String>, Vec<Vec<String>>, String) {
    let dir = tempfile::tempdir().unwrap();
    let r = resolved(&dir);
    let world = sim::world(&SimOptions::default());
    let mut st = State::new(StateInit::default());
    let modal = console::start(&r, &Backends::Sim(world), &format!("lifecycle {BUCKET}"))
        .unwrap()
        .unwrap();
    st.modals.push(modal);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let editor = until(&mut t, &mut st, "images-tiering").await;
    press(&mut st, KeyCode::Char(' '));
    press(&mut st, KeyCode::Enter);
    until(&mut t, &mut st, "Run this operation").await;
    let text = st.modals.last().unwrap().plan_text();
    // The plan scrolls: every screen from its top to its end.
    let mut plans = Vec::new();
    for _ in 0..80 {
        plans.push(screen(&mut t, &st));
        press(&mut st, KeyCode::Down);
    }
    (editor, plans, text)
}

/// Whole words said twice on one screen row (status words, "Enabled"), in the dialog's frame.
fn repeated_words(row: &str) -> Vec<String> {
    let words: Vec<&str> = row
        .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-')
        .filter(|w| w.len() >= 4 && w.chars().next().is_some_and(char::is_uppercase))
        .collect();
    let mut out: Vec<String> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if words[..i].contains(w) && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    out
}

#[tokio::test]
async fn the_lifecycle_editor_says_each_rules_status_once_and_its_cost_table_rows_never_wrap() {
    for (w, h) in SIZES {
        let (editor, plan, text) = lifecycle_screens(w, h).await;
        for row in &editor {
            assert!(
                !row.contains("Enabled") || repeated_words(row).is_empty(),
                "{w}x{h}: said twice on {row:?}\n{}",
                editor.join("\n")
            );
        }
        // Every row of the cost table on screen is one whole row: its tier and its change in
        // dollars on the same screen row, never the figures wrapped onto the next one.
        let mut seen = 0;
        for shown in &plan {
            let table: Vec<&String> = shown
                .iter()
                .skip_while(|r| !r.contains("$/mo"))
                .take_while(|r| !r.contains("note:") && !r.contains("confirm"))
                .collect();
            seen = seen.max(table.len());
            for r in &table {
                // The plan pane: between the dialog's left border and the figures' pane.
                let inner = r.split('│').nth(2).unwrap_or("");
                let cells: Vec<&str> = inner.split_whitespace().collect();
                if cells.is_empty() {
                    continue;
                }
                let last = cells[cells.len() - 1];
                let figure = last.starts_with('+')
                    || last.starts_with('-')
                    || last == "change"
                    || last == "StorageType"
                    || last.ends_with("Storage");
                assert!(
                    figure && cells.len() >= 4,
                    "{w}x{h}: a cost table row wrapped: {r:?}\n{}",
                    shown.join("\n")
                );
            }
        }
        assert!(
            seen >= 9,
            "{w}x{h}: the cost table was never on screen whole"
        );
        assert!(
            !text.contains("measured by sim"),
            "{w}x{h}: the plan names the simulation by its code: {text}"
        );
    }
}

/// The figures pane of an operation dialog (right of the plan), its rows joined with spaces:
/// the guardrails as they read, wrapped lines put back together.
fn figures_pane(rows: &[String]) -> String {
    rows.iter()
        .filter_map(|r| r.split('│').nth(3))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn no_guardrail_in_an_operation_dialog_says_its_reading_twice() {
    for op in [
        "cutover mysql-to-aurora",
        "cutover catalog-failover",
        "cutover catalog-blue-green",
        "reindex products",
    ] {
        for (w, h) in SIZES {
            let dir = tempfile::tempdir().unwrap();
            let r = resolved(&dir);
            let world = opsdeck::sim::aurora_admin::fast_world();
            let mut st = State::new(StateInit::default());
            let modal = console::start(&r, &Backends::Sim(world), op)
                .unwrap()
                .unwrap();
            st.modals.push(modal);
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            let rows = until(&mut t, &mut st, "[ Cancel ]").await;
            let pane = figures_pane(&rows);
            assert!(pane.contains("guardrails"), "{op} {w}x{h}: {pane}");
            // "status: available (limit available)": a passing reading that is its limit
            // says it once.
            let mut rest = pane.as_str();
            while let Some(i) = rest.find("(limit ") {
                let before = rest[..i].trim_end();
                let inside = rest[i + 7..].split(')').next().unwrap_or("");
                assert!(
                    inside.is_empty() || !before.ends_with(inside),
                    "{op} {w}x{h}: {inside:?} said twice in {pane}"
                );
                rest = &rest[i + 7..];
            }
        }
    }
}
