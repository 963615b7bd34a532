//! What the console shows: the latest data per source, when it arrived, the last error, time
//! series for charts, and the operator's view (panel, selection, filter, overlays). Only the main
//! loop mutates it; rendering reads it.

pub mod detail;
pub mod export;
pub mod findings;
pub mod fixture;
pub mod fleet;
pub mod history;
pub mod logs;
pub mod modal;
pub mod overview;
pub mod pace;
pub mod palette;
pub mod replay;
pub mod series;
pub mod table;
pub mod theme;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub use crate::keymap::Action;
use crate::keymap::{Keymap, Scope};
use crate::model::{Snapshot, Status};
use crate::panels::{PanelKind, Panels};
use crate::services::{Sample, SourceKind, Update};
use crate::state::theme::Theme;
pub use findings::{Finding, findings};
pub use modal::{Modal, ModalOutcome};
pub use palette::PaletteEntry;
use series::Series;

/// A closure posted from a background task (an operation runner, a context switch) to run on
/// the main loop against the State. The only way for other tasks to change what is shown.
pub type StateFn = Box<dyn FnOnce(&mut State) + Send>;

/// Refresh steps for `+`/`-`.
pub const REFRESH_STEPS: [Duration; 7] = [
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(5),
    Duration::from_secs(10),
    Duration::from_secs(30),
];

/// Bookkeeping for one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceState {
    /// The interval in force (the collector's own, or the operator's `+`/`-` within bounds).
    pub interval: Duration,
    /// The collector's own interval and the bounds it declares for `+`/`-` (None: not known,
    /// the interval never changes).
    pub own_interval: Duration,
    pub bounds: Option<(Duration, Duration)>,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_attempt: Option<DateTime<Utc>>,
    /// The error of the latest round, cleared by the next success.
    pub error: Option<String>,
    pub samples: u64,
}

impl SourceState {
    fn new(interval: Duration) -> Self {
        SourceState {
            interval,
            own_interval: interval,
            bounds: None,
            last_ok: None,
            last_attempt: None,
            error: None,
            samples: 0,
        }
    }

    /// Seconds since the last good sample.
    pub fn age(&self, now: DateTime<Utc>) -> Option<i64> {
        self.last_ok.map(|t| (now - t).num_seconds().max(0))
    }

    /// No good sample for more than three intervals.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        let limit = (self.interval * 3).max(Duration::from_secs(3));
        match self.last_ok {
            Some(t) => (now - t).to_std().is_ok_and(|d| d > limit),
            None => self.error.is_some(),
        }
    }
}

/// GetMetricData request rate and its list-price cost, from `services::cloudwatch`'s counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CloudWatchUsage {
    /// Metrics requested per minute over the recent window.
    pub metrics_per_minute: f64,
    /// That rate's cost at list price, USD per day.
    pub usd_per_day: f64,
}

/// A tab in the footer: the overview or a panel by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Panel(String),
}

/// The text input currently open, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Filter { panel: String, text: String },
    Palette { query: String, selected: usize },
}

/// Per-panel view state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    pub selected: usize,
    pub filter: String,
    /// Column of the panel's table ([`table::Table::columns`]) the rows are sorted by.
    pub sort_col: Option<usize>,
    pub sort_desc: bool,
}

/// What the console is started with.
#[derive(Debug, Clone)]
pub struct StateInit {
    pub context: String,
    pub colour: Option<String>,
    pub demo: bool,
    pub read_only: bool,
    pub panels: Panels,
    pub keymap: Keymap,
    pub theme: Theme,
    pub refresh: Duration,
}

impl Default for StateInit {
    fn default() -> Self {
        StateInit {
            context: "demo".into(),
            colour: None,
            demo: true,
            read_only: false,
            panels: Panels::embedded(),
            keymap: Keymap::default_map(),
            theme: Theme::colour(),
            refresh: Duration::from_secs(1),
        }
    }
}

