//! The demo console's heap by component (issue 16's RSS target): a counting global allocator
//! reports the live heap after each piece the console builds (embedded panels and keymap, the
//! simulated world, its collectors and the State, then minutes and hours of samples drawn at
//! 120x40 through the console's own backend), and the rings' share of the State.
//!
//!     cargo run --release --example demo_heap [MINUTES]     # default 60 simulated minutes
//!
//! The heap is only part of RSS (code pages, thread stacks, allocator arenas are the rest):
//! `scripts/measure-rss` splits a running binary's RSS by mapping. docs/PERFORMANCE.md records
//! both.

use opsdeck::app::meter::DemoDriver;
use opsdeck::app::wire::WireBackend;
use ratatui::Terminal;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{Counting, live};

#[global_allocator]
static A: Counting = Counting;

fn kib(b: isize) -> String {
    format!("{:>8.1} KiB", b as f64 / 1024.0)
}

fn main() {
    let minutes: u64 = std::env::args()
        .nth(1)
        .map_or(60, |s| s.parse().expect("MINUTES"));
    let base = live();
    let panels = opsdeck::panels::Panels::embedded();
    let keymap = opsdeck::keymap::Keymap::load("default").expect("the default keymap");
    let config = live() - base;
    println!("embedded panels + keymap     {}", kib(config));
    drop((panels, keymap));

    let before = live();
    let world = opsdeck::sim::world(&opsdeck::sim::SimOptions {
        seed: 42,
        start: Some(opsdeck::app::meter::start_time()),
        ..Default::default()
    });
    println!("simulated world              {}", kib(live() - before));
    drop(world);

    let before = live();
    let mut d = DemoDriver::new(42);
    let driver = live() - before;
    println!(
        "world + collectors + State   {}  (demo driver, before any sample)",
        kib(driver)
    );

    let before = live();
    let backend = WireBackend::fixed(std::io::sink(), 120, 40);
    let mut term = Terminal::new(backend).expect("a fixed-size terminal");
    term.draw(|f| opsdeck::ui::draw(f, &d.state)).unwrap();
    println!("terminal 120x40 (buffers)    {}", kib(live() - before));

    let before = live();
    let mark = |label: &str, d: &DemoDriver| {
        let series = d.state.series.heap_bytes() as isize;
        let n = d.state.series.rings().count();
        println!(
            "after {label:<22} {}  (heap grown since the first frame {}; {n} series, rings {})",
            kib(live() - base),
            kib(live() - before),
            kib(series)
        );
    };
    for m in 1..=minutes {
        for _ in 0..60 {
            d.step();
            term.draw(|f| opsdeck::ui::draw(f, &d.state)).unwrap();
        }
        if m == 5 || m == minutes || m % 60 == 0 {
            mark(&format!("{m} simulated minutes"), &d);
        }
    }
    println!("peak live heap {}", kib(counting_alloc::peak() - base));
}
