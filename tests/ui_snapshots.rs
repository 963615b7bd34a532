//! Snapshot tests of every screen at 80x24 (the SSH default) and 160x48, from the fixed-seed
//! simulation (seed 42, 2026-11-25 19:00 UTC) run through the real collectors over the
//! simulated wires for a minute and a half of simulated time, as the demo runs: every figure on
//! screen is one real mode can produce. Review changed snapshots by reading the .snap files.

mod common;

use common::console::render;
use opsdeck::app::meter::DemoDriver;
use opsdeck::model::service::PanelKind;
use opsdeck::services::SourceKind;
use opsdeck::state::{State, Tab};

/// Simulated seconds driven before a screen is drawn: enough for every rate to have a window
/// and the charts some history.
const SECONDS: u32 = 90;

fn driven(d: &mut DemoDriver, seconds: u32) {
    for _ in 0..seconds {
        d.step();
    }
}

fn on(tab: &str) -> State {
    let mut d = DemoDriver::new(42);
    driven(&mut d, SECONDS);
    let mut st = d.state;
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
    let mut d = DemoDriver::new(42);
    driven(&mut d, SECONDS);
    d.fail(
        SourceKind::Service(PanelKind::OpenSearch),
        "error sending request for url (http://127.0.0.1:9201/_cluster/health): connection refused",
    );
    // Everything else keeps answering while OpenSearch is down for two minutes.
    driven(&mut d, 120);
    let mut st = d.state;
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
