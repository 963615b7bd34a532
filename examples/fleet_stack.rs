//! Seeds the local stack at fleet size and writes a console config pointing at it, so that the
//! console itself (real collectors, their connection pools and SDK clients, 24 h of history
//! filling) can be measured at fleet size; then removes what it seeded.
//!
//! ```text
//! eval "$(scripts/stack env)"; export AWS_EC2_METADATA_DISABLED=true
//! cargo run --release --example fleet_stack -- seed DIR [CONTEXTS]   # default 1 context
//! scripts/measure-rss 120 target/release/opsdeck 160x48 -- --config DIR/fleet.toml --context fleet-0,fleet-1,fleet-2
//! cargo run --release --example fleet_stack -- clean DIR
//! ```
//!
//! Each context is the fleet of issue 14 (15 Aurora replicas, 30 Redis nodes, 1,000 OpenSearch
//! indices, 200 S3 buckets with the daily storage metrics S3 publishes); the contexts share the
//! one stack (replica and node entries repeat the stack's servers), so the console keeps as
//! many connections and clients as against a real fleet. Seeded names are kept in
//! DIR/seeded.json for `clean`.

#[path = "../benches/stack_seed.rs"]
mod stack_seed;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use opensearch::OpenSearch;
use opensearch::http::transport::Transport;
use opsdeck::config::Context;
use opsdeck::services::aws::AwsContext;
use stack_seed::{delete_buckets, delete_indices, env, seed_buckets, seed_indices};

const REPLICAS: usize = 15;
const NODES: usize = 30;
const INDICES: usize = 1000;
const BUCKETS: usize = 200;

#[derive(serde::Serialize, serde::Deserialize)]
struct Seeded {
    buckets: Vec<String>,
    indices: Vec<String>,
}

/// A TOML string literal (basic string, escaped by the toml crate's own rules).
fn lit(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn config(contexts: usize, seeded: &Seeded, dir: &Path) -> String {
    let replicas = [
        env("OPSDECK_MYSQL_REPLICA_URL"),
        env("OPSDECK_MYSQL_DELAYED_URL"),
    ];
    let nodes: Vec<String> = env("OPSDECK_REDIS_CLUSTER_URLS")
        .split(',')
        .map(str::to_string)
        .collect();
    let mut c = String::new();
    let audit = dir.join("audit.jsonl");
    writeln!(
        c,
        "# written by examples/fleet_stack.rs: {contexts} fleet-size contexts on the local stack"
    )
    .unwrap();
    writeln!(c, "default_context = \"fleet-0\"\nread_only = true").unwrap();
    writeln!(c, "audit_log = {}", lit(&audit.display().to_string())).unwrap();
    for k in 0..contexts {
        let name = format!("fleet-{k}");
        writeln!(c, "\n[contexts.{name}]").unwrap();
        writeln!(c, "region = {}", lit(&env("AWS_REGION"))).unwrap();
        writeln!(c, "endpoint_url = {}", lit(&env("AWS_ENDPOINT_URL"))).unwrap();
        writeln!(c, "\n[contexts.{name}.aurora]\ncluster_id = \"catalog\"").unwrap();
        writeln!(c, "writer_url = {}", lit(&env("OPSDECK_MYSQL_SOURCE_URL"))).unwrap();
        writeln!(c, "heartbeat_table = \"opsdeck.heartbeat\"\nreplicas = [").unwrap();
        for i in 0..REPLICAS {
            let url = &replicas[i % replicas.len()];
            writeln!(c, "  {{ name = \"replica-{i:02}\", url = {} }},", lit(url)).unwrap();
        }
        writeln!(c, "]\n\n[contexts.{name}.redis]\ncluster = false\nurls = [").unwrap();
        for i in 0..NODES {
            writeln!(c, "  {},", lit(&nodes[i % nodes.len()])).unwrap();
        }
        writeln!(c, "]\n\n[contexts.{name}.s3]\nbuckets = [").unwrap();
        for b in &seeded.buckets {
            writeln!(c, "  {},", lit(b)).unwrap();
        }
        writeln!(c, "]\n\n[contexts.{name}.opensearch]").unwrap();
        writeln!(c, "url = {}", lit(&env("OPSDECK_OPENSEARCH_URL"))).unwrap();
        writeln!(c, "\n[contexts.{name}.redshift]").unwrap();
        writeln!(c, "url = {}", lit(&env("OPSDECK_PG_URL"))).unwrap();
    }
    c
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: fleet_stack seed DIR [CONTEXTS] | fleet_stack clean DIR";
    let (cmd, dir) = match (args.first(), args.get(1)) {
        (Some(c), Some(d)) => (c.as_str(), PathBuf::from(d)),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    opsdeck::install_crypto_provider();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let aws = AwsContext::new(&Context {
        region: Some(env("AWS_REGION")),
        endpoint_url: Some(env("AWS_ENDPOINT_URL")),
        ..Default::default()
    });
    let os = OpenSearch::new(Transport::single_node(&env("OPSDECK_OPENSEARCH_URL")).unwrap());
    let record = dir.join("seeded.json");
    match cmd {
        "seed" => {
            let contexts: usize = args.get(2).map_or(1, |n| {
                n.parse().unwrap_or_else(|_| {
                    eprintln!("fleet_stack: CONTEXTS must be a number, not {n:?}");
                    std::process::exit(2)
                })
            });
            std::fs::create_dir_all(&dir).unwrap();
            let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
            let seeded = Seeded {
                buckets: (0..BUCKETS)
                    .map(|i| format!("opsdeck-fleet-{run}-{i:03}"))
                    .collect(),
                indices: (0..INDICES)
                    .map(|i| format!("opsdeck-fleet-{run}-{i:04}"))
                    .collect(),
            };
            // Written first: a seed interrupted half-way is still cleaned.
            std::fs::write(&record, serde_json::to_vec(&seeded).unwrap()).unwrap();
            let t = std::time::Instant::now();
            rt.block_on(seed_buckets(&aws, &seeded.buckets));
            rt.block_on(seed_indices(&os, &seeded.indices));
            let path = dir.join("fleet.toml");
            std::fs::write(&path, config(contexts, &seeded, &dir)).unwrap();
            eprintln!(
                "fleet_stack: {BUCKETS} buckets and {INDICES} indices seeded in {:.0?}; config {}",
                t.elapsed(),
                path.display()
            );
        }
        "clean" => {
            let seeded: Seeded = serde_json::from_slice(
                &std::fs::read(&record).unwrap_or_else(|e| panic!("{}: {e}", record.display())),
            )
            .unwrap();
            rt.block_on(delete_indices(&os, &seeded.indices));
            rt.block_on(delete_buckets(&aws, &seeded.buckets));
            std::fs::remove_file(&record).unwrap();
            eprintln!("fleet_stack: removed what {} named", record.display());
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
