//! Asking DescribeAlarmHistory when an alarm's detail opens: on a task, bounded by the alarms
//! collector's timeout, the answer posted back through the State's inbox, so the UI loop never
//! waits on CloudWatch. Demo mode asks the simulated world over the same wire trait.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::backends::Backends;
use crate::config::Resolved;
use crate::services::alarms::{self, AlarmsWire, AwsAlarmsWire, HistoryError};
use crate::services::aws::AwsContext;
use crate::state::alarm_history::HistoryFetch;
use crate::state::{State, StateFn};

/// The wire the open context's alarms come from.
fn wire_for(resolved: &Resolved, backends: &Backends) -> Arc<dyn AlarmsWire> {
    match backends {
        Backends::Sim(world) => Arc::new(crate::sim::alarms_wire::SimAlarmsWire::new(
            world.clone(),
            true,
        )),
        Backends::Real => Arc::new(AwsAlarmsWire::new(&AwsContext::new(resolved.context()))),
    }
}

/// What the State keeps of an answer.
pub fn to_fetch(r: Result<Vec<crate::model::AlarmTransition>, HistoryError>) -> HistoryFetch {
    match r {
        Ok(v) => HistoryFetch::Loaded(v),
        Err(HistoryError::NotServed(m)) => HistoryFetch::NotServed(m),
        Err(HistoryError::Failed(m)) => HistoryFetch::Failed(m),
    }
}

/// Ask for `name`'s history on a task; the answer lands in the State through `inbox`.
pub fn spawn(
    name: String,
    resolved: &Resolved,
    backends: &Backends,
    inbox: &mpsc::UnboundedSender<StateFn>,
) {
    let wire = wire_for(resolved, backends);
    let inbox = inbox.clone();
    tokio::spawn(async move {
        let answer = to_fetch(alarms::history(wire.as_ref(), &name, alarms::TIMEOUT).await);
        if let HistoryFetch::Failed(e) | HistoryFetch::NotServed(e) = &answer {
            tracing::warn!(source = "alarms", alarm = %name, "DescribeAlarmHistory: {e}");
        }
        // The console may be gone; nothing to tell then.
        let _ = inbox.send(Box::new(move |st: &mut State| {
            st.alarm_history_complete(&name, answer)
        }));
    });
}
