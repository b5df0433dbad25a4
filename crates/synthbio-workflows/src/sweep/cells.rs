//! One context (cell type) of a single-cell perturbation, held out: the model
//! conditions each real control cell on the perturbation, and cell-eval's metric set
//! scores the predicted cells against the real ones beside the baselines.

use super::table::{ContextScores, SWEEP_PREDICTORS};
use crate::perturbation::perturbation_of;
use crate::WorkflowError;
use ndarray::Array2;
use std::collections::BTreeMap;
use synthbio_benchmark::{baseline, evaluate, Evaluation, Expression, Options};
use synthbio_core::{check_same_gene_order, Dataset, Metadata, ModelId, Predictor, Query};
use synthbio_core::{LatentBlock, SamplingStrategy};
use synthbio_io::SampleTable;

/// Label of the control cells in the benchmark's expression sets.
const CONTROL: &str = "control";

/// A single-cell perturbation held out one context at a time; [`CellStudy::new`] gives
/// the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct CellStudy {
    /// The reference conditioning model (default `gem-1-sc_reference-conditioning`).
    pub model: ModelId,
    /// The perturbation: a cell is treated when its perturbation keys are exactly these.
    pub perturbation: Metadata,
    /// Its label in the tables.
    pub label: String,
    /// Metadata column of the context held out (default `cell_type_ontology_id`).
    pub context_column: String,
    /// Most cells per condition and context, evenly spaced in cell order (default 200):
    /// each control cell is a reference, so this bounds the queries.
    pub max_cells: usize,
    /// Fewest cells per condition a context needs to be scored (default 10).
    pub min_cells: usize,
    /// Genes scored: detected (count > 0) in at least this fraction of the context's
    /// real cells (default 0.1), so that rank tests and deltas rest on measured signal.
    pub min_detected: f64,
    /// Library size of the predicted cells: `None` (the default) gives each its
    /// reference's, so predicted and real cells are counted alike; a large fixed total
    /// gives the model's expected expression nearly unrounded, which moves
    /// `pearson_delta` up and `mse` up (log1p of a smooth mean exceeds the mean log1p of
    /// sparse cells).
    pub total_count: Option<u64>,
    /// Seed of every query (default 42).
    pub seed: u64,
}

impl CellStudy {
    /// A study of `perturbation` (labelled `label`) with the defaults above.
    pub fn new(perturbation: Metadata, label: impl Into<String>) -> Self {
        CellStudy {
            model: ModelId::from("gem-1-sc_reference-conditioning"),
            perturbation,
            label: label.into(),
            context_column: "cell_type_ontology_id".into(),
            max_cells: 200,
            min_cells: 10,
            min_detected: 0.1,
            total_count: None,
            seed: 42,
        }
    }

    fn is_treated(&self, cells: &Dataset, i: usize) -> bool {
        perturbation_of(cells, i).as_ref() == Some(&self.perturbation)
    }

    fn is_control(cells: &Dataset, i: usize) -> bool {
        cells.metadata().get(i, "perturbation_type") == Some(CONTROL)
    }

    /// (control, treated) rows of `context`, each at most `max_cells`, evenly spaced.
    fn rows_of(&self, cells: &Dataset, context: &str) -> (Vec<usize>, Vec<usize>) {
        let of = |i: usize| cells.metadata().get(i, &self.context_column) == Some(context);
        let pick = |keep: &dyn Fn(usize) -> bool| {
            let all: Vec<usize> = (0..cells.n_samples()).filter(|&i| keep(i)).collect();
            evenly_spaced(&all, self.max_cells)
        };
        (
            pick(&|i| of(i) && Self::is_control(cells, i)),
            pick(&|i| of(i) && self.is_treated(cells, i)),
        )
    }

    /// The contexts with at least `min_cells` control and treated cells, sorted, and
    /// a stated reason for each context left out.
    pub fn contexts(&self, cells: &Dataset) -> (Vec<String>, Vec<String>) {
        let mut all: Vec<&str> = cells
            .metadata()
            .column(&self.context_column)
            .map(|c| c.iter().flatten().map(String::as_str).collect())
            .unwrap_or_default();
        all.sort_unstable();
        all.dedup();
        let (mut usable, mut excluded) = (Vec::new(), Vec::new());
        for context in all {
            let (c, t) = self.rows_of(cells, context);
            if c.len() >= self.min_cells && t.len() >= self.min_cells {
                usable.push(context.to_string());
            } else {
                excluded.push(format!(
                    "{} {} = {context}: {} control and {} treated cells, fewer than {} per condition; not scored",
                    self.label,
                    self.context_column,
                    c.len(),
                    t.len(),
                    self.min_cells
                ));
            }
        }
        (usable, excluded)
    }

