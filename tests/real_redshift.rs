//! Redshift collector against the stack's PostgreSQL `analytics` db (Redshift system views as
//! fixture tables), Glue through moto, and `opsdeck snapshot` end to end. Fails (never skips)
//! when a service is missing.

mod common;

use std::time::Duration;

use aws_sdk_glue::types::JobCommand;
use opsdeck::config::{Context, RedshiftConfig};
use opsdeck::services::aws::AwsContext;
use opsdeck::services::redshift::RedshiftCollector;
use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, PgPool};

fn pg_url() -> String {
    common::stack_env("OPSDECK_PG_URL")
}

fn aws() -> AwsContext {
    common::aws()
}

fn unique(tag: &str) -> String {
    format!(
        "t_{tag}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

async fn pg() -> PgPool {
    opsdeck::install_crypto_provider();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(3))
            .connect(&pg_url())
            .await
        {
            Ok(p) => return p,
            Err(e) => assert!(
                tokio::time::Instant::now() < deadline,
                "PostgreSQL analytics db not reachable at {} ({e}): run scripts/stack up",
                pg_url()
            ),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn cfg() -> RedshiftConfig {
    RedshiftConfig {
        url: pg_url().into(),
        max_runs: Some(200),
        timeout: Some(Duration::from_secs(10)),
        ..Default::default()
    }
}

/// Six runs of one test-only table, newest first: an aborted run with two error rows, a run
/// ~4x the usual duration, then four ordinary ones. Returns their query ids, newest first.
async fn seed_table(pool: &PgPool, table: &str) -> Vec<i64> {
    let base: i64 = 9_000_000_000 + (rand_u32() as i64) * 10;
    // (hours ago, seconds, status)
    let runs = [
        (1, 12.0, "aborted"),
        (2, 400.0, "completed"),
        (3, 100.0, "completed"),
        (4, 90.0, "completed"),
        (5, 110.0, "completed"),
        (6, 105.0, "completed"),
    ];
    let mut ids = Vec::new();
    for (i, (h, secs, status)) in runs.iter().enumerate() {
        let q = base + i as i64;
        ids.push(q);
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO sys_load_history (user_id, query_id, status, table_name, start_time, end_time,
               duration, loaded_rows, loaded_bytes, source_file_count, error_count, database_name)
             VALUES (100, {q}, '{status}', '{table}',
               (now() at time zone 'utc') - interval '{h} hours',
               (now() at time zone 'utc') - interval '{h} hours' + make_interval(secs => {secs}),
               {micros}, {rows}, {bytes}, 4, {errs}, 'analytics')",
            micros = (secs * 1e6) as i64,
            rows = if *status == "aborted" { 0 } else { 1000 + i },
            bytes = if *status == "aborted" { 0 } else { 50_000 },
            errs = if *status == "aborted" { 2 } else { 0 },
        )))
        .execute(pool)
        .await
        .expect("insert run");
    }
    for (line, msg) in [
        (17, "Invalid digit, Value 'x', Pos 0, Type: Integer"),
        (
            18,
            "Missing newline: Unexpected character 0x22 found at location 4",
        ),
    ] {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO sys_load_error_detail (user_id, query_id, start_time, file_name, line_number,
               column_name, error_code, error_message)
             VALUES (100, {q}, (now() at time zone 'utc') - interval '1 hours',
               's3://test/{table}/part-0001.csv', {line}, 'user_id', 1207, '{msg}')",
            q = ids[0],
            msg = msg.replace('\'', "''"),
        )))
        .execute(pool)
        .await
        .expect("insert error detail");
    }
    ids
}

async fn cleanup(pool: &PgPool, ids: &[i64]) {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    for t in ["sys_load_history", "sys_load_error_detail"] {
        let _ = sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {t} WHERE query_id IN ({list})"
        )))
        .execute(pool)
        .await;
    }
}

fn rand_u32() -> u32 {
    uuid::Uuid::new_v4().as_u128() as u32 >> 4
}

