//! Reindex against the stack's OpenSearch (127.0.0.1:9201). Each test seeds its own indices
//! (`opsdeck_t_<random>_v1` behind alias `opsdeck_t_<random>`), never the shared products
//! indices, and deletes them afterwards. Fails, never skips, when OpenSearch is down.

use std::time::{Duration, Instant};

use opsdeck::ops::opensearch_admin::{OsAdmin, SearchAdmin};
use serde_json::json;

const OS: &str = "http://127.0.0.1:9201";

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
                Url::parse(super::OS).unwrap(),
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
                .unwrap_or_else(|e| panic!("{path} on {} (is the stack up?): {e}", super::OS));
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

async fn wait_task(admin: &OsAdmin, id: &str) -> opsdeck::ops::opensearch_admin::TaskProgress {
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
    let admin = OsAdmin::new(OS).unwrap();
    assert_ne!(admin.health().await.unwrap(), "red");
    assert_eq!(
        admin.alias_targets(&ti.alias).await.unwrap(),
        vec![ti.v1.clone()]
    );
    let def = admin.index_definition(&ti.v1).await.unwrap();
    assert_eq!(def.mappings["properties"]["sku"]["type"], "keyword");
    assert!(def.settings.get("uuid").is_none());
    let v2 = opsdeck::ops::opensearch_admin::next_version_name(&ti.v1);
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
        .swap_alias(&ti.alias, std::slice::from_ref(&ti.v1), &v2)
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
