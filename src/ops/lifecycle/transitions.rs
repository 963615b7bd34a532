//! Lifecycle rules S3 enforces on transitions of current versions: the storage classes a rule
//! may move objects to, the supported waterfall between them, the 30-day minimum before the
//! infrequent-access classes and the minimum storage durations between steps, and the
//! Days/Date consistency of a rule. Called by [`super::validate::validate`]; the walk over
//! the waterfall is shared with noncurrent transitions.
//!
//! Sources: S3 API reference `Transition`; S3 user guide "Transitioning objects using Amazon
//! S3 Lifecycle" (supported and unsupported transitions, minimum days, minimum storage).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::finding::Ctx;
use crate::services::s3::lifecycle_doc::Rule;
use crate::services::s3::lifecycle_doc::parse_midnight_utc;

/// Objects must spend 30 days in their current class before going to STANDARD_IA/ONEZONE_IA.
pub const MIN_DAYS_BEFORE_IA: i32 = 30;
/// Minimum storage duration of the IA classes: the next transition must come 30 days later.
pub const IA_MIN_STORAGE_DAYS: i32 = 30;
/// Minimum storage duration of GLACIER_IR / GLACIER (earlier moves are billed as if stored 90 days).
pub const ARCHIVE_MIN_STORAGE_DAYS: i32 = 90;

/// Storage classes a lifecycle rule can transition to, in waterfall order (colder later).
pub const TRANSITION_CLASSES: [&str; 6] = [
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
];

/// The S3 waterfall: may a lifecycle rule move an object from `from` to `to`?
/// Nothing goes back to STANDARD; INTELLIGENT_TIERING never to STANDARD_IA; ONEZONE_IA only
/// to the two archive classes (not GLACIER_IR, per the user guide's list of unsupported moves).
pub fn transition_allowed(from: &str, to: &str) -> bool {
    let targets: &[&str] = match from {
        "STANDARD" => &TRANSITION_CLASSES,
        "STANDARD_IA" => &[
            "INTELLIGENT_TIERING",
            "ONEZONE_IA",
            "GLACIER_IR",
            "GLACIER",
            "DEEP_ARCHIVE",
        ],
        "INTELLIGENT_TIERING" => &["ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"],
        "ONEZONE_IA" => &["GLACIER", "DEEP_ARCHIVE"],
        "GLACIER_IR" => &["GLACIER", "DEEP_ARCHIVE"],
        "GLACIER" => &["DEEP_ARCHIVE"],
        _ => &[],
    };
    targets.contains(&to)
}

pub(super) fn is_ia(class: &str) -> bool {
    class == "STANDARD_IA" || class == "ONEZONE_IA"
}

