//! Contexts that share settings: `[contexts.X] extends = "Y"` makes X a deep copy of Y's tables
//! with X's own keys on top. Tables merge key by key; any other value (string, number, array,
//! array of tables such as `[[contexts.X.cutover]]`) replaces Y's whole. Chains work
//! (`a -> b -> c`); a cycle or an unknown name is an error naming the key (`config::parse`
//! adds file, line and column from the document's spans).
//!
//! The merge works on the raw TOML table, before the typed schema sees it, so a section that
//! is complete only after the merge (X overrides `aurora.writer_url`, Y gives `cluster_id`)
//! is valid.

use toml::{Table, Value};

/// The key naming a context's parent.
pub const KEY: &str = "extends";

/// Whether any context of the raw config uses `extends`.
pub fn used(table: &Table) -> bool {
    contexts(table).is_some_and(|c| {
        c.values()
            .any(|v| v.as_table().is_some_and(|t| t.contains_key(KEY)))
    })
}

fn contexts(table: &Table) -> Option<&Table> {
    table.get("contexts").and_then(Value::as_table)
}

/// Replace every context by its effective table (parents merged in, child's keys win). The
/// `extends` key is kept on the child so `config show` can say where settings came from.
///
/// Errors, as (dotted key `contexts.X.extends`, message): the value is not a string, names an
/// unknown context, or the chain comes back to a context already in it.
pub fn expand(table: &mut Table) -> Result<(), (String, String)> {
    let Some(ctxs) = contexts(table).cloned() else {
        return Ok(());
    };
    let mut out = Table::new();
    for name in ctxs.keys() {
        let mut chain = vec![name.clone()];
        let eff = effective(&ctxs, name, &mut chain)?;
        out.insert(name.clone(), Value::Table(eff));
    }
    table.insert("contexts".into(), Value::Table(out));
    Ok(())
}

fn effective(ctxs: &Table, name: &str, chain: &mut Vec<String>) -> Result<Table, (String, String)> {
    let own = match ctxs.get(name) {
        Some(Value::Table(t)) => t.clone(),
        // Not a table: the schema reports it with its own message.
        _ => return Ok(Table::new()),
    };
    let Some(parent) = own.get(KEY) else {
        return Ok(own);
    };
    let key = format!("contexts.{name}.{KEY}");
    let Some(parent) = parent.as_str() else {
        return Err((
            key,
            "must be the name of another context, e.g. extends = \"prod\"".into(),
        ));
    };
    if !ctxs.contains_key(parent) {
        let known: Vec<&str> = ctxs
            .keys()
            .map(String::as_str)
            .filter(|k| *k != name)
            .collect();
        return Err((
            key,
            format!("no context {parent:?}; known: {}", known.join(", ")),
        ));
    }
    if chain.iter().any(|c| c == parent) {
        chain.push(parent.to_string());
        return Err((key, format!("cycle {}", chain.join(" -> "))));
    }
    chain.push(parent.to_string());
    let mut base = effective(ctxs, parent, chain)?;
    // A parent's own parent is not the child's.
    base.remove(KEY);
    merge(&mut base, own);
    Ok(base)
}

/// Deep merge: tables key by key, everything else replaced by `over`'s value.
pub fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ConfigError, parse};
    use std::path::Path;

    const SHARED: &str = r#"
default_context = "prod-us"

[contexts.prod-us]
region = "us-east-1"
colour = "red"
[contexts.prod-us.aurora]
cluster_id = "catalog"
writer_url = "mysql://root@10.0.0.1:3306/shop"
replicas = [ { name = "r1", url = "mysql://root@10.0.0.2:3306/" } ]
[contexts.prod-us.redis]
urls = ["redis://10.0.0.3:6379"]
cluster = true
[[contexts.prod-us.cutover]]
name = "catalog-failover"
strategy = "failover"

