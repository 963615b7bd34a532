//! Where something is in a TOML file the operator edits (config, keymap, panel): `file:line:column`
//! and the dotted key, taken from the toml crate's own byte spans (`toml::de::Error::span`,
//! `toml::Spanned`, the spanned document `toml::de::DeTable`), never by scanning lines for text
//! that looks like a key. One place, so the three file kinds word their errors alike.

use std::fmt;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

/// A place in a TOML file: the file as named to the operator, 1-based line and column (columns
/// count characters, as editors do), and the dotted key it concerns when one is known
/// (`contexts.prod.redis.urls`, `metrics[1].stat`, `global.quit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub key: Option<String>,
}

impl Location {
    /// The location of byte `offset` in `text` (clamped to the text).
    pub fn at(file: &str, text: &str, offset: usize, key: Option<String>) -> Self {
        let (line, column) = line_col(text, offset);
        Location {
            file: file.to_string(),
            line,
            column,
            key,
        }
    }
}

/// `file:line:column: key `k`: ` (the key part only when known), the prefix of every located
/// message.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if let Some(k) = &self.key {
            write!(f, ": key `{k}`")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// A TOML file that did not deserialize: where (from the library's span of the offending key
/// or value) and toml's own message, without the source excerpt it appends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    /// None only when toml gave no span (an error about the document as a whole).
    pub at: Option<Location>,
    pub message: String,
}

impl fmt::Display for TomlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{at}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Deserialize `text` as `T`, naming the file, line, column and dotted key of the first error.
///
/// The key is the path serde was at (`serde_path_to_error`; for an unknown key, the key
/// itself), refined through the spanned document when serde could not follow (an untagged
/// enum buffers its value and loses the last key).
pub fn from_str<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, TomlError> {
    let de = toml::Deserializer::parse(text).map_err(|e| located(text, file, &e, None))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let mut path = path_string(e.path());
        if let (Some(span), Some(doc)) = (e.inner().span(), Doc::parse(text)) {
            let p = path.as_deref().unwrap_or("");
            // A key serde could not name (a spanned map key) before a list index: look for it
            // under the last table named (`global[0]` -> `global.quit`).
            let before_index = p.split('[').next().unwrap_or("");
            path = doc
                .refine(p, span.start)
                .or_else(|| {
                    (before_index != p)
                        .then(|| doc.refine(before_index, span.start))
                        .flatten()
                })
                .or(path);
        }
        located(text, file, e.inner(), path)
    })
}

/// `e` as a [`TomlError`]; `path` is the dotted key it concerns (None: not known).
pub fn located(text: &str, file: &str, e: &toml::de::Error, path: Option<String>) -> TomlError {
    let at = e
        .span()
        .map(|span| Location::at(file, text, span.start, path.filter(|k| !k.is_empty())));
    TomlError {
        at,
        message: e.message().trim_end().to_string(),
    }
}

