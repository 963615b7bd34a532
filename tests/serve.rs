//! `opsdeck serve` against backends that are down or hang, with real sockets: a scrape answers
//! from what the collectors already have and never waits on a round in flight; a dead backend
//! is `opsdeck_source_up 0` with `opsdeck_source_errors_total` rising.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use opsdeck::config::{self, GlobalOpts};
use opsdeck::sim::SimOptions;

fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series))
        .and_then(|v| v.trim().parse().ok())
}

async fn serve_redis_at(url: &str, dir: &std::path::Path, ctx: &str) -> opsdeck::serve::Server {
    let path = dir.join("opsdeck.toml");
    std::fs::write(
        &path,
        format!(
            "[contexts.{ctx}.redis]\nurls = [\"{url}\"]\ntimeout = \"2s\"\ninterval = \"200ms\"\n"
        ),
    )
    .unwrap();
    let contexts = config::resolve_many(
        &GlobalOpts {
            config: Some(path),
            context: Some(ctx.into()),
            ..Default::default()
        },
        false,
    )
    .unwrap();
    opsdeck::serve::start(
        &contexts,
        &SimOptions::default(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_backend_is_down_and_its_error_count_rises() {
    opsdeck::install_crypto_provider();
    // A loopback port nobody listens on: connections are refused by the kernel.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let server = serve_redis_at(&format!("redis://127.0.0.1:{port}"), dir.path(), "dead").await;
    let up = r#"opsdeck_source_up{context="dead",service="redis"}"#;
    let errors = r#"opsdeck_source_errors_total{context="dead",service="redis"}"#;
    let deadline = Instant::now() + Duration::from_secs(20);
    let first = loop {
        let m = get(server.addr, "/metrics");
        if let Some(e) = value(&m, errors).filter(|e| *e >= 1.0) {
            assert_eq!(value(&m, up), Some(0.0), "{m}");
            break e;
        }
        assert!(Instant::now() < deadline, "no error counted: {m}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    loop {
        let m = get(server.addr, "/metrics");
        if value(&m, errors).is_some_and(|e| e > first) {
            assert_eq!(value(&m, up), Some(0.0));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "errors did not rise past {first}: {m}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_answers_while_a_hung_backend_holds_its_round() {
    opsdeck::install_crypto_provider();
    // Never accepted: the kernel completes the handshake into the backlog and nothing ever
    // answers, so the collector's round waits for its timeout.
    let hung = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hung.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let server = serve_redis_at(&format!("redis://127.0.0.1:{port}"), dir.path(), "hung").await;
    // The round is in flight (it cannot finish before the 2 s timeout), yet the scrape answers
    // with the source declared, not collected yet, and down.
    let m = get(server.addr, "/metrics");
    assert!(
        m.starts_with("HTTP/1.0 200") || m.starts_with("HTTP/1.1 200"),
        "{m}"
    );
    assert_eq!(
        value(
            &m,
            r#"opsdeck_source_collections_total{context="hung",service="redis"}"#
        ),
        Some(0.0),
        "{m}"
    );
    assert_eq!(
        value(&m, r#"opsdeck_source_up{context="hung",service="redis"}"#),
        Some(0.0),
        "{m}"
    );
    drop(server);
    drop(hung);
}
