//! Held-out evaluation: the models beat their baselines, and the figures do
//! not fall below the floors recorded when the models were first evaluated.

use crate::common::data_dir;
use synthbio_core::Modality;
use synthbio_engine::{evaluate, Task};

/// (modality, task, target, metric, floor for larger-is-better figures).
/// Floors sit a little below the figures measured at training time.
const FLOORS: &[(Modality, Task, &str, &str, f64)] = &[
    (
        Modality::Bulk,
        Task::MetadataPrediction,
        "sex",
        "accuracy",
        0.85,
    ),
    (
        Modality::Bulk,
        Task::MetadataPrediction,
        "sample_type",
        "accuracy",
        0.95,
    ),
    (
        Modality::Bulk,
        Task::MetadataPrediction,
        "perturbation_type",
        "accuracy",
        0.85,
    ),
    (
        Modality::Bulk,
        Task::Generation,
        "held-out condition means",
        "pearson r",
        0.95,
    ),
    (
        Modality::Bulk,
        Task::ReferenceConditioning,
        "log fold change CHEBI:41879",
        "pearson r",
        0.80,
    ),
    (
        Modality::SingleCell,
        Task::MetadataPrediction,
        "cell_type_ontology_id",
        "accuracy",
        0.80,
    ),
    (
        Modality::SingleCell,
        Task::MetadataPrediction,
        "perturbation_type",
        "accuracy",
        0.95,
    ),
    (
        Modality::SingleCell,
        Task::Generation,
        "held-out condition means",
        "pearson r",
        0.98,
    ),
    (
        Modality::SingleCell,
        Task::ReferenceConditioning,
        "log fold change ENSG00000171855",
        "pearson r",
        0.88,
    ),
];

#[test]
fn held_out_figures_beat_the_baselines_and_their_floors() {
    let report = evaluate(&data_dir()).unwrap();
    let text = report.to_string();
    for row in &report.rows {
        assert!(row.beats_baselines(), "below a baseline:\n{row:?}\n{text}");
        assert!(row.units > 0);
    }
    for &(modality, task, target, metric, floor) in FLOORS {
        let row = report
            .row(modality, task, target, metric)
            .unwrap_or_else(|| panic!("no {metric} row for {target}:\n{text}"));
        assert!(
            row.model >= floor,
            "{target} {metric} {} fell below {floor}:\n{text}",
            row.model
        );
    }
    // every task is covered for both modalities
    for modality in [Modality::Bulk, Modality::SingleCell] {
        for task in [
            Task::MetadataPrediction,
            Task::Generation,
            Task::ReferenceConditioning,
        ] {
            assert!(
                report
                    .rows
                    .iter()
                    .any(|r| r.modality == modality && r.task == task),
                "{text}"
            );
        }
    }
}
