//! Each held-out donor's profiles and baselines for the metric set.

use super::metric_set::{metric_set, DonorProfiles, MetricSet, ObservedDe};
use super::profiles::{log1p_cpm, training_effect};
use super::score::UnitPrediction;
use super::PerturbationStudy;
use crate::WorkflowError;
use synthbio_core::Dataset;
use synthbio_de::DeResult;

/// `reference + effect` per gene, clipped at 0 (the floor of `ln(1 + CPM)`); genes
/// without an effect keep the reference.
fn shifted(reference: &[f64], effect: &[Option<f64>]) -> Vec<f64> {
    reference
        .iter()
        .zip(effect)
        .map(|(r, e)| (r + e.unwrap_or(0.0)).max(0.0))
        .collect()
}

impl PerturbationStudy {
    /// The metric set of the study: every donor's profiles on the expressed genes
    /// (`cols` in `data`), its baselines, and the observed DE's t and top genes.
    pub(crate) fn metric_set(
        &self,
        data: &Dataset,
        predictions: &[UnitPrediction],
        expressed: &[String],
        cols: &[usize],
        observed_de: Option<&DeResult>,
    ) -> Result<MetricSet, WorkflowError> {
        let profile = |id: &str| -> Result<Vec<f64>, WorkflowError> {
            log1p_cpm(data.sample_counts(data.sample_position(id)?), cols, id)
        };
        let mut refs = Vec::new();
        let mut obs = Vec::new();
        for u in predictions {
            refs.push(profile(&u.pair.reference)?);
            obs.push(profile(&u.pair.observed)?);
        }
        let mut donors = Vec::with_capacity(predictions.len());
        let mut perturbations = std::collections::BTreeSet::new();
        let mut no_effect = 0;
        for (i, u) in predictions.iter().enumerate() {
            let training = training_effect(data, &self.unit_column, cols, &u.pair.unit)?;
            let training = training.map(|t| {
                no_effect = no_effect.max(t.effect.iter().filter(|e| e.is_none()).count());
                perturbations.extend(t.perturbations);
                shifted(&refs[i], &t.effect)
            });
            let others: Vec<usize> = (0..predictions.len()).filter(|&v| v != i).collect();
            let other_donors = (!others.is_empty()).then(|| {
                let effect: Vec<Option<f64>> = (0..cols.len())
                    .map(|g| {
                        let s: f64 = others.iter().map(|&v| obs[v][g] - refs[v][g]).sum();
                        Some(s / others.len() as f64)
                    })
                    .collect();
                shifted(&refs[i], &effect)
            });
            donors.push(DonorProfiles {
                unit: u.pair.unit.clone(),
                reference: refs[i].clone(),
                observed: obs[i].clone(),
                predicted: log1p_cpm(u.predicted_counts.view(), cols, "the prediction")?,
                training,
                other_donors,
            });
        }
        let de = observed_de.map(|de| observed(de, expressed, self.alpha, self.top_n));
        let mut set = metric_set(
            expressed,
            &donors,
            de.as_ref(),
            perturbations.into_iter().collect(),
        )?;
        if no_effect > 0 {
            set.notes.push(format!(
                "mean_training_effect: {no_effect} expressed genes were measured by no training unit; the baseline keeps the reference there"
            ));
        }
        Ok(set)
    }
}

/// The observed DE's t per expressed gene (0 where undefined, as scanpy scores it) and
/// its top genes: significant at `alpha`, smallest p first, at most `top_n`.
fn observed(de: &DeResult, expressed: &[String], alpha: f64, top_n: usize) -> ObservedDe {
    let index: std::collections::HashMap<&str, usize> = expressed
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    let mut t = vec![0.0; expressed.len()];
    for g in &de.genes {
        if let (Some(&i), Some(v)) = (index.get(g.gene_id.as_str()), g.test.t) {
            t[i] = v;
        }
    }
    let mut sig = de.significant(alpha);
    sig.sort_by(|a, b| {
        a.test
            .p_value
            .unwrap_or(1.0)
            .total_cmp(&b.test.p_value.unwrap_or(1.0))
    });
    let top = sig
        .iter()
        .filter_map(|g| index.get(g.gene_id.as_str()).copied())
        .take(top_n)
        .collect();
    ObservedDe { t, top }
}
