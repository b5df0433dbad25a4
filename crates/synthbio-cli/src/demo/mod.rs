//! The demo: both studies on the real public data in `data/`, each with a
//! local engine refitted without the donors it is tested on, so no figure
//! comes from a sample the model was trained on. The dataset choices (airway
//! and dexamethasone, GEUVADIS and its swapped sex labels) live here, not in
//! the library.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use synthbio::core::{metadata, Dataset, Metadata, Modality};
use synthbio::engine::{refit_bulk_without, Engine, EngineError};
use synthbio::io::{
    align_genes, attach_metadata, read_counts, read_metadata, AlignOptions, CountsOptions, IoError,
};
use synthbio::report::ReportFiles;
use synthbio::workflows::{
    donor_pairs, LabelQcResult, LabelQcStudy, PerturbationStudy, PerturbationStudyResult,
    WorkflowError,
};

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// A study failed.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// The local engine could not load or be refitted.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// `data/` could not be read.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A table of `data/` is not as the demo expects; the message says what.
    #[error("{0}")]
    Data(String),
    /// A dataset was inconsistent.
    #[error(transparent)]
    Dataset(#[from] synthbio::core::DatasetError),
}

/// Dexamethasone as the airway study applied it (1 uM for 18 hours).
pub fn dexamethasone() -> Metadata {
    metadata([
        ("perturbation_type", "compound"),
        ("perturbation_ontology_id", "CHEBI:41879"),
        ("perturbation_dose", "1 um"),
        ("perturbation_time", "18 hours"),
    ])
}

/// The bulk samples of `data_dir` (`bulk/counts.tsv.gz` with the metadata of
/// `bulk/samples.tsv`), in the gene order of `engine`'s bulk models. Genes a
/// dataset did not measure (empty cells; GEUVADIS measured 9,976 of them) are
/// unmeasured in the dataset's mask, never zero.
pub fn read_bulk_samples(data_dir: &Path, engine: &Engine) -> Result<Dataset, DemoError> {
    let options = CountsOptions::default();
    let (counts, _) = read_counts(&data_dir.join("bulk/counts.tsv.gz"), &options)?;
    let (mut data, _) = align_genes(
        &counts,
        engine.gene_ids(Modality::Bulk),
        &AlignOptions::default(),
    )?;
    attach_metadata(
        &mut data,
        &read_metadata(&data_dir.join("bulk/samples.tsv"))?,
    )?;
    Ok(data)
}

/// Rows of `data` whose metadata `key` equals `value`.
fn rows_with(data: &Dataset, key: &str, value: &str) -> Vec<usize> {
    (0..data.n_samples())
        .filter(|&i| data.metadata().get(i, key) == Some(value))
        .collect()
}

/// The airway dexamethasone study, leaving one donor out at a time: each
/// donor's queries run on the shipped engine refitted without that donor.
pub fn airway_study(
    data_dir: &Path,
    engine: &Engine,
    data: &Dataset,
    mut progress: impl FnMut(&str),
) -> Result<PerturbationStudyResult, DemoError> {
    let airway = data.select_samples(&rows_with(data, "dataset", "airway"));
    let pairs = donor_pairs(&airway, "donor", "CHEBI:41879")?;
    let study = PerturbationStudy::new(dexamethasone()).run(&airway, &pairs, |pair| {
        progress(&format!(
            "refitting the bulk model without donor {}",
            pair.unit
        ));
        let refit = refit_bulk_without(engine, data_dir, std::slice::from_ref(&pair.unit))
            .map_err(|e| WorkflowError::Backend {
                unit: pair.unit.clone(),
                source: Box::new(e),
            })?;
        Ok(Arc::new(refit))
    })?;
    Ok(study)
}

/// A QC cohort: real samples with some claimed labels swapped on purpose.
#[derive(Debug, Clone, PartialEq)]
pub struct QcCohort {
    /// The samples, with the swapped labels in their metadata.
    pub data: Dataset,
    /// Donors of the cohort (held out of the engine that checks them).
    pub donors: Vec<String>,
    /// Samples whose `sex` label was swapped.
    pub swapped: Vec<String>,
}

