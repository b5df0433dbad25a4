//! Normalizing a count matrix: library sizes, optional TMM factors, then the transform.

use crate::error::{NormalizeError, Result};
use crate::library::{check_positive, library_sizes};
use crate::params::{Method, NormFactors, NormalizeParams, TargetSum};
use crate::tmm::tmm_with_library_sizes;
use crate::transform::{apply_in_place, transform_from, Kernel, SampleConsts};
use crate::values::{CountValue, Real};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use synthbio_core::{Expression, Scale};

/// A normalized matrix with the library sizes and factors that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalized<F = f64> {
    /// Values (samples x genes) and their scale: row-major from [`normalize`], the input's
    /// layout from [`normalize_owned`].
    pub expression: Expression<F>,
    /// Total count of each sample.
    pub library_sizes: Vec<f64>,
    /// Normalization factor of each sample (all 1 without TMM).
    pub norm_factors: Vec<f64>,
}

impl<F> Normalized<F> {
    /// Library size times normalization factor: what CPM divides by.
    pub fn effective_library_sizes(&self) -> Vec<f64> {
        self.library_sizes
            .iter()
            .zip(&self.norm_factors)
            .map(|(l, f)| l * f)
            .collect()
    }
}

/// Normalizes a samples x genes count matrix (`u32`, `f32` or `f64` counts) into
/// `f64` or `f32` values.
///
/// Every count must be finite and non-negative and every sample must have a positive
/// total ([`NormalizeError::EmptyLibrary`] names the first that does not). Genes with no
/// counts are kept: 0 on the CPM scales, the sample's prior-only value on edgeR's log scale.
pub fn normalize<T: CountValue, F: Real>(
    counts: ArrayView2<'_, T>,
    params: &NormalizeParams,
) -> Result<Normalized<F>> {
    normalize_into(counts, params, Array2::<F>::zeros(counts.raw_dim()))
}

/// Like [`normalize`], but writes the values into `out` (the shape of `counts`,
/// any values) and returns it as the result's matrix. A pipeline that
/// normalizes a large cohort batch by batch hands each batch the previous
/// result's matrix: no new allocation, and none of the page faults of fresh
/// memory, which cost several times the transform itself on large matrices
/// (`benches/README.md`).
///
/// ```
/// use ndarray::{array, Array2};
/// use synthbio_normalize::{normalize_into, Method, NormalizeParams};
///
/// let params = NormalizeParams::new(Method::Cpm);
/// let mut buffer = Array2::<f64>::zeros((2, 3));
/// for batch in [array![[1u32, 1, 2], [0, 5, 5]], array![[3, 0, 1], [2, 2, 0]]] {
///     let n = normalize_into(batch.view(), &params, buffer).unwrap();
///     assert!((n.expression.values.row(0).sum() - 1e6).abs() < 1e-6);
///     buffer = n.expression.values; // the next batch reuses it
/// }
/// ```
pub fn normalize_into<T: CountValue, F: Real>(
    counts: ArrayView2<'_, T>,
    params: &NormalizeParams,
    out: Array2<F>,
) -> Result<Normalized<F>> {
    params.validate()?;
    if counts.nrows() == 0 {
        return Err(NormalizeError::NoSamples);
    }
    if out.dim() != counts.dim() {
        return Err(NormalizeError::OutputShape {
            expected: counts.dim(),
            found: out.dim(),
        });
    }
    let libs = library_sizes(counts)?;
    check_positive(&libs)?;
    let factors = factors(counts, &libs, params)?;
    let (kernel, consts) = plan::<F>(&libs, &factors, params.method);
    let mut values = out;
    transform_from(counts, values.view_mut(), kernel, &consts);
    Ok(Normalized {
        expression: Expression {
            values,
            scale: scale_of(params.method, &libs),
        },
        library_sizes: libs,
        norm_factors: factors,
    })
}

/// Like [`normalize`], but transforms a float count matrix in place, without a copy.
pub fn normalize_owned<F: Real>(
    counts: Array2<F>,
    params: &NormalizeParams,
) -> Result<Normalized<F>> {
    params.validate()?;
    if counts.nrows() == 0 {
        return Err(NormalizeError::NoSamples);
    }
    let libs = library_sizes(counts.view())?;
    check_positive(&libs)?;
    let factors = factors(counts.view(), &libs, params)?;
    Ok(finish(counts, libs, factors, params))
}

/// Counts per million (`f64`).
pub fn cpm<T: CountValue>(counts: ArrayView2<'_, T>) -> Result<Expression> {
    Ok(normalize(counts, &NormalizeParams::new(Method::Cpm))?.expression)
}

