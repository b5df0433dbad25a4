//! The one test binary of synthbio-io: every area in its own module.

mod align;
mod atomic;
mod counts;
#[cfg(feature = "h5ad")]
mod h5ad;
mod h5ad_chunks;
mod harmonise;
mod hive;
mod metadata;
mod mtx;
mod mtx_stream;
mod parquet_chunks;
mod support;
mod tenx;
mod write;
