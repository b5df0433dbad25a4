//! Invariants over random count matrices.

use ndarray::Array2;
use proptest::prelude::*;
use synthbio_normalize::{
    normalize, normalize_into, tmm_factors, Method, NormalizeParams, TargetSum, TmmParams,
};

/// Random samples x genes counts with every sample non-empty.
fn counts() -> impl Strategy<Value = Array2<u32>> {
    (1usize..6, 1usize..40).prop_flat_map(|(n, g)| {
        proptest::collection::vec(0u32..5000, n * g).prop_map(move |mut v| {
            for i in 0..n {
                v[i * g] += 1;
            }
            Array2::from_shape_vec((n, g), v).unwrap()
        })
    })
}

proptest! {
    #[test]
    fn cpm_rows_sum_to_a_million(c in counts()) {
        let out = normalize::<u32, f64>(c.view(), &NormalizeParams::new(Method::Cpm)).unwrap();
        for row in out.expression.values.rows() {
            prop_assert!((row.sum() - 1e6).abs() < 1e-6);
        }
    }

    #[test]
    fn log2_cpm_plus_one_inverts_to_a_million(c in counts()) {
        let out = normalize::<u32, f64>(c.view(), &NormalizeParams::new(Method::Log2CpmPlusOne)).unwrap();
        for row in out.expression.values.rows() {
            let s: f64 = row.iter().map(|x| x.exp2() - 1.0).sum();
            prop_assert!((s - 1e6).abs() < 1e-4);
        }
    }

    #[test]
    fn log1p_inverts_to_the_target(c in counts(), target in 1.0f64..1e6) {
        let p = NormalizeParams::new(Method::Log1p { target_sum: TargetSum::Fixed(target) });
        let out = normalize::<u32, f64>(c.view(), &p).unwrap();
        for row in out.expression.values.rows() {
            let s: f64 = row.iter().map(|x| x.exp_m1()).sum();
            prop_assert!((s - target).abs() < 1e-9 * target);
        }
    }

    #[test]
    fn tmm_factors_multiply_to_one_and_layout_does_not_matter(c in counts()) {
        let f = tmm_factors(c.view(), &TmmParams::default()).unwrap();
        prop_assert!((f.iter().map(|x| x.ln()).sum::<f64>()).abs() < 1e-12);
        prop_assert!(f.iter().all(|x| x.is_finite() && *x > 0.0));
        let t = c.t().as_standard_layout().into_owned();
        let p = NormalizeParams::new(Method::LogCpm { prior_count: 2.0 }).with_tmm();
        let row_major = normalize::<u32, f64>(c.view(), &p).unwrap();
        prop_assert!(c.nrows() == 1 || c.ncols() == 1 || t.t().strides()[0] == 1);
        let col_major = normalize::<u32, f64>(t.t(), &p).unwrap();
        prop_assert_eq!(row_major.expression.values, col_major.expression.values);
    }

    #[test]
    fn normalizing_into_a_used_buffer_gives_the_fresh_result(c in counts(), fill in -1e9f64..1e9) {
        for method in [Method::Cpm, Method::LogCpm { prior_count: 2.0 }, Method::Log2CpmPlusOne] {
            let params = NormalizeParams::new(method);
            let fresh = normalize::<u32, f64>(c.view(), &params).unwrap();
            let reused = normalize_into(c.view(), &params, Array2::from_elem(c.dim(), fill)).unwrap();
            prop_assert_eq!(reused, fresh);
        }
    }

    #[test]
    fn scaling_every_sample_equally_keeps_cpm(c in counts(), k in 2u32..5) {
        let p = NormalizeParams::new(Method::Cpm);
        let a = normalize::<u32, f64>(c.view(), &p).unwrap();
        let scaled = c.mapv(|x| x * k);
        let b = normalize::<u32, f64>(scaled.view(), &p).unwrap();
        for (x, y) in a.expression.values.iter().zip(b.expression.values.iter()) {
            prop_assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0));
        }
    }
}

/// Many samples (several blocks of the column-major walk), heavy-tailed counts (some past
/// the lookup tables), every method: row-major, column-major, in-place and f32 agree.
#[test]
fn layouts_agree_on_a_large_matrix() {
    let (n, g) = (150, 300);
    let mut s: u64 = 7;
    let counts = Array2::from_shape_fn((n, g), |_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = (s >> 33) as u32;
        if r % 3 == 0 {
            0
        } else {
            1 + ((r & 0xff) << ((r >> 8) % 17)) / 256
        }
    });
    let t = counts.t().as_standard_layout().into_owned();
    let col_major = t.t();
    assert_eq!(col_major.strides()[0], 1);
    let fractional = counts.mapv(|c| f64::from(c) * 0.75);
    let methods = [
        Method::Cpm,
        Method::LogCpm { prior_count: 2.0 },
        Method::Log2CpmPlusOne,
        Method::Log1p {
            target_sum: TargetSum::MedianOfTotals,
        },
    ];
    for m in methods {
        let p = NormalizeParams::new(m);
        let a = normalize::<u32, f64>(counts.view(), &p).unwrap();
        let b = normalize::<u32, f64>(col_major, &p).unwrap();
        assert_eq!(a.expression.values, b.expression.values, "{m:?}");
        let in_f_order = col_major.mapv(f64::from);
        assert_eq!(
            in_f_order.strides()[0],
            1,
            "mapv keeps the column-major layout"
        );
        let owned_f = synthbio_normalize::normalize_owned(in_f_order, &p).unwrap();
        assert_eq!(a.expression.values, owned_f.expression.values, "{m:?}");
        let a32 = normalize::<u32, f32>(counts.view(), &p).unwrap();
        let b32 = normalize::<u32, f32>(col_major, &p).unwrap();
        assert_eq!(a32.expression.values, b32.expression.values, "{m:?}");
        // Non-integer counts skip the tables: row- and column-major still agree.
        let ft = fractional.t().as_standard_layout().into_owned();
        let fa = normalize::<f64, f64>(fractional.view(), &p).unwrap();
        let fb = normalize::<f64, f64>(ft.t(), &p).unwrap();
        assert_eq!(fa.expression.values, fb.expression.values, "{m:?}");
    }
}