pub struct State {
    pub context: String,
    pub colour: Option<String>,
    pub demo: bool,
    pub read_only: bool,
    pub panels: Panels,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Latest data per source, in the snapshot's shape (so `findings` reads both).
    pub data: Snapshot,
    /// By `SourceKind::name()`.
    pub sources: BTreeMap<String, SourceState>,
    pub series: Series,
    /// The logs panel: bounded scroll-back of the followed CloudWatch Logs groups.
    pub logs: logs::LogsView,
    /// The clock everything on screen is relative to (set by the main loop; fixed in tests).
    pub now: DateTime<Utc>,
    pub paused: bool,
    /// Samples that arrived while paused: the latest per source, applied on resume.
    held: BTreeMap<String, Sample>,
    pub refresh: Duration,
    /// The collection interval chosen with `+`/`-` (None: each source's own), sent to the
    /// collectors by the main loop.
    pub collect_pace: Option<Duration>,
    pub tab: Tab,
    pub views: BTreeMap<String, View>,
    pub input: Option<Input>,
    pub help: Option<u16>,
    pub modals: Vec<Box<dyn Modal>>,
    /// Entries of the `:` palette. Others push theirs (operations, `ctx NAME`).
    pub palette: Vec<PaletteEntry>,
    /// A one-line message for the footer, with when it was set.
    pub flash: Option<(String, DateTime<Utc>)>,
    pub quit: bool,
    /// What the CloudWatch-backed collectors request, folded in by the main loop before each
    /// frame (None until a GetMetricData call was made). Drawing never reads the counters.
    pub cloudwatch_usage: Option<CloudWatchUsage>,
    /// Rows in the table last drawn for the current panel, so movement keys can clamp.
    pub visible_rows: Cell<usize>,
    /// Table rows formatted for drawing since the State was made (a counter, never reset):
    /// panels format only the rows on screen (`ui::widgets::table_window`), so a frame's
    /// share of it does not grow with rows off screen. Tests and the render bench read it.
    pub rows_laid_out: Cell<u64>,
    /// The window every history chart shows (`w` cycles it).
    pub chart_window: history::Window,
    /// Post a `StateFn` here from any task to change the State on the main loop (None in tests).
    pub inbox: Option<tokio::sync::mpsc::UnboundedSender<StateFn>>,
    /// Drill-down stack: the detail views opened with `enter`, the top one shown.
    pub detail: Vec<detail::Detail>,
    /// Text `y` copied, waiting for the main loop to send it to the terminal (OSC 52).
    pub clipboard: Option<String>,
    /// Set when the console replays a recording instead of collecting.
    pub replay: Option<replay::Replay>,
    /// The other contexts shown at once (`--context a,b`, `:ctx all`), each its own State;
    /// empty for one context. See `fleet.rs`.
    pub fleet: Vec<State>,
}

impl State {
    pub fn new(init: StateInit) -> Self {
        let now = Utc::now();
        let mut st = State {
            data: Snapshot::empty(&init.context, init.demo),
            context: init.context,
            colour: init.colour,
            demo: init.demo,
            read_only: init.read_only,
            panels: init.panels,
            keymap: init.keymap,
            theme: init.theme,
            sources: BTreeMap::new(),
            series: Series::default(),
            logs: logs::LogsView::default(),
            now,
            paused: false,
            held: BTreeMap::new(),
            refresh: init.refresh,
            collect_pace: None,
            tab: Tab::Overview,
            views: BTreeMap::new(),
            input: None,
            help: None,
            modals: Vec::new(),
            palette: Vec::new(),
            flash: None,
            quit: false,
            fleet: Vec::new(),
            cloudwatch_usage: None,
            visible_rows: Cell::new(0),
            rows_laid_out: Cell::new(0),
            chart_window: history::Window::default(),
            inbox: None,
            detail: Vec::new(),
            clipboard: None,
            replay: None,
        };
        st.palette = palette::builtin_entries(&st);
        st
    }

    /// Declare a source (from its collector) so its panel shows and staleness can be judged.
    pub fn register_source(&mut self, kind: SourceKind, interval: Duration) {
        self.sources
            .entry(kind.name())
            .or_insert_with(|| SourceState::new(interval))
            .interval = interval;
        self.palette = palette::builtin_entries(self);
    }

