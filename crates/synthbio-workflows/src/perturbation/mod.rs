//! The perturbation benchmark study: how well reference conditioning predicts
//! the effect of a perturbation on donors it never saw.

use super::{write_sections, WorkflowError};
use crate::Backend;
use ndarray::Array2;
use synthbio_core::{
    check_same_gene_order, Cell, Dataset, Figure, Metadata, ModelId, Query, Report, ReportSection,
    SamplingStrategy, Table,
};
use synthbio_de::{
    de_groups, log2_fold_change, pearson, perturbation_benchmark, Benchmark, DeReport, DeResult,
    DeTest, Groups, Metrics,
};
use synthbio_normalize::{Method, NormalizeParams};
use synthbio_report::ReportFiles;

/// One held-out donor: its real unperturbed sample (the reference given to the
/// model) and its real perturbed sample (the observed effect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldOutPair {
    /// The donor (or other unit held out together).
    pub unit: String,
    /// Sample id of the unperturbed reference.
    pub reference: String,
    /// Sample id of the observed perturbed sample.
    pub observed: String,
}

/// Settings of a perturbation benchmark study; [`PerturbationStudy::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct PerturbationStudy {
    /// The reference conditioning model (default `gem-1-bulk_reference-conditioning`).
    pub model: ModelId,
    /// The perturbation to apply (perturbation keys only, as the model requires).
    pub perturbation: Metadata,
    /// Metadata of the generated controls (default `perturbation_type = control`).
    pub control: Metadata,
    /// Generated replicates per reference and condition for the DE test
    /// (default 3, drawn with `sample generation`).
    pub replicates: u64,
    /// The top observed genes (by |log2 fold change|) scored apart (default 100).
    pub top_n: usize,
    /// Benjamini-Hochberg threshold of significant genes (default 0.05).
    pub alpha: f64,
    /// The per-gene test (default the limma-style moderated t).
    pub test: DeTest,
    /// Seed of every query (default 42), so the study is reproducible bit for bit.
    pub seed: u64,
}

impl PerturbationStudy {
    /// A study of `perturbation` with the defaults above.
    pub fn new(perturbation: Metadata) -> Self {
        PerturbationStudy {
            model: ModelId::from("gem-1-bulk_reference-conditioning"),
            perturbation,
            control: synthbio_core::metadata([("perturbation_type", "control")]),
            replicates: 3,
            top_n: 100,
            alpha: 0.05,
            test: DeTest::Moderated,
            seed: 42,
        }
    }
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
    /// Agreement of the two DE calls, when both exist.
    pub agreement: Option<DeAgreement>,
}

