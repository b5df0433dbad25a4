//! Running a study: the queries for each held-out pair, then DE of the
//! generated replicates and of the real samples (paired when donors are known).

use super::score::{agreement, PerturbationStudyResult, UnitPrediction};
use super::{HeldOutPair, PerturbationStudy};
use crate::WorkflowError;
use ndarray::{Array2, Axis};
use std::collections::BTreeMap;
use std::sync::Arc;
use synthbio_core::{check_same_gene_order, Dataset, Predictor, Query, SamplingStrategy};
use synthbio_de::{de_groups, de_paired, log2_fold_change, DeResult, DeTest, Groups, Transform};
use synthbio_normalize::{cpm, Method, NormalizeParams};

/// The replicates generated for one held-out unit.
struct Generated {
    unit: String,
    data: Dataset,
}

impl PerturbationStudy {
    /// Runs the study on the real samples of `data` (raw counts in the model's
    /// gene order): for each held-out pair, reference conditioning on its
    /// reference with `predictor_for(pair)` (an engine that never saw the
    /// donor, or the hosted service), fold changes against the observed
    /// sample, the benchmark against the baselines and the synthbio-benchmark
    /// metric set, then DE of the generated replicates and of the real samples:
    /// paired (`~ donor + condition`) with two donors or more and the moderated
    /// t, else the two-group test.
    pub fn run<F>(
        &self,
        data: &Dataset,
        pairs: &[HeldOutPair],
        mut predictor_for: F,
    ) -> Result<PerturbationStudyResult, WorkflowError>
    where
        F: FnMut(&HeldOutPair) -> Result<Arc<dyn Predictor>, WorkflowError>,
    {
        self.check(pairs)?;
        let mut predictions = Vec::with_capacity(pairs.len());
        let mut generated = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let predictor = predictor_for(pair)?;
            let (prediction, replicates) = self.predict_pair(predictor.as_ref(), data, pair)?;
            predictions.push(prediction);
            generated.push(Generated {
                unit: pair.unit.clone(),
                data: replicates,
            });
        }
        let expressed = self.expressed_of(data, pairs)?;
        let cols: Vec<usize> = expressed
            .iter()
            .map(|g| data.gene_position(g))
            .collect::<Result<_, _>>()?;
        let paired = self.test == DeTest::Moderated && pairs.len() >= 2;
        let generated = stack_generated(data.gene_ids(), &generated)?;
        let generated_de = self.de(
            &generated.select_genes(&expressed)?,
            rows_where(&generated, "perturbed"),
            rows_where(&generated, "control"),
            ("perturbed (generated)", "control (generated)"),
            paired,
        )?;
        let observed_de = if pairs.len() >= 2 {
            let rows: Vec<usize> = pairs
                .iter()
                .map(|p| data.sample_position(&p.observed))
                .chain(pairs.iter().map(|p| data.sample_position(&p.reference)))
                .collect::<Result<_, _>>()?;
            let mut real = data.select_samples(&rows).select_genes(&expressed)?;
            let units = pairs.iter().chain(pairs).map(|p| Some(p.unit.clone()));
            real.metadata_mut().set_column("unit", units.collect())?;
            let n = pairs.len();
            Some(self.de(
                &real,
                (0..n).collect(),
                (n..2 * n).collect(),
                ("perturbed (observed)", "reference (observed)"),
                paired,
            )?)
        } else {
            None
        };
        let agreement = observed_de
            .as_ref()
            .map(|obs| agreement(&generated_de, obs, self.alpha));
        let metric_set =
            self.metric_set(data, &predictions, &expressed, &cols, observed_de.as_ref())?;
        let units = self.score(predictions)?;
        Ok(PerturbationStudyResult {
            study: self.clone(),
            gene_ids: data.gene_ids().to_vec(),
            expressed,
            units,
            generated,
            generated_de,
            observed_de,
            paired,
            metric_set,
            agreement,
        })
    }

    /// The predicted fold changes of one pair (mean estimation) and its
    /// generated replicates (sample generation; input 0 perturbed, 1 control).
    fn predict_pair(
        &self,
        predictor: &dyn Predictor,
        data: &Dataset,
        pair: &HeldOutPair,
    ) -> Result<(UnitPrediction, Dataset), WorkflowError> {
        let r = data.sample_position(&pair.reference)?;
        let o = data.sample_position(&pair.observed)?;
        let mean = Query::reference_conditioning(SamplingStrategy::MeanEstimation)
            .with_reference_sample(data, &pair.reference, self.perturbation.clone(), 1)?
            .with_seed(self.seed);
        let predicted = predictor.predict(&self.model, &mean)?;
        check_same_gene_order(predicted.gene_ids(), data.gene_ids())?;
        let replicates = Query::reference_conditioning(SamplingStrategy::SampleGeneration)
            .with_reference_sample(
                data,
                &pair.reference,
                self.perturbation.clone(),
                self.replicates,
            )?
            .with_reference_sample(data, &pair.reference, self.control.clone(), self.replicates)?
            .with_seed(self.seed);
        let generated = predictor.predict(&self.model, &replicates)?;
        check_same_gene_order(generated.gene_ids(), data.gene_ids())?;
        let prediction = UnitPrediction {
            pair: pair.clone(),
            backend: predictor.describe(),
            predicted: log2_fold_change(predicted.sample_counts(0), data.sample_counts(r))?,
            observed: log2_fold_change(data.sample_counts(o), data.sample_counts(r))?,
            predicted_counts: predicted.sample_counts(0).to_owned(),
        };
        Ok((prediction, generated))
    }

    /// Case over control: the paired design `~ unit + group` (limma-trend on log CPM,
    /// metadata column `unit`, every gene of `data` tested) when `paired`, else the
    /// study's two-group test.
    fn de(
        &self,
        data: &Dataset,
        case: Vec<usize>,
        control: Vec<usize>,
        (case_label, control_label): (&str, &str),
        paired: bool,
    ) -> Result<DeResult, WorkflowError> {
        let groups = Groups {
            case_label: case_label.into(),
            case,
            control_label: control_label.into(),
            control,
        };
        if paired {
            let fit = de_paired(data, &groups, "unit", Transform::LogCpm, None, false)?;
            return Ok(fit.to_de_result(&groups));
        }
        let log_cpm = NormalizeParams::new(Method::LogCpm { prior_count: 2.0 });
        Ok(de_groups(data, &groups, self.test, &log_cpm)?)
    }

    /// The expressed genes of the real samples of `pairs`.
    fn expressed_of(
        &self,
        data: &Dataset,
        pairs: &[HeldOutPair],
    ) -> Result<Vec<String>, WorkflowError> {
        let real_rows: Vec<usize> = pairs
            .iter()
            .flat_map(|p| [&p.reference, &p.observed])
            .map(|id| data.sample_position(id))
            .collect::<Result<_, _>>()?;
        expressed_genes(data, &real_rows)
    }
}

