//! Times one operation on the files `bench-inputs` wrote, in this fresh
//! process, and prints one JSON line: the fastest of `--repeat` runs (seconds),
//! every run, the process's peak memory (`VmHWM`, MB of 10^6 bytes, input
//! included, as for the Python peers), and a check value to compare with the
//! peer's (the same work gives the same number).
//!
//! ```text
//! bench-op <op> <dir> [--repeat N]
//! ops: probe_copy probe_first_touch decode_json decode_arrow cpm_f64 cpm_f32 logcpm_f64 logcpm_f32
//!      cpm_f64_into cpm_f32_into logcpm_f64_into logcpm_f32_into (into a reused buffer)
//!      fold_change welch moderated pca_full pca_covariance_eigh pca_randomized
//!      engine_bulk_mean engine_sc_mean (the local engine, mean estimation of 5,000
//!      bulk or single-cell samples; no input files)
//!      engine_bulk_metadata (metadata prediction of 1,000 copies of the bulk model's
//!      example sample; no input files)
//! ```
//!
//! Loading the input is not timed. Each timed run starts from the same input
//! and drops its output before the next.

use ndarray::Array2;
use serde_json::{json, Value};
use std::fs::File;
use std::path::Path;
use std::time::Instant;
use synthbio_bench::{gen, npy, probe};
use synthbio_core::{
    metadata, Dataset, Expression, Metadata, Predictor, Query, SamplingStrategy, Scale,
};
use synthbio_de::{differential_expression, reference_fold_changes, DeTest, Groups};
use synthbio_normalize::{normalize, normalize_into, Method, NormalizeParams, Real};
use synthbio_pca::{FitOptions, PcaModel, Solver};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Runs `run` `repeat` times, timing each run alone; the check value is
/// computed from the last run's output, outside the timing.
fn timed<T>(
    repeat: usize,
    mut run: impl FnMut() -> Res<T>,
    check: impl Fn(&T) -> Value,
) -> Res<(Vec<f64>, Value)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeat.max(1) {
        drop(last.take());
        let t = Instant::now();
        let out = run()?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    Ok((times, last.as_ref().map_or(Value::Null, check)))
}

fn sum<F: Real>(m: &Array2<F>) -> f64 {
    m.iter().map(|&v| v.to_f64().unwrap_or(f64::NAN)).sum()
}

fn norm<F: Real>(counts: &Array2<u32>, method: Method, repeat: usize) -> Res<(Vec<f64>, Value)> {
    timed(
        repeat,
        || {
            Ok(normalize::<u32, F>(
                counts.view(),
                &NormalizeParams::new(method),
            )?)
        },
        |n| json!(sum(&n.expression.values)),
    )
}

/// As [`norm`], into one output buffer that every run reuses (written once
/// before the timing, as a batch pipeline's buffer is after its first batch).
fn norm_into<F: Real>(
    counts: &Array2<u32>,
    method: Method,
    repeat: usize,
) -> Res<(Vec<f64>, Value)> {
    let params = NormalizeParams::new(method);
    let mut out = Array2::<F>::from_elem(counts.dim(), F::from_f64(1.0));
    let mut times = Vec::new();
    let mut check = Value::Null;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let n = normalize_into(counts.view(), &params, out)?;
        times.push(t.elapsed().as_secs_f64());
        check = json!(sum(&n.expression.values));
        out = n.expression.values;
    }
    Ok((times, check))
}

fn de(dir: &Path, test: DeTest, repeat: usize) -> Res<(Vec<f64>, Value)> {
    let values = npy::read::<f64>(&dir.join("groups.npy"))?;
    let genes = gen::gene_ids(values.ncols());
    let e = Expression {
        values,
        scale: Scale::LogCpm { prior_count: 2.0 },
    };
    let groups = Groups::from_indices((0..10).collect(), (10..20).collect());
    timed(
        repeat,
        || Ok(differential_expression(&e, &genes, &groups, test)?),
        |r| {
            let t: f64 = r.genes.iter().filter_map(|g| g.test.t).sum();
            json!({"sum_t": t, "significant_at_0.05": r.significant(0.05).len()})
        },
    )
}

