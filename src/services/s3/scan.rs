//! Counting a bucket by listing it (ListObjectsV2), for buckets CloudWatch has no daily
//! figures for (new buckets, emulators, accounts without storage metrics). Capped, because a
//! listing costs one request per 1,000 objects.

use std::collections::BTreeMap;

use crate::model::s3_storage;

/// Objects listed when the config sets no `scan_max_objects`.
pub const DEFAULT_MAX_OBJECTS: u64 = 100_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanResult {
    pub tiers: BTreeMap<String, u64>,
    pub objects: u64,
    /// The cap stopped the listing before its end: the figures are a lower bound.
    pub truncated: bool,
    pub pages: u64,
}

pub async fn scan(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: Option<&str>,
    max_objects: u64,
) -> anyhow::Result<ScanResult> {
    let mut out = ScanResult::default();
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .set_prefix(prefix.map(str::to_string))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page
            .map_err(|e| anyhow::anyhow!("ListObjectsV2 {bucket}: {}", super::aws_message(&e)))?;
        out.pages += 1;
        for o in page.contents() {
            if out.objects >= max_objects {
                out.truncated = true;
                return Ok(out);
            }
            let class = o.storage_class().map(|c| c.as_str()).unwrap_or("STANDARD");
            // A class the table does not know keeps its own name: shown, priced as unknown.
            let key = s3_storage::of_class(class).unwrap_or(class).to_string();
            *out.tiers.entry(key).or_default() += o.size().unwrap_or(0).max(0) as u64;
            out.objects += 1;
        }
    }
    Ok(out)
}
