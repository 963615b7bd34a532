//! The OpenSearch calls behind the reindex catch-up: the source's write block
//! (`index.blocks.write`), the id listing that finds documents deleted during the copy (scroll
//! over `_id`/`_routing` only), the bulk delete of those ids, and the alias's own properties
//! (`filter`, `index_routing`, `search_routing`, `is_write_index`, `is_hidden`) that the swap
//! must carry over.

use anyhow::{Result, anyhow, bail};
use opensearch::http::Method;
use opensearch::http::headers::HeaderMap;
use opensearch::http::request::{JsonBody, NdBody};
use serde_json::{Value, json};

use super::admin::{ALIAS_PROPERTIES, DocIds};
use super::rest::Rest;

/// One page of ids per scroll round: ids only (`_source: false`), so a page is small.
const SCROLL_PAGE: u64 = 5000;

/// Keep only [`ALIAS_PROPERTIES`] from one index's entry of `GET /_alias/{alias}`.
pub fn alias_properties_of(entry: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for k in ALIAS_PROPERTIES {
        if let Some(v) = entry.get(*k) {
            out.insert((*k).to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// The `_aliases` actions of a swap: remove `alias` from every index in `from` (except `to`),
/// add it to `to` with `properties` (an object of [`ALIAS_PROPERTIES`]).
pub fn swap_actions(alias: &str, from: &[String], to: &str, properties: &Value) -> Value {
    let mut actions: Vec<Value> = from
        .iter()
        .filter(|i| i.as_str() != to)
        .map(|i| json!({ "remove": { "index": i, "alias": alias } }))
        .collect();
    let mut add = json!({ "index": to, "alias": alias });
    if let Some(p) = properties.as_object() {
        for (k, v) in p {
            add[k] = v.clone();
        }
    }
    actions.push(json!({ "add": add }));
    json!({ "actions": actions })
}

impl Rest {
    /// `GET /_alias/{alias}`: index -> the alias's properties on it (empty when absent).
    pub async fn get_alias_properties(&self, alias: &str) -> Result<Vec<(String, Value)>> {
        let (status, json) = self
            .raw(Method::Get, &format!("/_alias/{alias}"), &[], None)
            .await?;
        match status {
            200 => Ok(json
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(index, body)| {
                            (index.clone(), alias_properties_of(&body["aliases"][alias]))
                        })
                        .collect()
                })
                .unwrap_or_default()),
            404 => Ok(Vec::new()),
            s => bail!("GET /_alias/{alias}: HTTP {s}: {json}"),
        }
    }

    /// `index.blocks.write` as the cluster reports it.
    pub async fn get_write_block(&self, index: &str) -> Result<bool> {
        let v = self
            .call(
                Method::Get,
                &format!("/{index}/_settings/index.blocks.write"),
                &[],
                None,
            )
            .await?;
        let s = v
            .as_object()
            .and_then(|m| m.values().next())
            .map(|b| b["settings"]["index"]["blocks"]["write"].clone())
            .unwrap_or(Value::Null);
        Ok(s == json!("true") || s == json!(true))
    }

    /// Set (`true`) or reset (`false`: back to the default, no block) `index.blocks.write`.
    pub async fn put_write_block(&self, index: &str, on: bool) -> Result<()> {
        let value = if on { json!(true) } else { Value::Null };
        self.call(
            Method::Put,
            &format!("/{index}/_settings"),
            &[],
            Some(json!({ "index": { "blocks.write": value } })),
        )
        .await?;
        Ok(())
    }

    /// Every document id of `index` with its routing, by scroll (ids only). Memory: one
    /// string per document; the catch-up runs it on both indices under the write block.
    pub async fn scroll_ids(&self, index: &str) -> Result<DocIds> {
        let mut out = DocIds::new();
        let mut page = self
            .call(
                Method::Post,
                &format!("/{index}/_search"),
                &[("scroll", "1m".into())],
                Some(
                    json!({ "size": SCROLL_PAGE, "_source": false, "sort": ["_doc"],
                             "query": { "match_all": {} } }),
                ),
            )
            .await?;
        loop {
            let hits = page["hits"]["hits"].as_array().cloned().unwrap_or_default();
            for h in &hits {
                if let Some(id) = h["_id"].as_str() {
                    out.insert(id.to_string(), h["_routing"].as_str().map(str::to_string));
                }
            }
            let scroll_id = page["_scroll_id"].as_str().map(str::to_string);
            if hits.is_empty() {
                if let Some(sid) = scroll_id {
                    let _ = self
                        .call(
                            Method::Delete,
                            "/_search/scroll",
                            &[],
                            Some(json!({ "scroll_id": [sid] })),
                        )
                        .await;
                }
                return Ok(out);
            }
            let sid = scroll_id.ok_or_else(|| anyhow!("POST /{index}/_search: no _scroll_id"))?;
            page = self
                .call(
                    Method::Post,
                    "/_search/scroll",
                    &[],
                    Some(json!({ "scroll": "1m", "scroll_id": sid })),
                )
                .await?;
        }
    }

    /// `_bulk` deletes of `ids` (with their routing) in `index`; returns how many existed.
    /// A delete of an id already gone (404 in the item) is not an error.
    pub async fn bulk_delete(&self, index: &str, ids: &[(String, Option<String>)]) -> Result<u64> {
        let mut deleted = 0;
        for chunk in ids.chunks(1000) {
            let lines: Vec<JsonBody<Value>> = chunk
                .iter()
                .map(|(id, routing)| {
                    let mut d = json!({ "_index": index, "_id": id });
                    if let Some(r) = routing {
                        d["routing"] = json!(r);
                    }
                    JsonBody::new(json!({ "delete": d }))
                })
                .collect();
            let send = async {
                let resp = self
                    .client()
                    .send(
                        Method::Post,
                        "/_bulk",
                        HeaderMap::new(),
                        Some(&[("refresh", "true")]),
                        Some(NdBody::new(lines)),
                        None,
                    )
                    .await
                    .map_err(|e| anyhow!("POST /_bulk (delete) on {}: {e}", self.url()))?;
                let status = resp.status_code().as_u16();
                let v: Value = resp.json().await.unwrap_or(Value::Null);
                Ok((status, v))
            };
            let (status, v) = crate::services::admin_bound::within(
                format!("POST /_bulk (delete) on {}", self.url()),
                self.call_timeout(),
                send,
            )
            .await?;
            if !(200..300).contains(&status) {
                bail!("POST /_bulk (delete): HTTP {status}: {v}");
            }
            for item in v["items"].as_array().into_iter().flatten() {
                let d = &item["delete"];
                match d["status"].as_u64() {
                    Some(200) => deleted += 1,
                    Some(404) => {}
                    _ => bail!(
                        "POST /_bulk: delete of {} in {index} failed: {}",
                        d["_id"],
                        d["error"]
                    ),
                }
            }
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_properties_keep_what_the_add_action_accepts() {
        let entry = json!({"filter":{"term":{"tenant":"acme"}},"index_routing":"acme",
            "search_routing":"acme","is_write_index":true,"unknown":1});
        assert_eq!(
            alias_properties_of(&entry),
            json!({"filter":{"term":{"tenant":"acme"}},"index_routing":"acme",
                "search_routing":"acme","is_write_index":true})
        );
    }

    #[test]
    fn the_swap_removes_from_the_old_index_and_adds_with_the_properties() {
        let a = swap_actions(
            "products",
            &["products_v1".into()],
            "products_v2",
            &json!({"is_write_index": true, "index_routing": "acme"}),
        );
        assert_eq!(
            a,
            json!({"actions":[{"remove":{"index":"products_v1","alias":"products"}},
                {"add":{"index":"products_v2","alias":"products","is_write_index":true,"index_routing":"acme"}}]})
        );
    }
}
