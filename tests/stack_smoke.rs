//! Smoke tests for the local service stack (`scripts/stack up`): each real server is what the
//! stack says it is. URLs come from the variables printed by `scripts/stack env`, with the
//! stack's default ports as fallback. A missing service is a failure, never a skip.
//!
//! Run: `scripts/stack up && eval "$(scripts/stack env)" && cargo test --test stack_smoke`

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, anyhow, ensure};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, StateValue};
use aws_smithy_types::DateTime;
use opensearch::http::transport::Transport;
use opensearch::indices::IndicesGetAliasParts;
use opensearch::{CountParts, OpenSearch};
use serde_json::Value;
use sqlx::Row;
use sqlx::mysql::{MySqlPool, MySqlPoolOptions, MySqlRow};
use sqlx::postgres::{PgPool, PgPoolOptions};

/// How long a test waits for a service that should already be up.
const CONNECT_DEADLINE: Duration = Duration::from_secs(30);
const POLL_EVERY: Duration = Duration::from_millis(200);
/// moto scans every stored datapoint for each GetMetricData query, so on a busy machine with
/// a store that other tests have filled it can take tens of seconds to answer.
const MOTO_DEADLINE: Duration = Duration::from_secs(120);

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn install_crypto() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// Polls `attempt` every 200 ms until it returns Ok or `deadline` passes; the last error is
/// returned with `what` as context.
async fn poll<T, F, Fut>(what: &str, deadline: Duration, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let until = Instant::now() + deadline;
    loop {
        let per_try = until
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(500));
        let err = match tokio::time::timeout(per_try, attempt()).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => e,
            Err(_) => anyhow!("timed out"),
        };
        if Instant::now() >= until {
            return Err(err.context(format!(
                "{what}: not satisfied within {deadline:?} (is `scripts/stack up` running?)"
            )));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

// ------------------------------------------------------------------------------ MariaDB

async fn mysql(var: &str, default: &str) -> Result<MySqlPool> {
    let url = env_or(var, default);
    poll(&format!("connect {var}={url}"), CONNECT_DEADLINE, || {
        let url = url.clone();
        async move {
            let pool = MySqlPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(Duration::from_secs(5))
                .connect(&url)
                .await?;
            sqlx::query("SELECT 1").execute(&pool).await?;
            Ok(pool)
        }
    })
    .await
}

/// SHOW SLAVE STATUS columns come back as strings or (un)signed integers depending on the
/// column; read any of them as text.
fn col_text(row: &MySqlRow, col: &str) -> Option<String> {
    if let Ok(v) = row.try_get::<Option<String>, _>(col) {
        return v;
    }
    if let Ok(v) = row.try_get::<Option<u64>, _>(col) {
        return v.map(|v| v.to_string());
    }
    if let Ok(v) = row.try_get::<Option<i64>, _>(col) {
        return v.map(|v| v.to_string());
    }
    row.try_get::<Option<Vec<u8>>, _>(col)
        .ok()
        .flatten()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

async fn slave_status(pool: &MySqlPool) -> Result<MySqlRow> {
    sqlx::query("SHOW SLAVE STATUS")
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| anyhow!("SHOW SLAVE STATUS is empty: not a replica"))
}

/// Age of the source's heartbeat row as seen on `pool`, in seconds.
async fn heartbeat_age(pool: &MySqlPool) -> Result<f64> {
    let micros: i64 = sqlx::query_scalar(
        "SELECT CAST(TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) AS SIGNED) FROM opsdeck.heartbeat WHERE server_id = 1",
    )
    .fetch_one(pool)
    .await?;
    Ok(micros as f64 / 1e6)
}

#[tokio::test]
async fn mariadb_replica_replicates_and_delayed_replica_lags() -> Result<()> {
    install_crypto();
    let source_url = env_or(
        "OPSDECK_MYSQL_SOURCE_URL",
        "mysql://root@127.0.0.1:3316/shop",
    );
    // the source's port, as the replicas name it in SHOW SLAVE STATUS
    let source_port = source_url
        .rsplit('@')
        .next()
        .and_then(|rest| rest.split('/').next())
        .and_then(|authority| authority.rsplit_once(':'))
        .map(|(_, port)| port.to_string())
        .context("no port in OPSDECK_MYSQL_SOURCE_URL")?;
    let source = mysql(
        "OPSDECK_MYSQL_SOURCE_URL",
        "mysql://root@127.0.0.1:3316/shop",
    )
    .await?;
    let replica = mysql("OPSDECK_MYSQL_REPLICA_URL", "mysql://root@127.0.0.1:3317/").await?;
    let delayed = mysql("OPSDECK_MYSQL_DELAYED_URL", "mysql://root@127.0.0.1:3318/").await?;

    // Distinct servers, source writable, replicas read-only.
    let mut ids: Vec<(u64, i64)> = Vec::new();
    for pool in [&source, &replica, &delayed] {
        ids.push(
            sqlx::query_as("SELECT CAST(@@server_id AS UNSIGNED), CAST(@@read_only AS SIGNED)")
                .fetch_one(pool)
                .await?,
        );
    }
    ensure!(
        ids == vec![(1, 0), (2, 1), (3, 1)],
        "server ids / read_only: {ids:?}"
    );

    // Both replicas run GTID replication from the source.
    for (name, pool) in [("replica", &replica), ("delayed", &delayed)] {
        poll(
            &format!("{name} replication threads"),
            CONNECT_DEADLINE,
            || async {
                let row = slave_status(pool).await?;
                let io = col_text(&row, "Slave_IO_Running").unwrap_or_default();
                let sql = col_text(&row, "Slave_SQL_Running").unwrap_or_default();
                let gtid = col_text(&row, "Using_Gtid").unwrap_or_default();
                let port = col_text(&row, "Master_Port").unwrap_or_default();
                ensure!(
                    io == "Yes" && sql == "Yes",
                    "IO {io}, SQL {sql}: {:?}",
                    col_text(&row, "Last_Error")
                );
                ensure!(gtid == "Slave_Pos", "Using_Gtid = {gtid}");
                ensure!(
                    port == source_port,
                    "Master_Port = {port}, source on {source_port}"
                );
                Ok(())
            },
        )
        .await?;
    }

    // A write on the source reaches the replica.
    let marker = 400_000
        + (SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)?
            .as_millis()
            % 99_999) as u32;
    let id = sqlx::query("INSERT INTO shop.orders (user_id, total) VALUES (?, 1.00)")
        .bind(marker)
        .execute(&source)
        .await?
        .last_insert_id();
    poll("order replicated to 3317", CONNECT_DEADLINE, || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shop.orders WHERE id = ?")
            .bind(id)
            .fetch_one(&replica)
            .await?;
        ensure!(n == 1, "order {id} not on the replica yet");
        Ok(())
    })
    .await?;

    // The heartbeat is fresh on the source and the replica, and old on the delayed replica.
    let age = poll(
        "fresh heartbeat on the source",
        CONNECT_DEADLINE,
        || async {
            let age = heartbeat_age(&source).await?;
            ensure!(age < 3.0, "heartbeat is {age:.1}s old on the source");
            Ok(age)
        },
    )
    .await?;
    let replica_age = poll("fresh heartbeat on 3317", CONNECT_DEADLINE, || async {
        let age = heartbeat_age(&replica).await?;
        ensure!(age < 4.0, "heartbeat is {age:.1}s old on the replica");
        Ok(age)
    })
    .await?;
    let delayed_age = poll("delayed replica behind", CONNECT_DEADLINE, || async {
        let age = heartbeat_age(&delayed).await?;
        ensure!(
            age >= 1.0,
            "heartbeat only {age:.1}s old on the delayed replica"
        );
        Ok(age)
    })
    .await?;
    let row = slave_status(&delayed).await?;
    let sql_delay: u64 = col_text(&row, "SQL_Delay")
        .context("SQL_Delay missing")?
        .parse()?;
    ensure!(sql_delay >= 1, "SQL_Delay = {sql_delay}");
    eprintln!(
        "heartbeat age: source {age:.2}s, replica {replica_age:.2}s, delayed {delayed_age:.2}s (SQL_Delay {sql_delay})"
    );

    // Aurora fixture: writer row plus readers, one of them stale.
    let (writers, readers, stale): (i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(SESSION_ID = 'MASTER_SESSION_ID') AS SIGNED), \
                CAST(SUM(SESSION_ID <> 'MASTER_SESSION_ID') AS SIGNED), \
                CAST(SUM(TIMESTAMPDIFF(SECOND, LAST_UPDATE_TIMESTAMP, NOW()) > 300) AS SIGNED) \
         FROM aurora_fixture.replica_host_status",
    )
    .fetch_one(&source)
    .await?;
    ensure!(
        (writers, readers, stale) == (1, 2, 1),
        "replica_host_status writers/readers/stale = {writers}/{readers}/{stale}"
    );
    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shop.products")
        .fetch_one(&source)
        .await?;
    ensure!(products >= 1000, "only {products} products seeded");
    Ok(())
}

