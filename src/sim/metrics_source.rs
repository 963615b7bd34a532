//! The simulation as a [`MetricSource`], so demo mode serves the declared CloudWatch panels
//! through the same generic collector as real CloudWatch.
//!
//! `World::metric` answers for the latest 60 s period; Sum and SampleCount are scaled to the
//! query's period. Metric math is evaluated here (CloudWatch evaluates it server-side): the
//! arithmetic subset panels use (+ - * / parentheses, numbers, query ids).

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{SharedWorld, lock};
use crate::panels::Panels;
use crate::services::BoxCollector;
use crate::services::cloudwatch::panels::{Dims, MetricSource, PanelCollector};
use crate::services::cloudwatch::{MetricQuery, Series};

/// The panels demo mode shows.
pub const PANELS: [&str; 5] = [
    "cloudfront",
    "dynamodb",
    "dms",
    "rds-instances",
    "elasticache",
];

#[derive(Clone)]
pub struct SimMetrics {
    world: SharedWorld,
}

impl SimMetrics {
    pub fn new(world: SharedWorld) -> Self {
        SimMetrics { world }
    }
}

/// One generic panel collector per demo panel, over `world`.
pub fn collectors(world: &SharedWorld, panels: &Panels) -> Vec<BoxCollector> {
    PANELS
        .iter()
        .filter_map(|id| panels.get(id))
        .filter_map(|def| PanelCollector::new(def, SimMetrics::new(world.clone())))
        .map(|c| Box::new(c.with_interval(Duration::from_secs(1))) as BoxCollector)
        .collect()
}

