//! The lifecycle operation: validate the desired document with S3's rules, show the diff and
//! the projected cost, PUT the whole configuration, read it back and compare.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Result, bail};
use async_trait::async_trait;

use super::cost::{CostProjection, project};
use super::diff::{Diff, RuleChange, diff};
use super::validate::{Report, Severity, validate};
use crate::ops::plan::{Confirm, Guardrail, Plan, StepSpec};
use crate::ops::runner::{Operation, StepCtx};
use crate::services::s3::admin::{BucketUsage, LifecycleAdmin, compare};
use crate::services::s3::lifecycle_doc::LifecycleConfiguration;

pub mod step {
    pub const CHECK: &str = "check-current";
    pub const PUT: &str = "put-configuration";
}

pub struct LifecycleOp {
    plan: Plan,
    bucket: String,
    admin: Arc<dyn LifecycleAdmin>,
    pub current: LifecycleConfiguration,
    pub desired: LifecycleConfiguration,
    pub report: Report,
    pub diff: Diff,
    pub cost: Option<CostProjection>,
    pub usage: Option<BucketUsage>,
    /// Why the usage could not be measured (the projection is then omitted).
    pub usage_error: Option<String>,
}

fn compact(cfg: &LifecycleConfiguration) -> String {
    serde_json::to_string(cfg).unwrap_or_default()
}

impl LifecycleOp {
    /// Read the bucket's current configuration and usage, validate and diff. Only reads.
    pub async fn prepare(
        admin: Arc<dyn LifecycleAdmin>,
        bucket: &str,
        desired: LifecycleConfiguration,
        prices: &BTreeMap<String, f64>,
        context: &str,
        source_file: &str,
    ) -> Result<Self> {
        let current = admin.get_lifecycle(bucket).await?;
        let report = validate(&desired);
        let diff = diff(&current, &desired);
        let (usage, usage_error) = match admin.bucket_usage(bucket).await {
            Ok(u) => (Some(u), None),
            Err(e) => (None, Some(crate::fmt::chain(&e).to_string())),
        };
        let cost = usage.as_ref().map(|u| {
            project(
                &u.as_status(bucket),
                &current,
                &desired,
                prices,
                chrono::Utc::now().date_naive(),
            )
        });
        let count = |f: fn(&RuleChange) -> bool| diff.count(f);
        let added = count(|c| matches!(c, RuleChange::Added { .. }));
        let changed = count(|c| matches!(c, RuleChange::Changed { .. }));
        let removed = count(|c| matches!(c, RuleChange::Removed { .. }));
        let unchanged = count(|c| matches!(c, RuleChange::Unchanged { .. }));
        let put_desc = if desired.rules.is_empty() {
            format!(
                "Delete {bucket}'s lifecycle configuration (the document has no rules; removes {removed})"
            )
        } else {
            format!(
                "PUT the whole configuration from {source_file}: {} rules (+{added} added, ~{changed} changed, -{removed} removed, ={unchanged} unchanged)",
                desired.rules.len()
            )
        };
        let steps = vec![
            StepSpec::new(
                step::CHECK,
                format!(
                    "Re-read {bucket}'s configuration; it must still be the {} rules this plan was made from",
                    current.rules.len()
                ),
            ),
            StepSpec::new(step::PUT, put_desc).rollback(if current.rules.is_empty() {
                "delete the configuration again (the bucket had none)".to_string()
            } else {
                format!("PUT the previous {} rules back", current.rules.len())
            }),
        ];
        let confirm = if removed > 0 {
            Confirm::type_name(context, context == "demo", bucket)
        } else {
            Confirm::YesNo
        };
        let summary = format!(
            "S3 bucket {bucket} on {}: {} -> {} rules{}",
            admin.name(),
            current.rules.len(),
            desired.rules.len(),
            match &cost {
                Some(c) => format!(
                    ", projected {:+.2} USD/month ({:.2} -> {:.2})",
                    c.usd_delta(),
                    c.usd_before,
                    c.usd_after
                ),
                None => String::new(),
            }
        );
        Ok(LifecycleOp {
            plan: Plan {
                kind: "lifecycle".into(),
                context: context.to_string(),
                target: bucket.to_string(),
                summary,
                steps,
                confirm,
            },
            bucket: bucket.to_string(),
            admin,
            current,
            desired,
            report,
            diff,
            cost,
            usage,
            usage_error,
        })
    }

