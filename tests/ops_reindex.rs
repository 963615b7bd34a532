//! Reindex against the stack's OpenSearch (127.0.0.1:9201). Each test seeds its own indices
//! (`opsdeck_t_<random>_v1` behind alias `opsdeck_t_<random>`), never the shared products
//! indices, and deletes them afterwards. Fails, never skips, when OpenSearch is down.

use std::time::{Duration, Instant};

use opsdeck::services::opensearch::OsAdmin;
use opsdeck::services::opensearch::admin::SearchAdmin;
use serde_json::json;

/// The stack's OpenSearch (`scripts/stack env` exports OPSDECK_OPENSEARCH_URL).
static OS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    std::env::var("OPSDECK_OPENSEARCH_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:9201".into())
});

fn http() -> raw::Client {
    raw::Client::new()
}

/// The few raw calls the tests need to seed data, through the same crate opsdeck uses.
mod raw {
    use opensearch::OpenSearch;
    use opensearch::http::headers::HeaderMap;
    use opensearch::http::request::JsonBody;
    use opensearch::http::transport::{SingleNodeConnectionPool, TransportBuilder};
    use opensearch::http::{Method, Url};
    use serde_json::Value;

    pub struct Client(OpenSearch);
    impl Client {
        pub fn new() -> Self {
            let t = TransportBuilder::new(SingleNodeConnectionPool::new(
                Url::parse(&super::OS).unwrap(),
            ))
            .disable_proxy()
            .build()
            .unwrap();
            Client(OpenSearch::new(t))
        }
        pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
            let r = self
                .0
                .send(
                    method,
                    path,
                    HeaderMap::new(),
                    Option::<&()>::None,
                    body.map(JsonBody::new),
                    None,
                )
                .await
                .unwrap_or_else(|e| panic!("{path} on {} (is the stack up?): {e}", *super::OS));
            let s = r.status_code().as_u16();
            let t = r.text().await.unwrap();
            (s, serde_json::from_str(&t).unwrap_or(Value::Null))
        }
        pub async fn bulk(&self, index: &str, from: u64, n: u64) {
            let mut lines = Vec::new();
            for i in from..from + n {
                lines.push(serde_json::json!({"index": {"_index": index, "_id": i.to_string()}}));
                lines.push(serde_json::json!({"sku": format!("SKU-{i}"), "title": format!("product {i}"), "price": i % 500}));
            }
            let body: Vec<opensearch::http::request::JsonBody<Value>> =
                lines.into_iter().map(JsonBody::new).collect();
            let r = self
                .0
                .send(
                    Method::Post,
                    "/_bulk",
                    HeaderMap::new(),
                    Some(&[("refresh", "true")]),
                    Some(opensearch::http::request::NdBody::new(body)),
                    None,
                )
                .await
                .expect("bulk");
            assert!(r.status_code().is_success());
        }
    }
}

pub struct TestIndex {
    pub alias: String,
    pub v1: String,
}

impl TestIndex {
    pub async fn seed(docs: u64) -> TestIndex {
        let alias = format!(
            "opsdeck_t_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..10]
        );
        let v1 = format!("{alias}_v1");
        let c = http();
        let (s, body) = c
            .call(
                opensearch::http::Method::Put,
                &format!("/{v1}"),
                Some(json!({
                    "settings": {"index": {"number_of_shards": 2, "number_of_replicas": 0, "refresh_interval": "1s"}},
                    "mappings": {"properties": {"sku": {"type": "keyword"}, "title": {"type": "text"}, "price": {"type": "integer"}}},
                    "aliases": {alias.clone(): {}}
                })),
            )
            .await;
        assert_eq!(s, 200, "create {v1}: {body}");
        let mut done = 0;
        while done < docs {
            let n = (docs - done).min(2000);
            c.bulk(&v1, done, n).await;
            done += n;
        }
        TestIndex { alias, v1 }
    }

    pub async fn cleanup(&self) {
        let c = http();
        let _ = c
            .call(
                opensearch::http::Method::Delete,
                &format!("/{}_v*", self.alias),
                None,
            )
            .await;
    }
}

