//! Memory of the console's history (issue 13/16): one series, and every series of a fleet-size
//! console (3 contexts x 15 replicas, 30 Redis nodes, 200 buckets, 1,000 indices, the
//! fixture's CloudWatch panels) after 24 h of 1 s samples, counted two ways: the rings' own
//! allocations (`Series::heap_bytes`) and the live heap seen by a counting global allocator
//! (everything the States hold: the model data, the maps' keys and nodes, the rings).
//!
//!     cargo run --release --example history_memory
//!
//! Prints bytes; docs/PERFORMANCE.md records the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use chrono::Duration;
use opsdeck::state::fixture;
use opsdeck::state::series::Ring;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn rss_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn kib(b: isize) -> String {
    format!("{:.1} KiB", b as f64 / 1024.0)
}

/// 24 h of one value a second into every timed ring, ending at the fixture's clock.
fn fill_day(st: &mut opsdeck::state::State) {
    let end = fixture::now();
    let start = end - Duration::hours(24);
    for ring in st.series.rings_mut() {
        if ring.times().is_none() {
            continue; // run durations: one value per load run, no clock
        }
        let mut fresh = Ring::default();
        for s in 0..(24 * 3600) {
            let v = 100.0 + (s % 600) as f64;
            fresh.push_at(start + Duration::seconds(s), v);
        }
        *ring = fresh;
    }
}

fn main() {
    // One series.
    let before = live();
    let mut one = Ring::default();
    let end = fixture::now();
    for s in 0..(24 * 3600) {
        one.push_at(end - Duration::seconds(24 * 3600 - s), s as f64);
    }
    println!(
        "one series, 24 h of 1 s samples: {} by its allocations, {} live heap",
        kib(one.heap_bytes() as isize),
        kib(live() - before)
    );
    drop(one);

    // A fleet-size console: three contexts, each the fleet fixture with a replica lag series
    // per replica.
    let rss0 = rss_kb("VmRSS:");
    let before = live();
    let mut contexts: Vec<opsdeck::state::State> = (0..3)
        .map(|_| {
            let mut st = fixture::fleet::state();
            let names: Vec<String> = st
                .data
                .aurora
                .as_ref()
                .map(|a| a.replicas.iter().map(|r| r.name.clone()).collect())
                .unwrap_or_default();
            for n in names {
                st.series.lag.entry(n).or_default().push_at(end, 0.1);
            }
            st
        })
        .collect();
    let empty_heap = live() - before;
    for st in &mut contexts {
        fill_day(st);
    }
    let series: usize = contexts.iter().map(|c| c.series.rings().count()).sum();
    let rings: usize = contexts.iter().map(|c| c.series.heap_bytes()).sum();
    let full_heap = live() - before;
    println!(
        "fleet size, 3 contexts: {series} series; rings {} ({} per series); States' live heap \
         {} before the day of history, {} after; VmRSS {} -> {} KiB, VmHWM {} KiB",
        kib(rings as isize),
        kib((rings / series.max(1)) as isize),
        kib(empty_heap),
        kib(full_heap),
        rss0,
        rss_kb("VmRSS:"),
        rss_kb("VmHWM:")
    );
}
