//! What the console rings and what the operator silenced: a critical finding that was not there
//! on the previous look rings the terminal bell once (the main loop writes the BEL after the
//! frame, as it does the OSC 52 clipboard); a finding, a service's findings or an alarm can be
//! silenced until a chosen time (`m` on an overview or panel row, then 15m / 1h / 4h / custom).
//! A silenced item is still shown, marked with its end time, but it does not count in the
//! header's critical count, does not turn its service red and does not ring. Silences live in
//! the State, not in the data, so a refresh keeps them; each ends by itself at its time.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::findings::{Finding, service_of_source};
use super::lines::{rows, visible_alarms};
use super::{Input, State, Tab};
use crate::model::Status;

/// The durations the silence prompt offers, in the order of its keys `1`, `2`, `3`.
pub const CHOICES: [(&str, Duration); 3] = [
    ("15m", Duration::from_secs(15 * 60)),
    ("1h", Duration::from_secs(3600)),
    ("4h", Duration::from_secs(4 * 3600)),
];

/// The longest silence the prompt accepts (a forgotten silence hides a real page).
pub const MAX_SILENCE: Duration = Duration::from_secs(7 * 24 * 3600);

/// One silence: what (its key, see [`finding_key`], [`service_key`], [`alarm_key`]), shown as
/// `label`, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silence {
    pub key: String,
    pub label: String,
    pub until: DateTime<Utc>,
}

/// The bell's memory and the silences of one console.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    /// Ring the terminal bell on a new critical finding (config `bell`, default on).
    pub bell_enabled: bool,
    /// By key.
    silences: BTreeMap<String, Silence>,
    /// Keys of the critical, unsilenced findings at the previous look.
    seen_crit: BTreeSet<String>,
    /// A bell is owed to the terminal (taken by the main loop after the next frame).
    bell: bool,
}

/// Key of one finding, stable across samples: its service and its message with the figures
/// (words starting with a digit: values, limits, times, addresses) left out, so "memory used
/// 93%" and "memory used 94%" are the same finding while "catalog-1" and "catalog-2" differ.
pub fn finding_key(f: &Finding) -> String {
    let words: Vec<&str> = f
        .message
        .split_whitespace()
        .map(|w| {
            let w2 = w.trim_start_matches(['$', '-', '+', '(', '>', '<', '=']);
            if w2.starts_with(|c: char| c.is_ascii_digit()) {
                "#"
            } else {
                w
            }
        })
        .collect();
    format!("finding:{}:{}", f.service, words.join(" "))
}

/// Key silencing every finding of a service ("aurora", a CloudWatch panel id).
pub fn service_key(service: &str) -> String {
    format!("service:{service}")
}

/// Key of a CloudWatch alarm (its finding on the overview included).
pub fn alarm_key(name: &str) -> String {
    format!("alarm:{name}")
}

impl Alerts {
    pub fn new(bell_enabled: bool) -> Self {
        Alerts {
            bell_enabled,
            ..Default::default()
        }
    }

    /// Silence `key` until `until` (replacing an earlier silence of it).
    pub fn silence(&mut self, key: &str, label: &str, until: DateTime<Utc>) {
        self.silences.insert(
            key.to_string(),
            Silence {
                key: key.to_string(),
                label: label.to_string(),
                until,
            },
        );
    }

    /// End a silence now. Returns whether there was one.
    pub fn unsilence(&mut self, key: &str) -> bool {
        self.silences.remove(key).is_some()
    }

    /// When the silence of `key` ends, if it is in force at `now`.
    pub fn until(&self, key: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.silences
            .get(key)
            .filter(|s| s.until > now)
            .map(|s| s.until)
    }

    /// Silences in force at `now`, ending soonest first.
    pub fn active(&self, now: DateTime<Utc>) -> Vec<&Silence> {
        let mut v: Vec<&Silence> = self.silences.values().filter(|s| s.until > now).collect();
        v.sort_by_key(|s| (s.until, s.key.clone()));
        v
    }

