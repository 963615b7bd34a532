//! One test per documented S3 lifecycle restriction (docs/LIFECYCLE-RULES.md lists them with
//! their sources): a document S3 rejects, refused here with a finding naming the field, and the
//! nearest document S3 accepts, passed without error. The emulator accepts both, so these are
//! the only check that opsdeck refuses what S3 would.

use super::validate::validate;
use crate::services::s3::lifecycle_doc::parse;

/// Error findings of a document whose `Rules` array holds `rules` (JSON objects, comma separated).
fn errors(rules: &str) -> Vec<String> {
    let cfg = parse(&format!("{{\"Rules\":[{rules}]}}"), "t").expect("parses");
    validate(&cfg).errors().map(|f| f.to_string()).collect()
}

macro_rules! rule {
    ($name:ident, reject: $bad:expr, says: $msg:expr, accept: $good:expr $(,)?) => {
        #[test]
        fn $name() {
            let e = errors($bad);
            assert!(
                e.iter().any(|f| f.contains($msg)),
                "rejected document: want a finding containing {:?}, got {e:?}",
                $msg
            );
            let ok = errors($good);
            assert!(ok.is_empty(), "accepted document refused: {ok:?}");
        }
    };
}

#[test]
fn at_most_1000_rules() {
    let rule = |i: usize| {
        format!(
            r#"{{"ID":"r{i}","Status":"Enabled","Filter":{{"Prefix":"p{i}/"}},"Expiration":{{"Days":30}}}}"#
        )
    };
    let many = |n: usize| (0..n).map(rule).collect::<Vec<_>>().join(",");
    let e = errors(&many(1001));
    assert!(
        e.iter()
            .any(|f| f.contains("1001 rules; S3 allows at most 1000")),
        "{e:?}"
    );
    assert!(errors(&many(1000)).is_empty());
}

rule!(
    rule_id_is_at_most_255_characters,
    reject: &format!(r#"{{"ID":"{}","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":1}}}}"#, "x".repeat(256)),
    says: "ID: 256 characters; S3 allows at most 255",
    accept: &format!(r#"{{"ID":"{}","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":1}}}}"#, "x".repeat(255)),
);

rule!(
    rule_ids_are_unique,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"x/"},"Expiration":{"Days":1}},{"ID":"a","Status":"Enabled","Filter":{"Prefix":"y/"},"Expiration":{"Days":1}}"#,
    says: "duplicate ID",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"x/"},"Expiration":{"Days":1}},{"ID":"b","Status":"Enabled","Filter":{"Prefix":"y/"},"Expiration":{"Days":1}}"#,
);

rule!(
    rule_id_is_not_empty,
    reject: r#"{"ID":"","Status":"Enabled","Filter":{},"Expiration":{"Days":1}}"#,
    says: "empty ID",
    accept: r#"{"Status":"Enabled","Filter":{},"Expiration":{"Days":1}}"#,
);

rule!(
    filter_and_legacy_prefix_are_not_both_set,
    reject: r#"{"ID":"a","Status":"Enabled","Prefix":"x/","Filter":{"Prefix":"x/"},"Expiration":{"Days":1}}"#,
    says: "both Filter and the legacy Prefix",
    accept: r#"{"ID":"a","Status":"Enabled","Prefix":"x/","Expiration":{"Days":1}}"#,
);

rule!(
    filter_or_legacy_prefix_is_required,
    reject: r#"{"ID":"a","Status":"Enabled","Expiration":{"Days":1}}"#,
    says: "Filter: missing",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Days":1}}"#,
);

rule!(
    filter_holds_exactly_one_condition,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"x/","ObjectSizeGreaterThan":1024},"Expiration":{"Days":1}}"#,
    says: "a Filter takes exactly one",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"And":{"Prefix":"x/","ObjectSizeGreaterThan":1024}},"Expiration":{"Days":1}}"#,
);

rule!(
    and_combines_two_or_more_conditions,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"And":{"Prefix":"x/"}},"Expiration":{"Days":1}}"#,
    says: "And combines two or more conditions",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"And":{"Prefix":"x/","Tags":[{"Key":"k","Value":"v"}]}},"Expiration":{"Days":1}}"#,
);

rule!(
    object_size_greater_than_is_not_negative,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"ObjectSizeGreaterThan":-1},"Expiration":{"Days":1}}"#,
    says: "ObjectSizeGreaterThan: -1; must be >= 0",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"ObjectSizeGreaterThan":0},"Expiration":{"Days":1}}"#,
);

