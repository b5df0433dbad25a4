//! A study's report: design, benchmark with its figures, DE of the generated
//! and real samples, and their agreement.

use super::score::{DeAgreement, PerturbationStudyResult, Scored};
use crate::report::{fmt, write_sections};
use crate::WorkflowError;
use synthbio_core::{Cell, Figure, Report, ReportSection, Table};
use synthbio_de::{pearson, Benchmark, DeReport, DeResult};
use synthbio_report::ReportFiles;

impl PerturbationStudyResult {
    /// The report sections: design, benchmark, DE of the generated replicates,
    /// DE of the real samples and the agreement of the two.
    pub fn sections(&self) -> Vec<ReportSection> {
        let mut sections = vec![
            self.design_section(),
            self.benchmark_section(),
            self.metric_set.section(),
        ];
        sections.push(self.de_section(&self.generated_de));
        if let Some(observed) = &self.observed_de {
            sections.push(self.de_section(observed));
        }
        if let Some(a) = self.agreement {
            sections.push(agreement_section(a, self.study.alpha));
        }
        sections
    }

    /// Writes `<name>.html` and its TSV tables into `dir`.
    pub fn write_report(
        &self,
        dir: &std::path::Path,
        name: &str,
    ) -> Result<ReportFiles, WorkflowError> {
        let model = self.mean_metrics(Scored::Model);
        let mean = self.mean_metrics(Scored::MeanEffect);
        let none = self.mean_metrics(Scored::NoChange);
        let w = |p: &str| fmt(self.metric_set.mean(p, "weighted_r2_delta").0);
        let intro = vec![format!(
            "Across {} held-out donors the model's predicted fold changes reach Pearson r {} (mean effect {}) and MSE {} (no change {}, mean effect {}); weighted delta R^2 {} (mean training effect {}, other donors {}).",
            self.units.len(), fmt(model.pearson), fmt(mean.pearson), fmt(model.mse), fmt(none.mse), fmt(mean.mse),
            w("model"), w("mean_training_effect"), w("other_donors")
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

    fn de_section(&self, result: &DeResult) -> ReportSection {
        let report = DeReport {
            result: result.clone(),
            alpha: self.study.alpha,
            top_n: 20,
        };
        let mut section = report.section();
        section.paragraphs.insert(
            1,
            if self.paired {
                "Paired design ~ donor + condition (limma-trend on edgeR log CPM, every expressed gene tested): the donor effect is blocked out.".into()
            } else {
                "Two-group comparison (a paired design needs two donors or more and the moderated t).".into()
            },
        );
        section
            .tables
            .push(("Volcano table (all tested genes)".into(), report.table()));
        section
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
        let model = self.mean_metrics(Scored::Model);
        let none = self.mean_metrics(Scored::NoChange);
        let mean = self.mean_metrics(Scored::MeanEffect);
        let mut paragraphs = vec![format!(
            "Mean over held-out donors, all genes: Pearson r of predicted and observed fold changes {} (mean-effect baseline {}; no change: undefined); MSE {} (no change {}, mean effect {}).",
            fmt(model.pearson), fmt(mean.pearson), fmt(model.mse), fmt(none.mse), fmt(mean.mse)
        )];
        let mut per_donor = Table::new(std::iter::once("donor").chain(Benchmark::COLUMNS));
        for u in &self.units {
            for row in u.benchmark.table().rows {
                let mut cells: Vec<Cell> = vec![u.pair.unit.as_str().into()];
                cells.extend(row);
                per_donor.push(cells);
            }
        }
        let fold = self.mean_fold_changes();
        let r = pearson(&fold.predicted, &fold.observed);
        paragraphs.push(format!(
            "Averaged over donors, the {} expressed genes' predicted and observed fold changes correlate with Pearson r = {}; the {} genes with the largest observed change are outlined.",
            fold.gene_ids.len(),
            fmt(r),
            self.study.top_n.min(fold.gene_ids.len())
        ));
        let mut order: Vec<usize> = (0..fold.observed.len()).collect();
        order.sort_by(|&a, &b| fold.observed[b].abs().total_cmp(&fold.observed[a].abs()));
        let mut marked = vec![false; fold.observed.len()];
        order
            .iter()
            .take(self.study.top_n)
            .for_each(|&g| marked[g] = true);
        let mse: Vec<(&str, f64)> = Scored::ALL
            .iter()
            .filter_map(|&p| self.mean_metrics(p).mse.map(|m| (p.name(), m)))
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
                    x: fold.observed,
                    y: fold.predicted,
                    groups: None,
                    marked,
                },
                Figure::Bar {
                    title: "MSE of fold changes, mean over held-out donors (lower is better)"
                        .into(),
                    y_label: "mean squared error".into(),
                    labels: mse.iter().map(|(p, _)| p.to_string()).collect(),
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
