//! Panel files: the embedded ones parse; bad files are refused with file, line, column and key.

use std::time::Duration;

use super::validate::valid_stat;
use super::*;
use crate::model::Status;

#[test]
fn every_embedded_panel_file_parses() {
    for (name, text) in EMBEDDED {
        let stem = name.trim_end_matches(".toml");
        let def = parse(text, name, stem).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(def.id, stem);
    }
    let p = Panels::embedded();
    assert_eq!(p.cloudwatch().count(), 5);
    assert!(p.of_kind(PanelKind::Aurora).is_some());
}

#[test]
fn embedded_thresholds_match_the_runbook() {
    let p = Panels::embedded();
    let a = p.of_kind(PanelKind::Aurora).unwrap();
    let lag = a.threshold("replica_lag_seconds").unwrap();
    assert_eq!((lag.warn, lag.crit), (Some(1.0), Some(5.0)));
    let r = p.of_kind(PanelKind::Redis).unwrap();
    let hit = r.threshold("hit_ratio").unwrap();
    assert_eq!(hit.evaluate(Some(0.95)), Status::Ok);
    assert_eq!(hit.evaluate(Some(0.85)), Status::Warn);
    assert_eq!(hit.evaluate(Some(0.79)), Status::Crit);
    assert_eq!(hit.evaluate(None), Status::NoData);
    let os = p.of_kind(PanelKind::OpenSearch).unwrap();
    assert_eq!(
        os.state_status("health", "yellow", Status::Ok),
        Status::Warn
    );
    assert_eq!(os.state_status("health", "RED", Status::Ok), Status::Crit);
}

#[test]
fn syntax_error_names_file_and_line() {
    let text = "title = \"X\"\nkind = \"redis\"\nthresholds = { hit_ratio = { warn = 0.9 \n";
    let e = parse(text, "panels/x.toml", "x").unwrap_err();
    assert_eq!(e.file, "panels/x.toml");
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn unknown_key_names_file_line_column_and_key() {
    let text = "title = \"X\"\nkind = \"redis\"\ncolour = \"red\"\n";
    let e = parse(text, "panels/x.toml", "x").unwrap_err();
    assert_eq!((e.line, e.column), (Some(3), Some(1)), "{e}");
    assert_eq!(e.key.as_deref(), Some("colour"), "{e}");
    assert!(
        e.to_string()
            .starts_with("panels/x.toml:3:1: key `colour`: unknown field"),
        "{e}"
    );
}

#[test]
fn inverted_threshold_names_line_column_and_key_of_the_value() {
    let text =
        "title = \"R\"\nkind = \"redis\"\n\n[thresholds]\nhit_ratio = { warn = 0.8, crit = 0.9 }\n";
    let e = parse(text, "r.toml", "r").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("r.toml:5:13: key `thresholds.hit_ratio`: warn (0.8)"),
        "{e}"
    );
}

#[test]
fn wrong_type_names_file_line_column_and_key() {
    let text =
        "title = \"A\"\nkind = \"aurora\"\n[thresholds]\nreplica_lag_seconds = { warn = \"1s\" }\n";
    let e = parse(text, "a.toml", "a").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("a.toml:4:32: key `thresholds.replica_lag_seconds.warn`: invalid type"),
        "{e}"
    );
}

#[test]
fn bad_value_in_a_metric_names_file_line_column_and_key() {
    let text = "title = \"D\"\nkind = \"cloudwatch\"\nnamespace = \"AWS/DynamoDB\"\n\n[[metrics]]\nmetric = \"A\"\n\n[[metrics]]\nmetric = \"B\"\nstat = \"Avg\"\n";
    let e = parse(text, "d.toml", "d").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("d.toml:10:8: key `metrics[1].stat`: unknown statistic"),
        "{e}"
    );
}

#[test]
fn unknown_threshold_name_lists_known_ones() {
    let text = "title = \"A\"\nkind = \"aurora\"\n[thresholds]\nlag = { warn = 1 }\n";
    let e = parse(text, "a.toml", "a").unwrap_err();
    assert_eq!(e.key.as_deref(), Some("thresholds.lag"));
    assert!(e.message.contains("replica_lag_seconds"), "{e}");
}

#[test]
fn cloudwatch_panel_parses_metric_math_and_dimension_all() {
    let text = r#"
title = "Tables"
kind = "cloudwatch"
namespace = "AWS/DynamoDB"
period = "1m"
[[metrics]]
id = "used"
metric = "ConsumedReadCapacityUnits"
stat = "Sum"
dimension_all = "TableName"
show = false
[[metrics]]
id = "prov"
metric = "ProvisionedReadCapacityUnits"
dimension_all = "TableName"
show = false
[[metrics]]
label = "read use"
expression = "used/60/prov*100"
unit = "%"
warn = 80
crit = 95
"#;
    let d = parse(text, "t.toml", "tables").unwrap();
    let cw = d.cloudwatch.unwrap();
    assert_eq!(cw.metrics.len(), 3);
    assert_eq!(cw.metrics[2].id, "m3");
    assert_eq!(cw.metrics[2].evaluate(Some(90.0)), Status::Warn);
    assert_eq!(cw.metrics[0].period, Duration::from_secs(60));
}

