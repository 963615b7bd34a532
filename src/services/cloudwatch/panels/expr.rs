//! Metric-math text and ListMetrics answers for generic panels: the query ids an expression
//! uses, renaming them per instance (one panel expression sent once per table), and choosing one
//! dimension set per `dimension_all` value.

use std::collections::{BTreeMap, HashMap};

use super::Dims;

/// From ListMetrics' dimension sets, one per dimension_all value: sets that hold every fixed
/// dimension; of several for one value, the one with fewest dimensions (a table's own metric
/// rather than one of its global secondary indexes). Sorted by value.
pub(super) fn pick_instances(
    listed: Vec<Dims>,
    all: &str,
    fixed: &Dims,
) -> Vec<(Option<String>, Dims)> {
    let mut best: BTreeMap<String, Dims> = BTreeMap::new();
    for mut dims in listed {
        let Some(v) = dims.iter().find(|(k, _)| k == all).map(|(_, v)| v.clone()) else {
            continue;
        };
        if !fixed.iter().all(|f| dims.contains(f)) {
            continue;
        }
        dims.sort();
        match best.get(&v) {
            Some(b) if b.len() <= dims.len() => {}
            _ => {
                best.insert(v, dims);
            }
        }
    }
    best.into_iter().map(|(k, d)| (Some(k), d)).collect()
}

/// Query ids an expression refers to: identifiers starting with a lowercase letter (metric-math
/// functions are upper case).
pub fn expression_ids(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (tok, is_id) in tokens(expr) {
        if is_id && !out.iter().any(|o| o == tok) {
            out.push(tok.to_string());
        }
    }
    out
}

/// The expression with its ids replaced (so one panel expression can be sent once per table).
pub(super) fn rename_ids(expr: &str, rename: &HashMap<String, String>) -> String {
    tokens(expr)
        .into_iter()
        .map(|(t, is_id)| match rename.get(t) {
            Some(r) if is_id => r.as_str(),
            _ => t,
        })
        .collect()
}

/// Split into identifier tokens (true when it is a query id) and everything else.
fn tokens(expr: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_alphabetic() || b[i] == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((&expr[start..i], b[start].is_ascii_lowercase()));
        } else if b[i].is_ascii_digit() || b[i] == b'.' {
            // A number, exponent included ("1e3"), is never an id.
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push((&expr[start..i], false));
        } else {
            let ch = expr[i..].chars().next().map_or(1, char::len_utf8);
            i += ch;
            out.push((&expr[start..i], false));
        }
    }
    out
}
