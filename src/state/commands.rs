//! The `:` commands: ONE table ([`COMMANDS`]) of every command the console accepts after `:`,
//! with its argument shape, one line of help, the modes it runs in and what it becomes. The
//! parser ([`parse`]), the palette (one entry per command, `palette.rs`) and `?` help
//! (`ui::help`) all read it, so a command cannot be added without being listed.
//!
//! A command that exists but is not allowed in the console's mode (a replay, a read-only
//! context, the demo) is refused naming the mode ([`refusal`]); a word that names no command
//! is "unknown command X" with the nearest known name.

use super::State;

/// The operation commands: the names `app::console` reads an operation spec with.
pub const CUTOVER: &str = "cutover";
/// Resume an interrupted cutover from the step it stopped at.
pub const RESUME_CUTOVER: &str = "resume cutover";
/// Roll back an interrupted cutover (before its point of no return).
pub const ROLLBACK_CUTOVER: &str = "roll back cutover";
/// Copy the index behind an alias into its next version, then move the alias.
pub const REINDEX: &str = "reindex";
/// Resume a reindex into the target an interrupted run kept (`opsdeck op reindex --resume`).
pub const RESUME_REINDEX: &str = "resume reindex";
/// The S3 lifecycle rule editor of a bucket.
pub const LIFECYCLE: &str = "lifecycle";
/// Write the table on screen to a file (carried out by the main loop).
pub const EXPORT: &str = "export";
/// Follow a CloudWatch Logs group (carried out by the main loop).
pub const LOGS: &str = "logs";

/// Where a command may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Every mode (a replay too).
    Anywhere,
    /// A console collecting live (not a replay).
    Live,
    /// A live console that may change things: not a replay, not a read-only context.
    Operations,
    /// A live console on real services: not a replay, not the demo (CloudWatch Logs).
    LiveReal,
    /// A replay of a recording (`opsdeck replay FILE`).
    Replay,
}

/// What an allowed command becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// `State::silence_command`: a silence with the one label `alerts::label` gives.
    Silence,
    /// `State::unsilence_command`.
    Unsilence,
    /// `State::replay_jump_text`: the replay clock to a moment (`model::moment`).
    At,
    /// `Action::Panel(ARGS)`, carried out by the State.
    Panel,
    /// Handed to the main loop as `Action::SwitchContext(ARGS)`.
    Context,
    /// Handed to the main loop as `Action::StartOp("NAME ARGS")`.
    Operation,
    /// Handed to the main loop as `Action::Command("NAME ARGS")` (export, logs).
    Loop,
}

/// One `:` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    /// What is typed, one or more words: "silence", "resume reindex".
    pub name: &'static str,
    /// The arguments' shape, upper case for what the operator fills in, `[..]` optional.
    pub args: &'static str,
    /// One line of help, shown beside it in the palette and in `?` help.
    pub help: &'static str,
    /// The modes it runs in; the others refuse it ([`refusal`]).
    pub allowed: Allowed,
    /// What it becomes once allowed.
    pub run: Run,
}

impl Command {
    /// "silence KEY DURATION": the name and the argument shape, as the palette lists it.
    pub fn usage(&self) -> String {
        if self.args.is_empty() {
            self.name.to_string()
        } else {
            format!("{} {}", self.name, self.args)
        }
    }

    /// Whether the command needs an argument (its shape starts with a required one).
    pub fn needs_args(&self) -> bool {
        !self.args.is_empty() && !self.args.starts_with('[')
    }
}