impl PerturbationStudy {
    /// Runs the study on the real samples of `data` (raw counts in the model's
    /// gene order): for each held-out pair, reference conditioning on its
    /// reference with `backend_for(pair)` (an engine that never saw the donor,
    /// or the hosted service), fold changes against the observed sample, the
    /// benchmark against the baselines, then DE on the generated replicates.
    pub fn run<F>(
        &self,
        data: &Dataset,
        pairs: &[HeldOutPair],
        mut backend_for: F,
    ) -> Result<PerturbationStudyResult, WorkflowError>
    where
        F: FnMut(&HeldOutPair) -> Result<Backend, WorkflowError>,
    {
        self.check(pairs)?;
        let mut units = Vec::with_capacity(pairs.len());
        let mut generated_rows: Vec<(String, String, Vec<u32>)> = Vec::new();
        for pair in pairs {
            let r = data.sample_position(&pair.reference)?;
            let o = data.sample_position(&pair.observed)?;
            let backend = backend_for(pair)?;
            let reference: Vec<f64> = data
                .sample_counts(r)
                .iter()
                .map(|&c| f64::from(c))
                .collect();
            let mean = Query::reference_conditioning(SamplingStrategy::MeanEstimation)
                .with_reference(reference.iter().copied(), self.perturbation.clone(), 1)
                .with_seed(self.seed);
            let predicted_ds = backend.predict(&self.model, &mean)?;
            check_same_gene_order(predicted_ds.gene_ids(), data.gene_ids())?;
            let predicted = log2_fold_change(predicted_ds.sample_counts(0), data.sample_counts(r))?;
            let observed = log2_fold_change(data.sample_counts(o), data.sample_counts(r))?;
            let replicates = Query::reference_conditioning(SamplingStrategy::SampleGeneration)
                .with_reference(
                    reference.iter().copied(),
                    self.perturbation.clone(),
                    self.replicates,
                )
                .with_reference(reference, self.control.clone(), self.replicates)
                .with_seed(self.seed);
            let generated = backend.predict(&self.model, &replicates)?;
            check_same_gene_order(generated.gene_ids(), data.gene_ids())?;
            for (i, &input) in generated.input_index().iter().enumerate() {
                let condition = if input == 0 { "perturbed" } else { "control" };
                generated_rows.push((
                    pair.unit.clone(),
                    condition.to_string(),
                    generated.sample_counts(i).to_vec(),
                ));
            }
            units.push((pair.clone(), backend.describe(), predicted, observed));
        }
        let units = self.score(units)?;
        let generated = generated_dataset(data.gene_ids(), generated_rows)?;
        let real_rows: Vec<usize> = pairs
            .iter()
            .flat_map(|p| [&p.reference, &p.observed])
            .map(|id| data.sample_position(id))
            .collect::<Result<_, _>>()?;
        let expressed = expressed_genes(data, &real_rows);
        let generated_de = self.de(
            &generated.select_genes(&expressed)?,
            rows_where(&generated, "perturbed"),
            rows_where(&generated, "control"),
            "perturbed (generated)",
            "control (generated)",
        )?;
        let observed_de = if pairs.len() >= 2 {
            let real = data.select_genes(&expressed)?;
            let rows = |pick: fn(&HeldOutPair) -> &String| -> Result<Vec<usize>, WorkflowError> {
                pairs
                    .iter()
                    .map(|p| Ok(real.sample_position(pick(p))?))
                    .collect()
            };
            Some(self.de(
                &real,
                rows(|p| &p.observed)?,
                rows(|p| &p.reference)?,
                "perturbed (observed)",
                "reference (observed)",
            )?)
        } else {
            None
        };
        let agreement = observed_de
            .as_ref()
            .map(|obs| agreement(&generated_de, obs, self.alpha));
        Ok(PerturbationStudyResult {
            study: self.clone(),
            gene_ids: data.gene_ids().to_vec(),
            expressed,
            units,
            generated,
            generated_de,
            observed_de,
            agreement,
        })
    }

    fn check(&self, pairs: &[HeldOutPair]) -> Result<(), WorkflowError> {
        let design = |m: String| Err(WorkflowError::Design(m));
        if pairs.is_empty() {
            return design("the study has no held-out pairs; give at least one (reference, observed) pair of samples".into());
        }
        if self.replicates < 2 {
            return design(format!(
                "replicates is {}; the DE test needs at least 2 generated replicates per condition",
                self.replicates
            ));
        }
        let mut units: Vec<&str> = pairs.iter().map(|p| p.unit.as_str()).collect();
        units.sort_unstable();
        if let Some(w) = units.windows(2).find(|w| w[0] == w[1]) {
            return design(format!(
                "donor {:?} is held out twice; give one pair per donor",
                w[0]
            ));
        }
        Ok(())
    }

    /// Benchmarks each donor against the observed fold changes, with the mean
    /// observed effect of the other donors as the mean-effect baseline.
    fn score(
        &self,
        units: Vec<(HeldOutPair, String, Vec<f64>, Vec<f64>)>,
    ) -> Result<Vec<UnitResult>, WorkflowError> {
        let n = units.len();
        let observed: Vec<&Vec<f64>> = units.iter().map(|u| &u.3).collect();
        let mean_effects: Vec<Option<Vec<f64>>> = (0..n)
            .map(|u| {
                (n >= 2).then(|| {
                    let others: Vec<&Vec<f64>> =
                        (0..n).filter(|&v| v != u).map(|v| observed[v]).collect();
                    mean_vector(&others)
                })
            })
            .collect();
        units
            .into_iter()
            .zip(mean_effects)
            .map(|((pair, backend, predicted, observed), mean_effect)| {
                let benchmark = perturbation_benchmark(
                    &predicted,
                    &observed,
                    mean_effect.as_deref(),
                    self.top_n,
                )?;
                Ok(UnitResult {
                    pair,
                    backend,
                    predicted,
                    observed,
                    mean_effect,
                    benchmark,
                })
            })
            .collect()
    }

