//! Every chart of every panel, drawn at 80x24, 120x40 and 160x48 on the fixed-seed demo: its
//! title (and those of their rows' detail views) is on screen whole (shortened only by leaving out whole parts, never cut mid-word) and
//! no legend sits over the plot.

use opsdeck::app::meter::DemoDriver;
use opsdeck::state::Tab;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (160, 48)];

fn row_in(b: &Buffer, r: Rect, y: u16) -> String {
    (r.x..r.x + r.width).map(|x| b[(x, y)].symbol()).collect()
}

#[test]
fn every_panels_charts_keep_their_titles_whole_and_no_legend_covers_the_plot() {
    let mut d = DemoDriver::new(42);
    for _ in 0..40 {
        d.step();
    }
    let tabs: Vec<Tab> = d.state.tabs();
    assert!(tabs.len() > 5, "{tabs:?}");
    let mut charts = 0;
    // Each panel's page, then the detail view of its first row (its history chart).
    let views: Vec<(Tab, bool)> = tabs
        .iter()
        .flat_map(|t| [(t.clone(), false), (t.clone(), true)])
        .collect();
    for (tab, detail) in views {
        for (w, h) in SIZES {
            d.state.tab = tab.clone();
            d.state.detail.clear();
            if detail {
                d.state.open_detail();
            }
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| opsdeck::ui::draw(f, &d.state)).unwrap();
            let b = t.backend().buffer().clone();
            let drawn = d.state.hits.borrow().charts.clone();
            for c in drawn {
                charts += 1;
                let top = row_in(&b, c.area, c.area.y);
                let screen = (0..h)
                    .map(|y| row_in(&b, b.area, y))
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(
                    top.contains(&c.shown),
                    "{tab:?} {w}x{h}: title {:?} not whole on its row {top:?}\n{screen}",
                    c.shown
                );
                assert!(!c.shown.contains('…'), "{tab:?} {w}x{h}: {:?}", c.shown);
                // Shortened by a rule: the shown title is some of the parts, whole, in order.
                let mut rest = c.shown.as_str();
                for p in &c.parts {
                    if let Some(i) = rest.find(p.as_str()) {
                        rest = &rest[i + p.len()..];
                    }
                }
                assert!(
                    rest.trim_matches(|ch: char| ch == ',' || ch.is_whitespace())
                        .is_empty(),
                    "{tab:?} {w}x{h}: {:?} is not made of the parts {:?}",
                    c.shown,
                    c.parts
                );
                // No legend box inside the plot (a legend's border, or a series' name).
                for y in c.area.y + 1..c.area.y + c.area.height {
                    let line = row_in(&b, c.area, y);
                    assert!(
                        !line.contains('┌') && !line.contains('┐') && !line.contains("threshold"),
                        "{tab:?} {w}x{h}: a legend over the plot at row {y}: {line:?}\n{screen}"
                    );
                }
            }
        }
    }
    assert!(charts >= 6, "only {charts} charts drawn");
}
