//! Number formatting for a narrow screen: short, fixed-ish width, honest units.

use chrono::{DateTime, Utc};
use unicode_width::UnicodeWidthStr;

/// Bytes in IEC binary units, the one unit system for every byte figure opsdeck shows:
/// "0 B", "1023 B", "1.0 KiB", "27.6 TiB" (steps of 1024; one decimal below 100, none above).
///
/// Binary because that is what the figures are counted and billed in: AWS bills storage per
/// GB-month with GB = 2^30 bytes (so a bucket's TiB and its $/month agree), the S3 console's
/// object sizes step by 1024, Redis `INFO` `*_human` and OpenSearch `_cat` sizes are 1024-based
/// and ElastiCache node memory is given in GiB. The labels say KiB/MiB/GiB/TiB so the unit is
/// never ambiguous. A value that would round to 1024 of a unit is shown in the next one
/// ("1.0 MiB", never "1024 KiB").
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if b < 1024 {
        return format!("{b} B");
    }
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    // 1023.96 KiB prints as "1024 KiB" with no decimal: that is the next unit's 1.0.
    if v.round() >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if v >= 99.95 {
        format!("{v:.0} {}", UNITS[i])
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// Counts with k/M/G suffixes: 812, 12.3k, 182k, 2.0M.
pub fn count(n: f64) -> String {
    if !n.is_finite() {
        return "-".into();
    }
    let a = n.abs();
    let (v, s) = if a >= 1e9 {
        (n / 1e9, "G")
    } else if a >= 1e6 {
        (n / 1e6, "M")
    } else if a >= 1e3 {
        (n / 1e3, "k")
    } else {
        return if a >= 10.0 || n.fract() == 0.0 {
            format!("{n:.0}")
        } else {
            format!("{n:.1}")
        };
    };
    if v.abs() >= 100.0 {
        format!("{v:.0}{s}")
    } else {
        format!("{v:.1}{s}")
    }
}

/// A per-second rate: "182k/s".
pub fn rate(per_sec: f64) -> String {
    format!("{}/s", count(per_sec))
}

/// A ratio 0..=1 as a percentage: "87.4%".
pub fn ratio_pct(r: f64) -> String {
    pct(r * 100.0)
}

/// A window as configured and shown: "1m", "30s", "1m30s".
pub fn window(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match (s / 60, s % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

/// " (1m)" after a windowed figure, or `fallback` when the window is not known.
pub fn window_suffix(seconds: Option<f64>, fallback: &str) -> String {
    seconds.map_or(fallback.to_string(), |w| format!(" ({})", window(w)))
}

pub fn pct(p: f64) -> String {
    if !p.is_finite() {
        "-".into()
    } else if p >= 99.95 || p == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Seconds as people read them: "0.35 s", "4.2 s", "95 s", "12m05s", "3h10m".
pub fn secs(s: f64) -> String {
    if !s.is_finite() {
        return "-".into();
    }
    if s < 1.0 {
        format!("{s:.2} s")
    } else if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 600.0 {
        format!("{s:.0} s")
    } else if s < 3600.0 * 10.0 {
        let m = (s / 60.0).floor() as u64;
        if m < 60 {
            format!("{m}m{:02}s", (s as u64) % 60)
        } else {
            format!("{}h{:02}m", m / 60, m % 60)
        }
    } else {
        format!("{:.0}h", s / 3600.0)
    }
}

/// Age of a datapoint: "now", "2s", "4m", "9h", "3d".
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    if s < 1 {
        "now".into()
    } else if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else if s < 86400 {
        format!("{}h", s / 3600)
    } else {
        format!("{}d", s / 86400)
    }
}

pub fn age_since(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    age((now - at).num_seconds())
}

/// "$1,012" / "$12.40".
pub fn usd(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v.abs() < 100.0 {
        return format!("${v:.2}");
    }
    let whole = v.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if whole < 0 { "-" } else { "" })
}

/// A value with a CloudWatch-panel display unit.
pub fn with_unit(v: f64, unit: &str) -> String {
    match unit {
        "%" | "percent" | "Percent" => pct(v),
        "ms" | "Milliseconds" => {
            if v >= 1000.0 {
                secs(v / 1000.0)
            } else {
                format!("{v:.0} ms")
            }
        }
        "s" | "Seconds" => secs(v),
        "bytes" | "Bytes" => bytes(v.max(0.0) as u64),
        "bytes/s" | "Bytes/Second" => format!("{}/s", bytes(v.max(0.0) as u64)),
        "count/s" | "Count/Second" => rate(v),
        "count" | "Count" | "" => count(v),
        "usd" | "$" => usd(v),
        other => format!("{} {other}", count(v)),
    }
}

/// Time of day in the header and tables.
pub fn hms(t: DateTime<Utc>) -> String {
    t.format("%H:%M:%S").to_string()
}

pub fn hm(t: DateTime<Utc>) -> String {
    t.format("%H:%M").to_string()
}

/// A moment with its date, to the second, UTC: "2026-11-29 03:12:00" (detail views: when an
/// alarm changed state, when a load or job run started). Never a fraction of a second.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// When a datapoint was measured, in the console's time format (UTC, as the header and the
/// chart axes): to the minute when its period is a minute or more (CloudWatch stamps such a
/// datapoint with its period's start, so seconds would only say ":00"), else to the second.
/// Never a fraction: timestamps carry sub-second parts the operator has no use for.
pub fn datapoint_time(t: DateTime<Utc>, period_seconds: Option<u32>) -> String {
    match period_seconds {
        Some(p) if p >= 60 => hm(t),
        _ => hms(t),
    }
}

/// Cut a string to `max` display columns, ending with '…' when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if w + cw > max - 1 {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

/// Spaces between two columns of a [`TextTable`], at least.
pub const COLUMN_GAP: usize = 2;

/// A plain-text table: columns as wide as their widest cell, [`COLUMN_GAP`] spaces apart, figures
/// right-aligned. Given a width, the columns named in `optional` are left out first (in that
/// order), then the widest of the `shrinkable` columns is cut, its cells ending in '…', until
/// the table fits; a table that fits is never cut. Used where a dry run, a plan or a dialog
/// lays out readings in columns, so that a long value never runs into the next column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextTable {
    /// Spaces before every row.
    pub indent: usize,
    /// The cells, row by row (a header row is a row like the others); a short row is padded.
    pub rows: Vec<Vec<String>>,
    /// Per column: right-aligned (figures). Missing: left-aligned.
    pub right: Vec<bool>,
    /// Columns that may be left out when the width cannot hold them all, least needed first.
    pub optional: Vec<usize>,
    /// Columns that may be cut with an ellipsis when the width still cannot hold them.
    pub shrinkable: Vec<usize>,
}

/// Narrowest a shrinkable column is cut to (a few characters and the ellipsis).
const MIN_CUT: usize = 6;

impl TextTable {
    /// The table's lines (no trailing spaces) in at most `width` display columns when it can
    /// fit; `None`: no limit (a pipe, a file), nothing left out or cut.
    pub fn lines(&self, width: Option<usize>) -> Vec<String> {
        let n = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        fn cell(r: &[String], c: usize) -> &str {
            r.get(c).map(String::as_str).unwrap_or("")
        }
        let mut widths: Vec<usize> = (0..n)
            .map(|c| {
                self.rows
                    .iter()
                    .map(|r| cell(r, c).width())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut shown: Vec<usize> = (0..n).collect();
        let total = |shown: &[usize], widths: &[usize]| {
            self.indent
                + shown.iter().map(|&c| widths[c]).sum::<usize>()
                + COLUMN_GAP * shown.len().saturating_sub(1)
        };
        if let Some(w) = width {
            for c in &self.optional {
                if total(&shown, &widths) <= w {
                    break;
                }
                shown.retain(|x| x != c);
            }
            while total(&shown, &widths) > w {
                let Some(&c) = self
                    .shrinkable
                    .iter()
                    .filter(|c| shown.contains(c) && widths[**c] > MIN_CUT)
                    .max_by_key(|c| widths[**c])
                else {
                    break;
                };
                let over = total(&shown, &widths) - w;
                widths[c] = widths[c].saturating_sub(over).max(MIN_CUT);
            }
        }
        self.rows
            .iter()
            .map(|r| {
                let mut line = " ".repeat(self.indent);
                for (i, &c) in shown.iter().enumerate() {
                    let text = truncate(cell(r, c), widths[c]);
                    let pad = " ".repeat(widths[c] - text.width());
                    if self.right.get(c).copied().unwrap_or(false) {
                        line.push_str(&pad);
                        line.push_str(&text);
                    } else {
                        line.push_str(&text);
                        line.push_str(&pad);
                    }
                    if i + 1 < shown.len() {
                        line.push_str(&" ".repeat(COLUMN_GAP));
                    }
                }
                line.trim_end().to_string()
            })
            .collect()
    }
}

/// Text laid out as lines and tables, drawn at whatever width is at hand (a dialog's pane, a
/// terminal, none for a pipe).
#[derive(Debug, Clone, PartialEq)]
pub enum TextBlock {
    Line(String),
    Table(TextTable),
}

/// Every block's lines at `width` (see [`TextTable::lines`]).
pub fn block_lines(blocks: &[TextBlock], width: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    for b in blocks {
        match b {
            TextBlock::Line(l) => out.push(l.clone()),
            TextBlock::Table(t) => out.extend(t.lines(width)),
        }
    }
    out
}

/// An error and its causes on one line, `outer: cause: root`: the one way opsdeck words an
/// error chain wherever it is flashed, logged, written to stderr, put on a panel or into the
/// snapshot's `errors`. A cause whose text its parent already contains is left out: sqlx says
/// "error communicating with database: Connection refused (os error 111)" and then hands on
/// the `io::Error` it wraps, "Connection refused (os error 111)", which `{:#}` would print a
/// second time. Takes an `anyhow::Error` (or a reference to one) or any `&dyn Error`.
pub fn chain<E: AsRef<dyn std::error::Error> + ?Sized>(e: &E) -> Chain<'_> {
    Chain(e.as_ref())
}

/// Display of [`chain`]: the error's text, then each cause not already said, joined by ": ".
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parent = self.0.to_string();
        f.write_str(&parent)?;
        let mut cause = self.0.source();
        while let Some(c) = cause {
            let text = c.to_string();
            if !text.is_empty() && !parent.contains(&text) {
                write!(f, ": {text}")?;
            }
            parent = text;
            cause = c.source();
        }
        Ok(())
    }
}

