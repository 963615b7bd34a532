//! The S3 lifecycle configuration document, in the exact shape the AWS CLI's
//! `put-bucket-lifecycle-configuration --lifecycle-configuration file://...` takes, so an operator
//! can move a file between `aws s3api` and opsdeck unchanged. Unknown fields are errors (a typo
//! such as `Transtions` would otherwise silently drop a whole action).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleConfiguration {
    #[serde(rename = "Rules", default)]
    pub rules: Vec<Rule>,
    #[serde(
        rename = "TransitionDefaultMinimumObjectSize",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub transition_default_minimum_object_size: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "Status")]
    pub status: RuleStatus,
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// Deprecated top-level prefix (before `Filter` existed); still accepted by S3.
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(rename = "Transitions", default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    #[serde(
        rename = "Expiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration: Option<Expiration>,
    #[serde(
        rename = "NoncurrentVersionTransitions",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub noncurrent_version_transitions: Vec<NoncurrentVersionTransition>,
    #[serde(
        rename = "NoncurrentVersionExpiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    #[serde(
        rename = "AbortIncompleteMultipartUpload",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub abort_incomplete_multipart_upload: Option<AbortIncompleteMultipartUpload>,
}

impl Rule {
    /// The rule's ID, or a positional name for rules without one (S3 generates an ID then).
    pub fn label(&self, index: usize) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => format!("#{}", index + 1),
        }
    }

    pub fn enabled(&self) -> bool {
        self.status == RuleStatus::Enabled
    }

    /// The key prefix the rule is limited to ("" = every object), from either filter form.
    pub fn effective_prefix(&self) -> Option<&str> {
        if let Some(p) = &self.prefix {
            return Some(p);
        }
        match &self.filter {
            None => None,
            Some(f) => f
                .prefix
                .as_deref()
                .or(f.and.as_ref().and_then(|a| a.prefix.as_deref())),
        }
    }

    /// True when the rule applies to every object in the bucket.
    pub fn whole_bucket(&self) -> bool {
        let prefix_all = self.effective_prefix().is_none_or(str::is_empty);
        let narrowing = match &self.filter {
            None => false,
            Some(f) => {
                f.tag.is_some()
                    || f.object_size_greater_than.is_some()
                    || f.object_size_less_than.is_some()
                    || f.and.as_ref().is_some_and(|a| {
                        !a.tags.is_empty()
                            || a.object_size_greater_than.is_some()
                            || a.object_size_less_than.is_some()
                    })
            }
        };
        prefix_all && !narrowing
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleStatus {
    #[default]
    Enabled,
    Disabled,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Enabled => "Enabled",
            RuleStatus::Disabled => "Disabled",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(rename = "Tag", default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<Tag>,
    #[serde(
        rename = "ObjectSizeGreaterThan",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub object_size_greater_than: Option<i64>,
    #[serde(
        rename = "ObjectSizeLessThan",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub object_size_less_than: Option<i64>,
    #[serde(rename = "And", default, skip_serializing_if = "Option::is_none")]
    pub and: Option<AndOperator>,
}

impl Filter {
    /// How many of the mutually exclusive filter members are set (S3 allows exactly one; an
    /// empty `{}` filter means "every object").
    pub fn members_set(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.prefix.is_some() {
            v.push("Prefix");
        }
        if self.tag.is_some() {
            v.push("Tag");
        }
        if self.object_size_greater_than.is_some() {
            v.push("ObjectSizeGreaterThan");
        }
        if self.object_size_less_than.is_some() {
            v.push("ObjectSizeLessThan");
        }
        if self.and.is_some() {
            v.push("And");
        }
        v
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value")]
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndOperator {
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(rename = "Tags", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(
        rename = "ObjectSizeGreaterThan",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub object_size_greater_than: Option<i64>,
    #[serde(
        rename = "ObjectSizeLessThan",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub object_size_less_than: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    /// ISO 8601, midnight UTC (kept as written so a round trip does not reformat it).
    #[serde(
        rename = "Date",
        default,
        deserialize_with = "date_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<String>,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expiration {
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
    #[serde(
        rename = "Date",
        default,
        deserialize_with = "date_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<String>,
    #[serde(
        rename = "ExpiredObjectDeleteMarker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expired_object_delete_marker: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoncurrentVersionTransition {
    #[serde(
        rename = "NoncurrentDays",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub noncurrent_days: Option<i32>,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    #[serde(
        rename = "NewerNoncurrentVersions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub newer_noncurrent_versions: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoncurrentVersionExpiration {
    #[serde(
        rename = "NoncurrentDays",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub noncurrent_days: Option<i32>,
    #[serde(
        rename = "NewerNoncurrentVersions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub newer_noncurrent_versions: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbortIncompleteMultipartUpload {
    #[serde(
        rename = "DaysAfterInitiation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub days_after_initiation: Option<i32>,
}

/// A lifecycle document that could not be read, naming the file, line, column and field path.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {path}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        /// Field path in the document, e.g. `Rules[1].Transitions[0].Days`.
        path: String,
        message: String,
    },
}

/// Parse a document; `file` is only used to name it in errors.
/// A `Date` as written: a string, or a number (the AWS CLI takes one as Unix epoch seconds)
/// kept as its decimal text. Its meaning is read by [`super::date`].
fn date_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    // Read by hand rather than as an untagged enum, so that a value of another shape is
    // refused naming the value and the shapes accepted.
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date like \"2027-01-01T00:00:00Z\" or Unix epoch seconds")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(
                serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()),
            ))
        }
    }
    d.deserialize_any(V)
}

