//! What a key (or a palette entry) asks the console to do: the [`Action`] enum and ONE table,
//! [`ACTIONS`], of its names as written in keymap files, its group and the one-line
//! description `opsdeck keys` and `?` help show, in the order they list actions: the order an
//! operator scans them (navigation, then views, then actions and operations, then meta).

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
    /// Palette: put the selected entry in the input (a command's name, for its arguments).
    Complete,
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

/// Where an action sits in `?` help and `opsdeck keys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// Moving between panels, rows and fields.
    Navigation,
    /// What is shown and how: filters, sorting, chart windows, pace, replay speed.
    Views,
    /// Acting on what is selected: copy, silence, dialogs' answers, running operations.
    Actions,
    /// The console itself: the palette, help, quit.
    Meta,
}

/// One action of [`ACTIONS`]. Parametric actions have one row whose parameter is empty
/// (`Goto(0)`, `Panel("")`) and whose name is the keymap prefix (`goto:`, `panel:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInfo {
    /// The action (a parametric one with its parameter empty or 0).
    pub action: Action,
    /// The name in keymap files, or the prefix of a parametric one.
    pub name: &'static str,
    /// Its part of help: help lists rows in table order, so groups stay together.
    pub group: Group,
    /// One line for `?` help and `opsdeck keys`.
    pub describe: &'static str,
}