/// Every `step`-th GEUVADIS individual (in sample order) with the `sex` label
/// of `n_swaps` of them, drawn with `seed`, swapped (female <-> male).
pub fn geuvadis_cohort(
    data: &Dataset,
    step: usize,
    n_swaps: usize,
    seed: u64,
) -> Result<QcCohort, DemoError> {
    let rows: Vec<usize> = rows_with(data, "dataset", "geuvadis")
        .into_iter()
        .step_by(step.max(1))
        .collect();
    if n_swaps > rows.len() {
        return Err(DemoError::Data(format!(
            "cannot swap {n_swaps} labels among {} samples; swap fewer or take a smaller step",
            rows.len()
        )));
    }
    let mut cohort = data.select_samples(&rows);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut picks = rand::seq::index::sample(&mut rng, rows.len(), n_swaps).into_vec();
    picks.sort_unstable();
    let mut sex: Vec<Option<String>> = cohort
        .metadata()
        .column("sex")
        .map(<[_]>::to_vec)
        .unwrap_or_default();
    for &i in &picks {
        sex[i] = sex[i]
            .as_deref()
            .map(|s| if s == "female" { "male" } else { "female" }.to_string());
    }
    cohort.metadata_mut().set_column("sex", sex)?;
    let donors = (0..cohort.n_samples())
        .filter_map(|i| cohort.metadata().get(i, "donor").map(str::to_string))
        .collect();
    let swapped = picks
        .iter()
        .map(|&i| cohort.sample_ids()[i].clone())
        .collect();
    Ok(QcCohort {
        data: cohort,
        donors,
        swapped,
    })
}

/// The QC study of a [`geuvadis_cohort`] (every third individual, 6 sex labels
/// swapped, seed 7) on the shipped engine refitted without those individuals.
/// The GEUVADIS quantification in `data/` measured 9,976 of the model's genes
/// (XIST not among them): the mask keeps the rest out of the encoding and the
/// marker check.
pub fn geuvadis_qc(
    data_dir: &Path,
    engine: &Engine,
    data: &Dataset,
) -> Result<(QcCohort, LabelQcResult), DemoError> {
    let cohort = geuvadis_cohort(data, 3, 6, 7)?;
    let refit = refit_bulk_without(engine, data_dir, &cohort.donors)?;
    let study = LabelQcStudy::default();
    let result = study.run(&refit, &cohort.data)?;
    Ok((cohort, result))
}

/// What [`run_demo`] wrote.
#[derive(Debug)]
pub struct DemoOutput {
    /// The perturbation benchmark study.
    pub study: PerturbationStudyResult,
    /// Its report.
    pub study_files: ReportFiles,
    /// The QC cohort, with the labels swapped on purpose.
    pub cohort: QcCohort,
    /// The QC study.
    pub qc: LabelQcResult,
    /// Its report.
    pub qc_files: ReportFiles,
    /// The folder written to.
    pub out_dir: PathBuf,
}

/// Runs both studies on the data of `data_dir` and writes
/// `perturbation-study.html` and `label-qc.html` with their TSV tables into
/// `out_dir`; `progress` hears of each step.
pub fn run_demo(
    data_dir: &Path,
    out_dir: &Path,
    mut progress: impl FnMut(&str),
) -> Result<DemoOutput, DemoError> {
    let engine = Engine::embedded()?;
    progress("reading the bulk samples of data/");
    let data = read_bulk_samples(data_dir, &engine)?;
    let study = airway_study(data_dir, &engine, &data, &mut progress)?;
    let study_files = study.write_report(out_dir, "perturbation-study")?;
    progress("refitting the bulk model without the QC cohort, predicting its metadata");
    let (cohort, qc) = geuvadis_qc(data_dir, &engine, &data)?;
    let qc_files = qc.write_report(out_dir, "label-qc")?;
    Ok(DemoOutput {
        study,
        study_files,
        cohort,
        qc,
        qc_files,
        out_dir: out_dir.to_path_buf(),
    })
}
