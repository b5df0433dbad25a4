//! Writes the comparison harness's input files once, into one folder:
//!
//! - `result.json`, `result.arrow`: a hosted-size result (default 1,000 samples
//!   x 44,592 genes, with metadata and 1,024 + 32 + 512 latents) as the
//!   synthbio server on loopback gives it (download and Arrow stream);
//! - `counts.npy`: `u32` counts, default 10,000 samples x 44,592 genes;
//! - `references.npy`: `u32` counts of the references the fold changes are
//!   taken against (default 10; sample `i` uses reference `i * refs / samples`);
//! - `groups.npy`: edgeR log CPM (prior 2) of 2 x 10 samples, the t-tests' input;
//! - `latents.npy`: `f64` latents, default 100,000 samples x 1,568 dimensions;
//! - `sizes.json`: the sizes used.
//!
//! ```text
//! bench-inputs <dir> [--decode-samples N] [--samples N] [--references N] [--pca-samples N]
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;
use synthbio_bench::{gen, npy, results, BenchError, HOSTED_BULK_GENES, HOSTED_LATENT_DIMS};
use synthbio_normalize::log_cpm;

struct Sizes {
    decode_samples: usize,
    samples: usize,
    references: usize,
    pca_samples: usize,
}

fn parse(args: &[String]) -> Result<(PathBuf, Sizes), String> {
    let mut dir = None;
    let mut sizes = Sizes {
        decode_samples: 1_000,
        samples: 10_000,
        references: 10,
        pca_samples: 100_000,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a whole number"))
        };
        match a.as_str() {
            "--decode-samples" => sizes.decode_samples = value(a)?,
            "--samples" => sizes.samples = value(a)?,
            "--references" => sizes.references = value(a)?.max(1),
            "--pca-samples" => sizes.pca_samples = value(a)?,
            other if !other.starts_with("--") && dir.is_none() => dir = Some(PathBuf::from(other)),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let dir = dir.ok_or("usage: bench-inputs <dir> [--decode-samples N] [--samples N] [--references N] [--pca-samples N]")?;
    Ok((dir, sizes))
}

fn step<T>(what: &str, f: impl FnOnce() -> Result<T, BenchError>) -> Result<T, BenchError> {
    let t = Instant::now();
    let out = f()?;
    eprintln!("{what}: {:.1} s", t.elapsed().as_secs_f64());
    Ok(out)
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), BenchError> {
    std::fs::write(path, bytes).map_err(|e| BenchError::Io {
        path: path.display().to_string(),
        source: e,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, s) = parse(&args)?;
    std::fs::create_dir_all(&dir)?;
    let g = HOSTED_BULK_GENES;
    step("result.json, result.arrow", || {
        let bytes = results::fetch(gen::hosted_result(s.decode_samples, 11))?;
        write_bytes(&dir.join("result.json"), &bytes.json)?;
        write_bytes(&dir.join("result.arrow"), &bytes.arrow)
    })?;
    step("counts.npy", || {
        npy::write(
            &dir.join("counts.npy"),
            gen::counts(s.samples, g, 12).view(),
        )
    })?;
    step("references.npy", || {
        npy::write(
            &dir.join("references.npy"),
            gen::counts(s.references, g, 13).view(),
        )
    })?;
    step("groups.npy", || {
        let values = log_cpm(gen::counts(20, g, 14).view(), 2.0)
            .expect("generated libraries are not empty")
            .values;
        npy::write(&dir.join("groups.npy"), values.view())
    })?;
    step("latents.npy", || {
        let p: usize = HOSTED_LATENT_DIMS.iter().sum();
        npy::write(
            &dir.join("latents.npy"),
            gen::latents(s.pca_samples, p, 64, 16).view(),
        )
    })?;
    let sizes = serde_json::json!({
        "genes": g,
        "decode_samples": s.decode_samples,
        "samples": s.samples,
        "references": s.references,
        "group_size": 10,
        "pca_samples": s.pca_samples,
        "pca_features": HOSTED_LATENT_DIMS.iter().sum::<usize>(),
        "pca_components": 50,
    });
    write_bytes(&dir.join("sizes.json"), sizes.to_string().as_bytes())?;
    Ok(())
}
