//! The sex head: sex from the Y-chromosome markers a sample measured and,
//! when measured, XIST (the marker genes of `synthbio_qc`).
//!
//! Each marker's log expression is put on a scale from its training mean in
//! one sex (0) to its mean in the other (1): Y markers from female to male,
//! XIST from male to female. The Y score is the mean over the Y markers a
//! sample measured, so any subset of them reads on the same scale. A logistic
//! regression with a small ridge penalty on the slopes (the probabilities
//! stay finite when the training sexes separate completely, as they do), fitted on
//! the labelled training samples with each donor weighing one, turns the
//! scores into the probability of `male`. Three regressions cover what a
//! sample can have measured: Y markers, Y markers and XIST, XIST alone.

use crate::linalg::small::{chol_solve, cholesky_jittered};
use crate::params::{Logistic, MarkerScale, SexHead};
use ndarray::{Array1, Array2};

/// Smallest gap between a marker's class means (log2 units) for it to be used.
const MIN_GAP: f64 = 1.0;
/// Ridge penalty on the slopes (each donor's log-likelihood weighs 1). The
/// training sexes separate completely, so the penalty alone bounds the
/// slope: at 0.01 and the bulk data's 90 donors a sample at its sex's mean
/// score gets about 0.997, one halfway between the means 0.5 (at 1 it would
/// be about 0.9, too unsure for a signal this clear: held-out log loss 0.13
/// at accuracy 1).
pub(crate) const RIDGE: f64 = 0.01;

/// Gene positions of the candidate markers in `gene_ids`: the Y markers found,
/// then XIST if found.
pub(crate) fn marker_genes(gene_ids: &[String]) -> (Vec<u32>, Option<u32>) {
    let y = synthbio_qc::Y_MARKERS
        .iter()
        .filter_map(|m| m.find(gene_ids))
        .map(|j| j as u32)
        .collect();
    (y, synthbio_qc::XIST.find(gene_ids).map(|j| j as u32))
}

/// A labelled training sample: its log expression of each candidate marker
/// (Y markers, then XIST; `None` where unmeasured), its label and weight.
pub(crate) struct Observation {
    /// Levels of the Y markers, in [`marker_genes`] order.
    pub y: Vec<Option<f64>>,
    /// Level of XIST.
    pub xist: Option<f64>,
    /// Labelled male.
    pub male: bool,
    /// Weight (1 / samples of its donor).
    pub weight: f64,
}

/// Fits the head on labelled samples; `None` when no marker separates the
/// training sexes (or one sex is missing).
pub(crate) fn fit(
    key: u16,
    levels: [u16; 2],
    genes: (&[u32], Option<u32>),
    obs: &[Observation],
) -> Option<SexHead> {
    let (y_genes, xist_gene) = genes;
    let y_scales: Vec<(usize, MarkerScale)> = y_genes
        .iter()
        .enumerate()
        .filter_map(|(k, &gene)| {
            let (female, male) = class_means(obs, |o| o.y[k])?;
            (male - female >= MIN_GAP).then_some((k, MarkerScale { gene, female, male }))
        })
        .collect();
    let xist = xist_gene.and_then(|gene| {
        let (female, male) = class_means(obs, |o| o.xist)?;
        (female - male >= MIN_GAP).then_some(MarkerScale { gene, female, male })
    });
    let y_score = |o: &Observation| {
        let (sum, n) = y_scales
            .iter()
            .fold((0.0, 0.0), |(s, n), (k, m)| match o.y[*k] {
                Some(v) => (s + scale_y(m, v), n + 1.0),
                None => (s, n),
            });
        (n > 0.0).then(|| sum / n)
    };
    let x_score = |o: &Observation| Some(scale_x(xist.as_ref()?, o.xist?));
    let on_y = logistic(obs, |o| Some(vec![y_score(o)?]));
    let on_y_xist = logistic(obs, |o| Some(vec![y_score(o)?, x_score(o)?]));
    let on_xist = logistic(obs, |o| Some(vec![x_score(o)?]));
    if on_y.is_none() && on_xist.is_none() {
        return None;
    }
    Some(SexHead {
        key,
        levels,
        y_markers: y_scales.into_iter().map(|(_, m)| m).collect(),
        xist,
        on_y,
        on_y_xist,
        on_xist,
    })
}

impl SexHead {
    /// Log probabilities of female and male for a sample whose log expression
    /// of gene `j` is `level(j)` (`None` where unmeasured); `None` when it
    /// measured no marker the head uses.
    pub(crate) fn log_probs(&self, level: impl Fn(usize) -> Option<f64>) -> Option<[f64; 2]> {
        let (sum, n) =
            self.y_markers
                .iter()
                .fold((0.0, 0.0), |(s, n), m| match level(m.gene as usize) {
                    Some(v) => (s + scale_y(m, v), n + 1.0),
                    None => (s, n),
                });
        let y = (n > 0.0).then(|| sum / n);
        let x = self
            .xist
            .as_ref()
            .and_then(|m| Some(scale_x(m, level(m.gene as usize)?)));
        let (model, features) = match (y, x) {
            (Some(y), Some(x)) if self.on_y_xist.is_some() => (&self.on_y_xist, vec![y, x]),
            (Some(y), _) => (&self.on_y, vec![y]),
            (None, Some(x)) => (&self.on_xist, vec![x]),
            (None, None) => return None,
        };
        let eta = linear(&model.as_ref()?.coef, &features);
        Some([log_sigmoid(-eta), log_sigmoid(eta)])
    }
}

