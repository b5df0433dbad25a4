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

    /// The generation of model the id names, as the official client routes it.
    pub fn generation(&self) -> Generation {
        if is_gem2(&self.0) {
            Generation::Gem2
        } else if self.0.starts_with("gem-1-") && self.gem_modality().is_some() {
            Generation::Gem1
        } else {
            Generation::Unknown
        }
    }

    /// For a GEM-2 id, the operation it runs, the way pysynthbio 4.2.4 routes
    /// it: from the id's suffix, or from the query's `operation` for the bare
    /// `gem-2` (`None` when the id is not GEM-2 or the operation is unknown).
    pub fn gem2_operation(&self, query_operation: Option<&str>) -> Option<Gem2Operation> {
        gem2_operation(&self.0, query_operation)
    }

    /// The family implied by the suffix, for GEM-1 ids (GEM-2 and unknown
    /// models are `None`: their rules are the service's, not the client's).
    pub fn family(&self) -> Option<Family> {
        if self.generation() != Generation::Gem1 {
            return None;
        }
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
        self.gem_modality()
    }

    fn gem_modality(&self) -> Option<Modality> {
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

    /// The name of the per-model endpoint variable of the official clients'
    /// next release: `SYNTHESIZE_ENDPOINT_<KEY>` with [`ModelId::endpoint_key`].
    pub fn endpoint_env_var(&self) -> String {
        format!("SYNTHESIZE_ENDPOINT_{}", self.endpoint_key())
    }

    /// The key naming this model's endpoint in variables and the config file:
    /// `GEM_2` for every GEM-2 id (one service), else the base id upper-cased
    /// with each run of other characters as `_` (`gem-1-bulk_predict-metadata`
    /// -> `GEM_1_BULK`).
    pub fn endpoint_key(&self) -> String {
        if self.generation() == Generation::Gem2 {
            return "GEM_2".into();
        }
        endpoint_key(self.base())
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

/// Normalises an endpoint name (`gem-1-sc`, `gem_1_sc`, `GEM_1_SC`) to `GEM_1_SC`.
pub fn endpoint_key(name: &str) -> String {
    let mut key = String::new();
    let mut in_run = false;
    for c in name.trim().chars() {
        let c = c.to_ascii_uppercase();
        if c.is_ascii_uppercase() || c.is_ascii_digit() {
            key.push(c);
            in_run = false;
        } else if !in_run {
            key.push('_');
            in_run = true;
        }
    }
    key
}

/// Which generation of GEM model an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Generation {
    /// `gem-1-bulk`, `gem-1-sc` and their `_predict-metadata` /
    /// `_reference-conditioning` variants: the client knows their rules.
    Gem1,
    /// `gem-2`, `gem-2-bulk`, `gem-2-sc` and their variants, as pysynthbio
    /// 4.2.4 routes them: queries are sent as written.
    Gem2,
    /// Any other id: queries are sent as written, results decoded generically.
    Unknown,
}

/// The four hosted GEM-2 operations (pysynthbio 4.2.4's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gem2Operation {
    /// `predict-expression`: metadata in, expression out.
    #[serde(rename = "predict-expression")]
    PredictExpression,
    /// `predict-expression-from-reference`: reference conditioning.
    #[serde(rename = "predict-expression-from-reference")]
    PredictExpressionFromReference,
    /// `predict-metadata`: `predicted_metadata`, `classifier_probabilities`, latents.
    #[serde(rename = "predict-metadata")]
    PredictMetadata,
    /// `autoencode`: expression plus provenance (`model_release_id`, `vae_run_id`).
    #[serde(rename = "autoencode")]
    Autoencode,
}

impl Gem2Operation {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Gem2Operation::PredictExpression => "predict-expression",
            Gem2Operation::PredictExpressionFromReference => "predict-expression-from-reference",
            Gem2Operation::PredictMetadata => "predict-metadata",
            Gem2Operation::Autoencode => "autoencode",
        }
    }

    /// Reads a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "predict-expression" => Gem2Operation::PredictExpression,
            "predict-expression-from-reference" => Gem2Operation::PredictExpressionFromReference,
            "predict-metadata" => Gem2Operation::PredictMetadata,
            "autoencode" => Gem2Operation::Autoencode,
            _ => return None,
        })
    }
}