    /// Start over in another context (`:ctx NAME`): its name and colour in the header; no data,
    /// sources, series or held samples of the old one. Keymap, theme, refresh and open operation
    /// dialogs stay.
    pub fn switch_context(&mut self, context: &str, colour: Option<String>, read_only: bool) {
        self.context = context.to_string();
        self.colour = colour;
        self.read_only = read_only;
        self.data = Snapshot::empty(context, self.demo);
        self.sources.clear();
        self.series = Series::default();
        self.logs = logs::LogsView::default();
        self.held.clear();
        self.views.clear();
        self.detail.clear();
        self.input = None;
        self.tab = Tab::Overview;
        self.palette = palette::builtin_entries(self);
    }

    pub fn source(&self, kind: &SourceKind) -> Option<&SourceState> {
        self.sources.get(&kind.name())
    }

    /// Fold a sample in (or hold it while paused). Returns whether the screen changed.
    pub fn apply_sample(&mut self, sample: Sample) -> bool {
        // Log events are never held back: holding keeps only the latest sample per source,
        // which would lose whole reads. Paused, the view stays on its lines instead.
        if self.paused
            && let Ok(Update::Logs(b)) = &sample.result
        {
            self.logs.push(b, true);
            return true;
        }
        if self.paused {
            self.held.insert(sample.source.name(), sample);
            return false;
        }
        self.apply_now(sample);
        true
    }

    fn apply_now(&mut self, sample: Sample) {
        let name = sample.source.name();
        let src = self
            .sources
            .entry(name.clone())
            .or_insert_with(|| SourceState::new(Duration::from_secs(5)));
        src.last_attempt = Some(sample.at);
        match sample.result {
            Err(e) => src.error = Some(e),
            Ok(update) => {
                src.last_ok = Some(sample.at);
                src.error = None;
                src.samples += 1;
                self.record_series(&update, sample.at);
                for m in &mut self.modals {
                    m.on_update(&update);
                }
                match update {
                    Update::Aurora(a) => self.data.aurora = Some(a),
                    Update::Redis(r) => self.data.redis = Some(r),
                    Update::S3(s) => self.data.s3 = Some(s),
                    Update::OpenSearch(o) => self.data.opensearch = Some(o),
                    Update::Redshift(r) => self.data.redshift = Some(r),
                    Update::CloudWatch(id, mut figs) => {
                        // Folded into the series by record_series; not kept twice.
                        for f in &mut figs {
                            f.backfill = Vec::new();
                        }
                        self.data
                            .cloudwatch
                            .get_or_insert_with(BTreeMap::new)
                            .insert(id, figs);
                    }
                    Update::Alarms(a) => self.data.alarms = a,
                    Update::Logs(b) => self.logs.push(&b, false),
                }
            }
        }
        self.data.errors = self
            .sources
            .iter()
            .filter_map(|(n, s)| {
                s.error.as_ref().map(|e| crate::model::SourceError {
                    source: n.clone(),
                    message: e.clone(),
                })
            })
            .collect();
        self.data.taken_at = sample.at;
    }

