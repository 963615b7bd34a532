//! Where a MySQL login comes from, against the real stack: Secrets Manager in moto (5055) and
//! the MariaDB source (3316, TLS with the stack's private CA, `$OPSDECK_MYSQL_CA`). Every test
//! creates its own database user (kept out of the binlog, dropped afterwards) and its own
//! secret (deleted afterwards). AWS credentials are static and passed in, never through the
//! process environment. A missing service fails these tests; it never skips them.
//!
//! IAM: MariaDB cannot check an `rds-db:connect` token, so the test user's password *is* the
//! token opsdeck must compute for fixed credentials and a fixed clock, and the user REQUIRES
//! SSL: a login proves the token went as the password, over TLS verified against the stack's
//! CA. What MariaDB cannot show is the mysql_clear_password exchange itself (only RDS's plugin
//! and PAM ask for it); the client enables it, as RDS requires.

use std::time::{Duration, Instant, UNIX_EPOCH};

use aws_smithy_async::time::StaticTimeSource;
use opsdeck::config::{AuroraConfig, MysqlAuth};
use opsdeck::model::AuroraStatus;
use opsdeck::services::aurora::AuroraCollector;
use opsdeck::services::aurora::login::{LoginSpec, MysqlLogin, iam_token_with};
use opsdeck::services::aws::AwsContext;
use sqlx::mysql::{MySqlConnection, MySqlPool};
use sqlx::{Connection, Row};

mod common;

use common::secrets::{Secret, aws, run_id, sdk};

fn source_root() -> String {
    common::stack_env("OPSDECK_MYSQL_SOURCE_URL")
}

fn host_port(url: &str) -> String {
    let rest = url.split_once('@').map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap().to_string()
}

fn ca() -> String {
    let path = common::stack_env("OPSDECK_MYSQL_CA");
    assert!(
        std::path::Path::new(&path).is_file(),
        "the stack's CA {path} is missing; run scripts/stack up"
    );
    path
}

async fn root() -> MySqlPool {
    opsdeck::install_crypto_provider();
    MySqlPool::connect(&source_root())
        .await
        .unwrap_or_else(|e| {
            panic!(
                "MariaDB source {} unreachable ({e}); run scripts/stack up",
                source_root()
            )
        })
}

async fn exec(p: &MySqlPool, sql: String) {
    let mut c = p.acquire().await.unwrap();
    // local accounts: replicas must never replay them
    sqlx::raw_sql("SET SESSION sql_log_bin = 0")
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
        .execute(&mut *c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A database user on the source, dropped on drop.
struct User {
    name: String,
}

impl User {
    async fn create(prefix: &str, identified: &str) -> Self {
        let name = format!("{prefix}_{}", run_id());
        let p = root().await;
        exec(&p, format!("CREATE USER '{name}'@'%' {identified}")).await;
        exec(
            &p,
            format!("GRANT PROCESS, REPLICATION CLIENT ON *.* TO '{name}'@'%'"),
        )
        .await;
        User { name }
    }

    /// Close every session of this user, as a restart or failover would.
    async fn kill_sessions(&self) {
        let p = root().await;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT CAST(id AS SIGNED) FROM information_schema.processlist WHERE user = ?",
        )
        .bind(&self.name)
        .fetch_all(&p)
        .await
        .unwrap();
        for id in ids {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("KILL {id}")))
                .execute(&p)
                .await;
        }
    }
}

impl Drop for User {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let p = root().await;
                exec(&p, format!("DROP USER IF EXISTS '{name}'@'%'")).await;
            })
        })
        .join();
    }
}

/// The SecretString RDS writes for a managed master password.
fn rds_secret(user: &str, password: &str) -> String {
    serde_json::json!({
        "engine": "mysql", "host": "catalog.cluster-abc.us-east-1.rds.amazonaws.com", "port": 3306,
        "username": user, "password": password, "dbClusterIdentifier": "catalog"
    })
    .to_string()
}

fn writer_ok(r: &anyhow::Result<AuroraStatus>) -> bool {
    matches!(r, Ok(s) if s.writer_health.is_some() && s.errors.is_empty())
}

fn describe(r: &anyhow::Result<AuroraStatus>) -> String {
    match r {
        Ok(s) => format!("health {:?} errors {:?}", s.writer_health, s.errors),
        Err(e) => format!("{e:#}"),
    }
}

