//! The running collectors of the current context, and switching to another context (`:ctx NAME`).
//!
//! A switch aborts the old context's collector tasks and reads from a new channel: samples the
//! old tasks had already queued go away with the old receiver, so nothing from the previous
//! context can land on screen after the switch. Building collectors makes no network call
//! (clients connect lazily in their own tasks), so the main loop can switch without waiting on
//! the network.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::app::backends::Backends;
use crate::config::{Config, Resolved};
use crate::keymap::Action;
use crate::services::{BoxCollector, Sample, spawn_all_paced};
use crate::sim::SimOptions;
use crate::state::{PaletteEntry, State};

/// Queue depth between collector tasks and the main loop.
const CHANNEL: usize = 256;

pub struct Live {
    /// The collection interval the operator chose with `+`/`-` (None: each source's own).
    pace: tokio::sync::watch::Sender<Option<std::time::Duration>>,
    tasks: Vec<JoinHandle<()>>,
    /// Kept to add a collector to the running set (`:logs GROUP`).
    tx: Option<mpsc::Sender<Sample>>,
    /// The follower started by the latest `:logs GROUP`, replaced by the next one.
    extra_logs: Option<JoinHandle<()>>,
    rx: mpsc::Receiver<Sample>,
    /// Bumped at every (re)start: which set of collectors is running.
    generation: u64,
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

impl Live {
    /// Nothing running yet.
    pub fn new() -> Self {
        let (_tx, rx) = mpsc::channel(1);
        Live {
            pace: tokio::sync::watch::channel(None).0,
            tasks: Vec::new(),
            tx: None,
            extra_logs: None,
            rx,
            generation: 0,
        }
    }

    /// Stop whatever runs and run `collectors`, reading from a fresh channel.
    pub fn start(&mut self, collectors: Vec<BoxCollector>) {
        self.stop();
        let (tx, rx) = mpsc::channel(CHANNEL);
        self.tasks = spawn_all_paced(collectors, tx.clone(), self.pace.subscribe());
        self.tx = Some(tx);
        self.rx = rx;
        self.generation += 1;
    }

    /// Abort every collector task; queued samples are dropped with the channel.
    pub fn stop(&mut self) {
        for t in self.tasks.drain(..).chain(self.extra_logs.take()) {
            t.abort();
        }
        self.tx = None;
        let (_tx, rx) = mpsc::channel(1);
        self.rx = rx;
    }

    /// Run a logs follower beside the current collectors, replacing the previous one started
    /// this way. False when nothing runs (no channel to send on).
    pub fn set_extra_logs(&mut self, collector: BoxCollector) -> bool {
        let Some(tx) = self.tx.clone() else {
            return false;
        };
        if let Some(t) = self.extra_logs.take() {
            t.abort();
        }
        self.extra_logs = spawn_all_paced(vec![collector], tx, self.pace.subscribe()).pop();
        true
    }