/// Genes with CPM >= 1 in at least half of the given samples, in gene order.
fn expressed_genes(data: &Dataset, rows: &[usize]) -> Result<Vec<String>, WorkflowError> {
    let selected = data.select_samples(rows);
    let cpm = cpm(selected.counts())?;
    let need = rows.len().div_ceil(2);
    Ok(data
        .gene_ids()
        .iter()
        .zip(cpm.values.axis_iter(Axis(1)))
        .filter(|(_, column)| column.iter().filter(|&&v| v >= 1.0).count() >= need)
        .map(|(id, _)| id.clone())
        .collect())
}

/// All units' replicates as one dataset, with metadata `unit` and `condition`
/// (`perturbed` or `control`) and ids `<unit>_<condition>_<n>`.
fn stack_generated(gene_ids: &[String], parts: &[Generated]) -> Result<Dataset, WorkflowError> {
    let n_rows: usize = parts.iter().map(|g| g.data.n_samples()).sum();
    let mut counts = Array2::<u32>::zeros((n_rows, gene_ids.len()));
    let mut ids = Vec::with_capacity(n_rows);
    let mut units = Vec::with_capacity(n_rows);
    let mut conditions = Vec::with_capacity(n_rows);
    let mut seen = BTreeMap::<(&str, &str), usize>::new();
    let mut row = 0;
    for part in parts {
        check_same_gene_order(part.data.gene_ids(), gene_ids)?;
        for (i, &input) in part.data.input_index().iter().enumerate() {
            let condition = if input == 0 { "perturbed" } else { "control" };
            counts.row_mut(row).assign(&part.data.sample_counts(i));
            let n = seen.entry((&part.unit, condition)).or_default();
            *n += 1;
            ids.push(format!("{}_{condition}_{n}", part.unit));
            units.push(Some(part.unit.clone()));
            conditions.push(Some(condition.to_string()));
            row += 1;
        }
    }
    let mut ds = Dataset::new(counts, gene_ids.to_vec(), ids)?;
    ds.metadata_mut().set_column("unit", units)?;
    ds.metadata_mut().set_column("condition", conditions)?;
    Ok(ds)
}

fn rows_where(data: &Dataset, condition: &str) -> Vec<usize> {
    (0..data.n_samples())
        .filter(|&i| data.metadata().get(i, "condition") == Some(condition))
        .collect()
}
