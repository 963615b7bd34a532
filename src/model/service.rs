//! The service registry: [`PanelKind`] is the one enum naming the services, and [`SERVICES`]
//! has one row per kind (`kind = "redis"` in panels/*.toml) saying everything the layers know
//! about it as data: its name (the TOML kind, `errors[].source`, the snapshot key), what one row
//! of its table is called, and which headline figures, thresholds (with their fixed direction)
//! and state mappings its panel file may use. The sources are derived from the kinds
//! (`model::source::SourceKind::Service`). Behaviour stays in each layer's own file per service
//! (`services/<name>/`, `ui/<name>.rs`); this table is what used to be five parallel lists and
//! matches.
//!
//! Adding a service adds one [`ServiceDesc`] here (see docs/ARCHITECTURE.md, "The service
//! registry").

use serde::Deserialize;

/// The kind of a panel, as `kind = "..."` in a panel file. Every kind has one row in
/// [`SERVICES`] ([`PanelKind::desc`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelKind {
    Aurora,
    Redis,
    S3,
    #[serde(rename = "opensearch")]
    OpenSearch,
    Redshift,
    /// A generic panel over CloudWatch metrics (no Rust per panel: the file lists its metrics).
    #[serde(rename = "cloudwatch")]
    CloudWatch,
    Logs,
}

/// Which way a figure goes bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Bad when the value rises above the threshold (lag, memory, latency).
    #[default]
    Above,
    /// Bad when the value falls below it (hit ratio, free memory).
    Below,
}

/// What the layers know about one kind of panel, as data.
#[derive(Debug)]
pub struct ServiceDesc {
    pub kind: PanelKind,
    /// `kind = "<name>"` in panel files; the source's name in `errors[].source` and on screen.
    pub name: &'static str,
    /// What one row of its table (and its detail view) is: "node", "replica".
    pub item: &'static str,
    /// Headline figure names a panel file may list in `figures`, in the overview's default order.
    pub figures: &'static [&'static str],
    /// Threshold names a panel file may set, each with its fixed direction.
    pub thresholds: &'static [(&'static str, Direction)],
    /// State mappings (`[states.<name>]`) a panel file may set.
    pub states: &'static [&'static str],
}

/// The registry: one row per [`PanelKind`], in the footer's order.
pub const SERVICES: &[ServiceDesc] = &[
    ServiceDesc {
        kind: PanelKind::Aurora,
        name: "aurora",
        item: "replica",
        figures: &[
            "worst_lag",
            "writer",
            "replicas",
            "writer_cpu",
            "connections",
            "transactions",
        ],
        thresholds: &[
            ("replica_lag_seconds", Direction::Above),
            ("writer_cpu_percent", Direction::Above),
            ("connections_percent", Direction::Above),
            ("oldest_transaction_seconds", Direction::Above),
        ],
        states: &["replica"],
    },
    ServiceDesc {
        kind: PanelKind::Redis,
        name: "redis",
        item: "node",
        figures: &[
            "hit_ratio",
            "ops",
            "evictions",
            "memory",
            "clients",
            "nodes",
        ],
        thresholds: &[
            ("hit_ratio", Direction::Below),
            ("memory_percent", Direction::Above),
            ("evictions_per_sec", Direction::Above),
        ],
        states: &[],
    },
    ServiceDesc {
        kind: PanelKind::S3,
        name: "s3",
        item: "bucket",
        figures: &["total", "objects", "tiers", "cost", "rules"],
        thresholds: &[("monthly_cost_usd", Direction::Above)],
        states: &["lifecycle"],
    },
    ServiceDesc {
        kind: PanelKind::OpenSearch,
        name: "opensearch",
        item: "index",
        figures: &[
            "health",
            "alias",
            "docs",
            "indexing_rate",
            "search_latency",
            "tasks",
        ],
        thresholds: &[
            ("search_latency_ms", Direction::Above),
            ("indexing_latency_ms", Direction::Above),
        ],
        states: &["health"],
    },
    ServiceDesc {
        kind: PanelKind::Redshift,
        name: "redshift",
        item: "load run",
        figures: &["last_run", "failed", "p50_duration", "glue"],
        thresholds: &[("duration_seconds", Direction::Above)],
        states: &["run", "glue"],
    },
    ServiceDesc {
        kind: PanelKind::CloudWatch,
        name: "cloudwatch",
        item: "figure",
        figures: &[],
        thresholds: &[],
        states: &[],
    },
    ServiceDesc {
        kind: PanelKind::Logs,
        name: "logs",
        item: "log event",
        figures: &[],
        thresholds: &[],
        states: &[],
    },
];

impl PanelKind {
    /// This kind's row of [`SERVICES`].
    pub fn desc(self) -> &'static ServiceDesc {
        SERVICES
            .iter()
            .find(|d| d.kind == self)
            .expect("every PanelKind has a row in SERVICES (tested)")
    }

    /// `kind = "<name>"` in panel files.
    pub fn name(self) -> &'static str {
        self.desc().name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_panel_kind_has_exactly_one_registry_row_named_as_in_panel_files() {
        use PanelKind::*;
        for k in [Aurora, Redis, S3, OpenSearch, Redshift, CloudWatch, Logs] {
            // A new kind fails to compile here until it is listed above (and so in SERVICES).
            match k {
                Aurora | Redis | S3 | OpenSearch | Redshift | CloudWatch | Logs => {}
            }
            assert_eq!(k.desc().kind, k);
        }
        for d in SERVICES {
            assert_eq!(
                SERVICES.iter().filter(|o| o.kind == d.kind).count(),
                1,
                "{:?} listed twice",
                d.kind
            );
            // The name is the TOML spelling of the kind.
            let parsed: PanelKind =
                serde::Deserialize::deserialize(serde::de::value::StrDeserializer::<
                    serde::de::value::Error,
                >::new(d.name))
                .unwrap_or_else(|e| panic!("{}: {e}", d.name));
            assert_eq!(parsed, d.kind);
            assert_eq!(d.kind.desc().name, d.name);
        }
    }
}