// ------------------------------------------------------------------------------ Redis

#[tokio::test]
async fn redis_standalone_and_cluster_are_up() -> Result<()> {
    let url = env_or("OPSDECK_REDIS_URL", "redis://127.0.0.1:6390");
    let client = redis::Client::open(url.as_str())?;
    let mut con = poll(&format!("connect {url}"), CONNECT_DEADLINE, || async {
        Ok(client.get_multiplexed_async_connection().await?)
    })
    .await?;
    let pong: String = redis::cmd("PING").query_async(&mut con).await?;
    ensure!(pong == "PONG", "PING -> {pong}");
    let role: Vec<redis::Value> = redis::cmd("ROLE").query_async(&mut con).await?;
    ensure!(
        matches!(role.first(), Some(redis::Value::BulkString(b)) if b == b"master"),
        "standalone ROLE = {role:?}"
    );
    let info: String = redis::cmd("INFO")
        .arg("cluster")
        .query_async(&mut con)
        .await?;
    ensure!(
        info.contains("cluster_enabled:0"),
        "6390 should be standalone: {info}"
    );

    let urls: Vec<String> = env_or(
        "OPSDECK_REDIS_CLUSTER_URLS",
        "redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003,\
         redis://127.0.0.1:7004,redis://127.0.0.1:7005,redis://127.0.0.1:7006",
    )
    .split(',')
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
    .collect();
    ensure!(urls.len() == 6, "expected 6 cluster nodes, got {urls:?}");

    // Every node agrees: state ok, all 16384 slots assigned, 6 nodes known.
    for url in &urls {
        let node = redis::Client::open(url.as_str())?;
        poll(
            &format!("cluster info on {url}"),
            CONNECT_DEADLINE,
            || async {
                let mut con = node.get_multiplexed_async_connection().await?;
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async(&mut con)
                    .await?;
                for want in [
                    "cluster_state:ok",
                    "cluster_slots_assigned:16384",
                    "cluster_known_nodes:6",
                ] {
                    ensure!(info.contains(want), "{url}: no {want} in\n{info}");
                }
                Ok(())
            },
        )
        .await?;
    }
    let first = redis::Client::open(urls[0].as_str())?;
    let mut con = first.get_multiplexed_async_connection().await?;
    let nodes: String = redis::cmd("CLUSTER")
        .arg("NODES")
        .query_async(&mut con)
        .await?;
    let masters: Vec<&str> = nodes.lines().filter(|l| l.contains("master")).collect();
    let replicas = nodes.lines().filter(|l| l.contains("slave")).count();
    ensure!(
        masters.len() == 3 && replicas == 3,
        "want 3 primaries + 3 replicas:\n{nodes}"
    );
    let slots: u32 = masters
        .iter()
        .flat_map(|l| l.split_whitespace().skip(8))
        .map(|range| match range.split_once('-') {
            Some((a, b)) => b.parse::<u32>().unwrap_or(0) - a.parse::<u32>().unwrap_or(0) + 1,
            None => 1,
        })
        .sum();
    ensure!(slots == 16384, "primaries cover {slots} slots");

    // The cluster client routes keys across slots.
    let cluster = redis::cluster::ClusterClient::new(urls.clone())?;
    let mut ccon = cluster.get_async_connection().await?;
    for i in 0..20 {
        let key = format!("stack-smoke:{i}");
        let _: () = redis::cmd("SET")
            .arg(&key)
            .arg(i)
            .arg("EX")
            .arg(60)
            .query_async(&mut ccon)
            .await?;
        let got: i64 = redis::cmd("GET").arg(&key).query_async(&mut ccon).await?;
        ensure!(got == i, "{key} -> {got}");
    }
    Ok(())
}

