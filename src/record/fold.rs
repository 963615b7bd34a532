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

/// Parse `--at`: RFC 3339 ("2026-11-29T03:12:00Z"), or "end" / "start" of the recording.
/// Errors name the value and say what is accepted.
pub fn parse_at(rec: &Recording, text: &str) -> Result<DateTime<Utc>, String> {
    let span = rec.span();
    match (text, span) {
        ("end", Some((_, last))) => return Ok(last),
        ("start", Some((first, _))) => return Ok(first),
        ("end" | "start", None) => return Err("the recording holds no samples".into()),
        _ => {}
    }
    let t = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("--at {text:?}: {e} (write RFC 3339, e.g. 2026-11-29T03:12:00Z, or start/end)")
        })?;
    if let Some((first, last)) = span
        && t < first
    {
        return Err(format!(
            "--at {text}: before the recording starts ({first} .. {last})"
        ));
    }
    Ok(t)
}