fn collector(
    url: String,
    secret: Option<&str>,
    auth: MysqlAuth,
    aws: &AwsContext,
) -> AuroraCollector {
    AuroraCollector::new(
        &AuroraConfig {
            cluster_id: "catalog".into(),
            writer_url: Some(url.into()),
            password_secret: secret.map(String::from),
            auth,
            timeout: Some(Duration::from_secs(5)),
            ..Default::default()
        },
        aws,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_secret_logs_in_with_the_secrets_username_and_password() {
    let pw = format!("pw-{}", run_id());
    let user = User::create("opsdeck_sm", &format!("IDENTIFIED BY '{pw}'")).await;
    let secret = Secret::create(&rds_secret(&user.name, &pw)).await;
    // the URL's user is not the secret's: only the secret can make this login work
    let url = format!("mysql://nobody@{}/", host_port(&source_root()));
    let mut c = collector(url, Some(&secret.name), MysqlAuth::Password, &aws());
    let r = c.round().await;
    assert!(writer_ok(&r), "{}", describe(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_secret_is_read_again_after_access_denied_without_a_restart() {
    let (pw1, pw2) = (format!("pw1-{}", run_id()), format!("pw2-{}", run_id()));
    let user = User::create("opsdeck_rot", &format!("IDENTIFIED BY '{pw1}'")).await;
    let secret = Secret::create(&rds_secret(&user.name, &pw1)).await;
    let url = format!("mysql://{}@{}/", user.name, host_port(&source_root()));
    let mut c = collector(url, Some(&secret.name), MysqlAuth::Password, &aws());
    let r = c.round().await;
    assert!(writer_ok(&r), "before rotation: {}", describe(&r));

    // rotation: the database password changes, then the secret; old sessions end
    exec(
        &root().await,
        format!("ALTER USER '{}'@'%' IDENTIFIED BY '{pw2}'", user.name),
    )
    .await;
    secret.rotate_to(&rds_secret(&user.name, &pw2)).await;
    user.kill_sessions().await;

    let deadline = Instant::now() + Duration::from_secs(30);
    let mut rounds = Vec::new();
    loop {
        let r = c.round().await;
        let ok = writer_ok(&r);
        rounds.push(describe(&r));
        if ok {
            break;
        }
        assert!(Instant::now() < deadline, "never recovered: {rounds:#?}");
    }
    // a round that met the killed session may fail; the one after logs in with the new secret
    assert!(
        rounds.len() <= 2,
        "took {} rounds: {rounds:#?}",
        rounds.len()
    );
    for r in &rounds {
        assert!(
            !r.contains(&pw1) && !r.contains(&pw2),
            "a password leaked: {r}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_secret_reports_access_denied_without_showing_the_password() {
    let pw = format!("pw-{}", run_id());
    let user = User::create("opsdeck_stale", &format!("IDENTIFIED BY '{pw}'")).await;
    let wrong = format!("wrong-{}", run_id());
    let secret = Secret::create(&rds_secret(&user.name, &wrong)).await;
    let url = format!("mysql://{}@{}/", user.name, host_port(&source_root()));
    let mut c = collector(url, Some(&secret.name), MysqlAuth::Password, &aws());
    let r = c.round().await;
    let text = describe(&r);
    assert!(!writer_ok(&r));
    assert!(text.contains("Access denied"), "{text}");
    assert!(!text.contains(&wrong) && !text.contains(&pw), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cutover_client_reads_a_rotated_secret_again_after_access_denied() {
    use opsdeck::services::aurora::admin::{MysqlAdmin, SqlxMysqlAdmin};
    let (pw1, pw2) = (format!("pw1-{}", run_id()), format!("pw2-{}", run_id()));
    let user = User::create("opsdeck_cut", &format!("IDENTIFIED BY '{pw1}'")).await;
    let secret = Secret::create(&rds_secret(&user.name, &pw1)).await;
    let url = format!("mysql://{}@{}/", user.name, host_port(&source_root()));
    let spec = LoginSpec {
        password_secret: Some(&secret.name),
        ..Default::default()
    };
    let login = MysqlLogin::new(&url.as_str().into(), spec, &aws(), "cutover.source_url").unwrap();
    let admin = SqlxMysqlAdmin::with_login(login);
    let before = admin.server_id().await.expect("before rotation");

    exec(
        &root().await,
        format!("ALTER USER '{}'@'%' IDENTIFIED BY '{pw2}'", user.name),
    )
    .await;
    secret.rotate_to(&rds_secret(&user.name, &pw2)).await;
    user.kill_sessions().await;

    let after = admin.server_id().await.map_err(|e| format!("{e:#}"));
    assert_eq!(
        after,
        Ok(before),
        "the next admin call re-read the secret once"
    );
}

/// A clock frozen at 2026-01-01T00:00:00Z, so the token opsdeck signs is known in advance.
fn frozen_aws() -> (aws_config::SdkConfig, AwsContext) {
    opsdeck::install_crypto_provider();
    let sdk = sdk()
        .into_builder()
        .time_source(StaticTimeSource::new(
            UNIX_EPOCH + Duration::from_secs(1_767_225_600),
        ))
        .build();
    (sdk.clone(), AwsContext::from_sdk_config(sdk, None))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_auth_sends_the_signed_token_as_the_password_over_verified_tls() {
    let (sdk, aws) = frozen_aws();
    let name = format!("opsdeck_iam_{}", run_id());
    let url = format!(
        "mysql://{name}@{}/?ssl-ca={}",
        host_port(&source_root()),
        ca()
    );
    let login = MysqlLogin::new(
        &url.as_str().into(),
        LoginSpec {
            auth: MysqlAuth::Iam,
            ..Default::default()
        },
        &aws,
        "aurora.writer_url",
    )
    .unwrap();
    let token = iam_token_with(&sdk, login.base()).await.unwrap();
    assert!(
        token.starts_with(&format!(
            "{}/?Action=connect&DBUser={name}&",
            host_port(&source_root())
        )),
        "{token}"
    );
    // User::create names the user itself; this one must carry the name signed into the token
    let p = root().await;
    exec(
        &p,
        format!("CREATE USER '{name}'@'%' IDENTIFIED BY '{token}' REQUIRE SSL"),
    )
    .await;
    exec(
        &p,
        format!("GRANT PROCESS, REPLICATION CLIENT ON *.* TO '{name}'@'%'"),
    )
    .await;
    let _user = User { name: name.clone() };

    let mut c = collector(url.clone(), None, MysqlAuth::Iam, &aws);
    let r = c.round().await;
    assert!(writer_ok(&r), "{}", describe(&r));

    // the server's view of such a connection: TLS, and the token's user
    let mut conn = MySqlConnection::connect_with(&login.options().await.unwrap())
        .await
        .unwrap();
    let row = sqlx::query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let cipher: String = row.try_get(1).unwrap();
    assert!(!cipher.is_empty(), "the session is not encrypted");
    let who: String = sqlx::query_scalar("SELECT CURRENT_USER()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(who, format!("{name}@%"));
    let _ = conn.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_auth_never_connects_to_a_server_without_tls() {
    let (_, aws) = frozen_aws();
    // the replica serves no TLS
    let replica = common::stack_env("OPSDECK_MYSQL_REPLICA_URL");
    let url = format!(
        "mysql://opsdeck_iam@{}/?ssl-ca={}",
        host_port(&replica),
        ca()
    );
    let mut c = collector(url, None, MysqlAuth::Iam, &aws);
    let r = c.round().await;
    let text = describe(&r);
    assert!(!writer_ok(&r));
    assert!(
        text.to_lowercase().contains("tls") || text.to_lowercase().contains("ssl"),
        "{text}"
    );
    assert!(
        !text.contains("X-Amz-Signature"),
        "the token leaked: {text}"
    );
}

#[test]
fn iam_auth_with_a_password_source_or_without_a_region_is_a_config_error_naming_the_key() {
    let (_, aws) = frozen_aws();
    let spec = LoginSpec {
        password_env: Some("DB_PW"),
        auth: MysqlAuth::Iam,
        ..Default::default()
    };
    let e = MysqlLogin::new(&"mysql://u@h/".into(), spec, &aws, "aurora.replicas[1]")
        .err()
        .unwrap();
    assert!(
        e.starts_with("aurora.replicas[1]: ") && e.contains("iam"),
        "{e}"
    );
    // a password written into the URL is a password source too
    let spec = LoginSpec {
        auth: MysqlAuth::Iam,
        ..Default::default()
    };
    let e = MysqlLogin::new(
        &"mysql://u:pw-in-url@h/".into(),
        spec,
        &aws,
        "aurora.writer_url",
    )
    .err()
    .unwrap();
    assert!(e.contains("aurora.writer_url") && e.contains("iam"), "{e}");
    assert!(!e.contains("pw-in-url"), "{e}");
    let no_region = AwsContext::new(&Default::default());
    let spec = LoginSpec {
        auth: MysqlAuth::Iam,
        ..Default::default()
    };
    let e = MysqlLogin::new(
        &"mysql://u@h/".into(),
        spec,
        &no_region,
        "cutover.target_url",
    )
    .err()
    .unwrap();
    assert!(
        e.contains("cutover.target_url") && e.contains("region"),
        "{e}"
    );
}
