//! S3's own rules for a lifecycle configuration, checked before anything is sent: S3 itself
//! rejects most of these (with one error at a time), and emulators such as moto accept them
//! silently. Every finding names the rule and the field it is about.
//!
//! Sources: the S3 API reference (LifecycleRule, Transition, Filter) and the user guide's
//! "Transitioning objects using Amazon S3 Lifecycle" (lifecycle-transition-general-considerations).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;

pub use crate::services::s3::lifecycle_doc::parse_midnight_utc;
use crate::services::s3::lifecycle_doc::{LifecycleConfiguration, Rule};

pub const MAX_RULES: usize = 1000;
pub const MAX_ID_LEN: usize = 255;
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

fn is_ia(class: &str) -> bool {
    class == "STANDARD_IA" || class == "ONEZONE_IA"
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// S3 would accept it, but it probably costs money the operator did not mean to spend.
    Warning,
    /// S3 rejects it (or it is not a configuration S3 can apply).
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Rule ID (or `#N` for a rule without one); None for document-level findings.
    pub rule: Option<String>,
    /// Field path inside the rule, AWS spelling: `Transitions[0].Days`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(r) => write!(f, "rule {r:?}: {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }
}

struct Ctx<'a> {
    rule: Option<String>,
    out: &'a mut Vec<Finding>,
}

impl Ctx<'_> {
    fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Error, field.into(), message.into());
    }
    fn warn(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Warning, field.into(), message.into());
    }
    fn push(&mut self, severity: Severity, field: String, message: String) {
        self.out.push(Finding {
            severity,
            rule: self.rule.clone(),
            field,
            message,
        });
    }
}

/// Check a whole document. Pure: the same document always gives the same findings, in order.
pub fn validate(cfg: &LifecycleConfiguration) -> Report {
    let mut out = Vec::new();
    let mut doc = Ctx {
        rule: None,
        out: &mut out,
    };
    if cfg.rules.len() > MAX_RULES {
        doc.error(
            "Rules",
            format!("{} rules; S3 allows at most {MAX_RULES}", cfg.rules.len()),
        );
    }
    if let Some(v) = &cfg.transition_default_minimum_object_size
        && v != "varies_by_storage_class"
        && v != "all_storage_classes_128K"
    {
        doc.error(
            "TransitionDefaultMinimumObjectSize",
            format!("{v:?}; expected varies_by_storage_class or all_storage_classes_128K"),
        );
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, rule) in cfg.rules.iter().enumerate() {
        let mut ctx = Ctx {
            rule: Some(rule.label(i)),
            out: &mut out,
        };
        if let Some(id) = &rule.id {
            if let Some(first) = seen.insert(id.as_str(), i) {
                ctx.error(
                    "ID",
                    format!(
                        "duplicate ID (also rule #{}); IDs must be unique",
                        first + 1
                    ),
                );
            }
            if id.chars().count() > MAX_ID_LEN {
                ctx.error(
                    "ID",
                    format!(
                        "{} characters; S3 allows at most {MAX_ID_LEN}",
                        id.chars().count()
                    ),
                );
            }
            if id.is_empty() {
                ctx.error("ID", "empty ID; omit it to let S3 generate one");
            }
        }
        check_rule(rule, &mut ctx);
    }
    Report { findings: out }
}

fn check_rule(rule: &Rule, ctx: &mut Ctx<'_>) {
    check_filter(rule, ctx);
    let has_action = !rule.transitions.is_empty()
        || rule.expiration.is_some()
        || !rule.noncurrent_version_transitions.is_empty()
        || rule.noncurrent_version_expiration.is_some()
        || rule.abort_incomplete_multipart_upload.is_some();
    if !has_action {
        ctx.error(
            "(rule)",
            "no action: add Transitions, Expiration, NoncurrentVersionTransitions, \
             NoncurrentVersionExpiration or AbortIncompleteMultipartUpload",
        );
    }
    check_transitions(rule, ctx);
    check_expiration(rule, ctx);
    check_noncurrent(rule, ctx);
    if let Some(a) = &rule.abort_incomplete_multipart_upload {
        match a.days_after_initiation {
            None => ctx.error(
                "AbortIncompleteMultipartUpload.DaysAfterInitiation",
                "missing; required",
            ),
            Some(d) if d < 1 => ctx.error(
                "AbortIncompleteMultipartUpload.DaysAfterInitiation",
                format!("{d}; must be a positive number of days"),
            ),
            _ => {}
        }
        if has_tag_filter(rule) {
            ctx.error(
                "AbortIncompleteMultipartUpload",
                "cannot be used in a rule filtered by tags (uploads have no tags yet)",
            );
        }
    }
}

