//! The real CloudWatch Logs client behind [`LogsWire`](super::LogsWire).

use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsError;
use aws_smithy_types::error::display::DisplayErrorContext;
use futures::StreamExt;

use super::{LogEvent, LogQuery, LogsError, LogsWire, Pages};
use crate::services::aws::AwsContext;

/// FilterLogEvents over the SDK's paginator.
#[derive(Clone)]
pub struct CloudWatchLogs {
    client: aws_sdk_cloudwatchlogs::Client,
}

impl CloudWatchLogs {
    pub fn new(client: aws_sdk_cloudwatchlogs::Client) -> Self {
        CloudWatchLogs { client }
    }

    /// The SDK client (live tail sessions use it directly).
    pub fn client(&self) -> &aws_sdk_cloudwatchlogs::Client {
        &self.client
    }

    /// A client with the context's credentials, region and endpoint override.
    pub async fn from_aws(aws: &AwsContext) -> Self {
        Self::new(aws_sdk_cloudwatchlogs::Client::new(aws.sdk_config().await))
    }
}

fn api_error(
    group: &str,
    e: aws_sdk_cloudwatchlogs::error::SdkError<FilterLogEventsError>,
) -> LogsError {
    if let Some(FilterLogEventsError::ResourceNotFoundException(_)) = e.as_service_error() {
        return LogsError::GroupNotFound(group.to_string());
    }
    LogsError::Api(DisplayErrorContext(&e).to_string())
}

impl LogsWire for CloudWatchLogs {
    fn filter_log_events(&self, q: LogQuery) -> Pages {
        let group = q.group.clone();
        let pages = self
            .client
            .filter_log_events()
            .log_group_name(q.group)
            .set_filter_pattern(q.filter_pattern)
            .start_time(q.start_ms)
            .set_end_time(q.end_ms)
            .set_log_stream_names(q.stream.map(|s| vec![s]))
            .into_paginator()
            .send();
        futures::stream::unfold((pages, group), |(mut pages, group)| async move {
            let page = pages.next().await?;
            let page = page.map_err(|e| api_error(&group, e)).map(|out| {
                out.events
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| LogEvent {
                        timestamp_ms: e.timestamp.unwrap_or_default(),
                        stream: e.log_stream_name.unwrap_or_default(),
                        message: e.message.unwrap_or_default(),
                        event_id: e.event_id.unwrap_or_default(),
                    })
                    .collect()
            });
            Some((page, (pages, group)))
        })
        .boxed()
    }
}
