//! TMM normalization factors (Robinson & Oshlack 2010, Genome Biology 11:R25), as edgeR's
//! `calcNormFactors(method = "TMM")` computes them.

use crate::error::{NormalizeError, Result};
use crate::library::{check_positive, library_sizes};
use crate::params::TmmParams;
use crate::values::CountValue;
use ndarray::{ArrayView2, Axis};
use ndarray_stats::{interpolate::Linear, QuantileExt};
use noisy_float::types::n64;
use rayon::prelude::*;
use synthbio_core::stats::average_ranks;

/// TMM factors of each sample (row), scaled so that they multiply to one.
///
/// Genes with a zero count in every sample are dropped first, as edgeR does; with one
/// sample, or no gene left, every factor is 1. A sample with no counts is an error.
pub fn tmm_factors<T: CountValue>(
    counts: ArrayView2<'_, T>,
    params: &TmmParams,
) -> Result<Vec<f64>> {
    params.validate()?;
    let libs = library_sizes(counts)?;
    check_positive(&libs)?;
    tmm_with_library_sizes(counts, &libs, params)
}

/// The reference sample edgeR's TMM uses when none is given (`refColumn = NULL`); see
/// [`TmmParams::ref_sample`]. Errors as [`tmm_factors`].
pub fn tmm_reference_sample<T: CountValue>(counts: ArrayView2<'_, T>) -> Result<usize> {
    if counts.nrows() == 0 {
        return Err(NormalizeError::NoSamples);
    }
    let libs = library_sizes(counts)?;
    check_positive(&libs)?;
    let kept = expressed_genes(counts);
    if kept.is_empty() {
        return Ok(0);
    }
    Ok(reference_sample(counts, &kept, &libs))
}

/// TMM factors given valid counts and their positive library sizes.
pub(crate) fn tmm_with_library_sizes<T: CountValue>(
    counts: ArrayView2<'_, T>,
    libs: &[f64],
    params: &TmmParams,
) -> Result<Vec<f64>> {
    let n = counts.nrows();
    if let Some(r) = params.ref_sample {
        if r >= n {
            return Err(NormalizeError::InvalidParam {
                name: "ref_sample",
                value: r.to_string(),
                fix: "give a 0-based sample row smaller than the number of samples, or null",
            });
        }
    }
    let kept = expressed_genes(counts);
    if kept.is_empty() || n == 1 {
        return Ok(vec![1.0; n]);
    }
    let row = |i: usize| -> Vec<f64> {
        let r = counts.row(i);
        kept.iter().map(|&j| r[j].raw()).collect()
    };
    let reference = match params.ref_sample {
        Some(r) => r,
        None => reference_sample(counts, &kept, libs),
    };
    let ref_row = row(reference);
    let factors: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| sample_factor(&row(i), &ref_row, libs[i], libs[reference], params))
        .collect();
    // Factors multiply to one: divide by their geometric mean.
    let log_mean = factors.iter().map(|f| f.ln()).sum::<f64>() / n as f64;
    let g = log_mean.exp();
    Ok(factors.into_iter().map(|f| f / g).collect())
}

/// Columns with a positive count in some sample, walked in memory order.
fn expressed_genes<T: CountValue>(counts: ArrayView2<'_, T>) -> Vec<usize> {
    let mut any = vec![false; counts.ncols()];
    if crate::library::gene_major(&counts) {
        for (j, col) in counts.columns().into_iter().enumerate() {
            any[j] = col.iter().any(|c| c.raw() > 0.0);
        }
    } else {
        for row in counts.rows() {
            for (a, c) in any.iter_mut().zip(row.iter()) {
                *a |= c.raw() > 0.0;
            }
        }
    }
    any.iter()
        .enumerate()
        .filter_map(|(j, &a)| a.then_some(j))
        .collect()
}

