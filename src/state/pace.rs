//! `+`/`-`: the collection interval the operator asks for, applied to every source within the
//! bounds its collector declares (a CloudWatch metric never faster than its period, S3's daily
//! storage metrics never faster than their own interval). The main loop sends the choice to
//! the collector tasks; here the State keeps what is in force for the header and staleness.

use std::time::Duration;

use super::State;
use crate::model::source::{SourceKind, paced_interval};

impl State {
    /// Declare a source's `+`/`-` bounds (from its collector).
    pub fn register_bounds(&mut self, kind: &SourceKind, min: Duration, max: Duration) {
        let pace = self.collect_pace;
        if let Some(s) = self.sources.get_mut(&kind.name()) {
            s.own_interval = s.interval;
            s.bounds = Some((min, max));
            s.interval = paced_interval(s.own_interval, min, max, pace);
        }
    }

    /// Ask for `pace` (None: each source's own interval); says in a flash what is in force.
    pub fn set_pace(&mut self, pace: Option<Duration>) {
        self.collect_pace = pace;
        let mut held = Vec::new();
        for (name, s) in self.sources.iter_mut() {
            let Some((min, max)) = s.bounds else { continue };
            s.interval = paced_interval(s.own_interval, min, max, pace);
            if let Some(p) = pace
                && s.interval != p
            {
                held.push(format!("{name} {}", humantime::format_duration(s.interval)));
            }
        }
        let mut msg = match pace {
            Some(p) => format!("collecting every {}", humantime::format_duration(p)),
            None => "collecting at each source's own interval".into(),
        };
        if !held.is_empty() {
            msg.push_str(&format!(" (held at their bounds: {})", held.join(", ")));
        }
        self.set_flash(msg);
    }

    /// Sources whose interval differs from the chosen pace (held at a bound).
    pub fn paced_exceptions(&self) -> usize {
        let Some(p) = self.collect_pace else { return 0 };
        self.sources
            .values()
            .filter(|s| s.bounds.is_some() && s.interval != p)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateInit;

    #[test]
    fn plus_asks_every_source_for_a_faster_interval_within_its_bounds() {
        let mut st = State::new(StateInit::default());
        let s = Duration::from_secs;
        st.register_source(
            SourceKind::Service(crate::model::service::PanelKind::Redis),
            s(2),
        );
        st.register_bounds(
            &SourceKind::Service(crate::model::service::PanelKind::Redis),
            s(1),
            s(20),
        );
        let cw = SourceKind::CloudWatch("rds-instances".into());
        st.register_source(cw.clone(), s(60));
        st.register_bounds(&cw, s(60), s(600));
        st.apply_action(crate::keymap::Action::RefreshFaster);
        assert_eq!(st.collect_pace, Some(Duration::from_millis(500)));
        assert_eq!(
            st.source(&SourceKind::Service(
                crate::model::service::PanelKind::Redis
            ))
            .unwrap()
            .interval,
            s(1)
        );
        assert_eq!(st.source(&cw).unwrap().interval, s(60));
        assert_eq!(st.paced_exceptions(), 2);
        let flash = &st.flash.as_ref().unwrap().0;
        assert!(flash.contains("cloudwatch:rds-instances 1m"), "{flash}");
    }
}
