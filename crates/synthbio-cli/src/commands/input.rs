//! Reading the counts and metadata a command is given, and putting the genes
//! in a model's order.

use clap::{Args, ValueEnum};
use std::path::PathBuf;
use synthbio::core::{Dataset, Modality, ModelId};
use synthbio::io::{
    align_genes, attach_metadata, read_counts, read_matrix_market, read_metadata, AlignOptions,
    CountsOptions, Orientation,
};
use synthbio::Backend;

/// How the counts table is laid out, when detection should be overridden.
#[derive(Clone, Copy, ValueEnum)]
pub enum Layout {
    /// One row per gene, one column per sample (DESeq2, edgeR, featureCounts).
    GenesAsRows,
    /// One row per sample, one column per gene (scanpy, scikit-learn).
    SamplesAsRows,
}

/// The counts (and sample metadata) a command reads.
#[derive(Args)]
pub struct InputArgs {
    /// Raw counts: a TSV/CSV table (gzipped or not; genes x samples or samples x genes,
    /// detected and stated) or a Matrix Market file (.mtx/.mtx.gz, with --genes and --cells).
    pub counts: PathBuf,
    /// Sample metadata table (TSV/CSV, first column = sample ids matching the counts).
    #[arg(long, short)]
    pub metadata: Option<PathBuf>,
    /// Override the detected layout of a counts table.
    #[arg(long, value_enum)]
    pub layout: Option<Layout>,
    /// Gene id file of a Matrix Market input (10x features.tsv or a table with gene_id).
    #[arg(long)]
    pub genes: Option<PathBuf>,
    /// Cell (sample) id file of a Matrix Market input (10x barcodes.tsv or a table).
    #[arg(long)]
    pub cells: Option<PathBuf>,
    /// Read empty cells of a counts table as 0 (genes not measured) instead of refusing them.
    #[arg(long)]
    pub empty_as_zero: bool,
}

impl InputArgs {
    /// Reads the counts and attaches the metadata, saying on stderr what was detected.
    pub fn load(&self) -> Result<Dataset, Box<dyn std::error::Error>> {
        let name = self.counts.to_string_lossy();
        let (mut data, detected) = if name.ends_with(".mtx") || name.ends_with(".mtx.gz") {
            let (Some(genes), Some(cells)) = (&self.genes, &self.cells) else {
                return Err(format!(
                    "{name} is a Matrix Market file: give its gene and cell id files with --genes and --cells"
                )
                .into());
            };
            read_matrix_market(&self.counts, genes, cells)?
        } else {
            let mut options = CountsOptions::default();
            if self.empty_as_zero {
                options = options.with_empty_as_zero();
            }
            if let Some(layout) = self.layout {
                options = options.with_orientation(match layout {
                    Layout::GenesAsRows => Orientation::GenesAsRows,
                    Layout::SamplesAsRows => Orientation::SamplesAsRows,
                });
            }
            read_counts(&self.counts, &options)?
        };
        eprintln!("read {name}: {detected}");
        if let Some(path) = &self.metadata {
            let report = attach_metadata(&mut data, &read_metadata(path)?)?;
            eprintln!("{report}");
        }
        Ok(data)
    }
}

/// Puts `data`'s genes in the order of `model` when the backend is the local
/// engine (whose gene order is known); a remote model checks the length itself.
pub fn align_to_model(
    data: Dataset,
    backend: &Backend,
    model: &ModelId,
    drop_extra_genes: bool,
) -> Result<Dataset, Box<dyn std::error::Error>> {
    let Some(engine) = backend.engine() else {
        return Ok(data);
    };
    let modality = model.modality().ok_or_else(|| {
        format!("unknown model {model:?}; `synthbio models` lists the models and their ids")
    })?;
    let order = engine.gene_ids(modality);
    let mut options = AlignOptions::default();
    if drop_extra_genes {
        options = options.dropping_extra_genes();
    }
    let (aligned, report) = align_genes(&data, order, &options)?;
    if !report.dropped.is_empty() {
        eprintln!(
            "dropped {} gene(s) the {} model does not use",
            report.dropped.len(),
            if modality == Modality::Bulk {
                "bulk"
            } else {
                "single-cell"
            }
        );
    }
    Ok(aligned)
}
