//! What a PUT of the desired document changes. S3 replaces the whole configuration, so a rule
//! missing from the new document is deleted: removals are listed as explicitly as additions.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

pub use crate::services::s3::lifecycle_doc::flatten;
use crate::services::s3::lifecycle_doc::{LifecycleConfiguration, Rule};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// AWS spelling inside the rule: `Transitions[0].Days`.
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RuleChange {
    Added {
        id: String,
        rule: Rule,
    },
    Removed {
        id: String,
        rule: Rule,
    },
    Changed {
        id: String,
        fields: Vec<FieldChange>,
    },
    Unchanged {
        id: String,
    },
}

impl RuleChange {
    pub fn id(&self) -> &str {
        match self {
            RuleChange::Added { id, .. }
            | RuleChange::Removed { id, .. }
            | RuleChange::Changed { id, .. }
            | RuleChange::Unchanged { id } => id,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diff {
    pub changes: Vec<RuleChange>,
}

impl Diff {
    pub fn removed(&self) -> impl Iterator<Item = &str> {
        self.changes.iter().filter_map(|c| match c {
            RuleChange::Removed { id, .. } => Some(id.as_str()),
            _ => None,
        })
    }
    pub fn is_noop(&self) -> bool {
        self.changes
            .iter()
            .all(|c| matches!(c, RuleChange::Unchanged { .. }))
    }
    pub fn count(&self, kind: fn(&RuleChange) -> bool) -> usize {
        self.changes.iter().filter(|c| kind(c)).count()
    }
}

/// Rules are matched by ID (S3 assigns one to every stored rule; ID-less rules in the new
/// document are matched by position label `#N`, so they show as added).
pub fn diff(current: &LifecycleConfiguration, desired: &LifecycleConfiguration) -> Diff {
    let key = |i: usize, r: &Rule| r.label(i);
    let cur: BTreeMap<String, &Rule> = current
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (key(i, r), r))
        .collect();
    let mut changes = Vec::new();
    let mut matched = std::collections::BTreeSet::new();
    for (i, rule) in desired.rules.iter().enumerate() {
        let id = key(i, rule);
        match cur.get(&id) {
            None => changes.push(RuleChange::Added {
                id,
                rule: rule.clone(),
            }),
            Some(old) => {
                matched.insert(id.clone());
                let fields = field_changes(old, rule);
                if fields.is_empty() {
                    changes.push(RuleChange::Unchanged { id });
                } else {
                    changes.push(RuleChange::Changed { id, fields });
                }
            }
        }
    }
    for (i, rule) in current.rules.iter().enumerate() {
        let id = key(i, rule);
        if !matched.contains(&id) {
            changes.push(RuleChange::Removed {
                id,
                rule: rule.clone(),
            });
        }
    }
    Diff { changes }
}

fn field_changes(old: &Rule, new: &Rule) -> Vec<FieldChange> {
    let a = flatten(&serde_json::to_value(old).unwrap_or(Value::Null));
    let b = flatten(&serde_json::to_value(new).unwrap_or(Value::Null));
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            before: a.get(k).cloned(),
            after: b.get(k).cloned(),
        })
        .collect()
}

fn short(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(v) => v.to_string(),
    }
}

/// One-line summary of a rule for plans and the overview, its status in brackets:
/// `prefix "media/" [Enabled] STANDARD_IA@30d, ...`.
pub fn summarize(rule: &Rule) -> String {
    let (scope, actions) = scope_and_actions(rule);
    format!("{scope} [{}] {actions}", rule.status.as_str())
}

/// What a rule does to which objects, without its status (for a table whose own column gives
/// the status): `prefix "media/" STANDARD_IA@30d, ...`.
pub fn summarize_actions(rule: &Rule) -> String {
    let (scope, actions) = scope_and_actions(rule);
    format!("{scope} {actions}")
}

