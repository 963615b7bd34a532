//! A fleet-size console's resident memory with 24 h of history (issue 16: target <= 40 MB).
//! Builds the console's State for one context at fleet size (`state::fixture::fleet`: 15
//! replicas, 30 Redis nodes, 200 buckets, 1,000 indices, the fixture's CloudWatch panels and
//! alarms), feeds it 24 h of rounds through `State::apply_sample` on a synthetic clock (one
//! round of every source per minute for 23 h 55 min, then one a second for the last 5 min:
//! the minute buckets and the 300-sample rings end as full as after a day at 1 s), draws every
//! tab at 160x48 through the console's own backend on the console's runtime (2 workers), then
//! prints VmRSS / VmHWM, the RSS split by mapping, and the live heap by component (a counting
//! global allocator).
//!
//!     cargo run --profile bench --example fleet_rss [CONTEXTS]     # default 1
//!
//! Not included: the collectors' own clients and connection pools (real services at fleet
//! size), and the binary's code pages are this example's, not `opsdeck`'s (same crates, less
//! of them). docs/PERFORMANCE.md records the figures.

use chrono::Duration;
use opsdeck::app::wire::WireBackend;
use opsdeck::model::service::PanelKind;
use opsdeck::model::source::{Sample, SourceKind, Update};
use opsdeck::state::{State, fixture};
use ratatui::Terminal;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{Counting, live};

#[global_allocator]
static A: Counting = Counting;

fn kib(b: isize) -> String {
    format!("{:>9.1} KiB", b as f64 / 1024.0)
}

fn status(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Resident KiB by mapping kind, from /proc/self/smaps.
fn smaps_split() -> Vec<(String, u64)> {
    let exe = std::fs::read_link("/proc/self/exe").unwrap_or_default();
    let exe = exe.to_string_lossy().to_string();
    let mut out: std::collections::BTreeMap<String, u64> = Default::default();
    let mut kind = String::new();
    for line in std::fs::read_to_string("/proc/self/smaps")
        .unwrap_or_default()
        .lines()
    {
        let first = line.split_whitespace().next().unwrap_or("");
        if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            let path = line.split_whitespace().nth(5).unwrap_or("");
            kind = if path == exe {
                "binary (code, rodata, data)".into()
            } else if path == "[heap]" {
                "[heap] (main arena)".into()
            } else if path.starts_with('/') {
                "shared libraries".into()
            } else if path.is_empty() {
                "anonymous (thread stacks, arenas, mmap)".into()
            } else {
                path.into()
            };
        } else if let Some(v) = line.strip_prefix("Rss:") {
            let kb: u64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
            *out.entry(kind.clone()).or_default() += kb;
        }
    }
    out.into_iter().filter(|(_, v)| *v > 0).collect()
}

/// Every source's round as the fixture holds it: what a collector would hand the State.
fn rounds(st: &State) -> Vec<(SourceKind, Update)> {
    let d = &st.data;
    let mut out = Vec::new();
    if let Some(a) = &d.aurora {
        out.push((
            SourceKind::Service(PanelKind::Aurora),
            Update::Aurora(a.clone()),
        ));
    }
    if let Some(r) = &d.redis {
        out.push((
            SourceKind::Service(PanelKind::Redis),
            Update::Redis(r.clone()),
        ));
    }
    if let Some(s) = &d.s3 {
        out.push((SourceKind::Service(PanelKind::S3), Update::S3(s.clone())));
    }
    if let Some(o) = &d.opensearch {
        out.push((
            SourceKind::Service(PanelKind::OpenSearch),
            Update::OpenSearch(o.clone()),
        ));
    }
    if let Some(r) = &d.redshift {
        out.push((
            SourceKind::Service(PanelKind::Redshift),
            Update::Redshift(r.clone()),
        ));
    }
    for (id, figs) in d.cloudwatch.iter().flatten() {
        out.push((
            SourceKind::CloudWatch(id.clone()),
            Update::CloudWatch(id.clone(), figs.clone()),
        ));
    }
    out.push((
        SourceKind::Alarms,
        Update::Alarms(opsdeck::model::source::AlarmsSample {
            alarms: d.alarms.clone(),
            ok_count: d.alarms_ok_count,
        }),
    ));
    out
}

/// One round of every source at `at`, its figures moved a little so the rings hold a day of
/// different values.
fn feed(st: &mut State, base: &[(SourceKind, Update)], at: chrono::DateTime<chrono::Utc>, k: i64) {
    let wobble = 1.0 + (k % 97) as f64 / 1000.0;
    for (source, update) in base {
        let mut u = update.clone();
        match &mut u {
            Update::Aurora(a) => a
                .replicas
                .iter_mut()
                .for_each(|r| r.lag_seconds = r.lag_seconds.map(|l| l * wobble)),
            Update::Redis(r) => r.ops_per_sec *= wobble,
            Update::OpenSearch(o) => o.indexing_rate_per_sec *= wobble,
            Update::CloudWatch(_, figs) => figs
                .iter_mut()
                .for_each(|f| f.value = f.value.map(|v| v * wobble)),
            _ => {}
        }
        st.apply_sample(Sample {
            source: source.clone(),
            at,
            result: Ok(u),
        });
    }
}

fn main() {
    let contexts: usize = std::env::args()
        .nth(1)
        .map_or(1, |s| s.parse().expect("CONTEXTS"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let base = live();
    println!("at start: VmRSS {}", status("VmRSS:"));

    let before = live();
    let mut states: Vec<State> = (0..contexts).map(|_| fixture::fleet::state()).collect();
    let model = live() - before;

    let before = live();
    let end = fixture::now();
    let start = end - Duration::hours(24);
    for st in &mut states {
        let base_rounds = rounds(st);
        let mut k = 0;
        let mut t = start;
        while t < end - Duration::minutes(5) {
            feed(st, &base_rounds, t, k);
            t += Duration::minutes(1);
            k += 1;
        }
        while t <= end {
            feed(st, &base_rounds, t, k);
            t += Duration::seconds(1);
            k += 1;
        }
    }
    let history = live() - before;
    let series: usize = states.iter().map(|s| s.series.rings().count()).sum();
    let rings: usize = states.iter().map(|s| s.series.heap_bytes()).sum();

    let before = live();
    let mut term = Terminal::new(WireBackend::fixed(std::io::sink(), 160, 48)).expect("terminal");
    rt.block_on(async {
        for st in &mut states {
            for tab in st.tabs() {
                st.tab = tab;
                term.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
            }
            st.tab = opsdeck::state::Tab::Overview;
            term.draw(|f| opsdeck::ui::draw(f, st)).unwrap();
        }
        // Let the workers start and park, as in the console.
        tokio::task::yield_now().await;
    });
    let frames = live() - before;

    println!("contexts at fleet size        {contexts}");
    println!("State, fleet model data       {}", kib(model));
    println!(
        "24 h of rounds folded         {}  ({series} series; rings {})",
        kib(history),
        kib(rings as isize)
    );
    println!("terminal 160x48, every tab    {}", kib(frames));
    println!("live heap                     {}", kib(live() - base));
    println!(
        "peak live heap                {}",
        kib(counting_alloc::peak() - base)
    );
    println!(
        "VmRSS {}   VmHWM {}   RssAnon {}   RssFile {}",
        status("VmRSS:"),
        status("VmHWM:"),
        status("RssAnon:"),
        status("RssFile:")
    );
    for (kind, kb) in smaps_split() {
        println!("  {kind:<42} {kb:>7} KiB");
    }
    drop(states);
}