fn pca(dir: &Path, solver: Solver, repeat: usize) -> Res<(Vec<f64>, Value)> {
    let x = npy::read::<f64>(&dir.join("latents.npy"))?;
    let options = FitOptions {
        n_components: Some(50),
        solver,
        ..FitOptions::default()
    };
    timed(
        repeat,
        || Ok(PcaModel::fit_transform(x.view(), &options)?),
        |(model, _scores)| {
            json!({
                "explained_variance": model.explained_variance().to_vec(),
                "explained_variance_ratio_sum": model.explained_variance_ratio().sum(),
            })
        },
    )
}

fn fold_change(dir: &Path, repeat: usize) -> Res<(Vec<f64>, Value)> {
    let counts = npy::read::<u32>(&dir.join("counts.npy"))?;
    let refs = npy::read::<u32>(&dir.join("references.npy"))?;
    let (n, g, r) = (counts.nrows(), counts.ncols(), refs.nrows());
    let genes = gen::gene_ids(g);
    let generated = Dataset::new(counts, genes.clone(), Dataset::default_sample_ids(n))?
        .with_input_index((0..n).map(|i| i * r / n).collect())?;
    let references = Dataset::new(refs, genes, (0..r).map(|i| format!("ref_{i}")).collect())?;
    timed(
        repeat,
        || Ok(reference_fold_changes(&generated, &references)?),
        |fc| json!(fc.values.sum()),
    )
}

fn decode(path: &Path, arrow: bool, repeat: usize) -> Res<(Vec<f64>, Value)> {
    timed(
        repeat,
        || {
            let f = File::open(path)?;
            Ok(if arrow {
                synthbio_client::decode_arrow(f, None)?
            } else {
                synthbio_client::decode_json(f, None)?
            })
        },
        |d| {
            let total: u64 = d.counts().iter().map(|&c| u64::from(c)).sum();
            json!({"samples": d.n_samples(), "genes": d.n_genes(), "sum_counts": total})
        },
    )
}

/// The local engine's mean estimation of 5,000 samples of one condition.
fn engine_mean(model: &str, meta: Metadata, repeat: usize) -> Res<(Vec<f64>, Value)> {
    let engine = synthbio_engine::Engine::embedded()?;
    let n = 5_000;
    let q = Query::baseline(SamplingStrategy::MeanEstimation)
        .with_input(meta, n)
        .with_seed(1);
    let model = model.into();
    timed(
        repeat,
        || Ok(engine.predict(&model, &q)?),
        |d| {
            // The counts in row-major order.
            let fnv = fnv(d.counts().iter().flat_map(|c| c.to_le_bytes()));
            json!({"samples": d.n_samples(), "genes": d.n_genes(), "counts_fnv": fnv})
        },
    )
}