#[test]
fn expression_with_undefined_id_is_rejected() {
    let text = "title = \"T\"\nkind = \"cloudwatch\"\nnamespace = \"AWS/X\"\n[[metrics]]\nid = \"a\"\nmetric = \"M\"\n[[metrics]]\nexpression = \"a/b*100\"\n";
    let e = parse(text, "t.toml", "t").unwrap_err();
    assert_eq!(e.key.as_deref(), Some("metrics[1].expression"));
    assert!(e.message.contains("\"b\""), "{e}");
    assert_eq!(e.line, Some(8), "{e}");
}

#[test]
fn bad_statistic_and_period_are_rejected() {
    let t = "title = \"T\"\nkind = \"cloudwatch\"\nnamespace = \"N\"\n[[metrics]]\nmetric = \"M\"\nstat = \"Mean\"\n";
    assert_eq!(
        parse(t, "t", "t").unwrap_err().key.as_deref(),
        Some("metrics[0].stat")
    );
    let t = "title = \"T\"\nkind = \"cloudwatch\"\nnamespace = \"N\"\nperiod = \"7s\"\n[[metrics]]\nmetric = \"M\"\n";
    let e = parse(t, "t", "t").unwrap_err();
    assert_eq!((e.key.as_deref(), e.line), (Some("period"), Some(4)));
    for ok in ["p99", "p99.9", "tm90", "Sum", "PR(10:50)"] {
        assert!(valid_stat(ok), "{ok}");
    }
}

#[test]
fn builtin_panel_rejects_cloudwatch_keys() {
    let t = "title = \"R\"\nkind = \"redis\"\nnamespace = \"AWS/ElastiCache\"\n";
    let e = parse(t, "r", "r").unwrap_err();
    assert_eq!((e.key.as_deref(), e.line), (Some("namespace"), Some(3)));
}

#[test]
fn panels_dir_overrides_and_adds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("redis.toml"),
        "title = \"Sessions\"\nkind = \"redis\"\n[thresholds]\nhit_ratio = { warn = 0.99 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("glue.toml"),
        "title = \"Glue\"\nkind = \"cloudwatch\"\nnamespace = \"Glue\"\n[[metrics]]\nmetric = \"glue.driver.aggregate.numFailedTasks\"\nstat = \"Sum\"\ndimensions = { JobName = \"orders-etl\", JobRunId = \"ALL\", Type = \"count\" }\ncrit = 0\n",
    )
    .unwrap();
    let mut p = Panels::embedded();
    p.overlay_dir(dir.path()).unwrap();
    assert_eq!(p.get("redis").unwrap().title, "Sessions");
    assert_eq!(p.defs.iter().filter(|d| d.id == "redis").count(), 1);
    assert!(p.get("glue").is_some());

    std::fs::write(dir.path().join("bad.toml"), "title = 3\n").unwrap();
    let e = Panels::embedded().overlay_dir(dir.path()).unwrap_err();
    assert!(e.file.ends_with("bad.toml"), "{e}");
    assert_eq!(e.line, Some(1));
}

#[test]
fn hysteresis_keys_are_read_and_bad_counts_are_named() {
    let t = "title = \"R\"\nkind = \"redis\"\n[thresholds]\n\
             hit_ratio = { warn = 0.9, raise_after = 3, clear_after = 2, clear_margin = 0.02 }\n";
    let p = parse(t, "redis.toml", "redis").unwrap();
    let h = p.thresholds["hit_ratio"];
    assert_eq!((h.raise_after(), h.clear_after()), (3, 2));
    assert_eq!(h.clear_margin(), 0.02);
    let bad = "title = \"R\"\nkind = \"redis\"\n[thresholds]\n\
               hit_ratio = { warn = 0.9, raise_after = 0 }\n";
    let e = parse(bad, "redis.toml", "redis").unwrap_err().to_string();
    assert!(e.contains("raise_after = 0"), "{e}");
    let cw = "title = \"E\"\nkind = \"cloudwatch\"\nnamespace = \"AWS/ElastiCache\"\n\
              [[metrics]]\nid = \"m\"\nlabel = \"cpu\"\nmetric = \"CPUUtilization\"\n\
              warn = 70\nclear_margin = -1\n";
    let e = parse(cw, "e.toml", "e").unwrap_err();
    assert_eq!(e.key.as_deref(), Some("metrics[0].clear_margin"), "{e}");
    let ok = cw.replace("clear_margin = -1", "clear_margin = 5\nraise_after = 2");
    let p = parse(&ok, "e.toml", "e").unwrap();
    let m = &p.cloudwatch.unwrap().metrics[0];
    assert_eq!(m.threshold.unwrap().raise_after(), 2);
}
