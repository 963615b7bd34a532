//! The collectors of the other contexts shown at once (`--context a,b`, `:ctx all`): each
//! context's collectors run in their own tasks (own clients, credentials and region) and their
//! samples arrive on one channel tagged with the context name. Restarting drops the old channel,
//! so nothing of a context no longer shown lands on screen.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::services::{BoxCollector, Sample, spawn_all};

/// Queue depth of the tagged channel.
const CHANNEL: usize = 512;

pub struct FleetLive {
    tasks: Vec<JoinHandle<()>>,
    rx: mpsc::Receiver<(String, Sample)>,
}

impl Default for FleetLive {
    fn default() -> Self {
        Self::new()
    }
}

impl FleetLive {
    pub fn new() -> Self {
        let (_tx, rx) = mpsc::channel(1);
        FleetLive {
            tasks: Vec::new(),
            rx,
        }
    }

    /// Stop what runs, then run every context's collectors.
    pub fn start(&mut self, contexts: Vec<(String, Vec<BoxCollector>)>) {
        self.stop();
        let (tx, rx) = mpsc::channel(CHANNEL);
        for (name, collectors) in contexts {
            let (ctx_tx, mut ctx_rx) = mpsc::channel::<Sample>(64);
            self.tasks.extend(spawn_all(collectors, ctx_tx));
            let tx = tx.clone();
            self.tasks.push(tokio::spawn(async move {
                while let Some(s) = ctx_rx.recv().await {
                    if tx.send((name.clone(), s)).await.is_err() {
                        return;
                    }
                }
            }));
        }
        self.rx = rx;
    }

    pub fn stop(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
        let (_tx, rx) = mpsc::channel(1);
        self.rx = rx;
    }

    pub fn is_running(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// The next tagged sample (pending forever when nothing runs).
    pub async fn recv(&mut self) -> Option<(String, Sample)> {
        if self.tasks.is_empty() {
            return std::future::pending().await;
        }
        self.rx.recv().await
    }

    pub fn try_recv(&mut self) -> Option<(String, Sample)> {
        self.rx.try_recv().ok()
    }
}

impl Drop for FleetLive {
    fn drop(&mut self) {
        self.stop();
    }
}