    fn de(
        &self,
        data: &Dataset,
        a: Vec<usize>,
        b: Vec<usize>,
        label_a: &str,
        label_b: &str,
    ) -> Result<DeResult, WorkflowError> {
        let groups = Groups {
            case_label: label_a.into(),
            case: a,
            control_label: label_b.into(),
            control: b,
        };
        let log_cpm = NormalizeParams::new(Method::LogCpm { prior_count: 2.0 });
        Ok(de_groups(data, &groups, self.test, &log_cpm)?)
    }
}

/// The element-wise mean of equally long vectors.
fn mean_vector(vectors: &[&Vec<f64>]) -> Vec<f64> {
    let n = vectors.len() as f64;
    let len = vectors.first().map_or(0, |v| v.len());
    (0..len)
        .map(|g| vectors.iter().map(|v| v[g]).sum::<f64>() / n)
        .collect()
}

/// Genes with CPM >= 1 in at least half of the given samples, in gene order.
fn expressed_genes(data: &Dataset, rows: &[usize]) -> Vec<String> {
    let libs = data.library_sizes();
    let counts = data.counts();
    let need = rows.len().div_ceil(2);
    data.gene_ids()
        .iter()
        .enumerate()
        .filter(|&(g, _)| {
            rows.iter()
                .filter(|&&r| libs[r] > 0 && f64::from(counts[(r, g)]) * 1e6 >= libs[r] as f64)
                .count()
                >= need
        })
        .map(|(_, id)| id.clone())
        .collect()
}

