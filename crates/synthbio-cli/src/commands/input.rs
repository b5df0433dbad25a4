//! Reading the counts and metadata a command is given, and putting the genes
//! in a model's order.

use clap::Args;
use std::path::PathBuf;
use synthbio::core::{Dataset, ModelId};
use synthbio::io::{
    attach_metadata, harmonise_gene_ids, read_counts, read_matrix_market, read_metadata,
    AlignOptions, CountsMatrix, CountsOptions, Detected, GeneIdColumn, H5adOptions,
    HarmoniseOptions, IoError, Orientation, SourceFormat,
};
use synthbio::Backend;

/// The counts (and sample metadata) a command reads.
#[derive(Args)]
pub struct InputArgs {
    /// Raw counts: a TSV/CSV table (gzipped or not; genes x samples or samples x genes,
    /// detected and stated), an AnnData .h5ad file (obs is the sample metadata), a 10x
    /// folder (matrix.mtx.gz, features.tsv.gz, barcodes.tsv.gz) or a Matrix Market file
    /// (.mtx/.mtx.gz, with --genes and --cells).
    pub counts: PathBuf,
    /// Sample metadata table (TSV/CSV, first column = sample ids matching the counts).
    #[arg(long, short)]
    pub metadata: Option<PathBuf>,
    /// Override the detected layout of a counts table.
    #[arg(long, value_enum)]
    pub layout: Option<Orientation>,
    /// .h5ad input: the matrix holding the raw counts: X, raw.X or a layer name such as
    /// counts (default: layers["counts"], else raw.X, else X if it holds counts).
    #[arg(long, value_name = "MATRIX")]
    pub layer: Option<CountsMatrix>,
    /// .h5ad input: the var column holding the gene ids, or `index` for var_names
    /// (default: var_names, unless they hold no Ensembl ids and a column such as
    /// gene_ids does).
    #[arg(long, value_name = "COLUMN")]
    pub gene_id_column: Option<GeneIdColumn>,
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
            eprintln!(
                "{} of {} sample x gene cells are unmeasured: {}",
                m.n_unmeasured_cells(),
                aligned.n_samples() * aligned.n_genes(),
                if backend.reads_measured_mask() {
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
        let (data, detected) = self.read()?;
        let mut options = HarmoniseOptions::default();
        if self.refuse_duplicate_genes {
            options = options.refusing_duplicates();
        }
        if let Some(genes) = universe {
            options = options.within(genes);
        }
        let (mut data, report) =
            harmonise_gene_ids(&data, &options).map_err(|e| match (&e, detected.format) {
                (IoError::NoGenesMapped { n, examples }, SourceFormat::AnnData) => format!(
                    "{}: none of the {n} gene ids (such as {}) is an Ensembl gene id, a human \
                     gene symbol or an Entrez id ({}); name the var column that holds gene \
                     ids with --gene-id-column, or use --gene-id-column index",
                    self.counts.display(),
                    examples.join(", "),
                    detected.source.as_deref().unwrap_or("read from var")
                )
                .into(),
                _ => Box::<dyn std::error::Error>::from(e),
            })?;
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

    /// Reads the counts as they are, saying on stderr what was detected; --layer and
    /// --gene-id-column are refused for inputs other than AnnData, --layout for inputs
    /// other than text tables.
    fn read(&self) -> Result<(Dataset, Detected), Box<dyn std::error::Error>> {
        let name = self.counts.to_string_lossy();
        let h5ad_flags = match (&self.layer, &self.gene_id_column) {
            (Some(_), _) => Some("--layer"),
            (None, Some(_)) => Some("--gene-id-column"),
            (None, None) => None,
        };
        let not_h5ad = |what: &str| {
            h5ad_flags.map(|flag| {
                format!(
                    "{flag} chooses what to read from an AnnData .h5ad file, but {name} is \
                     {what}; drop {flag}"
                )
            })
        };
        let (data, detected) = if name.ends_with(".mtx") || name.ends_with(".mtx.gz") {
            if let Some(e) = not_h5ad("a Matrix Market file") {
                return Err(e.into());
            }
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
            let mut h5ad = H5adOptions::default();
            if let Some(layer) = &self.layer {
                h5ad = h5ad.with_matrix(layer.clone());
            }
            if let Some(column) = &self.gene_id_column {
                h5ad = h5ad.with_gene_ids(column.clone());
            }
            read_counts(&self.counts, &options.with_h5ad(h5ad))?
        };
        let kind = match detected.format {
            SourceFormat::AnnData => "an AnnData file",
            SourceFormat::MatrixMarket => "a 10x folder",
            _ => "a counts table",
        };
        if let Some(e) = (detected.format != SourceFormat::AnnData)
            .then(|| not_h5ad(kind))
            .flatten()
        {
            return Err(e.into());
        }
        if self.layout.is_some() && !matches!(detected.format, SourceFormat::Delimited(_)) {
            return Err(format!(
                "--layout states how a counts table lies, but {name} is {kind}, whose layout \
                 is fixed (cells x genes); drop --layout"
            )
            .into());
        }
        eprintln!("read {name}: {detected}");
        Ok((data, detected))
    }
}
