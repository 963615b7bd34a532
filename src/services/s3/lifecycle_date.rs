//! A lifecycle `Date` read the way `aws s3api put-bucket-lifecycle-configuration` reads it, so
//! a file the CLI accepts means the same day here.
//!
//! The CLI (botocore's `parse_to_aware_datetime`) takes a number or numeric string as Unix epoch
//! seconds, and any other string through `dateutil.parser.parse`; a time without a zone is
//! taken as UTC, one with an offset is converted to UTC. S3 then requires midnight UTC
//! ("The date value must conform to the ISO 8601 format. The time is always midnight UTC.",
//! API reference, LifecycleExpiration / Transition).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};

/// The spellings accepted, for error messages.
pub const SPELLINGS: &str = "2027-01-01, 2027-01-01T00:00:00Z, 2027-01-01T00:00:00 (no zone: \
     UTC, as the AWS CLI sends it), 2027-01-01T00:00:00.000Z, 2027-01-01T01:00:00+01:00, \
     2027-01-01 00:00:00, Fri, 01 Jan 2027 00:00:00 GMT, or Unix epoch seconds (1798761600)";

/// The instant a `Date` value names, in UTC. Errors name the value and the accepted spellings.
pub fn parse_timestamp_utc(s: &str) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        if !secs.is_finite() {
            return Err(format!("{s:?} is not a date; use {SPELLINGS}"));
        }
        let whole = secs.floor();
        let nanos = ((secs - whole) * 1e9).round() as u32;
        return DateTime::<Utc>::from_timestamp(whole as i64, nanos.min(999_999_999))
            .ok_or_else(|| format!("{s:?} is out of range as epoch seconds"));
    }
    // (A bare "20170927" is epoch seconds above, as in botocore, not a date.)
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    // With a zone: RFC 3339 (`Z`, `+01:00`, also a space for `T`), `+0100`, RFC 2822.
    let spaced_t = t.replacen(' ', "T", 1);
    if let Ok(d) = DateTime::parse_from_rfc3339(&spaced_t) {
        return Ok(d.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(d) = DateTime::parse_from_str(&spaced_t, fmt) {
            return Ok(d.with_timezone(&Utc));
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Ok(d.with_timezone(&Utc));
    }
    // No zone: UTC, as botocore assumes.
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(&spaced_t, fmt) {
            return Ok(d.and_utc());
        }
    }
    Err(format!("{s:?} is not a date; use {SPELLINGS}"))
}

/// The day a `Date` value names, which must be midnight UTC once converted.
pub fn parse_midnight_utc(s: &str) -> Result<NaiveDate, String> {
    let utc = parse_timestamp_utc(s)?;
    if utc.hour() != 0 || utc.minute() != 0 || utc.second() != 0 || utc.nanosecond() != 0 {
        return Err(format!(
            "{s:?} is not midnight UTC ({} UTC); S3 applies lifecycle dates at midnight UTC, \
             e.g. {}T00:00:00Z",
            utc.format("%Y-%m-%d %H:%M:%S"),
            utc.date_naive()
        ));
    }
    Ok(utc.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2017, 9, 27).unwrap()
    }

    #[test]
    fn every_spelling_the_aws_cli_accepts_for_midnight_utc_is_the_same_day() {
        for s in [
            "2017-09-27T00:00:00",
            "2017-09-27T00:00:00Z",
            "2017-09-27T00:00:00.000Z",
            "2017-09-27T00:00:00.000",
            "2017-09-27T00:00:00+00:00",
            "2017-09-27T02:00:00+02:00",
            "2017-09-26T19:00:00-0500",
            "2017-09-27 00:00:00",
            "2017-09-27 00:00:00Z",
            "2017-09-27T00:00",
            "2017-09-27",
            "Wed, 27 Sep 2017 00:00:00 GMT",
            "Wed, 27 Sep 2017 00:00:00 +0000",
            "1506470400",
            "1506470400.0",
        ] {
            assert_eq!(parse_midnight_utc(s), Ok(day()), "{s}");
        }
    }

    #[test]
    fn a_time_that_is_not_midnight_once_in_utc_is_refused_with_the_utc_time() {
        let e = parse_midnight_utc("2017-09-27T00:00:00+02:00").unwrap_err();
        assert!(e.contains("2017-09-26 22:00:00 UTC"), "{e}");
        let e = parse_midnight_utc("2017-09-27T10:00:00").unwrap_err();
        assert!(e.contains("not midnight UTC"), "{e}");
    }

    #[test]
    fn an_unreadable_date_error_lists_the_spellings_that_work() {
        let e = parse_midnight_utc("27/09/2017").unwrap_err();
        assert!(
            e.starts_with("\"27/09/2017\" is not a date; use 2027-01-01,"),
            "{e}"
        );
        assert!(e.contains("no zone: UTC"), "{e}");
        assert!(e.contains("epoch seconds"), "{e}");
    }
}
