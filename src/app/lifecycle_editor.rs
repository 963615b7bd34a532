//! The console's lifecycle editor: the bucket's current rules (ID, status, scope, transitions,
//! expiration); space toggles Enabled/Disabled, d removes a rule, a adds one from a small form.
//! Enter validates (errors name rule and field; nothing is sent), then plans the change with
//! the same [`LifecycleOp`] as `opsdeck op lifecycle` and hands over to the op modal (diff and
//! projected cost shown with the plan; typing the bucket name when rules are removed).
//!
//! This file owns the keys, the rules being edited, the validation call and the hand-over; what
//! the editor shows is a `state::lifecycle_view::LifecycleView` kept in step after every change
//! and drawn by `ui::lifecycle_editor`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use tokio::sync::oneshot;

use crate::app::op_keys::PreparingModal;
use crate::app::op_modal::OpModal;
use crate::audit::AuditLog;
use crate::keymap::{Action, Scope};
use crate::ops::handle;
use crate::ops::lifecycle::diff::summarize_actions;
use crate::ops::lifecycle::op::LifecycleOp;
use crate::ops::lifecycle::validate::validate;
use crate::services::Update;
use crate::services::s3::admin::LifecycleAdmin;
use crate::services::s3::lifecycle_doc::{
    Expiration, Filter, LifecycleConfiguration, Rule, RuleStatus, Transition,
};
pub use crate::state::lifecycle_view::FORM_FIELDS;
use crate::state::lifecycle_view::{EditorStage, LifecycleView, RuleRow};
use crate::state::text::TextInput;
use crate::state::theme::Theme;
use crate::ui::lifecycle_editor as draw;
use crate::ui::modal::{Modal, ModalOutcome};

/// What the operation needs once the operator presses enter.
pub struct Target {
    pub admin: Arc<dyn LifecycleAdmin>,
    pub bucket: String,
    pub prices: BTreeMap<String, f64>,
    pub context: String,
    pub audit: AuditLog,
    pub read_only: bool,
}

enum Stage {
    Loading(oneshot::Receiver<Result<LifecycleConfiguration, String>>),
    LoadFailed(String),
    Editing,
    /// The add-rule form: field values and the focused field.
    Form(Vec<TextInput>, usize),
    /// Planned: the op modal (or its planning) has taken over.
    Planned(Box<PreparingModal>),
}

pub struct LifecycleEditor {
    target: Arc<Target>,
    stage: Stage,
    pub rules: Vec<Rule>,
    pub selected: usize,
    /// Validation errors of the last enter (nothing was sent).
    pub errors: Vec<String>,
    /// What the editor shows, refreshed after every key and load.
    pub view: LifecycleView,
}

impl LifecycleEditor {
    /// Open the editor; the current configuration is read on a task.
    pub fn open(target: Target) -> Self {
        let target = Arc::new(target);
        let (tx, rx) = oneshot::channel();
        let t = target.clone();
        tokio::spawn(async move {
            let r = t
                .admin
                .get_lifecycle(&t.bucket)
                .await
                .map_err(|e| crate::fmt::chain(&e).to_string());
            let _ = tx.send(r);
        });
        let view = LifecycleView::new(target.bucket.clone());
        LifecycleEditor {
            target,
            stage: Stage::Loading(rx),
            rules: Vec::new(),
            selected: 0,
            errors: Vec::new(),
            view,
        }
    }

    /// Bring the view in step with the rules, the stage and the errors.
    fn refresh_view(&mut self) {
        let v = &mut self.view;
        v.stage = match &self.stage {
            Stage::Loading(_) => EditorStage::Loading,
            Stage::LoadFailed(e) => EditorStage::LoadFailed(e.clone()),
            Stage::Editing | Stage::Planned(_) => EditorStage::Rules,
            Stage::Form(fields, focus) => EditorStage::Form {
                fields: fields.clone(),
                focus: *focus,
            },
        };
        v.rows = (self.rules.iter().enumerate())
            .map(|(i, r)| RuleRow {
                enabled: r.enabled(),
                id: r.label(i),
                status: r.status.as_str(),
                summary: summarize_actions(r),
            })
            .collect();
        v.selected = self.selected;
        v.errors = self.errors.clone();
    }