    /// Forget silences that ended. Returns whether any did (the screen changes).
    pub fn expire(&mut self, now: DateTime<Utc>) -> bool {
        let before = self.silences.len();
        self.silences.retain(|_, s| s.until > now);
        before != self.silences.len()
    }

    /// When a finding is silenced (itself, its service, or the alarm it reports), until when.
    pub fn finding_until(&self, f: &Finding, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let alarm = (f.service == "alarms")
            .then(|| f.message.split(" in ALARM").next())
            .flatten()
            .and_then(|name| self.until(&alarm_key(name), now));
        [
            self.until(&finding_key(f), now),
            self.until(&service_key(&f.service), now),
            alarm,
        ]
        .into_iter()
        .flatten()
        .max()
    }

    /// Look at the current findings: a critical, unsilenced one whose key was not critical at
    /// the previous look owes the terminal one bell. A finding that clears and comes back
    /// rings again.
    pub fn observe(&mut self, findings: &[Finding], now: DateTime<Utc>) {
        let crit: BTreeSet<String> = findings
            .iter()
            .filter(|f| f.status == Status::Crit && self.finding_until(f, now).is_none())
            .map(finding_key)
            .collect();
        if self.bell_enabled && crit.iter().any(|k| !self.seen_crit.contains(k)) {
            self.bell = true;
        }
        self.seen_crit = crit;
    }

    /// Whether a bell is owed; clears it (one BEL per new finding, not one per frame).
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }
}

/// What the silence key acts on: the selected overview row (a service, an alarm, a CloudWatch
/// panel) or, on a panel, the panel's service. (key, label), the label [`label`] gives.
pub fn target(st: &State) -> Option<(String, String)> {
    let service_of = |r: &super::overview::Row| service_of_source(&r.kind.name()).to_string();
    let key = match &st.tab {
        Tab::Overview => {
            let f = st.findings();
            let (services, generic) = rows(st, &f);
            let alarms = visible_alarms(st);
            let i = st.view().selected;
            if let Some(r) = services.get(i) {
                Some(service_key(&service_of(r)))
            } else if let Some(a) = alarms.get(i - services.len()) {
                // The collapsed "N alarms" OK line is not one alarm.
                st.data
                    .alarms
                    .iter()
                    .any(|x| x.name == a.name)
                    .then(|| alarm_key(&a.name))
            } else {
                generic
                    .get(i - services.len() - alarms.len())
                    .map(|r| service_key(&service_of(r)))
            }
        }
        Tab::Panel(id) => {
            let def = st.panels.get(id)?;
            Some(service_key(service_of_source(
                &def.kind.source(&def.id).name(),
            )))
        }
    }?;
    let label = label(st, &key);
    Some((key, label))
}

/// How a silence of `key` reads everywhere it is shown (the prompt, the flash, `?` help),
/// whether it was made with `m` or with `:silence`: "Redis findings" (the panel's title),
/// "alarm catalog-replica-lag", "aurora: worst replica lag # s" (one finding).
pub fn label(st: &State, key: &str) -> String {
    if let Some(service) = key.strip_prefix("service:") {
        let title = st
            .panels
            .defs
            .iter()
            .find(|d| service_of_source(&d.kind.source(&d.id).name()) == service)
            .map_or(service, |d| d.title.as_str());
        format!("{title} findings")
    } else if let Some(name) = key.strip_prefix("alarm:") {
        format!("alarm {name}")
    } else if let Some(rest) = key.strip_prefix("finding:") {
        rest.replacen(':', ": ", 1)
    } else {
        key.to_string()
    }
}