fn has_tag_filter(rule: &Rule) -> bool {
    rule.filter
        .as_ref()
        .is_some_and(|f| f.tag.is_some() || f.and.as_ref().is_some_and(|a| !a.tags.is_empty()))
}

fn check_filter(rule: &Rule, ctx: &mut Ctx<'_>) {
    match (&rule.filter, &rule.prefix) {
        (Some(_), Some(_)) => ctx.error(
            "Prefix",
            "both Filter and the legacy Prefix are set; use only Filter",
        ),
        (None, None) => ctx.error(
            "Filter",
            "missing; use \"Filter\": {} for the whole bucket or {\"Prefix\": \"...\"}",
        ),
        _ => {}
    }
    let Some(f) = &rule.filter else { return };
    let members = f.members_set();
    if members.len() > 1 {
        ctx.error(
            "Filter",
            format!(
                "{} are set; a Filter takes exactly one (combine them under And)",
                members.join(", ")
            ),
        );
    }
    let sizes = |ctx: &mut Ctx<'_>, base: &str, gt: Option<i64>, lt: Option<i64>| {
        if let Some(g) = gt
            && g < 0
        {
            ctx.error(
                format!("{base}ObjectSizeGreaterThan"),
                format!("{g}; must be >= 0"),
            );
        }
        if let Some(l) = lt
            && l <= 0
        {
            ctx.error(
                format!("{base}ObjectSizeLessThan"),
                format!("{l}; must be > 0"),
            );
        }
        if let (Some(g), Some(l)) = (gt, lt)
            && g >= l
        {
            ctx.error(
                format!("{base}ObjectSizeLessThan"),
                format!("{l} is not greater than ObjectSizeGreaterThan {g}; no object matches"),
            );
        }
    };
    sizes(
        ctx,
        "Filter.",
        f.object_size_greater_than,
        f.object_size_less_than,
    );
    if let Some(and) = &f.and {
        let n = usize::from(and.prefix.is_some())
            + and.tags.len()
            + usize::from(and.object_size_greater_than.is_some())
            + usize::from(and.object_size_less_than.is_some());
        if n < 2 {
            ctx.error(
                "Filter.And",
                "And combines two or more conditions; for one, put it directly under Filter",
            );
        }
        sizes(
            ctx,
            "Filter.And.",
            and.object_size_greater_than,
            and.object_size_less_than,
        );
        for (i, t) in and.tags.iter().enumerate() {
            if t.key.is_empty() {
                ctx.error(format!("Filter.And.Tags[{i}].Key"), "empty tag key");
            }
        }
    }
    if let Some(t) = &f.tag
        && t.key.is_empty()
    {
        ctx.error("Filter.Tag.Key", "empty tag key");
    }
}