#[tokio::test]
async fn seeded_runs_appear_with_statuses_and_durations_in_seconds() {
    let _pool = pg().await;
    let st = RedshiftCollector::new(&cfg(), &aws())
        .collect_status()
        .await
        .expect("collect");
    assert!(st.errors.is_empty(), "{:?}", st.errors);
    assert!(!st.runs.is_empty());
    let tables: std::collections::BTreeSet<_> = st.runs.iter().map(|r| r.table.as_str()).collect();
    for t in ["orders", "customers", "fact_clicks"] {
        assert!(tables.contains(t), "{t} missing from {tables:?}");
    }
    assert!(st.runs.iter().any(|r| r.status == "completed"));
    assert!(st.runs.iter().any(|r| r.status == "aborted"));
    // newest first
    assert!(
        st.runs
            .windows(2)
            .all(|w| w[0].started_at >= w[1].started_at)
    );
    // orders loads take ~76-114 s: microseconds were converted
    let orders: Vec<f64> = st
        .runs
        .iter()
        .filter(|r| r.table == "orders" && r.status == "completed")
        .filter_map(|r| r.duration_seconds)
        .collect();
    assert!(!orders.is_empty());
    assert!(
        orders.iter().all(|s| (30.0..1000.0).contains(s)),
        "{orders:?}"
    );
    let done = st.runs.iter().find(|r| r.status == "completed").unwrap();
    assert!(
        done.rows.unwrap_or(0) > 0 && done.bytes.unwrap_or(0) > 0 && done.files.unwrap_or(0) > 0
    );
}

#[tokio::test]
async fn a_failed_run_carries_its_error_text_and_a_slow_run_is_flagged() {
    let pool = pg().await;
    let table = unique("load");
    let ids = seed_table(&pool, &table).await;
    let st = RedshiftCollector::new(&cfg(), &aws())
        .collect_status()
        .await;
    cleanup(&pool, &ids).await;
    let st = st.expect("collect");
    let mine: Vec<_> = st.runs.iter().filter(|r| r.table == table).collect();
    assert_eq!(mine.len(), 6, "{mine:?}");

    let failed = mine.iter().find(|r| r.id == ids[0].to_string()).unwrap();
    assert_eq!(failed.status, "aborted");
    let err = failed.error.as_deref().expect("error text");
    assert!(
        err.starts_with("Invalid digit, Value 'x', Pos 0, Type: Integer"),
        "{err}"
    );
    assert!(
        err.contains("column user_id") && err.contains("line 17"),
        "{err}"
    );
    assert!(err.ends_with("(+1 more)"), "{err}");
    assert!(!failed.slow, "aborted runs are not judged slow");

    let slow = mine.iter().find(|r| r.id == ids[1].to_string()).unwrap();
    assert!(slow.slow, "400 s against a ~100 s median: {slow:?}");
    assert_eq!(slow.median_seconds, Some(102.5));
    assert!((slow.duration_seconds.unwrap() - 400.0).abs() < 1e-6);
    assert_eq!(mine.iter().filter(|r| r.slow).count(), 1);
    assert!(
        mine.iter()
            .filter(|r| r.status == "completed")
            .all(|r| r.error.is_none())
    );
}

#[tokio::test]
async fn the_stack_seeds_slow_fact_clicks_run_is_flagged() {
    let _pool = pg().await;
    let mut c = cfg();
    c.max_runs = Some(400);
    let st = RedshiftCollector::new(&c, &aws())
        .collect_status()
        .await
        .expect("collect");
    let clicks: Vec<_> = st
        .runs
        .iter()
        .filter(|r| r.table == "fact_clicks" && r.status == "completed")
        .collect();
    let longest = clicks
        .iter()
        .max_by(|a, b| a.duration_seconds.partial_cmp(&b.duration_seconds).unwrap())
        .expect("fact_clicks runs");
    assert!(longest.duration_seconds.unwrap() > 4000.0, "{longest:?}");
    assert!(longest.slow, "{longest:?}");
    assert_eq!(clicks.iter().filter(|r| r.slow).count(), 1);
    let aborted = st
        .runs
        .iter()
        .find(|r| r.table == "fact_clicks" && r.status == "aborted")
        .expect("seeded aborted fact_clicks run");
    assert!(
        aborted
            .error
            .as_deref()
            .unwrap_or("")
            .contains("Invalid digit")
    );
}

