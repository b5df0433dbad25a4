//! Statistics every layer needs the same way: one Pearson and Spearman
//! correlation and one ranking for the engine's evaluation, normalization,
//! the benchmarks and the reports.

use ndarray::{stack, ArrayView1, Axis};
use ndarray_stats::CorrelationExt;

/// Pearson correlation of two equally long series (ndarray-stats'
/// `pearson_correlation`), or `None` when it is undefined: lengths differ,
/// fewer than 2 values, a non-finite value, or a constant series (tested
/// exactly, as scipy does: a constant's mean can differ from its values in
/// the last bit and leave a spurious variance).
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    if x.iter().all(|v| *v == x[0]) || y.iter().all(|v| *v == y[0]) {
        return None;
    }
    let rows = stack(Axis(0), &[ArrayView1::from(x), ArrayView1::from(y)]).ok()?;
    let r = rows.pearson_correlation().ok()?[[0, 1]];
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// Spearman correlation: Pearson of average ranks (scipy's `spearmanr`,
/// polars' `corr(method="spearman")`); `None` when undefined or a value is NaN.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.iter().chain(y).any(|v| v.is_nan()) {
        return None;
    }
    pearson(&average_ranks(x), &average_ranks(y))
}

/// 1-based ranks with ties given their average rank, as R's `rank()` and scipy's
/// `rankdata(method="average")`; infinities rank first and last.
///
/// Written here because neither ndarray-stats nor statrs ranks with averaged ties.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    // Ties are averaged, so an unstable sort gives the same ranks.
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) share the mean of ranks start+1..=end.
        let rank = (start + end + 1) as f64 / 2.0;
        for &k in &order[start..end] {
            ranks[k] = rank;
        }
        start = end;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::{average_ranks, pearson};
    use approx::assert_relative_eq;

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]),
            [4.0, 1.0, 4.0, 2.0, 4.0]
        );
        assert_eq!(average_ranks(&[]), Vec::<f64>::new());
    }

    #[test]
    fn matches_the_textbook_value_and_refuses_undefined_cases() {
        // Python: statistics.correlation([1, 2, 3, 4], [2, 4, 5, 9])
        assert_relative_eq!(
            pearson(&[1.0, 2.0, 3.0, 4.0], &[2.0, 4.0, 5.0, 9.0]).unwrap(),
            0.9647638212377322,
            max_relative = 1e-14
        );
        assert_eq!(pearson(&[1.0, 2.0], &[3.0, 3.0]), None);
        assert_eq!(pearson(&[1.0], &[3.0]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[3.0, 4.0, 5.0]), None);
    }
}
