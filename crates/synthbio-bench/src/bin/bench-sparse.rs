//! Writes a 10x-style folder of single-cell counts larger than memory as dense
//! `f64`, for the streaming measurement of `benches/compare/stream.sh`:
//! `matrix.mtx` (genes x cells, entries grouped by cell as Cell Ranger writes
//! them, uncompressed), `features.tsv` and `barcodes.tsv`.
//!
//! Each cell stores about `--per-cell` genes (uniform from half to 1.5 times),
//! drawn with a skew towards the first genes (index `genes * u^3`: a few genes
//! in most cells, most genes in few, as in droplet data), counts 1 to 8.
//!
//! ```text
//! bench-sparse <dir> [--cells 1000000] [--genes 37125] [--per-cell 300]
//! ```

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::Instant;
use synthbio_bench::gen::gene_ids;

/// Width the entry count is padded to on the size line, filled in at the end.
const COUNT_WIDTH: usize = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut dir = None;
    let (mut cells, mut genes, mut per_cell) = (1_000_000usize, 37_125usize, 300usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{a} needs a whole number"))
        };
        match a.as_str() {
            "--cells" => cells = value()?,
            "--genes" => genes = value()?,
            "--per-cell" => per_cell = value()?.max(2),
            other if !other.starts_with("--") && dir.is_none() => dir = Some(PathBuf::from(other)),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let dir = dir.ok_or("usage: bench-sparse <dir> [--cells N] [--genes N] [--per-cell N]")?;
    std::fs::create_dir_all(&dir)?;
    let t = Instant::now();
    let mut features = BufWriter::new(File::create(dir.join("features.tsv"))?);
    for (j, id) in gene_ids(genes).iter().enumerate() {
        writeln!(features, "{id}\tGENE{j}\tGene Expression")?;
    }
    features.flush()?;
    let mut barcodes = BufWriter::new(File::create(dir.join("barcodes.tsv"))?);
    for i in 0..cells {
        writeln!(barcodes, "CELL{i:09}-1")?;
    }
    barcodes.flush()?;

    let path = dir.join("matrix.mtx");
    let mut out = BufWriter::with_capacity(1 << 22, File::create(&path)?);
    let header = "%%MatrixMarket matrix coordinate integer general\n";
    write!(out, "{header}{genes} {cells} ")?;
    let count_at = (header.len() + format!("{genes} {cells} ").len()) as u64;
    writeln!(out, "{:COUNT_WIDTH$}", "")?;
    let mut rng = ChaCha8Rng::seed_from_u64(20261207);
    let mut row: Vec<usize> = Vec::with_capacity(2 * per_cell);
    let mut entries = 0u64;
    for cell in 1..=cells {
        let n = rng.random_range(per_cell / 2..per_cell + per_cell / 2);
        row.clear();
        row.extend((0..n).map(|_| {
            let u: f64 = rng.random();
            ((genes as f64) * u * u * u) as usize
        }));
        row.sort_unstable();
        row.dedup();
        for &g in &row {
            let count = 1 + rng.random_range(0..8u32);
            writeln!(out, "{} {cell} {count}", g + 1)?;
        }
        entries += row.len() as u64;
    }
    out.flush()?;
    let mut file = out.into_inner()?;
    file.seek(SeekFrom::Start(count_at))?;
    write!(file, "{entries:<COUNT_WIDTH$}")?;
    file.sync_all()?;
    eprintln!(
        "{}: {genes} genes x {cells} cells, {entries} entries, {:.1} GB, {:.0} s",
        path.display(),
        std::fs::metadata(&path)?.len() as f64 / 1e9,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
