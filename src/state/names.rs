//! How a name column fits its width, decided once for every table (Redis nodes, Aurora
//! replicas and endpoints, indices, buckets, load tables, Glue runs, alarms, CloudWatch
//! dimensions) and for the palette's operation names. Widths are terminal columns (one per
//! `char`; names are ASCII identifiers in practice).
//!
//! Rows of one column usually share a long prefix and suffix (the cluster name, the
//! `.x7kq2m.0001.use1.cache.amazonaws.com:6379` of every node endpoint) and differ in a short
//! middle (`0002-001`, the shard and node). Cutting each name on its own removes exactly that
//! middle, so every row looks alike. [`fit_names`] looks at all the names shown together: when
//! they do not fit it drops the common suffix, then the common prefix (both cut at a separator,
//! so a part is never split), and only then cuts what is left in the middle, moving the cut if
//! two different names would otherwise look the same. The dropped parts are returned so the
//! table can show them once, in its header; the full name stays in the detail view.

/// Characters that end one part of a name and start the next.
fn is_separator(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | ':' | '/' | ' ' | '@')
}

/// The names of one column as shown, and what was dropped from all of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FittedNames {
    /// Dropped from the start of every name ("" when nothing was).
    pub prefix: String,
    /// Dropped from the end of every name ("" when nothing was).
    pub suffix: String,
    /// One shown name per input name, in the same order, each at most `width` columns.
    pub shown: Vec<String>,
}

impl FittedNames {
    /// The column's header: `title`, followed by the dropped parts around a `*`
    /// ("node streamshop-sessions-*.x7kq2m.0001.use1.cache.amazonaws.com:6379"), cut in the
    /// middle to `width` columns. Just `title` when nothing was dropped.
    pub fn header(&self, title: &str, width: usize) -> String {
        if self.prefix.is_empty() && self.suffix.is_empty() {
            return shorten_middle(title, width);
        }
        shorten_middle(&format!("{title} {}*{}", self.prefix, self.suffix), width)
    }
}

/// Fit every name of a column into `width` columns, keeping what tells rows apart (see the
/// module docs). Names that already fit are shown whole.
pub fn fit_names<S: AsRef<str>>(names: &[S], width: usize) -> FittedNames {
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    let too_wide = |v: &[&str]| v.iter().any(|n| n.chars().count() > width);
    if !too_wide(&names) {
        return FittedNames {
            shown: names.iter().map(|n| n.to_string()).collect(),
            ..Default::default()
        };
    }
    // Common parts only mean something across two or more different names.
    let mut distinct = names.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return FittedNames {
            shown: names.iter().map(|n| shorten_middle(n, width)).collect(),
            ..Default::default()
        };
    }
    let suffix = common_suffix(&distinct);
    let strip_suffix = |n: &str| n[..n.len() - suffix.len()].to_string();
    let mut middles: Vec<String> = names.iter().map(|n| strip_suffix(n)).collect();
    let mut prefix = String::new();
    if middles.iter().any(|n| n.chars().count() > width) {
        let stripped: Vec<String> = distinct.iter().map(|n| strip_suffix(n)).collect();
        let refs: Vec<&str> = stripped.iter().map(String::as_str).collect();
        prefix = common_prefix(&refs);
        middles = middles
            .iter()
            .map(|n| n[prefix.len()..].to_string())
            .collect();
    }
    FittedNames {
        shown: cut_apart(&middles, width),
        prefix,
        suffix,
    }
}

/// The longest prefix every name shares that ends just after a separator and leaves every
/// name a non-empty rest.
fn common_prefix(names: &[&str]) -> String {
    let first = names[0];
    let mut len = first.len();
    for n in &names[1..] {
        len = len.min(
            first
                .char_indices()
                .zip(n.chars())
                .find(|((_, a), b)| a != b)
                .map_or(first.len().min(n.len()), |((i, _), _)| i),
        );
    }
    let shortest = names.iter().map(|n| n.len()).min().unwrap_or(0);
    first[..len]
        .char_indices()
        .rfind(|&(i, c)| is_separator(c) && i + 1 < shortest)
        .map_or(String::new(), |(i, _)| first[..=i].to_string())
}

/// The longest suffix every name shares that starts with a separator and leaves every name a
/// non-empty rest.
fn common_suffix(names: &[&str]) -> String {
    let rev: Vec<String> = names.iter().map(|n| n.chars().rev().collect()).collect();
    let refs: Vec<&str> = rev.iter().map(String::as_str).collect();
    // A reversed prefix ending after a separator is a suffix starting with one.
    common_prefix(&refs).chars().rev().collect()
}

/// Cut each name in the middle to `width`, giving the end the larger half (versions, dates,
/// node numbers sit there); when that makes two different names look the same, move the cut
/// to the nearest split of head and tail that keeps them apart. For lists with no header to
/// show a dropped common part in (the palette), where [`fit_names`] would lose it.
pub fn cut_apart(names: &[String], width: usize) -> Vec<String> {
    let plain: Vec<String> = names.iter().map(|n| shorten_middle(n, width)).collect();
    if width <= 1 || !collides(names, &plain) {
        return plain;
    }
    let keep = width - 1;
    let even = keep.div_ceil(2);
    // Tails nearest the even split first, longer tail first on ties.
    let mut tails: Vec<usize> = (0..=keep).collect();
    tails.sort_by_key(|&t| (t.abs_diff(even), std::cmp::Reverse(t)));
    for tail in tails {
        let cut: Vec<String> = names.iter().map(|n| cut_at(n, width, tail)).collect();
        if !collides(names, &cut) {
            return cut;
        }
    }
    plain
}