/// A Y marker's level on the female (0) to male (1) scale.
fn scale_y(m: &MarkerScale, v: f64) -> f64 {
    (v - m.female) / (m.male - m.female)
}

/// XIST's level on the male (0) to female (1) scale.
fn scale_x(m: &MarkerScale, v: f64) -> f64 {
    (v - m.male) / (m.female - m.male)
}

/// Weighted means of a level over the female and the male samples that measured it.
fn class_means(
    obs: &[Observation],
    level: impl Fn(&Observation) -> Option<f64>,
) -> Option<(f64, f64)> {
    let mut acc = [(0.0, 0.0); 2];
    for o in obs {
        if let Some(v) = level(o) {
            let a = &mut acc[usize::from(o.male)];
            a.0 += o.weight * v;
            a.1 += o.weight;
        }
    }
    let mean = |(s, w): (f64, f64)| (w > 0.0).then(|| s / w);
    Some((mean(acc[0])?, mean(acc[1])?))
}

fn linear(coef: &[f64], x: &[f64]) -> f64 {
    coef[0] + coef[1..].iter().zip(x).map(|(b, v)| b * v).sum::<f64>()
}

/// `log(1 / (1 + exp(-eta)))`, stable for large `|eta|`.
fn log_sigmoid(eta: f64) -> f64 {
    if eta > 0.0 {
        -libm::log1p(libm::exp(-eta))
    } else {
        eta - libm::log1p(libm::exp(eta))
    }
}

/// Ridge-penalised logistic regression of `male` on the features of the
/// samples that have them (intercept unpenalised), by damped Newton steps;
/// `None` unless both sexes are among them.
fn logistic(
    obs: &[Observation],
    features: impl Fn(&Observation) -> Option<Vec<f64>>,
) -> Option<Logistic> {
    let rows: Vec<(Vec<f64>, f64, f64)> = obs
        .iter()
        .filter_map(|o| Some((features(o)?, f64::from(u8::from(o.male)), o.weight)))
        .collect();
    let has = |t: f64| rows.iter().any(|r| r.1 == t && r.2 > 0.0);
    if !has(0.0) || !has(1.0) {
        return None;
    }
    Some(Logistic {
        coef: newton(&rows, RIDGE),
    })
}

/// Minimises `sum w (log(1 + e^eta) - t eta) + ridge/2 |slopes|^2` over
/// `eta = b0 + b . x` for rows `(x, t, w)`.
pub(crate) fn newton(rows: &[(Vec<f64>, f64, f64)], ridge: f64) -> Vec<f64> {
    let p = rows[0].0.len() + 1;
    let loss = |b: &[f64]| -> f64 {
        let data: f64 = rows
            .iter()
            .map(|(x, t, w)| {
                let eta = linear(b, x);
                w * (-log_sigmoid(eta) - t * eta)
            })
            .sum();
        data + 0.5 * ridge * b[1..].iter().map(|v| v * v).sum::<f64>()
    };
    let mut b = vec![0.0; p];
    let mut current = loss(&b);
    for _ in 0..200 {
        let mut grad = Array1::<f64>::zeros(p);
        let mut hess = Array2::<f64>::zeros((p, p));
        for (x, t, w) in rows {
            let xi: Vec<f64> = std::iter::once(1.0).chain(x.iter().copied()).collect();
            let mu = libm::exp(log_sigmoid(linear(&b, x)));
            for a in 0..p {
                grad[a] += w * (t - mu) * xi[a];
                for c in 0..p {
                    hess[[a, c]] += w * mu * (1.0 - mu) * xi[a] * xi[c];
                }
            }
        }
        for a in 1..p {
            grad[a] -= ridge * b[a];
            hess[[a, a]] += ridge;
        }
        let step = chol_solve(cholesky_jittered(hess.view()).view(), grad.view());
        // halve the step until the loss does not grow
        let mut scale = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let next: Vec<f64> = b
                .iter()
                .zip(step.iter())
                .map(|(o, s)| o + scale * s)
                .collect();
            let l = loss(&next);
            if l <= current {
                accepted = Some((next, l));
                break;
            }
            scale *= 0.5;
        }
        let Some((next, l)) = accepted else { break };
        let gain = current - l;
        let moved = step.iter().fold(0.0f64, |m, s| m.max((scale * s).abs()));
        b = next;
        current = l;
        if gain <= 1e-15 * current.abs().max(1.0) || moved < 1e-12 {
            break;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sigmoid_is_stable_and_complementary() {
        for eta in [-800.0, -3.0, 0.0, 2.5, 800.0] {
            let (a, b) = (log_sigmoid(eta), log_sigmoid(-eta));
            assert!((libm::exp(a) + libm::exp(b) - 1.0).abs() < 1e-12, "{eta}");
            assert!(a.is_finite() && b.is_finite());
        }
    }
}