/// edgeR's choice for `refColumn = NULL`: the sample whose upper quartile of
/// counts / library size is closest to the mean of those; if their median is below
/// 1e-20 (mostly-zero data), the sample with the largest sum of square-root counts.
fn reference_sample<T: CountValue>(
    counts: ArrayView2<'_, T>,
    kept: &[usize],
    libs: &[f64],
) -> usize {
    let f75: Vec<f64> = counts
        .axis_iter(Axis(0))
        .into_par_iter()
        .zip(libs.par_iter())
        .map(|(r, &lib)| {
            let mut v: Vec<f64> = kept.iter().map(|&j| r[j].raw()).collect();
            quantile_type7(&mut v, 0.75) / lib
        })
        .collect();
    let mut sorted = f75.clone();
    if median(&mut sorted) < 1e-20 {
        let sqrt_sums: Vec<f64> = counts
            .rows()
            .into_iter()
            .map(|r| kept.iter().map(|&j| r[j].raw().sqrt()).sum())
            .collect();
        first_extreme(&sqrt_sums, |a, b| a > b)
    } else {
        let mean = f75.iter().sum::<f64>() / f75.len() as f64;
        let dist: Vec<f64> = f75.iter().map(|f| (f - mean).abs()).collect();
        first_extreme(&dist, |a, b| a < b)
    }
}

/// Index of the first value that no later value beats (R's `which.min` / `which.max`).
fn first_extreme(v: &[f64], better: impl Fn(f64, f64) -> bool) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate().skip(1) {
        if better(x, v[best]) {
            best = i;
        }
    }
    best
}

/// R's default quantile (type 7): linear interpolation between order
/// statistics, which ndarray-stats' `Linear` interpolation computes.
fn quantile_type7(v: &mut [f64], p: f64) -> f64 {
    let mut values = ndarray::ArrayViewMut1::from(v);
    values
        .quantile_axis_skipnan_mut(Axis(0), n64(p), &Linear)
        .map_or(f64::NAN, |q| q.into_scalar())
}

fn median(v: &mut [f64]) -> f64 {
    quantile_type7(v, 0.5)
}

/// One sample's TMM factor against the reference (edgeR's `.calcFactorTMM`).
fn sample_factor(obs: &[f64], reference: &[f64], n_obs: f64, n_ref: f64, p: &TmmParams) -> f64 {
    let mut log_r = Vec::with_capacity(obs.len());
    let mut abs_e = Vec::with_capacity(obs.len());
    let mut var = Vec::with_capacity(obs.len());
    for (&o, &r) in obs.iter().zip(reference) {
        let (po, pr) = (o / n_obs, r / n_ref);
        let m = (po / pr).log2();
        let a = (po.log2() + pr.log2()) / 2.0;
        if m.is_finite() && a.is_finite() && a > p.a_cutoff {
            log_r.push(m);
            abs_e.push(a);
            var.push((n_obs - o) / n_obs / o + (n_ref - r) / n_ref / r);
        }
    }
    // Identical samples (or none shared): factor 1, as edgeR.
    if log_r.iter().all(|m| m.abs() < 1e-6) {
        return 1.0;
    }
    let n = log_r.len() as f64;
    let lo_l = (n * p.logratio_trim).floor() + 1.0;
    let hi_l = n + 1.0 - lo_l;
    let lo_s = (n * p.sum_trim).floor() + 1.0;
    let hi_s = n + 1.0 - lo_s;
    let rank_r = average_ranks(&log_r);
    let rank_e = average_ranks(&abs_e);
    let (mut num, mut den) = (0.0, 0.0);
    for k in 0..log_r.len() {
        let keep = rank_r[k] >= lo_l && rank_r[k] <= hi_l && rank_e[k] >= lo_s && rank_e[k] <= hi_s;
        if !keep {
            continue;
        }
        let (t, w) = if p.do_weighting {
            (log_r[k] / var[k], 1.0 / var[k])
        } else {
            (log_r[k], 1.0)
        };
        // edgeR sums with na.rm = TRUE.
        if !t.is_nan() {
            num += t;
        }
        if !w.is_nan() {
            den += w;
        }
    }
    let f = num / den;
    // No kept gene: edgeR returns 2^0.
    if f.is_nan() {
        1.0
    } else {
        f.exp2()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantile_matches_r() {
        // R: quantile(c(1, 2, 3, 4, 10), 0.75) = 4; quantile(1:4, 0.75) = 3.25.
        assert_eq!(quantile_type7(&mut [10.0, 1.0, 3.0, 2.0, 4.0], 0.75), 4.0);
        assert_eq!(quantile_type7(&mut [4.0, 3.0, 2.0, 1.0], 0.75), 3.25);
    }

    #[test]
    fn first_extreme_keeps_the_first_tie() {
        assert_eq!(first_extreme(&[2.0, 1.0, 1.0], |a, b| a < b), 1);
        assert_eq!(first_extreme(&[3.0, 1.0, 3.0], |a, b| a > b), 0);
    }
}
