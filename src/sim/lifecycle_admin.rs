//! The lifecycle admin trait over the embedded simulation's shared world (demo mode): the
//! StreamShop media bucket with its tiers and lifecycle rules, which the world applies as
//! simulated days pass. The world stores the one lifecycle document model
//! (`lifecycle_doc`) as put: nothing is converted, so nothing is dropped.

use anyhow::{Result, anyhow};
use async_trait::async_trait;

use crate::services::s3::admin::{BucketUsage, LifecycleAdmin};
use crate::services::s3::lifecycle_doc::LifecycleConfiguration;
use crate::sim::{self, SharedWorld, SimError};

fn err(e: SimError) -> anyhow::Error {
    anyhow!("{}: {}", e.kind, e.message)
}

pub struct SimLifecycleAdmin {
    world: SharedWorld,
}

impl SimLifecycleAdmin {
    pub fn new(world: SharedWorld) -> Self {
        SimLifecycleAdmin { world }
    }
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
        Ok(got.unwrap_or_default())
    }
    async fn put_lifecycle(&self, bucket: &str, cfg: &LifecycleConfiguration) -> Result<()> {
        let mut w = sim::lock(&self.world);
        if cfg.rules.is_empty() {
            w.delete_lifecycle(bucket).map_err(err)
        } else {
            w.put_lifecycle(bucket, cfg.clone()).map_err(err)
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
    use crate::sim::SimOptions;

    #[tokio::test]
    async fn the_demo_bucket_rules_cross_over_and_are_valid() {
        let admin = SimLifecycleAdmin::new(sim::world(&SimOptions::default()));
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

    #[tokio::test]
    async fn every_field_survives_the_simulations_put_and_get() {
        use crate::services::s3::lifecycle_doc::{EVERY_FIELD, parse};
        let admin = SimLifecycleAdmin::new(sim::world(&SimOptions::default()));
        let w = sim::world(&SimOptions::default());
        let bucket = sim::lock(&w).bucket_names()[0].clone();
        let cfg = parse(EVERY_FIELD, "every.json").unwrap();
        admin.put_lifecycle(&bucket, &cfg).await.unwrap();
        let back = admin.get_lifecycle(&bucket).await.unwrap();
        assert_eq!(back, cfg);
        assert_eq!(
            back.transition_default_minimum_object_size.as_deref(),
            Some("all_storage_classes_128K"),
            "the bucket-level setting is kept, not dropped on the way in"
        );
    }
}
