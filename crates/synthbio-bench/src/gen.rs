//! Deterministic inputs: count matrices with the spread of real RNA-seq counts,
//! latents with a low-rank structure, and hosted-size results.
//!
//! Every generator takes a seed and gives the same values for it on any
//! machine and thread count (each row has its own random stream).

use crate::{HOSTED_BULK_GENES, HOSTED_LATENT_DIMS};
use ndarray::{Array1, Array2, Axis, Slice};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{LogNormal, StandardNormal};
use rayon::prelude::*;
use std::collections::BTreeMap;
use synthbio_core::{Dataset, Latents, MetadataTable};

/// Library size the generated counts are drawn around (the hosted bulk default `total_count`).
pub const LIBRARY_SIZE: f64 = 1e7;

/// Ensembl-like gene ids `ENSG00000000000`, `ENSG00000000001`, ...
pub fn gene_ids(n: usize) -> Vec<String> {
    (0..n).map(|g| format!("ENSG{g:011}")).collect()
}

fn row_rng(seed: u64, row: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(row as u64 + 1);
    rng
}

/// A samples x genes count matrix: per-gene means drawn log-normal (sigma
/// 2.5: a few genes take most reads, many are near zero, as in bulk RNA-seq),
/// library sizes from 0.5 to 1.5 x [`LIBRARY_SIZE`], and over-dispersed
/// noise. Over 44,592 genes about 12% of counts are 0, the median is about 9
/// and the 99th percentile about 3,300: the digits a result's JSON carries.
pub fn counts(n_samples: usize, n_genes: usize, seed: u64) -> Array2<u32> {
    let means = gene_means(n_genes, seed);
    let mut m = Array2::<u32>::zeros((n_samples, n_genes));
    m.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(i, mut row)| {
            let mut rng = row_rng(seed, i);
            let depth = 0.5 + rng.random::<f64>();
            for (x, &mu) in row.iter_mut().zip(&means) {
                let u: f64 = rng.random();
                let dither: f64 = rng.random();
                // Exponential-tailed noise around the mean (coefficient of variation 0.5).
                let noise = 0.5 - 0.5 * (1.0 - u).ln();
                *x = (mu * depth * noise + dither).min(f64::from(u32::MAX)) as u32;
            }
        });
    m
}

/// Per-gene mean counts at [`LIBRARY_SIZE`]: log-normal, summing to about it.
fn gene_means(n_genes: usize, seed: u64) -> Vec<f64> {
    let mut rng = row_rng(seed, usize::MAX - 1);
    let spread = LogNormal::new(0.0, 2.5).expect("valid log-normal parameters");
    let raw: Vec<f64> = (0..n_genes).map(|_| rng.sample(spread)).collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|r| r / total * LIBRARY_SIZE).collect()
}

/// A samples x features matrix with the structure of GEM latents: a signal of
/// rank `rank` whose strength falls off geometrically (so leading components
/// are well separated), plus small independent noise.
pub fn latents(n_samples: usize, n_features: usize, rank: usize, seed: u64) -> Array2<f64> {
    let mut rng = row_rng(seed, usize::MAX - 2);
    let loadings = Array2::from_shape_fn((rank, n_features), |_| {
        rng.sample::<f64, _>(StandardNormal) / (n_features as f64).sqrt()
    });
    let strength = Array1::from_shape_fn(rank, |k| 10.0 * 0.93f64.powi(k as i32));
    let mut scores = Array2::<f64>::zeros((n_samples, rank));
    scores
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(i, mut row)| {
            let mut rng = row_rng(seed, i);
            for (x, &s) in row.iter_mut().zip(&strength) {
                *x = s * rng.sample::<f64, _>(StandardNormal);
            }
        });
    let mut x = scores.dot(&loadings);
    x.axis_iter_mut(Axis(0))
        .into_par_iter()
        .enumerate()
        .for_each(|(i, mut row)| {
            let mut rng = row_rng(seed ^ 0x5eed, i);
            for v in row.iter_mut() {
                *v += 0.1 * rng.sample::<f64, _>(StandardNormal);
            }
        });
    x
}

/// A hosted-size bulk result: `n_samples` x [`HOSTED_BULK_GENES`] counts, three
/// metadata fields per sample, and latents of the hosted block sizes.
pub fn hosted_result(n_samples: usize, seed: u64) -> Dataset {
    let counts = counts(n_samples, HOSTED_BULK_GENES, seed);
    let lat = latents(n_samples, HOSTED_LATENT_DIMS.iter().sum(), 64, seed + 1);
    let [b, t, _] = HOSTED_LATENT_DIMS;
    let block = |from: usize, to: usize| lat.slice_axis(Axis(1), Slice::from(from..to)).to_owned();
    let rows: Vec<BTreeMap<String, String>> = (0..n_samples)
        .map(|i| {
            BTreeMap::from([
                ("sex".to_string(), ["female", "male"][i % 2].to_string()),
                ("sample_type".to_string(), "primary tissue".to_string()),
                (
                    "tissue_ontology_id".to_string(),
                    "UBERON:0002371".to_string(),
                ),
            ])
        })
        .collect();
    Dataset::new(
        counts,
        gene_ids(HOSTED_BULK_GENES),
        Dataset::default_sample_ids(n_samples),
    )
    .and_then(|d| d.with_metadata(MetadataTable::from_rows(rows.iter())))
    .and_then(|d| {
        d.with_latents(Latents {
            biological: block(0, b),
            technical: block(b, b + t),
            perturbation: block(b + t, lat.ncols()),
        })
    })
    .map(|d| d.with_model_version("bench"))
    .expect("generated parts have consistent shapes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_look_like_bulk_counts() {
        let m = counts(3, HOSTED_BULK_GENES, 1);
        for row in m.rows() {
            let total: u64 = row.iter().map(|&x| u64::from(x)).sum();
            assert!((3e6..2e7).contains(&(total as f64)), "library size {total}");
            let zeros = row.iter().filter(|&&x| x == 0).count() as f64 / row.len() as f64;
            assert!((0.05..0.25).contains(&zeros), "{zeros} of counts are 0");
        }
        assert_ne!(m.row(0), m.row(1));
    }

    #[test]
    fn latents_have_a_leading_direction() {
        let x = latents(200, 30, 5, 3);
        let var = x.var_axis(Axis(0), 1.0);
        assert!(var.iter().all(|v| v.is_finite() && *v > 0.0));
        assert_eq!(x, latents(200, 30, 5, 3));
    }
}