rule!(
    object_size_less_than_is_positive,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"ObjectSizeLessThan":0},"Expiration":{"Days":1}}"#,
    says: "ObjectSizeLessThan: 0; must be > 0",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"ObjectSizeLessThan":1},"Expiration":{"Days":1}}"#,
);

rule!(
    object_size_less_than_exceeds_greater_than,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"And":{"ObjectSizeGreaterThan":2048,"ObjectSizeLessThan":1024}},"Expiration":{"Days":1}}"#,
    says: "is not greater than ObjectSizeGreaterThan",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"And":{"ObjectSizeGreaterThan":1024,"ObjectSizeLessThan":2048}},"Expiration":{"Days":1}}"#,
);

rule!(
    tag_key_is_not_empty,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"Tag":{"Key":"","Value":"v"}},"Expiration":{"Days":1}}"#,
    says: "Filter.Tag.Key: empty tag key",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"Tag":{"Key":"k","Value":""}},"Expiration":{"Days":1}}"#,
);

rule!(
    tag_keys_are_unique_in_a_filter,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"And":{"Tags":[{"Key":"tier","Value":"a"},{"Key":"tier","Value":"b"}]}},"Expiration":{"Days":1}}"#,
    says: "Filter.And.Tags[1].Key: \"tier\" is also the key of Filter.And.Tags[0]",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"And":{"Tags":[{"Key":"tier","Value":"a"},{"Key":"team","Value":"b"}]}},"Expiration":{"Days":1}}"#,
);

rule!(
    tag_key_is_at_most_128_and_value_256_characters,
    reject: &format!(r#"{{"ID":"a","Status":"Enabled","Filter":{{"Tag":{{"Key":"{}","Value":"{}"}}}},"Expiration":{{"Days":1}}}}"#, "k".repeat(129), "v".repeat(257)),
    says: "Filter.Tag.Key: 129 characters; S3 allows at most 128",
    accept: &format!(r#"{{"ID":"a","Status":"Enabled","Filter":{{"Tag":{{"Key":"{}","Value":"{}"}}}},"Expiration":{{"Days":1}}}}"#, "k".repeat(128), "v".repeat(256)),
);

#[test]
fn tag_value_over_256_characters_is_refused() {
    let e = errors(&format!(
        r#"{{"ID":"a","Status":"Enabled","Filter":{{"Tag":{{"Key":"k","Value":"{}"}}}},"Expiration":{{"Days":1}}}}"#,
        "v".repeat(257)
    ));
    assert!(
        e.iter()
            .any(|f| f.contains("Filter.Tag.Value: 257 characters")),
        "{e:?}"
    );
}

rule!(
    a_rule_has_at_least_one_action,
    reject: r#"{"ID":"a","Status":"Disabled","Filter":{}}"#,
    says: "no action",
    accept: r#"{"ID":"a","Status":"Disabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}"#,
);

rule!(
    expiration_has_exactly_one_of_days_date_or_delete_marker,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Days":30,"ExpiredObjectDeleteMarker":true}}"#,
    says: "needs exactly one of Days, Date or ExpiredObjectDeleteMarker",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"ExpiredObjectDeleteMarker":true},"NoncurrentVersionExpiration":{"NoncurrentDays":30}}"#,
);

rule!(
    expiration_days_are_positive,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Days":0}}"#,
    says: "Expiration.Days: 0; must be a positive",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Days":1}}"#,
);

rule!(
    dates_are_midnight_utc,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Date":"2027-01-01T10:00:00Z"}}"#,
    says: "is not midnight UTC",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Date":"2027-01-01T00:00:00"}}"#,
);

rule!(
    days_and_dates_are_not_mixed_in_a_rule,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}],"Expiration":{"Days":400}}"#,
    says: "Days and Date are mixed",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}],"Expiration":{"Date":"2028-01-01T00:00:00Z"}}"#,
);

rule!(
    expired_object_delete_marker_is_not_used_with_a_tag_filter,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"Tag":{"Key":"k","Value":"v"}},"Expiration":{"ExpiredObjectDeleteMarker":true}}"#,
    says: "ExpiredObjectDeleteMarker: cannot be used in a rule filtered by tags",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"logs/"},"Expiration":{"ExpiredObjectDeleteMarker":true}}"#,
);

