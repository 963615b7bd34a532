//! One round's time budget spent by calls made one after another (RDS topology, then the
//! CloudWatch figures of the replicas it names). A call that would be left with almost no time
//! is not made: "no answer within 0s" would blame a server that was never asked. Its error
//! says it was not asked and what the time went on, and the collector keeps it due and asks it
//! first next round, so one slow call cannot starve another round after round.

use std::time::{Duration, Instant};

/// The least time worth giving a call: below it, a round trip to any server (even on
/// loopback, with TLS and SigV4) cannot be expected to finish.
pub const MIN_CALL: Duration = Duration::from_millis(50);

/// The calls of one round taking turns at its budget.
#[derive(Debug)]
pub struct Turns {
    started: Instant,
    budget: Duration,
    spent_on: Vec<String>,
}

impl Turns {
    /// A round whose calls share `budget` from now.
    pub fn new(budget: Duration) -> Self {
        Turns {
            started: Instant::now(),
            budget,
            spent_on: Vec::new(),
        }
    }

    /// The time left for `call` (a short name: "RDS DescribeDBClusters catalog"), or None when
    /// less than [`MIN_CALL`] is left: then the call is not made and [`Self::not_asked`] says why.
    pub fn take(&mut self, call: &str) -> Option<Duration> {
        let left = self.budget.saturating_sub(self.started.elapsed());
        if left < MIN_CALL {
            return None;
        }
        self.spent_on.push(call.to_string());
        Some(left)
    }

    /// Why a call was not made this round, naming the calls that spent the budget.
    pub fn not_asked(&self) -> String {
        let budget = humantime::format_duration(self.budget);
        if self.spent_on.is_empty() {
            format!(
                "not asked this round: the round's time budget ({budget}) is shorter than a call needs"
            )
        } else {
            format!(
                "not asked this round: the round's time budget ({budget}) was spent on {}",
                self.spent_on.join(" and ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_left_without_time_is_not_made_and_names_what_spent_the_budget() {
        let mut t = Turns::new(Duration::from_millis(60));
        assert!(t.take("RDS DescribeDBClusters catalog").is_some());
        // the first call took 20 ms of the 60: 40 ms left, under MIN_CALL
        t.started -= Duration::from_millis(20);
        assert_eq!(t.take("CloudWatch GetMetricData"), None);
        assert_eq!(
            t.not_asked(),
            "not asked this round: the round's time budget (60ms) was spent on RDS DescribeDBClusters catalog"
        );
    }
}
