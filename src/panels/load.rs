//! Loading panels: the files embedded from `panels/` first, then a config's `panels_dir`, whose
//! files replace an embedded panel with the same id or add new ones; kept in display order.

use std::path::{Path, PathBuf};

use super::{EMBEDDED, PanelDef, PanelError, PanelKind, parse};
use crate::config::Config;

/// Every panel: the embedded defaults, overridden or extended by `panels_dir`.
#[derive(Debug, Clone, Default)]
pub struct Panels {
    pub defs: Vec<PanelDef>,
}

impl Panels {
    /// Embedded defaults only (tests, benches, demo without config).
    pub fn embedded() -> Self {
        let mut defs = Vec::new();
        for (name, text) in EMBEDDED {
            let stem = name.trim_end_matches(".toml");
            defs.push(
                parse(text, &format!("embedded:panels/{name}"), stem)
                    .expect("embedded panel files are valid (tested)"),
            );
        }
        let mut p = Panels { defs };
        p.sort();
        p
    }

    /// Embedded defaults plus the files of `config.panels_dir` (a file with the same id
    /// replaces the default).
    pub fn load(config: &Config) -> Result<Self, PanelError> {
        let mut p = Self::embedded();
        if let Some(dir) = &config.panels_dir {
            let dir = crate::config::expand_home(&dir.to_string_lossy());
            p.overlay_dir(&dir)?;
        }
        Ok(p)
    }

    pub fn overlay_dir(&mut self, dir: &Path) -> Result<(), PanelError> {
        let entries = std::fs::read_dir(dir).map_err(|e| PanelError {
            file: dir.display().to_string(),
            line: None,
            column: None,
            key: Some("panels_dir".into()),
            message: format!("cannot read directory: {e}"),
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| PanelError {
                file: path.display().to_string(),
                line: None,
                column: None,
                key: None,
                message: format!("cannot read: {e}"),
            })?;
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let def = parse(&text, &path.display().to_string(), &stem)?;
            self.defs.retain(|d| d.id != def.id);
            self.defs.push(def);
        }
        self.sort();
        Ok(())
    }

    fn sort(&mut self) {
        self.defs
            .sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
    }

    pub fn get(&self, id: &str) -> Option<&PanelDef> {
        self.defs.iter().find(|d| d.id == id)
    }

    /// The panel of a built-in kind (the first, if a user defined several).
    pub fn of_kind(&self, kind: PanelKind) -> Option<&PanelDef> {
        self.defs.iter().find(|d| d.kind == kind)
    }

    /// Every panel, in display order.
    pub fn all(&self) -> impl Iterator<Item = &PanelDef> {
        self.defs.iter()
    }

    pub fn cloudwatch(&self) -> impl Iterator<Item = &PanelDef> {
        self.defs.iter().filter(|d| d.kind == PanelKind::CloudWatch)
    }
}
