//! The sweep on the local engine: every perturbation of `data/` held out in turn,
//! by donor in the bulk data and by cell type in the single-cell data, each
//! context scored on an engine refitted without it.

use crate::demo::{read_bulk_samples, DemoError};
use crate::refits::Refits;
use ndarray::Array2;
use std::path::Path;
use synthbio::core::{Dataset, Modality};
use synthbio::engine::{refit_bulk_without_each, refit_sc_without_treated_each, Engine};
use synthbio::io::{align_genes, attach_metadata, read_metadata, read_mtx_triplets, AlignOptions};
use synthbio::workflows::{
    cells_to_score, pairs_for, perturbation_label, perturbations_of, CellStudy, PerturbationStudy,
    Sweep,
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
        let mut refits = Refits::new(&units, refit_bulk_without_each(&engine, data_dir, &units)?);
        let study = PerturbationStudy::new(perturbation);
        let result = study.run(&bulk, &pairs, |pair| refits.take(&pair.unit))?;
        sweep.push_study(&label, "donor", &result);
    }
    progress("reading the single-cell data of data/");
    let cells = read_cells(data_dir, &engine, options.max_cells)?;
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
        let engines = refit_sc_without_treated_each(&engine, data_dir, &contexts)?;
        let mut refits = Refits::new(&contexts, engines);
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

/// The single-cell data of `data_dir` that a sweep with `max_cells` scores
/// ([`cells_to_score`]: at most `max_cells` per cell type and condition), from
/// `sc/matrix.mtx.gz` with the metadata of `sc/cells.tsv`, in the gene order of
/// `engine`'s single-cell models; the full matrix is never held dense.
pub fn read_cells(
    data_dir: &Path,
    engine: &Engine,
    max_cells: usize,
) -> Result<Dataset, DemoError> {
    let sc = data_dir.join("sc");
    let table = read_metadata(&sc.join("cells.tsv"))?;
    let genes = read_metadata(&sc.join("genes.tsv"))?;
    let matrix = read_mtx_triplets(&sc.join("matrix.mtx.gz"))?;
    if (matrix.rows, matrix.cols) != (genes.n_rows(), table.n_rows()) {
        return Err(DemoError::Data(format!(
            "sc/matrix.mtx.gz is {} x {}, but sc/genes.tsv names {} genes and sc/cells.tsv {} cells",
            matrix.rows,
            matrix.cols,
            genes.n_rows(),
            table.n_rows()
        )));
    }
    let keep = cells_to_score(&table, "cell_type_ontology_id", max_cells);
    let mut position = vec![None; table.n_rows()];
    for (k, &cell) in keep.iter().enumerate() {
        position[cell] = Some(k);
    }
    let mut counts = Array2::<u32>::zeros((keep.len(), genes.n_rows()));
    for &(gene, cell, count) in &matrix.entries {
        if let Some(k) = position[cell as usize] {
            let slot = &mut counts[[k, gene as usize]];
            *slot = slot.checked_add(count).ok_or_else(|| {
                DemoError::Data(format!(
                    "sc/matrix.mtx.gz: repeated entries of gene {gene}, cell {cell} sum past 4294967295"
                ))
            })?;
        }
    }
    let ids = keep
        .iter()
        .map(|&c| table.sample_ids()[c].clone())
        .collect();
    let mut cells = Dataset::new(counts, genes.sample_ids().to_vec(), ids)?;
    attach_metadata(&mut cells, &table)?;
    let (aligned, _) = align_genes(
        &cells,
        engine.gene_ids(Modality::SingleCell),
        &AlignOptions::default(),
    )?;
    Ok(aligned)
}
