//! What the demo writes to the terminal, counted by the frame meter (the console's own backend
//! on the fixed-seed demo, simulated time): deterministic byte and cell budgets, not timings.
//! `cargo run --example frame_bytes` prints the full per-region table.

use opsdeck::app::meter::{MeterOptions, measure};

fn run(paused: bool, width: u16, height: u16) -> opsdeck::app::meter::MeterReport {
    measure(&MeterOptions {
        width,
        height,
        seconds: 60,
        paused,
        ..MeterOptions::default()
    })
}

#[test]
fn overview_charts_advance_half_a_chart_at_a_time_instead_of_shifting_every_sample() {
    let r = run(false, 120, 40);
    // Every chart cell: the service lines', the CloudWatch lines' and the trends'.
    let charts = r.region_sum("chart").cells;
    // Shifting every sample rewrote ~170 cells a second at 120x40.
    assert!(
        charts <= 40 * 60,
        "chart cells per second: {} ({:?})",
        charts / 60,
        r.by_cost()
    );
    // ...and they still move: every service line's chart changes during the minute.
    for service in ["Aurora", "Redis", "OpenSearch"] {
        assert!(
            r.region_sum(&format!("overview {service} chart")).cells > 0,
            "{service}'s chart did not move: {:?}",
            r.by_cost()
        );
    }
}

#[test]
fn the_live_demo_at_120x40_writes_under_600_bytes_a_second() {
    let r = run(false, 120, 40);
    assert!(
        r.bytes_per_sec() < 600.0,
        "{:.0} B/s: {:?}",
        r.bytes_per_sec(),
        r.by_cost()
    );
}

#[test]
fn the_live_demo_at_80x24_writes_under_600_bytes_a_second() {
    let r = run(false, 80, 24);
    assert!(
        r.bytes_per_sec() < 600.0,
        "{:.0} B/s: {:?}",
        r.bytes_per_sec(),
        r.by_cost()
    );
}

#[test]
fn the_paused_demo_writes_under_150_bytes_a_second_and_only_clock_ages_and_staleness() {
    let r = run(true, 120, 40);
    assert!(
        r.bytes_per_sec() < 150.0,
        "{:.0} B/s: {:?}",
        r.bytes_per_sec(),
        r.by_cost()
    );
    assert_eq!(r.region_sum("chart").cells, 0, "{:?}", r.by_cost());
    assert_eq!(r.region_sum("trends").cells, 0, "{:?}", r.by_cost());
}

#[test]
fn a_paused_minute_renders_the_clock_row_not_the_whole_screen_and_writes_the_same_bytes() {
    let measure_with = |whole: bool| {
        measure(&MeterOptions {
            seconds: 60,
            paused: true,
            whole,
            ..MeterOptions::default()
        })
    };
    let (before, after) = (measure_with(true), measure_with(false));
    // The terminal sees the same frames either way: only the drawing work differs.
    assert_eq!(before.bytes, after.bytes);
    assert_eq!(before.cells, after.cells);
    assert_eq!(before.rendered.cells, 60 * 120 * 40);
    assert_eq!(after.rendered.header, 60, "the clock, every second");
    assert!(
        after.rendered.cells * 4 < before.rendered.cells,
        "regions rendered {:?}",
        after.rendered
    );
}