/// FNV-1a over bytes, as hex: equal digests, equal outputs (how a speed change
/// is checked to leave every count or bit as it was).
fn fnv(bytes: impl IntoIterator<Item = u8>) -> String {
    let h = bytes.into_iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// Metadata prediction of 1,000 copies of a model's example sample; the check is a
/// digest of the latents' bits.
fn engine_metadata(model: &str, repeat: usize) -> Res<(Vec<f64>, Value)> {
    let engine = synthbio_engine::Engine::embedded()?;
    let model = model.into();
    let example = engine.example_query(&model)?;
    let counts = (example.inputs.first())
        .and_then(|input| input.counts.clone())
        .ok_or("the example of metadata prediction has no counts")?;
    let q = Query::metadata_prediction(vec![counts; 1_000]).with_seed(1);
    timed(
        repeat,
        || Ok(engine.predict(&model, &q)?),
        |d| {
            let fnv = d.latents().map(|z| {
                let blocks = [&z.biological, &z.technical, &z.perturbation];
                fnv(blocks
                    .into_iter()
                    .flat_map(|b| b.iter().flat_map(|v| v.to_bits().to_le_bytes())))
            });
            json!({"samples": d.n_samples(), "latents_fnv": fnv})
        },
    )
}

/// Cells of the normalization input (`samples x genes` of `sizes.json`).
fn sizes(dir: &Path) -> Res<usize> {
    let sizes: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sizes.json"))?)?;
    let get = |k: &str| sizes[k].as_u64().ok_or(format!("sizes.json has no {k}"));
    Ok(usize::try_from(get("samples")? * get("genes")?)?)
}

fn run(op: &str, dir: &Path, repeat: usize) -> Res<Value> {
    let counts = || npy::read::<u32>(&dir.join("counts.npy"));
    let log_cpm = Method::LogCpm { prior_count: 2.0 };
    let (times, check) = match op {
        "probe_copy" => {
            let b = probe::copy_bandwidth(1 << 30, repeat.max(3));
            (
                vec![b.seconds],
                json!({"gb_per_s": b.gb_per_s(), "bytes_moved": b.bytes_moved}),
            )
        }
        "probe_first_touch" => {
            // A fresh f64 matrix the size of the normalization benches' output.
            let b = probe::first_touch(sizes(dir)? * 8, repeat.max(3));
            (
                vec![b.seconds],
                json!({"gb_per_s": b.gb_per_s(), "bytes_moved": b.bytes_moved}),
            )
        }
        "decode_json" => decode(&dir.join("result.json"), false, repeat)?,
        "decode_arrow" => decode(&dir.join("result.arrow"), true, repeat)?,
        "cpm_f64" => norm::<f64>(&counts()?, Method::Cpm, repeat)?,
        "cpm_f32" => norm::<f32>(&counts()?, Method::Cpm, repeat)?,
        "logcpm_f64" => norm::<f64>(&counts()?, log_cpm, repeat)?,
        "logcpm_f32" => norm::<f32>(&counts()?, log_cpm, repeat)?,
        "cpm_f64_into" => norm_into::<f64>(&counts()?, Method::Cpm, repeat)?,
        "cpm_f32_into" => norm_into::<f32>(&counts()?, Method::Cpm, repeat)?,
        "logcpm_f64_into" => norm_into::<f64>(&counts()?, log_cpm, repeat)?,
        "logcpm_f32_into" => norm_into::<f32>(&counts()?, log_cpm, repeat)?,
        "fold_change" => fold_change(dir, repeat)?,
        "welch" => de(dir, DeTest::Welch, repeat)?,
        "moderated" => de(dir, DeTest::Moderated, repeat)?,
        "pca_full" => pca(dir, Solver::Full, repeat)?,
        "pca_covariance_eigh" => pca(dir, Solver::CovarianceEigh, repeat)?,
        "pca_randomized" => pca(dir, Solver::Randomized, repeat)?,
        "engine_bulk_mean" => engine_mean(
            "gem-1-bulk",
            metadata([("sex", "female"), ("cell_type_ontology_id", "CL:0000236")]),
            repeat,
        )?,
        "engine_sc_mean" => engine_mean(
            "gem-1-sc",
            metadata([("cell_type_ontology_id", "CL:0000860")]),
            repeat,
        )?,
        "engine_bulk_metadata" => engine_metadata("gem-1-bulk_predict-metadata", repeat)?,
        other => return Err(format!("unknown operation {other:?}").into()),
    };
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(json!({
        "op": op,
        "impl": "synthbio",
        "seconds": best,
        "all_seconds": times,
        "peak_mb": probe::peak_rss_bytes().map(|b| b as f64 / 1e6),
        "threads": rayon::current_num_threads(),
        "check": check,
    }))
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench-op <op> <dir> [--repeat N]";
    let (Some(op), Some(dir)) = (args.first(), args.get(1)) else {
        return Err(usage.into());
    };
    let repeat = match args.get(2).map(String::as_str) {
        Some("--repeat") => args.get(3).and_then(|r| r.parse().ok()).ok_or(usage)?,
        Some(_) => return Err(usage.into()),
        None => 3,
    };
    println!("{}", run(op, Path::new(dir), repeat)?);
    Ok(())
}
