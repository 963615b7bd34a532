//! What each service's latest sample becomes on `/metrics`: every figure of the snapshot, named
//! `opsdeck_<service>_<figure>_<unit>` in base units (seconds, bytes, ratio 0..1), labelled with
//! `context`, `service` and, for a figure of one part, `instance` (replica, node address, bucket,
//! index, table, job, panel, alarm). Label values come from the config and the backend's bounded
//! vocabularies (StorageType, health colour, task action); ids that grow without bound (task ids,
//! run ids, dated index names) are never labels.
//!
//! Each service's families are its own file; [`FAMILIES`] picks among them, one line per kind.

use super::families::Families;
use crate::model::service::PanelKind;
use crate::model::source::Update;

mod aurora;
mod cloudwatch;
mod labels;
mod opensearch;
mod redis;
mod redshift;
mod s3;

/// One line of [`FAMILIES`]: the families a round of one source adds.
pub struct Family {
    /// The kind of panel the source feeds; None: the CloudWatch alarms, which feed none.
    pub kind: Option<PanelKind>,
    /// Add the families of one round (an update of another source adds nothing).
    pub add: fn(&mut Families, &str, &Update),
}

/// One line per source kind: what its latest data becomes on `/metrics`.
pub const FAMILIES: &[Family] = &[
    Family {
        kind: Some(PanelKind::Aurora),
        add: aurora::add,
    },
    Family {
        kind: Some(PanelKind::Redis),
        add: redis::add,
    },
    Family {
        kind: Some(PanelKind::S3),
        add: s3::add,
    },
    Family {
        kind: Some(PanelKind::OpenSearch),
        add: opensearch::add,
    },
    Family {
        kind: Some(PanelKind::Redshift),
        add: redshift::add,
    },
    Family {
        kind: Some(PanelKind::CloudWatch),
        add: cloudwatch::add,
    },
    // log lines are not figures; serve never follows log groups
    Family {
        kind: Some(PanelKind::Logs),
        add: |_, _, _| {},
    },
    Family {
        kind: None,
        add: cloudwatch::add_alarms,
    },
];

/// Add the families of one source's latest data.
pub fn add(f: &mut Families, context: &str, update: &Update) {
    let kind = update.source().panel_kind();
    if let Some(family) = FAMILIES.iter().find(|x| x.kind == kind) {
        (family.add)(f, context, update)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::service::SERVICES;

    #[test]
    fn every_source_kind_and_the_alarms_have_one_families_line() {
        for kind in SERVICES.iter().map(|d| Some(d.kind)).chain([None]) {
            let n = FAMILIES.iter().filter(|x| x.kind == kind).count();
            assert_eq!(n, 1, "{kind:?} has {n} FAMILIES lines");
        }
    }
}
