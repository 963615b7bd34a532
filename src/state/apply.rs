//! Folding a collector's round into the State: the source's bookkeeping (last success, last
//! error), the series, the open dialogs, the snapshot and the figures' hysteresis; and judging
//! the whole State. Each kind's part is its `registry::PANEL_STATE` line.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Finding, SourceState, State, hysteresis, registry};
use crate::model::source::{Sample, Update};

impl State {
    /// Fold a sample in (or hold it while paused). Returns whether the screen changed.
    pub fn apply_sample(&mut self, sample: Sample) -> bool {
        // Log events are never held back: holding keeps only the latest sample per source,
        // which would lose whole reads. Paused, the view stays on its lines instead.
        if self.paused
            && let Ok(Update::Logs(b)) = &sample.result
        {
            self.logs.push(b, true);
            return true;
        }
        if self.paused {
            self.held.insert(sample.source.name(), sample);
            return false;
        }
        self.apply_now(sample);
        true
    }

    pub(super) fn apply_now(&mut self, sample: Sample) {
        let name = sample.source.name();
        let src = self
            .sources
            .entry(name.clone())
            .or_insert_with(|| SourceState::new(Duration::from_secs(5)));
        src.last_attempt = Some(sample.at);
        match sample.result {
            Err(e) => {
                // once per change, not every round: the log file says when a source broke
                if src.error.as_deref() != Some(e.as_str()) {
                    tracing::warn!(source = %name, "collection failed: {e}");
                }
                src.error = Some(e);
            }
            Ok(update) => {
                src.last_ok = Some(sample.at);
                src.error = None;
                src.samples += 1;
                self.record_series(&update, sample.at);
                for m in &mut self.modals {
                    m.on_update(&update);
                }
                let figures = registry::figure_prefix(&update);
                if let Update::Alarms(a) = &update {
                    self.alarm_history.observe(&a.alarms, sample.at);
                }
                if let Some(b) = self.data.fold(update) {
                    self.logs.push(&b, false);
                }
                // One reading of this source's figures for the hysteresis; the others keep
                // what they show.
                if let Some(prefix) = figures {
                    let mut judge = hysteresis::Judge::Observe(&mut self.hysteresis, &prefix);
                    registry::judged(&self.data, &self.panels, &mut judge);
                }
            }
        }
        self.data.errors = self
            .sources
            .iter()
            .filter_map(|(n, s)| {
                s.error.as_ref().map(|e| crate::model::SourceError {
                    source: n.clone(),
                    message: e.clone(),
                })
            })
            .collect();
        self.data.taken_at = sample.at;
    }

    fn record_series(&mut self, u: &Update, at: DateTime<Utc>) {
        registry::record_series(&mut self.series, u, at)
    }

    /// Every finding, each figure as its hysteresis shows it.
    pub fn findings(&self) -> Vec<Finding> {
        registry::judged(
            &self.data,
            &self.panels,
            &mut hysteresis::Judge::Shown(&self.hysteresis),
        )
    }
}
