//! "Slow" runs: a run much longer than the median of the same table's previous runs.

use std::collections::HashMap;

/// Previous runs needed before a median means anything.
pub const MIN_HISTORY: usize = 3;
/// Previous runs the median is taken over.
pub const HISTORY: usize = 20;

pub fn median(xs: &mut [f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}

/// One run of the history: (table, completed, seconds), newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Past<'a> {
    pub table: &'a str,
    pub completed: bool,
    pub seconds: Option<f64>,
}

/// For each run (newest first), the median of the same table's previous completed runs and
/// whether the run is slower than `factor` times it. Aborted runs are not a yardstick.
pub fn flag(history: &[Past<'_>], factor: f64) -> Vec<(Option<f64>, bool)> {
    let mut by_table: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in history.iter().enumerate() {
        by_table.entry(p.table).or_default().push(i);
    }
    history
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let mut prev: Vec<f64> = by_table[run.table]
                .iter()
                .filter(|&&j| j > i)
                .filter_map(|&j| {
                    let p = &history[j];
                    if p.completed { p.seconds } else { None }
                })
                .take(HISTORY)
                .collect();
            if prev.len() < MIN_HISTORY {
                return (None, false);
            }
            let m = median(&mut prev);
            let slow = matches!((run.seconds, m), (Some(s), Some(m)) if m > 0.0 && s > factor * m);
            (m, slow)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(table: &str, seconds: f64) -> Past<'_> {
        Past {
            table,
            completed: true,
            seconds: Some(seconds),
        }
    }

    #[test]
    fn median_of_even_and_odd() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn a_run_over_twice_the_previous_median_is_slow() {
        // newest first
        let h = vec![
            p("a", 100.0),
            p("b", 5.0),
            p("a", 500.0),
            p("a", 90.0),
            p("a", 100.0),
            p("a", 110.0),
        ];
        let f = flag(&h, 2.0);
        assert_eq!(f[2], (Some(100.0), true));
        // the run after the slow one: its median includes the slow run, but it is not slow
        assert!(!f[0].1);
        // too little history for b and for the oldest runs of a
        assert_eq!(f[1], (None, false));
        assert_eq!(f[5], (None, false));
    }
}
