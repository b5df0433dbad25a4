//! Scoring a study: each donor's predicted fold changes against the observed
//! ones and the baselines, and the agreement of generated and real DE calls.

use super::metric_set::MetricSet;
use super::{HeldOutPair, PerturbationStudy};
use crate::WorkflowError;
use std::collections::{HashMap, HashSet};
use synthbio_core::Dataset;
use synthbio_de::{perturbation_benchmark, Benchmark, DeResult, Metrics};

/// The fold changes predicted and observed for one held-out donor, before scoring.
pub(crate) struct UnitPrediction {
    pub(crate) pair: HeldOutPair,
    pub(crate) backend: String,
    pub(crate) predicted: Vec<f64>,
    pub(crate) observed: Vec<f64>,
    /// The mean-estimation prediction's counts.
    pub(crate) predicted_counts: ndarray::Array1<u32>,
}

/// What the study found for one held-out donor.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitResult {
    /// The donor and its samples.
    pub pair: HeldOutPair,
    /// Where its queries ran.
    pub backend: String,
    /// Predicted log2 fold changes (`log2(cpm + 1)` differences, mean estimation).
    pub predicted: Vec<f64>,
    /// Observed log2 fold changes of the donor's perturbed sample over its reference.
    pub observed: Vec<f64>,
    /// The mean-effect baseline: the mean observed fold change of the other
    /// held-out donors (`None` with a single donor).
    pub mean_effect: Option<Vec<f64>>,
    /// Model and baselines scored against the observed fold changes.
    pub benchmark: Benchmark,
}

/// How the DE calls on generated replicates agree with those on the real samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeAgreement {
    /// Genes significant in the generated replicates.
    pub n_generated: usize,
    /// Genes significant in the real samples.
    pub n_observed: usize,
    /// Genes significant in both.
    pub n_both: usize,
    /// ... of which the fold changes have the same sign.
    pub n_same_direction: usize,
}

impl DeAgreement {
    /// Share of the generated calls confirmed by the real samples (`None` without calls).
    pub fn precision(&self) -> Option<f64> {
        ratio(self.n_both, self.n_generated)
    }

    /// Share of the real calls found in the generated replicates (`None` without calls).
    pub fn recall(&self) -> Option<f64> {
        ratio(self.n_both, self.n_observed)
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The findings of a [`PerturbationStudy`].
#[derive(Debug, Clone, PartialEq)]
pub struct PerturbationStudyResult {
    /// The settings.
    pub study: PerturbationStudy,
    /// Gene ids of every fold change, in model order.
    pub gene_ids: Vec<String>,
    /// Expressed genes (CPM >= 1 in at least half of the real samples of the
    /// study): the genes tested for DE and drawn in the scatter plot.
    pub expressed: Vec<String>,
    /// One result per held-out donor, in the order given.
    pub units: Vec<UnitResult>,
    /// The generated replicates (metadata `unit` and `condition`:
    /// `perturbed` or `control`).
    pub generated: Dataset,
    /// Perturbed over control, on the generated replicates (expressed genes).
    pub generated_de: DeResult,
    /// Perturbed over reference, on the real samples (expressed genes), when
    /// there are two donors or more.
    pub observed_de: Option<DeResult>,
    /// Whether both DE tests used the paired design `~ donor + condition`
    /// (limma-trend; two donors or more and the moderated t) rather than two groups.
    pub paired: bool,
    /// The synthbio-benchmark metric set per donor, model beside the baselines.
    pub metric_set: MetricSet,
    /// Agreement of the two DE calls, when both exist.
    pub agreement: Option<DeAgreement>,
}

impl PerturbationStudy {
    /// Benchmarks each donor against the observed fold changes, with the mean
    /// observed effect of the other donors as the mean-effect baseline.
    pub(crate) fn score(
        &self,
        units: Vec<UnitPrediction>,
    ) -> Result<Vec<UnitResult>, WorkflowError> {
        let n = units.len();
        let mean_effects: Vec<Option<Vec<f64>>> = (0..n)
            .map(|u| {
                (n >= 2).then(|| {
                    let others: Vec<&Vec<f64>> = (0..n)
                        .filter(|&v| v != u)
                        .map(|v| &units[v].observed)
                        .collect();
                    mean_vector(&others)
                })
            })
            .collect();
        units
            .into_iter()
            .zip(mean_effects)
            .map(|(unit, mean_effect)| {
                let benchmark = perturbation_benchmark(
                    &unit.predicted,
                    &unit.observed,
                    mean_effect.as_deref(),
                    self.top_n,
                )?;
                Ok(UnitResult {
                    pair: unit.pair,
                    backend: unit.backend,
                    predicted: unit.predicted,
                    observed: unit.observed,
                    mean_effect,
                    benchmark,
                })
            })
            .collect()
    }
}

/// The element-wise mean of equally long vectors.
pub(crate) fn mean_vector(vectors: &[&Vec<f64>]) -> Vec<f64> {
    let n = vectors.len() as f64;
    let len = vectors.first().map_or(0, |v| v.len());
    (0..len)
        .map(|g| vectors.iter().map(|v| v[g]).sum::<f64>() / n)
        .collect()
}

/// How the significant genes of the generated and the real samples agree.
pub(crate) fn agreement(generated: &DeResult, observed: &DeResult, alpha: f64) -> DeAgreement {
    let obs: HashMap<&str, f64> = observed
        .significant(alpha)
        .into_iter()
        .map(|g| (g.gene_id.as_str(), g.log2_fc))
        .collect();
    let gen = generated.significant(alpha);
    let both: Vec<(f64, f64)> = gen
        .iter()
        .filter_map(|g| obs.get(g.gene_id.as_str()).map(|&o| (g.log2_fc, o)))
        .collect();
    DeAgreement {
        n_generated: gen.len(),
        n_observed: obs.len(),
        n_both: both.len(),
        n_same_direction: both.iter().filter(|(a, b)| a * b > 0.0).count(),
    }
}

/// Mean of a metric over donors, skipping undefined values (`None` if all are).
fn mean_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = values.flatten().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// A predictor scored by the study: the model or one of the baselines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scored {
    /// The model's predicted fold changes.
    Model,
    /// No change (all fold changes 0).
    NoChange,
    /// The mean observed effect of the other donors.
    MeanEffect,
}

impl Scored {
    /// Every predictor, in report order.
    pub const ALL: [Scored; 3] = [Scored::Model, Scored::NoChange, Scored::MeanEffect];

