//! `password_secret` for Redis (AUTH with an ACL user), Redshift and the OpenSearch admin
//! client, against the real stack: Secrets Manager in moto (5055), the stack's Redis (6390),
//! PostgreSQL (Redshift's stand-in, 5442) and OpenSearch (9201). Each test creates its own ACL
//! user, role and secret, namespaced by run, and removes them afterwards. AWS credentials are
//! static and passed in, never through the process environment. A missing service fails these
//! tests; it never skips them.
//!
//! What the stack cannot show: its OpenSearch node runs without the security plugin, so it
//! accepts any basic-auth password and never answers 401; the admin client's re-read after a
//! 401 is the same code path as the collector's and is not exercised here. PostgreSQL runs
//! with `trust` authentication, so a rotation is shown by the secret's user changing (the old
//! role loses LOGIN), not by a password check.

use std::time::{Duration, Instant};

use opsdeck::config::{OpenSearchConfig, RedisConfig, RedshiftConfig};
use opsdeck::model::RedisStatus;
use opsdeck::services::Update;
use opsdeck::services::aws::AwsContext;
use opsdeck::services::opensearch::OsAdmin;
use opsdeck::services::opensearch::admin::SearchAdmin;
use opsdeck::services::redis::RedisCollector;
use sqlx::postgres::PgPoolOptions;

mod common;

use common::secrets::{Secret, aws, run_id};

fn login(user: &str, password: &str) -> String {
    serde_json::json!({ "username": user, "password": password }).to_string()
}

// ------------------------------------------------------------------------------------ Redis

fn redis_url() -> String {
    common::stack_env("OPSDECK_REDIS_URL")
}

async fn redis_admin() -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("the stack's Redis; run scripts/stack up")
}

/// An ACL user of this run on the stack's Redis, deleted on drop.
struct AclUser {
    name: String,
}

impl AclUser {
    async fn create(password: &str) -> Self {
        let name = format!("opsdeck_t_{}", run_id());
        let mut c = redis_admin().await;
        let _: () = redis::cmd("ACL")
            .arg("SETUSER")
            .arg(&name)
            .arg("on")
            .arg(format!(">{password}"))
            .arg("~*")
            .arg("&*")
            .arg("+@all")
            .query_async(&mut c)
            .await
            .unwrap();
        AclUser { name }
    }

    /// What a rotation does on the server: the old password stops working, sessions end.
    async fn set_only_password(&self, password: &str) {
        let mut c = redis_admin().await;
        let _: () = redis::cmd("ACL")
            .arg("SETUSER")
            .arg(&self.name)
            .arg("resetpass")
            .arg(format!(">{password}"))
            .query_async(&mut c)
            .await
            .unwrap();
        let _: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("USER")
            .arg(&self.name)
            .query_async(&mut c)
            .await
            .unwrap();
    }
}

impl Drop for AclUser {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let mut c = redis_admin().await;
                let _: redis::RedisResult<i64> = redis::cmd("ACL")
                    .arg("DELUSER")
                    .arg(&name)
                    .query_async(&mut c)
                    .await;
            })
        })
        .join();
    }
}

fn redis_collector(secret: &str, aws: &AwsContext) -> RedisCollector {
    RedisCollector::new(
        &RedisConfig {
            urls: vec![redis_url().into()],
            password_secret: Some(secret.into()),
            timeout: Some(Duration::from_secs(3)),
            ..Default::default()
        },
        aws,
    )
}

