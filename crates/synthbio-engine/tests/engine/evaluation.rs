//! Held-out evaluation against fair baselines: the figures beat them or are
//! listed as known to fall below (issue 14), sex is read from its markers,
//! dataset-identity and circular rows are marked, and the TSV holds the table.

use crate::common::data_dir;
use std::sync::OnceLock;
use synthbio_core::Modality;
use synthbio_engine::{evaluate, Caveat, EvalReport, Task};

/// The evaluation, run once for the tests of this module.
fn report() -> &'static EvalReport {
    static REPORT: OnceLock<EvalReport> = OnceLock::new();
    REPORT.get_or_init(|| evaluate(&data_dir()).expect("the evaluation runs"))
}

/// Rows measured below a fair baseline (modality, task, target, metric).
/// Each must still be below: a row that now beats its baselines must leave
/// this list, and any row not listed must beat its baselines.
const KNOWN_BELOW: &[(Modality, Task, &str, &str)] = &[
    // The latent classifier has never seen LNCaP when its only donor is held
    // out: right on 4 of 7 lanes, but confidently wrong on the others.
    (B, MP, "perturbation_type", "log loss"),
    (B, MP, "perturbation_type (lncap)", "log loss"),
    // GEUVADIS individuals: the engine's condition means tie the training mean
    // of the same condition in r (0.962, behind in the fourth decimal) and
    // trail it in MSE (0.197 vs 0.196).
    (B, GEN, "held-out condition means", "mse"),
    (B, GEN, "held-out condition means", "pearson r"),
    (B, GEN, "held-out condition means (geuvadis)", "mse"),
    (B, GEN, "held-out condition means (geuvadis)", "pearson r"),
    // TCGA BRCA patients (5 tumours of several subtypes, 5 normals): the
    // engine's additive metadata effects share `breast` with the one BodyMap
    // breast sample, and TCGA's study is unknown, while the baseline is the
    // mean of TCGA's own other patients (r 0.945 vs 0.950, MSE 0.771 vs 0.713).
    (B, GEN, "held-out condition means (tcga_brca)", "mse"),
    (B, GEN, "held-out condition means (tcga_brca)", "pearson r"),
];

const B: Modality = Modality::Bulk;
const SC: Modality = Modality::SingleCell;
const MP: Task = Task::MetadataPrediction;
const GEN: Task = Task::Generation;
const REF: Task = Task::ReferenceConditioning;

#[test]
fn held_out_figures_beat_their_fair_baselines_or_are_listed() {
    let report = report();
    let text = report.to_string();
    for row in &report.rows {
        assert!(row.units > 0, "{row:?}");
        let listed = KNOWN_BELOW.iter().any(|&(m, t, target, metric)| {
            row.modality == m && row.task == t && row.target == target && row.metric == metric
        });
        assert_eq!(
            !row.beats_baselines(),
            listed,
            "{} {} {}: below a baseline = {}, listed in KNOWN_BELOW = {listed}\n{text}",
            row.task.as_str(),
            row.target,
            row.metric,
            !row.beats_baselines()
        );
    }
    // every task is covered for both modalities, with the fair baselines
    for modality in [Modality::Bulk, Modality::SingleCell] {
        for (task, baseline) in [
            (Task::MetadataPrediction, "majority"),
            (Task::Generation, "condition mean"),
            (Task::ReferenceConditioning, "perturbation mean effect"),
        ] {
            assert!(
                report.rows.iter().any(|r| r.modality == modality
                    && r.task == task
                    && r.baselines.iter().any(|(n, _)| n == baseline)),
                "{modality:?} {task:?} without {baseline}:\n{text}"
            );
        }
    }
}

