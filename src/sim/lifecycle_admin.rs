//! The lifecycle admin trait over the embedded simulation's shared world (demo mode): the
//! StreamShop media bucket with its tiers and lifecycle rules, which the world applies as
//! simulated days pass. The world's document type has the same AWS field names as ours, so
//! documents cross over as JSON.

use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow};
use async_trait::async_trait;

use crate::services::s3::admin::{BucketUsage, LifecycleAdmin};
use crate::services::s3::lifecycle_doc::LifecycleConfiguration;
use crate::sim::{self, SharedWorld, SimError, SimOptions};

fn err(e: SimError) -> anyhow::Error {
    anyhow!("{}: {}", e.kind, e.message)
}

/// A fresh simulated world for a headless `opsdeck op` run in demo mode.
pub fn shared(opts: &SimOptions) -> Arc<dyn LifecycleAdmin> {
    Arc::new(SimLifecycleAdmin::new(sim::world(opts)))
}

pub struct SimLifecycleAdmin {
    world: SharedWorld,
}

impl SimLifecycleAdmin {
    pub fn new(world: SharedWorld) -> Self {
        SimLifecycleAdmin { world }
    }
}

fn to_world(cfg: &LifecycleConfiguration) -> Result<sim::lifecycle::LifecycleConfiguration> {
    let mut v = serde_json::to_value(cfg)?;
    // A bucket-level setting the simulation does not model.
    if let Some(m) = v.as_object_mut() {
        m.remove("TransitionDefaultMinimumObjectSize");
    }
    serde_json::from_value(v).context("the simulation cannot represent this document")
}

fn from_world(cfg: &sim::lifecycle::LifecycleConfiguration) -> Result<LifecycleConfiguration> {
    let v = serde_json::to_value(cfg)?;
    serde_json::from_value(v).context("reading the simulation's lifecycle document")
}

#[async_trait]
impl LifecycleAdmin for SimLifecycleAdmin {
    fn name(&self) -> &str {
        "the simulation"
    }
    async fn get_lifecycle(&self, bucket: &str) -> Result<LifecycleConfiguration> {
        let got = {
            let mut w = sim::lock(&self.world);
            w.sync_to_wall();
            w.lifecycle(bucket).map_err(err)?
        };
        match got {
            Some(c) => from_world(&c),
            None => Ok(LifecycleConfiguration::default()),
        }
    }
    async fn put_lifecycle(&self, bucket: &str, cfg: &LifecycleConfiguration) -> Result<()> {
        let doc = to_world(cfg)?;
        let mut w = sim::lock(&self.world);
        if cfg.rules.is_empty() {
            w.delete_lifecycle(bucket).map_err(err)
        } else {
            w.put_lifecycle(bucket, doc).map_err(err)
        }
    }
    async fn bucket_usage(&self, bucket: &str) -> Result<BucketUsage> {
        let mut w = sim::lock(&self.world);
        w.sync_to_wall();
        let (tiers, objects) = w
            .bucket_usage(bucket)
            .ok_or_else(|| anyhow!("NoSuchBucket: {bucket} is not in the simulation"))?;
        Ok(BucketUsage {
            total_bytes: tiers.values().sum(),
            objects,
            tiers,
            measured_by: "sim".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::lifecycle::validate::validate;

    #[tokio::test]
    async fn the_demo_bucket_rules_cross_over_and_are_valid() {
        let admin = shared(&SimOptions::default());
        let w = sim::world(&SimOptions::default());
        let bucket = sim::lock(&w).bucket_names()[0].clone();
        let cfg = admin.get_lifecycle(&bucket).await.unwrap();
        assert!(!cfg.rules.is_empty());
        let r = validate(&cfg);
        assert!(r.is_valid(), "{:?}", r.findings);
        admin.put_lifecycle(&bucket, &cfg).await.unwrap();
        assert_eq!(admin.get_lifecycle(&bucket).await.unwrap(), cfg);
        assert!(admin.bucket_usage(&bucket).await.unwrap().total_bytes > 0);
    }
}
