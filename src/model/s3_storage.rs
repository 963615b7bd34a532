//! The one table of S3 storage: every `StorageType` CloudWatch publishes `BucketSizeBytes`
//! under, which storage class its bytes belong to, and at which class's rate AWS bills them.
//! The collector, the listing scan, the lifecycle cost projection, the simulation and the panel
//! all read it, so a class and its StorageType cannot disagree between them.
//!
//! Source: Amazon S3 user guide, "Metrics and dimensions" (metrics-dimensions.html), the
//! `StorageType` dimension of the daily storage metrics; billing rates from the overhead
//! descriptions there ("charged GLACIER rates", "charged S3 Standard rates").

/// What the bytes of a StorageType are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Object data in the class.
    Data,
    /// Bytes billed beyond the data: the 128 KB minimum object size of the IA classes, the
    /// 32 KB archive index and the 8 KB S3 name/metadata of archived objects.
    Overhead,
    /// Parts of multipart uploads to an archive class not yet completed.
    Staging,
}

/// One CloudWatch StorageType.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageType {
    /// CloudWatch's `StorageType` dimension value (the snapshot's `tiers` key).
    pub name: &'static str,
    /// The S3 storage class (API spelling, `x-amz-storage-class`) whose objects make these bytes.
    pub class: &'static str,
    pub part: Part,
    /// The StorageType whose per-GB-month rate these bytes are billed at (itself for data).
    pub billed_as: &'static str,
    /// A few characters for the panel.
    pub short: &'static str,
}

const fn st(
    name: &'static str,
    class: &'static str,
    part: Part,
    billed_as: &'static str,
    short: &'static str,
) -> StorageType {
    StorageType {
        name,
        class,
        part,
        billed_as,
        short,
    }
}

use Part::{Data, Overhead, Staging};

/// Every StorageType S3 documents for `BucketSizeBytes`. A bucket's actual types are discovered
/// with ListMetrics; this table only names, classifies and prices them.
pub const STORAGE_TYPES: &[StorageType] = &[
    st(
        "StandardStorage",
        "STANDARD",
        Data,
        "StandardStorage",
        "Std",
    ),
    st(
        "ReducedRedundancyStorage",
        "REDUCED_REDUNDANCY",
        Data,
        "ReducedRedundancyStorage",
        "RRS",
    ),
    st(
        "IntelligentTieringFAStorage",
        "INTELLIGENT_TIERING",
        Data,
        "IntelligentTieringFAStorage",
        "IT-FA",
    ),
    st(
        "IntelligentTieringIAStorage",
        "INTELLIGENT_TIERING",
        Data,
        "IntelligentTieringIAStorage",
        "IT-IA",
    ),
    st(
        "IntelligentTieringAIAStorage",
        "INTELLIGENT_TIERING",
        Data,
        "IntelligentTieringAIAStorage",
        "IT-AIA",
    ),
    st(
        "IntelligentTieringAAStorage",
        "INTELLIGENT_TIERING",
        Data,
        "IntelligentTieringAAStorage",
        "IT-AA",
    ),
    st(
        "IntelligentTieringDAAStorage",
        "INTELLIGENT_TIERING",
        Data,
        "IntelligentTieringDAAStorage",
        "IT-DAA",
    ),
    // Archive Access tier: 32 KB index per object at the Glacier rate, 8 KB at Standard.
    st(
        "IntAAObjectOverhead",
        "INTELLIGENT_TIERING",
        Overhead,
        "GlacierStorage",
        "IT-AA+",
    ),
    st(
        "IntAAS3ObjectOverhead",
        "INTELLIGENT_TIERING",
        Overhead,
        "StandardStorage",
        "IT-AA+S3",
    ),
    // Deep Archive Access tier: 32 KB at the Deep Archive rate, 8 KB at Standard.
    st(
        "IntDAAObjectOverhead",
        "INTELLIGENT_TIERING",
        Overhead,
        "DeepArchiveStorage",
        "IT-DAA+",
    ),
    st(
        "IntDAAS3ObjectOverhead",
        "INTELLIGENT_TIERING",
        Overhead,
        "StandardStorage",
        "IT-DAA+S3",
    ),
    st(
        "StandardIAStorage",
        "STANDARD_IA",
        Data,
        "StandardIAStorage",
        "IA",
    ),
    // Objects under 128 KB are billed as 128 KB: the difference, at the class's own rate.
    st(
        "StandardIASizeOverhead",
        "STANDARD_IA",
        Overhead,
        "StandardIAStorage",
        "IA+",
    ),
    st(
        "OneZoneIAStorage",
        "ONEZONE_IA",
        Data,
        "OneZoneIAStorage",
        "OZ-IA",
    ),
    st(
        "OneZoneIASizeOverhead",
        "ONEZONE_IA",
        Overhead,
        "OneZoneIAStorage",
        "OZ-IA+",
    ),
    st(
        "GlacierInstantRetrievalStorage",
        "GLACIER_IR",
        Data,
        "GlacierInstantRetrievalStorage",
        "GIR",
    ),
    st(
        "GlacierInstantRetrievalSizeOverhead",
        "GLACIER_IR",
        Overhead,
        "GlacierInstantRetrievalStorage",
        "GIR+",
    ),
    st("GlacierStorage", "GLACIER", Data, "GlacierStorage", "GFR"),
    st(
        "GlacierStagingStorage",
        "GLACIER",
        Staging,
        "StandardStorage",
        "GFR-stg",
    ),
    st(
        "GlacierObjectOverhead",
        "GLACIER",
        Overhead,
        "GlacierStorage",
        "GFR+",
    ),
    st(
        "GlacierS3ObjectOverhead",
        "GLACIER",
        Overhead,
        "StandardStorage",
        "GFR+S3",
    ),
    st(
        "DeepArchiveStorage",
        "DEEP_ARCHIVE",
        Data,
        "DeepArchiveStorage",
        "DA",
    ),
    st(
        "DeepArchiveObjectOverhead",
        "DEEP_ARCHIVE",
        Overhead,
        "DeepArchiveStorage",
        "DA+",
    ),
    st(
        "DeepArchiveS3ObjectOverhead",
        "DEEP_ARCHIVE",
        Overhead,
        "StandardStorage",
        "DA+S3",
    ),
    st(
        "DeepArchiveStagingStorage",
        "DEEP_ARCHIVE",
        Staging,
        "StandardStorage",
        "DA-stg",
    ),
    st(
        "ExpressOneZone",
        "EXPRESS_ONEZONE",
        Data,
        "ExpressOneZone",
        "X1Z",
    ),
];

