//! `:ctx` into a context with `read_only = true` (prod read-only, staging writable): the
//! palette stops offering operations, and an operation asked for anyway (a stale palette
//! entry, a keymap binding) is refused by the ops layer itself, on screen and in the audit
//! log, with a message naming the context. No backend is contacted: the refusal comes first.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::app::backends::Backends;
use opsdeck::app::console;
use opsdeck::app::live::{self, Live};
use opsdeck::audit::{Actor, AuditLog, Outcome};
use opsdeck::config::{self, GlobalOpts};
use opsdeck::keymap::Action;
use opsdeck::sim::{SimOptions, aurora_admin};
use opsdeck::state::theme::Theme;
use opsdeck::state::{State, StateInit};
use opsdeck::ui::modal::Modal;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Two contexts with the same plan; only prod is read-only. The URLs are never dialled.
fn write_config(dir: &std::path::Path) -> std::path::PathBuf {
    let plan = |ctx: &str| {
        format!(
            r#"[[contexts.{ctx}.cutover]]
name = "catalog-cutover"
strategy = "binlog"
source_url = "mysql://root@127.0.0.1:9/"
target_url = "mysql://root@127.0.0.1:9/"
"#
        )
    };
    let text = format!(
        r#"default_context = "staging"
audit_log = "{audit}"

[contexts.staging]
region = "us-east-1"
{staging}
[contexts.prod]
region = "us-east-1"
read_only = true
{prod}"#,
        audit = dir.join("audit.jsonl").display(),
        staging = plan("staging"),
        prod = plan("prod"),
    );
    let path = dir.join("opsdeck.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn keys(st: &mut State, text: &str) -> Vec<Action> {
    let mut out = Vec::new();
    for c in text.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        out.extend(st.handle_key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
    out
}

fn draw(t: &mut Terminal<TestBackend>, m: &dyn Modal) -> String {
    t.draw(|f| {
        let area = f.area();
        m.render(f, area, &Theme::mono());
    })
    .unwrap();
    let b = t.backend().buffer();
    let mut s = String::new();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            s.push_str(b[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

#[tokio::test]
async fn ctx_into_a_read_only_context_then_an_operation_is_refused_by_the_ops_layer_naming_the_context()
 {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(dir.path());
    let mut resolved = config::resolve(&GlobalOpts {
        config: Some(path),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(resolved.context_name, "staging");
    assert!(!resolved.ops_read_only(), "staging is writable");
    let mut st = State::new(StateInit {
        context: resolved.context_name.clone(),
        read_only: resolved.ops_read_only(),
        ..Default::default()
    });
    console::install(&mut st, &resolved, &Backends::Real);
    assert!(
        st.palette
            .iter()
            .any(|e| e.action == Action::StartOp("cutover catalog-cutover".into())),
        "staging offers the cutover"
    );

    // `:ctx prod`, typed as the operator does; the command table turns it into a switch.
    let actions = keys(&mut st, ":ctx prod\n");
    assert_eq!(actions, vec![Action::SwitchContext("prod".into())]);
    let mut lv = Live::new();
    live::switch_context(
        "prod",
        &mut resolved,
        &SimOptions::default(),
        &mut st,
        &mut lv,
    )
    .await
    .unwrap();
    assert_eq!(st.context, "prod");
    assert!(resolved.ops_read_only(), "prod is read-only");
    assert!(
        !st.palette
            .iter()
            .any(|e| matches!(&e.action, Action::StartOp(s) if s.starts_with("cutover"))),
        "a read-only context offers no operation"
    );

    // Asked for anyway: the ops layer refuses before anything is measured or changed.
    let mut modal = console::start(
        &resolved,
        &Backends::Sim(aurora_admin::fast_world()),
        "cutover catalog-cutover",
    )
    .expect("an operation this layer knows")
    .expect("the modal opens to show the refusal");
    let mut term = Terminal::new(TestBackend::new(140, 32)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let screen = loop {
        modal.tick();
        let s = draw(&mut term, modal.as_ref());
        if s.contains("refused") {
            break s;
        }
        assert!(Instant::now() < deadline, "no refusal shown:\n{s}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        screen.contains("context prod is read-only"),
        "the refusal names the context:\n{screen}"
    );

    let e = AuditLog::new(dir.path().join("audit.jsonl"), Actor::current("prod"))
        .read_all()
        .unwrap();
    let last = e.last().expect("the refusal is audited");
    assert_eq!((last.step.as_str(), last.outcome), ("op", Outcome::Refused));
    assert_eq!(last.context, "prod");
    assert!(
        e.iter().all(|x| x.outcome != Outcome::Started),
        "nothing ran"
    );
}
