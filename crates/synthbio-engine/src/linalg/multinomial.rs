//! L2-penalised multinomial logistic regression, fitted by L-BFGS.
//!
//! Minimises `Σ_i w_i (logsumexp(η_i) - η_i[y_i]) + λ/2 ‖W‖²` with
//! `η_i = b + W x_i` (intercepts unpenalised): scikit-learn's
//! `LogisticRegression(C = 1/λ)` with sample weights, for three classes or
//! more (for two it fits one slope vector; this keeps one per class).
//!
//! Written by hand rather than taken from linfa-logistic: linfa fits through
//! ndarray's matrix products, whose SIMD kernel is chosen per CPU, so the
//! model files would differ between machines (see the module doc of
//! `linalg`). Every sum here runs in one fixed order.

use super::log_sum_exp;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use std::ops::Range;

/// Past gradients L-BFGS keeps.
const MEMORY: usize = 10;
/// Armijo constant of the backtracking line search.
const ARMIJO: f64 = 1e-4;
/// Curvature constant of the strong Wolfe condition.
const WOLFE: f64 = 0.9;
/// Relative change of the objective below its rounding noise.
const FLAT: f64 = 1e-10;
/// Partial sums of [`dot`].
const LANES: usize = 8;
/// Rows per block of the objective.
const CHUNK: usize = 256;

/// Fitted coefficients: one row of slopes and one intercept per class.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Multinomial {
    /// Slopes, classes x features.
    pub coef: Array2<f64>,
    /// Intercepts, one per class.
    pub intercept: Vec<f64>,
}

/// The problem: rows `x`, class of each row (`< classes`), row weights.
pub(crate) struct Problem<'a> {
    /// Features, rows x features.
    pub x: ArrayView2<'a, f64>,
    /// Class of each row.
    pub y: &'a [usize],
    /// Weight of each row.
    pub w: &'a [f64],
    /// Number of classes.
    pub classes: usize,
    /// Penalty `λ` on the slopes.
    pub lambda: f64,
}

/// Fits the model; stops when the largest gradient entry is below `tol`
/// times the total weight, or after `max_iter` iterations.
pub(crate) fn fit(p: &Problem<'_>, tol: f64, max_iter: usize) -> Multinomial {
    let (k, d) = (p.classes, p.x.ncols());
    let total: f64 = p.w.iter().sum();
    let mut theta = vec![0.0; k * (d + 1)];
    let (mut f, mut g) = objective(p, &theta);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    for _ in 0..max_iter {
        if max_abs(&g) <= tol * total.max(1.0) {
            break;
        }
        let dir = two_loop(&g, &s_hist, &y_hist);
        let slope = dot(&dir, &g);
        let (dir, slope) = if slope < 0.0 {
            (dir, slope)
        } else {
            // not a descent direction: restart from steepest descent
            s_hist.clear();
            y_hist.clear();
            let sd: Vec<f64> = g.iter().map(|v| -v).collect();
            let slope = -dot(&g, &g);
            (sd, slope)
        };
        let mut step = if s_hist.is_empty() {
            1.0 / max_abs(&dir).max(1.0)
        } else {
            1.0
        };
        let mut accepted = None;
        for _ in 0..60 {
            let trial: Vec<f64> = theta.iter().zip(&dir).map(|(t, d)| t + step * d).collect();
            let (ft, gt) = objective(p, &trial);
            // Armijo; or near the optimum, where f no longer resolves the
            // decrease, the strong Wolfe curvature condition alone
            let armijo = ft <= f + ARMIJO * step * slope;
            let flat = ft <= f + FLAT * f.abs() && dot(&gt, &dir).abs() <= WOLFE * slope.abs();
            if armijo || flat {
                accepted = Some((trial, ft, gt));
                break;
            }
            step *= 0.5;
        }
        let Some((next, fn_, gn)) = accepted else {
            if s_hist.is_empty() {
                break;
            }
            // a stale curvature history: start it again from steepest descent
            s_hist.clear();
            y_hist.clear();
            continue;
        };
        let s: Vec<f64> = next.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        if dot(&s, &yv) > 1e-12 * dot(&yv, &yv).max(f64::MIN_POSITIVE) {
            if s_hist.len() == MEMORY {
                s_hist.remove(0);
                y_hist.remove(0);
            }
            s_hist.push(s);
            y_hist.push(yv);
        }
        (theta, f, g) = (next, fn_, gn);
    }
    unpack(&theta, k, d)
}

