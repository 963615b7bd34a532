//! `opsdeck logs` against moto's CloudWatch Logs (`scripts/stack up`, port 5055). Each test
//! publishes its own events with PutLogEvents (as the CloudWatch agent and Lambda do) into a
//! log group named for the run, and deletes the group afterwards, pass or fail. A missing moto
//! fails these tests; it never skips them.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::types::InputLogEvent;

mod common;

fn endpoint() -> String {
    common::moto_url()
}

fn client(rt: &tokio::runtime::Runtime) -> aws_sdk_cloudwatchlogs::Client {
    opsdeck::install_crypto_provider();
    let conf = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(common::region()))
            .endpoint_url(endpoint())
            .credentials_provider(aws_sdk_cloudwatchlogs::config::Credentials::new(
                "test", "test", None, None, "static",
            ))
            .load(),
    );
    aws_sdk_cloudwatchlogs::Client::new(&conf)
}

/// A log group named for this run, deleted on drop.
struct Group {
    rt: tokio::runtime::Runtime,
    logs: aws_sdk_cloudwatchlogs::Client,
    name: String,
    dir: tempfile::TempDir,
}

impl Group {
    fn new(label: &str) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let logs = client(&rt);
        let name = format!(
            "/opsdeck-test/{label}-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        );
        rt.block_on(logs.create_log_group().log_group_name(&name).send())
            .unwrap_or_else(|e| {
                panic!(
                    "CreateLogGroup on moto at {} failed ({}); run scripts/stack up",
                    endpoint(),
                    aws_smithy_types::error::display::DisplayErrorContext(&e)
                )
            });
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("opsdeck.toml"),
            format!(
                "[contexts.emu]\nregion = \"{}\"\nendpoint_url = \"{}\"\n",
                common::region(),
                endpoint()
            ),
        )
        .unwrap();
        Group {
            rt,
            logs,
            name,
            dir,
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("opsdeck.toml")
    }

    /// PutLogEvents into `stream` (created on first use); `ago` before now, oldest first.
    fn put(&self, stream: &str, events: &[(Duration, &str)]) {
        self.rt.block_on(async {
            let _ = self
                .logs
                .create_log_stream()
                .log_group_name(&self.name)
                .log_stream_name(stream)
                .send()
                .await;
            let now = chrono::Utc::now().timestamp_millis();
            let batch: Vec<InputLogEvent> = events
                .iter()
                .map(|(ago, msg)| {
                    InputLogEvent::builder()
                        .timestamp(now - ago.as_millis() as i64)
                        .message(*msg)
                        .build()
                        .unwrap()
                })
                .collect();
            self.logs
                .put_log_events()
                .log_group_name(&self.name)
                .log_stream_name(stream)
                .set_log_events(Some(batch))
                .send()
                .await
                .expect("PutLogEvents");
        });
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
        c.arg("--config")
            .arg(self.config())
            .arg("logs")
            .arg(&self.name)
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null());
        c
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let _ = self.rt.block_on(
            self.logs
                .delete_log_group()
                .log_group_name(&self.name)
                .send(),
        );
    }
}

fn mins(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

/// "TIMESTAMP STREAM MESSAGE" -> (stream, message), checking the timestamp's shape.
fn fields(line: &str) -> (String, String) {
    let mut it = line.splitn(3, ' ');
    let ts = it.next().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(ts).is_ok() && ts.ends_with("+00:00"),
        "timestamp {ts:?} in {line:?}"
    );
    (
        it.next().unwrap_or_default().to_string(),
        it.next().unwrap_or_default().to_string(),
    )
}