/// Short names for CloudWatch StorageType values (the crate's storage table).
pub fn tier_short(k: &str) -> &str {
    crate::model::s3_storage::short(k)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_datapoint_time_is_to_the_minute_for_minute_periods_and_to_the_second_below() {
        // the simulation and GetMetricData timestamps can carry sub-second parts
        let t = chrono::DateTime::from_timestamp(1_795_000_980, 123_456_789).unwrap();
        assert_eq!(super::datapoint_time(t, Some(60)), "11:23");
        assert_eq!(super::datapoint_time(t, Some(300)), "11:23");
        assert_eq!(super::datapoint_time(t, Some(10)), "11:23:00");
        assert_eq!(super::datapoint_time(t, None), "11:23:00");
    }

    #[tokio::test]
    async fn a_refused_connection_is_named_once_in_its_error_chain() {
        use sqlx::Connection;
        // a loopback port nobody listens on: bound, then let go
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("bind")
            .port();
        let refused = sqlx::MySqlConnection::connect(&format!("mysql://root@127.0.0.1:{port}/"))
            .await
            .expect_err("nobody listens");
        let e = anyhow::Error::new(refused).context(format!("writer 127.0.0.1:{port}"));
        let text = super::chain(&e).to_string();
        assert_eq!(text.matches("refused").count(), 1, "{text}");
        assert!(
            text.starts_with(&format!("writer 127.0.0.1:{port}: ")),
            "{text}"
        );
    }

    use super::*;

    fn table() -> TextTable {
        TextTable {
            indent: 2,
            rows: vec![
                vec![
                    "ok   source writable".into(),
                    "read_only=OFF super_read_only=OFF".into(),
                    "read_only=OFF".into(),
                ],
                vec!["ok   lag".into(), "0.6 s".into(), "max_lag 1.0 s".into()],
            ],
            right: vec![],
            optional: vec![],
            shrinkable: vec![1, 2],
        }
    }

    #[test]
    fn text_table_keeps_two_spaces_between_columns_and_aligns_them_whatever_the_value() {
        let l = table().lines(None);
        assert_eq!(
            l[0],
            "  ok   source writable  read_only=OFF super_read_only=OFF  read_only=OFF"
        );
        assert_eq!(l[1].find("0.6 s"), l[0].find("read_only=OFF super"));
        assert_eq!(l[1].find("max_lag"), l[0].rfind("read_only=OFF"));
    }

    #[test]
    fn text_table_cuts_with_an_ellipsis_only_when_the_width_forces_it() {
        let whole = table().lines(Some(200));
        assert_eq!(whole, table().lines(None));
        let cut = table().lines(Some(60));
        assert!(cut.iter().all(|l| l.width() <= 60), "{cut:#?}");
        assert!(cut[0].contains('…'), "{cut:#?}");
        assert!(!cut[1].contains('…'), "a short value is not cut: {cut:#?}");
        let mut t = table();
        t.optional = vec![1];
        let dropped = t.lines(Some(50));
        assert!(!dropped[0].contains("super_read_only"), "{dropped:#?}");
        assert!(!dropped[0].contains('…'), "{dropped:#?}");
    }

    #[test]
    fn bytes_use_binary_units_with_iec_labels() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1024), "1.0 KiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(30_400_000_000_000), "27.6 TiB");
        assert_eq!(bytes(512 * 1024 * 1024), "512 MiB");
        assert_eq!(bytes(13 * 1024 * 1024 * 1024), "13.0 GiB");
    }

    #[test]
    fn bytes_at_unit_boundaries_never_show_1024_of_a_unit() {
        // One byte short of a unit rounds to the next unit, not "1024 KiB".
        assert_eq!(bytes(1024 * 1024 - 1), "1.0 MiB");
        assert_eq!(bytes(1024 * 1024), "1.0 MiB");
        assert_eq!(bytes(1024 * 1024 * 1024 - 1), "1.0 GiB");
        assert_eq!(bytes(1u64 << 40), "1.0 TiB");
        // The switch from one decimal to none happens at 100 of a unit.
        assert_eq!(bytes(99 * 1024 + 1000), "100 KiB");
        assert_eq!(bytes(99 * 1024), "99.0 KiB");
        assert_eq!(bytes(1023 * 1024), "1023 KiB");
        assert_eq!(bytes(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn counts_and_rates() {
        assert_eq!(count(812.0), "812");
        assert_eq!(count(182_400.0), "182k");
        assert_eq!(count(2_000_000.0), "2.0M");
        assert_eq!(count(1.5), "1.5");
        assert_eq!(rate(1200.0), "1.2k/s");
    }

    #[test]
    fn seconds_and_ages() {
        assert_eq!(secs(4.23), "4.2 s");
        assert_eq!(secs(0.35), "0.35 s");
        assert_eq!(secs(95.0), "95 s");
        assert_eq!(secs(725.0), "12m05s");
        assert_eq!(secs(3.0 * 3600.0 + 600.0), "3h10m");
        assert_eq!(age(0), "now");
        assert_eq!(age(2), "2s");
        assert_eq!(age(240), "4m");
        assert_eq!(age(9 * 3600), "9h");
        assert_eq!(age(-5), "now");
    }

    #[test]
    fn money_and_percentages() {
        assert_eq!(usd(1012.4), "$1,012");
        assert_eq!(usd(1_234_567.0), "$1,234,567");
        assert_eq!(usd(12.4), "$12.40");
        assert_eq!(ratio_pct(0.874), "87.4%");
        assert_eq!(pct(100.0), "100%");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("products_v1", 20), "products_v1");
        assert_eq!(truncate("products_v1", 5), "prod…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abc", 1), "…");
    }
}
