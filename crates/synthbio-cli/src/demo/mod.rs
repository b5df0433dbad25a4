//! The demo: both studies on the real public data in `data/`, each with a
//! local engine refitted without the donors it is tested on, so no figure
//! comes from a sample the model was trained on. The dataset choices (airway
//! and dexamethasone, GEUVADIS and its swapped sex labels) live here, not in
//! the library.

mod airway;
mod data;
mod geuvadis;

pub use airway::{airway_study, dexamethasone};
pub use data::read_bulk_samples;
pub use geuvadis::{geuvadis_cohort, geuvadis_qc, QcCohort};

use std::path::{Path, PathBuf};
use synthbio::engine::{Engine, EngineError};
use synthbio::io::IoError;
use synthbio::report::ReportFiles;
use synthbio::workflows::{LabelQcResult, PerturbationStudyResult, WorkflowError};

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
