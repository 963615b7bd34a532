//! Bucket detail: size and objects, bytes and monthly cost per storage class (CloudWatch's
//! StorageType names), lifecycle rules, and where the figures come from.

use ratatui::text::{Line, Span};

use super::{Body, fields};
use crate::fmt;
use crate::state::State;

pub fn body<'a>(st: &'a State, id: &str) -> Option<Body<'a>> {
    let s = st.data.s3.as_ref()?;
    let b = s.buckets.iter().find(|b| b.name == id)?;
    let mut lines = fields(
        st,
        &[
            ("bucket", b.name.clone()),
            ("size", fmt::bytes(b.total_bytes)),
            ("objects", fmt::count(b.objects as f64)),
            ("cost", format!("{}/month", fmt::usd(b.monthly_cost_usd))),
            (
                "measured by",
                format!(
                    "{}{}",
                    crate::model::s3_storage::measured_by_label(&b.measured_by),
                    b.as_of.map_or(String::new(), |t| format!(", as of {t}"))
                ),
            ),
            ("error", b.error.clone().unwrap_or("-".into())),
        ],
    );
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "storage class (StorageType)            bytes        $/month",
        st.theme.title(),
    ));
    for (tier, bytes) in &b.tiers {
        let cost = b.cost_by_tier.get(tier).copied();
        lines.push(Line::raw(format!(
            "{tier:<34} {:>10}  {:>12}",
            fmt::bytes(*bytes),
            cost.map_or("-".into(), fmt::usd)
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("lifecycle rules", st.theme.title()));
    if b.lifecycle_rules.is_empty() {
        lines.push(Line::styled("  none", st.theme.dim()));
    }
    for r in &b.lifecycle_rules {
        lines.push(Line::from(vec![
            Span::raw(format!("  {} ", r.id)),
            Span::styled(format!("[{}] ", r.status), st.theme.dim()),
            Span::raw(r.summary.clone()),
        ]));
    }
    Some(Body::text(lines))
}