/// edgeR's `cpm(y, log = TRUE, prior.count)` on raw library sizes (`f64`).
pub fn log_cpm<T: CountValue>(counts: ArrayView2<'_, T>, prior_count: f64) -> Result<Expression> {
    Ok(normalize(
        counts,
        &NormalizeParams::new(Method::LogCpm { prior_count }),
    )?
    .expression)
}

/// `log2(cpm + 1)` (`f64`).
pub fn log2_cpm_plus_one<T: CountValue>(counts: ArrayView2<'_, T>) -> Result<Expression> {
    Ok(normalize(counts, &NormalizeParams::new(Method::Log2CpmPlusOne))?.expression)
}

/// scanpy's `normalize_total(target_sum)` then `log1p` (`f64`).
pub fn log1p_normalize<T: CountValue>(
    counts: ArrayView2<'_, T>,
    target_sum: TargetSum,
) -> Result<Expression> {
    Ok(normalize(counts, &NormalizeParams::new(Method::Log1p { target_sum }))?.expression)
}

/// The median of the library sizes: scanpy's `target_sum` when none is given
/// (numpy's median: the mean of the two middle values for an even count).
pub fn median_of_totals(library_sizes: &[f64]) -> f64 {
    let mut v = library_sizes.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn factors<T: CountValue>(
    counts: ArrayView2<'_, T>,
    libs: &[f64],
    params: &NormalizeParams,
) -> Result<Vec<f64>> {
    match params.norm_factors {
        NormFactors::None => Ok(vec![1.0; libs.len()]),
        NormFactors::Tmm(t) => tmm_with_library_sizes(counts, libs, &t),
    }
}

/// The scale a method's values end on, scanpy's median target resolved over
/// `libs` (the samples' library sizes; unused by the other methods).
pub fn scale_of(method: Method, libs: &[f64]) -> Scale {
    match method {
        Method::Cpm => Scale::Cpm,
        Method::LogCpm { prior_count } => Scale::LogCpm { prior_count },
        Method::Log2CpmPlusOne => Scale::Log2CpmPlusOne,
        Method::Log1p { target_sum } => Scale::Log1p {
            target_sum: resolve_target(target_sum, libs),
        },
    }
}

fn resolve_target(target: TargetSum, libs: &[f64]) -> f64 {
    match target {
        TargetSum::MedianOfTotals => median_of_totals(libs),
        TargetSum::Fixed(t) => t,
    }
}

/// Applies the transform to counts already in `values`, given checked library sizes.
fn finish<F: Real>(
    mut values: Array2<F>,
    libs: Vec<f64>,
    factors: Vec<f64>,
    params: &NormalizeParams,
) -> Normalized<F> {
    let (kernel, consts) = plan::<F>(&libs, &factors, params.method);
    apply_in_place(values.view_mut(), kernel, &consts);
    Normalized {
        expression: Expression {
            values,
            scale: scale_of(params.method, &libs),
        },
        library_sizes: libs,
        norm_factors: factors,
    }
}

/// The kernel and per-sample constants of a method, from library sizes and factors.
pub(crate) fn plan<F: Real>(
    libs: &[f64],
    factors: &[f64],
    method: Method,
) -> (Kernel, Vec<SampleConsts<F>>) {
    let eff: Vec<f64> = libs.iter().zip(factors).map(|(l, f)| l * f).collect();
    let f = F::from_f64;
    let scale = |k: f64| SampleConsts {
        a: f(k),
        b: f(0.0),
        zero: f(0.0),
    };
    match method {
        Method::Cpm => (Kernel::Scale, eff.iter().map(|&l| scale(1e6 / l)).collect()),
        Method::LogCpm { prior_count } => {
            let mean = eff.iter().sum::<f64>() / eff.len() as f64;
            let consts = eff
                .iter()
                .map(|&l| {
                    // McCarthy et al. 2012 / edgeR addPriorCount: prior scaled by relative
                    // library size, twice of it added to the library size.
                    let prior = prior_count * l / mean;
                    let adjusted = l + 2.0 * prior;
                    let b = (1e6 / adjusted).log2();
                    SampleConsts {
                        a: f(prior),
                        b: f(b),
                        zero: f(prior.log2() + b),
                    }
                })
                .collect();
            (Kernel::LogPrior, consts)
        }
        Method::Log2CpmPlusOne => (
            Kernel::Log2OnePlus,
            eff.iter().map(|&l| scale(1e6 / l)).collect(),
        ),
        Method::Log1p { target_sum } => {
            let target = resolve_target(target_sum, libs);
            (
                Kernel::LnOnePlus,
                libs.iter().map(|&l| scale(target / l)).collect(),
            )
        }
    }
}