/// Every `:` command, in the order the palette and help list them: looking, then acting.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "panel",
        args: "ID",
        help: "go to a panel (aurora, redis, a CloudWatch panel id)",
        allowed: Allowed::Anywhere,
        run: Run::Panel,
    },
    Command {
        name: "ctx",
        args: "NAME[,NAME] | all",
        help: "switch to a context of the config (several: a,b)",
        allowed: Allowed::Live,
        run: Run::Context,
    },
    Command {
        name: "at",
        args: "TIME",
        help: "jump to a time of the recording (03:12, -5m, RFC 3339)",
        allowed: Allowed::Replay,
        run: Run::At,
    },
    Command {
        name: LOGS,
        args: "GROUP [stream=S from=MS to=MS]",
        help: "follow a CloudWatch Logs group on the logs panel",
        allowed: Allowed::LiveReal,
        run: Run::Loop,
    },
    Command {
        name: EXPORT,
        args: "PATH",
        help: "write the table on screen to PATH (CSV, or .json)",
        allowed: Allowed::Anywhere,
        run: Run::Loop,
    },
    Command {
        name: "silence",
        args: "KEY DURATION",
        help: "silence a panel's findings or an alarm (redis 1h)",
        allowed: Allowed::Anywhere,
        run: Run::Silence,
    },
    Command {
        name: "unsilence",
        args: "KEY",
        help: "end a silence (keys are listed in ? help)",
        allowed: Allowed::Anywhere,
        run: Run::Unsilence,
    },
    Command {
        name: REINDEX,
        args: "ALIAS",
        help: "copy an alias's index into its next version, move the alias",
        allowed: Allowed::Operations,
        run: Run::Operation,
    },
    Command {
        name: RESUME_REINDEX,
        args: "ALIAS",
        help: "copy into the target an interrupted reindex kept",
        allowed: Allowed::Operations,
        run: Run::Operation,
    },
    Command {
        name: LIFECYCLE,
        args: "BUCKET",
        help: "edit a bucket's S3 lifecycle rules",
        allowed: Allowed::Operations,
        run: Run::Operation,
    },
    Command {
        name: CUTOVER,
        args: "PLAN",
        help: "run a cutover plan of the context (guarded, confirmed)",
        allowed: Allowed::Operations,
        run: Run::Operation,
    },
    Command {
        name: RESUME_CUTOVER,
        args: "PLAN",
        help: "resume an interrupted cutover where it stopped",
        allowed: Allowed::Operations,
        run: Run::Operation,
    },
    Command {
        name: ROLLBACK_CUTOVER,
        args: "PLAN",
        help: "roll back an interrupted cutover",
        allowed: Allowed::Operations,
        run: Run::Operation,
    },
];

/// The console's mode, as far as commands care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode<'a> {
    /// The recording replayed (`opsdeck replay FILE`), None when live.
    pub replay: Option<&'a str>,
    /// Operations are refused (`--read-only`, `read_only = true`).
    pub read_only: bool,
    /// The embedded simulation.
    pub demo: bool,
    /// The context shown.
    pub context: &'a str,
}

/// What typed text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'t> {
    /// A command and its arguments (trimmed; possibly empty).
    Known(&'static Command, &'t str),
    /// No command: the flash text, naming the typed word and the nearest command.
    Unknown(String),
}

