//! Negative binomial dispersion per gene, for sample generation.

use super::prep::Prepared;
use crate::linalg::exact::{exact_product, Split};
use crate::transform::abundance;
use ndarray::{Array1, Array2};

/// Prior weight (in samples) of the shrinkage toward the typical dispersion.
const PRIOR_SAMPLES: f64 = 20.0;
/// Smallest and largest dispersion.
const RANGE: (f64, f64) = (1e-4, 5.0);

/// Method-of-moments dispersion per gene around the latent reconstruction of
/// each model row (`Var = m + phi m^2`), shrunk toward the median dispersion of
/// genes with a mean count of at least 10.
pub(crate) fn fit_dispersion(
    p: &Prepared<'_>,
    rows: &[usize],
    z: &Array2<f64>,
    w: &Split,
    mu: &Array1<f64>,
) -> Vec<f32> {
    let g = p.g();
    let fitted = exact_product(Split::new(z.view()).view(), w.view().t());
    let mut num = vec![0.0; g];
    let mut den = vec![0.0; g];
    let mut mean_count = vec![0.0; g];
    let mut n = vec![0.0; g];
    let mut observed = vec![0.0; g];
    let mut expected = vec![0.0; g];
    for (r, &i) in rows.iter().enumerate() {
        let measured = p.measured(i);
        observed.iter_mut().for_each(|x| *x = 0.0);
        for (j, c) in p.raw.row(i) {
            observed[j] = f64::from(c);
        }
        let mut total_ab = 0.0;
        let f = fitted.row(r);
        let f = f.as_slice().expect("standard layout");
        for (((e, &on), &m), &fv) in expected.iter_mut().zip(measured).zip(mu.iter()).zip(f) {
            *e = if on { abundance(m + fv) } else { 0.0 };
            total_ab += *e;
        }
        let lib = p.raw.measured_total(i) as f64;
        for j in 0..g {
            if !measured[j] || total_ab <= 0.0 {
                continue;
            }
            let m = lib * expected[j] / total_ab;
            let k = observed[j];
            num[j] += (k - m) * (k - m) - m;
            den[j] += m * m;
            mean_count[j] += k;
            n[j] += 1.0;
        }
    }
    let raw: Vec<Option<f64>> = (0..g)
        .map(|j| (den[j] > 0.0).then(|| (num[j] / den[j]).clamp(RANGE.0, RANGE.1)))
        .collect();
    let mut typical: Vec<f64> = (0..g)
        .filter(|&j| n[j] > 0.0 && mean_count[j] / n[j] >= 10.0)
        .filter_map(|j| raw[j])
        .collect();
    typical.sort_by(f64::total_cmp);
    let phi0 = typical.get(typical.len() / 2).copied().unwrap_or(0.1);
    (0..g)
        .map(|j| {
            let v = match raw[j] {
                Some(phi) => (n[j] * phi + PRIOR_SAMPLES * phi0) / (n[j] + PRIOR_SAMPLES),
                None => phi0,
            };
            v.clamp(RANGE.0, RANGE.1) as f32
        })
        .collect()
}
