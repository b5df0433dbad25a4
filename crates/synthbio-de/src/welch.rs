//! Welch's unequal-variance t test per gene.

use crate::stats::GroupStats;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// One gene's test: `None` where the statistic is undefined (see each test).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeneTest {
    /// The t statistic (a - b).
    pub t: Option<f64>,
    /// Its degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
}

impl GeneTest {
    /// An untestable gene.
    pub const UNDEFINED: GeneTest = GeneTest {
        t: None,
        df: None,
        p_value: None,
    };

    /// A test from `t` and `df`, with its two-sided p-value.
    pub fn new(t: f64, df: f64) -> Self {
        match two_sided_p(t, df) {
            Some(p) => GeneTest {
                t: Some(t),
                df: Some(df),
                p_value: Some(p),
            },
            None => GeneTest::UNDEFINED,
        }
    }
}

/// `2 P(T > |t|)` for Student's t with `df` degrees of freedom (normal for infinite df).
pub fn two_sided_p(t: f64, df: f64) -> Option<f64> {
    if !t.is_finite() {
        return None;
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * dist.sf(t.abs())).min(1.0))
}

/// Welch's t per gene from the two groups' statistics: `t = (mean_case - mean_control) /
/// sqrt(var_a/n_a + var_b/n_b)` with Welch-Satterthwaite degrees of freedom, as
/// `scipy.stats.ttest_ind(equal_var=False)`.
///
/// A gene with zero variance in both groups has no defined t: it gets
/// [`GeneTest::UNDEFINED`] (and is left out of the BH adjustment).
pub fn welch_from_stats(a: &GroupStats, b: &GroupStats) -> Vec<GeneTest> {
    let (na, nb) = (a.n as f64, b.n as f64);
    (0..a.mean.len())
        .into_par_iter()
        .map(|g| {
            let (ua, ub) = (a.var[g] / na, b.var[g] / nb);
            let se2 = ua + ub;
            if se2 <= 0.0 {
                return GeneTest::UNDEFINED;
            }
            let t = (a.mean[g] - b.mean[g]) / se2.sqrt();
            let df = se2 * se2 / (ua * ua / (na - 1.0) + ub * ub / (nb - 1.0));
            GeneTest::new(t, df)
        })
        .collect()
}
