//! Helpers shared by the tests.

use flate2::write::GzEncoder;
use flate2::Compression;
use ndarray::Array2;
use std::io::Write;
use std::path::{Path, PathBuf};
use synthbio_io::{read_counts, CountsChunks, CountsOptions, Detected, IoError};

/// A temporary folder and paths in it.
pub struct Dir(pub tempfile::TempDir);

impl Dir {
    pub fn new() -> Dir {
        Dir(tempfile::tempdir().expect("a temporary folder"))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// Writes a text file and returns its path.
    pub fn text(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).expect("writable");
        p
    }

    /// Writes gzip-compressed text and returns its path.
    pub fn gz(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, gzip(content.as_bytes())).expect("writable");
        p
    }

    /// File names in the folder, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.0.path())
            .expect("readable")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory")
}

/// Reads counts with default options.
pub fn read(path: &Path) -> Result<(synthbio_core::Dataset, Detected), IoError> {
    read_counts(path, &CountsOptions::default())
}

/// The error message of reading counts with default options.
pub fn read_err(path: &Path) -> String {
    read(path).expect_err("the file is invalid").to_string()
}

/// The repository's test data folder.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Strings from string literals.
pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// All record batches of a Parquet file, with its Arrow schema metadata.
pub fn read_parquet(
    path: &Path,
) -> (
    Vec<arrow::record_batch::RecordBatch>,
    arrow::datatypes::Metadata,
) {
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(path).unwrap(),
    )
    .unwrap();
    let metadata = builder.schema().metadata().clone();
    let batches = builder
        .build()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (batches, metadata)
}

/// Every chunk of a chunked reader, checked to follow each other (each cell in
/// exactly one chunk, each row's genes sorted and once), as one dense matrix,
/// with each chunk's stored entries.
pub fn dense_from_chunks(chunks: &mut dyn CountsChunks) -> (Array2<u32>, Vec<usize>) {
    let (n_cells, n_genes) = (chunks.cell_ids().len(), chunks.gene_ids().len());
    let mut dense = Array2::zeros((n_cells, n_genes));
    let mut sizes = Vec::new();
    let mut next = 0;
    while let Some(chunk) = chunks.next_chunk().unwrap() {
        assert_eq!(chunk.first, next, "chunks follow each other");
        assert_eq!(chunk.counts.cols(), n_genes);
        for (i, row) in chunk.counts.outer_iterator().enumerate() {
            let genes = row.indices();
            assert!(
                genes.windows(2).all(|w| w[0] < w[1]),
                "genes sorted, once each"
            );
            for (j, &v) in row.iter() {
                dense[[chunk.first + i, j]] = v;
            }
        }
        next += chunk.counts.rows();
        sizes.push(chunk.counts.nnz());
    }
    assert_eq!(next, n_cells, "every cell in one chunk");
    (dense, sizes)
}
