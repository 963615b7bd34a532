//! A moment of a recording as an operator writes it: the one parser behind `opsdeck snapshot
//! --at`, `opsdeck check --at` and the replay's `:at`, so each takes the same forms and refuses
//! a bad one in the same words (naming the flag or command, the value and the forms).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The forms [`parse`] accepts, as its errors list them. Times without a zone are UTC, the
/// zone of every clock the console shows.
pub const FORMS: &str = "RFC 3339 (2026-11-29T03:12:00Z), YYYY-MM-DD HH:MM[:SS], \
    HH:MM[:SS] (the latest such time in the recording), -5m / +30s (from the replay's \
    clock; the recording's end on the command line), start or end";

/// What a moment is read against: the recording's first and last sample times, and `now`,
/// the time a relative moment counts from (the replay clock; the recording's end for the
/// command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// `text` as a moment of the recording `b` describes. A time of day is the latest such time at
/// or before the recording's end (its own day, or the day before when that time is not reached
/// yet). The moment is not clamped to the recording: callers decide (the replay clamps,
/// `--at` refuses a time before the start).
///
/// Errors: `{what} "{text}": not a time; write {FORMS}`, `what` being the flag or command the
/// value came with (`--at`, `at`).
pub fn parse(what: &str, text: &str, b: Bounds) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    let bad = || format!("{what} {text:?}: not a time; write {FORMS}");
    match t {
        "start" => return Ok(b.first),
        "end" => return Ok(b.last),
        _ => {}
    }
    if let Some((sign, rest)) = t
        .strip_prefix('-')
        .map(|r| (-1, r))
        .or_else(|| t.strip_prefix('+').map(|r| (1, r)))
    {
        let d = humantime::parse_duration(rest.trim()).map_err(|_| bad())?;
        let d = chrono::Duration::from_std(d).map_err(|_| bad())?;
        return Ok(if sign < 0 { b.now - d } else { b.now + d });
    }
    if let Ok(x) = DateTime::parse_from_rfc3339(t) {
        return Ok(x.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(x) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(x.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_time(NaiveTime::MIN).and_utc());
    }
    let time = NaiveTime::parse_from_str(t, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .map_err(|_| bad())?;
    let same_day = b.last.date_naive().and_time(time).and_utc();
    Ok(if same_day > b.last {
        same_day - chrono::Duration::days(1)
    } else {
        same_day
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn b() -> Bounds {
        let first = Utc.with_ymd_and_hms(2026, 11, 29, 2, 50, 0).unwrap();
        let last = Utc.with_ymd_and_hms(2026, 11, 29, 3, 20, 0).unwrap();
        Bounds {
            first,
            last,
            now: Utc.with_ymd_and_hms(2026, 11, 29, 3, 0, 0).unwrap(),
        }
    }

    #[test]
    fn every_form_reads_the_same_moment() {
        let want = Utc.with_ymd_and_hms(2026, 11, 29, 3, 12, 0).unwrap();
        for text in [
            "2026-11-29T03:12:00Z",
            "2026-11-29T04:12:00+01:00",
            "2026-11-29 03:12:00",
            "2026-11-29 03:12",
            "03:12:00",
            "03:12",
            "+12m",
            " 03:12 ",
        ] {
            assert_eq!(parse("at", text, b()), Ok(want), "{text}");
        }
        assert_eq!(
            parse("at", "-5m", b()),
            Ok(Utc.with_ymd_and_hms(2026, 11, 29, 2, 55, 0).unwrap())
        );
        assert_eq!(parse("at", "start", b()), Ok(b().first));
        assert_eq!(parse("at", "end", b()), Ok(b().last));
    }

    #[test]
    fn a_time_of_day_not_reached_yet_is_the_day_before() {
        assert_eq!(
            parse("--at", "23:50", b()),
            Ok(Utc.with_ymd_and_hms(2026, 11, 28, 23, 50, 0).unwrap())
        );
    }

    #[test]
    fn a_bad_value_names_what_it_came_with_the_value_and_the_forms() {
        for text in ["25:99", "17:28:30x", "yesterday", "-soon", ""] {
            let e = parse("--at", text, b()).unwrap_err();
            assert!(
                e.starts_with(&format!("--at {text:?}: not a time; write ")),
                "{e}"
            );
            assert!(e.contains("HH:MM[:SS]") && e.contains("RFC 3339"), "{e}");
        }
    }
}