    fn record_series(&mut self, u: &Update, at: DateTime<Utc>) {
        let s = &mut self.series;
        match u {
            Update::Aurora(a) => {
                let mut worst: Option<f64> = None;
                for r in &a.replicas {
                    if let Some(l) = r.lag_seconds {
                        s.lag.entry(r.name.clone()).or_default().push_at(at, l);
                        worst = Some(worst.map_or(l, |w| w.max(l)));
                    }
                }
                if let Some(w) = worst {
                    s.worst_lag.push_at(at, w);
                }
            }
            Update::Redis(r) => {
                if let Some(h) = r.hit_ratio {
                    s.hit_ratio.push_at(at, h);
                }
                s.ops_per_sec.push_at(at, r.ops_per_sec);
                s.evictions_per_sec.push_at(at, r.evictions_per_sec);
            }
            Update::OpenSearch(o) => s.indexing_rate.push_at(at, o.indexing_rate_per_sec),
            Update::Redshift(r) => {
                let mut runs: Vec<_> = r
                    .runs
                    .iter()
                    .filter(|x| x.duration_seconds.is_some())
                    .collect();
                runs.sort_by_key(|x| x.started_at);
                for run in runs {
                    let done = !run.status.eq_ignore_ascii_case("running");
                    if done && s.etl_seen.insert(run.id.clone()) {
                        s.etl_durations.push(run.duration_seconds.unwrap_or(0.0));
                    }
                }
            }
            Update::CloudWatch(id, figs) => {
                for f in figs {
                    if f.value.is_none() && f.backfill.is_empty() {
                        continue;
                    }
                    let ring = s
                        .cloudwatch
                        .entry((id.clone(), f.label.clone()))
                        .or_default();
                    // Older datapoints first: a ring takes only points older than it holds.
                    ring.backfill(&f.backfill);
                    if let Some(v) = f.value {
                        ring.push_at(at, v);
                    }
                }
            }
            Update::S3(_) | Update::Alarms(_) | Update::Logs(_) => {}
        }
    }

    pub fn findings(&self) -> Vec<Finding> {
        findings(&self.data, &self.panels)
    }

    /// Overview + one tab per panel whose source is configured (or has sent data).
    pub fn tabs(&self) -> Vec<Tab> {
        let mut out = vec![Tab::Overview];
        for d in &self.panels.defs {
            let source = panel_source(d.kind, &d.id);
            let builtin_dup = d.kind != PanelKind::CloudWatch
                && self.panels.of_kind(d.kind).map(|f| f.id.as_str()) != Some(d.id.as_str());
            if !builtin_dup && self.sources.contains_key(&source.name()) {
                out.push(Tab::Panel(d.id.clone()));
            }
        }
        out
    }

    pub fn tab_index(&self) -> usize {
        self.tabs().iter().position(|t| *t == self.tab).unwrap_or(0)
    }

    /// The id used for per-panel view state ("overview" for the overview).
    pub fn view_id(&self) -> String {
        match &self.tab {
            Tab::Overview => "overview".into(),
            Tab::Panel(id) => id.clone(),
        }
    }

    pub fn view(&self) -> View {
        self.views.get(&self.view_id()).cloned().unwrap_or_default()
    }

    fn view_mut(&mut self) -> &mut View {
        let id = self.view_id();
        self.views.entry(id).or_default()
    }

    /// The filter text in effect on the current panel (live while typing).
    pub fn filter_text(&self) -> String {
        match &self.input {
            Some(Input::Filter { panel, text }) if *panel == self.view_id() => text.clone(),
            _ => self.view().filter,
        }
    }

    /// Does a row (its cells joined) pass the current filter? Case-insensitive substring.
    pub fn row_matches(&self, text: &str) -> bool {
        let f = self.filter_text();
        f.is_empty() || text.to_lowercase().contains(&f.to_lowercase())
    }

    pub fn set_flash(&mut self, msg: impl Into<String>) {
        let msg = msg.into();
        // What flashed on screen is gone in seconds; the log keeps it.
        tracing::info!(target: "opsdeck::flash", "{msg}");
        self.flash = Some((msg, self.now));
    }

    pub fn goto_tab(&mut self, tab: Tab) {
        if self.tab != tab {
            self.tab = tab;
            self.input = None;
            self.detail.clear();
        }
    }

    pub fn toggle_pause(&mut self) {
        self.paused = !self.paused;
        if !self.paused {
            self.logs.follow();
            let held = std::mem::take(&mut self.held);
            let mut samples: Vec<Sample> = held.into_values().collect();
            samples.sort_by_key(|s| s.at);
            for s in samples {
                self.apply_now(s);
            }
        }
    }

    pub fn held_count(&self) -> usize {
        self.held.len()
    }

