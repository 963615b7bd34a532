//! One simulated second (a world step) plus one round of every headline service's real
//! collector over the simulated wire: the cost the demo pays per 1 s tick. Also a long advance
//! (what `--speed 600` costs per wall second).

use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::sim::{Scenario, SimOptions, World};

fn opts(scenario: Scenario) -> SimOptions {
    SimOptions {
        seed: 42,
        speed: 1.0,
        scenario,
        start: Some(Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap()),
    }
}

fn bench(c: &mut Criterion) {
    for (name, scenario) in [
        ("normal", Scenario::Normal),
        ("black_friday", Scenario::BlackFriday),
    ] {
        let world = opsdeck::sim::world(&opts(scenario));
        let mut collectors = opsdeck::sim::service_collectors(&world, false);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        c.bench_function(&format!("sim_step_1s_and_collect_all/{name}"), |b| {
            b.iter(|| {
                opsdeck::sim::lock(&world).advance_by(Duration::from_secs(1));
                for c in collectors.iter_mut() {
                    std::hint::black_box(rt.block_on(c.collect()).ok());
                }
            })
        });
    }
    let mut w = World::new(&opts(Scenario::Normal));
    c.bench_function("sim_step_only_1s", |b| {
        b.iter(|| w.advance_by(Duration::from_secs(1)))
    });
    let mut w = World::new(&opts(Scenario::BlackFriday));
    c.bench_function("sim_advance_600s", |b| {
        b.iter(|| w.advance_by(Duration::from_secs(600)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