/// The key a `:silence` / `:unsilence` argument names: a key as `?` help lists it
/// (`service:redis`, `alarm:NAME`, `finding:...`), or a panel id / service name (`redis`,
/// `dynamodb`), or an alarm's name. Errors say what is accepted.
pub fn key_of(st: &State, word: &str) -> Result<String, String> {
    let shown_service = |name: &str| {
        st.panels
            .defs
            .iter()
            .any(|d| service_of_source(&d.kind.source(&d.id).name()) == name)
    };
    if let Some(service) = word.strip_prefix("service:") {
        if shown_service(service) {
            return Ok(word.to_string());
        }
    } else if word.starts_with("alarm:") || word.starts_with("finding:") {
        return Ok(word.to_string());
    }
    if let Some(d) = st.panels.get(word) {
        return Ok(service_key(service_of_source(&d.kind.source(&d.id).name())));
    }
    if shown_service(word) {
        return Ok(service_key(word));
    }
    if st.data.alarms.iter().any(|a| a.name == word) {
        return Ok(alarm_key(word));
    }
    Err(format!(
        "silence: no panel or alarm {word:?} (write a panel id like redis, an alarm's name, \
         or a key as ? help lists it: service:NAME, alarm:NAME)"
    ))
}

impl State {
    /// The findings that count: critical and warning findings nobody silenced.
    pub fn unsilenced_findings(&self) -> Vec<Finding> {
        self.findings()
            .into_iter()
            .filter(|f| self.alerts.finding_until(f, self.now).is_none())
            .collect()
    }

    /// Critical findings in force (silenced ones left out), for the header.
    pub fn critical_count(&self) -> usize {
        self.unsilenced_findings()
            .iter()
            .filter(|f| f.status == Status::Crit)
            .count()
    }

    /// `m`: open the silence prompt for the selected row.
    pub fn open_silence_prompt(&mut self) {
        match target(self) {
            Some((key, label)) => {
                self.input = Some(Input::Silence {
                    key,
                    label,
                    custom: None,
                })
            }
            None => self.set_flash("nothing to silence on this line"),
        }
    }

    /// Silence `key` for `d` from now, labelled by [`label`], with a flash saying until when:
    /// the one path of `m` and `:silence`.
    pub fn silence_for(&mut self, key: &str, d: Duration) {
        let until = self.now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero());
        let label = label(self, key);
        self.alerts.silence(key, &label, until);
        // Kept (an alarm in OK can be silenced before it fires), but a mistyped name must not
        // read like a silence of something that is firing.
        let not_firing = key
            .strip_prefix("alarm:")
            .is_some_and(|name| !self.data.alarms.iter().any(|a| a.name == name));
        let note = if not_firing {
            " (no alarm of that name is in ALARM or INSUFFICIENT_DATA now; it applies if one fires)"
        } else {
            ""
        };
        self.set_flash(format!(
            "silenced {label} until {}{note}",
            until.format("%H:%M")
        ));
        let f = self.findings();
        self.alerts.observe(&f, self.now);
    }

    /// `:silence KEY DURATION` (its arguments): KEY as [`key_of`] reads it.
    pub fn silence_command(&mut self, args: &str) {
        let words: Vec<&str> = args.split_whitespace().collect();
        let [key, d] = words.as_slice() else {
            self.set_flash(
                "silence KEY DURATION: e.g. silence redis 1h, silence alarm:catalog-replica-lag 15m",
            );
            return;
        };
        match (key_of(self, key), parse_duration(d)) {
            (Ok(key), Ok(d)) => self.silence_for(&key, d),
            (Err(e), _) | (_, Err(e)) => self.set_flash(e),
        }
    }

    /// `:unsilence KEY` (its argument): KEY as [`key_of`] reads it.
    pub fn unsilence_command(&mut self, args: &str) {
        let key = key_of(self, args.trim()).unwrap_or_else(|_| args.trim().to_string());
        let label = label(self, &key);
        if self.alerts.unsilence(&key) {
            self.set_flash(format!("{label} no longer silenced"));
        } else {
            self.set_flash(format!("{label} was not silenced ({key})"));
        }
    }

    /// A key in the silence prompt: `1`/`2`/`3` pick a duration, `c` types one (accept applies
    /// it), cancel closes (or leaves the typed duration).
    pub(super) fn silence_key(&mut self, ev: crossterm::event::KeyEvent) {
        use crate::keymap::{Action, Scope};
        let action = self.keymap.lookup(Scope::Filter, &ev).cloned();
        let Some(Input::Silence { key, custom, .. }) = self.input.as_mut() else {
            return;
        };
        let key = key.clone();
        match (custom.as_mut(), action) {
            (Some(_), Some(Action::Cancel)) => *custom = None,
            (None, Some(Action::Cancel)) => self.input = None,
            (Some(text), Some(Action::Accept)) => match parse_duration(text.value()) {
                Ok(d) => {
                    self.input = None;
                    self.silence_for(&key, d);
                }
                Err(e) => self.set_flash(e),
            },
            (Some(text), Some(Action::ClearInput)) => text.clear(),
            (Some(text), _) => {
                text.handle_key(&ev);
            }
            (None, _) => {
                let crossterm::event::KeyCode::Char(c) = ev.code else {
                    return;
                };
                if let Some((_, d)) = c
                    .to_digit(10)
                    .and_then(|n| CHOICES.get((n as usize).wrapping_sub(1)))
                {
                    self.input = None;
                    self.silence_for(&key, *d);
                } else if c == 'c' {
                    *custom = Some(Default::default());
                }
            }
        }
    }

    /// Fold the current findings into the bell's memory (after data changed).
    pub fn observe_findings(&mut self) {
        let f = self.findings();
        self.alerts.observe(&f, self.now);
    }
}

