//! Lifecycle rules as one line each: "prefix media/: 30d→STANDARD_IA, 90d→GLACIER_IR,
//! expire 365d", from the one lifecycle document model ([`super::lifecycle_doc`]) whichever
//! wire it came over. A bucket without a configuration is a state (has_lifecycle = false).

use super::lifecycle_doc::{LifecycleConfiguration, Rule};
use crate::model::LifecycleRuleSummary;

/// Every rule of a configuration, summarized, in the document's order.
pub fn summaries(cfg: &LifecycleConfiguration) -> Vec<LifecycleRuleSummary> {
    cfg.rules.iter().map(summarize).collect()
}

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
        steps.push(format!(
            "noncurrent {}d→{}",
            t.noncurrent_days.unwrap_or(0),
            t.storage_class
        ));
    }
    if let Some(d) = rule
        .noncurrent_version_expiration
        .as_ref()
        .and_then(|e| e.noncurrent_days)
    {
        steps.push(format!("noncurrent expire {d}d"));
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
        let tags: Vec<String> = f
            .tag
            .iter()
            .chain(f.and.iter().flat_map(|a| a.tags.iter()))
            .map(|t| format!("{}={}", t.key, t.value))
            .collect();
        if !tags.is_empty() {
            parts.push(format!("tags {}", tags.join(",")));
        }
        let and = f.and.as_ref();
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

/// The day of a lifecycle date as written (`2026-01-01T00:00:00Z`, or epoch seconds).
fn date_only(d: &str) -> String {
    if let Ok(secs) = d.parse::<i64>()
        && let Some(t) = chrono::DateTime::from_timestamp(secs, 0)
    {
        return t.format("%Y-%m-%d").to_string();
    }
    d.get(..10).unwrap_or(d).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::types::{
        ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, Transition,
        TransitionStorageClass,
    };

    #[test]
    fn summary_reads_like_the_rule() {
        let rule = LifecycleRule::builder()
            .id("media-tiering")
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("media/").build())
            .transitions(
                Transition::builder()
                    .days(30)
                    .storage_class(TransitionStorageClass::StandardIa)
                    .build(),
            )
            .transitions(
                Transition::builder()
                    .days(90)
                    .storage_class(TransitionStorageClass::GlacierIr)
                    .build(),
            )
            .expiration(LifecycleExpiration::builder().days(365).build())
            .build()
            .unwrap();
        let s = summarize(&crate::services::s3::admin::rule_from_sdk(&rule));
        assert_eq!(s.id, "media-tiering");
        assert_eq!(s.status, "Enabled");
        assert_eq!(
            s.summary,
            "prefix media/: 30d→STANDARD_IA, 90d→GLACIER_IR, expire 365d"
        );
    }

    #[test]
    fn a_dated_transition_shows_its_day() {
        let cfg = crate::services::s3::lifecycle_doc::parse(
            r#"{"Rules":[{"ID":"d","Status":"Disabled","Filter":{},
                "Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}]}]}"#,
            "t.json",
        )
        .unwrap();
        let s = summaries(&cfg);
        assert_eq!(s[0].summary, "all objects: 2027-01-01→GLACIER");
        assert_eq!(s[0].status, "Disabled");
    }
}
