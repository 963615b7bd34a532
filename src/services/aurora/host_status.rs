//! Sorting Aurora's `information_schema.replica_host_status` rows: which row is the writer
//! after a failover, which readers are live, which rows belong to instances that are gone.

use super::sql::HostStatusRow;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::aurora::sql::HOST_STATUS_STALE_SECONDS;

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