/// Every action, in the order help lists them (groups in [`Group`]'s order).
pub const ACTIONS: &[ActionInfo] = &[
    ActionInfo {
        action: Action::NextPanel,
        name: "next_panel",
        group: Group::Navigation,
        describe: "next panel",
    },
    ActionInfo {
        action: Action::PrevPanel,
        name: "prev_panel",
        group: Group::Navigation,
        describe: "previous panel",
    },
    ActionInfo {
        action: Action::Goto(0),
        name: "goto:",
        group: Group::Navigation,
        describe: "go to panel N (numbers in the footer)",
    },
    ActionInfo {
        action: Action::Back,
        name: "back",
        group: Group::Navigation,
        describe: "back / close / clear filter",
    },
    ActionInfo {
        action: Action::Up,
        name: "up",
        group: Group::Navigation,
        describe: "row up",
    },
    ActionInfo {
        action: Action::Down,
        name: "down",
        group: Group::Navigation,
        describe: "row down",
    },
    ActionInfo {
        action: Action::PageUp,
        name: "page_up",
        group: Group::Navigation,
        describe: "page up",
    },
    ActionInfo {
        action: Action::PageDown,
        name: "page_down",
        group: Group::Navigation,
        describe: "page down",
    },
    ActionInfo {
        action: Action::Top,
        name: "top",
        group: Group::Navigation,
        describe: "first row",
    },
    ActionInfo {
        action: Action::Bottom,
        name: "bottom",
        group: Group::Navigation,
        describe: "last row",
    },
    ActionInfo {
        action: Action::Select,
        name: "select",
        group: Group::Navigation,
        describe: "open the selected row's detail view",
    },
    ActionInfo {
        action: Action::OpenLogs,
        name: "open_logs",
        group: Group::Navigation,
        describe: "open the selected row's CloudWatch logs",
    },
    ActionInfo {
        action: Action::FocusNext,
        name: "focus_next",
        group: Group::Navigation,
        describe: "next field / button",
    },
    ActionInfo {
        action: Action::FocusPrev,
        name: "focus_prev",
        group: Group::Navigation,
        describe: "previous field / button",
    },
    ActionInfo {
        action: Action::Panel(String::new()),
        name: "panel:",
        group: Group::Navigation,
        describe: "go to a panel by id",
    },
    ActionInfo {
        action: Action::SwitchContext(String::new()),
        name: "ctx:",
        group: Group::Navigation,
        describe: "switch to a context",
    },
    ActionInfo {
        action: Action::Filter,
        name: "filter",
        group: Group::Views,
        describe: "filter the table",
    },
    ActionInfo {
        action: Action::SortNext,
        name: "sort",
        group: Group::Views,
        describe: "sort the table by the next column",
    },
    ActionInfo {
        action: Action::SortFlip,
        name: "sort_flip",
        group: Group::Views,
        describe: "flip the sort order",
    },
    ActionInfo {
        action: Action::ChartWindow,
        name: "window",
        group: Group::Views,
        describe: "charts: cycle the window 5m / 1h / 24h",
    },
    ActionInfo {
        action: Action::TogglePause,
        name: "pause",
        group: Group::Views,
        describe: "pause / resume updates",
    },
    ActionInfo {
        action: Action::RefreshFaster,
        name: "faster",
        group: Group::Views,
        describe: "collect faster (within each source's bounds)",
    },
    ActionInfo {
        action: Action::RefreshSlower,
        name: "slower",
        group: Group::Views,
        describe: "collect slower",
    },
    ActionInfo {
        action: Action::ReplayStep,
        name: "replay_step",
        group: Group::Views,
        describe: "replay: one sample forward (pauses)",
    },
    ActionInfo {
        action: Action::ReplayFaster,
        name: "replay_faster",
        group: Group::Views,
        describe: "replay: faster",
    },
    ActionInfo {
        action: Action::ReplaySlower,
        name: "replay_slower",
        group: Group::Views,
        describe: "replay: slower",
    },
    ActionInfo {
        action: Action::Copy,
        name: "copy",
        group: Group::Actions,
        describe: "copy the selected row's identifier / an operation's plan (OSC 52)",
    },
    ActionInfo {
        action: Action::Silence,
        name: "silence",
        group: Group::Actions,
        describe: "silence the selected alarm / service's findings (15m, 1h, 4h, custom)",
    },
    ActionInfo {
        action: Action::Accept,
        name: "accept",
        group: Group::Actions,
        describe: "accept",
    },
    ActionInfo {
        action: Action::Complete,
        name: "complete",
        group: Group::Actions,
        describe: "complete the selected command (then type its arguments)",
    },
    ActionInfo {
        action: Action::Confirm,
        name: "confirm",
        group: Group::Actions,
        describe: "confirm",
    },
    ActionInfo {
        action: Action::Deny,
        name: "deny",
        group: Group::Actions,
        describe: "deny",
    },
    ActionInfo {
        action: Action::Cancel,
        name: "cancel",
        group: Group::Actions,
        describe: "cancel",
    },
    ActionInfo {
        action: Action::ClearInput,
        name: "clear",
        group: Group::Actions,
        describe: "clear input",
    },
    ActionInfo {
        action: Action::RethrottleUp,
        name: "rethrottle_up",
        group: Group::Actions,
        describe: "running op: double the task's throttle",
    },
    ActionInfo {
        action: Action::RethrottleDown,
        name: "rethrottle_down",
        group: Group::Actions,
        describe: "running op: halve the task's throttle",
    },
    ActionInfo {
        action: Action::ThrottleType,
        name: "throttle",
        group: Group::Actions,
        describe: "running op: type a throttle (requests/s)",
    },
    ActionInfo {
        action: Action::ThrottleUnlimited,
        name: "unlimited",
        group: Group::Actions,
        describe: "running op: unlimited throttle",
    },
    ActionInfo {
        action: Action::CancelTask,
        name: "cancel_task",
        group: Group::Actions,
        describe: "running op: cancel its background task",
    },
    ActionInfo {
        action: Action::Hold,
        name: "hold",
        group: Group::Actions,
        describe: "running op: hold before the next gate (cutover)",
    },
    ActionInfo {
        action: Action::Release,
        name: "release",
        group: Group::Actions,
        describe: "running op: release the hold",
    },
    ActionInfo {
        action: Action::Abort,
        name: "abort",
        group: Group::Actions,
        describe: "running op: abort (rolls back before the point of no return)",
    },
    ActionInfo {
        action: Action::ToggleRule,
        name: "toggle_rule",
        group: Group::Actions,
        describe: "enable / disable the selected rule",
    },
    ActionInfo {
        action: Action::DeleteRule,
        name: "delete_rule",
        group: Group::Actions,
        describe: "remove the selected rule",
    },
    ActionInfo {
        action: Action::AddRule,
        name: "add_rule",
        group: Group::Actions,
        describe: "add a rule (a form)",
    },
    ActionInfo {
        action: Action::StartOp(String::new()),
        name: "op:",
        group: Group::Actions,
        describe: "start an operation",
    },
    ActionInfo {
        action: Action::Command(String::new()),
        name: "cmd:",
        group: Group::Actions,
        describe: "run a : command",
    },
    ActionInfo {
        action: Action::Palette,
        name: "palette",
        group: Group::Meta,
        describe: "command palette (fuzzy)",
    },
    ActionInfo {
        action: Action::Help,
        name: "help",
        group: Group::Meta,
        describe: "show this help",
    },
    ActionInfo {
        action: Action::Quit,
        name: "quit",
        group: Group::Meta,
        describe: "quit",
    },
];

