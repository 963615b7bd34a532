//! The table each panel shows, as data: one row per item with its identifier (what `y` copies
//! and `enter` opens), the text `/` filters on and a sort key per column. Sorting and filtering
//! happen here, on the panel's view state, so they survive refreshes and the drawing code only
//! asks for the order. Names are fitted to their column by [`super::names::fit_names`].

use std::cmp::Ordering;

use super::State;
use crate::panels::PanelDef;

/// What a column sorts by.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Text(String),
    /// None sorts after every number (no data is never "the smallest").
    Num(Option<f64>),
}

impl Key {
    /// The order of two keys of one column.
    pub fn order(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Num(a), Key::Num(b)) => match (a, b) {
                (Some(a), Some(b)) => a.total_cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            (Key::Text(a), Key::Text(b)) => natural_cmp(a, b),
            (Key::Num(_), Key::Text(_)) => Ordering::Less,
            (Key::Text(_), Key::Num(_)) => Ordering::Greater,
        }
    }
}

/// Text order where digit runs compare as numbers: "shard-2" before "shard-10".
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let take = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut n = String::new();
                    while let Some(c) = it.peek().filter(|c| c.is_ascii_digit()) {
                        n.push(*c);
                        it.next();
                    }
                    n.trim_start_matches('0').to_string()
                };
                let (na, nb) = (take(&mut a), take(&mut b));
                let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(&nb));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(x), Some(y)) => {
                let o = x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
                if o != Ordering::Equal {
                    return o;
                }
                a.next();
                b.next();
            }
        }
    }
}

/// One row of a panel's table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// Index of the item in the panel's data (replicas, nodes, buckets, ...).
    pub index: usize,
    /// What `y` copies and the detail view is keyed by: endpoint, index, bucket, run id.
    pub id: String,
    /// What `/` matches (case-insensitive substring).
    pub text: String,
    /// One sort key per column of [`Table::columns`].
    pub keys: Vec<Key>,
    /// Cell text per column, for `:export` and `snapshot --format csv`.
    pub cells: Vec<String>,
}

/// A panel's table: its name (as `--table NAME` takes it), columns and rows in data order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<TableRow>,
}

fn num(v: Option<f64>) -> (Key, String) {
    (Key::Num(v), v.map_or(String::new(), |x| format!("{x}")))
}
fn text(s: &str) -> (Key, String) {
    (Key::Text(s.to_string()), s.to_string())
}

fn row(index: usize, id: &str, filter: String, cols: Vec<(Key, String)>) -> TableRow {
    let (keys, cells) = cols.into_iter().unzip();
    TableRow {
        index,
        id: id.to_string(),
        text: filter,
        keys,
        cells,
    }
}

