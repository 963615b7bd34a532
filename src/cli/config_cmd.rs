//! `opsdeck config check` (the config, the keymap and every panel file, exit 0/2) and
//! `opsdeck config show` (the effective context after `extends`, passwords in URLs redacted).

use clap::Subcommand;

use crate::config::{ConfigOrigin, Resolved, redact_url};
use crate::keymap::Keymap;
use crate::panels::Panels;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config, its keymap and every panel file (embedded and panels_dir).
    /// Exit 0 when all are valid, 2 otherwise, one line per problem on stderr.
    Check,
    /// Print the effective context (after `extends`) as TOML, secrets redacted.
    Show,
}

fn origin(r: &Resolved) -> String {
    match &r.origin {
        ConfigOrigin::File(p) => p.display().to_string(),
        ConfigOrigin::Demo => "no config file (the embedded demo)".into(),
    }
}

/// Every problem beyond what loading the config already checked: the keymap, the panel files,
/// and each context's `cloudwatch.panels` naming a panel that exists.
pub fn problems(r: &Resolved) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = Keymap::load(&r.config.keymap) {
        // A file's errors already start with its path (file:line:column): name it once.
        let e = e.to_string();
        out.push(if e.contains(r.config.keymap.as_str()) {
            format!("keymap: {e}")
        } else {
            format!("keymap {:?}: {e}", r.config.keymap)
        });
    }
    match Panels::load(&r.config) {
        Err(e) => out.push(e.to_string()),
        Ok(panels) => {
            for (name, ctx) in &r.config.contexts {
                for id in ctx.cloudwatch.iter().flat_map(|c| c.panels.iter()) {
                    if panels.cloudwatch().all(|d| &d.id != id) {
                        let known: Vec<&str> = panels.cloudwatch().map(|d| d.id.as_str()).collect();
                        out.push(format!(
                            "{}: key contexts.{name}.cloudwatch.panels: no CloudWatch panel {id:?}; known: {}",
                            origin(r),
                            known.join(", ")
                        ));
                    }
                }
            }
        }
    }
    out
}

/// The effective context `r.context_name` as a TOML document.
pub fn show(r: &Resolved) -> Result<String, String> {
    let ctx = r.context();
    let mut value = toml::Value::try_from(ctx).map_err(|e| format!("cannot encode: {e}"))?;
    redact(&mut value);
    let mut contexts = toml::Table::new();
    contexts.insert(r.context_name.clone(), value);
    let mut doc = toml::Table::new();
    doc.insert("contexts".into(), toml::Value::Table(contexts));
    let body = toml::to_string(&doc).map_err(|e| format!("cannot encode: {e}"))?;
    let mut head = format!("# context {} from {}", r.context_name, origin(r));
    if let Some(parent) = &ctx.extends {
        head.push_str(&format!(
            " (extends {parent}: inherited keys are shown merged)"
        ));
    }
    if r.read_only {
        head.push_str("\n# read-only: operations are refused");
    }
    Ok(format!(
        "{head}\n# passwords in URLs are redacted; *_env keys name variables, never values\n{body}"
    ))
}

/// Passwords can only hide in URLs (the schema keeps secrets in `*_env` variables).
fn redact(v: &mut toml::Value) {
    match v {
        toml::Value::String(s) if s.contains("://") => *s = redact_url(s),
        toml::Value::Array(a) => a.iter_mut().for_each(redact),
        toml::Value::Table(t) => t.iter_mut().for_each(|(_, v)| redact(v)),
        _ => {}
    }
}

/// `opsdeck config check|show`; `Err` when stdout could not be written.
pub fn run(r: &Resolved, cmd: ConfigCommand) -> std::io::Result<i32> {
    Ok(match cmd {
        ConfigCommand::Check => {
            let problems = problems(r);
            if problems.is_empty() {
                let names: Vec<&str> = r.config.contexts.keys().map(String::as_str).collect();
                super::out::print(&format!(
                    "ok: {}: contexts {}; keymap {}; panels valid\n",
                    origin(r),
                    names.join(", "),
                    r.config.keymap
                ))?;
                super::exit::OK
            } else {
                for p in problems {
                    crate::say!("opsdeck: {p}");
                }
                super::exit::USAGE
            }
        }
        ConfigCommand::Show => match show(r) {
            Ok(text) => crate::snapshot::write_text(&mut super::out::stdout(), text.trim_end())?,
            Err(e) => {
                crate::say!("opsdeck: {e}");
                super::exit::FAILED
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfigOrigin, parse};
    use std::path::Path;

    fn resolved(text: &str, ctx: &str) -> Resolved {
        Resolved {
            config: parse(text, Path::new("fleet.toml")).unwrap(),
            origin: ConfigOrigin::File("fleet.toml".into()),
            context_name: ctx.into(),
            read_only: false,
        }
    }

    const TEXT: &str = r#"
[contexts.prod-us]
region = "us-east-1"
[contexts.prod-us.redshift]
url = "postgres://etl:hunter2@10.0.0.9:5439/analytics"
password_env = "RS_PASSWORD"
[contexts.prod-eu]
extends = "prod-us"
region = "eu-west-1"
[contexts.prod-eu.cloudwatch]
panels = ["dms", "no-such-panel"]
"#;

    #[test]
    fn show_prints_the_effective_context_with_url_passwords_removed() {
        let out = show(&resolved(TEXT, "prod-eu")).unwrap();
        assert!(out.contains("[contexts.prod-eu]"), "{out}");
        assert!(out.contains("region = \"eu-west-1\""), "{out}");
        assert!(
            // The password is taken out of the URL when the config is loaded (EndpointUrl), so
            // the effective context never had it to print.
            out.contains("url = \"postgres://etl@10.0.0.9:5439/analytics\""),
            "inherited redshift section, without its password: {out}"
        );
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("password_env = \"RS_PASSWORD\""), "{out}");
        assert!(out.contains("extends prod-us"), "{out}");
    }

    #[test]
    fn check_names_an_unknown_cloudwatch_panel_by_context_and_key() {
        let p = problems(&resolved(TEXT, "prod-us"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains(
                "key contexts.prod-eu.cloudwatch.panels: no CloudWatch panel \"no-such-panel\""
            ),
            "{p:?}"
        );
    }

    #[test]
    fn check_reports_a_bad_keymap() {
        let text = format!("keymap = \"no-such-keymap-file.toml\"\n{TEXT}");
        let p = problems(&resolved(&text, "prod-us"));
        assert!(p.iter().any(|l| l.starts_with("keymap")), "{p:?}");
    }

    #[test]
    fn check_names_a_bad_keymap_files_path_once() {
        let dir = tempfile::tempdir().unwrap();
        let km = dir.path().join("km.toml");
        std::fs::write(&km, "extends = \"default\"\n[global]\nquit = 5\n").unwrap();
        let text = format!("keymap = {:?}\n{TEXT}", km.display().to_string());
        let p = problems(&resolved(&text, "prod-us"));
        let line = p
            .iter()
            .find(|l| l.starts_with("keymap"))
            .expect("a keymap problem");
        assert_eq!(line.matches("km.toml").count(), 1, "{line}");
        assert!(line.contains(":3:"), "names the line: {line}");
    }
}
