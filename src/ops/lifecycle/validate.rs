//! S3's own rules for a lifecycle configuration, checked before anything is sent: S3 itself
//! rejects most of these (with one error at a time), and emulators such as moto accept them
//! silently. Every finding names the rule and the field it is about.
//!
//! This module owns the document-level rules (rule count, IDs, at least one action) and calls
//! the checks; the finding types they all write are [`super::finding`]. Each family of rules lives in its own module: [`super::filters`] (filter
//! shape, sizes, tags, legacy prefixes), [`super::transitions`] (classes, the waterfall,
//! minimum days), [`super::expiration`] (current and noncurrent expiration, noncurrent
//! transitions, incomplete uploads). The table of rules and their sources is
//! docs/LIFECYCLE-RULES.md.

use std::collections::BTreeMap;

use super::finding::Ctx;
pub use super::finding::{Finding, Report, Severity};
pub use super::transitions::{
    ARCHIVE_MIN_STORAGE_DAYS, IA_MIN_STORAGE_DAYS, MIN_DAYS_BEFORE_IA, TRANSITION_CLASSES,
    transition_allowed,
};
pub use crate::services::s3::lifecycle_doc::parse_midnight_utc;
use crate::services::s3::lifecycle_doc::{LifecycleConfiguration, Rule};

/// Most rules one configuration may hold (S3 user guide, lifecycle configuration elements).
pub const MAX_RULES: usize = 1000;
/// Longest rule `ID`, in characters (API reference, LifecycleRule).
pub const MAX_ID_LEN: usize = 255;

/// Check a whole document. Pure: the same document always gives the same findings, in order.
pub fn validate(cfg: &LifecycleConfiguration) -> Report {
    let mut out = Vec::new();
    let mut doc = Ctx::new(None, &mut out);
    if cfg.rules.len() > MAX_RULES {
        doc.error(
            "Rules",
            format!("{} rules; S3 allows at most {MAX_RULES}", cfg.rules.len()),
        );
    }
    if let Some(v) = &cfg.transition_default_minimum_object_size
        && v != "varies_by_storage_class"
        && v != "all_storage_classes_128K"
    {
        doc.error(
            "TransitionDefaultMinimumObjectSize",
            format!("{v:?}; expected varies_by_storage_class or all_storage_classes_128K"),
        );
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, rule) in cfg.rules.iter().enumerate() {
        let mut ctx = Ctx::new(Some(rule.label(i)), &mut out);
        if let Some(id) = &rule.id {
            if let Some(first) = seen.insert(id.as_str(), i) {
                ctx.error(
                    "ID",
                    format!(
                        "duplicate ID (also rule #{}); IDs must be unique",
                        first + 1
                    ),
                );
            }
            if id.chars().count() > MAX_ID_LEN {
                ctx.error(
                    "ID",
                    format!(
                        "{} characters; S3 allows at most {MAX_ID_LEN}",
                        id.chars().count()
                    ),
                );
            }
            if id.is_empty() {
                ctx.error("ID", "empty ID; omit it to let S3 generate one");
            }
        }
        check_rule(rule, &mut ctx);
        super::filters::check_tags(rule, &mut ctx);
    }
    super::filters::check_legacy_overlap(cfg, &mut out);
    Report { findings: out }
}