impl Action {
    /// The action as its row of [`ACTIONS`] holds it (a parametric one without parameter).
    fn row_action(&self) -> Action {
        match self {
            Action::Goto(_) => Action::Goto(0),
            Action::Panel(_) => Action::Panel(String::new()),
            Action::StartOp(_) => Action::StartOp(String::new()),
            Action::SwitchContext(_) => Action::SwitchContext(String::new()),
            Action::Command(_) => Action::Command(String::new()),
            a => a.clone(),
        }
    }

    /// This action's row of [`ACTIONS`] (a parametric one's shared row).
    pub fn info(&self) -> &'static ActionInfo {
        &ACTIONS[self.rank().0]
    }

    /// Where help lists it: its row's place in [`ACTIONS`], then its parameter (panel N).
    pub fn rank(&self) -> (usize, usize) {
        let probe = self.row_action();
        let row = ACTIONS
            .iter()
            .position(|i| i.action == probe)
            .expect("every action has a row in ACTIONS");
        (row, if let Action::Goto(n) = self { *n } else { 0 })
    }

    /// The name used in keymap files.
    pub fn name(&self) -> String {
        let prefix = self.info().name;
        match self {
            Action::Goto(n) => format!("{prefix}{n}"),
            Action::Panel(s)
            | Action::StartOp(s)
            | Action::SwitchContext(s)
            | Action::Command(s) => format!("{prefix}{s}"),
            _ => prefix.to_string(),
        }
    }

    /// The action a keymap name stands for (`quit`, `goto:3`, `op:reindex products`).
    pub fn parse(name: &str) -> Option<Action> {
        for i in ACTIONS {
            if !i.name.ends_with(':') {
                if i.name == name {
                    return Some(i.action.clone());
                }
                continue;
            }
            let Some(arg) = name
                .strip_prefix(i.name)
                .map(str::trim)
                .filter(|s| !s.is_empty())
            else {
                continue;
            };
            return match &i.action {
                Action::Goto(_) => arg.parse().ok().filter(|n| *n >= 1).map(Action::Goto),
                Action::Panel(_) => Some(Action::Panel(arg.into())),
                Action::StartOp(_) => Some(Action::StartOp(arg.into())),
                Action::SwitchContext(_) => Some(Action::SwitchContext(arg.into())),
                _ => Some(Action::Command(arg.into())),
            };
        }
        None
    }

    /// One line for `?` help and `opsdeck keys`.
    pub fn describe(&self) -> String {
        match self {
            Action::Goto(n) => format!("panel {n}"),
            Action::Panel(id) => format!("panel {id}"),
            Action::StartOp(s) => format!("start operation {s}"),
            Action::SwitchContext(c) => format!("switch to context {c}"),
            Action::Command(c) => format!("command {c}"),
            a => a.info().describe.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_reads_back_as_itself_and_names_are_unique() {
        for (i, row) in ACTIONS.iter().enumerate() {
            assert!(
                ACTIONS[..i].iter().all(|r| r.name != row.name),
                "{} twice",
                row.name
            );
            if !row.name.ends_with(':') {
                assert_eq!(Action::parse(row.name).as_ref(), Some(&row.action));
                assert_eq!(row.action.name(), row.name);
            }
        }
        assert_eq!(Action::parse("goto:3"), Some(Action::Goto(3)));
        assert_eq!(Action::parse("goto:0"), None);
        assert_eq!(
            Action::parse("op:reindex products"),
            Some(Action::StartOp("reindex products".into()))
        );
        assert_eq!(Action::Goto(3).name(), "goto:3");
        assert_eq!(Action::parse("nope"), None);
    }

    #[test]
    fn groups_come_in_order() {
        assert!(ACTIONS.windows(2).all(|w| w[0].group <= w[1].group));
    }
}
