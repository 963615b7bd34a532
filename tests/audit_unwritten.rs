//! An audit entry that cannot be written is never silent: a run whose terminal outcome
//! (succeeded) could not be recorded is reported as "AUDIT LOG NOT WRITTEN" and exits 1, and
//! a log the operation cannot write at all (a full device) refuses to start anything.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use async_trait::async_trait;
use opsdeck::audit::{Actor, AuditLog, Outcome};
use opsdeck::ops::plan::{Confirm, Guardrail, Plan, StepSpec};
use opsdeck::ops::runner::{self, OpControl, Operation, RunOutcome, StepCtx};
use tokio::sync::mpsc;

/// Its last step fills the disk under the audit log: the log's path now names `/dev/full`
/// (the entries written so far are moved aside), as a disk filling up mid-run would.
struct FillsTheDisk {
    plan: Plan,
    log_path: PathBuf,
}

#[async_trait]
impl Operation for FillsTheDisk {
    fn plan(&self) -> &Plan {
        &self.plan
    }
    async fn guardrails(&self) -> anyhow::Result<Vec<Guardrail>> {
        Ok(vec![Guardrail::at_most("x", "1".into(), "2".into(), true)])
    }
    async fn run_step(&self, step: usize, _ctx: &StepCtx) -> anyhow::Result<String> {
        if step == 1 {
            std::fs::rename(&self.log_path, self.log_path.with_extension("kept"))?;
            std::os::unix::fs::symlink("/dev/full", &self.log_path)?;
        }
        Ok(format!("did {step}"))
    }
    async fn verify(&self, _ctx: &StepCtx) -> anyhow::Result<String> {
        Ok("verified".into())
    }
}

fn log_at(path: &Path) -> AuditLog {
    AuditLog::new(
        path.to_path_buf(),
        Actor {
            user: "test".into(),
            host: "h".into(),
            context: "demo".into(),
        },
    )
}

#[tokio::test]
async fn a_terminal_outcome_that_cannot_be_written_is_reported_and_the_run_exits_failed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let op = Arc::new(FillsTheDisk {
        plan: Plan {
            kind: "probe".into(),
            context: "demo".into(),
            target: "thing".into(),
            summary: "test operation".into(),
            steps: vec![
                StepSpec::new("one", "first"),
                StepSpec::new("two", "second"),
            ],
            confirm: Confirm::YesNo,
        },
        log_path: path.clone(),
    });
    let s = runner::begin(op, log_at(&path), false).await.unwrap();
    let (tx, _rx) = mpsc::unbounded_channel();
    let out = s.run("--yes", OpControl::new(false), tx).await;
    match &out {
        RunOutcome::Failed(m) => {
            assert!(m.contains("AUDIT LOG NOT WRITTEN"), "{m}");
            assert!(m.contains("operation done"), "what did happen is said: {m}");
            assert!(m.contains("audit.jsonl"), "names the file: {m}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(out.exit_code(), 1);
    // What was written before the disk filled is intact, and has no terminal entry.
    let kept = log_at(&path.with_extension("kept")).read_all().unwrap();
    assert!(
        kept.iter()
            .any(|e| e.step == "one" && e.outcome == Outcome::Succeeded)
    );
    assert!(
        !kept
            .iter()
            .any(|e| e.step == "op" && e.outcome == Outcome::Succeeded),
        "no terminal entry claims success"
    );
}

#[test]
fn an_audit_log_on_a_full_device_refuses_to_start_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(
        &config,
        // A binlog plan: nothing is dialled before the plan's first audit entry.
        "audit_log = \"/dev/full\"\ndefault_context = \"c\"\n[contexts.c]\n\
         [[contexts.c.cutover]]\nname = \"p\"\nstrategy = \"binlog\"\n\
         source_url = \"mysql://root@127.0.0.1:9/\"\ntarget_url = \"mysql://root@127.0.0.1:9/\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--config")
        .arg(&config)
        .args(["op", "cutover", "--plan", "p", "--yes"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("audit log /dev/full") && err.contains("not a regular file"),
        "{err}"
    );
}
