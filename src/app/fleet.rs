//! Console wiring for several contexts at once: the other contexts' States and collectors
//! ([`crate::state::fleet`], [`FleetLive`]), `:ctx a,b` / `:ctx all`, and starting an operation
//! in the context its palette entry names.

use super::backends::Backends;
use super::console as ops_console;
use super::fleet_live::FleetLive;
use super::live::{self, Live};
use crate::config::Resolved;
use crate::sim::SimOptions;
use crate::state::State;
use crate::state::fleet::parse_ctx_list;
use crate::state::modal::Modal;

/// The contexts shown besides the console's own, and their running collectors.
#[derive(Default)]
pub struct Fleet {
    pub resolved: Vec<Resolved>,
    /// Where each shown context's collectors read and its operations' admin calls go, in the
    /// order of `resolved` (a demo context's simulated world, or its servers).
    backends: Vec<Backends>,
    pub live: FleetLive,
}

impl Fleet {
    /// Show `others` besides the console's own context: a State per context (its operations
    /// offered in the palette, named with the context), collectors started. Building makes no
    /// network call, so the loop never waits here on a backend.
    pub async fn show(&mut self, others: Vec<Resolved>, sim: &SimOptions, state: &mut State) {
        self.clear(state);
        let mut running = Vec::new();
        for r in &others {
            let mut member = match super::initial_state(r) {
                Ok(s) => s,
                Err(e) => {
                    state.set_flash(format!("context {}: {e}", r.context_name));
                    continue;
                }
            };
            let backends = Backends::for_resolved(r, sim);
            let collectors = backends.collectors(r).await;
            for c in &collectors {
                member.register_source(c.kind(), c.interval());
            }
            ops_console::install(&mut member, r, &backends);
            state.fleet.push(member);
            self.backends.push(backends);
            running.push((r.context_name.clone(), collectors));
        }
        self.live.start(running);
        self.resolved = others;
        state.label_fleet_operations();
    }

    /// Back to one context.
    pub fn clear(&mut self, state: &mut State) {
        self.live.stop();
        self.resolved.clear();
        self.backends.clear();
        state.fleet.clear();
    }

    pub fn resolved_of(&self, name: &str) -> Option<&Resolved> {
        self.resolved.iter().find(|r| r.context_name == name)
    }

    /// The backends of shown context `name`: the ones its collectors read and its operations
    /// are handed. None when `name` is not shown beside the console's own.
    pub fn backends_of(&self, name: &str) -> Option<&Backends> {
        let i = self.resolved.iter().position(|r| r.context_name == name)?;
        self.backends.get(i)
    }

    /// Operation `op` (a palette spec without its `@CONTEXT` prefix) of shown context `ctx`:
    /// planned, confirmed and audited in that context, against that context's backends. Must
    /// run inside a tokio runtime. Err: the context is no longer shown, the operation is not one
    /// this console knows, or it could not be opened (its message).
    pub fn start_op(&self, ctx: &str, op: &str) -> Result<Box<dyn Modal>, String> {
        let (r, backends) = self
            .resolved
            .iter()
            .zip(&self.backends)
            .find(|(r, _)| r.context_name == ctx)
            .ok_or_else(|| format!("context {ctx} is no longer shown"))?;
        ops_console::start(r, backends, op)
            .unwrap_or_else(|| Err(format!("no operation {op:?} in context {ctx}")))
    }
}

/// `:ctx NAME`, `:ctx a,b` or `:ctx all`: the first context becomes the console's own (panels,
/// alarms, the header), the others are shown on the overview's fleet block.
pub async fn switch(
    text: &str,
    resolved: &mut Resolved,
    backends: &mut Backends,
    sim: &SimOptions,
    state: &mut State,
    live: &mut Live,
    fleet: &mut Fleet,
) -> Result<(), String> {
    let known = live::context_names(&resolved.config);
    let names = parse_ctx_list(text, &known)?;
    let first = &names[0];
    if *first != resolved.context_name {
        *backends = live::switch_context(first, resolved, sim, state, live).await?;
    } else if names.len() == 1 && fleet.resolved.is_empty() {
        return Err(format!("already in context {first}"));
    }
    let others: Vec<Resolved> = names[1..]
        .iter()
        .map(|n| Resolved {
            context_name: n.clone(),
            ..resolved.clone()
        })
        .collect();
    if others.is_empty() {
        fleet.clear(state);
        state.palette.retain(|e| !e.label.contains(" @ "));
        ops_console::install(state, resolved, backends);
    } else {
        // Entries of the previous fleet go; this context's own are labelled again.
        state.palette.retain(|e| {
            !matches!(&e.action, crate::keymap::Action::StartOp(s) if s.starts_with(crate::state::fleet::OP_CONTEXT_PREFIX))
        });
        fleet.show(others, sim, state).await;
        state.set_flash(format!("contexts {}", names.join(", ")));
    }
    Ok(())
}
