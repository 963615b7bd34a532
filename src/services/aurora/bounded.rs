//! Every admin call an operation makes, bounded: a wrapper over any [`MysqlAdmin`] that gives
//! each call `call_timeout` (a hung or SIGSTOP'd server turns into an error naming the call,
//! never an open-ended wait), and a server-side GTID wait its own timeout plus one call's.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::admin::{
    Flavor, MysqlAdmin, ReadOnlyState, ReplicationStatus, RunningStatement, Transaction,
};

/// A [`MysqlAdmin`] whose every call ends within `call_timeout`.
pub struct Bounded {
    inner: Arc<dyn MysqlAdmin>,
    call_timeout: Duration,
}

impl Bounded {
    pub fn new(inner: Arc<dyn MysqlAdmin>, call_timeout: Duration) -> Self {
        Bounded {
            inner,
            call_timeout,
        }
    }

    async fn within<T>(
        &self,
        what: &str,
        limit: Duration,
        f: impl Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        match tokio::time::timeout(limit, f).await {
            Ok(r) => r,
            Err(_) => anyhow::bail!(
                "{}: {what} did not answer within {} (admin_timeout)",
                self.inner.name(),
                humantime::format_duration(limit)
            ),
        }
    }
}

#[async_trait]
impl MysqlAdmin for Bounded {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn flavor(&self) -> anyhow::Result<Flavor> {
        self.within("version query", self.call_timeout, self.inner.flavor())
            .await
    }
    async fn server_id(&self) -> anyhow::Result<u64> {
        self.within("@@server_id", self.call_timeout, self.inner.server_id())
            .await
    }
    async fn read_only(&self) -> anyhow::Result<ReadOnlyState> {
        self.within("@@read_only", self.call_timeout, self.inner.read_only())
            .await
    }
    async fn set_read_only(&self, on: bool) -> anyhow::Result<()> {
        self.within(
            "SET GLOBAL read_only",
            self.call_timeout,
            self.inner.set_read_only(on),
        )
        .await
    }
    async fn replication_status(&self) -> anyhow::Result<Option<ReplicationStatus>> {
        self.within(
            "replication status",
            self.call_timeout,
            self.inner.replication_status(),
        )
        .await
    }
    async fn gtid_position(&self) -> anyhow::Result<String> {
        self.within(
            "GTID position",
            self.call_timeout,
            self.inner.gtid_position(),
        )
        .await
    }
    async fn gtid_applied(&self) -> anyhow::Result<String> {
        self.within(
            "applied GTIDs",
            self.call_timeout,
            self.inner.gtid_applied(),
        )
        .await
    }
    async fn has_applied(&self, source_position: &str) -> anyhow::Result<bool> {
        self.within(
            "GTID comparison",
            self.call_timeout,
            self.inner.has_applied(source_position),
        )
        .await
    }
    async fn wait_for_gtid(
        &self,
        source_position: &str,
        timeout: Duration,
    ) -> anyhow::Result<bool> {
        self.within(
            "GTID wait",
            timeout + self.call_timeout,
            self.inner.wait_for_gtid(source_position, timeout),
        )
        .await
    }
    async fn heartbeat_age(
        &self,
        table: &str,
        source_server_id: u64,
        utc_offset_seconds: f64,
    ) -> anyhow::Result<Option<f64>> {
        self.within(
            "heartbeat query",
            self.call_timeout,
            self.inner
                .heartbeat_age(table, source_server_id, utc_offset_seconds),
        )
        .await
    }
    async fn utc_offset_seconds(&self, time_zone: Option<&str>) -> anyhow::Result<f64> {
        self.within(
            "time zone offset",
            self.call_timeout,
            self.inner.utc_offset_seconds(time_zone),
        )
        .await
    }
    async fn long_transactions(&self, older_than: Duration) -> anyhow::Result<Vec<Transaction>> {
        self.within(
            "transaction list",
            self.call_timeout,
            self.inner.long_transactions(older_than),
        )
        .await
    }
    async fn running_ddl(&self) -> anyhow::Result<Vec<RunningStatement>> {
        self.within("processlist", self.call_timeout, self.inner.running_ddl())
            .await
    }
    async fn stop_replication(&self) -> anyhow::Result<()> {
        self.within(
            "STOP SLAVE/REPLICA",
            self.call_timeout,
            self.inner.stop_replication(),
        )
        .await
    }
    async fn reset_replication(&self) -> anyhow::Result<()> {
        self.within(
            "RESET SLAVE/REPLICA ALL",
            self.call_timeout,
            self.inner.reset_replication(),
        )
        .await
    }
    async fn canary(&self) -> anyhow::Result<String> {
        self.within("canary write", self.call_timeout, self.inner.canary())
            .await
    }
}
