//! Benjamini-Hochberg FDR as `scipy.stats.false_discovery_control` computes it (pdex's
//! call): `p_(i) m / i`, a running minimum from the largest p down, clipped to 1.
//!
//! synthbio-de has the same adjustment for its own DE; this copy keeps scipy's order
//! of operations and keeps this crate free of the DE crate's dependencies.

/// Adjusted p-values, in input order.
pub fn false_discovery_control(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    let mut running = f64::INFINITY;
    for k in (0..m).rev() {
        let i = order[k];
        running = running.min(p[i] * m as f64 / (k + 1) as f64);
        out[i] = running.min(1.0);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn scipy_value() {
        // scipy.stats.false_discovery_control([0.01, 0.04, 0.03, 0.2])
        // -> [0.04, 0.05333333, 0.05333333, 0.2]
        let q = super::false_discovery_control(&[0.01, 0.04, 0.03, 0.2]);
        for (a, b) in q
            .iter()
            .zip([0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.2])
        {
            approx::assert_relative_eq!(*a, b, max_relative = 1e-15);
        }
    }
}
