//! `normalize --stream` and `pca --stream`: a counts matrix larger than memory
//! (Matrix Market, `.h5ad` or long-format Parquet) read in chunks of cells under a memory bound,
//! Parquet written as it goes.

use super::input::InputArgs;
use super::progress::Step;
use clap::Args;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use synthbio::core::fs::write_atomic;
use synthbio::io::{
    h5ad_chunks, CountsChunk, CountsChunks, H5adOptions, MtxChunks, ParquetChunks,
    RowsParquetWriter, SparseParquetWriter,
};
use synthbio::normalize::{
    median_of_totals, normalize_sparse, scale_of, Method, NormalizeError, TargetSum,
};
use synthbio::pca::{fit_sparse_in_passes, FitOptions, PcaModel, RandomizedOptions};

type BoxError = Box<dyn std::error::Error>;

/// Bytes a chunk costs per stored entry: its counts (4-byte gene index, 4-byte
/// count), their normalized values (8), the Arrow batch or the PCA products that
/// read them (16 more), with room for the encoder's buffers; measured peaks are
/// in `benches/README.md`.
const BYTES_PER_ENTRY: u64 = 64;

/// How `--stream` reads and how much memory it may use.
#[derive(Args, Clone)]
pub struct StreamArgs {
    /// Read the counts in chunks of cells within --max-memory and write Parquet as
    /// it goes, for matrices larger than memory. Reads Matrix Market (a 10x folder,
    /// or .mtx with --genes and --cells) whose entries are grouped by cell, as Cell
    /// Ranger and scipy write them, .h5ad with a dense or CSR counts matrix, or a
    /// long-format Parquet table (sample_id, gene_id, count; each sample's rows
    /// together); gene ids are kept as the file has them.
    #[arg(long)]
    pub stream: bool,
    /// Memory bound of --stream, e.g. 4G, 512M or bytes (default: a quarter of the
    /// physical memory in /proc/meminfo).
    #[arg(long, value_parser = parse_size, requires = "stream")]
    pub max_memory: Option<u64>,
}

/// Parses `4G`, `512M`, `1.5GiB`, `64k` or a number of bytes (units are powers of
/// 1024). Written here: the size crates parse far more than these few forms.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let power = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 1,
        "m" | "mb" | "mib" => 2,
        "g" | "gb" | "gib" => 3,
        "t" | "tb" | "tib" => 4,
        _ => {
            return Err(format!(
                "{text:?} is not a size; give a number with K, M, G or T, e.g. 4G"
            ))
        }
    };
    match number.parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok((n * 1024f64.powi(power)) as u64),
        _ => Err(format!(
            "{text:?} is not a positive size; give e.g. 4G or 512M"
        )),
    }
}

/// Physical memory from `/proc/meminfo` (Linux), in bytes.
fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

impl StreamArgs {
    /// The memory bound, and how it was chosen, for the summary line.
    fn bound(&self) -> Result<(u64, String), BoxError> {
        match self.max_memory {
            Some(b) => Ok((b, "--max-memory".into())),
            None => {
                let total = physical_memory().ok_or(
                    "--stream needs a memory bound and /proc/meminfo is not readable here; give --max-memory, e.g. 4G",
                )?;
                Ok((
                    total / 4,
                    format!("a quarter of the {} of physical memory", human(total)),
                ))
            }
        }
    }
}

/// A size for people: GiB, MiB or KiB.
fn human(bytes: u64) -> String {
    let (b, kib) = (bytes as f64, 1024f64);
    if b >= kib.powi(3) {
        format!("{:.1} GiB", b / kib.powi(3))
    } else if b >= kib.powi(2) {
        format!("{:.0} MiB", b / kib.powi(2))
    } else {
        format!("{:.0} KiB", b / kib)
    }
}

/// Where the chunks come from.
enum Source {
    /// A Matrix Market file with its gene and cell id files.
    MatrixMarket(PathBuf, PathBuf, PathBuf),
    /// An `.h5ad` file and how to choose its counts matrix and gene ids.
    H5ad(PathBuf, H5adOptions),
    /// A long-format Parquet counts table.
    Parquet(PathBuf),
}

