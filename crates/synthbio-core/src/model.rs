//! Model ids and what they imply: family (what goes in and out) and modality.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a model takes and returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Metadata in, expression out (`gem-1-bulk`, `gem-1-sc`).
    Baseline,
    /// Counts in; predicted metadata, classifier probabilities and latents out.
    MetadataPrediction,
    /// A reference sample plus perturbation metadata in, perturbed expression out.
    ReferenceConditioning,
}

impl Family {
    /// The `request_type` the self-hosted Arrow protocol uses for this family.
    pub fn request_type(self) -> &'static str {
        match self {
            Family::Baseline => "baseline",
            Family::MetadataPrediction => "predict_metadata",
            Family::ReferenceConditioning => "reference_conditioned",
        }
    }
}

/// Bulk RNA-seq or single-cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Bulk RNA-seq: default library size 10,000,000; both sampling strategies.
    Bulk,
    /// Single-cell: default library size 10,000; mean estimation only.
    SingleCell,
}

impl Modality {
    /// The `total_count` a query gets when it sets none (docs/protocol.md section 3).
    pub fn default_total_count(self) -> u64 {
        match self {
            Modality::Bulk => 10_000_000,
            Modality::SingleCell => 10_000,
        }
    }
}

/// A model id such as `gem-1-bulk_predict-metadata`, parsed into its parts.
///
/// Unknown ids are kept as they are (the service adds models): [`ModelId::family`]
/// and [`ModelId::modality`] are then `None` and only generic checks apply.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ModelId(String);

/// Suffix of metadata prediction model ids.
pub const PREDICT_METADATA_SUFFIX: &str = "_predict-metadata";
/// Suffix of reference conditioning model ids.
pub const REFERENCE_CONDITIONING_SUFFIX: &str = "_reference-conditioning";

impl ModelId {
    /// Wraps any model id string.
    pub fn new(id: impl Into<String>) -> Self {
        ModelId(id.into())
    }

    /// The id as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id without a family suffix (`gem-1-bulk_predict-metadata` -> `gem-1-bulk`).
    pub fn base(&self) -> &str {
        self.0
            .strip_suffix(PREDICT_METADATA_SUFFIX)
            .or_else(|| self.0.strip_suffix(REFERENCE_CONDITIONING_SUFFIX))
            .unwrap_or(&self.0)
    }

    /// The family implied by the suffix, for ids of the GEM naming scheme.
    pub fn family(&self) -> Option<Family> {
        self.modality()?;
        Some(if self.0.ends_with(PREDICT_METADATA_SUFFIX) {
            Family::MetadataPrediction
        } else if self.0.ends_with(REFERENCE_CONDITIONING_SUFFIX) {
            Family::ReferenceConditioning
        } else {
            Family::Baseline
        })
    }

    /// The modality implied by the base id (`*-bulk` or `*-sc`).
    pub fn modality(&self) -> Option<Modality> {
        let base = self.base();
        if !base.starts_with("gem-") {
            return None;
        }
        if base.ends_with("-bulk") {
            Some(Modality::Bulk)
        } else if base.ends_with("-sc") {
            Some(Modality::SingleCell)
        } else {
            None
        }
    }

    /// The name of the per-model base URL variable,
    /// `SYNTHESIZE_API_BASE_URL__<BASE>` (docs/protocol.md section 2).
    pub fn base_url_env_var(&self) -> String {
        let mut name = String::from("SYNTHESIZE_API_BASE_URL__");
        let mut in_run = false;
        for c in self.base().chars() {
            let c = c.to_ascii_uppercase();
            if c.is_ascii_uppercase() || c.is_ascii_digit() {
                name.push(c);
                in_run = false;
            } else if !in_run {
                name.push('_');
                in_run = true;
            }
        }
        name
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ModelId {
    fn from(s: &str) -> Self {
        ModelId::new(s)
    }
}

impl From<String> for ModelId {
    fn from(s: String) -> Self {
        ModelId(s)
    }
}

/// The three latent blocks of a GEM model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatentBlock {
    /// Biology of the sample: tissue, cell type, sex, age, disease.
    Biological,
    /// How it was measured: study, library preparation, platform.
    Technical,
    /// What was done to it: compound, genetic change, dose, time.
    Perturbation,
}

impl LatentBlock {
    /// All blocks in wire order.
    pub const ALL: [LatentBlock; 3] = [
        LatentBlock::Biological,
        LatentBlock::Technical,
        LatentBlock::Perturbation,
    ];

    /// The wire name (`biological`, `technical`, `perturbation`).
    pub fn as_str(self) -> &'static str {
        match self {
            LatentBlock::Biological => "biological",
            LatentBlock::Technical => "technical",
            LatentBlock::Perturbation => "perturbation",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_modalities() {
        let m = ModelId::from("gem-1-bulk_predict-metadata");
        assert_eq!(m.base(), "gem-1-bulk");
        assert_eq!(m.family(), Some(Family::MetadataPrediction));
        assert_eq!(m.modality(), Some(Modality::Bulk));
        let m = ModelId::from("gem-1-sc_reference-conditioning");
        assert_eq!(m.family(), Some(Family::ReferenceConditioning));
        assert_eq!(m.modality(), Some(Modality::SingleCell));
        assert_eq!(ModelId::from("gem-1-sc").family(), Some(Family::Baseline));
        assert_eq!(ModelId::from("other-model").family(), None);
    }

    #[test]
    fn base_url_variable_names() {
        assert_eq!(
            ModelId::from("gem-1-bulk_predict-metadata").base_url_env_var(),
            "SYNTHESIZE_API_BASE_URL__GEM_1_BULK"
        );
        assert_eq!(
            ModelId::from("gem-2.x--sc").base_url_env_var(),
            "SYNTHESIZE_API_BASE_URL__GEM_2_X_SC"
        );
    }
}
