//! Fleet figures (docs/PERFORMANCE.md): 3 contexts x (15 replicas, 30 Redis nodes, 1,000
//! indices, 200 buckets). One console frame with the fleet block at 160x48, and one `/metrics`
//! scrape of `opsdeck serve` (families built from the store and encoded as OpenMetrics text).
//! Run: `cargo bench --bench fleet`.

use std::hint::black_box;
use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::model::service::PanelKind;
use opsdeck::model::*;
use opsdeck::serve::{export, store::Store};
use opsdeck::services::{Sample, SourceKind, Update};
use opsdeck::state::{State, fixture};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CONTEXTS: usize = 3;
const REPLICAS: usize = 15;
const NODES: usize = 30;
const INDICES: usize = 1_000;
const BUCKETS: usize = 200;

fn aurora() -> AuroraStatus {
    let mut a = fixture::aurora();
    let r = a.replicas[0].clone();
    a.replicas = (0..REPLICAS)
        .map(|i| ReplicaStatus {
            name: format!("catalog-{i}"),
            ..r.clone()
        })
        .collect();
    a
}

fn redis() -> RedisStatus {
    let mut s = fixture::redis();
    let n = s.nodes[0].clone();
    s.nodes = (0..NODES)
        .map(|i| RedisNode {
            addr: format!("10.0.{}.{}:6379", i / 250, i % 250),
            shard: Some(format!("shard-{}", i / 2)),
            ..n.clone()
        })
        .collect();
    s
}

fn opensearch() -> OpenSearchStatus {
    let mut o = fixture::opensearch();
    let idx = o.indices[0].clone();
    o.indices = (0..INDICES)
        .map(|i| IndexStatus {
            name: format!("logs-{i:04}"),
            aliases: if i % 100 == 0 {
                vec![format!("alias-{i}")]
            } else {
                Vec::new()
            },
            ..idx.clone()
        })
        .collect();
    o
}

fn s3() -> S3Status {
    let mut s = fixture::s3();
    let b = s.buckets[0].clone();
    s.buckets = (0..BUCKETS)
        .map(|i| BucketStatus {
            name: format!("bucket-{i:03}"),
            ..b.clone()
        })
        .collect();
    s
}

fn fleet_state() -> State {
    let member = |name: &str| {
        let mut st = fixture::state();
        st.context = name.to_string();
        st.data.aurora = Some(aurora());
        st.data.redis = Some(redis());
        st.data.opensearch = Some(opensearch());
        st.data.s3 = Some(s3());
        st
    };
    let mut st = member("prod-us-east-1");
    for i in 1..CONTEXTS {
        st.fleet.push(member(&format!("prod-{i}")));
    }
    st
}

fn fleet_store() -> Store {
    let mut s = Store::default();
    let now = Utc::now();
    for c in 0..CONTEXTS {
        let ctx = format!("prod-{c}");
        for (kind, u) in [
            (
                SourceKind::Service(PanelKind::Aurora),
                Update::Aurora(aurora()),
            ),
            (
                SourceKind::Service(PanelKind::Redis),
                Update::Redis(redis()),
            ),
            (
                SourceKind::Service(PanelKind::OpenSearch),
                Update::OpenSearch(opensearch()),
            ),
            (SourceKind::Service(PanelKind::S3), Update::S3(s3())),
            (
                SourceKind::Service(PanelKind::Redshift),
                Update::Redshift(fixture::redshift()),
            ),
        ] {
            s.record(
                &ctx,
                Sample {
                    source: kind,
                    at: now,
                    result: Ok(u),
                },
                Duration::from_millis(20),
            );
        }
    }
    s
}

fn fleet(c: &mut Criterion) {
    let st = fleet_state();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("fleet overview 160x48, 3 contexts", |b| {
        b.iter(|| {
            term.draw(|f| opsdeck::ui::draw(f, black_box(&st))).unwrap();
        })
    });
    let store = std::sync::Arc::new(std::sync::Mutex::new(fleet_store()));
    let registry = export::registry(store.clone());
    let text = export::render(&registry).unwrap();
    eprintln!(
        "fleet scrape: {} bytes, {} series",
        text.len(),
        text.lines().filter(|l| !l.starts_with('#')).count()
    );
    c.bench_function("serve scrape, 3 contexts", |b| {
        b.iter(|| black_box(export::render(&registry).unwrap()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = fleet
}
criterion_main!(benches);