    /// The diff, the cost projection and validation warnings, printed with the plan, with no
    /// width limit (see [`LifecycleOp::details_blocks`]).
    pub fn details(&self) -> String {
        let mut s = String::new();
        for l in crate::fmt::block_lines(&self.details_blocks(), None) {
            s.push_str(&l);
            s.push('\n');
        }
        s
    }

    /// [`LifecycleOp::details`] as lines and tables, for whatever width shows them (the op
    /// dialog's plan pane, a terminal).
    pub fn details_blocks(&self) -> Vec<crate::fmt::TextBlock> {
        use crate::fmt::TextBlock;
        let line = |s: String| TextBlock::Line(s);
        let mut out = vec![line(format!(
            "changes to {} (a PUT replaces every rule):",
            self.bucket
        ))];
        out.extend(self.diff.to_string().lines().map(|l| line(l.to_string())));
        let removed: Vec<&str> = self.diff.removed().collect();
        if !removed.is_empty() {
            out.push(line(format!(
                "  ! {} rule(s) will be DELETED: {}",
                removed.len(),
                removed.join(", ")
            )));
        }
        out.push(line(String::new()));
        match (&self.cost, &self.usage) {
            (Some(c), Some(u)) => {
                out.push(line(format!(
                    "projected monthly storage cost (bucket usage from {}):",
                    crate::model::s3_storage::measured_by_label(&u.measured_by)
                )));
                out.extend(c.blocks());
            }
            _ => out.push(line(format!(
                "projected cost: unavailable ({})",
                self.usage_error.as_deref().unwrap_or("no usage figures")
            ))),
        }
        let warnings: Vec<String> = self.report.warnings().map(|w| w.to_string()).collect();
        if !warnings.is_empty() {
            out.push(line(String::new()));
            out.push(line("warnings:".into()));
            out.extend(warnings.into_iter().map(|w| line(format!("  ! {w}"))));
        }
        out
    }
}

#[async_trait]
impl Operation for LifecycleOp {
    fn plan(&self) -> &Plan {
        &self.plan
    }

    async fn guardrails(&self) -> Result<Vec<Guardrail>> {
        let mut g = Vec::new();
        let errors: Vec<_> = self.report.errors().collect();
        if errors.is_empty() {
            g.push(Guardrail::require(
                "S3 lifecycle rules",
                format!(
                    "{} rules valid ({} warnings)",
                    self.desired.rules.len(),
                    self.report.warnings().count()
                ),
                "valid".into(),
                true,
            ));
        }
        for f in errors {
            debug_assert_eq!(f.severity, Severity::Error);
            g.push(Guardrail {
                name: format!("rule {}", f.rule.as_deref().unwrap_or("(document)")),
                measured: format!("{}: {}", f.field, f.message),
                limit: "S3's lifecycle rules".into(),
                pass: false,
                message: f.to_string(),
            });
        }
        match self.admin.get_lifecycle(&self.bucket).await {
            Ok(now) => {
                let same = compare(&self.current, &now).is_empty();
                g.push(Guardrail::require(
                    "current configuration",
                    format!(
                        "{} rules{}",
                        now.rules.len(),
                        if same {
                            ""
                        } else {
                            " (changed since the plan was made)"
                        }
                    ),
                    "unchanged since the plan".into(),
                    same,
                ));
            }
            Err(e) => g.push(Guardrail::unmeasurable(
                "current configuration",
                crate::fmt::chain(&e).to_string(),
            )),
        }
        Ok(g)
    }