#[tokio::test]
async fn glue_runs_come_from_moto_and_a_missing_job_is_a_partial_error() {
    let aws = aws();
    let glue = aws.glue().await;
    let job = format!(
        "opsdeck-t-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    glue.create_job()
        .name(&job)
        .role("arn:aws:iam::123456789012:role/test")
        .command(
            JobCommand::builder()
                .name("glueetl")
                .script_location("s3://bucket/etl.py")
                .build(),
        )
        .max_retries(0)
        .send()
        .await
        .expect("moto at $AWS_ENDPOINT_URL (run scripts/stack up): create_job");
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(
            glue.start_job_run()
                .job_name(&job)
                .send()
                .await
                .expect("start_job_run")
                .job_run_id()
                .unwrap()
                .to_string(),
        );
    }
    let mut c = cfg();
    c.glue_jobs = vec![job.clone(), "opsdeck-no-such-job".into()];
    let st = RedshiftCollector::new(&c, &aws)
        .collect_status()
        .await
        .expect("collect");
    let mine: Vec<_> = st.glue_runs.iter().filter(|r| r.job == job).collect();
    assert_eq!(mine.len(), 2, "{:?}", st.glue_runs);
    for id in &ids {
        let r = mine.iter().find(|r| &r.id == id).expect("run listed");
        assert!(!r.state.is_empty() && r.state != "UNKNOWN");
        assert!(r.started_at.is_some());
    }
    assert!(
        st.errors.iter().any(|e| e.contains("opsdeck-no-such-job")),
        "{:?}",
        st.errors
    );
    assert!(!st.runs.is_empty(), "load runs still reported");
    let _ = glue.delete_job().job_name(&job).send().await;
}

#[tokio::test]
async fn an_unreachable_database_fails_within_the_timeout_without_the_password() {
    let c = RedshiftConfig {
        url: "postgres://analyst@127.0.0.1:9/analytics".into(),
        password_env: Some("OPSDECK_TEST_RS_PW".into()),
        timeout: Some(Duration::from_secs(3)),
        ..Default::default()
    };
    let env =
        opsdeck::config::secrets::EnvSecrets::from_pairs([("OPSDECK_TEST_RS_PW", "s3cr3t-pw")]);
    let aws = AwsContext::new(&Context::default()).with_env_secrets(env);
    let mut col = opsdeck::services::redshift::collector(&c, &aws);
    let started = std::time::Instant::now();
    let s = opsdeck::services::collect_once(col.as_mut()).await;
    let err = s.result.expect_err("nothing listens on port 9");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(!err.contains("s3cr3t-pw"), "{err}");
    assert!(
        !err.contains("timed out after"),
        "the cause, not the round's timeout: {err}"
    );
}

#[tokio::test]
async fn snapshot_fills_s3_opensearch_and_redshift() {
    let _ = aws();
    let _pool = pg().await;
    let dir = tempfile::tempdir().unwrap();
    // Like config.local.toml, with the URLs `scripts/stack env` gives.
    let path = dir.path().join("opsdeck.toml");
    std::fs::write(
        &path,
        format!(
            r#"default_context = "local"
[contexts.local]
region = "{region}"
endpoint_url = "{moto}"
[contexts.local.s3]
buckets = ["streamshop-media", "streamshop-logs"]
[contexts.local.opensearch]
url = "{os}"
[contexts.local.redshift]
url = "{pg}"
glue_jobs = ["orders-etl"]
"#,
            region = common::region(),
            moto = common::moto_url(),
            os = common::stack_env("OPSDECK_OPENSEARCH_URL"),
            pg = pg_url(),
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["snapshot", "--config"])
        .arg(&path)
        .args(["--window", "1s"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run opsdeck");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let snap: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let errors = &snap["errors"];
    for section in ["s3", "opensearch", "redshift"] {
        assert!(
            snap[section].is_object(),
            "{section} empty; errors: {errors}"
        );
    }
    let media = snap["s3"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "streamshop-media")
        .expect("streamshop-media");
    assert!(media["total_bytes"].as_u64().unwrap() > 0, "{media}");
    assert!(media["monthly_cost_usd"].as_f64().unwrap() > 0.0);
    assert!(media["tiers"]["StandardStorage"].as_u64().is_some());
    assert!(["green", "yellow", "red"].contains(&snap["opensearch"]["health"].as_str().unwrap()));
    assert!(!snap["redshift"]["runs"].as_array().unwrap().is_empty());
    assert!(
        snap["opensearch"]["indices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["aliases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "products"))
    );
}