// ------------------------------------------------------------------------------ OpenSearch

#[tokio::test]
async fn opensearch_alias_products_points_at_products_v1() -> Result<()> {
    let url = env_or("OPSDECK_OPENSEARCH_URL", "http://127.0.0.1:9201");
    let client = OpenSearch::new(Transport::single_node(&url)?);
    let aliases: Value = poll(
        &format!("GET {url}/_alias/products"),
        CONNECT_DEADLINE,
        || async {
            let resp = client
                .indices()
                .get_alias(IndicesGetAliasParts::Name(&["products"]))
                .send()
                .await?;
            ensure!(
                resp.status_code().is_success(),
                "status {}",
                resp.status_code()
            );
            Ok(resp.json::<Value>().await?)
        },
    )
    .await?;
    let indices: Vec<&String> = aliases
        .as_object()
        .context("alias response is not an object")?
        .keys()
        .collect();
    ensure!(
        indices == vec!["products_v1"],
        "alias products -> {indices:?}"
    );

    let info: Value = client.info().send().await?.json().await?;
    let version = info["version"]["number"].as_str().unwrap_or_default();
    ensure!(version.starts_with("2.19."), "OpenSearch version {version}");

    let count: Value = client
        .count(CountParts::Index(&["products"]))
        .send()
        .await?
        .json()
        .await?;
    let docs = count["count"].as_u64().unwrap_or(0);
    ensure!(docs >= 1000, "products has {docs} docs");
    Ok(())
}