    /// Its name in tables and figures.
    pub fn name(self) -> &'static str {
        match self {
            Scored::Model => "model",
            Scored::NoChange => "no_change",
            Scored::MeanEffect => "mean_effect",
        }
    }
}

/// Mean over donors of a predictor's Pearson r and MSE over all genes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanMetrics {
    /// Pearson r of predicted and observed fold changes (`None` where undefined).
    pub pearson: Option<f64>,
    /// Mean squared error (`None` without donors scored).
    pub mse: Option<f64>,
}

impl PerturbationStudyResult {
    /// Mean over donors of a predictor's metrics over all genes.
    pub fn mean_metrics(&self, predictor: Scored) -> MeanMetrics {
        let metrics: Vec<Metrics> = self
            .units
            .iter()
            .filter_map(|u| match predictor {
                Scored::Model => Some(u.benchmark.model.all),
                Scored::NoChange => Some(u.benchmark.no_change.all),
                Scored::MeanEffect => u.benchmark.mean_effect.map(|m| m.all),
            })
            .collect();
        MeanMetrics {
            pearson: mean_of(metrics.iter().map(|m| m.pearson)),
            mse: mean_of(metrics.iter().map(|m| Some(m.mse))),
        }
    }

    /// The donor-averaged predicted and observed fold changes of the expressed genes.
    pub fn mean_fold_changes(&self) -> MeanFoldChanges {
        let expressed: HashSet<&str> = self.expressed.iter().map(String::as_str).collect();
        let keep: Vec<usize> = (0..self.gene_ids.len())
            .filter(|&g| expressed.contains(self.gene_ids[g].as_str()))
            .collect();
        let mean = |pick: fn(&UnitResult) -> &Vec<f64>| -> Vec<f64> {
            let all = mean_vector(&self.units.iter().map(pick).collect::<Vec<_>>());
            keep.iter().map(|&g| all[g]).collect()
        };
        MeanFoldChanges {
            gene_ids: keep.iter().map(|&g| self.gene_ids[g].clone()).collect(),
            predicted: mean(|u| &u.predicted),
            observed: mean(|u| &u.observed),
        }
    }
}

/// Fold changes averaged over donors, for the expressed genes.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanFoldChanges {
    /// The expressed genes, in model order.
    pub gene_ids: Vec<String>,
    /// Predicted log2 fold changes.
    pub predicted: Vec<f64>,
    /// Observed log2 fold changes.
    pub observed: Vec<f64>,
}
