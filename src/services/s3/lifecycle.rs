//! Lifecycle rules as one line each: "prefix media/: 30d→STANDARD_IA, 90d→GLACIER_IR,
//! expire 365d". A bucket without a configuration is a state (has_lifecycle = false).

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{LifecycleRule, LifecycleRuleFilter};

use crate::model::LifecycleRuleSummary;

/// Rules of `bucket`; `Ok(None)` when it has no lifecycle configuration.
pub async fn fetch(
    client: &aws_sdk_s3::Client,
    bucket: &str,
) -> anyhow::Result<Option<Vec<LifecycleRuleSummary>>> {
    match client
        .get_bucket_lifecycle_configuration()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(out) => Ok(Some(out.rules().iter().map(summarize).collect())),
        Err(e) if e.code() == Some("NoSuchLifecycleConfiguration") => Ok(None),
        Err(e) => Err(anyhow::anyhow!(
            "GetBucketLifecycleConfiguration {bucket}: {}",
            super::aws_message(&e)
        )),
    }
}

pub fn summarize(rule: &LifecycleRule) -> LifecycleRuleSummary {
    let mut steps: Vec<String> = Vec::new();
    for t in rule.transitions() {
        let class = t.storage_class().map(|c| c.as_str()).unwrap_or("?");
        match (t.days(), t.date()) {
            (Some(d), _) => steps.push(format!("{d}d→{class}")),
            (None, Some(date)) => steps.push(format!("{}→{class}", date_only(date))),
            _ => steps.push(format!("→{class}")),
        }
    }
    if let Some(e) = rule.expiration() {
        if let Some(d) = e.days() {
            steps.push(format!("expire {d}d"));
        } else if let Some(date) = e.date() {
            steps.push(format!("expire {}", date_only(date)));
        }
        if e.expired_object_delete_marker() == Some(true) {
            steps.push("remove expired delete markers".into());
        }
    }
    for t in rule.noncurrent_version_transitions() {
        let class = t.storage_class().map(|c| c.as_str()).unwrap_or("?");
        steps.push(format!(
            "noncurrent {}d→{class}",
            t.noncurrent_days().unwrap_or(0)
        ));
    }
    if let Some(d) = rule
        .noncurrent_version_expiration()
        .and_then(|e| e.noncurrent_days())
    {
        steps.push(format!("noncurrent expire {d}d"));
    }
    if let Some(d) = rule
        .abort_incomplete_multipart_upload()
        .and_then(|a| a.days_after_initiation())
    {
        steps.push(format!("abort incomplete uploads {d}d"));
    }
    LifecycleRuleSummary {
        id: rule.id().unwrap_or_default().to_string(),
        status: rule.status().as_str().to_string(),
        summary: format!("{}: {}", scope(rule), steps.join(", ")),
    }
}

/// Which objects the rule applies to, from the filter (or the legacy top-level prefix).
fn scope(rule: &LifecycleRule) -> String {
    let mut parts: Vec<String> = Vec::new();
    let filter: Option<&LifecycleRuleFilter> = rule.filter();
    #[allow(deprecated)]
    let legacy = rule.prefix();
    let prefix = filter
        .and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix())))
        .or(legacy)
        .filter(|p| !p.is_empty());
    if let Some(p) = prefix {
        parts.push(format!("prefix {p}"));
    }
    if let Some(f) = filter {
        let tags: Vec<String> = f
            .tag()
            .into_iter()
            .chain(f.and().map(|a| a.tags()).unwrap_or_default())
            .map(|t| format!("{}={}", t.key(), t.value()))
            .collect();
        if !tags.is_empty() {
            parts.push(format!("tags {}", tags.join(",")));
        }
        let gt = f
            .object_size_greater_than()
            .or_else(|| f.and().and_then(|a| a.object_size_greater_than()));
        let lt = f
            .object_size_less_than()
            .or_else(|| f.and().and_then(|a| a.object_size_less_than()));
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

fn date_only(d: &aws_smithy_types::DateTime) -> String {
    chrono::DateTime::from_timestamp(d.secs(), 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::types::{
        ExpirationStatus, LifecycleExpiration, Transition, TransitionStorageClass,
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
        let s = summarize(&rule);
        assert_eq!(s.id, "media-tiering");
        assert_eq!(s.status, "Enabled");
        assert_eq!(
            s.summary,
            "prefix media/: 30d→STANDARD_IA, 90d→GLACIER_IR, expire 365d"
        );
    }
}