fn generated_dataset(
    gene_ids: &[String],
    rows: Vec<(String, String, Vec<u32>)>,
) -> Result<Dataset, WorkflowError> {
    let n_genes = gene_ids.len();
    let mut counts = Array2::<u32>::zeros((rows.len(), n_genes));
    let mut ids = Vec::with_capacity(rows.len());
    let mut units = Vec::with_capacity(rows.len());
    let mut conditions = Vec::with_capacity(rows.len());
    let mut k = std::collections::BTreeMap::<(String, String), usize>::new();
    for (i, (unit, condition, row)) in rows.into_iter().enumerate() {
        counts.row_mut(i).assign(&ndarray::ArrayView1::from(&row));
        let n = k.entry((unit.clone(), condition.clone())).or_default();
        *n += 1;
        ids.push(format!("{unit}_{condition}_{n}"));
        units.push(Some(unit));
        conditions.push(Some(condition));
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

fn agreement(generated: &DeResult, observed: &DeResult, alpha: f64) -> DeAgreement {
    let obs: std::collections::HashMap<&str, f64> = observed
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

fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".into(), |x| format!("{x:.3}"))
}

impl PerturbationStudyResult {
    /// Mean over donors of a predictor's metrics over all genes:
    /// `(pearson, mse)`; predictors are `model`, `no_change`, `mean_effect`.
    pub fn mean_metrics(&self, predictor: &str) -> (Option<f64>, Option<f64>) {
        let pick = |b: &Benchmark| -> Option<Metrics> {
            match predictor {
                "model" => Some(b.model.all),
                "no_change" => Some(b.no_change.all),
                "mean_effect" => b.mean_effect.map(|m| m.all),
                _ => None,
            }
        };
        let metrics: Vec<Metrics> = self
            .units
            .iter()
            .filter_map(|u| pick(&u.benchmark))
            .collect();
        (
            mean_of(metrics.iter().map(|m| m.pearson)),
            mean_of(metrics.iter().map(|m| Some(m.mse))),
        )
    }

    /// The donor-averaged predicted and observed fold changes of the expressed genes.
    pub fn mean_fold_changes(&self) -> (Vec<String>, Vec<f64>, Vec<f64>) {
        let expressed: std::collections::HashSet<&str> =
            self.expressed.iter().map(String::as_str).collect();
        let keep: Vec<usize> = (0..self.gene_ids.len())
            .filter(|&g| expressed.contains(self.gene_ids[g].as_str()))
            .collect();
        let mean = |pick: fn(&UnitResult) -> &Vec<f64>| -> Vec<f64> {
            let all = mean_vector(&self.units.iter().map(pick).collect::<Vec<_>>());
            keep.iter().map(|&g| all[g]).collect()
        };
        (
            keep.iter().map(|&g| self.gene_ids[g].clone()).collect(),
            mean(|u| &u.predicted),
            mean(|u| &u.observed),
        )
    }

    /// The report sections: design, benchmark, DE of the generated replicates,
    /// DE of the real samples and the agreement of the two.
    pub fn sections(&self) -> Vec<ReportSection> {
        let mut sections = vec![self.design_section(), self.benchmark_section()];
        let de_section = |result: &DeResult| {
            let report = DeReport {
                result: result.clone(),
                alpha: self.study.alpha,
                top_n: 20,
            };
            let mut section = report.section();
            section
                .tables
                .push(("Volcano table (all tested genes)".into(), report.table()));
            section
        };
        sections.push(de_section(&self.generated_de));
        if let Some(observed) = &self.observed_de {
            sections.push(de_section(observed));
        }
        if let Some(a) = self.agreement {
            sections.push(agreement_section(a, self.study.alpha));
        }
        sections
    }

    fn design_section(&self) -> ReportSection {
        let s = &self.study;
        let perturbation: Vec<String> = s
            .perturbation
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let mut table = Table::new(["donor", "reference", "observed", "backend"]);
        for u in &self.units {
            table.push(vec![
                u.pair.unit.as_str().into(),
                u.pair.reference.as_str().into(),
                u.pair.observed.as_str().into(),
                u.backend.as_str().into(),
            ]);
        }
        ReportSection {
            title: "Study design".into(),
            paragraphs: vec![
                format!(
                    "Perturbation: {}. Model: {}. {} held-out donor(s); each donor's real unperturbed sample is the reference, its real perturbed sample the observed effect.",
                    perturbation.join(", "),
                    s.model,
                    self.units.len()
                ),
                format!(
                    "Predicted fold changes come from mean estimation; {} replicates per donor and condition (perturbed, control) from sample generation feed the DE test. Fold changes are log2(CPM + 1) differences, as the reference-conditioning documentation computes them. Seed {}.",
                    s.replicates, s.seed
                ),
                format!(
                    "{} of {} genes are expressed (CPM >= 1 in at least half of the real samples): they are tested for DE and drawn in the scatter plot; the benchmark scores all genes and the top {} observed.",
                    self.expressed.len(),
                    self.gene_ids.len(),
                    s.top_n
                ),
            ],
            tables: vec![("Held-out donors".into(), table)],
            figures: vec![],
        }
    }

    fn benchmark_section(&self) -> ReportSection {
        let (model_r, model_mse) = self.mean_metrics("model");
        let (_, none_mse) = self.mean_metrics("no_change");
        let (mean_r, mean_mse) = self.mean_metrics("mean_effect");
        let mut paragraphs = vec![format!(
            "Mean over held-out donors, all genes: Pearson r of predicted and observed fold changes {} (mean-effect baseline {}; no change: undefined); MSE {} (no change {}, mean effect {}).",
            fmt(model_r), fmt(mean_r), fmt(model_mse), fmt(none_mse), fmt(mean_mse)
        )];
        let mut per_donor = Table::new(std::iter::once("donor").chain(Benchmark::COLUMNS));
        for u in &self.units {
            for row in u.benchmark.table().rows {
                let mut cells: Vec<Cell> = vec![u.pair.unit.as_str().into()];
                cells.extend(row);
                per_donor.push(cells);
            }
        }
        let (genes, predicted, observed) = self.mean_fold_changes();
        let r = pearson(&predicted, &observed);
        paragraphs.push(format!(
            "Averaged over donors, the {} expressed genes' predicted and observed fold changes correlate with Pearson r = {}; the {} genes with the largest observed change are outlined.",
            genes.len(),
            fmt(r),
            self.study.top_n.min(genes.len())
        ));
        let mut order: Vec<usize> = (0..observed.len()).collect();
        order.sort_by(|&a, &b| observed[b].abs().total_cmp(&observed[a].abs()));
        let mut marked = vec![false; observed.len()];
        order
            .iter()
            .take(self.study.top_n)
            .for_each(|&g| marked[g] = true);
        let predictors = ["model", "no_change", "mean_effect"];
        let mse: Vec<(String, f64)> = predictors
            .iter()
            .filter_map(|p| self.mean_metrics(p).1.map(|m| (p.to_string(), m)))
            .collect();
        let mut pearson_labels = Vec::new();
        let mut pearson_values = Vec::new();
        for u in &self.units {
            for (name, m) in [
                ("model", Some(u.benchmark.model.all)),
                ("mean effect", u.benchmark.mean_effect.map(|m| m.all)),
            ] {
                if let Some(value) = m.and_then(|m| m.pearson) {
                    pearson_labels.push(format!("{} {name}", short(&u.pair.unit)));
                    pearson_values.push(value);
                }
            }
        }
        ReportSection {
            title: "Predicted vs observed fold changes".into(),
            paragraphs,
            tables: vec![("Benchmark per held-out donor".into(), per_donor)],
            figures: vec![
                Figure::Scatter {
                    title: format!(
                        "Predicted vs observed fold changes (Pearson r = {})",
                        fmt(r)
                    ),
                    x_label: "observed log2 fold change (mean over donors)".into(),
                    y_label: "predicted log2 fold change (mean over donors)".into(),
                    x: observed,
                    y: predicted,
                    groups: None,
                    marked,
                },
                Figure::Bar {
                    title: "MSE of fold changes, mean over held-out donors (lower is better)"
                        .into(),
                    y_label: "mean squared error".into(),
                    labels: mse.iter().map(|(p, _)| p.clone()).collect(),
                    values: mse.iter().map(|(_, m)| *m).collect(),
                },
                Figure::Bar {
                    title: "Pearson r per held-out donor: model vs mean effect".into(),
                    y_label: "Pearson r".into(),
                    labels: pearson_labels,
                    values: pearson_values,
                },
            ],
        }
    }

    /// Writes `<name>.html` and its TSV tables into `dir`.
    pub fn write_report(
        &self,
        dir: &std::path::Path,
        name: &str,
    ) -> Result<ReportFiles, WorkflowError> {
        let (r, mse) = self.mean_metrics("model");
        let (mean_r, mean_mse) = self.mean_metrics("mean_effect");
        let (_, none_mse) = self.mean_metrics("no_change");
        let intro = vec![format!(
            "Across {} held-out donors the model's predicted fold changes reach Pearson r {} (mean effect {}) and MSE {} (no change {}, mean effect {}).",
            self.units.len(), fmt(r), fmt(mean_r), fmt(mse), fmt(none_mse), fmt(mean_mse)
        )];
        write_sections(
            dir,
            name,
            "Perturbation benchmark study",
            &format!(
                "{} · {}",
                self.study.model,
                self.units.first().map_or("", |u| u.backend.as_str())
            ),
            &intro,
            &self.sections(),
        )
    }
}

/// The part of a donor id after the dataset prefix (`airway_N61311` -> `N61311`).
fn short(unit: &str) -> &str {
    unit.rsplit_once('_').map_or(unit, |(_, s)| s)
}

fn agreement_section(a: DeAgreement, alpha: f64) -> ReportSection {
    let mut table = Table::new(["measure", "value"]);
    let rows: [(&str, Cell); 6] = [
        (
            "significant in the generated replicates",
            a.n_generated.into(),
        ),
        ("significant in the real samples", a.n_observed.into()),
        ("significant in both", a.n_both.into()),
        ("... with the same direction", a.n_same_direction.into()),
        (
            "precision (generated calls confirmed)",
            a.precision().into(),
        ),
        ("recall (real calls found)", a.recall().into()),
    ];
    for (name, value) in rows {
        table.push(vec![name.into(), value]);
    }
    ReportSection {
        title: "Generated vs observed DE calls".into(),
        paragraphs: vec![format!(
            "At BH-adjusted p < {alpha}: {} genes significant in the generated replicates, {} in the real samples, {} in both ({} with the same direction); precision {}, recall {}.",
            a.n_generated, a.n_observed, a.n_both, a.n_same_direction, fmt(a.precision()), fmt(a.recall())
        )],
        tables: vec![("Agreement of DE calls".into(), table)],
        figures: vec![],
    }
}