/// (scope, actions): `prefix "media/"`, `STANDARD_IA@30d, expire@365d`.
fn scope_and_actions(rule: &Rule) -> (String, String) {
    let mut parts = Vec::new();
    let scope = if rule.whole_bucket() {
        "whole bucket".to_string()
    } else {
        match rule.effective_prefix() {
            Some(p) if !p.is_empty() => format!("prefix {p:?}"),
            _ => "filtered".into(),
        }
    };
    for t in &rule.transitions {
        match (t.days, &t.date) {
            (Some(d), _) => parts.push(format!("{}@{d}d", t.storage_class)),
            (_, Some(d)) => parts.push(format!("{}@{d}", t.storage_class)),
            _ => parts.push(t.storage_class.clone()),
        }
    }
    if let Some(e) = &rule.expiration {
        if let Some(d) = e.days {
            parts.push(format!("expire@{d}d"));
        } else if let Some(d) = &e.date {
            parts.push(format!("expire@{d}"));
        } else if e.expired_object_delete_marker == Some(true) {
            parts.push("expire delete markers".into());
        }
    }
    if !rule.noncurrent_version_transitions.is_empty()
        || rule.noncurrent_version_expiration.is_some()
    {
        parts.push("noncurrent versions".into());
    }
    if let Some(a) = &rule.abort_incomplete_multipart_upload
        && let Some(d) = a.days_after_initiation
    {
        parts.push(format!("abort uploads@{d}d"));
    }
    (scope, parts.join(", "))
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "  (no rules before or after)");
        }
        for c in &self.changes {
            match c {
                RuleChange::Added { id, rule } => {
                    writeln!(f, "  + rule {id:?} added: {}", summarize(rule))?
                }
                RuleChange::Removed { id, rule } => writeln!(
                    f,
                    "  - rule {id:?} REMOVED (not in the new document; the PUT deletes it): {}",
                    summarize(rule)
                )?,
                RuleChange::Unchanged { id } => writeln!(f, "  = rule {id:?} unchanged")?,
                RuleChange::Changed { id, fields } => {
                    writeln!(f, "  ~ rule {id:?} changed:")?;
                    for fc in fields {
                        writeln!(
                            f,
                            "      {}: {} -> {}",
                            fc.field,
                            short(&fc.before),
                            short(&fc.after)
                        )?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::s3::lifecycle_doc::parse;

    #[test]
    fn added_changed_removed_and_unchanged_are_told_apart() {
        let cur = parse(
            r#"{"Rules":[
            {"ID":"keep","Status":"Enabled","Filter":{},"Expiration":{"Days":400}},
            {"ID":"edit","Status":"Enabled","Filter":{"Prefix":"a/"},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]},
            {"ID":"gone","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}"#,
            "c",
        )
        .unwrap();
        let new = parse(
            r#"{"Rules":[
            {"ID":"keep","Status":"Enabled","Filter":{},"Expiration":{"Days":400}},
            {"ID":"edit","Status":"Disabled","Filter":{"Prefix":"a/"},"Transitions":[{"Days":60,"StorageClass":"STANDARD_IA"}]},
            {"ID":"new","Status":"Enabled","Filter":{},"Expiration":{"Days":9}}]}"#,
            "n",
        )
        .unwrap();
        let d = diff(&cur, &new);
        assert_eq!(d.removed().collect::<Vec<_>>(), vec!["gone"]);
        let text = d.to_string();
        assert!(text.contains("= rule \"keep\" unchanged"), "{text}");
        assert!(text.contains("Transitions[0].Days: 30 -> 60"), "{text}");
        assert!(
            text.contains("Status: \"Enabled\" -> \"Disabled\""),
            "{text}"
        );
        assert!(text.contains("+ rule \"new\" added"), "{text}");
        assert!(text.contains("- rule \"gone\" REMOVED"), "{text}");
        assert!(!d.is_noop());
        assert!(diff(&cur, &cur).is_noop());
    }
}
