//! What a reader detected about a file, and how a counts table's orientation is told.

use crate::delimited::Delimiter;
use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

/// Which way a matrix file lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Orientation {
    /// One row per gene, one column per sample (DESeq2, edgeR, featureCounts, 10x).
    GenesAsRows,
    /// One row per sample, one column per gene (scanpy, scikit-learn).
    SamplesAsRows,
}

impl Orientation {
    /// "genes as rows" or "samples as rows".
    pub fn describe(self) -> &'static str {
        match self {
            Orientation::GenesAsRows => "genes as rows",
            Orientation::SamplesAsRows => "samples as rows",
        }
    }
}

/// How the orientation was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrientationBasis {
    /// The caller stated it.
    Explicit,
    /// Most ids of the first column are Ensembl gene ids and most header ids are not.
    GeneIdsInFirstColumn,
    /// Most header ids are Ensembl gene ids and most first-column ids are not.
    GeneIdsInHeader,
    /// The first header cell names the rows (`gene_id`, `sample`, `cell`...).
    FirstHeaderCell,
    /// A Matrix Market file: the lengths of the gene and cell id files.
    IdFileLengths,
    /// The format fixes it (AnnData: cells x genes).
    FileFormat,
}

/// The kind of file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceFormat {
    /// Delimited text.
    Delimited(Delimiter),
    /// Matrix Market coordinate format.
    MatrixMarket,
    /// AnnData `.h5ad` (HDF5).
    AnnData,
}

/// What a reader found out about a file, so that the command line can say it:
/// its `Display` reads "64102 genes x 8 samples (genes as rows, tab-separated, gzipped)".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Detected {
    /// Text or Matrix Market, with the delimiter.
    pub format: SourceFormat,
    /// Whether the (matrix) file was gzip-compressed.
    pub gzip: bool,
    /// How the matrix lay in the file.
    pub orientation: Orientation,
    /// How that was decided.
    pub basis: OrientationBasis,
    /// Genes read.
    pub n_genes: usize,
    /// Samples (or cells) read.
    pub n_samples: usize,
    /// Lines starting with `#` before the header, skipped (featureCounts writes one).
    pub comment_lines: usize,
    /// Annotation columns skipped (featureCounts' `Chr`, `Start`, `End`, `Strand`, `Length`).
    pub skipped_columns: Vec<String>,
    /// Empty cells read as 0 ([`CountsOptions::empty_as_zero`](crate::CountsOptions)).
    pub empty_cells: u64,
    /// Where in the file the counts and ids came from, when the format offers a choice
    /// (AnnData: `counts from layers["counts"], gene ids from the var index`; a 10x
    /// directory: its file names).
    pub source: Option<String>,
}

impl fmt::Display for Detected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} genes x {} samples ({}, {}",
            self.n_genes,
            self.n_samples,
            self.orientation.describe(),
            match self.format {
                SourceFormat::Delimited(d) => d.describe(),
                SourceFormat::MatrixMarket => "Matrix Market",
                SourceFormat::AnnData => "AnnData",
            }
        )?;
        if self.gzip {
            f.write_str(", gzipped")?;
        }
        f.write_str(")")?;
        if let Some(source) = &self.source {
            write!(f, "; {source}")?;
        }
        if self.comment_lines > 0 {
            write!(f, "; skipped {} comment line(s)", self.comment_lines)?;
        }
        if !self.skipped_columns.is_empty() {
            write!(
                f,
                "; skipped annotation columns {}",
                self.skipped_columns.join(", ")
            )?;
        }
        if self.empty_cells > 0 {
            write!(f, "; read {} empty cell(s) as 0", self.empty_cells)?;
        }
        Ok(())
    }
}

/// Ensembl gene ids of any species (`ENSG`, `ENSMUSG`, `ENSRNOG`...), optionally with a
/// version suffix and GENCODE's `_PAR_Y`.
static ENSEMBL_GENE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ENS[A-Z]*G[0-9]{11}(\.[0-9]+)?(_PAR_Y)?$").expect("the pattern is valid")
});

/// Whether an id looks like an Ensembl gene id.
pub fn is_ensembl_gene_id(id: &str) -> bool {
    ENSEMBL_GENE.is_match(id)
}

/// Whether at least half of the ids are Ensembl gene ids (a few non-gene rows, such as
/// htseq-count's `__no_feature`, do not change the verdict).
fn mostly_gene_ids<S: AsRef<str>>(ids: &[S]) -> bool {
    !ids.is_empty()
        && 2 * ids
            .iter()
            .filter(|s| is_ensembl_gene_id(s.as_ref()))
            .count()
            >= ids.len()
}

/// What the first header cell says the rows are, if anything.
fn named_rows(first_cell: &str) -> Option<Orientation> {
    let key: String = first_cell
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const GENES: &[&str] = &[
        "gene",
        "genes",
        "geneid",
        "geneids",
        "genename",
        "genesymbol",
        "symbol",
        "ensembl",
        "ensemblid",
        "ensemblgeneid",
        "feature",
        "features",
        "featureid",
    ];
    const SAMPLES: &[&str] = &[
        "sample",
        "samples",
        "sampleid",
        "samplename",
        "cell",
        "cells",
        "cellid",
        "barcode",
        "barcodes",
        "cellbarcode",
        "run",
    ];
    if GENES.contains(&key.as_str()) {
        Some(Orientation::GenesAsRows)
    } else if SAMPLES.contains(&key.as_str()) {
        Some(Orientation::SamplesAsRows)
    } else {
        None
    }
}

/// Decides the orientation of a counts table: stated by the caller; else from where the
/// Ensembl gene ids are; else from the first header cell; else `None`.
pub(crate) fn decide<S: AsRef<str>>(
    explicit: Option<Orientation>,
    first_cell: &str,
    row_ids: &[S],
    column_ids: &[S],
) -> Option<(Orientation, OrientationBasis)> {
    if let Some(o) = explicit {
        return Some((o, OrientationBasis::Explicit));
    }
    match (mostly_gene_ids(row_ids), mostly_gene_ids(column_ids)) {
        (true, false) => Some((
            Orientation::GenesAsRows,
            OrientationBasis::GeneIdsInFirstColumn,
        )),
        (false, true) => Some((
            Orientation::SamplesAsRows,
            OrientationBasis::GeneIdsInHeader,
        )),
        _ => named_rows(first_cell).map(|o| (o, OrientationBasis::FirstHeaderCell)),
    }
}
