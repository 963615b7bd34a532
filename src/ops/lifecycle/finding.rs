//! What a lifecycle check reports: a [`Finding`] (severity, rule, AWS field path, message),
//! the [`Report`] of a whole document, and the [`Ctx`] each family of checks writes through.
//! Its own module so the checks (`filters`, `transitions`, `expiration`) and the document-level
//! `validate` that calls them all import it, and none imports `validate`.

use std::fmt;

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

/// Where a check writes its findings, stamped with the rule it is checking.
pub(super) struct Ctx<'a> {
    rule: Option<String>,
    out: &'a mut Vec<Finding>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(rule: Option<String>, out: &'a mut Vec<Finding>) -> Self {
        Ctx { rule, out }
    }

    pub(super) fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Error, field.into(), message.into());
    }
    pub(super) fn warn(&mut self, field: impl Into<String>, message: impl Into<String>) {
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