// ------------------------------------------------------------------------------ moto

async fn aws_config() -> aws_config::SdkConfig {
    install_crypto();
    let endpoint = env_or("AWS_ENDPOINT_URL", "http://127.0.0.1:5055");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(env_or("AWS_REGION", "us-east-1")))
        .credentials_provider(aws_sdk_cloudwatch::config::Credentials::new(
            "test",
            "test",
            None,
            None,
            "stack-smoke",
        ))
        .load()
        .await
}

fn metric_query(
    id: &str,
    namespace: &str,
    name: &str,
    dims: &[(&str, &str)],
    period: i32,
) -> MetricDataQuery {
    let mut metric = Metric::builder().namespace(namespace).metric_name(name);
    for (k, v) in dims {
        metric = metric.dimensions(Dimension::builder().name(*k).value(*v).build());
    }
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric.build())
                .period(period)
                .stat("Average")
                .build(),
        )
        .build()
}

#[tokio::test]
async fn moto_serves_seeded_cloudwatch_metrics() -> Result<()> {
    let conf = aws_config().await;
    let cw = aws_sdk_cloudwatch::Client::new(&conf);
    let now = SystemTime::now();
    let queries = vec![
        metric_query(
            "lag3",
            "AWS/RDS",
            "AuroraReplicaLag",
            &[("DBInstanceIdentifier", "catalog-3")],
            60,
        ),
        metric_query(
            "cpu1",
            "AWS/RDS",
            "CPUUtilization",
            &[("DBInstanceIdentifier", "catalog-1")],
            60,
        ),
        metric_query(
            "hit",
            "AWS/ElastiCache",
            "CacheHitRate",
            &[("CacheClusterId", "streamshop-sessions-0001-001")],
            60,
        ),
        metric_query(
            "std",
            "AWS/S3",
            "BucketSizeBytes",
            &[
                ("BucketName", "streamshop-media"),
                ("StorageType", "StandardStorage"),
            ],
            86_400,
        ),
    ];
    let out = poll("GetMetricData from moto", MOTO_DEADLINE, || {
        let cw = cw.clone();
        let queries = queries.clone();
        async move {
            Ok(cw
                .get_metric_data()
                .set_metric_data_queries(Some(queries))
                .start_time(DateTime::from(now - Duration::from_secs(4 * 86_400)))
                .end_time(DateTime::from(now + Duration::from_secs(60)))
                .send()
                .await?)
        }
    })
    .await?;
    let results = out.metric_data_results();
    let values = |id: &str| -> Vec<f64> {
        results
            .iter()
            .find(|r| r.id() == Some(id))
            .map(|r| r.values().to_vec())
            .unwrap_or_default()
    };
    let lag = values("lag3");
    ensure!(lag.len() >= 20, "AuroraReplicaLag catalog-3: {lag:?}");
    ensure!(
        lag.iter().cloned().fold(f64::MIN, f64::max) > 1000.0,
        "catalog-3 lag never above 1 s: {lag:?}"
    );
    ensure!(
        !values("cpu1").is_empty(),
        "no CPUUtilization for catalog-1"
    );
    let hit = values("hit");
    ensure!(
        hit.iter().all(|v| (0.0..=100.0).contains(v)) && !hit.is_empty(),
        "CacheHitRate: {hit:?}"
    );
    let std = values("std");
    ensure!(
        !std.is_empty() && std.iter().all(|v| *v > 1e12),
        "BucketSizeBytes StandardStorage: {std:?}"
    );

    let alarms = cw
        .describe_alarms()
        .alarm_names("catalog-replica-lag")
        .send()
        .await?;
    let alarm = alarms
        .metric_alarms()
        .first()
        .context("alarm catalog-replica-lag missing")?;
    ensure!(
        alarm.state_value() == Some(&StateValue::Alarm),
        "alarm state {:?}",
        alarm.state_value()
    );
    Ok(())
}