    async fn run_step(&self, i: usize, _ctx: &StepCtx) -> Result<String> {
        match self.plan.steps[i].id.as_str() {
            step::CHECK => {
                let now = self.admin.get_lifecycle(&self.bucket).await?;
                let d = compare(&self.current, &now);
                if !d.is_empty() {
                    bail!(
                        "{}'s configuration changed since the plan was made ({}); run again to see the new diff",
                        self.bucket,
                        d.join("; ")
                    );
                }
                Ok(format!("{} rules, as planned", now.rules.len()))
            }
            step::PUT => {
                self.admin
                    .put_lifecycle(&self.bucket, &self.desired)
                    .await?;
                Ok(format!(
                    "{} rules written; before: {}; after: {}",
                    self.desired.rules.len(),
                    compact(&self.current),
                    compact(&self.desired)
                ))
            }
            other => bail!("unknown step {other}"),
        }
    }

    async fn rollback_step(&self, i: usize, _ctx: &StepCtx) -> Result<String> {
        match self.plan.steps[i].id.as_str() {
            step::PUT => {
                self.admin
                    .put_lifecycle(&self.bucket, &self.current)
                    .await?;
                Ok(format!(
                    "previous configuration ({} rules) restored",
                    self.current.rules.len()
                ))
            }
            other => bail!("step {other} has no rollback"),
        }
    }

    async fn verify(&self, _ctx: &StepCtx) -> Result<String> {
        let back = self.admin.get_lifecycle(&self.bucket).await?;
        let d = compare(&self.desired, &back);
        if !d.is_empty() {
            bail!("read back differs from what was sent: {}", d.join("; "));
        }
        Ok(format!(
            "{} rules read back from {}, equal to the document",
            back.rules.len(),
            self.bucket
        ))
    }

    async fn inspect(&self) -> Result<String> {
        let now = self.admin.get_lifecycle(&self.bucket).await?;
        let is_new = compare(&self.desired, &now).is_empty();
        let is_old = compare(&self.current, &now).is_empty();
        Ok(format!(
            "{} has {} rules: {}",
            self.bucket,
            now.rules.len(),
            match (is_new, is_old) {
                (true, _) => "the new configuration is in place",
                (false, true) => "the old configuration is still in place",
                _ => "neither the old nor the new configuration",
            }
        ))
    }
}

/// Building the operation from the resolved config, for `opsdeck op lifecycle`.
pub mod cli {
    use std::path::Path;
    use std::sync::Arc;

    use super::LifecycleOp;
    use crate::config::Resolved;
    use crate::exit;
    use crate::ops::lifecycle::cost;
    use crate::services::s3::admin::LifecycleAdmin;
    use crate::services::s3::lifecycle_doc as model;

    /// Exit code and message when the operation cannot even be planned.
    pub type Stop = (i32, String);

    /// The S3 API an operation runs against, still to be built (the SDK config loads first).
    /// Err: a usage problem (no `[contexts.X.s3]`).
    pub type AdminFuture =
        futures::future::BoxFuture<'static, Result<Arc<dyn LifecycleAdmin>, String>>;

    /// Load the document (a file that cannot be read is a usage error, exit 2; one that is
    /// not a valid lifecycle document is refused, exit 3) and plan the change.
    pub async fn build(
        r: &Resolved,
        admin: AdminFuture,
        bucket: &str,
        rules: &Path,
    ) -> Result<Arc<LifecycleOp>, Stop> {
        let desired = match model::load(rules) {
            Ok(d) => d,
            Err(e @ model::LoadError::Io { .. }) => return Err((exit::USAGE, e.to_string())),
            Err(e) => return Err((exit::REFUSED, format!("refused: {e}"))),
        };
        let admin = admin.await.map_err(|m| (exit::USAGE, m))?;
        let prices = cost::prices(r.context().region.as_deref(), &r.config.s3_prices);
        LifecycleOp::prepare(
            admin,
            bucket,
            desired,
            &prices,
            &r.context_name,
            &rules.display().to_string(),
        )
        .await
        .map(Arc::new)
        .map_err(|e| (exit::FAILED, crate::fmt::chain(&e).to_string()))
    }
}