    fn poll(&mut self) -> bool {
        let Stage::Loading(rx) = &mut self.stage else {
            return false;
        };
        match rx.try_recv() {
            Ok(Ok(cfg)) => {
                self.rules = cfg.rules;
                self.stage = Stage::Editing;
            }
            Ok(Err(e)) => self.stage = Stage::LoadFailed(e),
            Err(oneshot::error::TryRecvError::Empty) => return false,
            Err(oneshot::error::TryRecvError::Closed) => {
                self.stage = Stage::LoadFailed("the read task ended".into())
            }
        }
        true
    }

    fn desired(&self) -> LifecycleConfiguration {
        LifecycleConfiguration {
            rules: self.rules.clone(),
            ..Default::default()
        }
    }

    /// Validate; when valid, plan on a task and hand over to the op modal.
    fn submit(&mut self) {
        let desired = self.desired();
        let report = validate(&desired);
        self.errors = report.errors().map(|f| f.to_string()).collect();
        if !self.errors.is_empty() {
            return;
        }
        let t = self.target.clone();
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            let r = match LifecycleOp::prepare(
                t.admin.clone(),
                &t.bucket,
                desired,
                &t.prices,
                &t.context,
                "the console's lifecycle editor",
            )
            .await
            {
                Ok(op) => {
                    let details = op.details_blocks();
                    let h = handle::spawn(Arc::new(op), t.audit.clone(), t.read_only, false);
                    Ok(OpModal::new(h).with_details(details))
                }
                Err(e) => Err(crate::fmt::chain(&e).to_string()),
            };
            let _ = tx.send(r);
        });
        self.stage = Stage::Planned(Box::new(PreparingModal::new(
            format!("lifecycle {}", self.target.bucket),
            rx,
        )));
    }

    /// A key on the rule list, by its `editor` keymap action.
    fn edit_key(&mut self, action: Option<&Action>) -> ModalOutcome {
        match action {
            Some(Action::Cancel) => return ModalOutcome::Close,
            Some(Action::Down) if self.selected + 1 < self.rules.len() => self.selected += 1,
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::ToggleRule) => {
                if let Some(r) = self.rules.get_mut(self.selected) {
                    r.status = match r.status {
                        RuleStatus::Enabled => RuleStatus::Disabled,
                        RuleStatus::Disabled => RuleStatus::Enabled,
                    };
                }
            }
            Some(Action::DeleteRule) if self.selected < self.rules.len() => {
                self.rules.remove(self.selected);
                self.selected = self.selected.min(self.rules.len().saturating_sub(1));
            }
            Some(Action::AddRule) => {
                self.stage = Stage::Form(vec![TextInput::default(); FORM_FIELDS.len()], 0)
            }
            Some(Action::Accept) => self.submit(),
            _ => {}
        }
        ModalOutcome::Keep
    }

    /// A key in the add-rule form: characters and editing keys go to the focused field; the
    /// `editor` keymap's accept / cancel / focus / up / down act only for keys that type
    /// nothing.
    fn form_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome {
        let Stage::Form(fields, focus) = &mut self.stage else {
            return ModalOutcome::Keep;
        };
        let n = fields.len();
        let types =
            TextInput::is_editing_key(ev) && !matches!(ev.code, KeyCode::Up | KeyCode::Down);
        match action {
            _ if types && !matches!(ev.code, KeyCode::Tab | KeyCode::BackTab) => {
                fields[*focus].handle_key(ev);
            }
            Some(Action::Cancel) => self.stage = Stage::Editing,
            Some(Action::FocusNext) | Some(Action::Down) => *focus = (*focus + 1) % n,
            Some(Action::FocusPrev) | Some(Action::Up) => *focus = (*focus + n - 1) % n,
            Some(Action::Accept) => {
                let values: Vec<String> = fields.iter().map(|f| f.value().to_string()).collect();
                match rule_from_form(&values) {
                    Ok(rule) => {
                        self.rules.push(rule);
                        self.selected = self.rules.len() - 1;
                        self.errors.clear();
                        self.stage = Stage::Editing;
                    }
                    Err(e) => self.errors = vec![e],
                }
            }
            _ => {}
        }
        ModalOutcome::Keep
    }
}

