//! `FakePredictor`: three GEM models over four genes. Deterministic from the
//! seed; validates with synthbio-core like a real engine; can be told through
//! extra query keys to wait at a gate (`"hold": true`), fail (`"fail": "<msg>"`)
//! or panic (`"panic": "<msg>"`).

use ndarray::Array2;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use synthbio_core::{
    metadata, validate, ClassProbabilities, Dataset, Family, LatentDims, Latents, ListedModel,
    Metadata, MetadataTable, Modality, ModelId, ModelInfo, ModelSpec, PredictError, Predictor,
    Query, SamplingStrategy,
};
use tokio::sync::watch;

pub const BULK: &str = "gem-1-bulk";
pub const PREDICT: &str = "gem-1-bulk_predict-metadata";
pub const REFERENCE: &str = "gem-1-bulk_reference-conditioning";
pub const VERSION: &str = "fake-gem-0.1";
pub const GENES: [&str; 4] = [
    "ENSG00000000003",
    "ENSG00000000005",
    "ENSG00000000419",
    "ENSG00000000457",
];
pub const DIMS: LatentDims = LatentDims {
    biological: 3,
    technical: 2,
    perturbation: 2,
};

/// Blocks held jobs until opened; counts jobs that reached `predict`.
#[derive(Debug)]
pub struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
    started: watch::Sender<usize>,
}

impl Gate {
    fn new() -> Self {
        Gate {
            open: Mutex::new(false),
            opened: Condvar::new(),
            started: watch::Sender::new(0),
        }
    }

    /// Lets every held job (and every later one) through.
    pub fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    fn wait(&self) {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
    }

    /// Waits until at least `n` predictions have started.
    pub async fn started(&self, n: usize) {
        self.started
            .subscribe()
            .wait_for(|&s| s >= n)
            .await
            .expect("the gate lives as long as the predictor");
    }
}

/// The test double.
#[derive(Debug)]
pub struct FakePredictor {
    pub gate: Arc<Gate>,
}

impl FakePredictor {
    /// The full description of the three fake models.
    pub fn infos(&self) -> Vec<ModelInfo> {
        vec![
            info(BULK, Family::Baseline),
            info(PREDICT, Family::MetadataPrediction),
            info(REFERENCE, Family::ReferenceConditioning),
        ]
    }

    pub fn new() -> Arc<Self> {
        Arc::new(FakePredictor {
            gate: Arc::new(Gate::new()),
        })
    }
}

fn spec() -> ModelSpec {
    ModelSpec {
        n_genes: Some(GENES.len()),
        trained_values: BTreeMap::from([(
            "sex".to_string(),
            vec!["female".to_string(), "male".to_string()],
        )]),
        ..ModelSpec::default()
    }
}

fn info(id: &str, family: Family) -> ModelInfo {
    ModelInfo {
        model_id: id.into(),
        family,
        modality: Modality::Bulk,
        model_version: VERSION.into(),
        n_genes: GENES.len(),
        latent_dims: DIMS,
        spec: spec(),
    }
}

fn genes() -> Vec<String> {
    GENES.iter().map(|g| g.to_string()).collect()
}

/// A number in [0, 1) from a few integers (a fixed hash, no RNG needed).
fn unit(a: u64, b: u64, c: u64) -> f64 {
    let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ c;
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 29;
    (x % 10_000) as f64 / 10_000.0
}

fn latents(n: usize, seed: u64) -> Latents {
    let block = |k: u64, d: usize| {
        Array2::from_shape_fn((n, d), |(i, j)| {
            unit(seed, i as u64 * 10 + k, j as u64) - 0.5
        })
    };
    Latents {
        biological: block(1, DIMS.biological),
        technical: block(2, DIMS.technical),
        perturbation: block(3, DIMS.perturbation),
    }
}

impl Predictor for FakePredictor {
    fn models(&self) -> Result<Vec<ListedModel>, PredictError> {
        Ok(self.infos().into_iter().map(ListedModel::from).collect())
    }