#[async_trait]
impl MetricSource for SimMetrics {
    async fn fetch(
        &self,
        groups: &[Vec<MetricQuery>],
        _start: DateTime<Utc>,
        _end: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<String, Series>> {
        let mut w = lock(&self.world);
        w.sync_to_wall();
        let now = w.now();
        let mut out = HashMap::new();
        for g in groups {
            let mut values: HashMap<&str, f64> = HashMap::new();
            for q in g.iter().filter(|q| q.expression.is_none()) {
                let v = w
                    .metric(&q.namespace, &q.metric, &q.dimensions, &q.stat)
                    .map(|v| match q.stat.as_str() {
                        "Sum" | "SampleCount" => v * f64::from(q.period_seconds) / 60.0,
                        _ => v,
                    });
                if let Some(v) = v {
                    values.insert(q.id.as_str(), v);
                }
            }
            for q in g {
                let v = match &q.expression {
                    Some(e) => eval(e, &values),
                    None => values.get(q.id.as_str()).copied(),
                };
                if q.return_data
                    && let Some(v) = v.filter(|v| v.is_finite())
                {
                    out.insert(
                        q.id.clone(),
                        Series {
                            points: vec![(now, v)],
                            status: Some("Complete".into()),
                            ..Default::default()
                        },
                    );
                }
            }
        }
        Ok(out)
    }

    async fn list_dimensions(
        &self,
        namespace: &str,
        metric: &str,
        name: &str,
        fixed: &[(String, String)],
    ) -> anyhow::Result<Vec<Dims>> {
        let w = lock(&self.world);
        Ok(w.list_dimension_values(namespace, metric, name)
            .into_iter()
            .map(|v| {
                let mut d: Dims = vec![(name.to_string(), v)];
                d.extend(fixed.iter().cloned());
                d
            })
            .collect())
    }

    fn now(&self) -> DateTime<Utc> {
        let mut w = lock(&self.world);
        w.sync_to_wall();
        w.now()
    }

    fn billed(&self) -> bool {
        false
    }
}

/// Evaluate `+ - * /`, parentheses, numbers and ids; None when an id has no value or the text is
/// not in that subset.
pub fn eval(expr: &str, vars: &HashMap<&str, f64>) -> Option<f64> {
    let toks: Vec<char> = expr.chars().filter(|c| !c.is_whitespace()).collect();
    let mut p = Parser {
        t: &toks,
        i: 0,
        vars,
    };
    let v = p.sum()?;
    (p.i == toks.len()).then_some(v)
}

struct Parser<'a> {
    t: &'a [char],
    i: usize,
    vars: &'a HashMap<&'a str, f64>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.t.get(self.i).copied()
    }

    fn sum(&mut self) -> Option<f64> {
        let mut v = self.product()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.i += 1;
            let r = self.product()?;
            v = if op == '+' { v + r } else { v - r };
        }
        Some(v)
    }

    fn product(&mut self) -> Option<f64> {
        let mut v = self.atom()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.i += 1;
            let r = self.atom()?;
            v = if op == '*' { v * r } else { v / r };
        }
        Some(v)
    }

    fn atom(&mut self) -> Option<f64> {
        match self.peek()? {
            '(' => {
                self.i += 1;
                let v = self.sum()?;
                (self.peek()? == ')').then_some(())?;
                self.i += 1;
                Some(v)
            }
            '-' => {
                self.i += 1;
                Some(-self.atom()?)
            }
            c if c.is_ascii_digit() || c == '.' => {
                let s = self.take(|c| c.is_ascii_digit() || c == '.' || c == 'e');
                s.parse().ok()
            }
            c if c.is_ascii_alphabetic() => {
                let s = self.take(|c| c.is_ascii_alphanumeric() || c == '_');
                self.vars.get(s.as_str()).copied()
            }
            _ => None,
        }
    }

    fn take(&mut self, ok: impl Fn(char) -> bool) -> String {
        let start = self.i;
        while self.peek().is_some_and(&ok) {
            self.i += 1;
        }
        self.t[start..self.i].iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::Update;

    #[test]
    fn metric_math_subset_evaluates_with_precedence() {
        let mut v = HashMap::new();
        v.insert("rcu_1", 1500.0);
        v.insert("rcuprov_2", 10.0);
        assert_eq!(eval("rcu_1/300/rcuprov_2*100", &v), Some(50.0));
        assert_eq!(eval("(1+2)*-3", &v), Some(-9.0));
        assert_eq!(eval("missing*2", &v), None);
        assert_eq!(eval("SUM(METRICS())", &v), None);
    }

    #[tokio::test]
    async fn demo_panels_come_from_the_generic_collector_with_capacity_ratios() {
        let opts = crate::sim::SimOptions {
            start: Some("2026-11-27T12:00:00Z".parse().unwrap()),
            ..Default::default()
        };
        let world = crate::sim::world(&opts);
        let mut cs = collectors(&world, &Panels::embedded());
        let ids: Vec<String> = cs.iter().map(|c| c.kind().name()).collect();
        assert_eq!(
            ids,
            [
                "cloudwatch:cloudfront",
                "cloudwatch:dynamodb",
                "cloudwatch:dms",
                "cloudwatch:rds-instances",
                "cloudwatch:elasticache"
            ]
        );
        let Update::CloudWatch(id, figs) = cs[1].collect().await.unwrap() else {
            panic!("not a cloudwatch update")
        };
        assert_eq!(id, "dynamodb");
        let read = figs
            .iter()
            .find(|f| f.label == "reviews read capacity used")
            .expect("a ratio per table");
        let pct = read.value.expect("the sim evaluates metric math");
        assert!((0.0..=110.0).contains(&pct), "{pct}");
        assert_ne!(read.status, Status::NoData);
        assert!(
            figs.iter()
                .any(|f| f.label == "behaviour throttled requests")
        );
        let Update::CloudWatch(_, cf) = cs[0].collect().await.unwrap() else {
            panic!()
        };
        let hit = cf
            .iter()
            .find(|f| f.label == "E2STREAMSHOP cache hit rate")
            .unwrap();
        assert!(hit.value.is_some_and(|v| v > 50.0));
        assert!(hit.at.is_some());
    }
}
