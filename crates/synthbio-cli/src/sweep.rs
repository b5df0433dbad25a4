//! The sweep on the local engine: every perturbation of `data/` held out in turn,
//! by donor in the bulk data and by cell type in the single-cell data, each
//! context scored on an engine refitted without it.

use crate::demo::{read_bulk_samples, DemoError};
use crate::refits::refit_each;
use std::path::Path;
use synthbio::core::{Dataset, Modality};
use synthbio::engine::{refit_bulk_without, refit_sc_without_treated, Engine};
use synthbio::io::{align_genes, read_matrix_market, AlignOptions};
use synthbio::workflows::{
    pairs_for, perturbation_label, perturbations_of, CellStudy, PerturbationStudy, Sweep,
};

/// What [`run_sweep`] covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepOptions {
    /// Most cells per condition and cell type in the single-cell studies.
    pub max_cells: usize,
    /// Library size of the predicted cells (`None`: each reference's own).
    pub total_count: Option<u64>,
    /// Only the perturbations with these labels (ontology id, else type); all when empty.
    pub only: Vec<String>,
    /// Hold out only these contexts (donors, cell type ontology ids); all when empty.
    /// The others still train every model and make the other-contexts baseline.
    pub held_out: Vec<String>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        let cells = CellStudy::new(Default::default(), "");
        SweepOptions {
            max_cells: cells.max_cells,
            total_count: cells.total_count,
            only: Vec::new(),
            held_out: Vec::new(),
        }
    }
}

/// Runs the sweep on the data of `data_dir`; `progress` hears of each step.
pub fn run_sweep(
    data_dir: &Path,
    options: &SweepOptions,
    mut progress: impl FnMut(&str),
) -> Result<Sweep, DemoError> {
    let engine = Engine::embedded()?;
    let wanted = |label: &str| options.only.is_empty() || options.only.iter().any(|o| o == label);
    let selected = |context: &str| {
        options.held_out.is_empty() || options.held_out.iter().any(|c| c == context)
    };
    let mut sweep = Sweep::default();
    progress("reading the bulk samples of data/");
    let bulk = read_bulk_samples(data_dir, &engine)?;
    for perturbation in perturbations_of(&bulk) {
        let label = perturbation_label(&perturbation);
        if !wanted(&label) {
            continue;
        }
        let pairs = pairs_for(&bulk, "donor", &perturbation)?;
        if pairs.len() < 2 {
            sweep.notes.push(format!(
                "{label} (bulk): {} donor(s) with a control and a treated sample; held out, its model would never have seen the perturbation, so it is not scored",
                pairs.len()
            ));
            continue;
        }
        let pairs: Vec<_> = pairs.into_iter().filter(|p| selected(&p.unit)).collect();
        if pairs.is_empty() {
            sweep.notes.push(format!(
                "{label} (bulk): none of its donors is among those to hold out"
            ));
            continue;
        }
        progress(&format!(
            "{label}: refitting the bulk model without each of {} donors",
            pairs.len()
        ));
        let units: Vec<String> = pairs.iter().map(|p| p.unit.clone()).collect();
        let mut refits = refit_each(&units, |unit| {
            refit_bulk_without(&engine, data_dir, &[unit.to_string()])
        });
        let study = PerturbationStudy::new(perturbation);
        let result = study.run(&bulk, &pairs, |pair| refits.take(&pair.unit))?;
        sweep.push_study(&label, "donor", &result);
    }
    progress("reading the single-cell data of data/");
    let cells = read_cells(data_dir, &engine)?;
    for perturbation in perturbations_of(&cells) {
        let label = perturbation_label(&perturbation);
        if !wanted(&label) {
            continue;
        }
        let study = CellStudy {
            max_cells: options.max_cells,
            total_count: options.total_count,
            ..CellStudy::new(perturbation, label.clone())
        };
        let (contexts, excluded) = study.contexts(&cells);
        sweep.notes.extend(excluded);
        let contexts: Vec<String> = contexts.into_iter().filter(|c| selected(c)).collect();
        if contexts.is_empty() {
            sweep.notes.push(format!(
                "{label} (cells): none of its cell types is among those to hold out"
            ));
            continue;
        }
        progress(&format!(
            "{label}: refitting the single-cell model without each of {} cell types' treated cells",
            contexts.len()
        ));
        let mut refits = refit_each(&contexts, |context| {
            refit_sc_without_treated(&engine, data_dir, context)
        });
        let scores = contexts
            .iter()
            .map(|context| {
                let predictor = refits.take(context)?;
                study.run(&cells, context, predictor.as_ref())
            })
            .collect::<Result<Vec<_>, _>>()?;
        sweep.push_cells(&study, scores);
    }
    Ok(sweep)
}

/// The single-cell data of `data_dir` (`sc/matrix.mtx.gz` with the metadata of
/// `sc/cells.tsv`), in the gene order of `engine`'s single-cell models.
pub fn read_cells(data_dir: &Path, engine: &Engine) -> Result<Dataset, DemoError> {
    let sc = data_dir.join("sc");
    let (cells, _) = read_matrix_market(
        &sc.join("matrix.mtx.gz"),
        &sc.join("genes.tsv"),
        &sc.join("cells.tsv"),
    )?;
    let (aligned, _) = align_genes(
        &cells,
        engine.gene_ids(Modality::SingleCell),
        &AlignOptions::default(),
    )?;
    Ok(aligned)
}
