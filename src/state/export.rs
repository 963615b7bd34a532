//! A panel's table as CSV (RFC 4180) or JSON, for `:export PATH` and
//! `opsdeck snapshot --format csv --table NAME`: the rows on screen (filter and sort applied),
//! every column of [`super::table::Table`], figures in base units (bytes, seconds, ratios).

use super::State;
use super::registry::table;
use super::table::TableRow;

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

/// `columns` then `rows` in `format`; JSON is an array of objects keyed by column name.
pub fn render(columns: &[&str], rows: &[TableRow], format: Format) -> String {
    match format {
        Format::Csv => {
            let mut out = columns
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",");
            out.push_str("\r\n");
            for r in rows {
                out.push_str(
                    &r.cells
                        .iter()
                        .map(|c| csv_field(c))
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
                    columns
                        .iter()
                        .zip(&r.cells)
                        .map(|(c, v)| {
                            let val = v
                                .parse::<f64>()
                                .ok()
                                .and_then(serde_json::Number::from_f64)
                                .map(serde_json::Value::Number)
                                .unwrap_or_else(|| serde_json::Value::String(v.clone()));
                            (c.to_string(), val)
                        })
                        .collect()
                })
                .collect();
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
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
        Ok((render(&t.columns, &rows, format), rows.len()))
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
        assert_eq!(lines[0], "status,table,start,took,rows,error");
        assert_eq!(lines.len(), n + 1);
        assert!(csv.contains("fact_clicks"), "{csv}");
    }

    #[test]
    fn an_unknown_table_is_refused_by_name() {
        let st = fixture::state();
        let e = st.export_table("nope", Format::Csv).unwrap_err();
        assert!(e.contains("\"nope\""), "{e}");
    }
}
