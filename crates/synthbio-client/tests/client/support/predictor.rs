//! A small deterministic `Predictor` for the real `synthbio-server`, whose
//! outputs follow simple rules the tests recompute by hand:
//!
//! - `gem-1-bulk` (baseline, 4 genes `G0..G3`): sample `k` of input `i` has
//!   counts `g + 10 k + 100 i + 1000 (seed mod 10)` for gene `g`, the input's
//!   metadata, and latents biological `[i, k]`, technical `[seed]`, perturbation `[]`;
//! - `gem-1-bulk_reference-conditioning`: sample `k` of a reference is its
//!   counts times `k + 1`;
//! - `gem-1-bulk_predict-metadata`: `sex` is `male` with probability
//!   `c0 / (c0 + c1)`; the decoded sample is the counts reversed.
//!
//! A [`Gate`] can hold predictions: until a number of them run at once
//! (concurrency), or until the test opens it (resume).

use ndarray::Array2;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use synthbio_core::{
    ClassProbabilities, Dataset, Family, LatentDims, Latents, MetadataTable, Modality, ModelId,
    ModelInfo, ModelSpec, PredictError, Predictor, Query, SamplingStrategy,
};

pub const N_GENES: usize = 4;
pub const BULK: &str = "gem-1-bulk";
pub const REFERENCE: &str = "gem-1-bulk_reference-conditioning";
pub const PREDICT_METADATA: &str = "gem-1-bulk_predict-metadata";

pub fn genes() -> Vec<String> {
    (0..N_GENES).map(|g| format!("G{g}")).collect()
}

/// The counts rule of `gem-1-bulk`.
pub fn baseline_count(seed: u64, input: usize, k: usize, g: usize) -> u32 {
    (g + 10 * k + 100 * input + 1000 * (seed % 10) as usize) as u32
}

/// Holds predictions.
#[derive(Default)]
pub struct Gate {
    state: Mutex<GateState>,
    cv: Condvar,
}

#[derive(Default)]
struct GateState {
    running: usize,
    max_running: usize,
    /// Hold until this many run at once (`None`: no such wait).
    until_running: Option<usize>,
    /// Hold until opened.
    closed: bool,
}

impl Gate {
    pub fn until_running(n: usize) -> Arc<Self> {
        let g = Gate::default();
        g.state.lock().unwrap().until_running = Some(n);
        Arc::new(g)
    }
    pub fn closed() -> Arc<Self> {
        let g = Gate::default();
        g.state.lock().unwrap().closed = true;
        Arc::new(g)
    }
    pub fn open(&self) {
        self.state.lock().unwrap().closed = false;
        self.cv.notify_all();
    }
    pub fn max_running(&self) -> usize {
        self.state.lock().unwrap().max_running
    }
    fn enter(&self) {
        let mut s = self.state.lock().unwrap();
        s.running += 1;
        s.max_running = s.max_running.max(s.running);
        self.cv.notify_all();
        // A safety limit only: a broken client fails the test's assertions
        // instead of hanging it.
        let limit = Duration::from_secs(20);
        let (mut s, _) = self
            .cv
            .wait_timeout_while(s, limit, |s| {
                s.closed
                    || s.until_running
                        .is_some_and(|n| s.running < n && s.max_running < n)
            })
            .unwrap();
        s.running -= 1;
    }
}

#[derive(Default)]
pub struct TestPredictor {
    pub gate: Option<Arc<Gate>>,
}

fn info(id: &str, family: Family) -> ModelInfo {
    ModelInfo {
        model_id: id.into(),
        family,
        modality: Modality::Bulk,
        model_version: "test-1".into(),
        n_genes: N_GENES,
        latent_dims: LatentDims {
            biological: 2,
            technical: 1,
            perturbation: 0,
        },
        spec: ModelSpec {
            n_genes: Some(N_GENES),
            ..ModelSpec::default()
        },
    }
}

fn latents(rows: &[(usize, usize)], seed: u64) -> Latents {
    let n = rows.len();
    Latents {
        biological: Array2::from_shape_fn((n, 2), |(r, c)| {
            if c == 0 {
                rows[r].0 as f64
            } else {
                rows[r].1 as f64
            }
        }),
        technical: Array2::from_elem((n, 1), seed as f64),
        perturbation: Array2::zeros((n, 0)),
    }
}