/// Objective and gradient at `theta` (class-major: the `d` slopes then the
/// intercept of class 0, then of class 1, ...). Blocks of `CHUNK` rows run
/// side by side; their sums are added in block order, so the bits do not
/// depend on the number of threads.
fn objective(p: &Problem<'_>, theta: &[f64]) -> (f64, Vec<f64>) {
    let (k, d) = (p.classes, p.x.ncols());
    let n = p.x.nrows();
    let parts: Vec<(f64, Vec<f64>)> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|b| rows_part(p, theta, b * CHUNK..((b + 1) * CHUNK).min(n)))
        .collect();
    let mut f = 0.0;
    let mut grad = vec![0.0; theta.len()];
    for (pf, pg) in parts {
        f += pf;
        grad.iter_mut().zip(&pg).for_each(|(g, v)| *g += v);
    }
    for c in 0..k {
        let t = &theta[c * (d + 1)..c * (d + 1) + d];
        f += 0.5 * p.lambda * dot(t, t);
        for (gj, tj) in grad[c * (d + 1)..c * (d + 1) + d].iter_mut().zip(t) {
            *gj += p.lambda * tj;
        }
    }
    (f, grad)
}

/// The weighted log loss of `rows` and its gradient.
fn rows_part(p: &Problem<'_>, theta: &[f64], rows: Range<usize>) -> (f64, Vec<f64>) {
    let (k, d) = (p.classes, p.x.ncols());
    let mut grad = vec![0.0; theta.len()];
    let mut f = 0.0;
    let mut eta = vec![0.0; k];
    for r in rows {
        let x = p.x.row(r);
        let x = x.as_slice().expect("standard layout");
        for (c, e) in eta.iter_mut().enumerate() {
            let t = &theta[c * (d + 1)..(c + 1) * (d + 1)];
            *e = t[d] + dot(&t[..d], x);
        }
        let lse = log_sum_exp(&eta);
        let w = p.w[r];
        f += w * (lse - eta[p.y[r]]);
        for c in 0..k {
            let resid = w * (libm::exp(eta[c] - lse) - f64::from(u8::from(c == p.y[r])));
            let gc = &mut grad[c * (d + 1)..(c + 1) * (d + 1)];
            for (gj, xj) in gc[..d].iter_mut().zip(x) {
                *gj += resid * xj;
            }
            gc[d] += resid;
        }
    }
    (f, grad)
}

/// The L-BFGS direction `-H g` by the two-loop recursion.
fn two_loop(g: &[f64], s_hist: &[Vec<f64>], y_hist: &[Vec<f64>]) -> Vec<f64> {
    let mut q = g.to_vec();
    let mut alpha = vec![0.0; s_hist.len()];
    for i in (0..s_hist.len()).rev() {
        let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
        alpha[i] = rho * dot(&s_hist[i], &q);
        for (qj, yj) in q.iter_mut().zip(&y_hist[i]) {
            *qj -= alpha[i] * yj;
        }
    }
    if let (Some(s), Some(y)) = (s_hist.last(), y_hist.last()) {
        let gamma = dot(s, y) / dot(y, y);
        q.iter_mut().for_each(|v| *v *= gamma);
    }
    for i in 0..s_hist.len() {
        let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
        let beta = rho * dot(&y_hist[i], &q);
        for (qj, sj) in q.iter_mut().zip(&s_hist[i]) {
            *qj += (alpha[i] - beta) * sj;
        }
    }
    q.iter_mut().for_each(|v| *v = -*v);
    q
}

