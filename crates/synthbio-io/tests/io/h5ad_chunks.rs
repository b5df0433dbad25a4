//! `.h5ad` read in chunks of cells: the counts, ids and metadata the whole read
//! finds, for dense and CSR matrices, raw.X and layers; CSC refused with the fix.

use crate::support::dense_from_chunks;
use std::path::{Path, PathBuf};
use synthbio_io::h5ad::H5adChunks;
use synthbio_io::{read_h5ad, CountsChunks, H5adOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/anndata")
        .join(format!("{name}.h5ad"))
}

#[test]
fn chunks_hold_what_the_whole_read_finds() {
    for name in [
        "dense_int",
        "dense_float32",
        "csr_symbols",
        "layers_counts",
        "raw_counts",
        "geuvadis_slice",
    ] {
        let options = H5adOptions::default();
        let (whole, _) = read_h5ad(&fixture(name), &options).unwrap();
        for max_entries in [1, 7, 1 << 20] {
            let mut chunks = H5adChunks::open(&fixture(name), &options, max_entries).unwrap();
            assert_eq!(chunks.gene_ids(), whole.gene_ids(), "{name}");
            assert_eq!(chunks.cell_ids(), whole.sample_ids(), "{name}");
            assert_eq!(chunks.metadata(), whole.metadata(), "{name}");
            let (dense, _) = dense_from_chunks(&mut chunks);
            assert_eq!(dense, whole.counts(), "{name} in chunks of {max_entries}");
        }
    }
}

#[test]
fn a_csc_matrix_is_refused_with_the_conversion() {
    let err = H5adChunks::open(&fixture("csc_int32"), &H5adOptions::default(), 100)
        .err()
        .expect("CSC refused")
        .to_string();
    assert!(err.contains("CSC") && err.contains("tocsr()"), "{err}");
}
