//! What a key press or an [`Action`] does to the State: the modal, palette and filter inputs
//! first, then the keymap's scopes (`dialog`, `palette`, `filter`, `list`, `global`), then the
//! action itself. Text typed in the palette goes through the command table
//! (`commands::COMMANDS`, `State::run_command`). Actions the State cannot carry out (quit,
//! operations, context switches, `:export`, `:logs`) are handed back to the main loop.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::*;

impl State {
    /// A key press. Returns the actions the main loop must carry out itself (quit, operations,
    /// context switches, free-form commands); everything else is handled here.
    pub fn handle_key(&mut self, ev: KeyEvent) -> Vec<Action> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        if let Some(m) = self.modals.last_mut() {
            let action = self.keymap.lookup(m.scope(), &ev).cloned();
            // Copying the plan is the console's, never the dialog's (whose `y` confirms).
            if action == Some(Action::Copy) {
                self.copy_selected();
                return Vec::new();
            }
            match m.handle_key(&ev, action.as_ref()) {
                ModalOutcome::Keep => {}
                ModalOutcome::Close => {
                    self.modals.pop();
                }
                ModalOutcome::Emit(a) => return self.apply_action(a),
                ModalOutcome::CloseWith(a) => {
                    self.modals.pop();
                    return self.apply_action(a);
                }
                ModalOutcome::Ignored => {
                    if is_ctrl_c(&ev) {
                        return self.apply_action(Action::Quit);
                    }
                }
            }
            return Vec::new();
        }
        if let Some(scroll) = self.help {
            let a = self
                .keymap
                .lookup(Scope::List, &ev)
                .or_else(|| self.keymap.lookup(Scope::Global, &ev))
                .cloned();
            // Clamped to the last page as the last frame measured it (`ui::help`).
            let max = self.help_extent.max.get().min(u16::MAX as usize) as u16;
            // A page keeps one line of the previous one for context, as detail views do.
            let page = (self.help_extent.page.get().saturating_sub(1).max(1)).min(u16::MAX as usize)
                as u16;
            let cur = scroll.min(max);
            match a {
                Some(Action::Down) => self.help = Some(cur.saturating_add(1).min(max)),
                Some(Action::Up) => self.help = Some(cur.saturating_sub(1)),
                Some(Action::PageDown) => self.help = Some(cur.saturating_add(page).min(max)),
                Some(Action::PageUp) => self.help = Some(cur.saturating_sub(page)),
                Some(Action::Top) => self.help = Some(0),
                Some(Action::Bottom) => self.help = Some(max),
                Some(Action::Quit) if is_ctrl_c(&ev) => return self.apply_action(Action::Quit),
                _ => self.help = None,
            }
            return Vec::new();
        }
        match self.input.clone() {
            Some(Input::Palette { .. }) => return self.palette_key(ev),
            Some(Input::Filter { .. }) => {
                self.filter_key(ev);
                return Vec::new();
            }
            Some(Input::Silence { .. }) => {
                self.silence_key(ev);
                return Vec::new();
            }
            None => {}
        }
        let action = self
            .keymap
            .lookup(Scope::List, &ev)
            .or_else(|| self.keymap.lookup(Scope::Global, &ev))
            .cloned();
        match action {
            Some(a) => self.apply_action(a),
            None => Vec::new(),
        }
    }

    /// Carry out an action; returns those only the main loop can do.
    pub fn apply_action(&mut self, a: Action) -> Vec<Action> {
        match a {
            Action::Quit => {
                self.quit = true;
                return vec![Action::Quit];
            }
            Action::Help => self.help = Some(0),
            Action::Palette => {
                self.input = Some(Input::Palette {
                    query: Default::default(),
                    selected: 0,
                })
            }
            Action::Filter => {
                let panel = self.view_id();
                let text = self.view().filter;
                self.input = Some(Input::Filter {
                    panel,
                    text: text.into(),
                });
            }
            Action::Back => {
                if self.alarm_detail.take().is_some() || self.close_detail() {
                    self.reset_detail_scroll();
                } else if !self.view().filter.is_empty() {
                    self.view_mut().filter.clear();
                } else if self.tab != Tab::Overview {
                    self.goto_tab(Tab::Overview);
                }
            }
            Action::NextPanel | Action::PrevPanel => {
                let tabs = self.tabs();
                let i = self.tab_index();
                let n = tabs.len();
                let j = if a == Action::NextPanel {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.goto_tab(tabs[j].clone());
            }
            Action::Goto(n) => {
                if let Some(t) = self.tabs().get(n.saturating_sub(1)) {
                    self.goto_tab(t.clone());
                }
            }
            Action::Panel(id) => {
                if id == "overview" {
                    self.goto_tab(Tab::Overview);
                } else if self.panels.get(&id).is_some() {
                    self.goto_tab(Tab::Panel(id));
                } else {
                    self.set_flash(format!("no panel {id:?}"));
                }
            }
            Action::TogglePause => match self.replay.as_mut() {
                Some(r) => r.paused = !r.paused,
                None => self.toggle_pause(),
            },
            Action::ChartWindow => {
                self.chart_window = self.chart_window.next();
                let w = self.chart_window;
                self.set_flash(match w {
                    super::history::Window::Recent => {
                        "charts: the last 5 minutes, every sample".into()
                    }
                    _ => format!("charts: the last {}, per minute (mean, max)", w.label()),
                });
            }
            Action::ReplayStep | Action::ReplayFaster | Action::ReplaySlower
                if self.replay.is_none() =>
            {
                let keys: Vec<String> = [
                    Action::ReplayStep,
                    Action::ReplayFaster,
                    Action::ReplaySlower,
                ]
                .iter()
                .filter_map(|a| self.keymap.hint(Scope::Global, a))
                .collect();
                let what = format!("the replay keys ({})", keys.join(" "));
                self.set_flash(super::commands::live_refusal(&what))
            }
            Action::ReplayStep => self.replay_step(),
            Action::ReplayFaster => self.replay_speed(true),
            Action::ReplaySlower => self.replay_speed(false),
            Action::SortNext => self.sort_next(false),
            Action::SortFlip => self.sort_next(true),
            Action::Copy => self.copy_selected(),
            Action::Silence => self.open_silence_prompt(),
            Action::Command(c) => return self.run_command(&c),
            Action::RefreshFaster | Action::RefreshSlower => {
                let i = REFRESH_STEPS
                    .iter()
                    .position(|d| *d >= self.refresh)
                    .unwrap_or(REFRESH_STEPS.len() - 1);
                let j = if a == Action::RefreshFaster {
                    i.saturating_sub(1)
                } else {
                    (i + 1).min(REFRESH_STEPS.len() - 1)
                };
                self.refresh = REFRESH_STEPS[j];
                self.set_pace(Some(self.refresh));
            }
            // A detail view on screen scrolls; the table under it keeps its selection.
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
                if self.detail_key().is_some() =>
            {
                self.scroll_detail(&a);
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
                if self.on_logs_panel() =>
            {
                let page = self.visible_rows.get().max(1) as i64;
                match a {
                    Action::Up => self.logs.scroll(-1),
                    Action::Down => self.logs.scroll(1),
                    Action::PageUp => self.logs.scroll(-page),
                    Action::PageDown => self.logs.scroll(page),
                    Action::Top => self.logs.oldest(),
                    _ => self.logs.follow(),
                }
            }
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-10),
            Action::PageDown => self.move_selection(10),
            Action::Top => self.view_mut().selected = 0,
            Action::Bottom => {
                let n = self.visible_rows.get();
                self.view_mut().selected = n.saturating_sub(1);
            }
            Action::Select => {
                if let Some(name) = self.alarm_detail.take() {
                    // From an alarm's detail, enter goes on to the panel of its metric.
                    let panel = self.data.alarms.iter().find(|a| a.name == name);
                    match panel.and_then(|a| a.panel.clone()) {
                        Some(id) => self.goto_tab(Tab::Panel(id)),
                        None => self.alarm_detail = Some(name),
                    }
                } else if self.tab == Tab::Overview {
                    let sel = self.view().selected;
                    if let Some(name) = lines::alarm_at(self, sel) {
                        self.reset_detail_scroll();
                        self.alarm_detail = Some(name);
                    } else if let Some(id) = lines::panel_at(self, sel) {
                        self.goto_tab(Tab::Panel(id));
                    }
                } else if self.detail.is_empty() {
                    self.open_detail();
                }
            }
            Action::OpenLogs => match self.logs_target() {
                // Through the command table: refused in a replay or the demo like `:logs`.
                Some(t) => return self.run_command(&t.command()),
                None => self.set_flash(
                    "no CloudWatch logs for this row (Aurora replicas, Redshift loads fed by Glue)",
                ),
            },
            Action::Accept
            | Action::Complete
            | Action::Cancel
            | Action::ClearInput
            | Action::Confirm
            | Action::Deny
            | Action::RethrottleUp
            | Action::RethrottleDown
            | Action::CancelTask
            | Action::Hold
            | Action::Release
            | Action::Abort
            | Action::ThrottleType
            | Action::ThrottleUnlimited
            | Action::FocusNext
            | Action::FocusPrev
            | Action::ToggleRule
            | Action::DeleteRule
            | Action::AddRule => {}
            // An entry or a key binding is judged as the typed command is: a replay refuses
            // both (a read-only context's operations go on to the ops layer, which refuses
            // and audits them).
            Action::StartOp(ref what) if self.replay.is_some() => {
                let why = super::commands::refusal(
                    super::commands::Allowed::Operations,
                    what,
                    &self.mode(),
                );
                self.set_flash(why.unwrap_or_default());
            }
            Action::SwitchContext(ref name) if self.replay.is_some() => {
                let what = format!("ctx {name}");
                let why =
                    super::commands::refusal(super::commands::Allowed::Live, &what, &self.mode());
                self.set_flash(why.unwrap_or_default());
            }
            Action::StartOp(_) | Action::SwitchContext(_) => return vec![a],
        }
        Vec::new()
    }

    fn move_selection(&mut self, delta: i64) {
        let n = self.visible_rows.get();
        let v = self.view_mut();
        let cur = v.selected.min(n.saturating_sub(1)) as i64;
        let next = (cur + delta).clamp(0, n.saturating_sub(1) as i64);
        v.selected = next as usize;
    }

    fn filter_key(&mut self, ev: KeyEvent) {
        let action = self.keymap.lookup(Scope::Filter, &ev).cloned();
        let Some(Input::Filter { panel, text }) = self.input.as_mut() else {
            return;
        };
        match action {
            Some(Action::Accept) => {
                let (panel, text) = (panel.clone(), text.value().to_string());
                let v = self.views.entry(panel).or_default();
                v.filter = text;
                v.selected = 0;
                self.input = None;
            }
            Some(Action::Cancel) => {
                let panel = panel.clone();
                self.views.entry(panel).or_default().filter.clear();
                self.input = None;
            }
            Some(Action::ClearInput) => text.clear(),
            _ => {
                text.handle_key(&ev);
            }
        }
    }

    fn palette_key(&mut self, ev: KeyEvent) -> Vec<Action> {
        let action = self.keymap.lookup(Scope::Palette, &ev).cloned();
        let matches = self.palette_matches();
        let Some(Input::Palette { query, selected }) = self.input.as_mut() else {
            return Vec::new();
        };
        match action {
            Some(Action::Cancel) => self.input = None,
            Some(Action::Up) => *selected = selected.saturating_sub(1),
            Some(Action::Down) => *selected = (*selected + 1).min(matches.len().saturating_sub(1)),
            Some(Action::ClearInput) => {
                query.clear();
                *selected = 0;
            }
            Some(Action::Complete) => {
                if let Some(e) = matches.get(*selected).map(|&i| &self.palette[i]) {
                    *query = e.fill.clone().unwrap_or_else(|| e.label.clone()).into();
                    *selected = 0;
                }
            }
            Some(Action::Accept) => {
                let q = query.value().trim().to_string();
                let chosen = matches.get(*selected).map(|&i| self.palette[i].clone());
                match palette::accept(chosen.as_ref(), &q) {
                    palette::Accept::Fill(text) => {
                        *query = text.into();
                        *selected = 0;
                    }
                    palette::Accept::Entry(a) => {
                        self.input = None;
                        return self.apply_action(a);
                    }
                    palette::Accept::Typed => {
                        self.input = None;
                        return self.run_command(&q);
                    }
                    palette::Accept::Nothing => self.input = None,
                }
            }
            _ => {
                if query.handle_key(&ev) {
                    *selected = 0;
                }
            }
        }
        Vec::new()
    }

    /// Pasted text (bracketed paste): into the open text input, else the top dialog's.
    pub fn handle_paste(&mut self, pasted: &str) {
        if let Some(m) = self.modals.last_mut() {
            m.paste(pasted);
            return;
        }
        match self.input.as_mut() {
            Some(Input::Filter { text, .. }) => {
                text.paste(pasted);
            }
            Some(Input::Palette { query, selected }) => {
                query.paste(pasted);
                *selected = 0;
            }
            Some(Input::Silence {
                custom: Some(text), ..
            }) => {
                text.paste(pasted);
            }
            _ => {}
        }
    }

    /// Indices into `palette` matching the current query, best first (nucleo fuzzy matching).
    pub fn palette_matches(&self) -> Vec<usize> {
        let query = match &self.input {
            Some(Input::Palette { query, .. }) => query.value(),
            _ => "",
        };
        palette::matches(&self.palette, query)
    }
}

fn is_ctrl_c(ev: &KeyEvent) -> bool {
    ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL)
}