#[test]
fn logs_prints_events_since_the_window_one_per_line_as_timestamp_stream_message() {
    let g = Group::new("print");
    g.put(
        "web-1",
        &[(mins(30), "too old"), (mins(5), "GET /cart 200")],
    );
    g.put(
        "web-2",
        &[
            (mins(4), "POST /checkout 500\n"),
            (mins(3), "GET /search 200"),
        ],
    );
    let out = g.cmd(&["--since", "10m"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<(String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(fields)
        .collect();
    let want = [
        ("web-1", "GET /cart 200"),
        ("web-2", "POST /checkout 500"),
        ("web-2", "GET /search 200"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(s, m)| (s.to_string(), m.to_string()))
        .collect();
    assert_eq!(lines, want);
}

#[test]
fn logs_filter_pattern_keeps_only_matching_events() {
    let g = Group::new("filter");
    g.put(
        "app",
        &[
            (mins(3), "INFO started"),
            (mins(2), "ERROR connection refused"),
            (mins(1), "INFO ready"),
        ],
    );
    let out = g.cmd(&["--filter", "ERROR"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let messages: Vec<String> = text.lines().map(|l| fields(l).1).collect();
    assert_eq!(messages, ["ERROR connection refused"]);
}

#[test]
fn logs_of_a_missing_group_exits_1_naming_the_group() {
    let g = Group::new("missing");
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--config")
        .arg(g.config())
        .args(["logs", &format!("{}-nope", g.name)])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}-nope", g.name)) && err.contains("does not exist"),
        "{err}"
    );
}

struct Follow {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Follow {
    fn wait_for(&mut self, message: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.seen.iter().any(|l| l.ends_with(message)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.seen.push(l),
                Err(_) => panic!("no {message:?} within 30 s; got {:?}", self.seen),
            }
        }
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn logs_follow_prints_events_published_after_it_started_each_once() {
    let g = Group::new("follow");
    g.put("app", &[(mins(1), "before start")]);
    let mut child = g
        .cmd(&["--follow", "--poll-interval", "200ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let mut f = Follow {
        child,
        lines: rx,
        seen: Vec::new(),
    };
    f.wait_for("before start");
    g.put("app", &[(Duration::ZERO, "while following 1")]);
    f.wait_for("while following 1");
    g.put("other", &[(Duration::ZERO, "while following 2")]);
    f.wait_for("while following 2");
    let messages: Vec<String> = f.seen.iter().map(|l| fields(l).1).collect();
    assert_eq!(
        messages,
        ["before start", "while following 1", "while following 2"],
        "every event exactly once, in order"
    );
}

#[test]
fn a_chatty_group_is_cut_to_the_round_budget_and_the_rest_counted_as_skipped() {
    use opsdeck::services::logs::{CloudWatchLogs, Follower, Limits, Tail};
    let g = Group::new("chatty");
    let lines: Vec<String> = (0..60).map(|i| format!("request {i}")).collect();
    let events: Vec<(Duration, &str)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (Duration::from_millis(60_000 - i as u64 * 100), l.as_str()))
        .collect();
    g.put("app", &events);
    let wire = CloudWatchLogs::new(g.logs.clone());
    let start = chrono::Utc::now().timestamp_millis() - 120_000;
    let mut f = Follower::new(
        vec![Tail::new(g.name.clone(), None, start)],
        Limits {
            max_pages: 5,
            max_events: 25,
        },
    );
    let now = chrono::Utc::now().timestamp_millis();
    let b = g.rt.block_on(f.round(&wire, now));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert_eq!(b.events.len(), 25);
    assert_eq!(b.skipped, 35);
    assert_eq!(b.events[0].event.message, "request 0");
    let b = g.rt.block_on(f.round(&wire, now));
    assert_eq!((b.events.len(), b.skipped), (0, 0), "nothing read twice");
}

#[test]
fn a_finished_range_reads_only_its_stream_up_to_its_end_and_then_stops() {
    use opsdeck::services::logs::{CloudWatchLogs, Follower, Limits, Tail};
    let g = Group::new("range");
    g.put(
        "jr_aaa",
        &[(mins(6), "aaa inside"), (mins(1), "aaa after the end")],
    );
    g.put("jr_bbb", &[(mins(5), "bbb other run")]);
    let now = chrono::Utc::now().timestamp_millis();
    let wire = CloudWatchLogs::new(g.logs.clone());
    let tail = Tail::new(g.name.clone(), None, now - 10 * 60_000)
        .with_stream(Some("jr_aaa".into()))
        .until(Some(now - 3 * 60_000));
    let mut f = Follower::new(vec![tail], Limits::default());
    let b = g.rt.block_on(f.round(&wire, now));
    let msgs: Vec<&str> = b.events.iter().map(|e| e.event.message.as_str()).collect();
    assert_eq!(msgs, ["aaa inside"]);
    // the range is over: nothing is asked again, even for a group deleted since
    let b = g.rt.block_on(f.round(&wire, now));
    assert!(b.events.is_empty() && b.errors.is_empty());
}

#[test]
fn without_live_tail_at_the_endpoint_the_console_polls_filter_log_events_and_says_so() {
    use opsdeck::config::LogsConfig;
    use opsdeck::services::Update;
    use opsdeck::services::aws::AwsContext;
    use opsdeck::services::logs::collector;
    let g = Group::new("live-fallback");
    g.put("app", &[(Duration::from_secs(30), "before the console")]);
    let aws = g.rt.block_on(async {
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(common::region()))
            .credentials_provider(aws_sdk_cloudwatchlogs::config::Credentials::new(
                "test", "test", None, None, "static",
            ))
            .endpoint_url(endpoint())
            .load()
            .await;
        AwsContext::from_sdk_config(conf, Some(endpoint()))
    });
    let mut c = collector::collector(
        &LogsConfig {
            since: Some(mins(5)),
            ..Default::default()
        },
        std::slice::from_ref(&g.name),
        &aws,
    );
    let round = |c: &mut opsdeck::services::BoxCollector| match g.rt.block_on(c.collect()) {
        Ok(Update::Logs(b)) => b,
        other => panic!("{other:?}"),
    };
    // first round: the backlog, by FilterLogEvents
    let b = round(&mut c);
    assert_eq!(b.events.len(), 1, "{b:?}");
    // second round: StartLiveTail is tried; moto does not serve it, so polling goes on
    g.put(
        "app",
        &[(Duration::from_millis(10), "after the console started")],
    );
    let b = round(&mut c);
    let mode = b.mode.clone().unwrap_or_default();
    assert!(
        mode.contains("live tail not offered") && mode.contains("FilterLogEvents"),
        "{mode}"
    );
    assert_eq!(
        b.events
            .iter()
            .map(|e| e.event.message.as_str())
            .collect::<Vec<_>>(),
        ["after the console started"]
    );
}
