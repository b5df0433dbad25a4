//! Queries as sent to `POST /api/models/{id}/predict` (docs/protocol.md section 3).
//!
//! One [`Query`] type carries the three families' fields with their exact wire
//! names; the constructors [`Query::baseline`], [`Query::reference_conditioning`]
//! and [`Query::metadata_prediction`] build each family's shape, and
//! [`crate::validate`] checks a query against its model before it is sent.
//! Reading is tolerant the way the service is: `mode` for `sampling_strategy`,
//! R's scalars for one-element lists and `{}` for empty ones, whole-number floats.

use crate::model::LatentBlock;
use crate::wire_num;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Metadata of one input: key -> value, all values strings (`"age_years": "65"`).
pub type Metadata = BTreeMap<String, String>;

/// How expression is drawn from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SamplingStrategy {
    /// Draw counts with measurement noise (bulk only).
    #[serde(rename = "sample generation")]
    SampleGeneration,
    /// The mean of the distribution, as expected counts.
    #[serde(rename = "mean estimation")]
    MeanEstimation,
}

impl SamplingStrategy {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SamplingStrategy::SampleGeneration => "sample generation",
            SamplingStrategy::MeanEstimation => "mean estimation",
        }
    }
}

/// One entry of `inputs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Metadata (baseline: any keys; reference conditioning: perturbation keys only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Counts in the model's gene order (reference conditioning, metadata prediction).
    /// Kept as sent so that validation can name a fractional or negative value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire_num::counts_as_integers",
        deserialize_with = "wire_num::opt_one_or_many"
    )]
    pub counts: Option<Vec<f64>>,
    /// How many samples to generate from this input.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire_num::opt_whole_u64"
    )]
    pub num_samples: Option<u64>,
}

/// A query body, with every top-level field the protocol names and any others
/// passed through unchanged in [`Query::extra`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Required for baseline and reference conditioning. Older clients send `mode`.
    #[serde(default, alias = "mode", skip_serializing_if = "Option::is_none")]
    pub sampling_strategy: Option<SamplingStrategy>,
    /// The inputs, one output group each, in order.
    #[serde(default, deserialize_with = "wire_num::one_or_many")]
    pub inputs: Vec<Input>,
    /// Library size of the generated counts (default 10,000,000 bulk, 10,000 single-cell).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire_num::opt_whole_u64"
    )]
    pub total_count: Option<u64>,
    /// Use latent means instead of sampling them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deterministic_latents: Option<bool>,
    /// Same query and seed, same result.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire_num::opt_whole_u64"
    )]
    pub seed: Option<u64>,
    /// Reference conditioning: the reference's latent blocks to keep
    /// (default `["biological", "technical"]`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire_num::opt_one_or_many"
    )]
    pub conditioning: Option<Vec<LatentBlock>>,
    /// Reference conditioning: scale to `total_count` instead of the reference's library size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_total_count: Option<bool>,
    /// The client that sent the query (`"source": "synthbio-rs"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Any other top-level option, passed through as it is.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Which genes each input's counts measured, when not all (one mask per input).
    /// Never sent: the protocol has no way to say "unmeasured", so a server receives
    /// those genes as 0; the local engine in this process encodes from the measured
    /// genes only. Set from a `Dataset` by `Query::metadata_prediction_of`.
    #[serde(skip)]
    pub measured: Option<crate::dataset::Measured>,
}

/// The `conditioning` the service uses when a query sets none.
pub const DEFAULT_CONDITIONING: [LatentBlock; 2] =
    [LatentBlock::Biological, LatentBlock::Technical];

impl Query {
    /// A baseline query (metadata in, expression out); add inputs with [`Query::with_input`].
    pub fn baseline(strategy: SamplingStrategy) -> Self {
        Query {
            sampling_strategy: Some(strategy),
            ..Query::default()
        }
    }

    /// A reference conditioning query; add references with [`Query::with_reference`].
    pub fn reference_conditioning(strategy: SamplingStrategy) -> Self {
        Query::baseline(strategy)
    }

