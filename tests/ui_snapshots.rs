//! Snapshot tests of every screen at 80x24 (the SSH default) and 160x48, from the deterministic
//! fixture (fixed clock, fixed data). Review changed snapshots by reading the .snap files.

use opsdeck::state::{State, Tab, fixture};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(st: &State, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
    term.backend().to_string()
}

fn on(tab: &str) -> State {
    let mut st = fixture::state();
    st.tab = if tab == "overview" {
        Tab::Overview
    } else {
        Tab::Panel(tab.to_string())
    };
    st
}

macro_rules! screens {
    ($($name:ident => $tab:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let st = on($tab);
                insta::assert_snapshot!(concat!(stringify!($name), "_80x24"), render(&st, 80, 24));
                insta::assert_snapshot!(concat!(stringify!($name), "_160x48"), render(&st, 160, 48));
            }
        )*
    };
}

screens! {
    overview => "overview",
    aurora => "aurora",
    redis => "redis",
    s3 => "s3",
    opensearch => "opensearch",
    redshift => "redshift",
    cloudwatch_cloudfront => "cloudfront",
    cloudwatch_dms => "dms",
}

#[test]
fn failing_source_shows_its_error_on_its_panel_and_stale_age_on_the_overview() {
    let mut st = fixture::state_with_failing_source();
    let overview = render(&st, 120, 30);
    insta::assert_snapshot!("failing_source_overview_120x30", overview);
    st.tab = Tab::Panel("opensearch".into());
    let panel = render(&st, 120, 30);
    assert!(
        panel.contains("connection") && panel.contains("refused"),
        "{panel}"
    );
    assert!(panel.contains("STALE"), "{panel}");
    insta::assert_snapshot!("failing_source_opensearch_120x30", panel);
}
