//! Interrupted operations: op ids whose audit trail has steps started but no op-level end
//! (the console or CLI was killed). The audit says how far it got; the operation's
//! `inspect()` says what the backend itself shows now.

use std::collections::BTreeMap;

use serde_json::Value;

use super::runner::OP_STEP;
use crate::audit::{Entry, Outcome};

#[derive(Debug, Clone, PartialEq)]
pub struct Interrupted {
    pub op: String,
    pub op_id: String,
    /// Plan name / index / bucket, from the `planned` entry's details.
    pub target: String,
    pub started_at: String,
    pub user: String,
    pub host: String,
    /// Step ids that succeeded, in order (rollback and hold entries excluded).
    pub succeeded: Vec<String>,
    /// The step that started last and has no outcome (where it was cut off), if any.
    pub in_flight: Option<String>,
}

impl Interrupted {
    pub fn describe(&self) -> String {
        format!(
            "interrupted {} {} (op {}, started {} by {}@{}): steps done [{}]{}",
            self.op,
            self.target,
            &self.op_id[..self.op_id.len().min(8)],
            self.started_at,
            self.user,
            self.host,
            self.succeeded.join(", "),
            self.in_flight
                .as_deref()
                .map(|s| format!(", cut off in/before {s}"))
                .unwrap_or_default()
        )
    }
}

fn terminal(o: Outcome) -> bool {
    matches!(
        o,
        Outcome::Succeeded | Outcome::Failed | Outcome::Aborted | Outcome::Refused
    )
}

/// Every op id with a started step and no terminal op-level entry, oldest first.
pub fn find_interrupted(entries: &[Entry]) -> Vec<Interrupted> {
    let mut by_id: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for e in entries {
        if !by_id.contains_key(e.op_id.as_str()) {
            order.push(&e.op_id);
        }
        by_id.entry(&e.op_id).or_default().push(e);
    }
    let mut out = Vec::new();
    for id in order {
        let es = &by_id[id];
        let closed = es.iter().any(|e| e.step == OP_STEP && terminal(e.outcome));
        let any_started = es.iter().any(|e| e.outcome == Outcome::Started);
        if closed || !any_started {
            continue;
        }
        let first = es[0];
        let target = es
            .iter()
            .find_map(|e| match &e.details {
                Value::Object(m) => m.get("target").and_then(Value::as_str),
                _ => None,
            })
            .unwrap_or("")
            .to_string();
        let mut succeeded = Vec::new();
        let mut open: Option<String> = None;
        for e in es
            .iter()
            .filter(|e| e.step != OP_STEP && e.step != "verify")
        {
            if e.step.starts_with("rollback:") || e.step.starts_with("hold:") {
                continue;
            }
            match e.outcome {
                Outcome::Started => open = Some(e.step.clone()),
                Outcome::Succeeded => {
                    if open.as_deref() == Some(e.step.as_str()) {
                        open = None;
                    }
                    if !succeeded.contains(&e.step) {
                        succeeded.push(e.step.clone());
                    }
                }
                Outcome::Failed => open = None,
                _ => {}
            }
        }
        out.push(Interrupted {
            op: first.op.clone(),
            op_id: id.to_string(),
            target,
            started_at: first.ts.clone(),
            user: first.user.clone(),
            host: first.host.clone(),
            succeeded,
            in_flight: open,
        });
    }
    out
}