#[tokio::test]
async fn moto_serves_seeded_rds_s3_glue() -> Result<()> {
    let conf = aws_config().await;

    let rds = aws_sdk_rds::Client::new(&conf);
    let clusters = poll("DescribeDBClusters from moto", MOTO_DEADLINE, || {
        let rds = rds.clone();
        async move {
            Ok(rds
                .describe_db_clusters()
                .db_cluster_identifier("catalog")
                .send()
                .await?)
        }
    })
    .await?;
    let cluster = clusters.db_clusters().first().context("cluster catalog")?;
    let members = cluster.db_cluster_members();
    ensure!(members.len() == 3, "catalog members: {members:?}");
    let writer: Vec<_> = members
        .iter()
        .filter(|m| m.is_cluster_writer() == Some(true))
        .filter_map(|m| m.db_instance_identifier())
        .collect();
    ensure!(writer == vec!["catalog-1"], "writer: {writer:?}");

    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    );
    let objects = s3
        .list_objects_v2()
        .bucket("streamshop-media")
        .send()
        .await?;
    let classes: std::collections::BTreeSet<String> = objects
        .contents()
        .iter()
        .filter_map(|o| o.storage_class().map(|c| c.as_str().to_string()))
        .collect();
    for want in ["STANDARD", "STANDARD_IA", "GLACIER_IR", "DEEP_ARCHIVE"] {
        ensure!(classes.contains(want), "no {want} object: {classes:?}");
    }
    let lifecycle = s3
        .get_bucket_lifecycle_configuration()
        .bucket("streamshop-media")
        .send()
        .await?;
    ensure!(
        lifecycle.rules().len() >= 2,
        "lifecycle: {:?}",
        lifecycle.rules()
    );

    let glue = aws_sdk_glue::Client::new(&conf);
    let runs = glue.get_job_runs().job_name("orders-etl").send().await?;
    ensure!(!runs.job_runs().is_empty(), "orders-etl has no runs");
    Ok(())
}

