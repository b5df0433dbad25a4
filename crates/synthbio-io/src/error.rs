//! The crate's error type: each message is one sentence that names the file and the fix,
//! so the command line prints it as is.

use std::fmt;
use std::io;

/// Errors reading or writing files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The file could not be opened.
    #[error("cannot open {file}: {source}; check the path and that the file may be read")]
    Open {
        /// The file.
        file: String,
        /// Why.
        source: io::Error,
    },
    /// Reading failed partway (a truncated gzip stream, a disk error).
    #[error("cannot read {file}: {source}; if it is gzipped, check that it is complete (gzip -t)")]
    Read {
        /// The file.
        file: String,
        /// Why.
        source: io::Error,
    },
    /// A binary file (Parquet, Excel, HDF5) where text was expected.
    #[error("{file} is {kind}, not a text table; {fix}")]
    NotText {
        /// The file.
        file: String,
        /// What it is.
        kind: &'static str,
        /// What to do.
        fix: &'static str,
    },
    /// A line is not UTF-8 text.
    #[error("{file} line {line} is not UTF-8 text; save the file as plain UTF-8 text (TSV or CSV, not a spreadsheet)")]
    NotUtf8 {
        /// The file.
        file: String,
        /// 1-based line number.
        line: u64,
    },
    /// The file holds no header, or a header and no rows.
    #[error("{file} {problem}; expected {expected}")]
    Empty {
        /// The file.
        file: String,
        /// "is empty" or "has a header but no data rows".
        problem: &'static str,
        /// What the file should hold.
        expected: &'static str,
    },
    /// Neither tabs, commas nor semicolons separate the header's fields.
    #[error("cannot tell how {file} separates its columns: its first line has {found}; separate columns with tabs (TSV) or commas (CSV)")]
    Delimiter {
        /// The file.
        file: String,
        /// What the first line has ("no tab, comma or semicolon", or a tie).
        found: String,
    },
    /// A row with a different number of fields than the header.
    #[error("{file} line {line} has {found} fields but the header has {expected}; every row needs its id and then one value per column")]
    FieldCount {
        /// The file.
        file: String,
        /// 1-based line number.
        line: u64,
        /// Fields on the line.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A count that is not a non-negative whole number.
    #[error("{file} line {line}: value {value:?} for {at} {problem}")]
    BadCount {
        /// The file.
        file: String,
        /// 1-based line number.
        line: u64,
        /// Where: "sample S2, gene ENSG..." (or "column S2, row X" before the orientation is known).
        at: String,
        /// The text found.
        value: String,
        /// What is wrong with it.
        problem: CountProblem,
    },
    /// An id used twice.
    #[error("{file}: id {id:?} appears twice ({places}); ids must be unique, so rename or merge one of them")]
    DuplicateId {
        /// The file.
        file: String,
        /// The id.
        id: String,
        /// Where: "lines 3 and 9" or "header columns 2 and 5".
        places: String,
    },
    /// A row or column without an id.
    #[error("{file}: {place} has no id; every row needs an id in its first column and every column one in the header")]
    EmptyId {
        /// The file.
        file: String,
        /// Where: "line 7" or "header column 3".
        place: String,
    },
    /// The orientation of a counts table could not be told.
    #[error("cannot tell whether the rows of {file} are genes or samples: neither the first column nor the header holds Ensembl gene ids (ENSG..., ENSMUSG...) and the first header cell ({first_cell:?}) does not say; state the orientation (genes as rows, or samples as rows)")]
    Orientation {
        /// The file.
        file: String,
        /// The header's first cell.
        first_cell: String,
    },
    /// A Matrix Market file that cannot be read.
    #[error("{file} line {line}: {problem}")]
    MatrixMarket {
        /// The file.
        file: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong and what to do.
        problem: String,
    },
    /// The gene or cell id files do not match the matrix's size.
    #[error("{mtx} is {rows} x {cols} but {genes} lists {gene_lines} lines and {cells} lists {cell_lines}; the id files need one line per matrix row (genes) and column (cells), plus an optional header line")]
    IdFiles {
        /// The matrix file.
        mtx: String,
        /// Matrix rows.
        rows: usize,
        /// Matrix columns.
        cols: usize,
        /// The gene id file.
        genes: String,
        /// Its number of lines.
        gene_lines: usize,
        /// The cell id file.
        cells: String,
        /// Its number of lines.
        cell_lines: usize,
    },
    /// Samples of the dataset with no row in a metadata table.
    #[error("{file} has no row for {} of the {n_samples} samples ({}); add them with the sample id in the first column, spelled as in the counts header{}", missing.len(), list_some(missing), extra_note(*n_extra))]
    MissingSamples {
        /// The metadata file.
        file: String,
        /// Samples of the dataset missing from the table.
        missing: Vec<String>,
        /// Samples in the dataset.
        n_samples: usize,
        /// Rows of the table that match no sample.
        n_extra: usize,
    },
    /// Genes of the model's gene order missing from the dataset.
    #[error("the counts lack {} of the model's {n_model} genes ({}){}; in strict mode the counts must cover every gene the model uses, with Ensembl gene ids of the same release (without strict mode the absent genes are read as unmeasured)", missing.len(), list_some(missing), version_hint(versioned.as_deref()))]
    MissingGenes {
        /// The missing genes.
        missing: Vec<String>,
        /// Genes in the model's order.
        n_model: usize,
        /// A gene id of the dataset with a version suffix (`ENSG....12`), if any.
        versioned: Option<String>,
    },
    /// Not one gene of the model is in the dataset.
    #[error("none of the model's {n_model} genes (such as {}) is in the counts (whose gene ids look like {}); give Ensembl gene ids, gene symbols or Entrez ids of human genes", model_examples.join(", "), examples.join(", "))]
    NoModelGenes {
        /// Genes in the model's order.
        n_model: usize,
        /// The first gene ids of the dataset.
        examples: Vec<String>,
        /// The first gene ids of the model.
        model_examples: Vec<String>,
    },
    /// Genes of the dataset that the model does not use, when dropping them was not asked for.
    #[error("the counts have {} genes the model does not use ({}); drop them explicitly with the option to drop extra genes", extra.len(), list_some(extra))]
    ExtraGenes {
        /// The extra genes.
        extra: Vec<String>,
    },
    /// An output path whose extension names no format this writer knows.
    #[error("cannot write {what} to {file}: use a file name ending in {allowed}")]
    Format {
        /// The file.
        file: String,
        /// What was to be written.
        what: &'static str,
        /// The extensions allowed.
        allowed: &'static str,
    },
    /// Writer input whose parts disagree in size.
    #[error("cannot write {file}: {what} has {found} entries but {expected} were expected; {fix}")]
    Shape {
        /// The file.
        file: String,
        /// Which part.
        what: String,
        /// Expected size.
        expected: usize,
        /// Size given.
        found: usize,
        /// What to do.
        fix: &'static str,
    },
    /// A Hive partition column the table does not have.
    #[error("cannot write the dataset {dir}: partition column {column:?} is not a column of the table (its columns: {}); partition by one of them", columns.join(", "))]
    Partition {
        /// The dataset folder.
        dir: String,
        /// The column asked for.
        column: String,
        /// The table's columns.
        columns: Vec<String>,
    },
    /// Writing failed.
    #[error("cannot write {file}: {source}; check that the folder exists, is writable and has free space")]
    Write {
        /// The file.
        file: String,
        /// Why.
        source: io::Error,
    },
    /// The Parquet encoder failed.
    #[cfg(feature = "parquet")]
    #[error("cannot write {file} as Parquet: {source}; check free disk space, and report it if space is not the cause")]
    Parquet {
        /// The file.
        file: String,
        /// Why.
        source: parquet::errors::ParquetError,
    },
    /// A Parquet counts table that cannot be read in chunks.
    #[cfg(feature = "parquet")]
    #[error("cannot read {file} as a long-format Parquet counts table: {problem}")]
    ParquetRead {
        /// The file.
        file: String,
        /// What is wrong and what to do.
        problem: String,
    },
    /// A `.parquet` output in a build without the `parquet` feature.
    #[error("cannot write {file}: this build of synthbio has no Parquet support (the synthbio-io feature `parquet`); rebuild with it, or name the output .tsv, .csv or .tsv.gz")]
    ParquetDisabled {
        /// The file.
        file: String,
    },
    /// A value could not be serialized as JSON.
    #[error(
        "cannot write {file} as JSON: {source}; the value holds something JSON cannot represent"
    )]
    Json {
        /// The file.
        file: String,
        /// Why.
        source: serde_json::Error,
    },
    /// A folder given as counts that is not a 10x Genomics matrix folder.
    #[error("{dir} is a folder but lacks {missing}; give a counts file, or a 10x Genomics matrix folder holding matrix.mtx.gz, features.tsv.gz (or genes.tsv.gz) and barcodes.tsv.gz")]
    NotTenX {
        /// The folder.
        dir: String,
        /// The files it lacks.
        missing: String,
    },
    /// An AnnData `.h5ad` file that cannot be read or written (boxed: its messages
    /// carry many parts).
    #[error(transparent)]
    H5ad(Box<crate::h5ad::H5adError>),
    /// The shipped gene annotation could not be read (a broken build).
    #[error("the gene annotation compiled into synthbio cannot be read ({message}); rebuild synthbio from a complete checkout (data/annotation/)")]
    Annotation {
        /// Why.
        message: String,
    },
    /// No gene id of a table is an Ensembl id, a known symbol or an Entrez id.
    #[error("none of the {n} gene ids (such as {}) is an Ensembl gene id, a human gene symbol or an Entrez id known to org.Hs.eg.db; give human gene ids (ENSG..., HGNC symbols such as XIST, or Entrez ids such as 7503), or state the layout if the gene ids are in the header", examples.join(", "))]
    NoGenesMapped {
        /// Gene ids in the table.
        n: usize,
        /// The first few.
        examples: Vec<String>,
    },
    /// Several ids map to one gene and summing them was not allowed.
    #[error("{n} gene(s) appear more than once after mapping ids to Ensembl, such as {gene} from {}; sum them (the default, without the option to refuse duplicate genes) or merge the rows yourself", from.join(", "))]
    DuplicateGenes {
        /// How many genes are hit.
        n: usize,
        /// The first.
        gene: String,
        /// Its source ids.
        from: Vec<String>,
    },
    /// Summing duplicate rows overflowed a count.
    #[error("summing the rows that map to gene {gene} gives sample {sample} a count above 4294967295; check that the table holds raw read counts")]
    SummedCountTooLarge {
        /// The gene.
        gene: String,
        /// The sample.
        sample: String,
    },
    /// The dataset type refused the parts read.
    #[error("{context}: {source}")]
    Dataset {
        /// The file or step.
        context: String,
        /// Why.
        source: synthbio_core::DatasetError,
    },
}

