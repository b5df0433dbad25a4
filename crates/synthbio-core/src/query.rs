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
///
/// Every field the user wrote is sent back exactly as written: fields the
/// protocol does not name (`sample_ids`, a GEM-2 option) are kept in
/// [`Input::extra`], and non-string metadata values (`"age_years": 65`) are
/// read as their JSON text into [`Input::metadata`] (for validation) while the
/// original value is kept in [`Input::metadata_values`] and written again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawInput", into = "RawInput")]
pub struct Input {
    /// Metadata (baseline: any keys; reference conditioning: perturbation keys only).
    pub metadata: Option<Metadata>,
    /// The original JSON value of each metadata entry that was not a string;
    /// written instead of the text while the text is unchanged.
    pub metadata_values: BTreeMap<String, serde_json::Value>,
    /// Counts in the model's gene order (reference conditioning, metadata prediction).
    /// Kept as sent so that validation can name a fractional or negative value.
    pub counts: Option<Vec<f64>>,
    /// How many samples to generate from this input.
    pub num_samples: Option<u64>,
    /// Every other field of the input, passed through unchanged.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The wire shape of an [`Input`].
#[derive(Clone, Serialize, Deserialize)]
struct RawInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire_num::counts_as_integers",
        deserialize_with = "wire_num::opt_one_or_many"
    )]
    counts: Option<Vec<f64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "wire_num::opt_whole_u64"
    )]
    num_samples: Option<u64>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

impl From<RawInput> for Input {
    fn from(raw: RawInput) -> Self {
        let mut metadata_values = BTreeMap::new();
        let metadata = raw.metadata.map(|m| {
            m.into_iter()
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => (k, s),
                    other => {
                        let text = other.to_string();
                        metadata_values.insert(k.clone(), other);
                        (k, text)
                    }
                })
                .collect()
        });
        Input {
            metadata,
            metadata_values,
            counts: raw.counts,
            num_samples: raw.num_samples,
            extra: raw.extra,
        }
    }
}

impl From<Input> for RawInput {
    fn from(input: Input) -> Self {
        let Input {
            metadata,
            metadata_values,
            counts,
            num_samples,
            extra,
        } = input;
        let metadata = metadata.map(|m| {
            m.into_iter()
                .map(|(k, text)| {
                    let v = match metadata_values.get(&k) {
                        // The original value, unless the text was changed since.
                        Some(orig)
                            if serde_json::to_string(orig).ok().as_deref()
                                == Some(text.as_str()) =>
                        {
                            orig.clone()
                        }
                        _ => serde_json::Value::String(text),
                    };
                    (k, v)
                })
                .collect()
        });
        RawInput {
            metadata,
            counts,
            num_samples,
            extra,
        }
    }
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
            num_samples: Some(num_samples),
            ..Input::default()
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
            ..Input::default()
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
    fn every_input_field_is_sent_as_written() {
        let written = json!({"inputs": [{
            "metadata": {"age_years": 65, "sex": "female", "smoker": true, "dose": 0.5},
            "num_samples": 2,
            "sample_ids": ["S1", "S2"],
            "custom": {"nested": [1, "x"]}
        }]});
        let q = Query::from_value(written.clone()).unwrap();
        let m = q.inputs[0].metadata.as_ref().unwrap();
        assert_eq!(m["age_years"], "65");
        assert_eq!(m["smoker"], "true");
        assert_eq!(q.inputs[0].extra["sample_ids"], json!(["S1", "S2"]));
        assert_eq!(serde_json::to_value(&q).unwrap(), written);
        // A value changed after reading is written as the new text.
        let mut q = q;
        q.inputs[0]
            .metadata
            .as_mut()
            .unwrap()
            .insert("age_years".into(), "70".into());
        let v = serde_json::to_value(&q).unwrap();
        assert_eq!(v["inputs"][0]["metadata"]["age_years"], json!("70"));
        assert_eq!(v["inputs"][0]["metadata"]["dose"], json!(0.5));
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