    /// Scores `context` held out: `predictor` (one that never saw the context's
    /// treated cells) conditions each control cell on the perturbation (mean
    /// estimation, the single-cell models' only strategy: one cell each), and cell-eval's metrics compare the predicted
    /// cells with the real treated ones, beside no change, the other contexts'
    /// effect (their pooled cells, at most `max_cells` per condition each) and a split
    /// of the real cells in halves. `cells` holds raw counts in the model's gene order.
    pub fn run(
        &self,
        cells: &Dataset,
        context: &str,
        predictor: &dyn Predictor,
    ) -> Result<ContextScores, WorkflowError> {
        let (controls, treated) = self.rows_of(cells, context);
        if controls.len() < self.min_cells || treated.len() < self.min_cells {
            return Err(WorkflowError::Design(format!(
                "{} = {context:?} has {} control and {} treated cells; it needs {} of each (min_cells)",
                self.context_column,
                controls.len(),
                treated.len(),
                self.min_cells
            )));
        }
        let genes = self.detected(cells, &[&controls[..], &treated[..]].concat());
        if genes.is_empty() {
            return Err(WorkflowError::Design(format!(
                "{} = {context:?}: no gene is detected in {} of its cells; lower min_detected",
                self.context_column, self.min_detected
            )));
        }
        let mut query = Query::reference_conditioning(SamplingStrategy::MeanEstimation);
        for &i in &controls {
            let counts: Vec<f64> = cells
                .sample_counts(i)
                .iter()
                .map(|&c| f64::from(c))
                .collect();
            query = query.with_reference(counts, self.perturbation.clone(), 1);
        }
        if let Some(total) = self.total_count {
            query = query.with_fixed_total_count(true).with_total_count(total);
        }
        let predicted = predictor.predict(&self.model, &query.with_seed(self.seed))?;
        check_same_gene_order(predicted.gene_ids(), cells.gene_ids())?;
        let label = self.label.as_str();
        let real = expression(
            cells,
            &genes,
            &[(&controls[..], CONTROL), (&treated[..], label)],
        )?;
        let mut pred_rows = matrix(cells, &controls, &genes);
        let predicted_rows: Vec<usize> = (0..predicted.n_samples()).collect();
        let generated = matrix(&predicted, &predicted_rows, &genes);
        pred_rows
            .append(ndarray::Axis(0), generated.view())
            .map_err(shape)?;
        let pred = Expression::new(
            (0..pred_rows.nrows())
                .map(|i| format!("predicted_{i}"))
                .collect(),
            labels(&[(controls.len(), CONTROL), (predicted.n_samples(), label)]),
            genes.iter().map(|&g| cells.gene_ids()[g].clone()).collect(),
            pred_rows,
        )?;
        let others: Vec<(Vec<usize>, Vec<usize>)> = self
            .contexts(cells)
            .0
            .iter()
            .filter(|c| c.as_str() != context)
            .map(|c| self.rows_of(cells, c))
            .collect();
        let options = Options { min_cells: 2 };
        let score = |p: &Expression| evaluate(&real, p, CONTROL, options);
        let model = score(&pred)?;
        let no_change = score(&baseline::no_change(&real, CONTROL)?)?;
        let other_contexts = if others.is_empty() {
            None
        } else {
            let (c, t): (Vec<_>, Vec<_>) = others.into_iter().unzip();
            let other = expression(
                cells,
                &genes,
                &[(&c.concat(), CONTROL), (&t.concat(), label)],
            )?;
            Some(score(&baseline::other_context(&real, &other, CONTROL)?)?)
        };
        let (half_a, half_b) = baseline::split_halves(&real)?;
        let halves = evaluate(&half_a, &half_b, CONTROL, options)?;
        let by_predictor = [
            Some(&model),
            Some(&no_change),
            None, // mean_training_effect: see the note below
            other_contexts.as_ref(),
            Some(&halves),
        ];
        debug_assert_eq!(by_predictor.len(), SWEEP_PREDICTORS.len());
        let mut scores = ContextScores {
            context: context.to_string(),
            n_control: controls.len(),
            n_perturbed: treated.len(),
            n_genes: genes.len(),
            metrics: Vec::new(),
        };
        for column in model.results.columns.iter().chain(&model.direction.columns) {
            let values = by_predictor
                .iter()
                .map(|e| e.and_then(|e| value(e, &column.name, label)))
                .collect();
            scores.push(&column.name, column.best, values);
        }
        Ok(scores)
    }