pub(super) fn check_transitions(rule: &Rule, ctx: &mut Ctx<'_>) {
    let mut uses_days = false;
    let mut uses_date = false;
    let mut seen_class: BTreeMap<&str, usize> = BTreeMap::new();
    // (days, index, class) of day-based transitions with valid classes, for the ordering checks.
    let mut steps: Vec<(i32, usize, &str)> = Vec::new();
    let mut dated: Vec<(NaiveDate, usize, &str)> = Vec::new();
    for (i, t) in rule.transitions.iter().enumerate() {
        let base = format!("Transitions[{i}]");
        let class = t.storage_class.as_str();
        let class_ok = TRANSITION_CLASSES.contains(&class);
        if !class_ok {
            ctx.error(
                format!("{base}.StorageClass"),
                format!(
                    "{class:?} is not a lifecycle transition class; use one of {}",
                    TRANSITION_CLASSES.join(", ")
                ),
            );
        } else if let Some(first) = seen_class.insert(class, i) {
            ctx.error(
                format!("{base}.StorageClass"),
                format!("a second transition to {class} (Transitions[{first}] already goes there)"),
            );
        }
        match (t.days, &t.date) {
            (Some(_), Some(_)) => ctx.error(base.clone(), "both Days and Date; use one"),
            (None, None) => ctx.error(base.clone(), "needs Days or Date"),
            (Some(d), None) => {
                uses_days = true;
                if d < 0 {
                    ctx.error(format!("{base}.Days"), format!("{d}; must be >= 0"));
                } else if is_ia(class) && d < MIN_DAYS_BEFORE_IA {
                    ctx.error(
                        format!("{base}.Days"),
                        format!(
                            "{d} days before {class}; S3 requires at least {MIN_DAYS_BEFORE_IA}"
                        ),
                    );
                } else if class_ok {
                    steps.push((d, i, class));
                }
            }
            (None, Some(s)) => {
                uses_date = true;
                match parse_midnight_utc(s) {
                    Err(e) => ctx.error(format!("{base}.Date"), e),
                    Ok(d) if class_ok => dated.push((d, i, class)),
                    Ok(_) => {}
                }
            }
        }
    }
    if let Some(e) = &rule.expiration {
        uses_days |= e.days.is_some();
        uses_date |= e.date.is_some();
    }
    if uses_days && uses_date {
        ctx.error(
            "Transitions",
            "Days and Date are mixed in one rule; S3 requires all actions to use the same one",
        );
    }
    check_waterfall(ctx, "Transitions", "Days", &mut steps);
    dated.sort();
    let mut prev = "STANDARD";
    for w in 0..dated.len() {
        let (d, i, class) = dated[w];
        if w > 0 && dated[w - 1].0 == d {
            ctx.error(
                format!("Transitions[{i}].Date"),
                format!("{d} is the same date as Transitions[{}]", dated[w - 1].1),
            );
        }
        if !transition_allowed(prev, class) {
            ctx.error(
                format!("Transitions[{i}].StorageClass"),
                format!("S3 cannot transition {prev} to {class}"),
            );
        }
        prev = class;
    }
}

/// Order by days and walk the waterfall from STANDARD: each step must be an allowed edge, on a
/// later day, and respect the previous class's minimum storage duration.
pub(super) fn check_waterfall(
    ctx: &mut Ctx<'_>,
    list: &str,
    day_field: &str,
    steps: &mut [(i32, usize, &str)],
) {
    steps.sort();
    let mut prev: (&str, Option<(i32, usize)>) = ("STANDARD", None);
    for &(d, i, class) in steps.iter() {
        let field = format!("{list}[{i}].{day_field}");
        if let Some((pd, pi)) = prev.1 {
            if pd == d {
                ctx.error(
                    field.clone(),
                    format!("{d} is the same day as {list}[{pi}]; transitions need distinct days"),
                );
            } else if is_ia(prev.0) && d < pd + IA_MIN_STORAGE_DAYS {
                ctx.error(
                    field.clone(),
                    format!(
                        "{d} days is {} days after {list}[{pi}] ({}); objects must stay at least \
                         {IA_MIN_STORAGE_DAYS} days in {} before moving to {class}",
                        d - pd,
                        prev.0,
                        prev.0
                    ),
                );
            } else if matches!(prev.0, "GLACIER_IR" | "GLACIER")
                && d < pd + ARCHIVE_MIN_STORAGE_DAYS
            {
                ctx.warn(
                    field.clone(),
                    format!(
                        "{} days after {list}[{pi}] ({}); objects leaving {} before \
                         {ARCHIVE_MIN_STORAGE_DAYS} days are billed the remaining minimum storage",
                        d - pd,
                        prev.0,
                        prev.0
                    ),
                );
            }
        }
        if !transition_allowed(prev.0, class) {
            ctx.error(
                format!("{list}[{i}].StorageClass"),
                format!(
                    "S3 cannot transition {} to {class} (by day {d} objects are already in {})",
                    prev.0, prev.0
                ),
            );
        }
        prev = (class, Some((d, i)));
    }
}
