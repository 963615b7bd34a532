//! `opsdeck logs GROUP [--filter P] [--since DUR] [--follow]`: CloudWatch Logs events one per
//! line (timestamp, stream, message), like `aws logs tail`, with the context's credentials.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use clap::Args;

use super::exit;
use crate::config::Resolved;
use crate::services::aws::AwsContext;
use crate::services::logs::{CloudWatchLogs, LogEvent, LogsError, LogsWire, Tail, format_line};

#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// Log group name, e.g. /aws/rds/cluster/catalog/slowquery.
    pub group: String,
    /// Filter pattern in CloudWatch Logs syntax, e.g. `ERROR` or `{ $.status = 500 }`.
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// How far back to start: a duration (10m, 1h, 2d) or an RFC 3339 time.
    #[arg(
        long,
        default_value = "10m",
        value_name = "DUR",
        allow_hyphen_values = true
    )]
    pub since: String,
    /// Keep reading new events until interrupted (Ctrl-C).
    #[arg(long)]
    pub follow: bool,
    /// With --follow: time between two reads.
    #[arg(long, default_value = "2s", value_parser = super::parse_duration, value_name = "DUR",
          allow_hyphen_values = true)]
    pub poll_interval: Duration,
}

/// Run the command. Exit 0 when done (or interrupted while following), 1 when CloudWatch Logs
/// answered with an error, 2 for bad arguments or a demo context (there are no simulated logs).
/// `Err` when stdout could not be written (a closed pipe ends a `--follow` quietly).
pub async fn run(resolved: &Resolved, args: LogsArgs) -> std::io::Result<i32> {
    if resolved.demo() {
        crate::say!(
            "opsdeck logs: the demo has no CloudWatch Logs; give a config whose context has AWS credentials"
        );
        return Ok(exit::USAGE);
    }
    let start_ms = match crate::services::logs::parse_since(&args.since, chrono::Utc::now()) {
        Ok(t) => t,
        Err(e) => {
            crate::say!("opsdeck logs: {e}");
            return Ok(exit::USAGE);
        }
    };
    let aws = AwsContext::new(resolved.context());
    let wire = CloudWatchLogs::from_aws(&aws).await;
    let mut tail = Tail::new(args.group.clone(), args.filter.clone(), start_ms);
    let stdout = super::out::stdout();
    // The first write error stops the tail; cli::out judges it (a closed pipe is quiet).
    let unwritten: Mutex<Option<std::io::Error>> = Mutex::new(None);
    let mut sink = |e: &LogEvent| {
        let mut out = stdout.lock();
        match writeln!(out, "{}", format_line(e)).and_then(|_| out.flush()) {
            Ok(()) => true,
            Err(err) => {
                if let Ok(mut slot) = unwritten.lock() {
                    slot.get_or_insert(err);
                }
                false
            }
        }
    };
    let ctx = &resolved.context_name;
    loop {
        if let Err(e) = tail.poll(&wire as &dyn LogsWire, &mut sink).await {
            let region = aws.region().unwrap_or("the default region");
            match e {
                LogsError::GroupNotFound(_) => crate::say!(
                    "opsdeck logs: {e} in context {ctx} ({region}); list groups with `aws logs describe-log-groups`"
                ),
                LogsError::Api(_) => crate::say!("opsdeck logs: {}: {e}", args.group),
            }
            return Ok(exit::FAILED);
        }
        if let Some(err) = unwritten.lock().ok().and_then(|mut slot| slot.take()) {
            return Err(err);
        }
        if !args.follow {
            return Ok(exit::OK);
        }
        tokio::select! {
            _ = tokio::time::sleep(args.poll_interval) => {}
            _ = tokio::signal::ctrl_c() => return Ok(exit::OK),
        }
    }
}
