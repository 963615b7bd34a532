//! A panel's table as CSV (RFC 4180) or JSON, for `:export PATH` and
//! `opsdeck snapshot --format csv --table NAME`: the rows on screen (filter and sort applied),
//! every column of [`super::table::Table`], figures in base units (bytes, seconds, ratios 0-1)
//! under the headers of the one schema, [`super::export_schema::SCHEMA`].

use super::State;
use super::export_schema::{self, Kind};
use super::registry::table;
use super::table::TableRow;
use crate::model::service::PanelKind;

/// Output format, from a file name's extension or `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    /// `.json` -> JSON, anything else CSV.
    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".json") {
            Format::Json
        } else {
            Format::Csv
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `columns` (the table's own names) then `rows` in `format`, headers and values as
/// [`export_schema::SCHEMA`] says for `table`: CSV with the unit-named headers, JSON an array of
/// objects keyed by them, integers as integers, ratios 0-1, a missing figure empty (CSV) or
/// null (JSON).
pub fn render(table: PanelKind, columns: &[&str], rows: &[TableRow], format: Format) -> String {
    let schema: Vec<(String, Kind)> = columns
        .iter()
        .map(|c| match export_schema::column(table, c) {
            Some(s) => (s.header.to_string(), s.kind),
            // not in the schema (a test fails for it): as text, under its own name
            None => (c.replace([' ', '/'], "_"), Kind::Text),
        })
        .collect();
    match format {
        Format::Csv => {
            let mut out = schema
                .iter()
                .map(|(h, _)| csv_field(h))
                .collect::<Vec<_>>()
                .join(",");
            out.push_str("\r\n");
            for r in rows {
                out.push_str(
                    &r.cells
                        .iter()
                        .zip(&schema)
                        .map(|(c, (_, k))| csv_field(&csv_value(c, *k)))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                out.push_str("\r\n");
            }
            out
        }
        Format::Json => {
            let v: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|r| {
                    schema
                        .iter()
                        .zip(&r.cells)
                        .map(|((h, k), v)| (h.clone(), json_value(v, *k)))
                        .collect()
                })
                .collect();
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
    }
}

/// A whole number from a cell ("12", "12.0", "1.2e3"); None when empty or not a number.
fn integer(cell: &str) -> Option<i64> {
    let v = cell.parse::<f64>().ok().filter(|v| v.is_finite())?;
    Some(v.round() as i64)
}

fn csv_value(cell: &str, kind: Kind) -> String {
    match kind {
        Kind::Integer => integer(cell).map_or(String::new(), |n| n.to_string()),
        _ => cell.to_string(),
    }
}

fn json_value(cell: &str, kind: Kind) -> serde_json::Value {
    use serde_json::Value;
    match kind {
        Kind::Text | Kind::Timestamp => Value::String(cell.to_string()),
        Kind::Integer => integer(cell).map_or(Value::Null, Value::from),
        Kind::Number | Kind::Ratio => cell
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
    }
}

impl State {
    /// The table of `panel` as shown (filter and sort applied), or an error naming what has no
    /// table.
    pub fn export_table(&self, panel: &str, format: Format) -> Result<(String, usize), String> {
        let t = table(self, panel).ok_or_else(|| {
            format!(
                "no table {panel:?} with data (tables: aurora, redis, s3, opensearch, redshift, \
                 or a CloudWatch panel id)"
            )
        })?;
        let rows = if panel == self.view_id() {
            self.table_rows(panel)
        } else {
            t.rows
        };
        let kind = self
            .panels
            .get(panel)
            .map_or(PanelKind::CloudWatch, |d| d.kind);
        Ok((render(kind, &t.columns, &rows, format), rows.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixture;

    #[test]
    fn csv_quotes_fields_with_commas_and_quotes() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn the_redshift_table_exports_one_csv_line_per_run_with_the_header() {
        let st = fixture::state();
        let (csv, n) = st.export_table("redshift", Format::Csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "status,table,started_at,duration_seconds,rows,error"
        );
        assert_eq!(lines.len(), n + 1);
        assert!(csv.contains("fact_clicks"), "{csv}");
    }

    #[test]
    fn every_exported_column_names_its_unit_in_the_one_schema() {
        let st = fixture::state();
        for def in st.panels.all() {
            let Some(t) = table(&st, &def.id) else {
                continue;
            };
            for c in &t.columns {
                assert!(
                    export_schema::column(def.kind, c).is_some(),
                    "{}: column {c:?} is not in export_schema::SCHEMA",
                    def.id
                );
            }
        }
    }

    #[test]
    fn redis_exports_ratios_0_to_1_and_counts_as_integers_in_csv_and_json() {
        let st = fixture::state();
        let (csv, _) = st.export_table("redis", Format::Csv).unwrap();
        assert_eq!(
            csv.lines().next().unwrap(),
            "node,role,shard,hit_ratio,ops_per_second,memory_used_ratio,evictions_per_second,connected_clients,replication_offset_lag_bytes"
        );
        let (json, _) = st.export_table("redis", Format::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for node in v.as_array().unwrap() {
            assert!(node["connected_clients"].is_u64(), "{node}");
            for ratio in ["hit_ratio", "memory_used_ratio"] {
                let r = &node[ratio];
                assert!(
                    r.is_null() || (0.0..=1.0).contains(&r.as_f64().unwrap()),
                    "{ratio}: {node}"
                );
            }
        }
        // counts and sizes are integers, never 12.0; rates may be fractional
        for node in v.as_array().unwrap() {
            let lag = &node["replication_offset_lag_bytes"];
            assert!(lag.is_u64() || lag.is_null(), "{node}");
        }
    }

    #[test]
    fn a_cloudwatch_percent_is_exported_as_a_ratio() {
        let st = fixture::state();
        for def in st.panels.all().filter(|d| d.kind == PanelKind::CloudWatch) {
            let Ok((json, _)) = st.export_table(&def.id, Format::Json) else {
                continue;
            };
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            for row in v.as_array().unwrap() {
                // Panels write percentages as CloudWatch's `Percent` or as `%` (panels/*.toml).
                assert!(row["unit"] != "Percent" && row["unit"] != "%", "{row}");
                if row["unit"] == "Ratio" {
                    let x = row["value"].as_f64().unwrap();
                    assert!((0.0..=1.0).contains(&x), "{row}");
                }
                assert!(
                    row["period_seconds"].is_u64() || row["period_seconds"].is_null(),
                    "{row}"
                );
            }
        }
    }

    #[test]
    fn an_unknown_table_is_refused_by_name() {
        let st = fixture::state();
        let e = st.export_table("nope", Format::Csv).unwrap_err();
        assert!(e.contains("\"nope\""), "{e}");
    }
}