/// serde_path_to_error's path in this module's spelling: `a.b[2].c` (empty at the root).
pub fn path_string(p: &serde_path_to_error::Path) -> Option<String> {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in p.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            // toml::Spanned deserializes through a private map: not a key of the file.
            Segment::Map { key } if key.starts_with("$__") => {}
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The spanned document of `text` (None when it does not parse; the caller reports that error
/// through [`from_str`]).
pub struct Doc<'t> {
    root: toml::Spanned<DeTable<'t>>,
}

impl<'t> Doc<'t> {
    pub fn parse(text: &'t str) -> Option<Self> {
        DeTable::parse(text).ok().map(|root| Doc { root })
    }

    /// The span of the key at the dotted `path` (`contexts.prod.extends`, `metrics[1].stat`), as
    /// written in the file: the key itself for a `key = value` line or a `[header]` segment.
    /// For an inline table or dotted keys the key is found the same way. None when the path is
    /// not in the file (a key inherited through `extends`, a default).
    pub fn key_span(&self, path: &str) -> Option<Range<usize>> {
        self.find(path).map(|(k, _)| k)
    }

    /// The span of the value at `path` (a table's whole extent for a table).
    pub fn value_span(&self, path: &str) -> Option<Range<usize>> {
        self.find(path).map(|(_, v)| v)
    }

    /// The deepest key under the table at `path` (the root for "") whose key or value holds
    /// byte `offset`, as a dotted path; None when nothing below `path` does.
    pub fn refine(&self, path: &str, offset: usize) -> Option<String> {
        let mut table: &DeTable<'t> = if path.is_empty() {
            self.root.get_ref()
        } else {
            let mut t = self.root.get_ref();
            for seg in split_path(path) {
                match seg {
                    Seg::Key(k) => t = t.get(k)?.get_ref().as_table()?,
                    Seg::Index(_) => return None,
                }
            }
            t
        };
        let mut out = path.to_string();
        let mut deeper = false;
        'descend: loop {
            for (k, v) in table.iter() {
                let holds = |s: Range<usize>| s.contains(&offset);
                if holds(k.span()) || holds(v.span()) {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k.get_ref());
                    deeper = true;
                    if let Some(t) = v.get_ref().as_table().filter(|_| !holds(k.span())) {
                        table = t;
                        continue 'descend;
                    }
                    break 'descend;
                }
            }
            break;
        }
        deeper.then_some(out)
    }

    fn find(&self, path: &str) -> Option<(Range<usize>, Range<usize>)> {
        let mut table: &DeTable<'t> = self.root.get_ref();
        let mut key_span: Option<Range<usize>> = None;
        let mut current: Option<&toml::Spanned<DeValue<'t>>> = None;
        for seg in split_path(path) {
            let value = match seg {
                Seg::Key(k) => {
                    let (key, value) = table.get_key_value(k)?;
                    key_span = Some(key.span());
                    value
                }
                // An array element has no key of its own: the array's key stands for it.
                Seg::Index(i) => current?.get_ref().as_array()?.get(i)?,
            };
            current = Some(value);
            if let Some(t) = value.get_ref().as_table() {
                table = t;
            }
        }
        Some((key_span?, current?.span()))
    }
}

enum Seg<'p> {
    Key(&'p str),
    Index(usize),
}

/// `a.b[2].c` -> Key(a), Key(b), Index(2), Key(c).
fn split_path(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Seg::Key(name));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else { break };
            if let Ok(i) = r[..end].parse() {
                out.push(Seg::Index(i));
            }
            rest = &r[end + 1..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_from_one() {
        assert_eq!(line_col("a = 1\nbé = 2\n", 0), (1, 1));
        assert_eq!(line_col("a = 1\nbé = 2\n", 6), (2, 1));
        // "é" is two bytes, one column.
        assert_eq!(line_col("a = 1\nbé = 2\n", 9), (2, 3));
    }

    #[test]
    fn key_spans_come_from_the_document_for_headers_dotted_keys_and_arrays() {
        let text = "top = 1\n[a.b]\nc = 2\n[[m]]\nx = 1\n[[m]]\nx = 2\ny = { z = 3 }\n";
        let doc = Doc::parse(text).unwrap();
        let at = |p: &str| {
            let s = doc.key_span(p).unwrap_or_else(|| panic!("{p}"));
            line_col(text, s.start)
        };
        assert_eq!(at("top"), (1, 1));
        assert_eq!(at("a.b.c"), (3, 1));
        assert_eq!(at("m[1].x"), (7, 1));
        assert_eq!(at("m[1].y.z"), (8, 7));
        assert!(doc.key_span("a.b.nope").is_none());
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        name: String,
        #[serde(default)]
        inner: Option<Inner>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
    }

    #[test]
    fn a_deserialize_error_names_file_line_column_and_key() {
        let e = from_str::<Probe>("name = \"x\"\n[inner]\nn = \"five\"\n", "p.toml").unwrap_err();
        let at = e.at.clone().unwrap();
        assert_eq!((at.line, at.column), (3, 5), "{e}");
        assert_eq!(at.key.as_deref(), Some("inner.n"), "{e}");
        assert!(
            e.to_string().starts_with("p.toml:3:5: key `inner.n`: "),
            "{e}"
        );

        let e = from_str::<Probe>("name = \"x\"\n[inner]\nn = 1\nm = 2\n", "p.toml").unwrap_err();
        let at = e.at.unwrap();
        assert_eq!((at.line, at.column), (4, 1));
        assert_eq!(at.key.as_deref(), Some("inner.m"));
    }
}
