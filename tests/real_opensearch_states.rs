//! Index states on the stack's real OpenSearch node (issue 17): a closed index and a red one
//! are shown as what they are, never as empty open indices, and a reindex from a source that
//! cannot be read is refused before anything is created. Test indices are named
//! opsdeck-t-* per run and deleted afterwards, pass or fail (a red index turns the node's
//! health red for the few hundred milliseconds it exists). Fails, never skips, without the node.

use std::process::{Command, Stdio};
use std::time::Duration;

use opensearch::OpenSearch;
use opensearch::http::Method;
use opensearch::http::headers::HeaderMap;
use opensearch::http::transport::Transport;
use opsdeck::config::{Context, OpenSearchConfig};
use opsdeck::model::IndexState;
use opsdeck::services::aws::AwsContext;
use opsdeck::services::opensearch::OpenSearchCollector;
use serde_json::{Value, json};

fn url() -> String {
    std::env::var("OPSDECK_OPENSEARCH_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:9201".into())
}

fn unique(tag: &str) -> String {
    format!(
        "opsdeck-t-{tag}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// Indices of this test, one at a time: a red index must not outlive its test.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn call(c: &OpenSearch, m: Method, path: &str, body: Option<Value>) -> Value {
    let r = c
        .send(
            m,
            path,
            HeaderMap::new(),
            None::<&()>,
            body.map(|b| b.to_string()),
            Some(Duration::from_secs(30)),
        )
        .await
        .unwrap_or_else(|e| panic!("OpenSearch at {} ({e}); run scripts/stack up", url()));
    r.json().await.unwrap_or(Value::Null)
}

fn client() -> OpenSearch {
    OpenSearch::new(Transport::single_node(&url()).unwrap())
}

/// Deletes the named indices when dropped (also on panic), on its own runtime.
struct Indices(Vec<String>);

impl Drop for Indices {
    fn drop(&mut self) {
        let names = self.0.join(",");
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let path = format!("/{names}?ignore_unavailable=true");
                call(&client(), Method::Delete, &path, None).await;
            });
        })
        .join();
    }
}

/// An index with `docs` documents, then closed (`POST /{index}/_close`).
async fn closed_index(c: &OpenSearch, name: &str, docs: usize) {
    call(
        c,
        Method::Put,
        &format!("/{name}"),
        Some(json!({"settings": {"number_of_shards": 1, "number_of_replicas": 0}})),
    )
    .await;
    for i in 0..docs {
        call(
            c,
            Method::Put,
            &format!("/{name}/_doc/{i}?refresh=true"),
            Some(json!({"n": i})),
        )
        .await;
    }
    let r = call(c, Method::Post, &format!("/{name}/_close"), None).await;
    assert_eq!(r["acknowledged"], true, "close {name}: {r}");
}

fn collector() -> OpenSearchCollector {
    OpenSearchCollector::new(
        &OpenSearchConfig {
            url: url().into(),
            ..Default::default()
        },
        &AwsContext::new(&Context::default()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_and_red_indices_are_shown_as_such_never_as_empty_open_indices() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    let c = client();
    let (closed, red) = (unique("closed"), unique("red"));
    let _cleanup = Indices(vec![closed.clone(), red.clone()]);
    closed_index(&c, &closed, 3).await;
    // A primary that can never be allocated (no node has that name): the index is red.
    call(
        &c,
        Method::Put,
        &format!("/{red}?wait_for_active_shards=0"),
        Some(json!({"settings": {
            "number_of_shards": 1, "number_of_replicas": 0,
            "index.routing.allocation.require._name": "opsdeck-no-such-node"
        }})),
    )
    .await;

    let st = collector().collect_status().await.expect("round");
    let find = |n: &str| {
        st.indices
            .iter()
            .find(|i| i.name == n)
            .unwrap_or_else(|| panic!("{n} not listed: {:#?}", st.indices))
    };
    let ci = find(&closed);
    assert_eq!(ci.state, IndexState::Closed, "{ci:#?}");
    assert_eq!(
        ci.docs, None,
        "a closed index has no document figure: {ci:#?}"
    );
    let ri = find(&red);
    assert_eq!(ri.state, IndexState::Red, "{ri:#?}");
    assert_eq!(ri.docs, None, "{ri:#?}");
    assert_eq!(ri.health.as_deref(), Some("red"));
    // The stack's own index is still an open index with its figures.
    let p = find("products_v1");
    assert_eq!(p.state, IndexState::Open);
    assert!(p.docs.is_some_and(|d| d > 0), "{p:#?}");
}

/// `opsdeck op reindex --dry-run` against the node.
fn reindex_dry_run(source: &str, target: &str, alias: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            r#"audit_log = "{audit}"
default_context = "stack"
[contexts.stack]
[contexts.stack.opensearch]
url = "{url}"
"#,
            audit = dir.path().join("audit.jsonl").display(),
            url = url()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--config")
        .arg(&config)
        .args([
            "op",
            "reindex",
            "--source",
            source,
            "--target",
            target,
            "--alias",
            alias,
            "--dry-run",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_refuses_a_closed_source_and_says_the_engine_reason() {
    let _serial = SERIAL.lock().await;
    opsdeck::install_crypto_provider();
    let c = client();
    let (source, target, alias) = (unique("src"), unique("dst"), unique("alias"));
    let _cleanup = Indices(vec![source.clone(), target.clone()]);
    closed_index(&c, &source, 2).await;
    call(
        &c,
        Method::Post,
        "/_aliases",
        Some(json!({"actions": [{"add": {"index": source, "alias": alias}}]})),
    )
    .await;

    let (code, out) = reindex_dry_run(&source, &target, &alias);
    assert_eq!(code, 3, "refused by a guardrail: {out}");
    let line = out
        .lines()
        .find(|l| l.contains("source readable"))
        .unwrap_or_else(|| panic!("no source readable guardrail: {out}"));
    assert!(line.contains("FAIL"), "{line}");
    assert!(line.contains("closed"), "the engine's reason: {line}");

    // Opened again, the same source is readable.
    call(&c, Method::Post, &format!("/{source}/_open"), None).await;
    let h = call(
        &c,
        Method::Get,
        &format!("/_cluster/health/{source}?wait_for_status=green&timeout=20s"),
        None,
    )
    .await;
    assert_eq!(h["status"], "green", "{h}");
    let (_, out) = reindex_dry_run(&source, &target, &alias);
    let line = out.lines().find(|l| l.contains("source readable")).unwrap();
    assert!(line.contains("ok") && line.contains("_count 2"), "{line}");
}