fn unpack(theta: &[f64], k: usize, d: usize) -> Multinomial {
    let coef = Array2::from_shape_fn((k, d), |(c, j)| theta[c * (d + 1) + j]);
    let intercept = (0..k).map(|c| theta[c * (d + 1) + d]).collect();
    Multinomial { coef, intercept }
}

/// Sum of products in one fixed order: eight interleaved partial sums (which
/// the compiler keeps in SIMD lanes), added lane by lane, then the tail.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    let mut lanes = [0.0; LANES];
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            lanes[l] += x[l] * y[l];
        }
    }
    lanes.iter().sum::<f64>() + tail
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn the_gradient_matches_finite_differences() {
        let x = array![[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [0.0, -0.4]];
        let p = Problem {
            x: x.view(),
            y: &[0, 1, 2, 1],
            w: &[1.0, 2.0, 0.5, 1.0],
            classes: 3,
            lambda: 0.7,
        };
        let theta: Vec<f64> = (0..9).map(|i| (i as f64 * 0.37).sin()).collect();
        let (_, g) = objective(&p, &theta);
        for j in 0..theta.len() {
            let h = 1e-6;
            let (mut up, mut down) = (theta.clone(), theta.clone());
            up[j] += h;
            down[j] -= h;
            let numeric = (objective(&p, &up).0 - objective(&p, &down).0) / (2.0 * h);
            assert_abs_diff_eq!(g[j], numeric, epsilon = 1e-7);
        }
    }

    #[test]
    fn the_fit_is_a_stationary_point() {
        let x = array![
            [0.5, -1.0],
            [1.5, 0.2],
            [-0.3, 0.8],
            [0.0, -0.4],
            [1.0, 1.0]
        ];
        let p = Problem {
            x: x.view(),
            y: &[0, 1, 2, 1, 0],
            w: &[1.0; 5],
            classes: 3,
            lambda: 0.1,
        };
        let m = fit(&p, 1e-10, 500);
        let theta: Vec<f64> = (0..3)
            .flat_map(|c| m.coef.row(c).to_vec().into_iter().chain([m.intercept[c]]))
            .collect();
        let (_, g) = objective(&p, &theta);
        assert!(max_abs(&g) < 1e-8, "gradient {g:?}");
    }

    /// A real problem (Kang PBMC cell types on 40 genes, weighted rows)
    /// against scikit-learn (`tests/golden/make_multinomial_golden.py`).
    #[test]
    fn the_fit_matches_scikit_learn() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/multinomial.tsv");
        let text = std::fs::read_to_string(path).unwrap();
        let (mut x, mut y, mut w, mut coef) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let d = text.lines().next().unwrap().split('\t').count() - 2;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let values: Vec<f64> = f[2..].iter().map(|v| v.parse().unwrap()).collect();
            match f[0] {
                "row" => {
                    y.push(f[1].parse::<usize>().unwrap());
                    w.push(values[0]);
                    assert_eq!(values.len(), d + 1);
                    x.extend_from_slice(&values[1..]);
                }
                "coef" => coef.push(values),
                other => panic!("unknown row {other}"),
            }
        }
        let x = Array2::from_shape_vec((y.len(), d), x).unwrap();
        let p = Problem {
            x: x.view(),
            y: &y,
            w: &w,
            classes: coef.len(),
            lambda: 0.5,
        };
        let m = fit(&p, 1e-12, 3000);
        // intercepts are free up to a shared constant: compare them centred;
        // flat directions of the loss leave them about 2e-6 apart
        let centred = |v: Vec<f64>| {
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            v.into_iter().map(|b| b - mean).collect::<Vec<f64>>()
        };
        let ours = centred(m.intercept.clone());
        let theirs = centred(coef.iter().map(|c| c[0]).collect());
        for k in 0..coef.len() {
            assert_eq!(coef[k].len(), d + 1);
            assert_abs_diff_eq!(ours[k], theirs[k], epsilon = 1e-5);
            for j in 0..d {
                assert_abs_diff_eq!(m.coef[[k, j]], coef[k][j + 1], epsilon = 1e-6);
            }
        }
    }
}