    /// A key press. Returns the actions the main loop must carry out itself (quit, operations,
    /// context switches, free-form commands); everything else is handled here.
    pub fn handle_key(&mut self, ev: KeyEvent) -> Vec<Action> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        if let Some(m) = self.modals.last_mut() {
            let action = self.keymap.lookup(Scope::Dialog, &ev).cloned();
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
            match a {
                Some(Action::Down) => self.help = Some(scroll.saturating_add(1)),
                Some(Action::Up) => self.help = Some(scroll.saturating_sub(1)),
                Some(Action::PageDown) => self.help = Some(scroll.saturating_add(10)),
                Some(Action::PageUp) => self.help = Some(scroll.saturating_sub(10)),
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
                    query: String::new(),
                    selected: 0,
                })
            }
            Action::Filter => {
                let panel = self.view_id();
                let text = self.view().filter;
                self.input = Some(Input::Filter { panel, text });
            }
            Action::Back => {
                if self.close_detail() {
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
            Action::ReplayStep => self.replay_step(),
            Action::ChartWindow => {
                self.chart_window = self.chart_window.next();
                let w = self.chart_window;
                self.set_flash(match w {
                    history::Window::Recent => "charts: the last 5 minutes, every sample".into(),
                    _ => format!("charts: the last {}, per minute (mean, max)", w.label()),
                });
            }
            Action::ReplayFaster | Action::ReplaySlower if self.replay.is_none() => {
                self.set_flash("replay keys work in `opsdeck replay FILE` only")
            }
            Action::ReplayFaster => self.replay_speed(true),
            Action::ReplaySlower => self.replay_speed(false),
            Action::SortNext => self.sort_next(false),
            Action::SortFlip => self.sort_next(true),
            Action::Copy => self.copy_selected(),
            Action::Command(c) if c.starts_with("at ") => {
                if let Err(e) = self.replay_jump_text(c[3..].trim()) {
                    self.set_flash(e);
                }
            }
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
                if self.tab == Tab::Overview {
                    let sel = self.view().selected;
                    if let Some(id) = overview::panel_at(self, sel) {
                        self.goto_tab(Tab::Panel(id));
                    }
                } else if self.detail.is_empty() {
                    self.open_detail();
                }
            }
            Action::OpenLogs => match self.logs_target() {
                Some(t) => return vec![Action::Command(t.command())],
                None => self.set_flash(
                    "no CloudWatch logs for this row (Aurora replicas, Redshift loads fed by Glue)",
                ),
            },
            Action::Accept
            | Action::Cancel
            | Action::ClearInput
            | Action::Confirm
            | Action::Deny
            | Action::RethrottleUp
            | Action::RethrottleDown
            | Action::CancelTask => {}
            Action::StartOp(_) | Action::SwitchContext(_) | Action::Command(_) => return vec![a],
        }
        Vec::new()
    }

    /// The log group and time range behind the selected row (see [`logs::target_for`]).
    pub fn logs_target(&self) -> Option<crate::services::logs::LogsTarget> {
        logs::target_for(self)
    }

    /// Whether the current tab is a logs panel (movement keys scroll its scroll-back).
    pub fn on_logs_panel(&self) -> bool {
        matches!(&self.tab, Tab::Panel(id) if self.panels.get(id).is_some_and(|d| d.kind == PanelKind::Logs))
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
                let (panel, text) = (panel.clone(), text.clone());
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
                edit_text(text, &ev);
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
            Some(Action::Accept) => {
                let q = query.trim().to_string();
                let chosen = matches
                    .get(*selected)
                    .map(|&i| self.palette[i].action.clone());
                self.input = None;
                return match chosen {
                    Some(a) => self.apply_action(a),
                    None if !q.is_empty() => self.apply_action(Action::Command(q)),
                    None => Vec::new(),
                };
            }
            _ => {
                if edit_text(query, &ev) {
                    *selected = 0;
                }
            }
        }
        Vec::new()
    }

    /// Indices into `palette` matching the current query, best first (nucleo fuzzy matching).
    pub fn palette_matches(&self) -> Vec<usize> {
        let query = match &self.input {
            Some(Input::Palette { query, .. }) => query.as_str(),
            _ => "",
        };
        palette::matches(&self.palette, query)
    }

    /// Worst status of a service, from findings and the source's health.
    pub fn service_status(&self, findings: &[Finding], service: &str, kind: &SourceKind) -> Status {
        let f = findings::service_status(findings, service);
        match self.source(kind) {
            Some(s) if s.last_ok.is_none() => f.max(Status::NoData),
            Some(s) if s.is_stale(self.now) => f.max(Status::NoData),
            _ => f,
        }
    }
}

