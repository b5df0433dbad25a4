//! Invariants and hand-computed cases.

use approx::assert_abs_diff_eq;
use ndarray::array;
use proptest::prelude::*;
use synthbio_core::{Expression, Scale};
use synthbio_de::{benjamini_hochberg, differential_expression, pearson, spearman, DeTest, Groups};

#[test]
fn welch_by_hand() {
    // a = [1, 2, 3], b = [4, 6, 8]: means 2, 6; variances 1, 4;
    // se^2 = 1/3 + 4/3 = 5/3, t = -4 / sqrt(5/3), df = (5/3)^2 / ((1/3)^2/2 + (4/3)^2/2) = 50/17.
    let v = Expression {
        values: array![[1.0], [2.0], [3.0], [4.0], [6.0], [8.0]],
        scale: Scale::Log2CpmPlusOne,
    };
    let r = differential_expression(
        &v,
        &["g".into()],
        &Groups::from_indices(vec![0, 1, 2], vec![3, 4, 5]),
        DeTest::Welch,
    )
    .unwrap();
    let t = r.genes[0].test;
    assert_abs_diff_eq!(t.t.unwrap(), -4.0 / (5.0f64 / 3.0).sqrt(), epsilon = 1e-14);
    assert_abs_diff_eq!(t.df.unwrap(), 50.0 / 17.0, epsilon = 1e-12);
    assert_eq!(r.genes[0].log2_fc, -4.0);
    assert_eq!(r.genes[0].mean_expression, 4.0);
}

#[test]
fn correlations_by_hand() {
    assert_abs_diff_eq!(
        pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap(),
        1.0,
        epsilon = 1e-15
    );
    assert_abs_diff_eq!(
        pearson(&[1.0, 2.0, 3.0], &[3.0, 1.0, 2.0]).unwrap(),
        -0.5,
        epsilon = 1e-15
    );
    assert_eq!(pearson(&[1.0, 2.0, 3.0], &[3.0, 3.0, 3.0]), None);
    assert_eq!(pearson(&[1.0], &[1.0]), None);
    // Monotone but not linear: Spearman 1, Pearson below 1.
    let x = [1.0, 2.0, 3.0, 4.0];
    let y = [1.0, 8.0, 27.0, 64.0];
    assert_abs_diff_eq!(spearman(&x, &y).unwrap(), 1.0, epsilon = 1e-15);
    assert!(pearson(&x, &y).unwrap() < 1.0);
}

proptest! {
    #[test]
    fn bh_is_monotone_bounded_and_above_p(p in proptest::collection::vec(0.0f64..=1.0, 1..60)) {
        let adj = benjamini_hochberg(&p.iter().copied().map(Some).collect::<Vec<_>>());
        let adj: Vec<f64> = adj.into_iter().map(Option::unwrap).collect();
        for i in 0..p.len() {
            prop_assert!(adj[i] >= p[i] && adj[i] <= 1.0);
            for j in 0..p.len() {
                if p[i] <= p[j] {
                    prop_assert!(adj[i] <= adj[j]);
                }
            }
        }
    }

    #[test]
    fn swapping_groups_flips_t_and_keeps_p(
        vals in proptest::collection::vec(-5.0f64..15.0, 7 * 6),
        test in prop_oneof![Just(DeTest::Welch), Just(DeTest::Moderated)],
    ) {
        let v = Expression {
            values: ndarray::Array2::from_shape_vec((7, 6), vals).unwrap(),
            scale: Scale::LogCpm { prior_count: 2.0 },
        };
        let genes: Vec<String> = (0..6).map(|j| format!("g{j}")).collect();
        let ab = differential_expression(&v, &genes, &Groups::from_indices(vec![0, 1, 2], vec![3, 4, 5, 6]), test).unwrap();
        let ba = differential_expression(&v, &genes, &Groups::from_indices(vec![3, 4, 5, 6], vec![0, 1, 2]), test).unwrap();
        for (x, y) in ab.genes.iter().zip(&ba.genes) {
            prop_assert!((x.log2_fc + y.log2_fc).abs() < 1e-12);
            prop_assert!((x.test.t.unwrap() + y.test.t.unwrap()).abs() < 1e-9 * x.test.t.unwrap().abs().max(1.0));
            prop_assert!((x.test.p_value.unwrap() - y.test.p_value.unwrap()).abs() < 1e-12);
            prop_assert!(x.test.p_value.unwrap() > 0.0 && x.test.p_value.unwrap() <= 1.0);
        }
    }

    #[test]
    fn spearman_ignores_monotone_transforms(x in proptest::collection::vec(-10.0f64..10.0, 3..30), y in proptest::collection::vec(-10.0f64..10.0, 30)) {
        let y = &y[..x.len()];
        let ex: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        match (spearman(&x, y), spearman(&ex, y)) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-12),
            (a, b) => prop_assert_eq!(a, b),
        }
        if let Some(r) = pearson(&x, y) {
            prop_assert!((-1.0..=1.0).contains(&r));
            prop_assert!((pearson(y, &x).unwrap() - r).abs() < 1e-12);
        }
    }
}