rule!(
    a_transition_has_days_or_date_not_both,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}]}"#,
    says: "both Days and Date",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"GLACIER"}]}"#,
);

rule!(
    a_transition_has_days_or_date,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"StorageClass":"GLACIER"}]}"#,
    says: "needs Days or Date",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}]}"#,
);

rule!(
    transition_days_are_not_negative,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":-1,"StorageClass":"GLACIER"}]}"#,
    says: "Transitions[0].Days: -1; must be >= 0",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":0,"StorageClass":"GLACIER"}]}"#,
);

rule!(
    transition_storage_class_is_a_lifecycle_class,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD"}]}"#,
    says: "is not a lifecycle transition class",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}"#,
);

rule!(
    one_transition_per_storage_class_in_a_rule,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":90,"StorageClass":"GLACIER"},{"Days":180,"StorageClass":"GLACIER"}]}"#,
    says: "a second transition to GLACIER",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":90,"StorageClass":"GLACIER"},{"Days":180,"StorageClass":"DEEP_ARCHIVE"}]}"#,
);

rule!(
    the_infrequent_access_classes_need_30_days,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":29,"StorageClass":"ONEZONE_IA"}]}"#,
    says: "29 days before ONEZONE_IA; S3 requires at least 30",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"ONEZONE_IA"}]}"#,
);

rule!(
    transitions_follow_the_waterfall,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"INTELLIGENT_TIERING"},{"Days":90,"StorageClass":"STANDARD_IA"}]}"#,
    says: "S3 cannot transition INTELLIGENT_TIERING to STANDARD_IA",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"INTELLIGENT_TIERING"}]}"#,
);

rule!(
    one_zone_ia_does_not_go_to_glacier_instant_retrieval,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"ONEZONE_IA"},{"Days":90,"StorageClass":"GLACIER_IR"}]}"#,
    says: "S3 cannot transition ONEZONE_IA to GLACIER_IR",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"ONEZONE_IA"},{"Days":90,"StorageClass":"GLACIER"}]}"#,
);

rule!(
    transitions_are_on_distinct_days,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":90,"StorageClass":"GLACIER_IR"},{"Days":90,"StorageClass":"DEEP_ARCHIVE"}]}"#,
    says: "is the same day as",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":90,"StorageClass":"GLACIER_IR"},{"Days":180,"StorageClass":"DEEP_ARCHIVE"}]}"#,
);

rule!(
    objects_stay_30_days_in_an_ia_class_before_the_next_transition,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":45,"StorageClass":"GLACIER"}]}"#,
    says: "objects must stay at least 30 days in STANDARD_IA",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":60,"StorageClass":"GLACIER"}]}"#,
);

rule!(
    expiration_comes_after_every_transition,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":90,"StorageClass":"GLACIER"}],"Expiration":{"Days":90}}"#,
    says: "Expiration.Days: 90 is not after Transitions[0]",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":90,"StorageClass":"GLACIER"}],"Expiration":{"Days":91}}"#,
);

rule!(
    dated_transitions_are_on_distinct_dates_before_the_expiration_date,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}],"Expiration":{"Date":"2027-01-01T00:00:00Z"}}"#,
    says: "is not after Transitions[0].Date",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}],"Expiration":{"Date":"2027-06-01T00:00:00Z"}}"#,
);

rule!(
    noncurrent_transition_needs_noncurrent_days,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"StorageClass":"GLACIER"}]}"#,
    says: "NoncurrentVersionTransitions[0].NoncurrentDays: missing",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":0,"StorageClass":"GLACIER"}]}"#,
);

rule!(
    noncurrent_versions_need_30_days_before_an_ia_class,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":7,"StorageClass":"STANDARD_IA"}]}"#,
    says: "7 days before STANDARD_IA",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":30,"StorageClass":"STANDARD_IA"}]}"#,
);

rule!(
    noncurrent_transitions_follow_the_waterfall,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":30,"StorageClass":"GLACIER"},{"NoncurrentDays":90,"StorageClass":"GLACIER_IR"}]}"#,
    says: "S3 cannot transition GLACIER to GLACIER_IR",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":30,"StorageClass":"GLACIER_IR"},{"NoncurrentDays":90,"StorageClass":"GLACIER"}]}"#,
);

rule!(
    noncurrent_expiration_days_are_positive,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":0}}"#,
    says: "NoncurrentVersionExpiration.NoncurrentDays: 0; must be a positive",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":1}}"#,
);