fn check_transitions(rule: &Rule, ctx: &mut Ctx<'_>) {
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
fn check_waterfall(
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

fn check_expiration(rule: &Rule, ctx: &mut Ctx<'_>) {
    let Some(e) = &rule.expiration else { return };
    let set = usize::from(e.days.is_some())
        + usize::from(e.date.is_some())
        + usize::from(e.expired_object_delete_marker.is_some());
    if set != 1 {
        ctx.error(
            "Expiration",
            "needs exactly one of Days, Date or ExpiredObjectDeleteMarker",
        );
    }
    if let Some(d) = e.days {
        if d < 1 {
            ctx.error(
                "Expiration.Days",
                format!("{d}; must be a positive number of days"),
            );
        }
        for (i, t) in rule.transitions.iter().enumerate() {
            if let Some(td) = t.days
                && td >= d
            {
                ctx.error(
                    "Expiration.Days",
                    format!(
                        "{d} is not after Transitions[{i}] ({td} days to {}); objects would expire \
                         before or as they transition",
                        t.storage_class
                    ),
                );
            }
        }
    }
    if let Some(s) = &e.date {
        match parse_midnight_utc(s) {
            Err(m) => ctx.error("Expiration.Date", m),
            Ok(ed) => {
                for (i, t) in rule.transitions.iter().enumerate() {
                    if let Some(td) = t.date.as_deref().and_then(|s| parse_midnight_utc(s).ok())
                        && td >= ed
                    {
                        ctx.error(
                            "Expiration.Date",
                            format!("{ed} is not after Transitions[{i}].Date {td}"),
                        );
                    }
                }
            }
        }
    }
    if e.expired_object_delete_marker == Some(true) && has_tag_filter(rule) {
        ctx.error(
            "Expiration.ExpiredObjectDeleteMarker",
            "cannot be used in a rule filtered by tags",
        );
    }
}

fn check_noncurrent(rule: &Rule, ctx: &mut Ctx<'_>) {
    let mut steps: Vec<(i32, usize, &str)> = Vec::new();
    let mut seen_class: BTreeMap<&str, usize> = BTreeMap::new();
    let newer = |ctx: &mut Ctx<'_>, field: String, n: Option<i32>| {
        if let Some(n) = n
            && !(1..=100).contains(&n)
        {
            ctx.error(field, format!("{n}; must be between 1 and 100"));
        }
    };
    for (i, t) in rule.noncurrent_version_transitions.iter().enumerate() {
        let base = format!("NoncurrentVersionTransitions[{i}]");
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
                format!(
                    "a second transition to {class} (NoncurrentVersionTransitions[{first}] already goes there)"
                ),
            );
        }
        newer(
            ctx,
            format!("{base}.NewerNoncurrentVersions"),
            t.newer_noncurrent_versions,
        );
        match t.noncurrent_days {
            None => ctx.error(format!("{base}.NoncurrentDays"), "missing; required"),
            Some(d) if d < 0 => ctx.error(
                format!("{base}.NoncurrentDays"),
                format!("{d}; must be >= 0"),
            ),
            Some(d) if is_ia(class) && d < MIN_DAYS_BEFORE_IA => ctx.error(
                format!("{base}.NoncurrentDays"),
                format!(
                    "{d} days before {class}; S3 requires noncurrent versions to be at least \
                     {MIN_DAYS_BEFORE_IA} days noncurrent"
                ),
            ),
            Some(d) if class_ok => steps.push((d, i, class)),
            Some(_) => {}
        }
    }
    check_waterfall(
        ctx,
        "NoncurrentVersionTransitions",
        "NoncurrentDays",
        &mut steps,
    );
    if let Some(e) = &rule.noncurrent_version_expiration {
        newer(
            ctx,
            "NoncurrentVersionExpiration.NewerNoncurrentVersions".into(),
            e.newer_noncurrent_versions,
        );
        match e.noncurrent_days {
            None => ctx.error(
                "NoncurrentVersionExpiration.NoncurrentDays",
                "missing; required",
            ),
            Some(d) if d < 1 => ctx.error(
                "NoncurrentVersionExpiration.NoncurrentDays",
                format!("{d}; must be a positive number of days"),
            ),
            Some(d) => {
                for (i, t) in rule.noncurrent_version_transitions.iter().enumerate() {
                    if let Some(td) = t.noncurrent_days
                        && td >= d
                    {
                        ctx.error(
                            "NoncurrentVersionExpiration.NoncurrentDays",
                            format!(
                                "{d} is not after NoncurrentVersionTransitions[{i}] ({td} days)"
                            ),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::s3::lifecycle_doc::parse;

    fn findings(rules_json: &str) -> Vec<String> {
        let cfg = parse(&format!("{{\"Rules\":[{rules_json}]}}"), "t").expect("parses");
        validate(&cfg).errors().map(|f| format!("{f}")).collect()
    }

    /// (case, rule JSON, expected substring of the only error; "" = valid)
    const CASES: &[(&str, &str, &str)] = &[
        (
            "valid waterfall",
            r#"{"ID":"m","Status":"Enabled","Filter":{"Prefix":"media/"},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"GLACIER_IR"},{"Days":365,"StorageClass":"DEEP_ARCHIVE"}],"Expiration":{"Days":3650}}"#,
            "",
        ),
        (
            "IA before 30 days",
            r#"{"ID":"media-ia","Status":"Enabled","Filter":{},"Transitions":[{"Days":10,"StorageClass":"STANDARD_IA"}]}"#,
            r#"rule "media-ia": Transitions[0].Days: 10 days before STANDARD_IA; S3 requires at least 30"#,
        ),
        (
            "onezone before 30 days",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":29,"StorageClass":"ONEZONE_IA"}]}"#,
            "Transitions[0].Days: 29 days before ONEZONE_IA",
        ),
        (
            "glacier may be day 0",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":0,"StorageClass":"GLACIER"}]}"#,
            "",
        ),
        (
            "IT to STANDARD_IA",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"INTELLIGENT_TIERING"},{"Days":90,"StorageClass":"STANDARD_IA"}]}"#,
            "Transitions[1].StorageClass: S3 cannot transition INTELLIGENT_TIERING to STANDARD_IA",
        ),
        (
            "onezone to glacier_ir",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"ONEZONE_IA"},{"Days":90,"StorageClass":"GLACIER_IR"}]}"#,
            "S3 cannot transition ONEZONE_IA to GLACIER_IR",
        ),
        (
            "glacier 10 days after IA",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":40,"StorageClass":"GLACIER"}]}"#,
            "Transitions[1].Days: 40 days is 10 days after Transitions[0] (STANDARD_IA)",
        ),
        (
            "back to STANDARD",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD"}]}"#,
            "\"STANDARD\" is not a lifecycle transition class",
        ),
        (
            "expiration before transition",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":60,"StorageClass":"GLACIER"}],"Expiration":{"Days":30}}"#,
            "Expiration.Days: 30 is not after Transitions[0]",
        ),
        (
            "no action",
            r#"{"ID":"idle","Status":"Enabled","Filter":{"Prefix":"x/"}}"#,
            r#"rule "idle": (rule): no action"#,
        ),
        (
            "filter and prefix",
            r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"x/"},"Prefix":"y/","Expiration":{"Days":3}}"#,
            "Prefix: both Filter and the legacy Prefix",
        ),
        (
            "no filter at all",
            r#"{"ID":"a","Status":"Enabled","Expiration":{"Days":3}}"#,
            "Filter: missing",
        ),
        (
            "two filter members",
            r#"{"ID":"a","Status":"Enabled","Filter":{"Prefix":"x/","Tag":{"Key":"k","Value":"v"}},"Expiration":{"Days":3}}"#,
            "Filter: Prefix, Tag are set",
        ),
        (
            "days and date mixed",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"GLACIER"}],"Expiration":{"Days":400}}"#,
            "Days and Date are mixed",
        ),
        (
            "date not midnight",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Date":"2027-01-01T10:00:00Z"}}"#,
            "Expiration.Date: \"2027-01-01T10:00:00Z\" is not midnight UTC",
        ),
        (
            "expiration days zero",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Expiration":{"Days":0}}"#,
            "Expiration.Days: 0; must be a positive",
        ),
        (
            "noncurrent IA too early",
            r#"{"ID":"nc","Status":"Enabled","Filter":{},"NoncurrentVersionTransitions":[{"NoncurrentDays":7,"StorageClass":"STANDARD_IA"}]}"#,
            "NoncurrentVersionTransitions[0].NoncurrentDays: 7 days before STANDARD_IA",
        ),
        (
            "abort with tag filter",
            r#"{"ID":"a","Status":"Enabled","Filter":{"Tag":{"Key":"k","Value":"v"}},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}"#,
            "AbortIncompleteMultipartUpload: cannot be used in a rule filtered by tags",
        ),
        (
            "same day twice",
            r#"{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":100,"StorageClass":"GLACIER"},{"Days":100,"StorageClass":"DEEP_ARCHIVE"}]}"#,
            "is the same day as",
        ),
    ];

    #[test]
    fn table_of_s3_rules() {
        for (case, rule, want) in CASES {
            let errors = findings(rule);
            if want.is_empty() {
                assert!(errors.is_empty(), "{case}: expected valid, got {errors:?}");
            } else {
                assert!(
                    errors.iter().any(|e| e.contains(want)),
                    "{case}: expected {want:?} in {errors:?}"
                );
            }
        }
    }

    #[test]
    fn duplicate_and_long_ids_are_refused() {
        let long = "x".repeat(256);
        let got = findings(&format!(
            r#"{{"ID":"a","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":3}}}},
               {{"ID":"a","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":4}}}},
               {{"ID":"{long}","Status":"Enabled","Filter":{{}},"Expiration":{{"Days":4}}}}"#
        ));
        assert!(got.iter().any(|e| e.contains("duplicate ID")), "{got:?}");
        assert!(got.iter().any(|e| e.contains("256 characters")), "{got:?}");
    }

    #[test]
    fn more_than_1000_rules_are_refused() {
        let rule = r#"{"Status":"Enabled","Filter":{},"Expiration":{"Days":3}}"#;
        let got = findings(&vec![rule; 1001].join(","));
        assert!(
            got.iter().any(|e| e.starts_with("Rules: 1001 rules")),
            "{got:?}"
        );
    }

    #[test]
    fn early_move_out_of_glacier_is_a_warning_not_an_error() {
        let cfg = parse(
            r#"{"Rules":[{"ID":"a","Status":"Enabled","Filter":{},"Transitions":[{"Days":0,"StorageClass":"GLACIER"},{"Days":30,"StorageClass":"DEEP_ARCHIVE"}]}]}"#,
            "t",
        )
        .unwrap();
        let r = validate(&cfg);
        assert!(r.is_valid());
        assert_eq!(r.warnings().count(), 1);
    }

    #[test]
    fn waterfall_graph_matches_the_user_guide() {
        assert!(transition_allowed("STANDARD", "DEEP_ARCHIVE"));
        assert!(transition_allowed("STANDARD_IA", "INTELLIGENT_TIERING"));
        assert!(!transition_allowed("INTELLIGENT_TIERING", "STANDARD_IA"));
        assert!(!transition_allowed("ONEZONE_IA", "GLACIER_IR"));
        assert!(transition_allowed("GLACIER_IR", "GLACIER"));
        assert!(!transition_allowed("DEEP_ARCHIVE", "GLACIER"));
        for c in TRANSITION_CLASSES {
            assert!(!transition_allowed(c, "STANDARD"));
        }
    }

    #[test]
    fn a_zoneless_or_epoch_date_the_aws_cli_accepts_is_the_same_document() {
        use crate::services::s3::admin::normalize;
        use crate::services::s3::lifecycle_doc::parse;
        let doc = |date: &str| {
            format!(
                r#"{{"Rules":[{{"ID":"old","Status":"Enabled","Filter":{{}},"Expiration":{{"Date":{date}}}}}]}}"#
            )
        };
        let canonical = parse(&doc(r#""2017-09-27T00:00:00Z""#), "f.json").unwrap();
        for spelling in [
            r#""2017-09-27T00:00:00""#,
            r#""2017-09-27""#,
            r#""2017-09-27T02:00:00+02:00""#,
            "1506470400",
        ] {
            let cfg = parse(&doc(spelling), "f.json").unwrap();
            let report = validate(&cfg);
            assert!(report.is_valid(), "{spelling}: {:?}", report.findings);
            assert_eq!(normalize(&cfg), normalize(&canonical), "{spelling}");
        }
    }
}
