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

    let mut fleet = fixture::fleet::state();
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

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = render
}
criterion_main!(benches);
