//! What a key (or a palette entry) asks the console to do: the [`Action`] enum, its names as
//! written in keymap files and the palette, and the one-line descriptions `opsdeck keys` and
//! help show.

/// What a key (or a palette entry) asks the console to do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Palette,
    /// Open the `/` filter on the current panel's table.
    Filter,
    /// esc: close the top overlay, clear a filter, or go back to the overview.
    Back,
    NextPanel,
    PrevPanel,
    /// Go to the Nth panel tab (1-based, as numbered in the footer).
    Goto(usize),
    /// Go to a panel by id ("aurora", "cloudfront").
    Panel(String),
    TogglePause,
    RefreshFaster,
    RefreshSlower,
    // Tables and lists.
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Select,
    /// Open the CloudWatch logs of the selected row (an Aurora instance, the Glue run behind a
    /// Redshift load) on the logs panel.
    OpenLogs,
    /// Sort the table by the next column; flip the sort order.
    SortNext,
    SortFlip,
    /// Copy the selected row's identifier (or the open operation's plan) to the clipboard.
    Copy,
    /// Silence the selected alarm or service's findings for a chosen time (a prompt asks).
    Silence,
    /// Replay: one sample forward (pauses), faster, slower.
    ReplayStep,
    ReplayFaster,
    ReplaySlower,
    /// Cycle the time window every chart shows: 5m (full resolution), 1h, 24h (minute buckets).
    ChartWindow,
    // Text inputs (palette, filter) and dialogs.
    Accept,
    Cancel,
    ClearInput,
    Confirm,
    /// Running operation: faster / slower background task (reindex throttle), cancel it.
    RethrottleUp,
    RethrottleDown,
    CancelTask,
    /// Running operation: hold before its next gate, release the hold, abort (roll back).
    Hold,
    Release,
    Abort,
    /// Running operation: type a throttle (requests/s); set it unlimited.
    ThrottleType,
    ThrottleUnlimited,
    /// Dialogs and forms: focus the next / previous field or button.
    FocusNext,
    FocusPrev,
    /// Lifecycle editor: enable/disable the selected rule, remove it, add one (a form).
    ToggleRule,
    DeleteRule,
    AddRule,
    Deny,
    /// Start an operation, e.g. "reindex", "lifecycle streamshop-media", "cutover mysql-to-aurora".
    /// The ops layer parses the spec and opens its plan modal; the console only routes it.
    StartOp(String),
    /// Switch to a context from the config (`:ctx NAME`).
    SwitchContext(String),
    /// Free text typed in the palette that matched no entry, for commands others add.
    Command(String),
}

impl Action {
    /// The name used in keymap files.
    pub fn name(&self) -> String {
        match self {
            Action::Quit => "quit".into(),
            Action::Help => "help".into(),
            Action::Palette => "palette".into(),
            Action::Filter => "filter".into(),
            Action::Back => "back".into(),
            Action::NextPanel => "next_panel".into(),
            Action::PrevPanel => "prev_panel".into(),
            Action::Goto(n) => format!("goto:{n}"),
            Action::Panel(id) => format!("panel:{id}"),
            Action::TogglePause => "pause".into(),
            Action::RefreshFaster => "faster".into(),
            Action::RefreshSlower => "slower".into(),
            Action::Up => "up".into(),
            Action::Down => "down".into(),
            Action::PageUp => "page_up".into(),
            Action::PageDown => "page_down".into(),
            Action::Top => "top".into(),
            Action::Bottom => "bottom".into(),
            Action::Select => "select".into(),
            Action::OpenLogs => "open_logs".into(),
            Action::SortNext => "sort".into(),
            Action::SortFlip => "sort_flip".into(),
            Action::Copy => "copy".into(),
            Action::Silence => "silence".into(),
            Action::ReplayStep => "replay_step".into(),
            Action::ReplayFaster => "replay_faster".into(),
            Action::ReplaySlower => "replay_slower".into(),
            Action::ChartWindow => "window".into(),
            Action::Accept => "accept".into(),
            Action::Cancel => "cancel".into(),
            Action::ClearInput => "clear".into(),
            Action::Confirm => "confirm".into(),
            Action::Deny => "deny".into(),
            Action::RethrottleUp => "rethrottle_up".into(),
            Action::RethrottleDown => "rethrottle_down".into(),
            Action::CancelTask => "cancel_task".into(),
            Action::Hold => "hold".into(),
            Action::Release => "release".into(),
            Action::Abort => "abort".into(),
            Action::ThrottleType => "throttle".into(),
            Action::ThrottleUnlimited => "unlimited".into(),
            Action::FocusNext => "focus_next".into(),
            Action::FocusPrev => "focus_prev".into(),
            Action::ToggleRule => "toggle_rule".into(),
            Action::DeleteRule => "delete_rule".into(),
            Action::AddRule => "add_rule".into(),
            Action::StartOp(s) => format!("op:{s}"),
            Action::SwitchContext(c) => format!("ctx:{c}"),
            Action::Command(c) => format!("cmd:{c}"),
        }
    }