async fn wait_task(
    admin: &OsAdmin,
    id: &str,
) -> opsdeck::services::opensearch::admin::TaskProgress {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let t = admin.task(id).await.unwrap();
        if t.completed {
            return t;
        }
        assert!(Instant::now() < deadline, "task {id} did not finish: {t:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn admin_calls_copy_an_index_and_move_its_alias_atomically() {
    let ti = TestIndex::seed(3000).await;
    let admin = OsAdmin::new(&OS).unwrap();
    assert_ne!(admin.health().await.unwrap(), "red");
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    let def = admin.index_definition(&ti.v1).await.unwrap();
    assert_eq!(def.mappings["properties"]["sku"]["type"], "keyword");
    assert!(def.settings.get("uuid").is_none());
    let v2 = opsdeck::services::opensearch::admin::next_version_name(&ti.v1);
    assert!(!admin.index_exists(&v2).await.unwrap());
    admin
        .create_index(&v2, &def.settings, &def.mappings)
        .await
        .unwrap();
    let id = admin
        .start_reindex(&ti.v1, &v2, Some(2), None)
        .await
        .unwrap();
    let t = wait_task(&admin, &id).await;
    assert_eq!(t.total, 3000, "{t:?}");
    assert_eq!(t.created, 3000, "{t:?}");
    assert!(t.failures.is_empty() && t.error.is_none() && !t.cancelled);
    admin.refresh(&v2).await.unwrap();
    assert_eq!(admin.count(&v2).await.unwrap(), 3000);
    admin
        .swap_alias(&ti.alias, std::slice::from_ref(&ti.v1), &v2, &json!({}))
        .await
        .unwrap();
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![v2.clone()]
    );
    assert_eq!(admin.count(&ti.v1).await.unwrap(), 3000);
    assert!(admin.primary_store_bytes(&ti.v1).await.unwrap() > 0);
    assert!(!admin.disk_allocation().await.unwrap().is_empty());
    ti.cleanup().await;
}

// ------------------------------------------------------------------ the operation, in-process

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use opsdeck::audit::{Actor, AuditLog};
use opsdeck::ops::reindex::{ReindexOp, ReindexRequest};
use opsdeck::ops::runner::{self, OpControl, RunOutcome};

fn temp_audit() -> (tempfile::TempDir, AuditLog) {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("test"));
    (dir, log)
}

fn request(ti: &TestIndex) -> ReindexRequest {
    ReindexRequest {
        source: ti.alias.clone(),
        alias: ti.alias.clone(),
        context: "test".into(),
        ..Default::default()
    }
}

