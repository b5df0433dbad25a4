//! Benjamini-Hochberg adjusted p-values.

/// BH adjusted p-values (R's `p.adjust(method = "BH")`): `min(1, min_{j >= i} p_(j) m / j)`
/// over the `m` values present; `None` (untested genes) stay `None` and do not count in `m`.
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut tested: Vec<(usize, f64)> = p
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let m = tested.len() as f64;
    // Largest p first; a running minimum walks down the ranks.
    tested.sort_by(|x, y| y.1.total_cmp(&x.1));
    let mut out = vec![None; p.len()];
    let mut running = 1.0f64;
    for (k, &(i, v)) in tested.iter().enumerate() {
        let rank = m - k as f64;
        // m / rank first (as R's p.adjust): it is >= 1 after rounding, so adj >= p.
        running = running.min(v * (m / rank));
        out[i] = Some(running.min(1.0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.2), "BH") = 0.04 0.0533 0.0533 0.2
        let got = benjamini_hochberg(&[Some(0.01), Some(0.04), None, Some(0.03), Some(0.2)]);
        let want = [
            Some(0.04),
            Some(0.04 * 4.0 / 3.0),
            None,
            Some(0.04 * 4.0 / 3.0),
            Some(0.2),
        ];
        for (g, w) in got.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) => approx::assert_abs_diff_eq!(*g, w, epsilon = 1e-15),
                (g, w) => assert_eq!(*g, w),
            }
        }
    }
}
