//! The simulation's storage classes: where the simulated bucket's bytes sit, in S3's
//! transition order. The lifecycle document itself is the one model every layer uses,
//! `services::s3::lifecycle_doc` (the AWS CLI's JSON shape): the world stores it as put, so a
//! get returns every field of what was put.

use serde::{Deserialize, Serialize};

/// Storage classes as S3's API names them. `STANDARD` is not a valid transition target but is
/// where new objects land.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum StorageClass {
    #[default]
    #[serde(rename = "STANDARD")]
    Standard,
    #[serde(rename = "STANDARD_IA")]
    StandardIa,
    #[serde(rename = "INTELLIGENT_TIERING")]
    IntelligentTiering,
    #[serde(rename = "ONEZONE_IA")]
    OnezoneIa,
    #[serde(rename = "GLACIER_IR")]
    GlacierIr,
    #[serde(rename = "GLACIER")]
    Glacier,
    #[serde(rename = "DEEP_ARCHIVE")]
    DeepArchive,
}

impl StorageClass {
    /// Every class, in waterfall order.
    pub const ALL: [StorageClass; 7] = [
        StorageClass::Standard,
        StorageClass::StandardIa,
        StorageClass::IntelligentTiering,
        StorageClass::OnezoneIa,
        StorageClass::GlacierIr,
        StorageClass::Glacier,
        StorageClass::DeepArchive,
    ];

    /// The class of an API name ("GLACIER_IR"); None for one the simulation does not model.
    pub fn from_api(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.api_name() == name)
    }

    pub fn api_name(self) -> &'static str {
        match self {
            StorageClass::Standard => "STANDARD",
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::OnezoneIa => "ONEZONE_IA",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }

    /// The CloudWatch `StorageType` the bytes of this class are reported under. Intelligent-
    /// Tiering splits into access tiers; this is its frequent-access tier, where objects enter.
    pub fn storage_type(self) -> &'static str {
        crate::model::s3_storage::of_class(self.api_name())
            .expect("every simulated class is in the storage table")
    }

    /// Position in S3's transition waterfall: objects only move to a class of higher rank
    /// (STANDARD -> STANDARD_IA -> INTELLIGENT_TIERING -> ONEZONE_IA -> GLACIER_IR -> GLACIER
    /// -> DEEP_ARCHIVE).
    pub fn rank(self) -> u8 {
        self as u8
    }

    /// Whether S3 allows a lifecycle transition from `self` to `to`.
    pub fn can_transition_to(self, to: StorageClass) -> bool {
        // One Zone-IA is the one class that may not go on to Glacier Instant Retrieval.
        if self == StorageClass::OnezoneIa && to == StorageClass::GlacierIr {
            return false;
        }
        to != StorageClass::Standard && to.rank() > self.rank()
    }
}
