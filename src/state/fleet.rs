//! Several contexts on one console (`opsdeck --context a,b`, `:ctx a,b`, `:ctx all`). The first
//! context named is the console's own State: its panels, detail views and alarms are the ones
//! shown below the fleet block. Every other context has a State of its own in [`State::fleet`],
//! fed by its own collectors (own credentials and region), and appears on the overview's fleet
//! block with a context column in its colour. Operations always act in exactly one context:
//! with a fleet shown, every operation entry of the palette names its context (`@ NAME`).

use super::{PaletteEntry, State};
use crate::keymap::Action;
use crate::model::source::Sample;

/// Marks an operation spec as belonging to a fleet member: `@prod-eu reindex products`.
pub const OP_CONTEXT_PREFIX: char = '@';

impl State {
    /// The member State of `context`, if it is shown besides this one.
    pub fn fleet_member(&mut self, context: &str) -> Option<&mut State> {
        self.fleet.iter_mut().find(|m| m.context == context)
    }

    /// Fold a sample of another shown context into its State. Returns whether the screen
    /// changed (false for a context no longer shown: its late samples are dropped).
    pub fn fleet_apply(&mut self, context: &str, sample: Sample) -> bool {
        let (paused, now) = (self.paused, self.now);
        match self.fleet_member(context) {
            Some(m) => {
                m.paused = paused;
                m.now = now;
                m.apply_sample(sample)
            }
            None => false,
        }
    }

    /// Every context shown, this one first.
    pub fn shown_contexts(&self) -> Vec<&State> {
        std::iter::once(self).chain(self.fleet.iter()).collect()
    }

    /// With a fleet shown, name the context of every operation entry: this State's own entries
    /// get "@ NAME" in their label; each member's entries (taken from its palette) are added
    /// with a spec prefixed `@NAME ` so the loop starts them in that context.
    pub fn label_fleet_operations(&mut self) {
        if self.fleet.is_empty() {
            return;
        }
        let own = self.context.clone();
        for e in self.palette.iter_mut() {
            if matches!(e.action, Action::StartOp(_)) && !e.label.contains(" @ ") {
                e.label = format!("{} @ {own}", e.label);
            }
        }
        let mut extra = Vec::new();
        for m in &self.fleet {
            for e in m.palette.iter() {
                if let Action::StartOp(spec) = &e.action {
                    extra.push(
                        PaletteEntry::new(
                            format!("{} @ {}", e.label, m.context),
                            Action::StartOp(format!("{OP_CONTEXT_PREFIX}{} {spec}", m.context)),
                        )
                        .with_hint(e.hint.clone()),
                    );
                }
            }
        }
        self.palette.retain(
            |e| !matches!(&e.action, Action::StartOp(s) if s.starts_with(OP_CONTEXT_PREFIX)),
        );
        self.palette.extend(extra);
    }
}

/// Split an operation spec into (context, spec): `@prod-eu reindex products` ->
/// (Some("prod-eu"), "reindex products"); a spec without the prefix is the console's own.
pub fn op_context(spec: &str) -> (Option<&str>, &str) {
    match spec.strip_prefix(OP_CONTEXT_PREFIX) {
        Some(rest) => match rest.split_once(' ') {
            Some((ctx, op)) => (Some(ctx), op),
            None => (Some(rest), ""),
        },
        None => (None, spec),
    }
}

/// The contexts named by `:ctx` text: "all" (every configured one, in name order) or a
/// comma-separated list (order kept, duplicates dropped). Errors name the unknown context.
pub fn parse_ctx_list(text: &str, known: &[String]) -> Result<Vec<String>, String> {
    let text = text.trim();
    if text == "all" {
        return Ok(known.to_vec());
    }
    let mut out: Vec<String> = Vec::new();
    for n in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !known.iter().any(|k| k == n) {
            return Err(format!("no context {n:?}; known: {}", known.join(", ")));
        }
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    if out.is_empty() {
        return Err("ctx: name one or more contexts, or all".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_spec_names_its_context_with_a_prefix() {
        assert_eq!(
            op_context("@prod-eu reindex products"),
            (Some("prod-eu"), "reindex products")
        );
        assert_eq!(op_context("cutover x"), (None, "cutover x"));
    }

    #[test]
    fn ctx_all_and_lists_resolve_against_the_known_contexts() {
        let known = vec!["eu".to_string(), "us".to_string()];
        assert_eq!(parse_ctx_list("all", &known).unwrap(), known);
        assert_eq!(
            parse_ctx_list("us, eu,us", &known).unwrap(),
            vec!["us".to_string(), "eu".to_string()]
        );
        assert!(
            parse_ctx_list("us,apac", &known)
                .unwrap_err()
                .contains("no context \"apac\"")
        );
    }
}