rule!(
    newer_noncurrent_versions_is_between_1_and_100,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":30,"NewerNoncurrentVersions":101}}"#,
    says: "NewerNoncurrentVersions: 101; must be between 1 and 100",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":30,"NewerNoncurrentVersions":100}}"#,
);

rule!(
    noncurrent_expiration_comes_after_noncurrent_transitions,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":60,"StorageClass":"GLACIER"}],"NoncurrentVersionExpiration":{"NoncurrentDays":60}}"#,
    says: "is not after NoncurrentVersionTransitions[0]",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":60,"StorageClass":"GLACIER"}],"NoncurrentVersionExpiration":{"NoncurrentDays":61}}"#,
);

rule!(
    abort_incomplete_upload_days_are_positive,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":0}}"#,
    says: "DaysAfterInitiation: 0; must be a positive",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1}}"#,
);

rule!(
    abort_incomplete_upload_is_not_used_with_a_tag_filter,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"And":{"Prefix":"up/","Tags":[{"Key":"k","Value":"v"}]}},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}"#,
    says: "cannot be used in a rule filtered by tags",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"up/"},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}"#,
);

rule!(
    legacy_prefixes_do_not_overlap_for_the_same_action,
    reject: r#"{"ID":"a","Status":"Enabled","Prefix":"logs/","Expiration":{"Days":30}},{"ID":"b","Status":"Enabled","Prefix":"logs/app/","Expiration":{"Days":90}}"#,
    says: "\"logs/app/\" overlaps \"logs/\" of rule a for the same action Expiration",
    accept: r#"{"ID":"a","Status":"Enabled","Prefix":"logs/","Expiration":{"Days":30}},{"ID":"b","Status":"Enabled","Prefix":"logs/app/","Transitions":[{"Days":30,"StorageClass":"GLACIER"}]}"#,
);

rule!(
    overlapping_filter_prefixes_are_allowed,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"logs/"},"Expiration":{"Days":0}}"#,
    says: "Expiration.Days: 0",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"logs/"},"Expiration":{"Days":30}},{"ID":"b","Status":"Enabled","Filter":{"Prefix":"logs/app/"},"Expiration":{"Days":90}}"#,
);

rule!(
    abort_incomplete_upload_is_not_used_with_an_object_size_filter,
    reject: r#"{"ID":"a","Status":"Enabled","Filter":{"ObjectSizeGreaterThan":1000},"Expiration":{"Days":14},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}"#,
    says: "cannot be used in a rule filtered by object size",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"ObjectSizeGreaterThan":1000},"Expiration":{"Days":14}},{"ID":"b","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}"#,
);

rule!(
    newer_noncurrent_versions_needs_a_filter_element,
    reject: r#"{"ID":"a","Status":"Enabled","Prefix":"logs/","NoncurrentVersionExpiration":{"NoncurrentDays":30,"NewerNoncurrentVersions":3}}"#,
    says: "Filter: NewerNoncurrentVersions needs a Filter element",
    accept: r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"logs/"},"NoncurrentVersionExpiration":{"NoncurrentDays":30,"NewerNoncurrentVersions":3}}"#,
);

#[test]
fn transition_default_minimum_object_size_takes_the_two_documented_values() {
    let doc = |v: &str| {
        format!(
            r#"{{"TransitionDefaultMinimumObjectSize":"{v}","Rules":[{{"ID":"a","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":1}}}}]}}"#
        )
    };
    let errs = |v: &str| -> Vec<String> {
        let cfg = parse(&doc(v), "t").unwrap();
        validate(&cfg).errors().map(|f| f.to_string()).collect()
    };
    assert!(
        errs("all_storage_classes_64K")
            .iter()
            .any(|f| f.contains("TransitionDefaultMinimumObjectSize"))
    );
    assert!(errs("all_storage_classes_128K").is_empty());
    assert!(errs("varies_by_storage_class").is_empty());
}

#[test]
fn status_is_enabled_or_disabled() {
    let bad = parse(
        r#"{"Rules":[{"ID":"a","Status":"enabled","Filter":{},"Expiration":{"Days":1}}]}"#,
        "t",
    );
    assert!(bad.unwrap_err().to_string().contains("Rules[0].Status"));
    assert!(
        parse(
            r#"{"Rules":[{"ID":"a","Status":"Disabled","Filter":{},"Expiration":{"Days":1}}]}"#,
            "t"
        )
        .is_ok()
    );
}
