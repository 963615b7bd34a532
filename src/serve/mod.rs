//! `opsdeck serve`: the collectors of one or more contexts run headless, and their latest
//! samples are served as OpenMetrics on `/metrics` for Prometheus to scrape (plus `/healthz`).
//!
//! Read-only by construction: this module builds collectors only; it never imports `ops`, so no
//! operation can be started from it. A scrape reads the store the collector tasks write to and
//! never waits on a backend: a dead backend shows as `opsdeck_source_up 0` with its error count
//! rising, while its last data stays exported with its age (`opsdeck_source_sample_age_seconds`).

pub mod export;
pub mod families;
pub mod figures;
pub mod http;
pub mod store;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::app::backends::Backends;
use crate::config::Resolved;
use crate::sim::SimOptions;
use store::{SharedStore, Store};

/// Default listen address: loopback, the port Prometheus' port allocation wiki lists free next
/// to the common exporters (9464 is also OpenTelemetry's Prometheus exporter default).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// A running exporter: collectors and the HTTP listener, stopped when dropped.
pub struct Server {
    /// The address actually bound (useful with port 0).
    pub addr: SocketAddr,
    pub store: SharedStore,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Start the collectors of every context in `contexts` and listen on `listen`.
///
/// Errors: the address cannot be bound (in use, not local).
pub async fn start(
    contexts: &[Resolved],
    sim: &SimOptions,
    listen: SocketAddr,
) -> std::io::Result<Server> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let store: SharedStore = Arc::new(Mutex::new(Store::default()));
    let mut tasks = Vec::new();
    for r in contexts {
        let collectors = Backends::for_resolved(r, sim).collectors(r).await;
        tasks.extend(store::spawn(&r.context_name, collectors, &store));
    }
    let registry = Arc::new(export::registry(store.clone()));
    tasks.push(tokio::spawn(http::serve(listener, registry)));
    Ok(Server { addr, store, tasks })
}

/// The subcommand: serve until interrupted (SIGINT / SIGTERM). Exit 0 on a signal, 2 when the
/// address cannot be bound.
pub async fn run(contexts: &[Resolved], sim: &SimOptions, listen: SocketAddr) -> i32 {
    // A long-running exporter at fleet size: freed collection buffers go back to the system.
    let _trim = crate::app::heap::spawn_trimmer();
    let server = match start(contexts, sim, listen).await {
        Ok(s) => s,
        Err(e) => {
            crate::say!("opsdeck serve: cannot listen on {listen}: {e}");
            return crate::exit::USAGE;
        }
    };
    let names: Vec<&str> = contexts.iter().map(|r| r.context_name.as_str()).collect();
    crate::say!(
        "opsdeck serve: http://{}/metrics (contexts: {}){}",
        server.addr,
        names.join(", "),
        if contexts.iter().any(|r| r.demo()) {
            " DEMO"
        } else {
            ""
        }
    );
    if !server.addr.ip().is_loopback() {
        crate::say!(
            "opsdeck serve: listening on a non-loopback address ({}): /metrics is readable by anyone who can reach it",
            server.addr.ip()
        );
    }
    wait_for_signal().await;
    drop(server);
    crate::exit::OK
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests;
