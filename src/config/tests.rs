use super::*;
use std::path::Path;

const GOOD: &str = r#"
default_context = "local"
[contexts.local]
region = "us-east-1"
[contexts.local.redis]
urls = ["redis://127.0.0.1:6390"]
[[contexts.local.cutover]]
name = "mysql-to-aurora"
strategy = "binlog"
max_lag = "1s"
"#;

#[test]
fn parses_a_valid_config_with_durations() {
    let c = parse(GOOD, Path::new("x.toml")).unwrap();
    let ctx = &c.contexts["local"];
    assert_eq!(
        ctx.cutover[0].max_lag,
        Some(std::time::Duration::from_secs(1))
    );
    assert_eq!(ctx.cutover[0].strategy, CutoverStrategy::Binlog);
}

#[test]
fn unknown_key_names_file_line_column_and_key() {
    let text = GOOD.replace("region = \"us-east-1\"", "regoin = \"us-east-1\"");
    let err = parse(&text, Path::new("/etc/opsdeck.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("/etc/opsdeck.toml:4:1: key `contexts.local.regoin`: unknown field"),
        "{err}"
    );
}

#[test]
fn bad_value_names_file_line_column_key_and_the_value() {
    let text = GOOD.replace("\"1s\"", "\"soon\"");
    let err = parse(&text, Path::new("c.toml")).unwrap_err().to_string();
    assert!(
        err.starts_with("c.toml:10:11: key `contexts.local.cutover[0].max_lag`: "),
        "{err}"
    );
    assert!(err.contains("\"soon\""), "{err}");
}

#[test]
fn wrong_type_names_file_line_column_and_key() {
    let text = GOOD.replace(
        "urls = [\"redis://127.0.0.1:6390\"]",
        "urls = \"redis://127.0.0.1:6390\"",
    );
    let err = parse(&text, Path::new("c.toml")).unwrap_err().to_string();
    assert!(
        err.starts_with("c.toml:6:8: key `contexts.local.redis.urls`: invalid type"),
        "{err}"
    );
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let err = parse(
        "default_context = \"local\"\n[contexts.local\n",
        Path::new("c.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("c.toml:2:"), "{err}");
}

#[test]
fn default_context_must_exist() {
    let text = GOOD.replace("default_context = \"local\"", "default_context = \"prod\"");
    let err = parse(&text, Path::new("c.toml")).unwrap_err().to_string();
    assert!(
        err.contains("default_context") && err.contains("prod"),
        "{err}"
    );
}

#[test]
fn bad_redis_url_is_refused_without_leaking_password() {
    let text = GOOD.replace("redis://127.0.0.1:6390", "http://u:hunter2@host");
    let err = parse(&text, Path::new("c.toml")).unwrap_err().to_string();
    assert!(err.contains("redis.urls"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn no_config_means_demo() {
    let r = resolve(&GlobalOpts {
        demo: true,
        ..Default::default()
    })
    .unwrap();
    assert!(r.demo());
    assert_eq!(r.context_name, "demo");
}

#[test]
fn unknown_context_lists_known_ones() {
    let err = resolve(&GlobalOpts {
        demo: true,
        context: Some("prod".into()),
        ..Default::default()
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("\"prod\"") && err.contains("demo"), "{err}");
}

#[test]
fn shipped_example_config_parses() {
    let text = include_str!("../../config.example.toml");
    let c = parse(text, Path::new("config.example.toml")).unwrap();
    assert!(c.contexts.len() >= 2);
}

#[test]
fn a_misspelt_context_colour_names_file_line_key_and_the_value() {
    // A typo must not silently drop prod's header colour (the safeguard against mistaking it
    // for staging).
    let text = GOOD.replace("region = \"us-east-1\"", "colour = \"reddish\"");
    let err = parse(&text, Path::new("c.toml")).unwrap_err().to_string();
    assert!(
        err.starts_with("c.toml:4:10: key `contexts.local.colour`: "),
        "{err}"
    );
    assert!(err.contains("\"reddish\""), "{err}");
    for ok in ["red", "light-red", "lightblue", "#ff8800", "gray"] {
        let text = GOOD.replace("region = \"us-east-1\"", &format!("color = \"{ok}\""));
        let c = parse(&text, Path::new("c.toml")).unwrap();
        assert_eq!(c.contexts["local"].colour.as_deref(), Some(ok));
    }
}

#[test]
fn a_duration_of_the_wrong_shape_names_the_value_and_the_shapes_accepted() {
    let text = GOOD.replace("\"1s\"", "1");
    let err = parse(&text, Path::new("c.toml")).unwrap_err().to_string();
    assert!(
        err.starts_with("c.toml:10:11: key `contexts.local.cutover[0].max_lag`: "),
        "{err}"
    );
    assert!(err.contains("integer `1`"), "{err}");
    assert!(
        err.contains("a duration like \"1s\", \"500ms\" or \"2m\""),
        "{err}"
    );
}
