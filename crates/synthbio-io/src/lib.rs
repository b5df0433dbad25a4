//! Reading and writing the files biologists bring to synthbio.
//!
//! - [`read_counts`]: a counts table (TSV or CSV, gzipped or not, genes x samples or
//!   samples x genes, all detected and reported in [`Detected`]) into a [`Dataset`];
//! - [`read_matrix_market`] / [`write_matrix_market`]: 10x-style sparse matrices with
//!   gene and cell id files;
//! - [`read_metadata`] and [`attach_metadata`]: a sample metadata table, matched to the
//!   dataset by sample id;
//! - [`read_h5ad`] / [`write_h5ad`]: AnnData `.h5ad` files (counts from `X`, a layer or
//!   `raw.X`; `obs` as metadata), behind the default feature `h5ad`; [`read_10x_dir`]: a
//!   10x Genomics matrix folder. [`read_counts`] takes both (a folder, an `.h5ad` file)
//!   and the writers write `.h5ad` by extension;
//! - [`align_genes`]: a dataset's genes in a model's gene order;
//! - [`write_counts`], [`write_expression`], [`write_normalized`], [`write_table`],
//!   [`write_json`]: results as
//!   TSV/CSV (by extension, `.gz` compresses) or Parquet (matrices in long format: one
//!   row per sample and gene), and JSON; every write is atomic ([`write_atomic`]).
//!
//! Every error is one sentence naming the file and the fix, ready to print.
//!
//! [`Dataset`]: synthbio_core::Dataset
//!
//! ```
//! use synthbio_io::{read_counts, write_counts, CountsOptions, Orientation};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("counts.csv");
//! std::fs::write(&path, "gene_id,S1,S2\nENSG00000000003,679,448\nENSG00000000005,0,1.0\n")?;
//!
//! let (data, detected) = read_counts(&path, &CountsOptions::default())?;
//! assert_eq!(detected.orientation, Orientation::GenesAsRows);
//! assert_eq!(detected.to_string(), "2 genes x 2 samples (genes as rows, comma-separated)");
//! assert_eq!(data.sample_ids(), ["S1", "S2"]);
//! assert_eq!(data.sample_counts(1).to_vec(), [448, 1]);
//!
//! std::fs::write(&path, "gene_id,S1,S2\nENSG00000000003,679,3.5\n")?;
//! let err = read_counts(&path, &CountsOptions::default()).unwrap_err();
//! assert!(err.to_string().ends_with(
//!     "line 2: value \"3.5\" for sample S2, gene ENSG00000000003 is not a whole number; \
//!      counts must be raw integer read counts"
//! ));
//!
//! write_counts(&dir.path().join("counts.tsv.gz"), &data)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod align;
mod annotation;
mod atomic;
mod chunks;
mod counts;
mod delimited;
mod detect;
mod error;
mod format;
pub mod h5ad;
mod harmonise;
#[cfg(feature = "parquet")]
mod hive;
mod input;
mod metadata;
mod mtx_read;
mod mtx_stream;
mod mtx_write;
#[cfg(feature = "parquet")]
mod parquet_chunks;
mod source;
mod tenx;
mod value;
mod write;
#[cfg(feature = "parquet")]
mod write_parquet;
#[cfg(feature = "parquet")]
mod write_stream;
mod write_text;

pub use align::{align_genes, AlignOptions, AlignReport};
pub use annotation::{GeneAnnotation, Lookup};
pub use atomic::write_atomic;
pub use chunks::{CountsChunk, CountsChunks};
pub use counts::{read_counts, CountsOptions};
pub use delimited::Delimiter;
pub use detect::{is_ensembl_gene_id, Detected, Orientation, OrientationBasis, SourceFormat};
pub use error::{CountProblem, IoError};
pub use format::OutputFormat;
pub use h5ad::{
    h5ad_chunks, read_h5ad, write_h5ad, write_h5ad_expression, write_h5ad_normalized, CountsMatrix,
    GeneIdColumn, H5adOptions,
};
pub use harmonise::{
    harmonise_gene_ids, strip_version, Duplicates, HarmoniseOptions, HarmoniseReport, Unmapped,
};
#[cfg(feature = "parquet")]
pub use hive::{write_hive_dataset, HIVE_NULL_PARTITION};
pub use metadata::{attach_metadata, read_metadata, AttachReport, SampleTable};
pub use mtx_read::{read_matrix_market, read_mtx_triplets, MtxTriplets};
pub use mtx_stream::MtxChunks;
pub use mtx_write::write_matrix_market;
#[cfg(feature = "parquet")]
pub use parquet_chunks::ParquetChunks;
pub use tenx::{read_10x_dir, tenx_files};
pub use write::{
    metadata_table, write_counts, write_expression, write_json, write_normalized, write_table,
};
#[cfg(feature = "parquet")]
pub use write_stream::{RowsParquetWriter, SparseParquetWriter};