pub fn parse(text: &str, file: &str) -> Result<LifecycleConfiguration, LoadError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = json_path(e.path());
        let inner = e.into_inner();
        LoadError::Parse {
            file: file.to_string(),
            line: inner.line(),
            column: inner.column(),
            path,
            message: strip_position(&inner.to_string()),
        }
    })
}

pub fn load(path: &Path) -> Result<LifecycleConfiguration, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        file: file.clone(),
        source,
    })?;
    parse(&text, &file)
}

/// `Rules[1].Transitions[0]`: the AWS-documented spelling of a position in the document.
fn json_path(p: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in p.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    if out.is_empty() {
        "(document)".into()
    } else {
        out
    }
}

/// serde_json appends " at line L column C"; the line is already in front of the message.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

pub use super::lifecycle_date::parse_midnight_utc;

/// Leaves of a JSON value keyed by their path (`Transitions[0].Days`); an empty object (the
/// whole-bucket `"Filter": {}`) is a leaf of its own so adding or dropping it shows.
pub fn flatten(v: &Value) -> BTreeMap<String, Value> {
    fn walk(v: &Value, path: String, out: &mut BTreeMap<String, Value>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, v) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(v, p, out);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, format!("{path}[{i}]"), out);
                }
            }
            other => {
                out.insert(path, other.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(v, String::new(), &mut out);
    out
}

/// A document that sets every field of the model at least once (tests of every layer that
/// stores or converts it use it, so a field a layer drops fails there).
#[cfg(test)]
pub(crate) const EVERY_FIELD: &str = r#"{"TransitionDefaultMinimumObjectSize":"all_storage_classes_128K","Rules":[
 {"ID":"and","Status":"Enabled",
  "Filter":{"And":{"Prefix":"a/","Tags":[{"Key":"k","Value":"v"},{"Key":"k2","Value":"v2"}],"ObjectSizeGreaterThan":128,"ObjectSizeLessThan":1048576}},
  "Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":120,"StorageClass":"GLACIER"}],
  "Expiration":{"Days":3650},
  "NoncurrentVersionTransitions":[{"NoncurrentDays":30,"StorageClass":"STANDARD_IA","NewerNoncurrentVersions":3}],
  "NoncurrentVersionExpiration":{"NoncurrentDays":90,"NewerNoncurrentVersions":5},
  "AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}},
 {"ID":"tag","Status":"Enabled","Filter":{"Tag":{"Key":"tier","Value":"cold"}},
  "Transitions":[{"Date":"2027-01-01T00:00:00Z","StorageClass":"DEEP_ARCHIVE"}],
  "Expiration":{"Date":"2030-01-01T00:00:00Z"}},
 {"ID":"small","Status":"Enabled","Filter":{"ObjectSizeLessThan":4096},"Expiration":{"Days":30}},
 {"ID":"large","Status":"Enabled","Filter":{"ObjectSizeGreaterThan":1073741824},
  "Transitions":[{"Days":0,"StorageClass":"GLACIER_IR"}]},
 {"ID":"legacy","Status":"Disabled","Prefix":"logs/","Expiration":{"ExpiredObjectDeleteMarker":true}}
]}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_aws_cli_shape_and_round_trips() {
        let text = r#"{"Rules":[{"ID":"media-ia","Status":"Enabled","Filter":{"Prefix":"media/"},
            "Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":180,"StorageClass":"GLACIER_IR"}],
            "Expiration":{"Days":3650},
            "NoncurrentVersionTransitions":[{"NoncurrentDays":30,"StorageClass":"STANDARD_IA","NewerNoncurrentVersions":2}],
            "NoncurrentVersionExpiration":{"NoncurrentDays":90},
            "AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}"#;
        let cfg = parse(text, "x.json").unwrap();
        assert_eq!(cfg.rules[0].transitions[1].storage_class, "GLACIER_IR");
        let again = parse(&serde_json::to_string(&cfg).unwrap(), "y").unwrap();
        assert_eq!(cfg, again);
    }

    #[test]
    fn every_field_survives_a_json_round_trip() {
        let cfg = parse(EVERY_FIELD, "every.json").unwrap();
        let text = serde_json::to_string(&cfg).unwrap();
        for field in [
            "TransitionDefaultMinimumObjectSize",
            "\"ID\"",
            "Status",
            "Filter",
            "\"And\"",
            "\"Prefix\"",
            "\"Tag\"",
            "\"Tags\"",
            "ObjectSizeGreaterThan",
            "ObjectSizeLessThan",
            "Transitions",
            "\"Days\"",
            "\"Date\"",
            "Expiration",
            "ExpiredObjectDeleteMarker",
            "NoncurrentVersionTransitions",
            "NoncurrentDays",
            "NewerNoncurrentVersions",
            "NoncurrentVersionExpiration",
            "AbortIncompleteMultipartUpload",
            "DaysAfterInitiation",
        ] {
            assert!(text.contains(field), "{field} missing from {text}");
        }
        assert_eq!(parse(&text, "again.json").unwrap(), cfg);
    }

    #[test]
    fn a_misspelt_field_is_named_with_its_line_and_path() {
        let text = "{\"Rules\":[\n {\"ID\":\"a\",\"Status\":\"Enabled\",\n  \"Transitons\":[]}]}";
        let err = parse(text, "rules.json").unwrap_err().to_string();
        assert!(err.starts_with("rules.json:3:"), "{err}");
        assert!(err.contains("Rules[0]"), "{err}");
        assert!(err.contains("Transitons"), "{err}");
    }

    #[test]
    fn a_bad_status_names_the_field() {
        let text = r#"{"Rules":[{"ID":"a","Status":"On","Expiration":{"Days":3}}]}"#;
        let err = parse(text, "f.json").unwrap_err().to_string();
        assert!(err.contains("Rules[0].Status"), "{err}");
    }

    #[test]
    fn a_date_of_the_wrong_shape_names_the_field_the_value_and_the_shapes_accepted() {
        let text = r#"{"Rules":[{"ID":"a","Status":"Enabled","Expiration":{"Date":true}}]}"#;
        let err = parse(text, "f.json").unwrap_err().to_string();
        assert!(err.contains("Rules[0].Expiration.Date"), "{err}");
        assert!(err.contains("boolean `true`"), "{err}");
        assert!(
            err.contains("a date like \"2027-01-01T00:00:00Z\" or Unix epoch seconds"),
            "{err}"
        );
        assert!(!err.contains("untagged"), "{err}");
    }
}
