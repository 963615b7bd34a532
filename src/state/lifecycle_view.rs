//! What the lifecycle editor shows, as plain data: the bucket, where the editor is (reading the
//! configuration, failed to, listing the rules, the add-rule form), the rules table's rows, the
//! selection, the form's fields with their text input state, and the validation errors of the
//! last enter (each naming rule and field). `app::lifecycle_editor` fills it on every key and
//! load; `ui::lifecycle_editor` draws it and never sees `ops` or `services`.

use super::text::TextInput;

/// The add-rule form's fields, in order (the form's labels, and the names a form error gives).
pub const FORM_FIELDS: [&str; 5] = [
    "ID",
    "prefix",
    "days to STANDARD_IA",
    "days to GLACIER_IR",
    "expiration days",
];

/// One row of the rules table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    pub enabled: bool,
    /// The rule's ID, or its position when it has none (`Rule::label`).
    pub id: String,
    /// `Enabled` or `Disabled`, as S3 spells it.
    pub status: &'static str,
    /// Scope, status, transitions and expiration in one line ("prefix \"tmp/\" [Enabled]
    /// STANDARD_IA@30d, expire@365d"), as the operation's diff summarises a rule.
    pub summary: String,
}

/// Where the editor is.
#[derive(Debug, Clone, Default)]
pub enum EditorStage {
    /// The bucket's configuration is being read.
    #[default]
    Loading,
    /// It could not be read: the error, as the admin call gave it.
    LoadFailed(String),
    /// The rules table (also while an enter's plan is shown by the op modal).
    Rules,
    /// The add-rule form: one input per [`FORM_FIELDS`] entry, and the focused one.
    Form {
        fields: Vec<TextInput>,
        focus: usize,
    },
}

/// The lifecycle editor's screen.
#[derive(Debug, Clone, Default)]
pub struct LifecycleView {
    pub bucket: String,
    pub stage: EditorStage,
    pub rows: Vec<RuleRow>,
    /// Index into `rows` of the highlighted rule.
    pub selected: usize,
    /// Validation errors of the last enter, each naming rule and field (nothing was sent).
    pub errors: Vec<String>,
}

impl LifecycleView {
    /// A view of `bucket` whose configuration is still being read.
    pub fn new(bucket: impl Into<String>) -> Self {
        LifecycleView {
            bucket: bucket.into(),
            ..Default::default()
        }
    }
}
