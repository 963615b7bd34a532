//! Key-driven tests of name columns: rows whose names share a long prefix and suffix still
//! show the part that tells them apart.

mod common;

use common::console::{press, render};
use crossterm::event::KeyCode;
use opsdeck::state::fixture;

/// The demo's ElastiCache node endpoints (as src/sim/redis.rs names them): shard 1..=3, node
/// 1..=2, in the fixture's node order.
fn demo_endpoint(i: usize) -> String {
    format!(
        "streamshop-sessions-000{}-00{}.x7kq2m.0001.use1.cache.amazonaws.com:6379",
        i / 2 + 1,
        i % 2 + 1
    )
}

#[test]
fn redis_panel_at_80x24_shows_each_demo_nodes_shard_and_node_number() {
    let mut st = fixture::state();
    let redis = st.data.redis.as_mut().unwrap();
    for (i, n) in redis.nodes.iter_mut().enumerate() {
        n.addr = demo_endpoint(i);
    }
    press(&mut st, KeyCode::Char('3'));
    for (w, h) in [(80, 24), (120, 30)] {
        let screen = render(&st, w, h);
        for shard in 1..=3 {
            for node in 1..=2 {
                let id = format!("000{shard}-00{node}");
                assert!(screen.contains(&id), "{id} missing at {w}x{h}:\n{screen}");
            }
        }
    }
}

#[test]
fn redis_node_header_shows_the_endpoint_every_node_shares_once() {
    let mut st = fixture::state();
    for (i, n) in st.data.redis.as_mut().unwrap().nodes.iter_mut().enumerate() {
        n.addr = demo_endpoint(i);
    }
    press(&mut st, KeyCode::Char('3'));
    let screen = render(&st, 120, 30);
    // At 120 columns dropping the shared suffix is enough: rows keep the cluster name.
    assert!(screen.contains("node *.x7kq2m.0001.u"), "{screen}");
    assert!(screen.contains("streamshop-sessions-0002-001 "), "{screen}");
    assert!(!screen.contains("0002-001.x7kq2m"), "{screen}");
}