impl Source {
    fn open(&self, max_entries: usize) -> Result<Box<dyn CountsChunks>, synthbio::io::IoError> {
        match self {
            Source::MatrixMarket(mtx, genes, cells) => {
                Ok(Box::new(MtxChunks::open(mtx, genes, cells, max_entries)?))
            }
            Source::H5ad(path, options) => h5ad_chunks(path, options, max_entries),
            Source::Parquet(path) => Ok(Box::new(ParquetChunks::open(path, max_entries)?)),
        }
    }
}

/// An input read pass after pass in chunks under a memory bound.
struct Chunked {
    source: Source,
    max_entries: usize,
    bound: (u64, String),
    gene_ids: Vec<String>,
    cell_ids: Vec<String>,
}

impl Chunked {
    /// Opens the input once for its ids, and sizes the chunks: what the bound
    /// leaves after the ids, the cells' totals and `fixed(genes)` bytes (the
    /// per-pass blocks), at [`BYTES_PER_ENTRY`] per stored entry.
    fn open(
        input: &InputArgs,
        stream: &StreamArgs,
        fixed: impl Fn(usize) -> u64,
    ) -> Result<Self, BoxError> {
        let source = chunk_source(input)?;
        let bound = stream.bound()?;
        let first = source.open(1)?;
        let (gene_ids, cell_ids) = (first.gene_ids().to_vec(), first.cell_ids().to_vec());
        let ids: u64 = gene_ids
            .iter()
            .chain(&cell_ids)
            // Held twice: here and by the pass reading.
            .map(|s| 2 * (s.len() + std::mem::size_of::<String>()) as u64)
            .sum::<u64>()
            // The cells' totals of the median pass.
            + 8 * cell_ids.len() as u64;
        let need = ids + fixed(gene_ids.len());
        // A chunk needs room for at least one cell of every gene.
        let floor = need + BYTES_PER_ENTRY * gene_ids.len() as u64;
        if bound.0 < floor {
            return Err(format!(
                "the memory bound ({}, {}) is below what --stream needs for {} cells x {} genes ({}: the ids, the per-pass blocks and one cell); give --max-memory of at least {}",
                human(bound.0), bound.1, cell_ids.len(), gene_ids.len(), human(floor), human(floor)
            )
            .into());
        }
        let max_entries = ((bound.0 - need) / BYTES_PER_ENTRY) as usize;
        Ok(Chunked {
            source,
            max_entries,
            bound,
            gene_ids,
            cell_ids,
        })
    }

    /// One pass: every chunk, in file order.
    fn pass(
        &self,
        mut each: impl FnMut(CountsChunk) -> Result<(), BoxError>,
    ) -> Result<(), BoxError> {
        let mut chunks = self.source.open(self.max_entries)?;
        while let Some(chunk) = chunks.next_chunk()? {
            each(chunk)?;
        }
        Ok(())
    }

    /// The ids of `rows` cells from `first`.
    fn ids(&self, first: usize, rows: usize) -> &[String] {
        &self.cell_ids[first..first + rows]
    }

    /// scanpy's default target: the median of every cell's total, in one pass.
    fn median_total(&self) -> Result<f64, BoxError> {
        let mut totals = Vec::with_capacity(self.cell_ids.len());
        self.pass(|chunk| {
            totals.extend(
                chunk
                    .counts
                    .outer_iterator()
                    .map(|row| row.data().iter().map(|&c| f64::from(c)).sum::<f64>()),
            );
            Ok(())
        })?;
        Ok(median_of_totals(&totals))
    }

    /// Normalizes a chunk, naming an empty cell by its id.
    fn normalize(
        &self,
        chunk: CountsChunk,
        method: Method,
    ) -> Result<synthbio::core::SparseValues, BoxError> {
        let ids = self.ids(chunk.first, chunk.counts.rows());
        normalize_sparse::<f64>(chunk.counts, method)
            .map_err(|e: NormalizeError| e.with_ids(ids, &self.gene_ids).into())
    }

