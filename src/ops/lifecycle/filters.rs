//! Lifecycle rules S3 enforces on filters beyond their shape: tag limits inside a rule, and
//! the legacy (pre-`Filter`) top-level `Prefix` rules, which S3 refuses when their prefixes
//! overlap for the same kind of action. Called by [`super::validate::validate`].
//!
//! Sources: S3 user guide "Categorizing your storage using tags" (tag key up to 128 Unicode
//! characters, value up to 256, keys unique per object) and "Lifecycle configuration elements"
//! (overlapping prefixes); the error S3 returns for them is "Found overlapping prefixes".

use std::collections::BTreeMap;

use super::finding::{Ctx, Finding};
use crate::services::s3::lifecycle_doc::{LifecycleConfiguration, Rule, Tag};

/// Longest tag key S3 accepts, in Unicode characters.
pub const MAX_TAG_KEY: usize = 128;
/// Longest tag value S3 accepts, in Unicode characters.
pub const MAX_TAG_VALUE: usize = 256;

/// Every tag of the rule's filter, with the field path it is at.
fn tags(rule: &Rule) -> Vec<(String, &Tag)> {
    let Some(f) = &rule.filter else {
        return Vec::new();
    };
    let mut out: Vec<(String, &Tag)> = f
        .tag
        .iter()
        .map(|t| ("Filter.Tag".to_string(), t))
        .collect();
    if let Some(a) = &f.and {
        out.extend(
            a.tags
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("Filter.And.Tags[{i}]"), t)),
        );
    }
    out
}

/// Tag keys unique within the filter, keys and values within S3's length limits.
pub(super) fn check_tags(rule: &Rule, ctx: &mut Ctx<'_>) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (path, t) in tags(rule) {
        if let Some(first) = seen.insert(t.key.as_str(), path.clone()) {
            ctx.error(
                format!("{path}.Key"),
                format!(
                    "{:?} is also the key of {first}; S3 refuses duplicate tag keys",
                    t.key
                ),
            );
        }
        let (k, v) = (t.key.chars().count(), t.value.chars().count());
        if k > MAX_TAG_KEY {
            ctx.error(
                format!("{path}.Key"),
                format!("{k} characters; S3 allows at most {MAX_TAG_KEY}"),
            );
        }
        if v > MAX_TAG_VALUE {
            ctx.error(
                format!("{path}.Value"),
                format!("{v} characters; S3 allows at most {MAX_TAG_VALUE}"),
            );
        }
    }
}

/// The kinds of action S3 compares when it looks for overlapping legacy prefixes.
fn action_kinds(rule: &Rule) -> Vec<&'static str> {
    let mut v = Vec::new();
    if rule.expiration.is_some() {
        v.push("Expiration");
    }
    if !rule.transitions.is_empty() {
        v.push("Transition");
    }
    if rule.noncurrent_version_expiration.is_some() {
        v.push("NoncurrentVersionExpiration");
    }
    if !rule.noncurrent_version_transitions.is_empty() {
        v.push("NoncurrentVersionTransition");
    }
    if rule.abort_incomplete_multipart_upload.is_some() {
        v.push("AbortIncompleteMultipartUpload");
    }
    v
}

/// Legacy `Prefix` rules (no `Filter`) whose prefixes overlap (one starts with the other)
/// and that share an action kind: S3 cannot tell which applies and refuses the document.
/// Rules with `Filter` may overlap; S3 then applies the cheaper action.
pub(super) fn check_legacy_overlap(cfg: &LifecycleConfiguration, out: &mut Vec<Finding>) {
    let legacy: Vec<(usize, &Rule, &str)> = cfg
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.filter.is_none() && r.enabled())
        .filter_map(|(i, r)| r.prefix.as_deref().map(|p| (i, r, p)))
        .collect();
    for (n, &(j, rj, pj)) in legacy.iter().enumerate() {
        for &(i, ri, pi) in &legacy[..n] {
            if !(pi.starts_with(pj) || pj.starts_with(pi)) {
                continue;
            }
            let ki = action_kinds(ri);
            if let Some(kind) = action_kinds(rj).into_iter().find(|k| ki.contains(k)) {
                let mut ctx = Ctx::new(Some(rj.label(j)), out);
                ctx.error(
                    "Prefix",
                    format!(
                        "{pj:?} overlaps {pi:?} of rule {} for the same action {kind}; S3 \
                         refuses overlapping legacy prefixes (use Filter, or disjoint prefixes)",
                        ri.label(i)
                    ),
                );
            }
        }
    }
}

pub(super) fn has_tag_filter(rule: &Rule) -> bool {
    rule.filter
        .as_ref()
        .is_some_and(|f| f.tag.is_some() || f.and.as_ref().is_some_and(|a| !a.tags.is_empty()))
}

pub(super) fn check_filter(rule: &Rule, ctx: &mut Ctx<'_>) {
    match (&rule.filter, &rule.prefix) {
        (Some(_), Some(_)) => ctx.error(
            "Prefix",
            "both Filter and the legacy Prefix are set; use only Filter",
        ),
        (None, None) => ctx.error(
            "Filter",
            "missing; use \"Filter\": {} for the whole bucket or {\"Prefix\": \"...\"}",
        ),
        _ => {}
    }
    let Some(f) = &rule.filter else { return };
    let members = f.members_set();
    if members.len() > 1 {
        ctx.error(
            "Filter",
            format!(
                "{} are set; a Filter takes exactly one (combine them under And)",
                members.join(", ")
            ),
        );
    }
    let sizes = |ctx: &mut Ctx<'_>, base: &str, gt: Option<i64>, lt: Option<i64>| {
        if let Some(g) = gt
            && g < 0
        {
            ctx.error(
                format!("{base}ObjectSizeGreaterThan"),
                format!("{g}; must be >= 0"),
            );
        }
        if let Some(l) = lt
            && l <= 0
        {
            ctx.error(
                format!("{base}ObjectSizeLessThan"),
                format!("{l}; must be > 0"),
            );
        }
        if let (Some(g), Some(l)) = (gt, lt)
            && g >= l
        {
            ctx.error(
                format!("{base}ObjectSizeLessThan"),
                format!("{l} is not greater than ObjectSizeGreaterThan {g}; no object matches"),
            );
        }
    };
    sizes(
        ctx,
        "Filter.",
        f.object_size_greater_than,
        f.object_size_less_than,
    );
    if let Some(and) = &f.and {
        let n = usize::from(and.prefix.is_some())
            + and.tags.len()
            + usize::from(and.object_size_greater_than.is_some())
            + usize::from(and.object_size_less_than.is_some());
        if n < 2 {
            ctx.error(
                "Filter.And",
                "And combines two or more conditions; for one, put it directly under Filter",
            );
        }
        sizes(
            ctx,
            "Filter.And.",
            and.object_size_greater_than,
            and.object_size_less_than,
        );
        for (i, t) in and.tags.iter().enumerate() {
            if t.key.is_empty() {
                ctx.error(format!("Filter.And.Tags[{i}].Key"), "empty tag key");
            }
        }
    }
    if let Some(t) = &f.tag
        && t.key.is_empty()
    {
        ctx.error("Filter.Tag.Key", "empty tag key");
    }
}
