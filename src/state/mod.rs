//! What the console shows: the latest data per source, when it arrived, the last error, time
//! series for charts, and the operator's view (panel, selection, filter, overlays). Only the main
//! loop mutates it; rendering reads it.

mod actions;
pub mod alarm_history;
pub mod alerts;
mod apply;
pub mod commands;
pub mod detail;
pub mod export;
pub mod export_schema;
pub mod findings;
#[cfg(any(test, feature = "test-support"))]
pub mod fixture;
pub mod fleet;
pub mod glue;
pub mod history;
pub mod hysteresis;
pub mod lifecycle_view;
pub mod lines;
pub mod logs;
pub mod modal;
pub mod mouse;
pub mod names;
pub mod op_view;
pub mod overview;
pub mod pace;
pub mod palette;
pub mod recording;
pub mod registry;
pub mod replay;
pub mod scroll;
pub mod series;
pub mod table;
mod table_view;
#[cfg(test)]
mod tests;
pub mod text;
pub mod theme;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use crate::keymap::Action;
use crate::keymap::{Keymap, Scope};
use crate::model::source::{Sample, SourceKind};
use crate::model::{Snapshot, Status};
use crate::panels::{PanelKind, Panels};
use crate::state::theme::Theme;
pub use findings::Finding;
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
    Filter {
        panel: String,
        text: text::TextInput,
    },
    Palette {
        query: text::TextInput,
        selected: usize,
    },
    /// The silence prompt for `key` (shown as `label`): 1/2/3 pick 15m/1h/4h, `c` opens
    /// `custom` for a typed duration.
    Silence {
        key: String,
        label: String,
        custom: Option<text::TextInput>,
    },
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
    /// What each thresholded figure shows, folded once per sample of its source.
    pub hysteresis: hysteresis::Hysteresis,
    /// By `SourceKind::name()`.
    pub sources: BTreeMap<String, SourceState>,
    /// The console drew its first frame before its collectors were built (instant start):
    /// an empty source list then means "starting", not "nothing configured".
    pub starting: bool,
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
    /// `?` help is open, scrolled this many lines down.
    pub help: Option<u16>,
    /// How far `?` help can scroll (written by `ui::help` when it draws).
    pub help_extent: scroll::Extent,
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
    /// The recording being written (`--record FILE`), shown in the header and `?` help.
    pub recording: Option<recording::Recording>,
    /// The other contexts shown at once (`--context a,b`, `:ctx all`), each its own State;
    /// empty for one context. See `fleet.rs`.
    pub fleet: Vec<State>,
    /// The alarm whose detail view is open (`enter` on an overview alarm line), by name.
    pub alarm_detail: Option<String>,
    /// The open detail view's scroll offset (movement keys scroll a detail; see `scroll.rs`).
    pub detail_scroll: scroll::DetailScroll,
    /// Alarm transitions seen, and the open alarm detail's DescribeAlarmHistory answer.
    pub alarm_history: alarm_history::AlarmHistory,
    /// The bell's memory and the operator's silences (see `alerts.rs`).
    pub alerts: alerts::Alerts,
    /// Where the last frame drew tabs and rows, for mouse clicks (written by `ui::draw`).
    pub hits: std::cell::RefCell<mouse::HitMap>,
}

impl State {
    pub fn new(init: StateInit) -> Self {
        let now = Utc::now();
        let mut st = State {
            data: Snapshot::empty(&init.context, init.demo),
            hysteresis: hysteresis::Hysteresis::default(),
            context: init.context,
            colour: init.colour,
            demo: init.demo,
            read_only: init.read_only,
            panels: init.panels,
            keymap: init.keymap,
            theme: init.theme,
            sources: BTreeMap::new(),
            starting: false,
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
            help_extent: Default::default(),
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
            recording: None,
            alerts: alerts::Alerts::new(true),
            alarm_detail: None,
            detail_scroll: Default::default(),
            alarm_history: Default::default(),
            hits: Default::default(),
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
        self.hysteresis = hysteresis::Hysteresis::default();
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

    pub(crate) fn view_mut(&mut self) -> &mut View {
        let id = self.view_id();
        self.views.entry(id).or_default()
    }

    /// The filter text in effect on the current panel (live while typing).
    pub fn filter_text(&self) -> String {
        match &self.input {
            Some(Input::Filter { panel, text }) if *panel == self.view_id() => {
                text.value().to_string()
            }
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
        self.alarm_detail = None;
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

    /// Whether the current tab is a logs panel (movement keys scroll its scroll-back).
    pub fn on_logs_panel(&self) -> bool {
        matches!(&self.tab, Tab::Panel(id) if self.panels.get(id).is_some_and(|d| d.kind == PanelKind::Logs))
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

/// The key prefix of the figures a sample of this kind is a reading of (see `findings`).
/// The source that feeds a panel (the registry's row for its kind; see `model::service`).
pub fn panel_source(kind: PanelKind, id: &str) -> SourceKind {
    kind.source(id)
}