    fn example_query(&self, model: &ModelId) -> Result<Query, PredictError> {
        match model.as_str() {
            BULK => Ok(Query::baseline(SamplingStrategy::SampleGeneration)
                .with_input(
                    metadata([("sex", "female"), ("sample_type", "primary tissue")]),
                    2,
                )
                .with_seed(42)),
            PREDICT => Ok(Query::metadata_prediction([vec![5.0, 0.0, 12.0, 3.0]]).with_seed(1)),
            REFERENCE => Ok(
                Query::reference_conditioning(SamplingStrategy::MeanEstimation).with_reference(
                    [5.0, 0.0, 12.0, 3.0],
                    metadata([("perturbation_type", "control")]),
                    1,
                ),
            ),
            other => Err(PredictError::UnknownModel(other.into())),
        }
    }

    fn predict(&self, model: &ModelId, query: &Query) -> Result<Dataset, PredictError> {
        let family = model
            .family()
            .filter(|_| self.infos().iter().any(|m| m.model_id == model.as_str()))
            .ok_or_else(|| PredictError::UnknownModel(model.to_string()))?;
        validate(model, query, Some(&spec()))?;
        self.gate.started.send_modify(|n| *n += 1);
        if query.extra.get("hold").is_some_and(|v| v == true) {
            self.gate.wait();
        }
        if let Some(msg) = query.extra.get("fail").and_then(|v| v.as_str()) {
            return Err(PredictError::Failed(msg.into()));
        }
        if let Some(msg) = query.extra.get("panic").and_then(|v| v.as_str()) {
            panic!("{msg}");
        }
        let seed = query.seed.unwrap_or(0);
        let fail = |e: synthbio_core::DatasetError| PredictError::Failed(e.to_string());
        match family {
            Family::Baseline | Family::ReferenceConditioning => {
                let mut rows: Vec<Metadata> = Vec::new();
                let mut input_index = Vec::new();
                for (k, input) in query.inputs.iter().enumerate() {
                    for _ in 0..input.num_samples.unwrap_or(1) {
                        rows.push(input.metadata.clone().unwrap_or_default());
                        input_index.push(k);
                    }
                }
                let n = rows.len();
                let counts = Array2::from_shape_fn((n, GENES.len()), |(i, g)| {
                    (unit(seed, i as u64, g as u64) * 5_000.0) as u32
                        + 3_000_000_000 * u32::from(g == 3 && i == 0)
                });
                Dataset::new(counts, genes(), Dataset::default_sample_ids(n))
                    .and_then(|d| d.with_metadata(MetadataTable::from_rows(rows.iter())))
                    .and_then(|d| d.with_latents(latents(n, seed)))
                    .and_then(|d| d.with_input_index(input_index))
                    .map(|d| d.with_model_version(VERSION))
                    .map_err(fail)
            }
            Family::MetadataPrediction => {
                let n = query.inputs.len();
                let counts = Array2::from_shape_fn((n, GENES.len()), |(i, g)| {
                    query.inputs[i].counts.as_ref().map_or(0, |c| c[g] as u32) + 1
                });
                let sex_p: Vec<f64> = (0..n)
                    .map(|i| 0.05 + 0.9 * unit(seed, i as u64, 7))
                    .collect();
                let sex = ClassProbabilities {
                    classes: vec!["female".into(), "male".into()],
                    probs: Array2::from_shape_fn((n, 2), |(i, j)| {
                        if j == 0 {
                            sex_p[i]
                        } else {
                            1.0 - sex_p[i]
                        }
                    }),
                };
                let st = ClassProbabilities {
                    classes: vec![
                        "primary tissue".into(),
                        "cell line".into(),
                        "organoid".into(),
                    ],
                    probs: Array2::from_shape_fn((n, 3), |(_, j)| [0.5, 0.3, 0.2][j]),
                };
                let labels: Vec<Metadata> = (0..n)
                    .map(|i| {
                        let (sex_label, _) = sex.argmax(i).expect("two classes");
                        metadata([("sex", sex_label), ("sample_type", "primary tissue")])
                    })
                    .collect();
                Dataset::new(counts, genes(), Dataset::default_sample_ids(n))
                    .and_then(|d| d.with_metadata(MetadataTable::from_rows(labels.iter())))
                    .and_then(|d| d.with_classifier_probs("sex", sex))
                    .and_then(|d| d.with_classifier_probs("sample_type", st))
                    .and_then(|d| d.with_latents(latents(n, seed)))
                    .and_then(|d| d.with_input_index((0..n).collect()))
                    .map(|d| d.with_model_version(VERSION))
                    .map_err(fail)
            }
        }
    }
}