impl Predictor for TestPredictor {
    fn models(&self) -> Result<Vec<synthbio_core::ListedModel>, PredictError> {
        Ok([
            info(BULK, Family::Baseline),
            info(REFERENCE, Family::ReferenceConditioning),
            info(PREDICT_METADATA, Family::MetadataPrediction),
        ]
        .into_iter()
        .map(synthbio_core::ListedModel::from)
        .collect())
    }

    fn example_query(&self, model: &ModelId) -> Result<Query, PredictError> {
        match model.as_str() {
            BULK => Ok(Query::baseline(SamplingStrategy::MeanEstimation)
                .with_input(synthbio_core::metadata([("sex", "female")]), 2)
                .with_seed(3)),
            PREDICT_METADATA => Ok(Query::metadata_prediction([vec![5.0, 1.0, 0.0, 2.0]])),
            other => Err(PredictError::UnknownModel(other.into())),
        }
    }

    fn predict(&self, model: &ModelId, q: &Query) -> Result<Dataset, PredictError> {
        if let Some(g) = &self.gate {
            g.enter();
        }
        let seed = q.seed.unwrap_or(0);
        let mut rows = Vec::new();
        for (i, input) in q.inputs.iter().enumerate() {
            for k in 0..input.num_samples.unwrap_or(1) as usize {
                rows.push((i, k));
            }
        }
        let n = rows.len();
        let input_index: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let ds = match model.as_str() {
            BULK => {
                let counts = Array2::from_shape_fn((n, N_GENES), |(r, g)| {
                    baseline_count(seed, rows[r].0, rows[r].1, g)
                });
                let meta: Vec<BTreeMap<String, String>> = rows
                    .iter()
                    .map(|&(i, _)| q.inputs[i].metadata.clone().unwrap_or_default())
                    .collect();
                Dataset::new(counts, genes(), Dataset::default_sample_ids(n))
                    .and_then(|d| d.with_metadata(MetadataTable::from_rows(meta.iter())))
                    .and_then(|d| d.with_latents(latents(&rows, seed)))
            }
            REFERENCE => {
                let counts = Array2::from_shape_fn((n, N_GENES), |(r, g)| {
                    let (i, k) = rows[r];
                    q.inputs[i].counts.as_ref().map_or(0.0, |c| c[g]) as u32 * (k as u32 + 1)
                });
                Dataset::new(counts, genes(), Dataset::default_sample_ids(n))
            }
            PREDICT_METADATA => {
                let c: Vec<&Vec<f64>> = q.inputs.iter().filter_map(|i| i.counts.as_ref()).collect();
                let counts =
                    Array2::from_shape_fn((n, N_GENES), |(r, g)| c[r][N_GENES - 1 - g] as u32);
                let probs = Array2::from_shape_fn((n, 2), |(r, j)| {
                    let male = c[r][0] / (c[r][0] + c[r][1]);
                    if j == 0 {
                        1.0 - male
                    } else {
                        male
                    }
                });
                let labels: Vec<BTreeMap<String, String>> = (0..n)
                    .map(|r| {
                        let sex = if probs[[r, 1]] > 0.5 {
                            "male"
                        } else {
                            "female"
                        };
                        BTreeMap::from([("sex".to_string(), sex.to_string())])
                    })
                    .collect();
                Dataset::new(counts, genes(), Dataset::default_sample_ids(n))
                    .and_then(|d| d.with_metadata(MetadataTable::from_rows(labels.iter())))
                    .and_then(|d| {
                        d.with_classifier_probs(
                            "sex",
                            ClassProbabilities {
                                classes: vec!["female".into(), "male".into()],
                                probs,
                            },
                        )
                    })
                    .and_then(|d| d.with_latents(latents(&rows, seed)))
            }
            other => return Err(PredictError::UnknownModel(other.into())),
        };
        ds.and_then(|d| d.with_input_index(input_index))
            .map(|d| d.with_model_version("test-1"))
            .map_err(|e| PredictError::Failed(e.to_string()))
    }
}
