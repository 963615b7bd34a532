//! Lifecycle rules S3 enforces on the expiring actions and on noncurrent versions:
//! `Expiration` (Days, Date or ExpiredObjectDeleteMarker, after every transition),
//! `NoncurrentVersionTransitions` and `NoncurrentVersionExpiration` (NoncurrentDays,
//! NewerNoncurrentVersions, the same waterfall as current versions) and
//! `AbortIncompleteMultipartUpload`. Called by [`super::validate::validate`].
//!
//! Sources: S3 API reference `LifecycleExpiration`, `NoncurrentVersionTransition`,
//! `NoncurrentVersionExpiration`, `AbortIncompleteMultipartUpload`; S3 user guide "Lifecycle
//! configuration elements".

use std::collections::BTreeMap;

use super::finding::Ctx;
use super::transitions::{MIN_DAYS_BEFORE_IA, TRANSITION_CLASSES, check_waterfall, is_ia};
use crate::services::s3::lifecycle_doc::Rule;
use crate::services::s3::lifecycle_doc::parse_midnight_utc;

pub(super) fn check_expiration(rule: &Rule, ctx: &mut Ctx<'_>) {
    let Some(e) = &rule.expiration else { return };
    let set = usize::from(e.days.is_some())
        + usize::from(e.date.is_some())
        + usize::from(e.expired_object_delete_marker.is_some());
    if set != 1 {
        ctx.error(
            "Expiration",
            "needs exactly one of Days, Date or ExpiredObjectDeleteMarker",
        );
    }
    if let Some(d) = e.days {
        if d < 1 {
            ctx.error(
                "Expiration.Days",
                format!("{d}; must be a positive number of days"),
            );
        }
        for (i, t) in rule.transitions.iter().enumerate() {
            if let Some(td) = t.days
                && td >= d
            {
                ctx.error(
                    "Expiration.Days",
                    format!(
                        "{d} is not after Transitions[{i}] ({td} days to {}); objects would expire \
                         before or as they transition",
                        t.storage_class
                    ),
                );
            }
        }
    }
    if let Some(s) = &e.date {
        match parse_midnight_utc(s) {
            Err(m) => ctx.error("Expiration.Date", m),
            Ok(ed) => {
                for (i, t) in rule.transitions.iter().enumerate() {
                    if let Some(td) = t.date.as_deref().and_then(|s| parse_midnight_utc(s).ok())
                        && td >= ed
                    {
                        ctx.error(
                            "Expiration.Date",
                            format!("{ed} is not after Transitions[{i}].Date {td}"),
                        );
                    }
                }
            }
        }
    }
    if e.expired_object_delete_marker == Some(true) && super::filters::has_tag_filter(rule) {
        ctx.error(
            "Expiration.ExpiredObjectDeleteMarker",
            "cannot be used in a rule filtered by tags",
        );
    }
}

