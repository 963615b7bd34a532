//! OpenSearch collector against the stack's node (127.0.0.1:9201): indexing rate from counter
//! deltas, reindex task progress, indices with aliases. Fails (never skips) when the node is
//! not there. Test indices are named opsdeck-t-* and deleted afterwards.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opensearch::OpenSearch;
use opensearch::http::Method;
use opensearch::http::headers::HeaderMap;
use opensearch::http::transport::Transport;
use opsdeck::config::{Context, OpenSearchConfig};
use opsdeck::services::aws::AwsContext;
use opsdeck::services::opensearch::OpenSearchCollector;
use serde_json::{Value, json};
use tokio::time::Instant;

fn url() -> String {
    common::stack_env("OPSDECK_OPENSEARCH_URL")
}

fn unique(tag: &str) -> String {
    format!(
        "opsdeck-t-{tag}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

fn collector() -> OpenSearchCollector {
    let aws = AwsContext::new(&Context::default());
    OpenSearchCollector::new(
        &OpenSearchConfig {
            url: url().into(),
            ..Default::default()
        },
        &aws,
    )
}

async fn client() -> OpenSearch {
    let c = OpenSearch::new(Transport::single_node(&url()).unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = call(&c, Method::Get, "/_cluster/health", None).await
            && r["status"].is_string()
        {
            return c;
        }
        assert!(
            Instant::now() < deadline,
            "OpenSearch is not answering on {}: run scripts/stack up",
            url()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn call(c: &OpenSearch, m: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
    let r = c
        .send(
            m,
            path,
            HeaderMap::new(),
            None::<&()>,
            body.map(|b| b.to_string()),
            Some(Duration::from_secs(30)),
        )
        .await?;
    Ok(r.json().await?)
}

async fn bulk(c: &OpenSearch, index: &str, from: usize, n: usize) {
    let mut lines = String::new();
    for i in from..from + n {
        lines.push_str(&json!({"index": {"_index": index, "_id": i.to_string()}}).to_string());
        lines.push('\n');
        lines.push_str(&json!({"n": i, "name": format!("doc {i}")}).to_string());
        lines.push('\n');
    }
    let mut h = HeaderMap::new();
    h.insert("content-type", "application/x-ndjson".parse().unwrap());
    let r: Value = c
        .send(Method::Post, "/_bulk", h, None::<&()>, Some(lines), None)
        .await
        .expect("bulk")
        .json()
        .await
        .unwrap();
    assert_eq!(r["errors"], json!(false), "{r}");
}

async fn create_index(c: &OpenSearch, index: &str) {
    let r = call(
        c,
        Method::Put,
        &format!("/{index}"),
        Some(json!({"settings": {"number_of_shards": 1, "number_of_replicas": 0}})),
    )
    .await
    .unwrap();
    assert_eq!(r["acknowledged"], json!(true), "{r}");
}

async fn delete_index(c: &OpenSearch, index: &str) {
    let _ = call(c, Method::Delete, &format!("/{index}"), None).await;
}

#[tokio::test]
async fn indexing_fifty_docs_per_second_moves_the_reported_rate_near_fifty() {
    let c = client().await;
    let index = unique("rate");
    create_index(&c, &index).await;

    // 10 docs every 200 ms = 50 docs/s, for at most 40 s
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (c, index, stop) = (c.clone(), index.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let end = Instant::now() + Duration::from_secs(40);
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && Instant::now() < end {
                tick.tick().await;
                bulk(&c, &index, n, 10).await;
                n += 10;
            }
        })
    };

    let mut col = collector();
    col.collect_status().await.expect("baseline");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let ok = loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let st = col.collect_status().await.expect("collect");
        seen.push(st.indexing_rate_per_sec);
        // the stack's load generator adds ~1.5 docs/s of its own
        if (40.0..=65.0).contains(&st.indexing_rate_per_sec) {
            assert!(st.indexing_latency_ms.is_some_and(|l| l >= 0.0));
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
    };
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    delete_index(&c, &index).await;
    assert!(ok, "rate never came near 50 docs/s: {seen:?}");
}

#[tokio::test]
async fn a_running_reindex_task_shows_its_progress_then_done_when_gone() {
    let c = client().await;
    let (src, dst) = (unique("reindex-src"), unique("reindex-dst"));
    create_index(&c, &src).await;
    for from in (0..1000).step_by(500) {
        bulk(&c, &src, from, 500).await;
    }
    call(&c, Method::Post, &format!("/{src}/_refresh"), None)
        .await
        .unwrap();
    // 50 docs per batch at 10 docs/s: the task stays running for ~100 s unless cancelled
    let r = call(
        &c,
        Method::Post,
        "/_reindex?wait_for_completion=false&requests_per_second=10",
        Some(json!({"source": {"index": src, "size": 50}, "dest": {"index": dst}})),
    )
    .await
    .unwrap();
    let task = r["task"].as_str().expect("task id").to_string();

    let mut col = collector();
    let deadline = Instant::now() + Duration::from_secs(30);
    let shown = loop {
        let st = col.collect_status().await.expect("collect");
        if let Some(t) = st.tasks.iter().find(|t| t.id == task)
            && t.total == 1000
            && t.created > 0
        {
            break t.clone();
        }
        assert!(
            Instant::now() < deadline,
            "task {task} never showed progress: {:?}",
            st.tasks
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(!shown.done);
    assert!(shown.action.contains("reindex"));
    assert!(
        shown.created < 1000,
        "throttled task should still be running"
    );
    assert!(shown.description.as_deref().unwrap_or("").contains(&src));

    call(&c, Method::Post, &format!("/_tasks/{task}/_cancel"), None)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let st = col.collect_status().await.expect("collect");
        if st.tasks.iter().any(|t| t.id == task && t.done) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "task never marked done: {:?}",
            st.tasks
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    delete_index(&c, &src).await;
    delete_index(&c, &dst).await;
}

#[tokio::test]
async fn indices_list_docs_size_health_and_aliases() {
    let c = client().await;
    let index = unique("alias");
    let alias = unique("alias-name");
    create_index(&c, &index).await;
    bulk(&c, &index, 0, 25).await;
    call(&c, Method::Post, &format!("/{index}/_refresh"), None)
        .await
        .unwrap();
    call(
        &c,
        Method::Post,
        "/_aliases",
        Some(json!({"actions": [{"add": {"index": index, "alias": alias}}]})),
    )
    .await
    .unwrap();
    let mut col = collector();
    let deadline = Instant::now() + Duration::from_secs(20);
    let found = loop {
        let st = col.collect_status().await.expect("collect");
        assert!(["green", "yellow", "red"].contains(&st.health.as_str()));
        assert!(st.nodes >= 1);
        // `_cat/indices` reports the docs of a refresh before the store size catches up.
        if let Some(i) = st.indices.iter().find(|i| i.name == index)
            && i.docs == Some(25)
            && i.size_bytes.is_some_and(|b| b > 0)
        {
            break i.clone();
        }
        assert!(
            Instant::now() < deadline,
            "index {index} with 25 docs and a store size not listed"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    delete_index(&c, &index).await;
    assert_eq!(found.aliases, vec![alias]);
    assert!(found.size_bytes.is_some_and(|b| b > 0));
    assert_eq!(found.health.as_deref(), Some("green"));
}

#[tokio::test]
async fn an_unreachable_cluster_fails_the_round_within_its_timeout() {
    let mut col = OpenSearchCollector::new(
        &OpenSearchConfig {
            url: "http://127.0.0.1:9".into(),
            username: Some("ops".into()),
            password_env: Some("OPSDECK_TEST_UNSET_PASSWORD_VAR".into()),
            timeout: Some(Duration::from_secs(2)),
            ..Default::default()
        },
        &AwsContext::new(&Context::default()),
    );
    let started = std::time::Instant::now();
    let s = opsdeck::services::collect_once(&mut col).await;
    let err = s.result.expect_err("no cluster");
    assert!(started.elapsed() < Duration::from_secs(3));
    // the password variable is not set: named, never a value
    assert!(err.contains("OPSDECK_TEST_UNSET_PASSWORD_VAR"), "{err}");
}

/// A TCP relay to the real node that, while `slow` is set, holds back any request for
/// `_cat/indices`: a cluster whose index listing is slow, everything else as usual.
async fn slow_cat_indices_relay(slow: Arc<AtomicBool>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let node = url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (slow, node) = (slow.clone(), node.clone());
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(node.as_str()).await else {
                    return;
                };
                let (mut sr, mut sw) = server.into_split();
                let (mut cr, mut cw) = client.split();
                let up = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if slow.load(Ordering::Relaxed)
                            && String::from_utf8_lossy(&buf[..n]).contains("/_cat/indices")
                        {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                        }
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                };
                let down = async {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                };
                tokio::select! { _ = up => {}, _ = down => {} }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_slow_index_listing_keeps_the_previous_list_and_reports_the_rest_in_time() {
    let c = client().await;
    let index = unique("slowcat");
    create_index(&c, &index).await;
    bulk(&c, &index, 0, 5).await;
    call(&c, Method::Post, &format!("/{index}/_refresh"), None)
        .await
        .unwrap();

    let slow = Arc::new(AtomicBool::new(false));
    let url = slow_cat_indices_relay(slow.clone()).await;
    let mut col = OpenSearchCollector::new(
        &OpenSearchConfig {
            url: url.into(),
            timeout: Some(Duration::from_secs(2)),
            ..Default::default()
        },
        &AwsContext::new(&Context::default()),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let before = loop {
        let st = col.collect_status().await.expect("collect");
        if st
            .indices
            .iter()
            .any(|i| i.name == index && i.docs == Some(5))
        {
            break st;
        }
        assert!(Instant::now() < deadline, "index never listed");
    };
    assert!(before.errors.is_empty(), "{:?}", before.errors);

    slow.store(true, Ordering::Relaxed);
    let started = std::time::Instant::now();
    let s = opsdeck::services::collect_once(&mut col).await;
    let elapsed = started.elapsed();
    delete_index(&c, &index).await;
    let st = match s.result.expect("the rest of the figures still arrive") {
        opsdeck::services::Update::OpenSearch(st) => st,
        other => panic!("unexpected update {other:?}"),
    };
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(["green", "yellow", "red"].contains(&st.health.as_str()));
    assert!(st.nodes >= 1);
    assert!(
        st.indices
            .iter()
            .any(|i| i.name == index && i.docs == Some(5)),
        "previous list kept"
    );
    assert!(
        st.errors
            .iter()
            .any(|e| e.contains("indices") && e.contains("previous")),
        "{:?}",
        st.errors
    );
}