fn check_rule(rule: &Rule, ctx: &mut Ctx<'_>) {
    super::filters::check_filter(rule, ctx);
    let has_action = !rule.transitions.is_empty()
        || rule.expiration.is_some()
        || !rule.noncurrent_version_transitions.is_empty()
        || rule.noncurrent_version_expiration.is_some()
        || rule.abort_incomplete_multipart_upload.is_some();
    if !has_action {
        ctx.error(
            "(rule)",
            "no action: add Transitions, Expiration, NoncurrentVersionTransitions, \
             NoncurrentVersionExpiration or AbortIncompleteMultipartUpload",
        );
    }
    super::transitions::check_transitions(rule, ctx);
    super::expiration::check_expiration(rule, ctx);
    super::expiration::check_noncurrent(rule, ctx);
    super::expiration::check_abort_upload(rule, ctx);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::s3::lifecycle_doc::parse;

    fn findings(rules_json: &str) -> Vec<String> {
        let cfg = parse(&format!("{{\"Rules\":[{rules_json}]}}"), "t").expect("parses");
        validate(&cfg).errors().map(|f| format!("{f}")).collect()
    }

    /// (case, rule JSON, expected substring of the only error; "" = valid)
    const CASES: &[(&str, &str, &str)] = &[
        (
            "valid waterfall",
            r#"{"ID":"m","Status":"Enabled","Filter":{"Prefix":"media/"},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"GLACIER_IR"},{"Days":365,"StorageClass":"DEEP_ARCHIVE"}],"Expiration":{"Days":3650}}"#,
            "",
        ),
        (
            "IA before 30 days",
            r#"{"ID":"media-ia","Status":"Enabled","Filter":{},"Transitions":[{"Days":10,"StorageClass":"STANDARD_IA"}]}"#,
            r#"rule "media-ia": Transitions[0].Days: 10 days before STANDARD_IA; S3 requires at least 30"#,
        ),
        (
            "onezone before 30 days",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":29,"StorageClass":"ONEZONE_IA"}]}"#,
            "Transitions[0].Days: 29 days before ONEZONE_IA",
        ),
        (
            "glacier may be day 0",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":0,"StorageClass":"GLACIER"}]}"#,
            "",
        ),
        (
            "IT to STANDARD_IA",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"INTELLIGENT_TIERING"},{"Days":90,"StorageClass":"STANDARD_IA"}]}"#,
            "Transitions[1].StorageClass: S3 cannot transition INTELLIGENT_TIERING to STANDARD_IA",
        ),
        (
            "onezone to glacier_ir",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"ONEZONE_IA"},{"Days":90,"StorageClass":"GLACIER_IR"}]}"#,
            "S3 cannot transition ONEZONE_IA to GLACIER_IR",
        ),
        (
            "glacier 10 days after IA",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":40,"StorageClass":"GLACIER"}]}"#,
            "Transitions[1].Days: 40 days is 10 days after Transitions[0] (STANDARD_IA)",
        ),
        (
            "back to STANDARD",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD"}]}"#,
            "\"STANDARD\" is not a lifecycle transition class",
        ),
        (
            "expiration before transition",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":60,"StorageClass":"GLACIER"}],"Expiration":{"Days":30}}"#,
            "Expiration.Days: 30 is not after Transitions[0]",
        ),
        (
            "no action",
            r#"{"ID":"idle","Status":"Enabled","Filter":{"Prefix":"x/"}}"#,
            r#"rule "idle": (rule): no action"#,
        ),
        (
            "filter and prefix",
            r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"x/"},"Prefix":"y/","Expiration":{"Days":3}}"#,
            "Prefix: both Filter and the legacy Prefix",
        ),
        (
            "no filter at all",
            r#"{"ID":"a","Status":"Enabled","Expiration":{"Days":3}}"#,
            "Filter: missing",
        ),
        (
            "two filter members",
            r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"x/","Tag":{"Key":"k","Value":"v"}},"Expiration":{"Days":3}}"#,
            "Filter: Prefix, Tag are set",
        ),
        (
            "days and date mixed",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}],"Expiration":{"Days":400}}"#,
            "Days and Date are mixed",
        ),
        (
            "date not midnight",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Date":"2027-01-01T10:00:00Z"}}"#,
            "Expiration.Date: \"2027-01-01T10:00:00Z\" is not midnight UTC",
        ),
        (
            "expiration days zero",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Days":0}}"#,
            "Expiration.Days: 0; must be a positive",
        ),
        (
            "noncurrent IA too early",
            r#"{"ID":"nc","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":7,"StorageClass":"STANDARD_IA"}]}"#,
            "NoncurrentVersionTransitions[0].NoncurrentDays: 7 days before STANDARD_IA",
        ),
        (
            "abort with tag filter",
            r#"{"ID":"a","Status":"Enabled","Filter":{"Tag":{"Key":"k","Value":"v"}},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}"#,
            "AbortIncompleteMultipartUpload: cannot be used in a rule filtered by tags",
        ),
        (
            "same day twice",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":100,"StorageClass":"GLACIER"},{"Days":100,"StorageClass":"DEEP_ARCHIVE"}]}"#,
            "is the same day as",
        ),
    ];

    #[test]
    fn table_of_s3_rules() {
        for (case, rule, want) in CASES {
            let errors = findings(rule);
            if want.is_empty() {
                assert!(errors.is_empty(), "{case}: expected valid, got {errors:?}");
            } else {
                assert!(
                    errors.iter().any(|e| e.contains(want)),
                    "{case}: expected {want:?} in {errors:?}"
                );
            }
        }
    }

    #[test]
    fn duplicate_and_long_ids_are_refused() {
        let long = "x".repeat(256);
        let got = findings(&format!(
            r#"{{"ID":"a","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":3}}}},
               {{"ID":"a","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":4}}}},
               {{"ID":"{long}","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":4}}}}"#
        ));
        assert!(got.iter().any(|e| e.contains("duplicate ID")), "{got:?}");
        assert!(got.iter().any(|e| e.contains("256 characters")), "{got:?}");
    }

    #[test]
    fn more_than_1000_rules_are_refused() {
        let rule = r#"{"Status":"Enabled","Filter":{},"Expiration":{"Days":3}}"#;
        let got = findings(&vec![rule; 1001].join(","));
        assert!(
            got.iter().any(|e| e.starts_with("Rules: 1001 rules")),
            "{got:?}"
        );
    }

    #[test]
    fn early_move_out_of_glacier_is_a_warning_not_an_error() {
        let cfg = parse(
            r#"{"Rules":[{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":0,"StorageClass":"GLACIER"},{"Days":30,"StorageClass":"DEEP_ARCHIVE"}]}]}"#,
            "t",
        )
        .unwrap();
        let r = validate(&cfg);
        assert!(r.is_valid());
        assert_eq!(r.warnings().count(), 1);
    }

    #[test]
    fn waterfall_graph_matches_the_user_guide() {
        assert!(transition_allowed("STANDARD", "DEEP_ARCHIVE"));
        assert!(transition_allowed("STANDARD_IA", "INTELLIGENT_TIERING"));
        assert!(!transition_allowed("INTELLIGENT_TIERING", "STANDARD_IA"));
        assert!(!transition_allowed("ONEZONE_IA", "GLACIER_IR"));
        assert!(transition_allowed("GLACIER_IR", "GLACIER"));
        assert!(!transition_allowed("DEEP_ARCHIVE", "GLACIER"));
        for c in TRANSITION_CLASSES {
            assert!(!transition_allowed(c, "STANDARD"));
        }
    }

    #[test]
    fn a_zoneless_or_epoch_date_the_aws_cli_accepts_is_the_same_document() {
        use crate::services::s3::admin::normalize;
        use crate::services::s3::lifecycle_doc::parse;
        let doc = |date: &str| {
            format!(
                r#"{{"Rules":[{{"ID":"old","Status":"Enabled","Filter":{{}},"Expiration":{{"Date":{date}}}}}]}}"#
            )
        };
        let canonical = parse(&doc(r#""2017-09-27T00:00:00Z""#), "f.json").unwrap();
        for spelling in [
            r#""2017-09-27T00:00:00""#,
            r#""2017-09-27""#,
            r#""2017-09-27T02:00:00+02:00""#,
            "1506470400",
        ] {
            let cfg = parse(&doc(spelling), "f.json").unwrap();
            let report = validate(&cfg);
            assert!(report.is_valid(), "{spelling}: {:?}", report.findings);
            assert_eq!(normalize(&cfg), normalize(&canonical), "{spelling}");
        }
    }
}