/// The command `text` starts with (the longest name that matches whole words), and its
/// arguments.
pub fn parse(text: &str) -> Parsed<'_> {
    let t = text.trim();
    let found = COMMANDS
        .iter()
        .filter(|c| {
            t.strip_prefix(c.name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
        .max_by_key(|c| c.name.len());
    match found {
        Some(c) => Parsed::Known(c, t[c.name.len()..].trim()),
        None => Parsed::Unknown(unknown(t)),
    }
}

/// "unknown command X (did you mean Y?)": X the typed word(s) as many as the nearest name has,
/// Y that name when it is near enough (Jaro-Winkler similarity of 0.8 or more).
fn unknown(t: &str) -> String {
    let words: Vec<&str> = t.split_whitespace().collect();
    let first_k = |k: usize| words.iter().take(k).copied().collect::<Vec<_>>().join(" ");
    let nearest = COMMANDS
        .iter()
        .map(|c| {
            let typed = first_k(c.name.split(' ').count());
            (c, typed.clone(), strsim::jaro_winkler(&typed, c.name))
        })
        .filter(|(_, _, score)| *score >= 0.8)
        .max_by(|a, b| a.2.total_cmp(&b.2));
    match nearest {
        Some((c, typed, _)) => format!(
            "unknown command {typed} (did you mean {}?; : lists every command)",
            c.name
        ),
        None => format!("unknown command {} (: lists every command)", first_k(1)),
    }
}

/// Why `what` (a command's name, or "the replay keys") cannot run in `mode`, or None when it
/// may. The text starts with "refused: " and names the mode.
pub fn refusal(allowed: Allowed, what: &str, mode: &Mode) -> Option<String> {
    match (allowed, mode.replay) {
        (Allowed::Anywhere, _) => None,
        (Allowed::Replay, Some(_)) => None,
        (Allowed::Replay, None) => Some(live_refusal(what)),
        (Allowed::Operations, Some(file)) => Some(format!(
            "refused: {what} changes live systems; this console replays the recording {file}"
        )),
        (Allowed::Live | Allowed::LiveReal, Some(file)) => Some(format!(
            "refused: {what} works on a live console; this one replays the recording {file}"
        )),
        (Allowed::Operations, None) if mode.read_only => Some(format!(
            "refused: {what} is an operation and context {} is read-only \
             (--read-only or read_only = true)",
            mode.context
        )),
        (Allowed::LiveReal, None) if mode.demo => Some(format!(
            "refused: {what} reads CloudWatch Logs, which the demo does not have \
             (DEMO mode: open a config with AWS credentials)"
        )),
        (Allowed::Operations | Allowed::Live | Allowed::LiveReal, None) => None,
    }
}

/// The refusal of something that works in a replay only, asked for on a live console.
pub fn live_refusal(what: &str) -> String {
    format!("refused: {what} works in a replay only (opsdeck replay FILE); this console is live")
}

/// The commands `mode` allows, in table order (what the palette offers).
pub fn allowed_in(mode: &Mode) -> Vec<&'static Command> {
    COMMANDS
        .iter()
        .filter(|c| refusal(c.allowed, c.name, mode).is_none())
        .collect()
}

impl State {
    /// The mode commands are judged against.
    pub fn mode(&self) -> Mode<'_> {
        Mode {
            replay: self.replay.as_ref().map(|r| r.name.as_str()),
            read_only: self.read_only,
            demo: self.demo,
            context: &self.context,
        }
    }

    /// Text typed after `:` that chose no palette entry: parsed with [`COMMANDS`], refused,
    /// carried out here, or handed back to the main loop (context switch, operation, export,
    /// logs). What goes wrong is flashed: an unknown command, a refusal, a missing argument.
    pub fn run_command(&mut self, text: &str) -> Vec<crate::keymap::Action> {
        use crate::keymap::Action;
        let (cmd, args) = match parse(text) {
            Parsed::Known(c, a) => (c, a.to_string()),
            Parsed::Unknown(msg) => {
                self.set_flash(msg);
                return Vec::new();
            }
        };
        if let Some(why) = refusal(cmd.allowed, cmd.name, &self.mode()) {
            self.set_flash(why);
            return Vec::new();
        }
        if args.is_empty() && cmd.needs_args() {
            self.set_flash(format!("{}: {}", cmd.usage(), cmd.help));
            return Vec::new();
        }
        let whole = format!("{} {args}", cmd.name).trim().to_string();
        match cmd.run {
            Run::Silence => self.silence_command(&args),
            Run::Unsilence => self.unsilence_command(&args),
            Run::At => {
                if let Err(e) = self.replay_jump_text(&args) {
                    self.set_flash(e);
                }
            }
            Run::Panel => return self.apply_action(Action::Panel(args)),
            Run::Context => return vec![Action::SwitchContext(args)],
            Run::Operation => return vec![Action::StartOp(whole)],
            Run::Loop => return vec![Action::Command(whole)],
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_name_wins_and_arguments_are_the_rest() {
        let Parsed::Known(c, a) = parse("  resume reindex  products ") else {
            panic!()
        };
        assert_eq!((c.name, a), (RESUME_REINDEX, "products"));
        let Parsed::Known(c, a) = parse("reindex products") else {
            panic!()
        };
        assert_eq!((c.name, a), (REINDEX, "products"));
        assert!(matches!(parse("reindexer x"), Parsed::Unknown(_)));
    }

    #[test]
    fn names_are_unique_and_every_command_has_help() {
        for (i, c) in COMMANDS.iter().enumerate() {
            assert!(!c.help.is_empty(), "{}", c.name);
            assert!(
                COMMANDS[..i].iter().all(|d| d.name != c.name),
                "{} twice",
                c.name
            );
        }
    }

    #[test]
    fn a_replay_refuses_before_read_only_says_why() {
        let m = Mode {
            replay: Some("x.opsrec"),
            read_only: true,
            demo: false,
            context: "prod",
        };
        let r = refusal(Allowed::Operations, REINDEX, &m).unwrap();
        assert!(r.contains("replays the recording x.opsrec"), "{r}");
        let live = Mode { replay: None, ..m };
        let r = refusal(Allowed::Operations, REINDEX, &live).unwrap();
        assert!(r.contains("context prod is read-only"), "{r}");
        assert!(refusal(Allowed::Anywhere, EXPORT, &m).is_none());
    }
}
