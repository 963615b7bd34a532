//! Lifecycle rules as one line each: "prefix media/: 30d→STANDARD_IA, 90d→GLACIER_IR,
//! expire 365d". A bucket without a configuration is a state (has_lifecycle = false). The
//! line is drawn from the one lifecycle document model (`lifecycle_doc::Rule`), whether the
//! rule came over the S3 wire (AWS through `sdk_rules::rule_from_sdk`, or the simulation) or from
//! an operator's file.

use super::lifecycle_doc::{LifecycleConfiguration, Rule};
use crate::model::LifecycleRuleSummary;

/// Every rule of a configuration, summarized, in the document's order.
pub fn summaries(cfg: &LifecycleConfiguration) -> Vec<LifecycleRuleSummary> {
    cfg.rules.iter().map(summarize).collect()
}

/// The panel's line for one rule: its ID, status and what it does to which objects.
pub fn summarize(rule: &Rule) -> LifecycleRuleSummary {
    let mut steps: Vec<String> = Vec::new();
    for t in &rule.transitions {
        let class = if t.storage_class.is_empty() {
            "?"
        } else {
            &t.storage_class
        };
        match (t.days, &t.date) {
            (Some(d), _) => steps.push(format!("{d}d→{class}")),
            (None, Some(date)) => steps.push(format!("{}→{class}", date_only(date))),
            _ => steps.push(format!("→{class}")),
        }
    }
    if let Some(e) = &rule.expiration {
        if let Some(d) = e.days {
            steps.push(format!("expire {d}d"));
        } else if let Some(date) = &e.date {
            steps.push(format!("expire {}", date_only(date)));
        }
        if e.expired_object_delete_marker == Some(true) {
            steps.push("remove expired delete markers".into());
        }
    }
    for t in &rule.noncurrent_version_transitions {
        let newer = t
            .newer_noncurrent_versions
            .map(|n| format!(" (keep {n} newest)"))
            .unwrap_or_default();
        steps.push(format!(
            "noncurrent {}d→{}{newer}",
            t.noncurrent_days.unwrap_or(0),
            t.storage_class
        ));
    }
    if let Some(e) = &rule.noncurrent_version_expiration
        && let Some(d) = e.noncurrent_days
    {
        let newer = e
            .newer_noncurrent_versions
            .map(|n| format!(" (keep {n} newest)"))
            .unwrap_or_default();
        steps.push(format!("noncurrent expire {d}d{newer}"));
    }
    if let Some(d) = rule
        .abort_incomplete_multipart_upload
        .as_ref()
        .and_then(|a| a.days_after_initiation)
    {
        steps.push(format!("abort incomplete uploads {d}d"));
    }
    LifecycleRuleSummary {
        id: rule.id.clone().unwrap_or_default(),
        status: rule.status.as_str().to_string(),
        summary: format!("{}: {}", scope(rule), steps.join(", ")),
    }
}

/// Which objects the rule applies to, from the filter (or the legacy top-level prefix).
fn scope(rule: &Rule) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(p) = rule.effective_prefix().filter(|p| !p.is_empty()) {
        parts.push(format!("prefix {p}"));
    }
    if let Some(f) = &rule.filter {
        let and = f.and.as_ref();
        let tags: Vec<String> = f
            .tag
            .iter()
            .chain(and.map(|a| a.tags.as_slice()).unwrap_or_default())
            .map(|t| format!("{}={}", t.key, t.value))
            .collect();
        if !tags.is_empty() {
            parts.push(format!("tags {}", tags.join(",")));
        }
        let gt = f
            .object_size_greater_than
            .or_else(|| and.and_then(|a| a.object_size_greater_than));
        let lt = f
            .object_size_less_than
            .or_else(|| and.and_then(|a| a.object_size_less_than));
        if let Some(g) = gt {
            parts.push(format!("size > {g} B"));
        }
        if let Some(l) = lt {
            parts.push(format!("size < {l} B"));
        }
    }
    if parts.is_empty() {
        "all objects".into()
    } else {
        parts.join(" ")
    }
}

/// "2027-01-01" of an ISO 8601 date as written (S3 dates are midnight UTC).
fn date_only(d: &str) -> String {
    super::lifecycle_doc::parse_midnight_utc(d)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::s3::lifecycle_doc::parse;

    fn rules(json: &str) -> Vec<Rule> {
        parse(&format!("{{\"Rules\":[{json}]}}"), "t")
            .unwrap()
            .rules
    }

    #[test]
    fn summary_reads_like_the_rule() {
        let r = &rules(
            r#"{"ID":"media-tiering","Status":"Enabled","Filter":{"Prefix":"media/"},
            "Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"GLACIER_IR"}],
            "Expiration":{"Days":365}}"#,
        )[0];
        let s = summarize(r);
        assert_eq!(s.id, "media-tiering");
        assert_eq!(s.status, "Enabled");
        assert_eq!(
            s.summary,
            "prefix media/: 30d→STANDARD_IA, 90d→GLACIER_IR, expire 365d"
        );
    }

    #[test]
    fn summary_says_filters_dates_and_noncurrent_limits() {
        let r = &rules(
            r#"{"ID":"x","Status":"Disabled","Filter":{"And":{"Prefix":"a/","Tags":[{"Key":"k","Value":"v"}],"ObjectSizeGreaterThan":128}},
            "Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}],
            "NoncurrentVersionExpiration":{"NoncurrentDays":60,"NewerNoncurrentVersions":3}}"#,
        )[0];
        assert_eq!(
            summarize(r).summary,
            "prefix a/ tags k=v size > 128 B: 2027-01-01→GLACIER, noncurrent expire 60d (keep 3 newest)"
        );
    }
}