    /// Gene columns detected in at least `min_detected` of `rows`.
    fn detected(&self, cells: &Dataset, rows: &[usize]) -> Vec<usize> {
        let need = (self.min_detected * rows.len() as f64).ceil().max(1.0) as usize;
        (0..cells.n_genes())
            .filter(|&g| rows.iter().filter(|&&i| cells.counts()[[i, g]] > 0).count() >= need)
            .collect()
    }
}

/// The notes every single-cell sweep carries.
pub(crate) fn cell_notes(study: &CellStudy) -> Vec<String> {
    vec![
        format!(
            "{}: mean_training_effect is not scored for the single-cell data, which hold one perturbation (it would equal other_contexts); wmse, r2_delta and weighted_r2_delta need two perturbations or more per context (Mejia et al. 2025 weigh genes by DE against the other perturbations)",
            study.label
        ),
        format!(
            "{}: genes detected in at least {} of each context's real cells; at most {} cells per condition and context; predicted cells at {}; split_halves is the positive baseline (half of the real cells against the other half)",
            study.label,
            study.min_detected,
            study.max_cells,
            study.total_count.map_or_else(
                || "each reference cell's own library size".to_string(),
                |t| format!("a library size of {t}")
            )
        ),
    ]
}

fn value(e: &Evaluation, metric: &str, label: &str) -> Option<f64> {
    e.results
        .get(metric, label)
        .or_else(|| e.direction.get(metric, label))
}

/// The rows of a cell metadata table that studies with `max_cells` on
/// `context_column` score: of every context and condition (control, each
/// perturbation), at most `max_cells` evenly spaced in table order, in table
/// order. Reading only these keeps a large matrix from being held dense; a
/// [`CellStudy`] on them picks the same cells as on all.
pub fn cells_to_score(table: &SampleTable, context_column: &str, max_cells: usize) -> Vec<usize> {
    let column = |name: &str| table.columns().iter().position(|c| c == name);
    let keys: Vec<Option<usize>> = std::iter::once(column(context_column))
        .chain(synthbio_core::vocab::keys_of(LatentBlock::Perturbation).map(column))
        .collect();
    let kind = column("perturbation_type");
    let mut groups: BTreeMap<Vec<Option<&str>>, Vec<usize>> = BTreeMap::new();
    for row in 0..table.n_rows() {
        let value = |k: Option<usize>| k.and_then(|k| table.get(row, k)).filter(|v| !v.is_empty());
        if value(keys[0]).is_none() || value(kind).is_none() {
            continue; // no context, or neither control nor perturbed
        }
        groups
            .entry(keys.iter().map(|&k| value(k)).collect())
            .or_default()
            .push(row);
    }
    let mut rows: Vec<usize> = groups
        .values()
        .flat_map(|rows| evenly_spaced(rows, max_cells))
        .collect();
    rows.sort_unstable();
    rows
}

/// At most `n` of `rows`, evenly spaced (all of them when there are fewer).
fn evenly_spaced(rows: &[usize], n: usize) -> Vec<usize> {
    if rows.len() <= n {
        return rows.to_vec();
    }
    (0..n).map(|k| rows[k * rows.len() / n]).collect()
}

fn matrix(data: &Dataset, rows: &[usize], genes: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn((rows.len(), genes.len()), |(r, g)| {
        f64::from(data.counts()[[rows[r], genes[g]]])
    })
}

fn labels(groups: &[(usize, &str)]) -> Vec<String> {
    groups
        .iter()
        .flat_map(|&(n, l)| std::iter::repeat_n(l.to_string(), n))
        .collect()
}

/// Raw counts of `groups` (rows, label) at the gene columns `genes`.
fn expression(
    data: &Dataset,
    genes: &[usize],
    groups: &[(&[usize], &str)],
) -> Result<Expression, WorkflowError> {
    let rows: Vec<usize> = groups.iter().flat_map(|(r, _)| r.iter().copied()).collect();
    let counts: Vec<(usize, &str)> = groups.iter().map(|(r, l)| (r.len(), *l)).collect();
    Ok(Expression::new(
        rows.iter().map(|&i| data.sample_ids()[i].clone()).collect(),
        labels(&counts),
        genes.iter().map(|&g| data.gene_ids()[g].clone()).collect(),
        matrix(data, &rows, genes),
    )?)
}

fn shape(e: ndarray::ShapeError) -> WorkflowError {
    WorkflowError::Design(format!("predicted cells: {e}"))
}
