//! cell-eval's metrics on expression (its `anndata_pair` metrics): errors and
//! correlations of pseudobulks and their control-referenced deltas, discrimination
//! scores and the energy-distance correlation.

use crate::pair::Pair;
use crate::results::{Best, Results};
use crate::stats::pearson;
use ndarray::{Array1, Array2, ArrayView1};

/// Distance used by a discrimination score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distance {
    /// Manhattan.
    L1,
    /// Euclidean.
    L2,
    /// Cosine distance `1 - cos` (0 for a zero vector's pair as scikit-learn: distance 1).
    Cosine,
}

impl Distance {
    /// cell-eval's suffix.
    pub fn name(self) -> &'static str {
        match self {
            Distance::L1 => "l1",
            Distance::L2 => "l2",
            Distance::Cosine => "cosine",
        }
    }

    fn between(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            Distance::L1 => a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum(),
            Distance::L2 => a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).powi(2))
                .sum::<f64>()
                .sqrt(),
            Distance::Cosine => {
                let na = a.iter().map(|v| v * v).sum::<f64>().sqrt();
                let nb = b.iter().map(|v| v * v).sum::<f64>().sqrt();
                // scikit-learn leaves zero-norm rows at zero, so their similarity is 0.
                let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
                let sim = if na > 0.0 && nb > 0.0 {
                    dot / (na * nb)
                } else {
                    0.0
                };
                (1.0 - sim).clamp(0.0, 2.0)
            }
        }
    }
}

fn mean_sq(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    (a - b).mapv(|v| v * v).mean().unwrap_or(f64::NAN)
}

fn mean_abs(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    (a - b).mapv(f64::abs).mean().unwrap_or(f64::NAN)
}

/// Normalised rank of each perturbation's predicted delta among all real deltas
/// (1 = the true one is the nearest), the target gene (a gene named as the
/// perturbation) excluded from the distance. Ties keep perturbation order.
pub fn discrimination(
    pair: &Pair,
    real_d: &[Array1<f64>],
    pred_d: &[Array1<f64>],
    d: Distance,
) -> Vec<Option<f64>> {
    let n = pair.perts.len();
    pair.perts
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            let keep: Vec<usize> = (0..pair.genes().len())
                .filter(|&g| &pair.genes()[g] != p)
                .collect();
            let pick = |v: &Array1<f64>| -> Vec<f64> { keep.iter().map(|&g| v[g]).collect() };
            let target = pick(&pred_d[pi]);
            let dist: Vec<f64> = real_d
                .iter()
                .map(|r| d.between(&pick(r), &target))
                .collect();
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| dist[a].total_cmp(&dist[b]));
            let rank = order.iter().position(|&i| i == pi)?;
            Some(1.0 - rank as f64 / n as f64)
        })
        .collect()
}

fn euclid(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn mean_pairwise(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let mut s = 0.0;
    for ra in a.rows() {
        for rb in b.rows() {
            s += euclid(ra, rb);
        }
    }
    s / (a.nrows() * b.nrows()) as f64
}

/// Energy distance of each perturbation's cells from the control's,
/// `2 E|X-Y| - E|X-X'| - E|Y-Y'|` (Euclidean, self-pairs included as cell-eval does).
pub fn energy_distances(pair: &Pair, real: bool) -> Vec<f64> {
    let ctrl = pair.cells(real, &pair.control);
    let sigma_c = mean_pairwise(&ctrl, &ctrl);
    pair.perts
        .iter()
        .map(|p| {
            let x = pair.cells(real, p);
            2.0 * mean_pairwise(&x, &ctrl) - mean_pairwise(&x, &x) - sigma_c
        })
        .collect()
}

/// Appends cell-eval's expression metrics to `out`, in its column order.
pub fn expression_metrics(pair: &Pair, out: &mut Results) {
    let real_b: Vec<Array1<f64>> = pair
        .perts
        .iter()
        .map(|p| pair.pseudobulk(true, p))
        .collect();
    let pred_b: Vec<Array1<f64>> = pair
        .perts
        .iter()
        .map(|p| pair.pseudobulk(false, p))
        .collect();
    let real_d: Vec<Array1<f64>> = pair.perts.iter().map(|p| pair.delta(true, p)).collect();
    let pred_d: Vec<Array1<f64>> = pair.perts.iter().map(|p| pair.delta(false, p)).collect();
    let per = |f: &dyn Fn(usize) -> Option<f64>| -> Vec<Option<f64>> {
        (0..pair.perts.len()).map(f).collect()
    };
    out.push(
        "pearson_delta",
        Best::One,
        per(&|i| pearson(pred_d[i].as_slice()?, real_d[i].as_slice()?)),
    );
    out.push(
        "mse",
        Best::Zero,
        per(&|i| Some(mean_sq(&pred_b[i], &real_b[i]))),
    );
    out.push(
        "mae",
        Best::Zero,
        per(&|i| Some(mean_abs(&pred_b[i], &real_b[i]))),
    );
    out.push(
        "mse_delta",
        Best::Zero,
        per(&|i| Some(mean_sq(&pred_d[i], &real_d[i]))),
    );
    out.push(
        "mae_delta",
        Best::Zero,
        per(&|i| Some(mean_abs(&pred_d[i], &real_d[i]))),
    );
    for d in [Distance::L1, Distance::L2, Distance::Cosine] {
        out.push(
            &format!("discrimination_score_{}", d.name()),
            Best::One,
            discrimination(pair, &real_d, &pred_d, d),
        );
    }
    if pair.perts.len() < 2 {
        out.notes.push(format!(
            "pearson_edistance: not computed, it correlates energy distances across \
             perturbations and needs at least 2, found {}",
            pair.perts.len()
        ));
    } else {
        let r = pearson(
            &energy_distances(pair, false),
            &energy_distances(pair, true),
        );
        out.push("pearson_edistance", Best::One, vec![r; pair.perts.len()]);
    }
}
