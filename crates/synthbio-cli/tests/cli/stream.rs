//! `normalize --stream` and `pca --stream` on a 10x folder read in chunks under a
//! small memory bound: the values of the whole-matrix computations, Parquet
//! written chunk by chunk, and the errors that say what to do.

use crate::support::{fails_with, synthbio, text};
use arrow::array::{Array, AsArray, StringArray};
use arrow::datatypes::Float64Type;
use flate2::write::GzEncoder;
use flate2::Compression;
use ndarray::Array2;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use synthbio::core::Dataset;
use synthbio::normalize::{normalize, Method, NormalizeParams, TargetSum};
use synthbio::pca::{FitOptions, PcaModel, Solver};

const GENES: usize = 60;
const CELLS: usize = 200;

fn gene(j: usize) -> String {
    format!("ENSG{:011}", 1000 + j)
}

fn cell(i: usize) -> String {
    format!("CELL{i:04}-1")
}

/// Four groups of cells, each expressing its own quarter of the genes; 70% zeros.
fn counts() -> Array2<u32> {
    Array2::from_shape_fn((CELLS, GENES), |(i, j)| {
        let h = (i * 7919 + j * 104_729) % 1000;
        match (i % 4 == j % 4, h) {
            (true, h) if h < 900 => 5 + (h % 40) as u32,
            (false, h) if h < 200 => 1 + (h % 3) as u32,
            _ => 0,
        }
    })
}

fn gz(path: &Path, content: &str) {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(content.as_bytes()).unwrap();
    std::fs::write(path, e.finish().unwrap()).unwrap();
}

/// The counts as Cell Ranger writes them: genes x cells, sorted by cell.
fn tenx_folder(dir: &Path) -> std::path::PathBuf {
    let folder = dir.join("filtered_feature_bc_matrix");
    std::fs::create_dir(&folder).unwrap();
    let x = counts();
    let entries: Vec<String> = (0..CELLS)
        .flat_map(|i| (0..GENES).map(move |j| (i, j)))
        .filter(|&(i, j)| x[[i, j]] > 0)
        .map(|(i, j)| format!("{} {} {}\n", j + 1, i + 1, x[[i, j]]))
        .collect();
    gz(
        &folder.join("matrix.mtx.gz"),
        &format!(
            "%%MatrixMarket matrix coordinate integer general\n%metadata_json: {{}}\n{GENES} {CELLS} {}\n{}",
            entries.len(),
            entries.concat()
        ),
    );
    let features: String = (0..GENES)
        .map(|j| format!("{}\tG{j}\tGene Expression\n", gene(j)))
        .collect();
    gz(&folder.join("features.tsv.gz"), &features);
    let barcodes: String = (0..CELLS).map(|i| cell(i) + "\n").collect();
    gz(&folder.join("barcodes.tsv.gz"), &barcodes);
    folder
}

/// A Parquet file's rows as columns of text ids and f64 values, and its row
/// groups and key-value metadata.
struct Read {
    ids: HashMap<String, Vec<String>>,
    values: HashMap<String, Vec<f64>>,
    row_groups: usize,
    metadata: HashMap<String, String>,
}

fn read_parquet(path: &Path) -> Read {
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let row_groups = builder.metadata().num_row_groups();
    let metadata = builder.schema().metadata().clone();
    let mut read = Read {
        ids: HashMap::new(),
        values: HashMap::new(),
        row_groups,
        metadata: metadata.into(),
    };
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
            let name = field.name().clone();
            if let Some(f) = column.as_primitive_opt::<Float64Type>() {
                read.values
                    .entry(name)
                    .or_default()
                    .extend(f.values().iter());
            } else {
                let strings =
                    arrow::compute::cast(column, &arrow::datatypes::DataType::Utf8).unwrap();
                let strings: &StringArray = strings.as_string();
                assert_eq!(strings.null_count(), 0);
                read.ids
                    .entry(name)
                    .or_default()
                    .extend(strings.iter().map(|s| s.unwrap().to_string()));
            }
        }
    }
    read
}

/// The counts of [`counts`] with their gene and cell ids.
fn dataset() -> Dataset {
    let ids = |n: usize, f: fn(usize) -> String| (0..n).map(f).collect::<Vec<_>>();
    Dataset::new(counts(), ids(GENES, gene), ids(CELLS, cell)).unwrap()
}

/// scanpy's log1p of counts (median target), as the whole-matrix path computes it.
fn log1p_of(counts: ndarray::ArrayView2<'_, u32>) -> Array2<f64> {
    let method = Method::Log1p {
        target_sum: TargetSum::MedianOfTotals,
    };
    normalize::<u32, f64>(counts, &NormalizeParams::new(method))
        .unwrap()
        .expression
        .values
}

