//! Ranks with ties averaged.

/// 1-based ranks with ties given their average rank, as R's `rank()` and scipy's
/// `rankdata(method="average")`. NaN values sort last (callers filter them first).
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
    use super::average_ranks;

    #[test]
    fn ties_share_their_mean_rank() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]),
            [4.0, 1.0, 4.0, 2.0, 4.0]
        );
        assert_eq!(average_ranks(&[]), Vec::<f64>::new());
    }
}