/// A silence duration as typed ("15m", "1h30m", "90s"): humantime syntax, more than zero and at
/// most [`MAX_SILENCE`]. The error names the value.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text.trim())
        .map_err(|e| format!("silence duration {text:?}: {e} (write it like 15m, 1h or 2h30m)"))?;
    if d.is_zero() || d > MAX_SILENCE {
        return Err(format!(
            "silence duration {text:?}: must be more than 0 and at most 7 days"
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crit(service: &str, msg: &str) -> Finding {
        Finding {
            service: service.into(),
            status: Status::Crit,
            message: msg.into(),
        }
    }

    #[test]
    fn a_finding_keeps_its_key_when_only_its_figures_change() {
        let a = crit("redis", "shard-2 node memory used 93.1% > 90%");
        let b = crit("redis", "shard-2 node memory used 97.4% > 90%");
        let c = crit("redis", "shard-3 node memory used 97.4% > 90%");
        assert_eq!(finding_key(&a), finding_key(&b));
        assert_ne!(finding_key(&a), finding_key(&c));
    }

    #[test]
    fn the_bell_rings_once_per_new_critical_finding() {
        let now = Utc::now();
        let mut al = Alerts::new(true);
        let f = vec![crit("aurora", "replica catalog-2 lag 4.2 s > 1 s")];
        al.observe(&f, now);
        assert!(al.take_bell());
        assert!(!al.take_bell());
        let f2 = vec![crit("aurora", "replica catalog-2 lag 5.0 s > 1 s")];
        al.observe(&f2, now);
        assert!(!al.take_bell(), "same finding, new figure: no second bell");
        al.observe(&[], now);
        al.observe(&f2, now);
        assert!(al.take_bell(), "cleared and back: rings again");
    }

    #[test]
    fn a_silence_ends_by_itself() {
        let now = Utc::now();
        let mut al = Alerts::new(true);
        al.silence("alarm:x", "alarm x", now + chrono::Duration::minutes(15));
        assert!(al.until("alarm:x", now).is_some());
        let later = now + chrono::Duration::minutes(16);
        assert!(al.until("alarm:x", later).is_none());
        assert!(al.active(later).is_empty());
        assert!(al.expire(later));
    }

    #[test]
    fn silence_durations_are_bounded_and_errors_name_the_value() {
        assert_eq!(parse_duration("90m").unwrap(), Duration::from_secs(5400));
        let e = parse_duration("soon").unwrap_err();
        assert!(e.contains("\"soon\""), "{e}");
        assert!(parse_duration("30d").is_err());
    }
}