    pub fn parse(name: &str) -> Option<Action> {
        let arg = |p: &str| {
            name.strip_prefix(p)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Some(match name {
            "quit" => Action::Quit,
            "help" => Action::Help,
            "palette" => Action::Palette,
            "filter" => Action::Filter,
            "back" => Action::Back,
            "next_panel" => Action::NextPanel,
            "prev_panel" => Action::PrevPanel,
            "pause" => Action::TogglePause,
            "faster" => Action::RefreshFaster,
            "slower" => Action::RefreshSlower,
            "up" => Action::Up,
            "down" => Action::Down,
            "page_up" => Action::PageUp,
            "page_down" => Action::PageDown,
            "top" => Action::Top,
            "bottom" => Action::Bottom,
            "select" => Action::Select,
            "open_logs" => Action::OpenLogs,
            "sort" => Action::SortNext,
            "sort_flip" => Action::SortFlip,
            "copy" => Action::Copy,
            "silence" => Action::Silence,
            "replay_step" => Action::ReplayStep,
            "replay_faster" => Action::ReplayFaster,
            "replay_slower" => Action::ReplaySlower,
            "window" => Action::ChartWindow,
            "accept" => Action::Accept,
            "cancel" => Action::Cancel,
            "clear" => Action::ClearInput,
            "confirm" => Action::Confirm,
            "deny" => Action::Deny,
            "rethrottle_up" => Action::RethrottleUp,
            "rethrottle_down" => Action::RethrottleDown,
            "cancel_task" => Action::CancelTask,
            "hold" => Action::Hold,
            "release" => Action::Release,
            "abort" => Action::Abort,
            "throttle" => Action::ThrottleType,
            "unlimited" => Action::ThrottleUnlimited,
            "focus_next" => Action::FocusNext,
            "focus_prev" => Action::FocusPrev,
            "toggle_rule" => Action::ToggleRule,
            "delete_rule" => Action::DeleteRule,
            "add_rule" => Action::AddRule,
            _ => {
                if let Some(n) = arg("goto:") {
                    return n.parse().ok().filter(|n| *n >= 1).map(Action::Goto);
                }
                if let Some(id) = arg("panel:") {
                    return Some(Action::Panel(id));
                }
                if let Some(s) = arg("op:") {
                    return Some(Action::StartOp(s));
                }
                if let Some(c) = arg("ctx:") {
                    return Some(Action::SwitchContext(c));
                }
                if let Some(c) = arg("cmd:") {
                    return Some(Action::Command(c));
                }
                return None;
            }
        })
    }

    /// One line for `?` help and `opsdeck keys`.
    pub fn describe(&self) -> String {
        match self {
            Action::Quit => "quit".into(),
            Action::Help => "show this help".into(),
            Action::Palette => "command palette (fuzzy)".into(),
            Action::Filter => "filter the table".into(),
            Action::Back => "back / close / clear filter".into(),
            Action::NextPanel => "next panel".into(),
            Action::PrevPanel => "previous panel".into(),
            Action::Goto(n) => format!("panel {n}"),
            Action::Panel(id) => format!("panel {id}"),
            Action::TogglePause => "pause / resume updates".into(),
            Action::RefreshFaster => "collect faster (within each source's bounds)".into(),
            Action::RefreshSlower => "collect slower".into(),
            Action::Up => "row up".into(),
            Action::Down => "row down".into(),
            Action::PageUp => "page up".into(),
            Action::PageDown => "page down".into(),
            Action::Top => "first row".into(),
            Action::Bottom => "last row".into(),
            Action::Select => "open the selected row's detail view".into(),
            Action::OpenLogs => "open the selected row's CloudWatch logs".into(),
            Action::SortNext => "sort the table by the next column".into(),
            Action::SortFlip => "flip the sort order".into(),
            Action::Copy => {
                "copy the selected row's identifier / an operation's plan (OSC 52)".into()
            }
            Action::Silence => {
                "silence the selected alarm / service's findings (15m, 1h, 4h, custom)".into()
            }
            Action::ReplayStep => "replay: one sample forward (pauses)".into(),
            Action::ReplayFaster => "replay: faster".into(),
            Action::ReplaySlower => "replay: slower".into(),
            Action::ChartWindow => "charts: cycle the window 5m / 1h / 24h".into(),
            Action::Accept => "accept".into(),
            Action::Cancel => "cancel".into(),
            Action::ClearInput => "clear input".into(),
            Action::Confirm => "confirm".into(),
            Action::Deny => "deny".into(),
            Action::RethrottleUp => "running op: double the task's throttle".into(),
            Action::RethrottleDown => "running op: halve the task's throttle".into(),
            Action::CancelTask => "running op: cancel its background task".into(),
            Action::Hold => "running op: hold before the next gate (cutover)".into(),
            Action::Release => "running op: release the hold".into(),
            Action::Abort => "running op: abort (rolls back before the point of no return)".into(),
            Action::ThrottleType => "running op: type a throttle (requests/s)".into(),
            Action::ThrottleUnlimited => "running op: unlimited throttle".into(),
            Action::FocusNext => "next field / button".into(),
            Action::FocusPrev => "previous field / button".into(),
            Action::ToggleRule => "enable / disable the selected rule".into(),
            Action::DeleteRule => "remove the selected rule".into(),
            Action::AddRule => "add a rule (a form)".into(),
            Action::StartOp(s) => format!("start operation {s}"),
            Action::SwitchContext(c) => format!("switch to context {c}"),
            Action::Command(c) => format!("command {c}"),
        }
    }
}