pub(super) fn check_noncurrent(rule: &Rule, ctx: &mut Ctx<'_>) {
    // "You also need to provide a Filter element in order to specify the maximum number of
    // noncurrent versions ... Amazon S3 will generate an InvalidRequest error" (user guide,
    // lifecycle configuration elements): the legacy top-level Prefix is not enough.
    let keeps_versions = rule
        .noncurrent_version_transitions
        .iter()
        .any(|t| t.newer_noncurrent_versions.is_some())
        || rule
            .noncurrent_version_expiration
            .as_ref()
            .is_some_and(|e| e.newer_noncurrent_versions.is_some());
    if keeps_versions && rule.filter.is_none() {
        ctx.error(
            "Filter",
            "NewerNoncurrentVersions needs a Filter element (use \"Filter\": {\"Prefix\": ...} \
             instead of the legacy Prefix)",
        );
    }
    let mut steps: Vec<(i32, usize, &str)> = Vec::new();
    let mut seen_class: BTreeMap<&str, usize> = BTreeMap::new();
    let newer = |ctx: &mut Ctx<'_>, field: String, n: Option<i32>| {
        if let Some(n) = n
            && !(1..=100).contains(&n)
        {
            ctx.error(field, format!("{n}; must be between 1 and 100"));
        }
    };
    for (i, t) in rule.noncurrent_version_transitions.iter().enumerate() {
        let base = format!("NoncurrentVersionTransitions[{i}]");
        let class = t.storage_class.as_str();
        let class_ok = TRANSITION_CLASSES.contains(&class);
        if !class_ok {
            ctx.error(
                format!("{base}.StorageClass"),
                format!(
                    "{class:?} is not a lifecycle transition class; use one of {}",
                    TRANSITION_CLASSES.join(", ")
                ),
            );
        } else if let Some(first) = seen_class.insert(class, i) {
            ctx.error(
                format!("{base}.StorageClass"),
                format!(
                    "a second transition to {class} (NoncurrentVersionTransitions[{first}] already goes there)"
                ),
            );
        }
        newer(
            ctx,
            format!("{base}.NewerNoncurrentVersions"),
            t.newer_noncurrent_versions,
        );
        match t.noncurrent_days {
            None => ctx.error(format!("{base}.NoncurrentDays"), "missing; required"),
            Some(d) if d < 0 => ctx.error(
                format!("{base}.NoncurrentDays"),
                format!("{d}; must be >= 0"),
            ),
            Some(d) if is_ia(class) && d < MIN_DAYS_BEFORE_IA => ctx.error(
                format!("{base}.NoncurrentDays"),
                format!(
                    "{d} days before {class}; S3 requires noncurrent versions to be at least \
                     {MIN_DAYS_BEFORE_IA} days noncurrent"
                ),
            ),
            Some(d) if class_ok => steps.push((d, i, class)),
            Some(_) => {}
        }
    }
    check_waterfall(
        ctx,
        "NoncurrentVersionTransitions",
        "NoncurrentDays",
        &mut steps,
    );
    if let Some(e) = &rule.noncurrent_version_expiration {
        newer(
            ctx,
            "NoncurrentVersionExpiration.NewerNoncurrentVersions".into(),
            e.newer_noncurrent_versions,
        );
        match e.noncurrent_days {
            None => ctx.error(
                "NoncurrentVersionExpiration.NoncurrentDays",
                "missing; required",
            ),
            Some(d) if d < 1 => ctx.error(
                "NoncurrentVersionExpiration.NoncurrentDays",
                format!("{d}; must be a positive number of days"),
            ),
            Some(d) => {
                for (i, t) in rule.noncurrent_version_transitions.iter().enumerate() {
                    if let Some(td) = t.noncurrent_days
                        && td >= d
                    {
                        ctx.error(
                            "NoncurrentVersionExpiration.NoncurrentDays",
                            format!(
                                "{d} is not after NoncurrentVersionTransitions[{i}] ({td} days)"
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// `AbortIncompleteMultipartUpload`: a positive `DaysAfterInitiation`, and never in a rule
/// filtered by tags (an upload in progress has no tags to match).
pub(super) fn check_abort_upload(rule: &Rule, ctx: &mut Ctx<'_>) {
    if let Some(a) = &rule.abort_incomplete_multipart_upload {
        match a.days_after_initiation {
            None => ctx.error(
                "AbortIncompleteMultipartUpload.DaysAfterInitiation",
                "missing; required",
            ),
            Some(d) if d < 1 => ctx.error(
                "AbortIncompleteMultipartUpload.DaysAfterInitiation",
                format!("{d}; must be a positive number of days"),
            ),
            _ => {}
        }
        if super::filters::has_tag_filter(rule) {
            ctx.error(
                "AbortIncompleteMultipartUpload",
                "cannot be used in a rule filtered by tags (uploads have no tags yet)",
            );
        }
        // S3: "AbortIncompleteMultipartUpload cannot be specified with Object Size" (an
        // upload in progress has no size yet either).
        if has_size_filter(rule) {
            ctx.error(
                "AbortIncompleteMultipartUpload",
                "cannot be used in a rule filtered by object size (uploads have no size yet)",
            );
        }
    }
}

/// The rule's filter limits object size (directly or under And).
fn has_size_filter(rule: &Rule) -> bool {
    rule.filter.as_ref().is_some_and(|f| {
        f.object_size_greater_than.is_some()
            || f.object_size_less_than.is_some()
            || f.and.as_ref().is_some_and(|a| {
                a.object_size_greater_than.is_some() || a.object_size_less_than.is_some()
            })
    })
}