/// GEM-2 ids as pysynthbio 4.2.4 routes them: `gem-2`, `gem-2-{bulk,sc}`,
/// an optional `_{baseline,reference-conditioning,predict-metadata,metadata,autoencode}`
/// and an optional `-ensemble`, or an ensemble member
/// `gem-2-{bulk,sc}_reference-conditioning-<member>`. Hand-written matching
/// (no regex dependency in core) of that one pattern.
fn is_gem2(id: &str) -> bool {
    gem2_alias(id).is_some() || gem2_member(id)
}

/// `(modality given, operation suffix)` of a GEM-2 alias id.
fn gem2_alias(id: &str) -> Option<(bool, Option<&str>)> {
    let rest = id.strip_prefix("gem-2")?;
    let rest = rest.strip_suffix("-ensemble").unwrap_or(rest);
    let (modality, rest) = if let Some(r) = rest.strip_prefix("-bulk") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("-sc") {
        (true, r)
    } else {
        (false, rest)
    };
    if rest.is_empty() {
        return Some((modality, None));
    }
    let op = rest.strip_prefix('_')?;
    matches!(
        op,
        "baseline" | "reference-conditioning" | "predict-metadata" | "metadata" | "autoencode"
    )
    .then_some((modality, Some(op)))
}

fn gem2_member(id: &str) -> bool {
    let Some(rest) = id
        .strip_prefix("gem-2-bulk_reference-conditioning-")
        .or_else(|| id.strip_prefix("gem-2-sc_reference-conditioning-"))
    else {
        return false;
    };
    matches!(rest, "4w6l3p61" | "p3rz5xv7" | "x4s7hdmu")
}

fn gem2_operation(id: &str, query_operation: Option<&str>) -> Option<Gem2Operation> {
    if id == "gem-2" {
        return query_operation.and_then(Gem2Operation::parse);
    }
    if gem2_member(id) {
        return Some(Gem2Operation::PredictExpressionFromReference);
    }
    let (modality, op) = gem2_alias(id)?;
    if !modality && op.is_none() {
        // `gem-2-ensemble`: the official client routes it nowhere.
        return None;
    }
    Some(match op {
        Some("reference-conditioning") => Gem2Operation::PredictExpressionFromReference,
        Some("predict-metadata" | "metadata") => Gem2Operation::PredictMetadata,
        Some("autoencode") => Gem2Operation::Autoencode,
        _ => Gem2Operation::PredictExpression,
    })
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
    fn gem2_ids_are_routed_as_pysynthbio_does() {
        use Gem2Operation::*;
        for (id, op) in [
            ("gem-2-bulk", Some(PredictExpression)),
            ("gem-2-sc_predict-metadata", Some(PredictMetadata)),
            ("gem-2-bulk_metadata", Some(PredictMetadata)),
            (
                "gem-2-sc_reference-conditioning",
                Some(PredictExpressionFromReference),
            ),
            (
                "gem-2-bulk_reference-conditioning-p3rz5xv7",
                Some(PredictExpressionFromReference),
            ),
            ("gem-2-bulk_autoencode-ensemble", Some(Autoencode)),
            ("gem-2_baseline", Some(PredictExpression)),
            ("gem-2-ensemble", None),
        ] {
            let m = ModelId::from(id);
            assert_eq!(m.generation(), Generation::Gem2, "{id}");
            assert_eq!(m.gem2_operation(None), op, "{id}");
            assert_eq!(m.family(), None, "{id}");
            assert_eq!(m.endpoint_env_var(), "SYNTHESIZE_ENDPOINT_GEM_2", "{id}");
        }
        let bare = ModelId::from("gem-2");
        assert_eq!(bare.gem2_operation(Some("autoencode")), Some(Autoencode));
        assert_eq!(bare.gem2_operation(Some("guess")), None);
        for id in [
            "gem-2-bulk_reference-conditioning-zzz",
            "gem-3-bulk",
            "gem-2-bulk_other",
        ] {
            assert_eq!(ModelId::from(id).generation(), Generation::Unknown, "{id}");
        }
        assert_eq!(ModelId::from("gem-1-sc").generation(), Generation::Gem1);
        assert_eq!(
            ModelId::from("gem-1-bulk_predict-metadata").endpoint_env_var(),
            "SYNTHESIZE_ENDPOINT_GEM_1_BULK"
        );
        assert_eq!(endpoint_key("gem-1-sc"), endpoint_key("gem_1_sc"));
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