/// The form -> a rule (Enabled). Empty day fields are left out; numbers must be whole days.
pub fn rule_from_form(fields: &[String]) -> Result<Rule, String> {
    let id = fields[0].trim();
    if id.is_empty() {
        return Err("new rule: ID: required".into());
    }
    let days = |i: usize| -> Result<Option<i32>, String> {
        let v = fields[i].trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i32>().map(Some).map_err(|_| {
            format!(
                "rule {id:?}: {}: {v:?} is not a whole number of days",
                FORM_FIELDS[i]
            )
        })
    };
    let mut transitions = Vec::new();
    for (i, class) in [(2, "STANDARD_IA"), (3, "GLACIER_IR")] {
        if let Some(d) = days(i)? {
            transitions.push(Transition {
                days: Some(d),
                storage_class: class.into(),
                ..Default::default()
            });
        }
    }
    Ok(Rule {
        id: Some(id.to_string()),
        status: RuleStatus::Enabled,
        filter: Some(Filter {
            prefix: Some(fields[1].trim().to_string()),
            ..Default::default()
        }),
        transitions,
        expiration: days(4)?.map(|d| Expiration {
            days: Some(d),
            ..Default::default()
        }),
        ..Default::default()
    })
}

impl Modal for LifecycleEditor {
    fn title(&self) -> String {
        match &self.stage {
            Stage::Planned(m) => m.title(),
            _ => format!("lifecycle {}", self.target.bucket),
        }
    }
    fn size(&self) -> (u16, u16) {
        (90, 85)
    }
    fn footer(&self) -> String {
        self.footer_for(crate::keymap::Keymap::builtin_default())
    }
    fn footer_for(&self, km: &crate::keymap::Keymap) -> String {
        let k = |a: Action| km.hint(Scope::Editor, &a).unwrap_or_else(|| "-".into());
        match &self.stage {
            Stage::Planned(m) => m.footer_for(km),
            Stage::Form(..) => format!(
                "{} next field   {} add rule   {} back",
                k(Action::FocusNext),
                k(Action::Accept),
                k(Action::Cancel)
            ),
            _ => format!(
                "{} enable/disable   {} remove   {} add   {} plan   {} close",
                k(Action::ToggleRule),
                k(Action::DeleteRule),
                k(Action::AddRule),
                k(Action::Accept),
                k(Action::Cancel)
            ),
        }
    }
    fn scope(&self) -> Scope {
        match &self.stage {
            Stage::Planned(m) => m.scope(),
            _ => Scope::Editor,
        }
    }
    fn paste(&mut self, text: &str) -> bool {
        let taken = match &mut self.stage {
            Stage::Planned(m) => m.paste(text),
            Stage::Form(fields, focus) => fields[*focus].paste(text),
            _ => false,
        };
        self.refresh_view();
        taken
    }
    fn render(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        if let Stage::Planned(m) = &self.stage {
            return m.render(f, area, theme);
        }
        draw::render(&self.view, f, area);
    }
    fn handle_key(&mut self, ev: &KeyEvent, action: Option<&Action>) -> ModalOutcome {
        self.poll();
        let out = match &mut self.stage {
            Stage::Planned(m) => m.handle_key(ev, action),
            Stage::Loading(_) | Stage::LoadFailed(_) => match action {
                Some(Action::Cancel) | Some(Action::Accept) => ModalOutcome::Close,
                _ => ModalOutcome::Keep,
            },
            Stage::Editing => self.edit_key(action),
            Stage::Form(..) => self.form_key(ev, action),
        };
        self.refresh_view();
        out
    }
    fn on_update(&mut self, update: &Update) {
        if let Stage::Planned(m) = &mut self.stage {
            m.on_update(update);
        }
    }
    fn tick(&mut self) -> bool {
        let changed = self.poll();
        if changed {
            self.refresh_view();
        }
        match &mut self.stage {
            Stage::Planned(m) => m.tick() || changed,
            _ => changed,
        }
    }
}