    /// A metadata prediction query for the given samples' counts.
    pub fn metadata_prediction<I, C>(samples: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: IntoIterator<Item = f64>,
    {
        Query {
            inputs: samples
                .into_iter()
                .map(|c| Input {
                    counts: Some(c.into_iter().collect()),
                    ..Input::default()
                })
                .collect(),
            ..Query::default()
        }
    }

    /// Adds a baseline input: `num_samples` samples of the given metadata.
    pub fn with_input(mut self, metadata: Metadata, num_samples: u64) -> Self {
        self.inputs.push(Input {
            metadata: Some(metadata),
            counts: None,
            num_samples: Some(num_samples),
        });
        self
    }

    /// Adds a reference conditioning input: a reference sample's counts, the
    /// perturbation metadata to apply, and how many samples to generate.
    pub fn with_reference(
        mut self,
        counts: impl IntoIterator<Item = f64>,
        perturbation: Metadata,
        num_samples: u64,
    ) -> Self {
        self.inputs.push(Input {
            metadata: Some(perturbation),
            counts: Some(counts.into_iter().collect()),
            num_samples: Some(num_samples),
        });
        self
    }

    /// Sets `total_count`.
    pub fn with_total_count(mut self, total_count: u64) -> Self {
        self.total_count = Some(total_count);
        self
    }

    /// Sets `seed`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets `deterministic_latents`.
    pub fn with_deterministic_latents(mut self, on: bool) -> Self {
        self.deterministic_latents = Some(on);
        self
    }

    /// Sets `conditioning`.
    pub fn with_conditioning(mut self, blocks: impl IntoIterator<Item = LatentBlock>) -> Self {
        self.conditioning = Some(blocks.into_iter().collect());
        self
    }

    /// Sets `fixed_total_count`.
    pub fn with_fixed_total_count(mut self, on: bool) -> Self {
        self.fixed_total_count = Some(on);
        self
    }

    /// Reads a query from JSON text, naming the JSON path of a shape error.
    pub fn from_json(text: &str) -> Result<Self, crate::ValidationErrors> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(crate::ValidationErrors::from_shape_error)
    }

    /// Reads a query from a parsed JSON value, naming the JSON path of a shape error.
    pub fn from_value(value: serde_json::Value) -> Result<Self, crate::ValidationErrors> {
        serde_path_to_error::deserialize(value).map_err(crate::ValidationErrors::from_shape_error)
    }

    /// The number of samples the query asks for (a missing `num_samples` counts as 1,
    /// as metadata prediction returns one output per input).
    pub fn total_samples(&self) -> u64 {
        self.inputs
            .iter()
            .map(|i| i.num_samples.unwrap_or(1))
            .fold(0u64, u64::saturating_add)
    }
}

/// Builds a [`Metadata`] map from pairs: `metadata([("sex", "female")])`.
pub fn metadata<K: Into<String>, V: Into<String>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Metadata {
    pairs
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_protocol_example() {
        let q = Query::from_value(json!({
            "sampling_strategy": "sample generation",
            "inputs": [{"metadata": {"sex": "female", "sample_type": "primary tissue",
                                     "tissue_ontology_id": "UBERON:0002371"},
                        "num_samples": 5}],
            "total_count": 10000000, "deterministic_latents": false, "seed": 42
        }))
        .unwrap();
        assert_eq!(
            q.sampling_strategy,
            Some(SamplingStrategy::SampleGeneration)
        );
        assert_eq!(q.inputs[0].num_samples, Some(5));
        assert_eq!(q.total_count, Some(10_000_000));
        assert_eq!(q.seed, Some(42));
    }

    #[test]
    fn tolerates_mode_r_scalars_empty_objects_and_whole_floats() {
        let q = Query::from_value(json!({
            "mode": "mean estimation",
            "inputs": [{"counts": [1.0, 2, 0], "metadata": {}, "num_samples": 2.0}],
            "conditioning": "biological",
            "seed": 7.0,
            "custom_option": {"a": 1}
        }))
        .unwrap();
        assert_eq!(q.sampling_strategy, Some(SamplingStrategy::MeanEstimation));
        assert_eq!(q.conditioning, Some(vec![LatentBlock::Biological]));
        assert_eq!(q.inputs[0].num_samples, Some(2));
        assert_eq!(q.seed, Some(7));
        assert_eq!(q.extra["custom_option"], json!({"a": 1}));
        let q = Query::from_value(json!({"inputs": {}, "conditioning": {}})).unwrap();
        assert!(q.inputs.is_empty());
        assert_eq!(q.conditioning, Some(vec![]));
    }

    #[test]
    fn shape_errors_name_the_path() {
        let err = Query::from_value(json!({"inputs": [{"num_samples": 1.5}]})).unwrap_err();
        assert_eq!(err.errors[0].path, "inputs[0].num_samples");
        let err = Query::from_value(json!({"sampling_strategy": "guess"})).unwrap_err();
        assert_eq!(err.errors[0].path, "sampling_strategy");
    }

    #[test]
    fn writes_exact_wire_names_and_integer_counts() {
        let q = Query::reference_conditioning(SamplingStrategy::MeanEstimation)
            .with_reference([3.0, 0.0], metadata([("perturbation_type", "control")]), 2)
            .with_conditioning([LatentBlock::Biological])
            .with_fixed_total_count(true);
        let v = serde_json::to_value(&q).unwrap();
        assert_eq!(
            v,
            json!({"sampling_strategy": "mean estimation",
                   "inputs": [{"metadata": {"perturbation_type": "control"}, "counts": [3, 0], "num_samples": 2}],
                   "conditioning": ["biological"], "fixed_total_count": true})
        );
    }
}
