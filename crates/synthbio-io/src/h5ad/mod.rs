//! AnnData `.h5ad` files (the single-cell exchange format of anndata / scanpy), read
//! into a [`Dataset`] and written from one.
//!
//! The HDF5 side is `hdf5-metno` (the maintained fork of hdf5-rust) on Debian's
//! `libhdf5-dev`: it builds in seconds against the system library, where
//! `anndata-hdf5` compiles HDF5 from source with cmake (absent on a fresh machine) and
//! its `AnnData` type would be converted to a `Dataset` anyway. The AnnData on-disk
//! layout (anndata >= 0.8 "encoding-type" attributes) is small, so it is read and
//! written here: dense arrays, `csr_matrix` / `csc_matrix` groups, `dataframe` groups
//! with `string-array`, `categorical`, numeric, boolean and `nullable-*` columns.
//!
//! Reading and writing are behind the crate feature `h5ad` (on by default); without it
//! both return [`H5adError::Disabled`].
//!
//! [`Dataset`]: synthbio_core::Dataset

mod options;
pub use options::{CountsMatrix, GeneIdColumn, H5adOptions};

mod error;
pub use error::H5adError;

#[cfg(feature = "h5ad")]
mod chunks;
#[cfg(feature = "h5ad")]
mod frame;
#[cfg(feature = "h5ad")]
mod hdf;
#[cfg(feature = "h5ad")]
mod matrix;
#[cfg(feature = "h5ad")]
mod read;
#[cfg(feature = "h5ad")]
mod write;

#[cfg(feature = "h5ad")]
pub use chunks::{h5ad_chunks, H5adChunks};
#[cfg(feature = "h5ad")]
pub use read::read_h5ad;
#[cfg(feature = "h5ad")]
pub use write::{write_h5ad, write_h5ad_expression, write_h5ad_normalized};

#[cfg(not(feature = "h5ad"))]
mod disabled;
#[cfg(not(feature = "h5ad"))]
pub use disabled::{
    h5ad_chunks, read_h5ad, write_h5ad, write_h5ad_expression, write_h5ad_normalized,
};

/// The layer holding which genes each cell measured (`true` = measured), written when
/// some were not and read back into [`Dataset::measured`](synthbio_core::Dataset::measured).
pub const MEASURED_LAYER: &str = "synthbio_measured";

/// Whether a path names an `.h5ad` file (by extension, any case).
pub fn is_h5ad_path(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("h5ad"))
}
