//! Figures of merit.

pub(crate) use synthbio_core::stats::pearson;

/// Mean squared difference.
pub(crate) fn mse(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() / a.len().max(1) as f64
}

/// A weighted mean built up item by item.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Mean {
    sum: f64,
    weight: f64,
}

impl Mean {
    /// Adds a value with a weight.
    pub fn add(&mut self, value: f64, weight: f64) {
        self.sum += value * weight;
        self.weight += weight;
    }

    /// The weighted mean (`None` before any value).
    pub fn get(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sum / self.weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_figures() {
        // a = 1, 2, 3; b = 2, 4, 7: means 2 and 13/3; sab = 5, saa = 2, sbb = 38/3.
        let r = pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]).unwrap();
        approx::assert_abs_diff_eq!(r, 5.0 / (2.0f64 * 38.0 / 3.0).sqrt(), epsilon = 1e-12);
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(mse(&[1.0, 2.0], &[2.0, 4.0]), 2.5);
        let mut m = Mean::default();
        m.add(1.0, 1.0);
        m.add(4.0, 2.0);
        assert_eq!(m.get(), Some(3.0));
    }
}
