//! A recording folded up to a moment: the State the console showed then, and the snapshot JSON
//! of that moment (`opsdeck snapshot --from FILE --at TIME`, `check --from FILE --at TIME`).

use chrono::{DateTime, Utc};

use super::Recording;
use crate::model::Snapshot;
use crate::panels::Panels;
use crate::state::{State, StateInit};

/// A State with every sample of `rec` taken at or before `at` folded in, in file order, the
/// way the console folded them live. `now` is `at`.
pub fn state_at(rec: &Recording, at: DateTime<Utc>, panels: Panels) -> State {
    let mut st = State::new(StateInit {
        context: rec.header.context.clone(),
        demo: rec.header.demo,
        panels,
        ..StateInit::default()
    });
    for (kind, ms) in &rec.header.sources {
        st.register_source(kind.clone(), std::time::Duration::from_millis(*ms));
    }
    for s in rec.samples.iter().filter(|s| s.at <= at) {
        st.apply_sample(s.clone());
    }
    st.now = at;
    st
}

/// The snapshot of that moment: the latest data of each source, the errors still standing.
pub fn snapshot_at(rec: &Recording, at: DateTime<Utc>) -> Snapshot {
    state_at(rec, at, Panels::embedded()).data
}

/// Parse `--at` with the one moment parser the replay's `:at` uses ([`crate::model::moment`]):
/// RFC 3339, `YYYY-MM-DD HH:MM[:SS]`, `HH:MM[:SS]` (the latest such time in the recording),
/// `-5m` (back from its end), `start` or `end`. Errors name the flag, the value and the forms.
pub fn parse_at(rec: &Recording, text: &str) -> Result<DateTime<Utc>, String> {
    let span = rec.span();
    let Some((first, last)) = span else {
        return Err(format!("--at {text:?}: the recording holds no samples"));
    };
    let t = crate::model::moment::parse(
        "--at",
        text,
        crate::model::moment::Bounds {
            first,
            last,
            now: last,
        },
    )?;
    if t < first {
        return Err(format!(
            "--at {text:?}: before the recording starts ({first} .. {last})"
        ));
    }
    Ok(t)
}