    fn describe(&self) -> String {
        format!(
            "in chunks of about {} stored entries (memory bound {}, {})",
            self.max_entries,
            human(self.bound.0),
            self.bound.1
        )
    }
}

/// The input as a source of chunks; other inputs, and the options --stream
/// would leave unused, are refused.
fn chunk_source(input: &InputArgs) -> Result<Source, BoxError> {
    let name = input.counts.to_string_lossy();
    let h5ad = synthbio::io::h5ad::is_h5ad_path(&input.counts);
    let unused = [
        (input.metadata.is_some(), "--metadata"),
        (input.layout.is_some(), "--layout"),
        (!h5ad && input.layer.is_some(), "--layer"),
        (!h5ad && input.gene_id_column.is_some(), "--gene-id-column"),
        (input.empty_as_zero, "--empty-as-zero"),
        (input.strict_genes, "--strict-genes"),
        (input.refuse_duplicate_genes, "--refuse-duplicate-genes"),
        (input.unmapped_genes.is_some(), "--unmapped-genes"),
    ];
    if let Some((_, flag)) = unused.iter().find(|(given, _)| *given) {
        return Err(format!("{flag} does not apply to --stream on {name}, which reads the matrix and its ids as they are; drop {flag}").into());
    }
    if h5ad {
        let mut options = H5adOptions::default();
        if let Some(layer) = &input.layer {
            options = options.with_matrix(layer.clone());
        }
        if let Some(column) = &input.gene_id_column {
            options = options.with_gene_ids(column.clone());
        }
        return Ok(Source::H5ad(input.counts.clone(), options));
    }
    if name.ends_with(".parquet") {
        return Ok(Source::Parquet(input.counts.clone()));
    }
    if input.counts.is_dir() {
        let (mtx, genes, cells) = synthbio::io::tenx_files(&input.counts)?;
        return Ok(Source::MatrixMarket(mtx, genes, cells));
    }
    if name.ends_with(".mtx") || name.ends_with(".mtx.gz") {
        return match (&input.genes, &input.cells) {
            (Some(g), Some(c)) => Ok(Source::MatrixMarket(input.counts.clone(), g.clone(), c.clone())),
            _ => Err(format!("{name} is a Matrix Market file: give its gene and cell id files with --genes and --cells").into()),
        };
    }
    Err(format!("--stream reads Matrix Market (a 10x folder, or .mtx with --genes and --cells), .h5ad or long-format Parquet (sample_id, gene_id, count), but {name} is none of them; drop --stream, or export the counts with scipy.io.mmwrite").into())
}

/// The output must be Parquet, written as it goes.
fn parquet_out(out: &Path) -> Result<(), BoxError> {
    if out.to_string_lossy().ends_with(".parquet") {
        Ok(())
    } else {
        Err(format!(
            "--stream writes Parquet as it goes; name the output .parquet (got {})",
            out.display()
        )
        .into())
    }
}

/// `normalize --stream`: every chunk normalized and appended to a sparse Parquet table.
pub fn normalize(
    input: &InputArgs,
    stream: &StreamArgs,
    method: Method,
    out: &Path,
) -> Result<(), BoxError> {
    parquet_out(out)?;
    let chunked = Chunked::open(input, stream, |_| 0)?;
    let step = Step::start("normalizing in chunks");
    let method = match method {
        Method::Log1p {
            target_sum: TargetSum::MedianOfTotals,
        } => {
            step.say("the median of the cells' totals (one pass)");
            Method::Log1p {
                target_sum: TargetSum::Fixed(chunked.median_total()?),
            }
        }
        other => other,
    };
    let metadata = HashMap::from([
        (
            "synthbio.scale".to_string(),
            serde_json::to_string(&scale_of(method, &[]))?,
        ),
        (
            "synthbio.zeros".to_string(),
            "sparse: a (sample_id, gene_id) pair without a row is 0".to_string(),
        ),
    ]);
    let file = out.display().to_string();
    let mut entries = 0;
    write_atomic(
        out,
        |w| {
            let mut sink = SparseParquetWriter::new(w, &file, &chunked.gene_ids, metadata)?;
            chunked.pass(|chunk| {
                let (first, rows) = (chunk.first, chunk.counts.rows());
                step.say(&format!("normalizing cells from {}", first + 1));
                let values = chunked.normalize(chunk, method)?;
                entries += values.nnz();
                Ok(sink.write_chunk(chunked.ids(first, rows), &values)?)
            })?;
            Ok(sink.finish()?)
        },
        |e| -> BoxError { format!("cannot write {file}: {e}").into() },
    )?;
    step.finish();
    eprintln!(
        "{} cells x {} genes normalized ({method:?}) {}: {entries} non-zero values written to {} (absent pairs are 0)",
        chunked.cell_ids.len(),
        chunked.gene_ids.len(),
        chunked.describe(),
        out.display()
    );
    Ok(())
}

