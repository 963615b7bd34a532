//! Aurora's `information_schema.replica_host_status`: reading the rows and sorting out which is
//! the writer, which readers are live and which rows belong to instances that are gone
//! (renamed, deleted, the old writer after a failover).

use sqlx::{AssertSqlSafe, MySqlPool};

use super::sql::col;

/// One row of Aurora's `replica_host_status`.
#[derive(Debug, Clone, PartialEq)]
pub struct HostStatusRow {
    pub server_id: String,
    pub is_writer: bool,
    pub lag_ms: Option<f64>,
    /// Seconds since LAST_UPDATE_TIMESTAMP, by the writer's clock.
    pub age_seconds: Option<f64>,
    pub last_transport_error: Option<String>,
}

/// Rows of replica_host_status not updated for this long are gone instances (renamed,
/// deleted, the old writer's session after a failover): the AWS JDBC driver's default.
pub const HOST_STATUS_STALE_SECONDS: f64 = 300.0;

/// replica_host_status sorted out: the writer, live readers, and rows of gone instances.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostRows {
    pub writer: Option<HostStatusRow>,
    pub readers: Vec<HostStatusRow>,
    pub gone: Vec<HostStatusRow>,
}

/// Sort replica_host_status rows: the most recently updated `MASTER_SESSION_ID` row is the
/// writer (after a failover the old writer's row lingers); readers updated within `max_age`
/// seconds are live; every other row is listed once as gone, never as a broken replica.
pub fn sort_host_rows(rows: Vec<HostStatusRow>, max_age: f64) -> HostRows {
    let age = |r: &HostStatusRow| r.age_seconds.unwrap_or(f64::INFINITY);
    let fresh = |r: &HostStatusRow| r.age_seconds.is_some_and(|a| a <= max_age);
    let (mut writers, mut others): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.is_writer);
    writers.sort_by(|a, b| age(a).total_cmp(&age(b)));
    others.sort_by(|a, b| age(a).total_cmp(&age(b)));
    let mut out = HostRows::default();
    let mut writers = writers.into_iter();
    out.writer = writers.next();
    let writer_id = out.writer.as_ref().map(|w| w.server_id.clone());
    let mut rest: Vec<HostStatusRow> = writers.collect();
    for r in others {
        let known = Some(&r.server_id) == writer_id.as_ref()
            || out.readers.iter().any(|x| x.server_id == r.server_id);
        if known {
            continue;
        }
        if fresh(&r) {
            out.readers.push(r);
        } else {
            rest.push(r);
        }
    }
    for r in rest {
        let seen = Some(&r.server_id) == writer_id.as_ref()
            || out.readers.iter().any(|x| x.server_id == r.server_id)
            || out.gone.iter().any(|x| x.server_id == r.server_id);
        if !seen {
            out.gone.push(r);
        }
    }
    out
}

/// The rows of `table` (Aurora's view, or a fixture with its documented columns); ages by the
/// writer's clock (`TIMESTAMPDIFF(..., NOW(6))`), so client clock skew cannot make rows stale.
pub(super) async fn host_status(
    pool: &MySqlPool,
    table: &str,
) -> anyhow::Result<Vec<HostStatusRow>> {
    let sql = format!(
        "SELECT SERVER_ID AS server_id, SESSION_ID AS session_id, \
           REPLICA_LAG_IN_MILLISECONDS AS lag_ms, \
           TIMESTAMPDIFF(MICROSECOND, LAST_UPDATE_TIMESTAMP, NOW(6)) AS age_us, \
           LAST_TRANSPORT_ERROR AS transport_error \
         FROM {table}"
    );
    let rows = sqlx::raw_sql(AssertSqlSafe(sql)).fetch_all(pool).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(HostStatusRow {
                server_id: col(r, "server_id")?,
                is_writer: col(r, "session_id").as_deref() == Some("MASTER_SESSION_ID"),
                lag_ms: col(r, "lag_ms").and_then(|v| v.parse().ok()),
                age_seconds: col(r, "age_us")
                    .and_then(|v| v.parse::<f64>().ok())
                    .map(|us| us / 1e6),
                last_transport_error: col(r, "transport_error"),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, writer: bool, age: f64) -> HostStatusRow {
        HostStatusRow {
            server_id: id.into(),
            is_writer: writer,
            lag_ms: Some(20.0),
            age_seconds: Some(age),
            last_transport_error: None,
        }
    }

    #[test]
    fn most_recently_updated_writer_row_wins_and_the_old_writer_is_gone() {
        // After a failover: the old writer's MASTER_SESSION_ID row (900 s stale) comes first.
        let rows = vec![
            row("catalog-1", true, 900.0),
            row("catalog-2", true, 0.4),
            row("catalog-3", false, 0.6),
        ];
        let h = sort_host_rows(rows, HOST_STATUS_STALE_SECONDS);
        assert_eq!(h.writer.unwrap().server_id, "catalog-2");
        assert_eq!(h.readers.len(), 1);
        assert_eq!(h.readers[0].server_id, "catalog-3");
        assert_eq!(h.gone.len(), 1);
        assert_eq!(h.gone[0].server_id, "catalog-1");
    }

    #[test]
    fn rows_older_than_the_max_age_are_gone_once_not_replicas() {
        let rows = vec![
            row("catalog-1", true, 0.2),
            row("catalog-old-name", false, 3.0 * 86400.0),
            row("catalog-old-name", false, 3.0 * 86400.0 + 5.0),
            row("catalog-2", false, 299.0),
        ];
        let h = sort_host_rows(rows.clone(), 300.0);
        assert_eq!(
            h.readers
                .iter()
                .map(|r| &r.server_id[..])
                .collect::<Vec<_>>(),
            ["catalog-2"]
        );
        assert_eq!(h.gone.len(), 1, "listed once: {:?}", h.gone);
        assert_eq!(h.gone[0].server_id, "catalog-old-name");
        // A shorter max age makes catalog-2 gone too.
        let h = sort_host_rows(rows, 60.0);
        assert!(h.readers.is_empty());
        assert_eq!(h.gone.len(), 2);
    }
}