/// Whether two different names are shown the same.
fn collides(names: &[String], shown: &[String]) -> bool {
    let mut seen = std::collections::HashMap::new();
    for (n, s) in names.iter().zip(shown) {
        if let Some(prev) = seen.insert(s.as_str(), n.as_str())
            && prev != n.as_str()
        {
            return true;
        }
    }
    false
}

/// `name` in `width` columns keeping its last `tail` characters, or whole when it fits.
fn cut_at(name: &str, width: usize, tail: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= width {
        return name.to_string();
    }
    let head = width - 1 - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// Shorten one `name` to `width` columns by cutting in the middle, the end keeping the larger
/// half: the fallback of [`fit_names`], and for a name shown on its own.
pub fn shorten_middle(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        return name.to_string();
    }
    if width <= 1 {
        return "…".chars().take(width).collect();
    }
    cut_at(name, width, (width - 1).div_ceil(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(cluster: &str, shard: u32, node: u32) -> String {
        format!("{cluster}-{shard:04}-{node:03}.{cluster}.abc123.use1.cache.amazonaws.com:6379")
    }

    /// Every different pair of names is shown differently, and nothing is wider than `width`.
    fn assert_apart(names: &[String], width: usize) -> FittedNames {
        let f = fit_names(names, width);
        for (i, a) in f.shown.iter().enumerate() {
            assert!(a.chars().count() <= width, "{a} wider than {width}");
            for (j, b) in f.shown.iter().enumerate() {
                if names[i] != names[j] {
                    assert_ne!(a, b, "{} and {} both shown as {a}", names[i], names[j]);
                }
            }
        }
        f
    }

    #[test]
    fn elasticache_node_endpoints_keep_shard_and_node_at_80_and_120_columns() {
        let names: Vec<String> = (1..=3)
            .flat_map(|s| (1..=2).map(move |n| node("streamshop-sessions", s, n)))
            .collect();
        // The Redis panel's node column at 80 and 120 columns.
        assert_eq!(fit_names(&names, 14).shown[3], "0002-002");
        for width in [14, 46] {
            let f = assert_apart(&names, width);
            assert!(
                f.shown[3].ends_with("0002-002"),
                "at {width}: {:?}",
                f.shown
            );
            assert_eq!(
                f.suffix,
                ".streamshop-sessions.abc123.use1.cache.amazonaws.com:6379"
            );
        }
    }

    #[test]
    fn common_prefix_stays_when_dropping_the_suffix_is_enough() {
        let names: Vec<String> = (1..=2).map(|s| node("streamshop-sessions", s, 1)).collect();
        let f = fit_names(&names, 40);
        assert_eq!(
            f.shown,
            ["streamshop-sessions-0001", "streamshop-sessions-0002"]
        );
        assert_eq!(
            f.suffix,
            "-001.streamshop-sessions.abc123.use1.cache.amazonaws.com:6379"
        );
        assert_eq!(f.prefix, "");
    }

    #[test]
    fn aurora_instance_endpoints_keep_the_instance_number() {
        let names: Vec<String> = (1..=3)
            .map(|i| format!("catalog-{i}.cluster-ro-abc.us-east-1.rds.amazonaws.com"))
            .collect();
        for width in [10, 24] {
            let f = assert_apart(&names, width);
            assert_eq!(f.shown[1], "catalog-2", "at {width}");
        }
        let f = fit_names(&names, 24);
        assert_eq!(
            f.header("replica", 80),
            "replica *.cluster-ro-abc.us-east-1.rds.amazonaws.com"
        );
    }

    #[test]
    fn index_names_that_differ_only_at_the_end_stay_apart() {
        let names: Vec<String> = [
            "products_v3",
            "products_v2",
            "orders-2026.11.29",
            "orders-2026.11.28",
            "orders-2026.10.29",
        ]
        .map(String::from)
        .to_vec();
        for width in [8, 10, 14, 20] {
            assert_apart(&names, width);
        }
        // Wide enough: nothing changes.
        assert_eq!(fit_names(&names, 20).shown, names);
    }

    #[test]
    fn names_differing_in_the_middle_move_the_cut_rather_than_collide() {
        let names: Vec<String> = [
            "reindex products_v1 to products_v2",
            "reindex products_v2 to products_v2",
        ]
        .map(String::from)
        .to_vec();
        assert_apart(&names, 16);
    }

    #[test]
    fn palette_operations_keep_their_distinguishing_end() {
        let names: Vec<String> = [
            "reindex products_v1 -> products_v2",
            "reindex orders-2026.11.29 -> orders-2026.11.30",
            "panel opensearch",
        ]
        .map(String::from)
        .to_vec();
        let shown = cut_apart(&names, 24);
        assert_eq!(shown[0], "reindex pro… products_v2");
        assert_eq!(shown[2], "panel opensearch");
    }

    #[test]
    fn one_name_is_cut_in_the_middle_and_fits() {
        let s = shorten_middle("sessions-0002-001.abc123.use1.cache.amazonaws.com:6379", 20);
        assert_eq!(s.chars().count(), 20);
        assert!(s.starts_with("sessions-"), "{s}");
        assert!(s.ends_with(":6379"), "{s}");
        assert_eq!(shorten_middle("short", 20), "short");
        assert_eq!(fit_names(&["only-one-long-name"], 8).shown, ["onl…name"]);
    }
}