/// `pca --stream`: PCA of log1p-normalized expression (scanpy's
/// `normalize_total` then `log1p`), fitted in passes, scores written as they come.
pub fn pca(
    input: &InputArgs,
    stream: &StreamArgs,
    n_components: usize,
    target_sum: Option<f64>,
    randomized: RandomizedOptions,
    out: &Path,
) -> Result<(), BoxError> {
    parquet_out(out)?;
    let options = FitOptions {
        n_components: Some(n_components),
        randomized,
        ..FitOptions::default()
    };
    let width = n_components + options.randomized.n_oversamples;
    // Per pass: the block, its product, their copies in the decompositions, and one
    // accumulator per thread (genes x width each).
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunked = Chunked::open(input, stream, |genes| {
        ((4 + threads) * genes * width * 8) as u64
    })?;
    let step = Step::start("PCA in passes");
    let target = match target_sum {
        Some(t) => t,
        None => {
            step.say("the median of the cells' totals (one pass)");
            chunked.median_total()?
        }
    };
    let method = Method::Log1p {
        target_sum: TargetSum::Fixed(target),
    };
    let mut passes = 0;
    let model: PcaModel = fit_sparse_in_passes(chunked.gene_ids.len(), &options, |visit| {
        passes += 1;
        step.say(&format!("PCA pass {passes}"));
        chunked.pass(|chunk| Ok(visit(&chunked.normalize(chunk, method)?)?))
    })?;
    let columns: Vec<String> = (1..=n_components).map(|c| format!("PC{c}")).collect();
    let ratios = model.explained_variance_ratio().to_vec();
    let metadata = HashMap::from([
        (
            "synthbio.input_scale".to_string(),
            serde_json::to_string(&scale_of(method, &[]))?,
        ),
        (
            "synthbio.explained_variance_ratio".to_string(),
            serde_json::to_string(&ratios)?,
        ),
    ]);
    let file = out.display().to_string();
    write_atomic(
        out,
        |w| {
            let mut sink = RowsParquetWriter::new(w, &file, &columns, metadata)?;
            chunked.pass(|chunk| {
                let (first, rows) = (chunk.first, chunk.counts.rows());
                step.say(&format!("scores of cells from {}", first + 1));
                let scores = model.transform_sparse(&chunked.normalize(chunk, method)?)?;
                Ok(sink.write_rows(chunked.ids(first, rows), scores.view())?)
            })?;
            Ok(sink.finish()?)
        },
        |e| -> BoxError { format!("cannot write {file}: {e}").into() },
    )?;
    step.finish();
    let shown: Vec<String> = ratios
        .iter()
        .take(10)
        .map(|r| format!("{:.4}", r))
        .collect();
    eprintln!(
        "PCA of {} cells x {} genes (log1p of totals scaled to {target}) {}, {} passes for the fit and one for the scores: explained variance ratio {}{}",
        chunked.cell_ids.len(),
        chunked.gene_ids.len(),
        chunked.describe(),
        passes,
        shown.join(", "),
        if ratios.len() > 10 { ", ..." } else { "" }
    );
    eprintln!(
        "scores written to {} (the explained variance ratios are also in its metadata, synthbio.explained_variance_ratio)",
        out.display()
    );
    Ok(())
}