fn is_ctrl_c(ev: &KeyEvent) -> bool {
    ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL)
}

/// Type into a one-line input. Returns whether the text changed.
pub fn edit_text(text: &mut String, ev: &KeyEvent) -> bool {
    match ev.code {
        KeyCode::Char(c)
            if !ev
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            text.push(c);
            true
        }
        KeyCode::Backspace => text.pop().is_some(),
        _ => false,
    }
}

/// The source that feeds a panel.
pub fn panel_source(kind: PanelKind, id: &str) -> SourceKind {
    match kind {
        PanelKind::Aurora => SourceKind::Aurora,
        PanelKind::Redis => SourceKind::Redis,
        PanelKind::S3 => SourceKind::S3,
        PanelKind::OpenSearch => SourceKind::OpenSearch,
        PanelKind::Redshift => SourceKind::Redshift,
        PanelKind::CloudWatch => SourceKind::CloudWatch(id.to_string()),
        PanelKind::Logs => SourceKind::Logs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventState;

    fn key(c: char) -> KeyEvent {
        KeyEvent {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    fn code(c: KeyCode) -> KeyEvent {
        KeyEvent {
            code: c,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    fn redis_sample(at: DateTime<Utc>, ops: f64) -> Sample {
        let mut r = fixture::redis();
        r.ops_per_sec = ops;
        Sample {
            source: SourceKind::Redis,
            at,
            result: Ok(Update::Redis(r)),
        }
    }

    #[test]
    fn source_turns_stale_after_three_intervals_without_a_sample() {
        let mut st = State::new(StateInit::default());
        st.register_source(SourceKind::Redis, Duration::from_secs(2));
        let t = fixture::now();
        st.apply_sample(redis_sample(t, 1.0));
        let s = st.source(&SourceKind::Redis).unwrap();
        assert!(!s.is_stale(t + chrono::Duration::seconds(6)));
        assert!(s.is_stale(t + chrono::Duration::seconds(7)));
        assert_eq!(s.age(t + chrono::Duration::seconds(7)), Some(7));
    }

    #[test]
    fn an_error_keeps_the_last_data_and_a_success_clears_the_error() {
        let mut st = State::new(StateInit::default());
        let t = fixture::now();
        st.apply_sample(redis_sample(t, 5.0));
        st.apply_sample(Sample {
            source: SourceKind::Redis,
            at: t + chrono::Duration::seconds(1),
            result: Err("connection refused".into()),
        });
        assert_eq!(st.data.redis.as_ref().unwrap().ops_per_sec, 5.0);
        assert_eq!(st.data.errors.len(), 1);
        assert_eq!(
            st.source(&SourceKind::Redis).unwrap().error.as_deref(),
            Some("connection refused")
        );
        st.apply_sample(redis_sample(t + chrono::Duration::seconds(2), 6.0));
        assert!(st.data.errors.is_empty());
        assert_eq!(st.series.ops_per_sec.len(), 2);
    }

    #[test]
    fn paused_state_holds_samples_and_applies_the_latest_on_resume() {
        let mut st = State::new(StateInit::default());
        let t = fixture::now();
        st.apply_sample(redis_sample(t, 1.0));
        st.handle_key(key(' '));
        assert!(st.paused);
        assert!(!st.apply_sample(redis_sample(t, 2.0)));
        st.apply_sample(redis_sample(t, 3.0));
        assert_eq!(st.data.redis.as_ref().unwrap().ops_per_sec, 1.0);
        assert_eq!(st.held_count(), 1);
        st.handle_key(key(' '));
        assert_eq!(st.data.redis.as_ref().unwrap().ops_per_sec, 3.0);
    }

    #[test]
    fn number_keys_tab_and_esc_move_between_panels() {
        let mut st = fixture::state();
        st.handle_key(key('2'));
        assert_eq!(st.tab, Tab::Panel("aurora".into()));
        st.handle_key(code(KeyCode::Tab));
        assert_eq!(st.tab, Tab::Panel("redis".into()));
        st.handle_key(code(KeyCode::BackTab));
        st.handle_key(code(KeyCode::BackTab));
        assert_eq!(st.tab, Tab::Overview);
        st.handle_key(code(KeyCode::BackTab));
        assert_eq!(st.tab, *st.tabs().last().unwrap());
        st.handle_key(code(KeyCode::Esc));
        assert_eq!(st.tab, Tab::Overview);
    }

    #[test]
    fn refresh_rate_steps_and_stops_at_the_ends() {
        let mut st = State::new(StateInit::default());
        st.handle_key(key('+'));
        assert_eq!(st.refresh, Duration::from_millis(500));
        for _ in 0..10 {
            st.handle_key(key('+'));
        }
        assert_eq!(st.refresh, Duration::from_millis(250));
        for _ in 0..20 {
            st.handle_key(key('-'));
        }
        assert_eq!(st.refresh, Duration::from_secs(30));
    }

    #[test]
    fn filter_typed_then_accepted_sticks_and_esc_clears_it() {
        let mut st = fixture::state();
        st.handle_key(key('3'));
        st.handle_key(key('/'));
        for c in "shard-2".chars() {
            st.handle_key(key(c));
        }
        assert_eq!(st.filter_text(), "shard-2");
        st.handle_key(code(KeyCode::Enter));
        assert!(st.input.is_none());
        assert_eq!(st.view().filter, "shard-2");
        assert!(st.row_matches("10.0.2.12:6379 master SHARD-2"));
        assert!(!st.row_matches("10.0.1.10:6379 master shard-1"));
        st.handle_key(code(KeyCode::Esc));
        assert_eq!(st.view().filter, "");
        assert_eq!(st.tab, Tab::Panel("redis".into()));
    }

    #[test]
    fn palette_accepts_the_best_match_or_passes_free_text_on() {
        let mut st = fixture::state();
        st.handle_key(key(':'));
        for c in "opnsrch".chars() {
            st.handle_key(key(c));
        }
        st.handle_key(code(KeyCode::Enter));
        assert_eq!(st.tab, Tab::Panel("opensearch".into()));

        st.palette.push(PaletteEntry::new(
            "ctx staging",
            Action::SwitchContext("staging".into()),
        ));
        st.handle_key(key(':'));
        for c in "ctx stag".chars() {
            st.handle_key(key(c));
        }
        let out = st.handle_key(code(KeyCode::Enter));
        assert_eq!(out, vec![Action::SwitchContext("staging".into())]);

        st.handle_key(key(':'));
        for c in "zzqx".chars() {
            st.handle_key(key(c));
        }
        let out = st.handle_key(code(KeyCode::Enter));
        assert_eq!(out, vec![Action::Command("zzqx".into())]);
    }

    #[test]
    fn q_quits_but_is_typed_inside_the_palette() {
        let mut st = fixture::state();
        st.handle_key(key(':'));
        assert!(st.handle_key(key('q')).is_empty());
        assert!(!st.quit);
        st.handle_key(code(KeyCode::Esc));
        assert_eq!(st.handle_key(key('q')), vec![Action::Quit]);
        assert!(st.quit);
    }

    #[test]
    fn etl_durations_are_recorded_once_per_finished_run() {
        let mut st = State::new(StateInit::default());
        let t = fixture::now();
        for _ in 0..3 {
            st.apply_sample(Sample {
                source: SourceKind::Redshift,
                at: t,
                result: Ok(Update::Redshift(fixture::redshift())),
            });
        }
        let finished = fixture::redshift()
            .runs
            .iter()
            .filter(|r| r.status != "running")
            .count();
        assert_eq!(st.series.etl_durations.len(), finished);
    }
}