/// Runs `normalize <input> --stream --method <flag> --max-memory <bound>` and
/// checks that the Parquet file holds one row per non-zero count of `whole`,
/// with the whole-matrix value of `method`, bit for bit. Returns the file as
/// read and stderr.
fn stream_normalize(
    input: &str,
    bound: &str,
    flag: &str,
    method: Method,
    whole: &Dataset,
) -> (Read, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = synthbio(
        &[
            "normalize",
            input,
            "--stream",
            "--method",
            flag,
            "--max-memory",
            bound,
            "-o",
            "s.parquet",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dense = normalize::<u32, f64>(whole.counts(), &NormalizeParams::new(method))
        .unwrap()
        .expression
        .values;
    let read = read_parquet(&dir.path().join("s.parquet"));
    let index = |ids: &[String]| -> HashMap<String, usize> {
        ids.iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect()
    };
    let (cells, genes) = (index(whole.sample_ids()), index(whole.gene_ids()));
    let (samples, gene_ids, values) = (
        &read.ids["sample_id"],
        &read.ids["gene_id"],
        &read.values["value"],
    );
    let nonzero = whole.counts().iter().filter(|&&c| c > 0).count();
    assert_eq!(
        (samples.len(), gene_ids.len(), values.len()),
        (nonzero, nonzero, nonzero)
    );
    for ((s, g), v) in samples.iter().zip(gene_ids).zip(values) {
        let (i, j) = (cells[s], genes[g]);
        assert!(
            whole.counts()[[i, j]] > 0,
            "only non-zero counts are written"
        );
        assert_eq!(
            *v,
            dense[[i, j]],
            "{s} {g}: the whole-matrix value, bit for bit"
        );
    }
    (read, text(&out.stderr))
}

#[test]
fn normalize_stream_writes_the_non_zero_values_of_the_whole_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tenx_folder(dir.path());
    let method = Method::Log1p {
        target_sum: TargetSum::MedianOfTotals,
    };
    let (read, err) =
        stream_normalize(folder.to_str().unwrap(), "64K", "log1p", method, &dataset());
    assert!(
        err.contains("in chunks of about") && err.contains("memory bound 64 KiB, --max-memory"),
        "{err}"
    );
    assert!(
        !err.lines().any(|l| l.starts_with("read ")),
        "the matrix is never read whole: {err}"
    );
    assert!(
        read.row_groups > 2,
        "one row group per chunk: {}",
        read.row_groups
    );
    assert!(read.metadata["synthbio.zeros"].contains("without a row is 0"));
}

#[test]
fn pca_stream_gives_the_exact_pca_of_log1p_expression() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tenx_folder(dir.path());
    let out = synthbio(
        &[
            "pca",
            folder.to_str().unwrap(),
            "--stream",
            "--components",
            "3",
            "--power-iterations",
            "10",
            "--max-memory",
            "64K",
            "-o",
            "scores.parquet",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("11 passes for the fit and one for the scores"),
        "{err}"
    );

    let log1p = log1p_of(counts().view());
    let options = FitOptions {
        n_components: Some(3),
        solver: Solver::Full,
        ..FitOptions::default()
    };
    let (exact, scores) = PcaModel::fit_transform(log1p.view(), &options).unwrap();
    let read = read_parquet(&dir.path().join("scores.parquet"));
    let ratios: Vec<f64> =
        serde_json::from_str(&read.metadata["synthbio.explained_variance_ratio"]).unwrap();
    assert_eq!(ratios.len(), 3);
    for (a, b) in ratios.iter().zip(exact.explained_variance_ratio()) {
        approx::assert_relative_eq!(*a, *b, max_relative = 1e-10);
    }
    let ids = &read.ids["sample_id"];
    assert_eq!(
        ids,
        &(0..CELLS).map(cell).collect::<Vec<_>>(),
        "every cell, in order"
    );
    let spread = scores.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for c in 0..3 {
        let column = &read.values[&format!("PC{}", c + 1)];
        assert_eq!(column.len(), CELLS);
        for (i, v) in column.iter().enumerate() {
            assert!(
                (v - scores[[i, c]]).abs() < 1e-9 * spread,
                "PC{} of {}: {v} vs {}",
                c + 1,
                cell(i),
                scores[[i, c]]
            );
        }
    }
}

#[test]
fn stream_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tenx_folder(dir.path());
    let f = folder.to_str().unwrap();
    let run = |args: &[&str]| synthbio(args, dir.path());
    fails_with(
        &run(&["normalize", f, "--stream", "-o", "s.parquet"]),
        &["log-cpm", "--method log1p"],
    );
    fails_with(
        &run(&["normalize", f, "--stream", "--method", "cpm", "-o", "s.tsv"]),
        &["name the output .parquet"],
    );
    fails_with(
        &run(&[
            "normalize",
            f,
            "--stream",
            "--method",
            "cpm",
            "--max-memory",
            "2K",
            "-o",
            "s.parquet",
        ]),
        &["--max-memory of at least"],
    );
    // clap reports a bad value with its usage lines.
    let bad_size = run(&[
        "normalize",
        f,
        "--stream",
        "--max-memory",
        "lots",
        "-o",
        "s.parquet",
    ]);
    assert!(!bad_size.status.success());
    assert!(
        text(&bad_size.stderr).contains("\"lots\" is not a size; give a number with K, M, G or T")
    );
    fails_with(
        &run(&["pca", f, "--stream", "--standardize", "-o", "p.parquet"]),
        &["--standardize does not apply to pca --stream"],
    );
    assert!(
        !dir.path().join("s.parquet").exists(),
        "nothing half-written"
    );
}

#[test]
fn normalize_stream_reads_h5ad_and_parquet_in_chunks() {
    let h5ad = crate::support::anndata_fixture("geuvadis_slice");
    let (whole, _) =
        synthbio::io::read_h5ad(Path::new(&h5ad), &synthbio::io::H5adOptions::default()).unwrap();
    let (read, _) = stream_normalize(&h5ad, "400K", "cpm", Method::Cpm, &whole);
    assert!(read.row_groups > 1, "chunks: {}", read.row_groups);

    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("counts.parquet");
    let data = dataset();
    synthbio::io::write_counts(&parquet, &data).unwrap();
    let (read, _) = stream_normalize(parquet.to_str().unwrap(), "64K", "cpm", Method::Cpm, &data);
    assert!(read.row_groups > 1, "chunks: {}", read.row_groups);
}