/// What is wrong with a count value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CountProblem {
    /// Has a fractional part.
    NotWhole,
    /// Below zero.
    Negative,
    /// Not a number at all (text, empty, NA, NaN, infinity).
    NotNumber,
    /// Larger than `u32::MAX`.
    TooLarge,
}

impl fmt::Display for CountProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CountProblem::NotWhole => {
                "is not a whole number; counts must be raw integer read counts"
            }
            CountProblem::Negative => "is negative; counts must be raw integer read counts (0 or more)",
            CountProblem::NotNumber => {
                "is not a number; counts must be raw integer read counts (write 0 for no reads)"
            }
            CountProblem::TooLarge => {
                "is larger than 4294967295, the largest count supported; counts must be raw integer read counts"
            }
        })
    }
}

/// The first few entries of a list, then how many more.
fn list_some(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = items
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    s
}

fn extra_note(n_extra: usize) -> String {
    match n_extra {
        0 => String::new(),
        1 => " (1 row of the table matches no sample and would be ignored)".into(),
        n => format!(" ({n} rows of the table match no sample and would be ignored)"),
    }
}

fn version_hint(versioned: Option<&str>) -> String {
    match versioned {
        Some(id) => format!(
            " and the counts' gene ids carry version suffixes ({id}): harmonise them (synthbio_io::harmonise_gene_ids strips them)"
        ),
        None => String::new(),
    }
}

/// Maps an I/O error while writing `file`.
pub(crate) fn write_err(file: &str) -> impl FnOnce(io::Error) -> IoError + '_ {
    move |source| IoError::Write {
        file: file.to_string(),
        source,
    }
}