// ------------------------------------------------------------------------------ PostgreSQL

async fn postgres() -> Result<PgPool> {
    install_crypto();
    let url = env_or(
        "OPSDECK_PG_URL",
        "postgres://postgres@127.0.0.1:5442/analytics",
    );
    poll(
        &format!("connect OPSDECK_PG_URL={url}"),
        CONNECT_DEADLINE,
        || {
            let url = url.clone();
            async move {
                let pool = PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(&url)
                    .await?;
                sqlx::query("SELECT 1").execute(&pool).await?;
                Ok(pool)
            }
        },
    )
    .await
}

#[tokio::test]
async fn redshift_fixture_answers_through_sqlx_postgres() -> Result<()> {
    let pg = postgres().await?;

    // Runs per table over ~2 days, hourly.
    let per_table: Vec<(String, i64)> = sqlx::query_as(
        "SELECT table_name, COUNT(*) FROM sys_load_history \
         WHERE table_name IN ('orders', 'customers', 'fact_clicks') GROUP BY table_name ORDER BY table_name",
    )
    .fetch_all(&pg)
    .await?;
    ensure!(per_table.len() == 3, "tables: {per_table:?}");
    ensure!(
        per_table.iter().all(|(_, n)| *n >= 40),
        "runs per table: {per_table:?}"
    );

    // Failed loads carry their error detail, Redshift-style.
    let failed: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT h.query_id, h.table_name, trim(d.error_message) \
         FROM sys_load_history h JOIN sys_load_error_detail d USING (query_id) \
         WHERE h.status <> 'completed' ORDER BY h.query_id",
    )
    .fetch_all(&pg)
    .await?;
    ensure!(!failed.is_empty(), "no failed run with error detail");
    ensure!(
        failed
            .iter()
            .any(|(_, _, m)| m.starts_with("Invalid digit")),
        "errors: {failed:?}"
    );
    let stl: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stl_load_errors WHERE err_code = 1207")
        .fetch_one(&pg)
        .await?;
    ensure!(stl >= 1, "stl_load_errors has no 1207 rows");

    // One fact_clicks run is far slower than its usual (duration is in microseconds).
    let (median, max): (f64, i64) = sqlx::query_as(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration)::float8, MAX(duration) \
         FROM sys_load_history WHERE table_name = 'fact_clicks' AND status = 'completed'",
    )
    .fetch_one(&pg)
    .await?;
    ensure!(
        max as f64 > 5.0 * median,
        "fact_clicks max {max} vs median {median}"
    );

    // Column types follow Redshift's documentation.
    let types: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_name = 'sys_load_history' AND column_name IN ('query_id', 'duration', 'start_time', 'loaded_rows') \
         ORDER BY column_name",
    )
    .fetch_all(&pg)
    .await?;
    let want = [
        ("duration", "bigint"),
        ("loaded_rows", "bigint"),
        ("query_id", "bigint"),
        ("start_time", "timestamp without time zone"),
    ];
    ensure!(
        types
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect::<Vec<_>>()
            == want,
        "sys_load_history types: {types:?}"
    );
    Ok(())
}
