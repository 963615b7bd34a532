//! The simulated alarms on the alarms wire: DescribeAlarms pages and DescribeAlarmHistory items
//! as CloudWatch answers them, built from the world's alarm evaluations, so the demo runs
//! `services::alarms`' collector and history parser unchanged.

use async_trait::async_trait;
use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
use aws_sdk_cloudwatch::types::{AlarmHistoryItem, StateValue};

use super::{SharedWorld, World, lock};
use crate::services::alarms::{AlarmsWire, HistoryError};

/// The wire over a shared world.
pub struct SimAlarmsWire {
    world: SharedWorld,
    /// Advance the world to the wall clock before answering (demo); tests step it themselves.
    follow_wall: bool,
}

impl SimAlarmsWire {
    /// The wire over `world`; `follow_wall` advances it to the wall clock before answering.
    pub fn new(world: SharedWorld, follow_wall: bool) -> Self {
        SimAlarmsWire { world, follow_wall }
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        let mut w = lock(&self.world);
        if self.follow_wall {
            w.sync_to_wall();
        }
        w
    }
}

#[async_trait]
impl AlarmsWire for SimAlarmsWire {
    async fn describe_alarms(
        &self,
        state: StateValue,
    ) -> anyhow::Result<Vec<DescribeAlarmsOutput>> {
        let alarms = self.world().alarms.metric_alarms(&state);
        // Seven alarms fit one page (DescribeAlarms pages at 100).
        Ok(vec![
            DescribeAlarmsOutput::builder()
                .set_metric_alarms(Some(alarms))
                .build(),
        ])
    }

    async fn alarm_history(
        &self,
        name: &str,
        limit: usize,
    ) -> Result<Vec<AlarmHistoryItem>, HistoryError> {
        // CloudWatch answers an unknown alarm name with no items, not an error.
        Ok(self
            .world()
            .alarms
            .history_items(name, limit)
            .unwrap_or_default())
    }
}
