//! Direction agreement that never counts "no change = no change" as agreement.

use crate::de::DeTable;
use crate::de_metrics::FDR;
use crate::pair::Pair;
use crate::results::{Best, Results};

fn sign(v: f64) -> i8 {
    if v > 0.0 {
        1
    } else if v < 0.0 {
        -1
    } else {
        0
    }
}

/// Fraction of `genes` where the predicted sign equals the observed one; genes with
/// no observed change are skipped (a predicted 0 against an observed change is a
/// disagreement). `None` when no gene has an observed change.
pub fn direction_agreement(pred: &[f64], real: &[f64], genes: &[usize]) -> Option<f64> {
    let changed: Vec<usize> = genes
        .iter()
        .cloned()
        .filter(|&g| sign(real[g]) != 0)
        .collect();
    (!changed.is_empty()).then(|| {
        changed
            .iter()
            .filter(|&&g| sign(pred[g]) == sign(real[g]))
            .count() as f64
            / changed.len() as f64
    })
}

/// Two columns per perturbation: `direction_nonzero` over the genes whose real
/// pseudobulk delta is nonzero, and `direction_sig` over the real significant DE genes
/// (FDR < 0.05) with a nonzero real fold change.
pub fn direction_metrics(pair: &Pair, de_real: &DeTable, de_pred: &DeTable) -> Results {
    let mut out = Results {
        perturbations: pair.perts.clone(),
        columns: Vec::new(),
        notes: Vec::new(),
    };
    let all: Vec<usize> = (0..pair.genes().len()).collect();
    let nonzero = pair
        .perts
        .iter()
        .map(|p| {
            let (r, q) = (pair.delta(true, p), pair.delta(false, p));
            direction_agreement(&q.to_vec(), &r.to_vec(), &all)
        })
        .collect();
    out.push("direction_nonzero", Best::One, nonzero);
    let sig = (0..pair.perts.len())
        .map(|i| {
            direction_agreement(
                &de_pred.lfc[i],
                &de_real.lfc[i],
                &de_real.significant(i, FDR),
            )
        })
        .collect();
    out.push("direction_sig", Best::One, sig);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_not_agreement() {
        // Gene 2 has no observed change: skipped. Gene 3's predicted 0 disagrees.
        let real = [1.0, -1.0, 0.0, 2.0];
        let pred = [0.5, -0.1, 0.0, 0.0];
        assert_eq!(
            direction_agreement(&pred, &real, &[0, 1, 2, 3]),
            Some(2.0 / 3.0)
        );
        assert_eq!(direction_agreement(&pred, &[0.0; 4], &[0, 1, 2, 3]), None);
    }
}