/// A panel table's column names and its rows in data order.
pub type Rows = (Vec<&'static str>, Vec<TableRow>);

/// How many rows a kind's table has, without formatting any (None: no data or no table): the
/// registry's `len`, so an unfiltered, unsorted table's order costs nothing per frame.
pub(super) fn aurora_len(st: &State, _def: &PanelDef) -> Option<usize> {
    Some(st.data.aurora.as_ref()?.replicas.len())
}
pub(super) fn redis_len(st: &State, _def: &PanelDef) -> Option<usize> {
    Some(st.data.redis.as_ref()?.nodes.len())
}
pub(super) fn s3_len(st: &State, _def: &PanelDef) -> Option<usize> {
    Some(st.data.s3.as_ref()?.buckets.len())
}
pub(super) fn opensearch_len(st: &State, _def: &PanelDef) -> Option<usize> {
    Some(st.data.opensearch.as_ref()?.indices.len())
}
pub(super) fn redshift_len(st: &State, _def: &PanelDef) -> Option<usize> {
    Some(st.data.redshift.as_ref()?.runs.len())
}
pub(super) fn cloudwatch_len(st: &State, def: &PanelDef) -> Option<usize> {
    Some(st.data.cloudwatch.as_ref()?.get(&def.id)?.len())
}
pub(super) fn logs_len(_st: &State, _def: &PanelDef) -> Option<usize> {
    None
}

/// The Logs panel has no table.
pub(super) fn logs_rows(_st: &State, _def: &PanelDef) -> Option<Rows> {
    None
}

/// The Aurora panel's table: columns and rows.
pub(super) fn aurora_rows(st: &State, _def: &PanelDef) -> Option<Rows> {
    let d = &st.data;
    Some({
        let a = d.aurora.as_ref()?;
        let rows = a.replicas.iter().enumerate().map(|(i, r)| {
            let filter = format!("{} {:?} {:?}", r.name, r.state, r.lag_source);
            let state = format!("{:?}", r.state).to_lowercase();
            let source = format!("{:?}", r.lag_source).to_lowercase();
            row(
                i,
                &r.name,
                filter,
                vec![
                    text(&r.name),
                    text(&state),
                    num(r.lag_seconds),
                    text(&source),
                ],
            )
        });
        (vec!["replica", "state", "lag", "source"], rows.collect())
    })
}

/// The Redis panel's table: columns and rows.
pub(super) fn redis_rows(st: &State, _def: &PanelDef) -> Option<Rows> {
    let d = &st.data;
    Some({
        let r = d.redis.as_ref()?;
        let rows = r.nodes.iter().enumerate().map(|(i, n)| {
            let shard = n.shard.as_deref().unwrap_or("");
            let filter = format!("{} {} {}", n.addr, n.role, shard);
            let mem = crate::state::findings::node_memory_pct(n);
            row(
                i,
                &n.addr,
                filter,
                vec![
                    text(&n.addr),
                    text(&n.role),
                    text(shard),
                    num(n.hit_ratio),
                    num(Some(n.ops_per_sec)),
                    // sorted by percent of maxmemory (else bytes), exported as a 0-1 ratio
                    (
                        Key::Num(mem.or(Some(n.used_memory_bytes as f64))),
                        mem.map_or(String::new(), |p| format!("{}", p / 100.0)),
                    ),
                    num(Some(n.evictions_per_sec)),
                    num(Some(n.connected_clients as f64)),
                    num(n.repl_offset_lag.map(|b| b as f64)),
                ],
            )
        });
        (
            vec![
                "node", "role", "shard", "hit", "ops/s", "memory", "evict/s", "clients", "repl lag",
            ],
            rows.collect(),
        )
    })
}

/// The S3 panel's table: columns and rows.
pub(super) fn s3_rows(st: &State, _def: &PanelDef) -> Option<Rows> {
    let d = &st.data;
    Some({
        let s = d.s3.as_ref()?;
        let rows = s.buckets.iter().enumerate().map(|(i, b)| {
            row(
                i,
                &b.name,
                b.name.clone(),
                vec![
                    text(&b.name),
                    num(Some(b.total_bytes as f64)),
                    num(Some(b.objects as f64)),
                    num(Some(b.monthly_cost_usd)),
                    num(Some(b.lifecycle_rules.len() as f64)),
                ],
            )
        });
        (
            vec!["bucket", "bytes", "objects", "$/month", "rules"],
            rows.collect(),
        )
    })
}

/// The OpenSearch panel's table: columns and rows.
pub(super) fn opensearch_rows(st: &State, _def: &PanelDef) -> Option<Rows> {
    let d = &st.data;
    Some({
        let o = d.opensearch.as_ref()?;
        let rows = o.indices.iter().enumerate().map(|(i, x)| {
            let filter = format!("{} {}", x.name, x.aliases.join(" "));
            row(
                i,
                &x.name,
                filter,
                vec![
                    text(&x.name),
                    text(x.state.as_str()),
                    num(x.docs.map(|d| d as f64)),
                    num(x.size_bytes.map(|b| b as f64)),
                    text(&x.aliases.join(",")),
                ],
            )
        });
        (
            vec!["index", "state", "docs", "size", "aliases"],
            rows.collect(),
        )
    })
}

/// The Redshift panel's table: columns and rows.
pub(super) fn redshift_rows(st: &State, _def: &PanelDef) -> Option<Rows> {
    let d = &st.data;
    Some({
        let r = d.redshift.as_ref()?;
        let rows = r.runs.iter().enumerate().map(|(i, x)| {
            let filter = format!(
                "{} {} {}",
                x.table,
                x.status,
                x.error.as_deref().unwrap_or("")
            );
            let start = x
                .started_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default();
            row(
                i,
                &x.id,
                filter,
                vec![
                    text(&x.status),
                    text(&x.table),
                    (Key::Num(x.started_at.map(|t| t.timestamp() as f64)), start),
                    num(x.duration_seconds),
                    num(x.rows.map(|n| n as f64)),
                    text(x.error.as_deref().unwrap_or("")),
                ],
            )
        });
        (
            vec!["status", "table", "start", "took", "rows", "error"],
            rows.collect(),
        )
    })
}

/// A panel's unit for a percentage: CloudWatch's `Percent`, or `%` as panels/*.toml write it.
fn is_percent(unit: &str) -> bool {
    unit == "Percent" || unit == "%"
}

/// A CloudWatch value as exported: a percentage divided by 100 (ratios are 0-1 everywhere).
fn export_value(v: Option<f64>, unit: &str) -> String {
    match v {
        Some(x) if is_percent(unit) => format!("{}", x / 100.0),
        v => v.map_or(String::new(), |x| format!("{x}")),
    }
}

/// The unit exported beside [`export_value`]: a percentage becomes `Ratio`.
fn export_unit(unit: &str) -> &str {
    if is_percent(unit) { "Ratio" } else { unit }
}

/// The CloudWatch panel's table: columns and rows.
pub(super) fn cloudwatch_rows(st: &State, def: &PanelDef) -> Option<Rows> {
    let d = &st.data;
    let panel_id = def.id.as_str();
    Some({
        let figs = d.cloudwatch.as_ref()?.get(panel_id)?;
        let rows = figs.iter().enumerate().map(|(i, f)| {
            let id = format!("{panel_id}/{}", f.label);
            row(
                i,
                &id,
                f.label.clone(),
                vec![
                    text(&f.label),
                    // exported as a 0-1 ratio when CloudWatch gives a percentage, as every
                    // ratio is (state::export_schema); sorted by the value as shown
                    (Key::Num(f.value), export_value(f.value, &f.unit)),
                    (Key::Text(f.unit.clone()), export_unit(&f.unit).to_string()),
                    num(f.period_seconds.map(f64::from)),
                ],
            )
        });
        (vec!["metric", "value", "unit", "period"], rows.collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_inside_names_sort_as_numbers() {
        let mut v = vec!["shard-10", "shard-2", "shard-1"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["shard-1", "shard-2", "shard-10"]);
    }

    #[test]
    fn missing_figures_sort_after_every_number_ascending() {
        assert_eq!(
            Key::Num(None).order(&Key::Num(Some(1.0))),
            Ordering::Greater
        );
        assert_eq!(
            Key::Num(Some(0.5)).order(&Key::Num(Some(1.0))),
            Ordering::Less
        );
    }
}
