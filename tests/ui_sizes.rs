//! Any terminal size renders without panicking; below the minimum it says so.

use opsdeck::state::theme::Theme;
use opsdeck::state::{Tab, fixture};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

#[test]
fn every_size_from_0x0_to_30x10_renders_every_screen_without_panic() {
    let mut st = fixture::state();
    let mut tabs = st.tabs();
    tabs.push(Tab::Overview);
    for tab in tabs {
        st.tab = tab;
        for w in 0..=30 {
            for h in 0..=10 {
                let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
                term.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
            }
        }
    }
}

#[test]
fn sizes_around_the_minimum_render_every_screen_with_overlays() {
    let mut st = fixture::state();
    for tab in st.tabs() {
        st.tab = tab;
        for (w, h) in [
            (59, 15),
            (60, 14),
            (60, 15),
            (61, 16),
            (80, 24),
            (200, 60),
            (300, 15),
        ] {
            for overlay in 0..3 {
                st.help = (overlay == 1).then_some(0);
                st.input = (overlay == 2).then(|| opsdeck::state::Input::Palette {
                    query: "a".into(),
                    selected: 0,
                });
                let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
                term.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
            }
        }
    }
}

#[test]
fn below_the_minimum_the_screen_says_how_big_it_must_be() {
    let st = fixture::state();
    let mut term = Terminal::new(TestBackend::new(59, 20)).unwrap();
    term.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
    let s = term.backend().to_string();
    assert!(
        s.contains("terminal too small (need 60x15, have 59x20)"),
        "{s}"
    );
}

#[test]
fn monochrome_theme_uses_no_colour_and_keeps_status_symbols() {
    let mut st = fixture::state();
    st.theme = Theme::mono();
    let mut term = Terminal::new(TestBackend::new(120, 30)).unwrap();
    term.draw(|f| opsdeck::ui::draw(f, &st)).unwrap();
    let buf = term.backend().buffer();
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "coloured cell {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "coloured cell {cell:?}");
    }
    let s = term.backend().to_string();
    assert!(
        s.contains("! Aurora") && s.contains("x Redshift") && s.contains("o OpenSearch"),
        "{s}"
    );
}
