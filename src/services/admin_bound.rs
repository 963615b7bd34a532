//! The one bound every admin call of an operation gets (an RDS, S3 or OpenSearch request):
//! a server that accepts the connection and never answers turns into an error naming the
//! call and its bound (`[contexts.X] admin_timeout`), never an open-ended wait.
//! (MySQL statements have their own wrapper, `aurora::bounded`, over the same key.)

use std::future::Future;
use std::time::Duration;

/// The config key that sets [`within`]'s bound, named in its error.
pub const KEY: &str = "admin_timeout";

/// Run `call` for at most `limit`. Errors: the call's own error, or
/// "`what`: no answer within `limit` (admin_timeout)" when the bound ran out (the call's
/// future is dropped, which closes its connection).
pub async fn within<T>(
    what: impl std::fmt::Display,
    limit: Duration,
    call: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(limit, call).await {
        Ok(r) => r,
        Err(_) => anyhow::bail!(
            "{what}: no answer within {} ({KEY})",
            humantime::format_duration(limit)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_past_its_bound_is_an_error_naming_the_call_and_the_bound() {
        let e = within(
            "PUT /x/_settings",
            Duration::from_millis(20),
            std::future::pending::<anyhow::Result<()>>(),
        )
        .await
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "PUT /x/_settings: no answer within 20ms (admin_timeout)"
        );
    }
}