    /// Ask every running (and later) collector for this interval, within its bounds.
    pub fn set_pace(&self, pace: Option<std::time::Duration>) {
        self.pace.send_replace(pace);
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn running(&self) -> usize {
        self.tasks.iter().filter(|t| !t.is_finished()).count()
    }

    /// The next sample of the current collectors (pending forever when none run).
    pub async fn recv(&mut self) -> Option<Sample> {
        if self.tasks.is_empty() {
            return std::future::pending().await;
        }
        self.rx.recv().await
    }

    pub fn try_recv(&mut self) -> Option<Sample> {
        self.rx.try_recv().ok()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The console's follower of the context's `[logs]` groups (none in the demo or without
/// groups); sizes the logs panel's scroll-back from the config.
pub fn logs_collector(resolved: &Resolved, state: &mut State) -> Option<BoxCollector> {
    if resolved.demo() {
        return None;
    }
    let l = resolved
        .context()
        .logs
        .as_ref()
        .filter(|l| !l.groups.is_empty())?;
    let aws = crate::services::aws::AwsContext::new(resolved.context());
    state.logs = crate::state::logs::LogsView::new(
        l.max_lines
            .unwrap_or(crate::services::logs::collector::DEFAULT_MAX_LINES),
    );
    Some(crate::services::logs::collector::collector(
        l, &l.groups, &aws,
    ))
}

/// Build and run the collectors of `resolved`'s context (over a new simulated world in demo
/// mode), declaring each source to the state. Returns the backends they run on, which the
/// context's operations must be handed (in the demo, the world its panels show).
pub async fn start(
    resolved: &Resolved,
    sim: &SimOptions,
    state: &mut State,
    live: &mut Live,
) -> Backends {
    let backends = Backends::for_resolved(resolved, sim);
    let mut collectors = backends.collectors(resolved).await;
    collectors.extend(logs_collector(resolved, state));
    for c in &collectors {
        state.register_source(c.kind(), c.interval());
        state.register_bounds(&c.kind(), c.min_interval(), c.max_interval());
    }
    live.start(collectors);
    backends
}

/// Switch the console to context `name`: stop the old collectors, forget the old context's
/// data, start the new context's collectors, and make `resolved` name the new context so that
/// operations started from now on plan, confirm and audit in it. Returns the new context's
/// backends, for those operations.
pub async fn switch_context(
    name: &str,
    resolved: &mut Resolved,
    sim: &SimOptions,
    state: &mut State,
    live: &mut Live,
) -> Result<Backends, String> {
    let Some(ctx) = resolved.config.contexts.get(name) else {
        return Err(format!(
            "no context {name:?}; known: {}",
            context_names(&resolved.config).join(", ")
        ));
    };
    if name == resolved.context_name {
        // Nothing to do; restarting would also detach a demo's operations from its world.
        return Err(format!("already in context {name}"));
    }
    let colour = ctx.colour.clone();
    live.stop();
    resolved.context_name = name.to_string();
    state.switch_context(name, colour, resolved.ops_read_only());
    let backends = start(resolved, sim, state, live).await;
    add_context_entries(state, &resolved.config);
    // Operations on offer are the new context's.
    state
        .palette
        .retain(|e| !matches!(e.action, Action::StartOp(_)));
    crate::app::console::install(state, resolved, &backends);
    state.set_flash(format!("context {name}"));
    Ok(backends)
}

pub fn context_names(config: &Config) -> Vec<String> {
    config.contexts.keys().cloned().collect()
}

/// `ctx NAME` palette entries, one per configured context other than the current one.
pub fn add_context_entries(state: &mut State, config: &Config) {
    state
        .palette
        .retain(|e| !matches!(e.action, Action::SwitchContext(_)));
    let names = context_names(config);
    if names.len() > 1 {
        state.palette.push(
            PaletteEntry::new("ctx all", Action::SwitchContext("all".into()))
                .with_hint("every context on one overview"),
        );
    }
    for name in names {
        if name == state.context {
            continue;
        }
        let hint = config
            .contexts
            .get(&name)
            .and_then(|c| c.region.clone())
            .unwrap_or_default();
        state.palette.push(
            PaletteEntry::new(format!("ctx {name}"), Action::SwitchContext(name)).with_hint(hint),
        );
    }
}

/// `:logs GROUP [stream=P] [from=MS] [to=MS]`: follow GROUP (with the context's logs settings,
/// or the defaults) beside what runs, and show the logs panel.
pub fn open_logs(
    words: &str,
    resolved: &Resolved,
    state: &mut State,
    live: &mut Live,
) -> Result<(), String> {
    let target = crate::services::logs::LogsTarget::parse(words)?;
    if resolved.demo() {
        return Err(format!(
            "{}: the demo has no CloudWatch Logs; use a config with AWS credentials",
            target.group
        ));
    }
    let ctx = resolved.context();
    let cfg = ctx.logs.clone().unwrap_or_default();
    let aws = crate::services::aws::AwsContext::new(ctx);
    let c =
        crate::services::logs::collector::collector_for(&cfg, std::slice::from_ref(&target), &aws);
    state.register_source(c.kind(), c.interval());
    if !live.set_extra_logs(c) {
        return Err("no collectors are running".into());
    }
    state.apply_action(Action::Panel("logs".into()));
    state.set_flash(format!("following {}", target.group));
    Ok(())
}