#[test]
fn reference_conditioning_beats_context_transfer_by_the_targets_of_issue_14() {
    let report = report();
    let text = report.to_string();
    // held out by donor on airway: mean fold-change r >= 0.85
    let airway = report
        .row(B, REF, "log fold change CHEBI:41879", "pearson r")
        .unwrap_or_else(|| panic!("no airway row:\n{text}"));
    assert_eq!(airway.units, 4, "one unit per airway donor:\n{text}");
    assert!(airway.model >= 0.85, "airway r {}:\n{text}", airway.model);
    // Kang IFN-beta, one cell type left out at a time
    let kang = report
        .row(SC, REF, "log fold change ENSG00000171855", "pearson r")
        .unwrap_or_else(|| panic!("no Kang row:\n{text}"));
    assert!(kang.units >= 8, "one unit per cell type:\n{text}");
    assert!(kang.beats_baselines(), "{kang:?}\n{text}");
}

#[test]
fn sex_is_read_from_its_markers_on_every_labelled_bulk_dataset() {
    let report = report();
    let text = report.to_string();
    for target in ["sex", "sex (airway)", "sex (geuvadis)", "sex (lncap)"] {
        let acc = report
            .row(Modality::Bulk, Task::MetadataPrediction, target, "accuracy")
            .unwrap_or_else(|| panic!("no accuracy row for {target}:\n{text}"));
        assert!(
            acc.model >= 0.99,
            "{target} accuracy {}:\n{text}",
            acc.model
        );
        let loss = report
            .row(Modality::Bulk, Task::MetadataPrediction, target, "log loss")
            .unwrap_or_else(|| panic!("no log loss row for {target}:\n{text}"));
        assert!(
            loss.model < 0.05,
            "{target} log loss {}:\n{text}",
            loss.model
        );
    }
    // the airway donor labelled male but expressing XIST is scored as female
    assert!(report
        .corrections
        .iter()
        .any(|c| c.sample_id == "airway_SRR1039520" && c.corrected_value == "female"));
    assert!(text.contains("label corrected: airway_SRR1039520 sex male -> female"));
}

#[test]
fn dataset_identity_and_circular_rows_are_marked() {
    let report = report();
    let caveat = |m: Modality, target: &str| {
        report
            .row(m, Task::MetadataPrediction, target, "accuracy")
            .unwrap_or_else(|| panic!("no row for {target}"))
            .caveat
    };
    for key in ["study", "cell_type_ontology_id", "sample_type"] {
        assert_eq!(
            caveat(Modality::Bulk, key),
            Some(Caveat::DatasetIdentity),
            "{key}"
        );
    }
    assert_eq!(caveat(Modality::Bulk, "sex"), None);
    assert_eq!(
        caveat(Modality::SingleCell, "cell_type_ontology_id"),
        Some(Caveat::DerivedLabels)
    );
    assert_eq!(caveat(Modality::SingleCell, "perturbation_type"), None);
}

#[test]
fn the_tsv_holds_every_row_and_baseline() {
    let report = report();
    let tsv = report.to_tsv();
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(
        header[..6],
        ["model", "task", "target", "metric", "units", "engine"]
    );
    assert_eq!(header.last(), Some(&"caveat"));
    let baselines = &header[6..header.len() - 1];
    assert!(
        baselines.contains(&"perturbation mean effect"),
        "{header:?}"
    );
    let body: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(body.len(), report.rows.len());
    for (fields, row) in body.iter().zip(&report.rows) {
        assert_eq!(fields.len(), header.len(), "{fields:?}");
        assert_eq!(fields[2], row.target);
        assert_eq!(fields[4].parse::<usize>().unwrap(), row.units);
        assert_eq!(fields[5].parse::<f64>().unwrap(), row.model);
        for (name, value) in &row.baselines {
            let col = baselines.iter().position(|b| b == name).unwrap();
            assert_eq!(fields[6 + col].parse::<f64>().unwrap(), *value, "{name}");
        }
        let filled = fields[6..header.len() - 1]
            .iter()
            .filter(|f| !f.is_empty())
            .count();
        assert_eq!(filled, row.baselines.len(), "{fields:?}");
    }
}
