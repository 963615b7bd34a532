//! Reading OpenSearch's JSON answers where the admin types and the admin client both need it:
//! the error reason a failed call carries, and counters sent as numbers or numeric strings.

use serde_json::Value;

/// The reason of a failed call's body: `error.root_cause[0]` as `type: reason` when present,
/// else `error` itself, else the first 300 characters of the body.
pub fn reason(body: &Value) -> String {
    let e = &body["error"];
    if let Some(s) = e.as_str() {
        return s.to_string();
    }
    let root = e
        .get("root_cause")
        .and_then(|r| r.get(0))
        .filter(|r| r.get("reason").is_some())
        .unwrap_or(e);
    match (root["type"].as_str(), root["reason"].as_str()) {
        (Some(t), Some(r)) => format!("{t}: {r}"),
        (None, Some(r)) => r.to_string(),
        _ => {
            let s = body.to_string();
            s.chars().take(300).collect()
        }
    }
}

/// A JSON number or numeric string as u64 (0 when neither): `_cat` answers counts as strings.
pub fn u(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
}
