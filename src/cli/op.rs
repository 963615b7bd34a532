//! `opsdeck op ...`: operations headless. (Placeholder until the ops framework lands.)

use clap::Subcommand;
use std::path::PathBuf;

use crate::config::Resolved;
use crate::sim::SimOptions;

#[derive(Debug, Clone, Subcommand)]
pub enum OpCommand {
    /// Reindex into a new index and move the alias atomically.
    Reindex {
        #[arg(long)]
        source: String,
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        alias: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Replace a bucket's lifecycle configuration with FILE (PutBucketLifecycleConfiguration JSON).
    Lifecycle {
        #[arg(long)]
        bucket: String,
        #[arg(long, value_name = "FILE")]
        rules: PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Run a cutover plan from the config.
    Cutover {
        #[arg(long)]
        plan: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        yes: bool,
    },
}

pub async fn run(_resolved: &Resolved, _sim: &SimOptions, _op: OpCommand) -> i32 {
    eprintln!("opsdeck: operations are not implemented yet");
    super::exit::FAILED
}
