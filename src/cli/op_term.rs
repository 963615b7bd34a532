//! The operator's terminal while `opsdeck op` runs: the confirmation prompt, `release` /
//! `hold` / `abort` typed on stdin, one line per step event, and the signals that abort.

use std::io::{BufRead, IsTerminal, Write};

use tokio::sync::mpsc;

use crate::ops::plan::{Confirm, OpEvent, Plan};
use crate::ops::runner::OpControl;

pub(super) enum Confirmation {
    Yes(String),
    No(String),
    NoTerminal,
}

pub(super) fn confirm(plan: &Plan, yes: bool, what: &str) -> Confirmation {
    if yes {
        return Confirmation::Yes("--yes".into());
    }
    if !std::io::stdin().is_terminal() {
        return Confirmation::NoTerminal;
    }
    let mut line = String::new();
    // An answer to a prompt the operator never saw is no answer: declined.
    let ask = |prompt: String| {
        super::out::print(&prompt)
            .map_err(|e| Confirmation::No(format!("cannot write the prompt to stdout: {e}")))
    };
    match &plan.confirm {
        Confirm::YesNo => {
            if let Err(no) = ask(format!("\n{what} {} {}? [y/N] ", plan.kind, plan.target)) {
                return no;
            }
            let _ = std::io::stdin().lock().read_line(&mut line);
            match line.trim() {
                "y" | "Y" | "yes" => Confirmation::Yes("answered y".into()),
                _ => Confirmation::No("operator answered no".into()),
            }
        }
        Confirm::TypeName(name) => {
            if let Err(no) = ask(format!(
                "\nto {what} {} {}, type the name `{name}` to confirm: ",
                plan.kind, plan.target
            )) {
                return no;
            }
            let _ = std::io::stdin().lock().read_line(&mut line);
            if line.trim() == name {
                Confirmation::Yes(format!("typed {name}"))
            } else {
                Confirmation::No(format!(
                    "operator typed {:?}, expected `{name}`",
                    line.trim()
                ))
            }
        }
    }
}

/// Operator commands on stdin while the plan runs: `release`, `hold`, `abort`. A plain
/// thread: a blocked read must not keep the tokio runtime from shutting down.
pub(super) fn spawn_controls(ctl: OpControl) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            match line.trim() {
                "release" | "r" => ctl.release(),
                "hold" | "h" => ctl.hold(),
                "abort" | "a" => ctl.abort(),
                "" => {}
                other => crate::say!("unknown command {other:?}: type release, hold or abort"),
            }
        }
        // stdin closed: nobody can type `release` any more, so a hold could never end.
        if ctl.hold_requested() {
            crate::say!(
                "opsdeck: stdin closed while a hold is requested: nothing can release it; aborting"
            );
            ctl.abort();
        }
    })
}

pub(super) async fn print_events(plan: Plan, mut rx: mpsc::UnboundedReceiver<OpEvent>) {
    let n = plan.steps.len();
    let id = |i: usize| plan.steps.get(i).map(|s| s.id.as_str()).unwrap_or("verify");
    let mut last_progress = String::new();
    let mut last_at = std::time::Instant::now() - std::time::Duration::from_secs(10);
    while let Some(ev) = rx.recv().await {
        let line = match &ev {
            OpEvent::StepStarted { step, .. } => {
                format!("[{}/{n}] {} ...", step + 1, plan.steps[*step].description)
            }
            OpEvent::Progress { step, message, .. } => {
                if *message == last_progress || last_at.elapsed().as_millis() < 1000 {
                    continue;
                }
                last_progress = message.clone();
                last_at = std::time::Instant::now();
                format!("      {}: {message}", id(*step))
            }
            OpEvent::Figure { .. } => continue,
            OpEvent::StepSucceeded { step, message } => format!("  ✓ {}: {message}", id(*step)),
            OpEvent::StepFailed { step, error } => format!("  ✗ {}: {error}", id(*step)),
            OpEvent::Held { step } => {
                let (what, abort) = match plan.point_of_no_return() {
                    Some(p) if *step == p => (" (point of no return)", "`abort` to roll back"),
                    Some(p) if *step > p => (" (past the point of no return)", "no abort"),
                    _ => ("", "`abort` to roll back"),
                };
                format!(
                    "  ‖ held before {}{what}: type `release` to continue, {abort}",
                    id(*step)
                )
            }
            OpEvent::Released { step } => format!("  released: continuing with {}", id(*step)),
            OpEvent::RollbackStarted { step } => format!("  ↺ rolling back {} ...", id(*step)),
            OpEvent::RolledBack { step, message } => format!("  ↺ {}: {message}", id(*step)),
            OpEvent::RollbackFailed { step, error } => {
                format!("  ✗ rollback {}: {error}", id(*step))
            }
            OpEvent::Verified { message } => format!("  ✓ verified: {message}"),
            OpEvent::Done { .. } | OpEvent::Failed { .. } | OpEvent::Aborted { .. } => continue,
        };
        // The terminal may be gone (SIGHUP, a closed pipe): a failed write must not stop the
        // run between two steps, so these lines are the one place write errors are ignored.
        let mut out = super::out::stdout();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// SIGINT, SIGTERM and SIGHUP (SSH dropped) abort the run: before the point of no return
/// the runner rolls back and audits `aborted`; past it the abort is ignored and the run
/// completes (writes to a vanished terminal are ignored), audited, and only then does the
/// process exit. Listens for the whole run, so a second signal changes nothing.
pub(super) fn spawn_signal_abort(ctl: OpControl) -> tokio::task::JoinHandle<()> {
    use tokio::signal::unix::{SignalKind, signal};
    tokio::spawn(async move {
        let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        loop {
            let name = tokio::select! {
                _ = int.recv() => "SIGINT",
                _ = term.recv() => "SIGTERM",
                _ = hup.recv() => "SIGHUP",
            };
            crate::say!(
                "\nopsdeck: {name}: aborting (rolled back if before the point of no return, \
                 else the operation completes first)"
            );
            ctl.abort();
        }
    })
}
