//! Reading the counts and metadata a command is given, and putting the genes
//! in a model's order.

use clap::Args;
use std::path::PathBuf;
use synthbio::core::{Dataset, ModelId};
use synthbio::io::{
    attach_metadata, harmonise_gene_ids, read_counts, read_matrix_market, read_metadata,
    AlignOptions, CountsOptions, HarmoniseOptions, Orientation,
};
use synthbio::Backend;

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
    pub layout: Option<Orientation>,
    /// Gene id file of a Matrix Market input (10x features.tsv or a table with gene_id).
    #[arg(long)]
    pub genes: Option<PathBuf>,
    /// Cell (sample) id file of a Matrix Market input (10x barcodes.tsv or a table).
    #[arg(long)]
    pub cells: Option<PathBuf>,
    /// Read empty (or NA) cells of a counts table as 0, for tables where they mean zero.
    /// By default they are unmeasured, as are the model's genes the table lacks.
    #[arg(long)]
    pub empty_as_zero: bool,
    /// Refuse a table that lacks some of the model's genes (default: accept it, the
    /// absent genes treated as unmeasured, never as zero) or has genes the model does
    /// not use (unless --drop-extra-genes).
    #[arg(long)]
    pub strict_genes: bool,
    /// Refuse gene ids that map to the same Ensembl gene (default: sum their counts).
    #[arg(long)]
    pub refuse_duplicate_genes: bool,
    /// Where to list gene ids left out as unknown or ambiguous (default:
    /// <counts file name>.unmapped_genes.tsv in the current folder, written only when
    /// some were left out).
    #[arg(long)]
    pub unmapped_genes: Option<PathBuf>,
}

impl InputArgs {
    /// Reads the counts for an analysis that needs every gene of every sample
    /// (`normalize`, `de`): gene ids harmonised, metadata attached, and a table with
    /// empty cells refused, naming the genes and `--empty-as-zero`.
    pub fn load(&self) -> Result<Dataset, Box<dyn std::error::Error>> {
        let data = self.load_harmonised(None)?;
        if let Err(e) = data.require_all_measured("this analysis") {
            return Err(format!(
                "{e}; or, if the empty cells of {} mean zero, read them as 0 with --empty-as-zero",
                self.counts.display()
            )
            .into());
        }
        Ok(data)
    }

    /// Reads the counts for a model (`qc`, `pca`, `predict`...): gene ids harmonised
    /// (ambiguous symbols resolved within the model's genes when it is known), then put
    /// in the model's gene order, absent genes unmeasured unless --strict-genes; says
    /// on stderr in one line how many genes are absent and how they are treated.
    pub fn load_aligned(
        &self,
        backend: &Backend,
        model: &ModelId,
        drop_extra_genes: bool,
    ) -> Result<Dataset, Box<dyn std::error::Error>> {
        let order = backend.gene_order(model);
        let data = self.load_harmonised(order.as_deref())?;
        let mut options = AlignOptions::default();
        if drop_extra_genes {
            options = options.dropping_extra_genes();
        }
        if self.strict_genes {
            options = options.strict();
        }
        let (aligned, report) =
            synthbio::workflows::align_to_model(data, backend.as_ref(), model, &options)?;
        match report {
            Some(report) => eprintln!("{report}"),
            None => eprintln!(
                "the gene order of {model} is not known before the first answer of {}: the table is sent as read",
                backend.describe()
            ),
        }
        if let Some(m) = aligned.measured() {
            let local = backend.describe().starts_with("the local engine");
            eprintln!(
                "{} of {} sample x gene cells are unmeasured: {}",
                m.n_unmeasured_cells(),
                aligned.n_samples() * aligned.n_genes(),
                if local {
                    "the local engine encodes each sample from the genes it measured"
                } else {
                    "the protocol cannot say \"unmeasured\", so they are sent as 0 to the server; the marker check still ignores them"
                }
            );
        }
        Ok(aligned)
    }

    /// Reads the counts, harmonises the gene ids (within `universe` when given), attaches
    /// the metadata, and says on stderr what was detected and changed.
    fn load_harmonised(
        &self,
        universe: Option<&[String]>,
    ) -> Result<Dataset, Box<dyn std::error::Error>> {
        let data = self.read()?;
        let mut options = HarmoniseOptions::default();
        if self.refuse_duplicate_genes {
            options = options.refusing_duplicates();
        }
        if let Some(genes) = universe {
            options = options.within(genes);
        }
        let (mut data, report) = harmonise_gene_ids(&data, &options)?;
        if report.changed() {
            eprintln!("{report}");
        }
        if !report.unmapped.is_empty() {
            let side = self.unmapped_genes.clone().unwrap_or_else(|| {
                let name = self
                    .counts
                    .file_name()
                    .map_or_else(|| "counts".into(), |n| n.to_string_lossy().into_owned());
                PathBuf::from(format!("{name}.unmapped_genes.tsv"))
            });
            synthbio::io::write_table(&side, &report.unmapped_table())?;
            eprintln!(
                "the {} gene ids left out are listed in {}",
                report.unmapped.len(),
                side.display()
            );
        }
        if let Some(m) = data.measured() {
            eprintln!(
                "{} empty cell(s) read as unmeasured, not zero (--empty-as-zero reads them as 0)",
                m.n_unmeasured_cells()
            );
        }
        if let Some(path) = &self.metadata {
            let report = attach_metadata(&mut data, &read_metadata(path)?)?;
            eprintln!("{report}");
        }
        Ok(data)
    }

    /// Reads the counts as they are, saying on stderr what was detected.
    fn read(&self) -> Result<Dataset, Box<dyn std::error::Error>> {
        let name = self.counts.to_string_lossy();
        let (data, detected) = if name.ends_with(".mtx") || name.ends_with(".mtx.gz") {
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
                options = options.with_orientation(layout);
            }
            read_counts(&self.counts, &options)?
        };
        eprintln!("read {name}: {detected}");
        Ok(data)
    }
}
