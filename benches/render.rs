//! Frame cost: the full overview at 160x48 on a TestBackend (target: median <= 0.3 ms), each
//! panel, and each headline panel at fleet size (1,000 indices, 30 Redis nodes, 200 buckets,
//! 15 replicas; target <= 1 ms). Run: `cargo bench --bench render`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::state::{Tab, fixture};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(c: &mut Criterion) {
    let mut st = fixture::state();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("overview 160x48", |b| {
        b.iter(|| {
            term.draw(|f| opsdeck::ui::draw(f, black_box(&st))).unwrap();
        })
    });
    let mut small = Terminal::new(TestBackend::new(80, 24)).unwrap();
    c.bench_function("overview 80x24", |b| {
        b.iter(|| {
            small
                .draw(|f| opsdeck::ui::draw(f, black_box(&st)))
                .unwrap();
        })
    });
    for tab in st.tabs().into_iter().skip(1) {
        let Tab::Panel(id) = &tab else { continue };
        let name = format!("panel {id} 160x48");
        st.tab = tab.clone();
        c.bench_function(&name, |b| {
            b.iter(|| {
                term.draw(|f| opsdeck::ui::draw(f, black_box(&st))).unwrap();
            })
        });
    }
    st.tab = Tab::Overview;
    c.bench_function("findings", |b| b.iter(|| black_box(&st).findings()));

    let mut fleet = fleet_state();
    c.bench_function("overview fleet-size 160x48", |b| {
        b.iter(|| {
            term.draw(|f| opsdeck::ui::draw(f, black_box(&fleet)))
                .unwrap();
        })
    });
    for id in ["aurora", "redis", "s3", "opensearch"] {
        fleet.tab = Tab::Panel(id.into());
        c.bench_function(&format!("panel {id} fleet-size 160x48"), |b| {
            b.iter(|| {
                term.draw(|f| opsdeck::ui::draw(f, black_box(&fleet)))
                    .unwrap();
            })
        });
    }
}

/// The fixture grown to a large estate: 15 Aurora replicas, 30 Redis nodes, 200 S3 buckets,
/// 1,000 OpenSearch indices (copies of the fixture's rows under new names).
fn fleet_state() -> opsdeck::state::State {
    let mut st = fixture::state();
    let d = &mut st.data;
    if let Some(a) = d.aurora.as_mut() {
        let base = a.replicas.clone();
        a.replicas = (0..15)
            .map(|i| {
                let mut r = base[i % base.len()].clone();
                r.name = format!("catalog-{}", i + 2);
                r
            })
            .collect();
    }
    if let Some(r) = d.redis.as_mut() {
        let base = r.nodes.clone();
        r.nodes = (0..30)
            .map(|i| {
                let mut n = base[i % base.len()].clone();
                n.addr = format!("10.0.{}.{}:6379", i / 6, i % 6 + 10);
                n
            })
            .collect();
    }
    if let Some(s) = d.s3.as_mut() {
        let base = s.buckets.clone();
        s.buckets = (0..200)
            .map(|i| {
                let mut b = base[i % base.len()].clone();
                b.name = format!("streamshop-bucket-{i:03}");
                b
            })
            .collect();
    }
    if let Some(o) = d.opensearch.as_mut() {
        let base = o.indices.clone();
        o.indices = (0..1000)
            .map(|i| {
                let mut x = base[i % base.len()].clone();
                x.name = format!("logs-2026.{:02}.{:02}-{i:04}", i % 12 + 1, i % 28 + 1);
                x.aliases.clear();
                x
            })
            .collect();
    }
    st
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = render
}
criterion_main!(benches);