[contexts.prod-eu]
extends = "prod-us"
region = "eu-west-1"
[contexts.prod-eu.aurora]
writer_url = "mysql://root@10.1.0.1:3306/shop"
[contexts.prod-eu.redis]
urls = ["redis://10.1.0.3:6379"]
"#;

    fn err(text: &str) -> String {
        match parse(text, Path::new("fleet.toml")) {
            Err(e @ ConfigError::Invalid { .. })
            | Err(e @ ConfigError::Parse { .. })
            | Err(e @ ConfigError::At { .. }) => e.to_string(),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn an_extending_context_overrides_only_what_differs() {
        let c = parse(SHARED, Path::new("fleet.toml")).unwrap();
        let eu = &c.contexts["prod-eu"];
        assert_eq!(eu.region.as_deref(), Some("eu-west-1"));
        assert_eq!(eu.colour.as_deref(), Some("red"));
        let a = eu.aurora.as_ref().unwrap();
        assert_eq!(a.cluster_id, "catalog");
        assert_eq!(
            a.writer_url.as_deref(),
            Some("mysql://root@10.1.0.1:3306/shop")
        );
        assert_eq!(a.replicas.len(), 1, "arrays are inherited whole");
        let r = eu.redis.as_ref().unwrap();
        assert_eq!(r.urls, vec!["redis://10.1.0.3:6379"]);
        assert!(
            r.cluster,
            "keys the child does not set come from the parent"
        );
        assert_eq!(eu.cutover.len(), 1);
        assert_eq!(eu.extends.as_deref(), Some("prod-us"));
        // The parent is untouched.
        let us = &c.contexts["prod-us"];
        assert_eq!(us.region.as_deref(), Some("us-east-1"));
        assert_eq!(us.extends, None);
    }

    #[test]
    fn extends_chains_resolve_nearest_first() {
        let text = format!(
            "{SHARED}\n[contexts.prod-eu-canary]\nextends = \"prod-eu\"\ncolour = \"yellow\"\n"
        );
        let c = parse(&text, Path::new("fleet.toml")).unwrap();
        let canary = &c.contexts["prod-eu-canary"];
        assert_eq!(canary.region.as_deref(), Some("eu-west-1"));
        assert_eq!(canary.colour.as_deref(), Some("yellow"));
        assert_eq!(
            canary.aurora.as_ref().unwrap().cluster_id,
            "catalog",
            "the grandparent's keys arrive too"
        );
    }

    #[test]
    fn an_extends_cycle_names_file_line_and_key() {
        let text = SHARED.replace(
            "[contexts.prod-us]\n",
            "[contexts.prod-us]\nextends = \"prod-eu\"\n",
        );
        let e = err(&text);
        assert!(
            e.starts_with("fleet.toml:5:1: key `contexts.prod-us.extends`")
                || e.starts_with("fleet.toml:20:1: key `contexts.prod-eu.extends`"),
            "{e}"
        );
        assert!(e.contains("cycle"), "{e}");
        let self_cycle = SHARED.replace("extends = \"prod-us\"", "extends = \"prod-eu\"");
        let e = err(&self_cycle);
        assert!(
            e.contains("fleet.toml:19:1: key `contexts.prod-eu.extends`: cycle prod-eu -> prod-eu"),
            "{e}"
        );
    }

    #[test]
    fn extending_an_unknown_context_names_file_line_key_and_the_known_ones() {
        let text = SHARED.replace("extends = \"prod-us\"", "extends = \"prod-usa\"");
        let e = err(&text);
        assert!(
            e.starts_with(
                "fleet.toml:19:1: key `contexts.prod-eu.extends`: no context \"prod-usa\""
            ),
            "{e}"
        );
        assert!(e.contains("known: prod-us"), "{e}");
    }

    #[test]
    fn a_bad_key_in_an_extending_context_names_line_and_key() {
        let text = SHARED.replace("region = \"eu-west-1\"", "regoin = \"eu-west-1\"");
        let e = err(&text);
        assert!(
            e.starts_with("fleet.toml:20:1: key `contexts.prod-eu.regoin`: unknown field"),
            "{e}"
        );
    }

    #[test]
    fn the_local_stack_config_shares_one_context_with_extends() {
        let text = include_str!("../../config.local.toml");
        let c = parse(text, Path::new("config.local.toml")).unwrap();
        let cl = &c.contexts["local-cluster"];
        assert_eq!(cl.extends.as_deref(), Some("local"));
        assert!(cl.redis.as_ref().unwrap().cluster);
        assert_eq!(cl.redis.as_ref().unwrap().urls.len(), 6);
        assert_eq!(
            cl.aurora.as_ref().unwrap().replicas.len(),
            c.contexts["local"].aurora.as_ref().unwrap().replicas.len()
        );
        assert_eq!(cl.cutover.len(), c.contexts["local"].cutover.len());
    }
}
