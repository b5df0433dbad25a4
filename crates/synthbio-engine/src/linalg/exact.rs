//! Products computed from exact pieces, hence identical on every CPU.
//!
//! Each factor is split into two fixed-point slices (an Ozaki-style split):
//! `a = a1 + a2`, where `a1` keeps the leading 21 bits relative to the
//! largest entry and `a2` the next 21. Over a block of at most 1024 terms,
//! each slice product is a sum of integers below 2^52, exact in any order and
//! with any kernel. The slice products `a1 b1 + a1 b2 + a2 b1` of every block
//! are then added in a fixed order. The result carries about 40 significant
//! bits relative to `max|a| max|b|`.

use ndarray::{Array2, ArrayView2, Axis, Slice};

/// Terms per exact block (2^10).
const BLOCK: usize = 1024;
/// Bits of each slice: 2 * 21 + 10 (block growth) = 52 < 53.
const SLICE_BITS: i32 = 21;

/// `a · b`, the same bits on every CPU (see the module doc).
pub(crate) fn exact_matmul(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    exact_product(Split::new(a).view(), Split::new(b).view())
}

/// A matrix split once into its two fixed-point slices, for repeated products.
pub(crate) struct Split {
    hi: Array2<f64>,
    lo: Array2<f64>,
    /// Grid exponent of `hi` (`x ≈ (hi + lo 2^-SLICE_BITS) 2^-s`); `None` if all zero.
    s: Option<i32>,
}

/// A borrowed [`Split`], possibly transposed.
#[derive(Clone, Copy)]
pub(crate) struct SplitView<'a> {
    hi: ArrayView2<'a, f64>,
    lo: ArrayView2<'a, f64>,
    s: Option<i32>,
}

impl Split {
    /// Splits `x` (see the module doc).
    pub(crate) fn new(x: ArrayView2<'_, f64>) -> Self {
        let mut max = 0.0f64;
        for &v in x.iter() {
            let a = v.abs();
            if a > max {
                max = a;
            }
        }
        assert!(max.is_finite(), "exact_matmul: non-finite input");
        if max == 0.0 {
            return Split {
                hi: Array2::zeros(x.raw_dim()),
                lo: Array2::zeros(x.raw_dim()),
                s: None,
            };
        }
        // max|x| < 2^e, so entries of `hi` stay below 2^SLICE_BITS.
        let s = SLICE_BITS - libm::frexp(max).1;
        let f1 = pow2(s);
        let f2 = pow2(SLICE_BITS);
        let n = x.len();
        let mut hi = Vec::with_capacity(n);
        let mut lo = Vec::with_capacity(n);
        for &v in x.iter() {
            let scaled = v * f1;
            let r = round_even(scaled);
            hi.push(r);
            lo.push(round_even((scaled - r) * f2));
        }
        let hi = Array2::from_shape_vec(x.raw_dim(), hi).expect("same length");
        let lo = Array2::from_shape_vec(x.raw_dim(), lo).expect("same length");
        Split { hi, lo, s: Some(s) }
    }

    /// A view for products.
    pub(crate) fn view(&self) -> SplitView<'_> {
        SplitView {
            hi: self.hi.view(),
            lo: self.lo.view(),
            s: self.s,
        }
    }
}

impl<'a> SplitView<'a> {
    /// Number of columns.
    pub(crate) fn ncols(&self) -> usize {
        self.hi.ncols()
    }

    /// The transpose.
    pub(crate) fn t(self) -> SplitView<'a> {
        SplitView {
            hi: self.hi.reversed_axes(),
            lo: self.lo.reversed_axes(),
            s: self.s,
        }
    }
}

/// `a · b` from split factors, the same bits on every CPU.
pub(crate) fn exact_product(a: SplitView<'_>, b: SplitView<'_>) -> Array2<f64> {
    let (m, k) = a.hi.dim();
    let (k2, n) = b.hi.dim();
    assert_eq!(k, k2, "exact_product: inner dimensions differ");
    let mut out = Array2::zeros((m, n));
    let (Some(sa), Some(sb)) = (a.s, b.s) else {
        return out;
    };
    let f11 = pow2(-(sa + sb));
    let f_cross = pow2(-(sa + sb + SLICE_BITS));
    let mut start = 0;
    while start < k {
        let end = (start + BLOCK).min(k);
        let a1 = a.hi.slice_axis(Axis(1), Slice::from(start..end));
        let a2 = a.lo.slice_axis(Axis(1), Slice::from(start..end));
        let b1 = b.hi.slice_axis(Axis(0), Slice::from(start..end));
        let b2 = b.lo.slice_axis(Axis(0), Slice::from(start..end));
        let p11 = a1.dot(&b1);
        let p12 = a1.dot(&b2);
        let p21 = a2.dot(&b1);
        // products of `dot` are in standard layout, as is `out`
        let out_s = out.as_slice_mut().expect("standard layout");
        let (s11, s12, s21) = (standard(&p11), standard(&p12), standard(&p21));
        for (((o, &x11), &x12), &x21) in out_s.iter_mut().zip(s11).zip(s12).zip(s21) {
            *o += x11 * f11 + (x12 + x21) * f_cross;
        }
        start = end;
    }
    out
}

fn standard(a: &Array2<f64>) -> &[f64] {
    a.as_slice()
        .expect("matrix products are in standard layout")
}

/// Rows of a split matrix.
impl Split {
    /// The rows at `rows`.
    pub(crate) fn select_rows(&self, rows: &[usize]) -> Split {
        Split {
            hi: self.hi.select(Axis(0), rows),
            lo: self.lo.select(Axis(0), rows),
            s: self.s,
        }
    }
}

/// Rounds to the nearest integer, ties to even, for |x| < 2^51: adding and
/// subtracting 1.5 * 2^52 leaves no fraction bits (plain IEEE arithmetic, the
/// same everywhere, and cheaper than a call in unoptimized test builds).
fn round_even(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    (x + MAGIC) - MAGIC
}

/// 2^e exactly.
fn pow2(e: i32) -> f64 {
    libm::ldexp(1.0, e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn integer_products_are_exact() {
        let a = array![[1.0, 2.0], [3.0, 4.0]];
        let b = array![[5.0, 6.0], [7.0, 8.0]];
        assert_eq!(
            exact_matmul(a.view(), b.view()),
            array![[19.0, 22.0], [43.0, 50.0]]
        );
        let z = Array2::<f64>::zeros((2, 2));
        assert_eq!(
            exact_matmul(z.view(), b.view()),
            Array2::<f64>::zeros((2, 2))
        );
    }

    #[test]
    fn agrees_with_the_float_product_to_about_40_bits() {
        let a = Array2::from_shape_fn((7, 3000), |(i, j)| {
            (((i * 31 + j * 17) % 23) as f64 / 7.0 - 1.3) * 1e-3
        });
        let b = Array2::from_shape_fn((3000, 5), |(i, j)| {
            ((i * 13 + j * 5) % 19) as f64 / 3.0 - 2.9
        });
        let e = exact_matmul(a.view(), b.view());
        let f = a.dot(&b);
        let scale = 3000.0 * 1.9e-3 * 3.4;
        for (x, y) in e.iter().zip(f.iter()) {
            approx::assert_abs_diff_eq!(*x, *y, epsilon = scale * 1e-11);
        }
    }
}