/// The table entry of a CloudWatch StorageType; None for a type AWS added after this table.
pub fn lookup(storage_type: &str) -> Option<&'static StorageType> {
    STORAGE_TYPES.iter().find(|t| t.name == storage_type)
}

/// The StorageType the object data of a storage class is reported under (ListObjectsV2's
/// `StorageClass`, a lifecycle transition's `StorageClass`). An empty class is STANDARD (S3
/// omits it for Standard objects). Intelligent-Tiering objects enter its frequent-access tier;
/// a listing does not say which tier they are in now. None for a class not in the table.
pub fn of_class(class: &str) -> Option<&'static str> {
    let class = if class.is_empty() { "STANDARD" } else { class };
    STORAGE_TYPES
        .iter()
        .find(|t| t.class == class && t.part == Data)
        .map(|t| t.name)
}

/// A short label for the panel: the table's, else the name without its "Storage" suffix.
pub fn short(storage_type: &str) -> &str {
    match lookup(storage_type) {
        Some(t) => t.short,
        None => storage_type.strip_suffix("Storage").unwrap_or(storage_type),
    }
}

/// Where a bucket's byte figures come from, in the operator's words, from the collector's
/// `measured_by` token ("cloudwatch", "scan (N objects)", "sim"): the CloudWatch metric, the
/// listing, or that the figure is the simulation's.
pub fn measured_by_label(measured_by: &str) -> String {
    match measured_by {
        "cloudwatch" => "CloudWatch BucketSizeBytes / NumberOfObjects (daily)".into(),
        "sim" => "S3 Storage Lens / CloudWatch BucketSizeBytes, simulated".into(),
        m => match m.strip_prefix("scan") {
            Some(rest) => format!("ListObjectsV2 scan{rest}"),
            None => m.to_string(),
        },
    }
}

/// [`measured_by_label`] for a narrow table column: "CloudWatch", "scan (N objects)",
/// "simulated".
pub fn measured_by_short(measured_by: &str) -> String {
    match measured_by {
        "cloudwatch" => "CloudWatch".into(),
        "sim" => "simulated".into(),
        m => m.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_storage_class_maps_to_its_data_storage_type_and_back() {
        for (class, ty) in [
            ("", "StandardStorage"),
            ("STANDARD", "StandardStorage"),
            ("REDUCED_REDUNDANCY", "ReducedRedundancyStorage"),
            ("STANDARD_IA", "StandardIAStorage"),
            ("ONEZONE_IA", "OneZoneIAStorage"),
            ("INTELLIGENT_TIERING", "IntelligentTieringFAStorage"),
            ("GLACIER_IR", "GlacierInstantRetrievalStorage"),
            ("GLACIER", "GlacierStorage"),
            ("DEEP_ARCHIVE", "DeepArchiveStorage"),
            ("EXPRESS_ONEZONE", "ExpressOneZone"),
        ] {
            assert_eq!(of_class(class), Some(ty), "{class}");
            if !class.is_empty() {
                assert_eq!(lookup(ty).unwrap().class, class);
            }
        }
        assert_eq!(of_class("OUTPOSTS"), None);
    }

    #[test]
    fn names_are_unique_and_every_billing_rate_is_a_data_type_of_the_table() {
        for (i, t) in STORAGE_TYPES.iter().enumerate() {
            assert!(
                STORAGE_TYPES[i + 1..].iter().all(|u| u.name != t.name),
                "{} twice",
                t.name
            );
            let billed = lookup(t.billed_as).expect(t.billed_as);
            assert_eq!(billed.part, Data, "{} billed as {}", t.name, t.billed_as);
        }
    }

    #[test]
    fn archive_overheads_are_billed_at_the_archive_and_standard_rates() {
        let b = |n: &str| lookup(n).unwrap().billed_as;
        assert_eq!(b("IntAAObjectOverhead"), "GlacierStorage");
        assert_eq!(b("IntAAS3ObjectOverhead"), "StandardStorage");
        assert_eq!(b("IntDAAObjectOverhead"), "DeepArchiveStorage");
        assert_eq!(b("IntDAAS3ObjectOverhead"), "StandardStorage");
        assert_eq!(b("GlacierObjectOverhead"), "GlacierStorage");
        assert_eq!(b("DeepArchiveS3ObjectOverhead"), "StandardStorage");
    }

    #[test]
    fn an_unknown_storage_type_keeps_its_name_as_label() {
        assert_eq!(short("IntelligentTieringAAStorage"), "IT-AA");
        assert_eq!(short("FutureColdStorage"), "FutureCold");
        assert_eq!(short("FutureOverhead"), "FutureOverhead");
        assert_eq!(
            measured_by_label("sim"),
            "S3 Storage Lens / CloudWatch BucketSizeBytes, simulated"
        );
        assert_eq!(
            measured_by_label("scan (12 objects)"),
            "ListObjectsV2 scan (12 objects)"
        );
    }
}
