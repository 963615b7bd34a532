//! Where the bytes go: the fixed-seed demo on simulated time, drawn through the console's own
//! backend, one frame per second; prints bytes/s to the terminal and the cost of each screen
//! region, live and paused.
//!
//!     cargo run --example frame_bytes -- [WIDTHxHEIGHT] [SECONDS] [TAB]
//!
//! Defaults: 120x40, 60 s, overview. TAB is "overview" or a panel id (aurora, redis, ...), or
//! "all" for the overview and every panel. Deterministic: the same build prints the same bytes.

use opsdeck::app::meter::{MeterOptions, measure, tab_for};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (width, height) = args
        .first()
        .and_then(|s| s.split_once('x'))
        .map(|(w, h)| (w.parse().expect("WIDTH"), h.parse().expect("HEIGHT")))
        .unwrap_or((120, 40));
    let seconds: u32 = args.get(1).map_or(60, |s| s.parse().expect("SECONDS"));
    let tab = args.get(2).map_or("overview", String::as_str);
    let tabs: Vec<&str> = if tab == "all" {
        vec![
            "overview",
            "aurora",
            "redis",
            "s3",
            "opensearch",
            "redshift",
            "cloudfront",
            "dynamodb",
            "dms",
        ]
    } else {
        vec![tab]
    };
    for tab in tabs {
        for paused in [false, true] {
            let opts = MeterOptions {
                width,
                height,
                seconds,
                paused,
                tab: tab_for(tab),
                ..MeterOptions::default()
            };
            let r = measure(&opts);
            let whole = measure(&MeterOptions {
                whole: true,
                ..opts.clone()
            });
            println!(
                "{tab} {width}x{height} {}: {:.0} bytes/s, {:.1} cells/s, {} of {} frames written; \
                 cells rendered {:.0}/s by region ({:.0}/s whole), body rendered {} times, ages alone {}",
                if paused { "paused" } else { "live" },
                r.bytes_per_sec(),
                r.cells as f64 / f64::from(seconds),
                r.frames_written,
                seconds,
                r.rendered.cells as f64 / f64::from(seconds),
                whole.rendered.cells as f64 / f64::from(seconds),
                r.rendered.body,
                r.rendered.ages,
            );
            for (label, c) in r
                .by_cost()
                .into_iter()
                .take(if tab == "overview" { 40 } else { 8 })
            {
                println!(
                    "  {:<36} {:>7.1} B/s {:>6.1} cells/s",
                    label,
                    c.bytes as f64 / f64::from(seconds),
                    c.cells as f64 / f64::from(seconds)
                );
            }
        }
    }
}