fn node_error(s: &anyhow::Result<RedisStatus>) -> Option<String> {
    match s {
        Ok(s) => s.nodes.iter().find_map(|n| n.error.clone()),
        Err(e) => Some(format!("{e:#}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_password_secret_authenticates_as_the_secrets_acl_user() {
    let pw = format!("pw-{}", run_id());
    let user = AclUser::create(&pw).await;
    let secret = Secret::create(&login(&user.name, &pw)).await;
    let mut c = redis_collector(&secret.name, &aws());
    let s = c.round().await;
    assert_eq!(node_error(&s), None, "{s:#?}");
    // the stack's Redis lets the default user in too: show it was the ACL user that logged in
    let mut admin = redis_admin().await;
    let clients: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut admin)
        .await
        .unwrap();
    assert!(
        clients.contains(&format!("user={}", user.name)),
        "{clients}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_rotated_secret_is_read_again_after_a_refused_auth_without_a_restart() {
    let (pw1, pw2) = (format!("pw1-{}", run_id()), format!("pw2-{}", run_id()));
    let user = AclUser::create(&pw1).await;
    let secret = Secret::create(&login(&user.name, &pw1)).await;
    let mut c = redis_collector(&secret.name, &aws());
    assert_eq!(node_error(&c.round().await), None, "before rotation");

    user.set_only_password(&pw2).await;
    secret.rotate_to(&login(&user.name, &pw2)).await;

    let deadline = Instant::now() + Duration::from_secs(20);
    let mut rounds = Vec::new();
    loop {
        let e = node_error(&c.round().await);
        let ok = e.is_none();
        rounds.push(e.unwrap_or_default());
        if ok {
            break;
        }
        assert!(Instant::now() < deadline, "never recovered: {rounds:#?}");
    }
    assert_eq!(rounds.len(), 1, "recovered in the first round: {rounds:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_wrong_secret_reports_the_refusal_without_the_password() {
    let pw = format!("pw-{}", run_id());
    let user = AclUser::create(&pw).await;
    let wrong = format!("wrong-{}", run_id());
    let secret = Secret::create(&login(&user.name, &wrong)).await;
    let mut c = redis_collector(&secret.name, &aws());
    let e = node_error(&c.round().await).expect("a refused AUTH is an error");
    assert!(
        e.to_ascii_lowercase().contains("auth"),
        "says it is authentication: {e}"
    );
    assert!(!e.contains(&wrong) && !e.contains(&pw), "{e}");
}

// --------------------------------------------------------------------------------- Redshift

fn pg_url() -> String {
    common::stack_env("OPSDECK_PG_URL")
}

fn pg_host_db() -> (String, String) {
    let u = pg_url();
    let rest = u.split_once('@').map_or(u.as_str(), |(_, r)| r);
    let (host, db) = rest.split_once('/').unwrap();
    (host.to_string(), db.split('?').next().unwrap().to_string())
}

/// A PostgreSQL role of this run that can read the Redshift fixture views, dropped on drop.
struct Role {
    name: String,
}

async fn pg_exec(sql: String) {
    let p = PgPoolOptions::new()
        .max_connections(1)
        .connect(&pg_url())
        .await
        .expect("the stack's PostgreSQL; run scripts/stack up");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&p)
        .await
        .unwrap();
}

impl Role {
    async fn create() -> Self {
        let name = format!("opsdeck_t_{}", run_id());
        pg_exec(format!(
            "CREATE ROLE {name} LOGIN; GRANT pg_read_all_data TO {name}"
        ))
        .await;
        Role { name }
    }

    /// The old login stops working and its sessions end.
    async fn retire(&self) {
        pg_exec(format!(
            "ALTER ROLE {n} NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{n}'",
            n = self.name
        ))
        .await;
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(pg_exec(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{name}'; DROP ROLE IF EXISTS {name}"
            )))
        })
        .join();
    }
}

async fn redshift_round(c: &mut opsdeck::services::BoxCollector) -> Result<(), String> {
    let r = opsdeck::services::collect_once(c.as_mut()).await;
    match r.result {
        Ok(Update::Redshift(s)) if s.errors.is_empty() => Ok(()),
        Ok(other) => Err(format!("{other:?}")),
        Err(e) => Err(e),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redshift_password_secret_logs_in_as_the_secrets_user_and_follows_a_rotation() {
    let (a, b) = (Role::create().await, Role::create().await);
    let secret = Secret::create(&login(&a.name, "unused-with-trust")).await;
    let (host, db) = pg_host_db();
    let cfg = RedshiftConfig {
        // the URL's user does not exist: only the secret's can log in
        url: format!("postgres://opsdeck_nobody@{host}/{db}").into(),
        password_secret: Some(secret.name.clone()),
        timeout: Some(Duration::from_secs(5)),
        ..Default::default()
    };
    let mut c = opsdeck::services::redshift::collector(&cfg, &aws());
    redshift_round(&mut c)
        .await
        .expect("logged in as the secret's user");

    // rotation to another user (RDS/Redshift alternating users): the old one is retired
    secret.rotate_to(&login(&b.name, "unused-with-trust")).await;
    a.retire().await;
    let r = redshift_round(&mut c).await;
    assert!(r.is_ok(), "the refused login re-read the secret: {r:?}");
}

// ------------------------------------------------------------------------------- OpenSearch

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opensearch_admin_client_takes_its_basic_auth_from_password_secret() {
    let secret = Secret::create(&login("opsdeck", &format!("pw-{}", run_id()))).await;
    let cfg = OpenSearchConfig {
        url: common::stack_env("OPSDECK_OPENSEARCH_URL").into(),
        password_secret: Some(secret.name.clone()),
        timeout: Some(Duration::from_secs(5)),
        ..Default::default()
    };
    let admin = OsAdmin::from_config(&cfg, &aws())
        .await
        .expect("password_secret is accepted by the admin client");
    let health = admin.health().await.expect("the node answers");
    assert!(["green", "yellow"].contains(&health.as_str()), "{health}");

    let missing = OpenSearchConfig {
        password_secret: Some(format!("opsdeck-test/missing-{}", run_id())),
        ..cfg
    };
    let e = match OsAdmin::from_config(&missing, &aws()).await {
        Ok(_) => panic!("a missing secret is an error"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        e.contains("opensearch.password_secret") && e.contains("not found"),
        "{e}"
    );
}