async fn run_op(op: Arc<ReindexOp>, ctl: OpControl) -> RunOutcome {
    let (_dir, audit) = temp_audit();
    let session = match runner::begin(op, audit, false).await {
        Ok(s) => s,
        Err(o) => return o,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let out = session.run("test", ctl, tx).await;
    let _ = drain.await;
    out
}

/// What the writer last had acknowledged for an id: its revision, or None once deleted.
type Acked = std::collections::BTreeMap<String, Option<u64>>;

/// A writer creating, updating and deleting single documents through the alias until
/// stopped, the way an application does (PUT/DELETE `/{alias}/_doc/{id}`). A write refused
/// by the write block (HTTP 403 `cluster_block_exception`) is retried; only acknowledged
/// writes are recorded.
fn spawn_mixed_writer(
    alias: String,
    seeded: u64,
) -> (
    Arc<AtomicBool>,
    Arc<std::sync::Mutex<Acked>>,
    tokio::task::JoinHandle<()>,
) {
    use opensearch::http::Method;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(std::sync::Mutex::new(Acked::new()));
    let (s, a) = (stop.clone(), acked.clone());
    let h = tokio::spawn(async move {
        let c = http();
        let mut rev = 0u64;
        let mut next_new = 1_000_000u64;
        while !s.load(Ordering::SeqCst) {
            rev += 1;
            // Cycle: create a new id, update a seeded id, delete a seeded id, update a new one.
            let (method, id) = match rev % 4 {
                0 => {
                    next_new += 1;
                    (Method::Put, next_new)
                }
                1 => (Method::Put, (rev * 7) % seeded),
                2 => (Method::Delete, (rev * 13 + 1) % seeded),
                _ => (Method::Put, next_new.max(1_000_001)),
            };
            let body = (method == Method::Put).then(
                || json!({"sku": format!("SKU-{id}"), "title": format!("rev {rev}"), "rev": rev}),
            );
            loop {
                let (status, resp) = c
                    .call(method, &format!("/{alias}/_doc/{id}"), body.clone())
                    .await;
                match status {
                    200 | 201 => {
                        a.lock()
                            .unwrap()
                            .insert(id.to_string(), (method == Method::Put).then_some(rev));
                        break;
                    }
                    404 if method == Method::Delete => {
                        a.lock().unwrap().insert(id.to_string(), None);
                        break;
                    }
                    403 | 429 => tokio::time::sleep(Duration::from_millis(20)).await,
                    other => panic!("{method:?} /{alias}/_doc/{id}: HTTP {other}: {resp}"),
                }
            }
        }
    });
    (stop, acked, h)
}

#[tokio::test]
async fn creates_updates_and_deletes_made_during_the_copy_are_all_on_the_new_index_when_the_alias_moves()
 {
    let ti = TestIndex::seed(6000).await;
    let admin: Arc<dyn SearchAdmin> = Arc::new(OsAdmin::new(&OS).unwrap());
    let mut req = request(&ti);
    req.slices = Some(2);
    req.replicas_zero = true;
    // Slow enough that the writer works during the whole copy.
    req.requests_per_second = Some(1500.0);
    req.write_block_timeout = Some(Duration::from_secs(20));
    let op = Arc::new(ReindexOp::prepare(admin.clone(), req).await.unwrap());
    let v2 = op.target_index().to_string();
    assert_eq!(v2, format!("{}_v2", ti.alias));
    let (stop, acked, writer) = spawn_mixed_writer(ti.alias.clone(), 6000);
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 20 {
        assert!(Instant::now() < deadline, "the writer never wrote");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let out = run_op(op.clone(), OpControl::new(false)).await;
    // A few more writes after the swap, through the alias, now into the new index.
    let after = acked.lock().unwrap().len() + 10;
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < after {
        assert!(
            Instant::now() < deadline,
            "the writer stopped after the swap"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(matches!(out, RunOutcome::Done(_)), "{out:?}");
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![v2.clone()]
    );
    assert!(!admin.write_blocked(&ti.v1).await.unwrap(), "block lifted");
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 100, "the writer touched {} ids", acked.len());
    let c = http();
    let mut wrong = Vec::new();
    for (id, want) in &acked {
        let (status, doc) = c
            .call(
                opensearch::http::Method::Get,
                &format!("/{v2}/_doc/{id}"),
                None,
            )
            .await;
        let got = (status == 200).then(|| doc["_source"]["rev"].as_u64().unwrap_or(0));
        if got != *want {
            wrong.push(format!("{id}: wrote {want:?}, {v2} has {got:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} ids differ: {:?}",
        wrong.len(),
        acked.len(),
        &wrong[..wrong.len().min(10)]
    );
    // Replicas and refresh restored from the source after the copy.
    let def = admin.index_definition(&v2).await.unwrap();
    assert_eq!(def.setting_str("refresh_interval").as_deref(), Some("1s"));
    assert_eq!(def.setting_str("number_of_replicas").as_deref(), Some("0"));
    ti.cleanup().await;
}

#[tokio::test]
async fn the_swap_keeps_the_alias_filter_routing_and_write_index() {
    let ti = TestIndex::seed(50).await;
    let c = http();
    let props = json!({"filter": {"term": {"sku": "SKU-1"}}, "index_routing": "acme",
        "search_routing": "acme", "is_write_index": true});
    let mut add = props.clone();
    add["index"] = json!(ti.v1);
    add["alias"] = json!(ti.alias);
    let (s, b) = c
        .call(
            opensearch::http::Method::Post,
            "/_aliases",
            Some(json!({"actions": [{"add": add}]})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let admin: Arc<dyn SearchAdmin> = Arc::new(OsAdmin::new(&OS).unwrap());
    let mut req = request(&ti);
    req.source = ti.v1.clone();
    let op = Arc::new(ReindexOp::prepare(admin.clone(), req).await.unwrap());
    let out = run_op(op.clone(), OpControl::new(false)).await;
    assert!(matches!(out, RunOutcome::Done(_)), "{out:?}");
    let (s, got) = c
        .call(
            opensearch::http::Method::Get,
            &format!("/_alias/{}", ti.alias),
            None,
        )
        .await;
    assert_eq!(s, 200, "{got}");
    let v2 = op.target_index();
    assert_eq!(got.as_object().unwrap().len(), 1, "{got}");
    let on_v2 = &got[v2]["aliases"][&ti.alias];
    for k in [
        "filter",
        "index_routing",
        "search_routing",
        "is_write_index",
    ] {
        assert_eq!(on_v2[k], props[k], "{k} on {v2}: {got}");
    }
    ti.cleanup().await;
}

#[tokio::test]
async fn an_alias_spanning_two_indices_is_refused_naming_both() {
    let ti = TestIndex::seed(10).await;
    let c = http();
    let other = format!("{}_other", ti.alias);
    let (s, b) = c
        .call(
            opensearch::http::Method::Put,
            &format!("/{other}"),
            Some(json!({"aliases": {ti.alias.clone(): {}}})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let admin: Arc<dyn SearchAdmin> = Arc::new(OsAdmin::new(&OS).unwrap());
    let mut req = request(&ti);
    req.source = ti.v1.clone();
    let op = Arc::new(ReindexOp::prepare(admin.clone(), req).await.unwrap());
    match run_op(op, OpControl::new(false)).await {
        RunOutcome::Refused(m) => {
            assert!(m.contains(&ti.v1) && m.contains(&other), "{m}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let _ = c
        .call(opensearch::http::Method::Delete, &format!("/{other}"), None)
        .await;
    ti.cleanup().await;
}

#[tokio::test]
async fn a_catch_up_that_overruns_the_write_block_bound_leaves_the_alias_and_lifts_the_block() {
    let ti = TestIndex::seed(2000).await;
    let admin: Arc<dyn SearchAdmin> = Arc::new(OsAdmin::new(&OS).unwrap());
    let mut req = request(&ti);
    req.write_block_timeout = Some(Duration::from_millis(1));
    let op = Arc::new(ReindexOp::prepare(admin.clone(), req).await.unwrap());
    let out = run_op(op.clone(), OpControl::new(false)).await;
    match &out {
        RunOutcome::Failed(m) => assert!(m.contains("write-block bound"), "{m}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(out.exit_code(), 1);
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    assert!(!admin.write_blocked(&ti.v1).await.unwrap());
    let (s, b) = http()
        .call(
            opensearch::http::Method::Put,
            &format!("/{}/_doc/after-block", ti.alias),
            Some(json!({"sku": "x"})),
        )
        .await;
    assert!(
        s == 201 || s == 200,
        "the source takes writes again: {s} {b}"
    );
    ti.cleanup().await;
}

#[tokio::test]
async fn aborting_mid_copy_cancels_the_task_and_leaves_the_alias_on_the_old_index() {
    let ti = TestIndex::seed(4000).await;
    let admin: Arc<dyn SearchAdmin> = Arc::new(OsAdmin::new(&OS).unwrap());
    let mut req = request(&ti);
    req.requests_per_second = Some(200.0);
    let op = Arc::new(ReindexOp::prepare(admin.clone(), req).await.unwrap());
    let ctl = OpControl::new(false);
    let run = tokio::spawn(run_op(op.clone(), ctl.clone()));
    // Wait (with a deadline) until the copy is under way, then abort.
    let deadline = Instant::now() + Duration::from_secs(60);
    let task = loop {
        if let Some(id) = op.task_id()
            && admin
                .task(&id)
                .await
                .map(|t| t.done_docs() > 0)
                .unwrap_or(false)
        {
            break id;
        }
        assert!(Instant::now() < deadline, "copy never started");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    ctl.abort();
    let out = run.await.unwrap();
    assert!(matches!(out, RunOutcome::Aborted(_)), "{out:?}");
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    let t = admin.task(&task).await.unwrap();
    assert!(t.completed && t.cancelled, "{t:?}");
    assert!(t.done_docs() < 4000);
    ti.cleanup().await;
}

#[tokio::test]
async fn an_existing_target_is_refused_without_resume() {
    let ti = TestIndex::seed(10).await;
    let admin: Arc<dyn SearchAdmin> = Arc::new(OsAdmin::new(&OS).unwrap());
    let def = admin.index_definition(&ti.v1).await.unwrap();
    let v2 = format!("{}_v2", ti.alias);
    admin
        .create_index(&v2, &def.settings, &def.mappings)
        .await
        .unwrap();
    let op = Arc::new(
        ReindexOp::prepare(admin.clone(), request(&ti))
            .await
            .unwrap(),
    );
    let out = run_op(op, OpControl::new(false)).await;
    match out {
        RunOutcome::Refused(m) => {
            assert!(m.contains("target index") && m.contains("exists"), "{m}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    ti.cleanup().await;
}

#[tokio::test]
async fn resume_reattaches_to_a_running_copy_instead_of_starting_another() {
    let ti = TestIndex::seed(3000).await;
    let admin: Arc<dyn SearchAdmin> = Arc::new(OsAdmin::new(&OS).unwrap());
    let def = admin.index_definition(&ti.v1).await.unwrap();
    let v2 = format!("{}_v2", ti.alias);
    admin
        .create_index(&v2, &def.settings, &def.mappings)
        .await
        .unwrap();
    // A copy left running by an earlier (killed) run, slow enough to still be running.
    let orphan = admin
        .start_reindex(&ti.v1, &v2, None, Some(100.0))
        .await
        .unwrap();
    let mut req = request(&ti);
    req.resume = true;
    req.requests_per_second = None;
    req.throttle_given = true;
    let op = Arc::new(ReindexOp::prepare(admin.clone(), req).await.unwrap());
    let out = run_op(op.clone(), OpControl::new(false)).await;
    assert!(matches!(out, RunOutcome::Done(_)), "{out:?}");
    assert_eq!(op.task_id().as_deref(), Some(orphan.as_str()));
    assert!(
        admin
            .find_reindex_tasks(&ti.v1, &v2)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![v2.clone()]
    );
    assert_eq!(admin.count(&v2).await.unwrap(), 3000);
    ti.cleanup().await;
}

// ------------------------------------------------------------------ `opsdeck op reindex`

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let cfg = format!(
            "default_context = \"local\"\naudit_log = \"{}\"\n\
             [contexts.local]\n[contexts.local.opensearch]\nurl = \"{}\"\n",
            dir.path().join("audit.jsonl").display(),
            *OS
        );
        std::fs::write(dir.path().join("opsdeck.toml"), cfg).unwrap();
        Env { dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
        c.arg("--config")
            .arg(self.dir.path().join("opsdeck.toml"))
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run opsdeck")
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn opsdeck")
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Wait (with a deadline) until a reindex task copies `source` into `target` and has started.
async fn running_task(admin: &OsAdmin, source: &str, target: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(t) = admin
            .find_reindex_tasks(source, target)
            .await
            .unwrap()
            .first()
            && admin
                .task(&t.id)
                .await
                .map(|p| p.done_docs() > 0)
                .unwrap_or(false)
        {
            return t.id.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no reindex task {source} -> {target} appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_exit(child: &mut Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "opsdeck did not exit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut out = Output {
        status: child.wait().unwrap(),
        stdout: Vec::new(),
        stderr: Vec::new(),
    };
    use std::io::Read;
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_end(&mut out.stdout);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_end(&mut out.stderr);
    }
    out
}

#[tokio::test]
async fn read_only_mode_refuses_a_reindex_with_exit_3() {
    let ti = TestIndex::seed(10).await;
    let env = Env::new();
    let o = env.run(&[
        "--read-only",
        "op",
        "reindex",
        "--source",
        &ti.alias,
        "--alias",
        &ti.alias,
        "--yes",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("read-only"), "{}", text(&o));
    let admin = OsAdmin::new(&OS).unwrap();
    assert!(
        !admin
            .index_exists(&format!("{}_v2", ti.alias))
            .await
            .unwrap()
    );
    ti.cleanup().await;
}

#[tokio::test]
async fn the_binary_reindexes_and_a_dry_run_changes_nothing() {
    let ti = TestIndex::seed(2000).await;
    let env = Env::new();
    let admin = OsAdmin::new(&OS).unwrap();
    let v2 = format!("{}_v2", ti.alias);
    let o = env.run(&[
        "op",
        "reindex",
        "--source",
        &ti.alias,
        "--alias",
        &ti.alias,
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("swap-alias"), "{}", text(&o));
    assert!(!admin.index_exists(&v2).await.unwrap());
    let o = env.run(&[
        "op", "reindex", "--source", &ti.alias, "--alias", &ti.alias, "--yes", "--slices", "0",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(admin.alias_targets(&ti.alias).await.unwrap(), vec![v2]);
    ti.cleanup().await;
}

#[tokio::test]
async fn a_killed_opsdeck_is_resumed_by_reattaching_to_the_running_task() {
    let ti = TestIndex::seed(3000).await;
    let env = Env::new();
    let admin = OsAdmin::new(&OS).unwrap();
    let v2 = format!("{}_v2", ti.alias);
    let mut first = env.spawn(&[
        "op",
        "reindex",
        "--source",
        &ti.alias,
        "--alias",
        &ti.alias,
        "--yes",
        "--requests-per-second",
        "50",
    ]);
    let task = running_task(&admin, &ti.v1, &v2).await;
    first.kill().unwrap();
    let _ = first.wait();
    // The copy outlives the console that started it.
    assert!(!admin.task(&task).await.unwrap().completed);
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    // Without --resume the existing target is refused.
    let o = env.run(&[
        "op", "reindex", "--source", &ti.alias, "--alias", &ti.alias, "--yes",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let o = env.run(&[
        "op",
        "reindex",
        "--source",
        &ti.alias,
        "--alias",
        &ti.alias,
        "--yes",
        "--resume",
        "--requests-per-second",
        "-1",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains(&format!("reattached to running task {task}")),
        "{out}"
    );
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![v2.clone()]
    );
    assert_eq!(admin.count(&v2).await.unwrap(), 3000);
    ti.cleanup().await;
}

#[tokio::test]
async fn abort_typed_during_the_copy_exits_4_and_leaves_the_alias() {
    let ti = TestIndex::seed(3000).await;
    let env = Env::new();
    let admin = OsAdmin::new(&OS).unwrap();
    let v2 = format!("{}_v2", ti.alias);
    let mut child = env.spawn(&[
        "op",
        "reindex",
        "--source",
        &ti.alias,
        "--alias",
        &ti.alias,
        "--yes",
        "--requests-per-second",
        "50",
    ]);
    let task = running_task(&admin, &ti.v1, &v2).await;
    child.stdin.as_mut().unwrap().write_all(b"abort\n").unwrap();
    let o = wait_exit(&mut child).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    let t = admin.task(&task).await.unwrap();
    assert!(t.completed && t.cancelled, "{t:?}");
    ti.cleanup().await;
}

#[tokio::test]
async fn cancelling_the_task_from_another_opsdeck_aborts_the_run_with_exit_4_without_moving_the_alias()
 {
    let ti = TestIndex::seed(3000).await;
    let env = Env::new();
    let admin = OsAdmin::new(&OS).unwrap();
    let v2 = format!("{}_v2", ti.alias);
    let mut child = env.spawn(&[
        "op",
        "reindex",
        "--source",
        &ti.alias,
        "--alias",
        &ti.alias,
        "--yes",
        "--requests-per-second",
        "50",
    ]);
    let task = running_task(&admin, &ti.v1, &v2).await;
    let o = env.run(&[
        "op",
        "rethrottle",
        "--task",
        &task,
        "--requests-per-second",
        "20",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        admin.task(&task).await.unwrap().requests_per_second,
        Some(20.0)
    );
    let o = env.run(&["op", "cancel", "--task", &task, "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = wait_exit(&mut child).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("cancelled"), "{}", text(&o));
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    ti.cleanup().await;
}

// ------------------------------------------------------------------ the console's op modal

mod modal {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use opsdeck::app::op_modal::{OpModal, Phase};
    use opsdeck::audit::{Actor, AuditLog};
    use opsdeck::ops::handle;
    use opsdeck::ops::reindex::{ReindexOp, ReindexRequest};
    use opsdeck::services::opensearch::admin::SearchAdmin;
    use opsdeck::sim::search_admin::SimSearchAdmin;
    use opsdeck::sim::{self, SimOptions};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn draw(t: &mut Terminal<TestBackend>, m: &OpModal) -> String {
        t.draw(|f| m.render(f, f.area())).unwrap();
        let b = t.backend().buffer();
        let mut s = String::new();
        for y in 0..b.area.height {
            for x in 0..b.area.width {
                s.push_str(b[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    }

    async fn pump_until(m: &mut OpModal, what: &str, done: impl Fn(&OpModal) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(m) {
            m.pump();
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn reindex_in_the_op_modal_shows_the_plan_runs_on_y_and_moves_the_alias() {
        let world = sim::world(&SimOptions {
            speed: 200.0,
            ..Default::default()
        });
        let admin: Arc<dyn SearchAdmin> = Arc::new(SimSearchAdmin::new(world.clone()));
        let op = ReindexOp::prepare(
            admin.clone(),
            ReindexRequest {
                source: "products".into(),
                alias: "products".into(),
                context: "demo".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let target = op.target_index().to_string();
        let dir = tempfile::tempdir().unwrap();
        let audit = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("demo"));
        let mut m = OpModal::new(handle::spawn(Arc::new(op), audit, false, false));
        let mut term = Terminal::new(TestBackend::new(140, 34)).unwrap();
        pump_until(&mut m, "guardrails", |m| m.view.phase == Phase::Confirming).await;
        let s = draw(&mut term, &m);
        for want in [
            "reindex products",
            "create-target",
            "swap-alias",
            "disk for the copy",
        ] {
            assert!(s.contains(want), "missing {want:?}:\n{s}");
        }
        m.handle_key(&KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE));
        pump_until(&mut m, "the reindex to finish", |m| {
            m.view.phase == Phase::Finished
        })
        .await;
        let s = draw(&mut term, &m);
        assert!(s.contains("✓ swap-alias"), "{s}");
        assert!(s.contains("copied"), "live figures shown: {s}");
        assert_eq!(m.outcome.as_ref().unwrap().exit_code(), 0);
        assert_eq!(admin.alias_targets("products").await.unwrap(), vec![target]);
    }
}

#[tokio::test]
async fn a_copy_with_document_failures_exits_1_and_never_moves_the_alias() {
    let ti = TestIndex::seed(500).await;
    let env = Env::new();
    let admin = OsAdmin::new(&OS).unwrap();
    // New mappings the existing documents do not fit: every "title" fails to parse as a date.
    let mappings = env.dir.path().join("mappings.json");
    std::fs::write(
        &mappings,
        r#"{"mappings": {"dynamic": "strict", "properties": {"sku": {"type": "keyword"},
            "title": {"type": "date"}, "price": {"type": "integer"}}}}"#,
    )
    .unwrap();
    let o = env.run(&[
        "op",
        "reindex",
        "--source",
        &ti.alias,
        "--alias",
        &ti.alias,
        "--yes",
        "--mappings",
        mappings.to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("mapper_parsing_exception"),
        "the failure is named: {out}"
    );
    assert!(out.contains("the alias was not moved"), "{out}");
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    let v2 = format!("{}_v2", ti.alias);
    let def = admin.index_definition(&v2).await.unwrap();
    assert_eq!(def.mappings["properties"]["title"]["type"], "date");
    ti.cleanup().await;
}

#[tokio::test]
async fn a_write_block_left_by_a_killed_run_is_refused_without_resume_and_lifted_by_resume() {
    let ti = TestIndex::seed(200).await;
    let admin: Arc<dyn SearchAdmin> = Arc::new(OsAdmin::new(&OS).unwrap());
    // What a run killed (kill -9) between block-writes and swap-alias leaves behind: the
    // target copied, the source write-blocked, the alias still on the source.
    let def = admin.index_definition(&ti.v1).await.unwrap();
    let v2 = format!("{}_v2", ti.alias);
    admin
        .create_index(&v2, &def.settings, &def.mappings)
        .await
        .unwrap();
    admin.set_write_block(&ti.v1, true).await.unwrap();
    let op = Arc::new(
        ReindexOp::prepare(admin.clone(), request(&ti))
            .await
            .unwrap(),
    );
    match run_op(op, OpControl::new(false)).await {
        RunOutcome::Refused(m) => assert!(m.contains("index.blocks.write"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(admin.write_blocked(&ti.v1).await.unwrap());
    let mut req = request(&ti);
    req.resume = true;
    let op = Arc::new(ReindexOp::prepare(admin.clone(), req).await.unwrap());
    let out = run_op(op, OpControl::new(false)).await;
    assert!(matches!(out, RunOutcome::Done(_)), "{out:?}");
    assert!(!admin.write_blocked(&ti.v1).await.unwrap(), "block lifted");
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![v2.clone()]
    );
    assert_eq!(admin.count(&v2).await.unwrap(), 200);
    ti.cleanup().await;
}
