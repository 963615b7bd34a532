//! Generic panel figures: refused queries, renamed expressions, chosen dimension sets.

use std::collections::HashMap;

use chrono::Utc;

use super::expr::{pick_instances, rename_ids};
use super::*;

#[test]
fn a_forbidden_query_is_a_figure_with_its_message_and_no_value() {
    let panels = crate::panels::Panels::embedded();
    let def = panels.get("dynamodb").expect("embedded dynamodb panel");
    let m = &def.cloudwatch.as_ref().unwrap().metrics[0];
    let mut st = FigState::default();
    st.points.insert(Utc::now(), 5.0);
    st.error = Some("Forbidden: not authorized to perform cloudwatch:GetMetricData".into());
    let f = figure(m, None, Some(&st));
    assert_eq!(f.value, None, "a refused query shows no stale value");
    assert_eq!(f.status, Status::NoData);
    assert_eq!(f.error, st.error);
    // That it becomes a finding naming the message: tests/figures_on_screen.rs.
}

#[test]
fn expression_ids_are_renamed_per_instance_and_functions_are_left_alone() {
    let mut r = HashMap::new();
    r.insert("rcu".to_string(), "rcu_3".to_string());
    r.insert("rcuprov".to_string(), "rcuprov_4".to_string());
    assert_eq!(
        rename_ids("FILL(rcu,0)/300/rcuprov*100", &r),
        "FILL(rcu_3,0)/300/rcuprov_4*100"
    );
    assert_eq!(
        expression_ids("rcu/300/rcuprov*1e2"),
        vec!["rcu", "rcuprov"]
    );
}

#[test]
fn instances_prefer_the_table_over_its_indexes_and_need_fixed_dimensions() {
    let d = |p: &[(&str, &str)]| -> Dims {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let listed = vec![
        d(&[
            ("TableName", "reviews"),
            ("GlobalSecondaryIndexName", "by-user"),
        ]),
        d(&[("TableName", "reviews")]),
        d(&[("TableName", "wishlists")]),
        d(&[("Other", "x")]),
    ];
    let got = pick_instances(listed, "TableName", &vec![]);
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0],
        (Some("reviews".into()), d(&[("TableName", "reviews")]))
    );
    let fixed = d(&[("Region", "Global")]);
    let cf = vec![
        d(&[("DistributionId", "E1"), ("Region", "Global")]),
        d(&[("DistributionId", "E2")]),
    ];
    let got = pick_instances(cf, "DistributionId", &fixed);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0.as_deref(), Some("E1"));
}

#[test]
fn backfill_never_needs_a_second_page_of_datapoints() {
    use super::{BACKFILL_PERIODS, MAX_DATAPOINTS_PER_CALL, backfill_periods};
    assert_eq!(
        backfill_periods(5),
        BACKFILL_PERIODS,
        "a small panel gets the whole day"
    );
    assert_eq!(backfill_periods(500), 201);
    assert_eq!(backfill_periods(2000), 201, "calls hold 500 queries each");
    for q in [1, 70, 71, 499, 500, 501, 10_000] {
        let per_call = q.min(500);
        assert!(
            per_call * backfill_periods(q) as usize <= MAX_DATAPOINTS_PER_CALL,
            "{q}"
        );
    }
}
