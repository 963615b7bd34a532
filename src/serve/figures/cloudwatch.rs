//! Generic CloudWatch panels (each figure in its base unit, with its status) and the CloudWatch
//! alarms on `/metrics`.

use super::labels::{base, bool01, with};
use crate::model::source::Update;
use crate::model::*;
use crate::serve::families::{Desc, Families};

pub const CW_SECONDS: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure",
    Some("seconds"),
    "A CloudWatch panel figure measured in time (panel unit s or ms), per panel (instance) and figure.",
);
pub const CW_BYTES: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure",
    Some("bytes"),
    "A CloudWatch panel figure measured in bytes, per panel (instance) and figure.",
);
pub const CW_RATIO: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure",
    Some("ratio"),
    "A CloudWatch panel figure given in percent, as a ratio 0..1, per panel (instance) and figure.",
);
pub const CW_RATE: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure",
    Some("per_second"),
    "A CloudWatch panel figure given per second, per panel (instance) and figure.",
);
pub const CW_VALUE: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure_value",
    None,
    "A CloudWatch panel figure without a base unit (counts), per panel (instance) and figure.",
);
pub const CW_STATUS: Desc = Desc::gauge(
    "opsdeck_cloudwatch_figure_status",
    None,
    "A panel figure judged against its panel thresholds: 1 for the current status (ok, warn, crit, no_data), 0 for the others.",
);
pub const ALARM_STATE: Desc = Desc::gauge(
    "opsdeck_cloudwatch_alarm_state",
    None,
    "CloudWatch alarm state per alarm (instance): 1 for the current StateValue (OK, ALARM, INSUFFICIENT_DATA), 0 for the others.",
);

pub(super) fn cloudwatch(
    f: &mut Families,
    ctx: &str,
    service: &str,
    panel: &str,
    figs: &[CwFigure],
) {
    let b = with(base(ctx, service), &[("instance", panel)]);
    for fig in figs {
        let l = with(b.clone(), &[("figure", &fig.label)]);
        let (desc, scale) = match fig.unit.as_str() {
            "s" => (&CW_SECONDS, 1.0),
            "ms" => (&CW_SECONDS, 0.001),
            "bytes" => (&CW_BYTES, 1.0),
            "%" => (&CW_RATIO, 0.01),
            u if u.ends_with("/s") => (&CW_RATE, 1.0),
            _ => (&CW_VALUE, 1.0),
        };
        f.add_opt(desc, l.clone(), fig.value.map(|v| v * scale));
        for (st, name) in [
            (Status::Ok, "ok"),
            (Status::Warn, "warn"),
            (Status::Crit, "crit"),
            (Status::NoData, "no_data"),
        ] {
            f.add(
                &CW_STATUS,
                with(l.clone(), &[("status", name)]),
                bool01(fig.status == st),
            );
        }
    }
}

fn alarms(f: &mut Families, ctx: &str, alarms: &[Alarm]) {
    let b = base(ctx, "cloudwatch");
    for a in alarms {
        for state in ["OK", "ALARM", "INSUFFICIENT_DATA"] {
            f.add(
                &ALARM_STATE,
                with(b.clone(), &[("instance", &a.name), ("state", state)]),
                bool01(a.state == state),
            );
        }
    }
}

/// The figures of one round of a generic CloudWatch panel.
pub(super) fn add(f: &mut Families, ctx: &str, u: &Update) {
    if let Update::CloudWatch(panel, figs) = u {
        cloudwatch(f, ctx, "cloudwatch", panel, figs);
    }
}

/// The state of each alarm of one round.
pub(super) fn add_alarms(f: &mut Families, ctx: &str, u: &Update) {
    if let Update::Alarms(a) = u {
        alarms(f, ctx, &a.alarms);
    }
}
