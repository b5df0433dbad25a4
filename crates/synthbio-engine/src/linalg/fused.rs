//! Products `a b + plus` of prediction (decoding `mu + W z`, encoding
//! `G x + offset`), the same bits on every CPU.
//!
//! Written by hand rather than taken from `ndarray`'s `dot`: matrixmultiply
//! chooses at run time between fused multiply-adds and separate multiplies and
//! adds, so the last bits of its products (and, rarely, a rounded count) would
//! depend on the CPU. Here every term is one fused multiply-add, in order from
//! +0 within passes of [`DEPTH`] terms whose sums are then added in order, then
//! `+ plus` and `+ offset`: the operations matrixmultiply's FMA kernel performs,
//! so the bits it gives where the CPU has FMA (today's outputs stand), now on
//! every CPU. The loop is compiled for the CPU's vector instructions by `pulp`'s
//! run-time dispatch; without FMA hardware, the multiply-adds are fused in
//! software.

use ndarray::{Array2, ArrayView2};

/// Vectors of columns computed side by side per row, two rows at a time: with
/// AVX2, 24 columns and twelve accumulators in registers (two multiply-adds
/// per loaded vector of `b`; fewer rows or columns left the loop overhead
/// larger than the product's).
const VECTORS: usize = 6;

/// Terms summed per pass (matrixmultiply's depth `kc` for `f64`).
const DEPTH: usize = 256;

/// `a b + plus` (each row of `a b` plus `plus`), as a new rows x columns array.
pub(crate) fn product(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>, plus: &[f64]) -> Array2<f64> {
    let mut out = vec![0.0; a.nrows() * plus.len()];
    product_into(a, b, plus, &[], &mut out);
    Array2::from_shape_vec((a.nrows(), plus.len()), out).expect("rows x columns")
}

/// Writes `(a_s b + plus) + offsets[s]` for every row `s` of `a` (rows x
/// depth) into row `s` of `out` (rows x columns, row-major), where `b` is
/// depth x columns; `offsets[s]`, where present, is added to row `s`.
///
/// # Panics
/// When the shapes disagree (a caller's bug, not a user's input).
pub(crate) fn product_into(
    a: ArrayView2<'_, f64>,
    b: ArrayView2<'_, f64>,
    plus: &[f64],
    offsets: &[Option<&[f64]>],
    out: &mut [f64],
) {
    let (rows, d, g) = (a.nrows(), a.ncols(), plus.len());
    assert_eq!(b.dim(), (d, g), "b is depth x columns");
    assert_eq!(out.len(), rows * g, "one output row per row of a");
    assert!(
        offsets.iter().flatten().all(|o| o.len() == g),
        "offsets span the columns"
    );
    if rows == 0 || g == 0 {
        return;
    }
    assert!(d > 0, "a product has terms");
    let a = a.as_standard_layout();
    let b = b.as_standard_layout();

    /// The loop as `pulp` runs it (a closure would not be inlined into it).
    struct Op<'a> {
        depth: usize,
        a: &'a [f64],
        b: &'a [f64],
        plus: &'a [f64],
        offsets: &'a [Option<&'a [f64]>],
        out: &'a mut [f64],
    }
    impl pulp::WithSimd for Op<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, simd: S) {
            let Op {
                depth,
                a,
                b,
                plus,
                offsets,
                out,
            } = self;
            product_simd(simd, depth, a, b, plus, offsets, out);
        }
    }
    pulp::Arch::new().dispatch(Op {
        depth: d,
        a: a.as_slice().expect("standard layout"),
        b: b.as_slice().expect("standard layout"),
        plus,
        offsets,
        out,
    });
}

/// [`product_into`] on contiguous slices, in `pulp`'s vectors. Column blocks
/// outermost: a block of `b`, copied into contiguous vectors, stays in cache
/// while every row of `a` passes over it. The last block may be narrower: its
/// missing columns are zeros, computed alongside and not stored.
#[inline(always)]
fn product_simd<S: pulp::Simd>(
    simd: S,
    d: usize,
    a: &[f64],
    b: &[f64],
    plus: &[f64],
    offsets: &[Option<&[f64]>],
    out: &mut [f64],
) {
    let g = plus.len();
    let block = VECTORS * S::F64_LANES;
    let offset = |s: usize| offsets.get(s).copied().flatten();
    let mut columns: Vec<[S::f64s; VECTORS]> = Vec::with_capacity(d);
    for j0 in (0..g).step_by(block) {
        let cols = j0..g.min(j0 + block);
        columns.clear();
        columns.extend(b.chunks_exact(g).map(|row| {
            let row = &row[cols.clone()];
            std::array::from_fn(|t| simd.partial_load_f64s(lanes::<S>(row, t)))
        }));
        let plus = &plus[cols.clone()];
        for (p, (rows, out)) in a.chunks(2 * d).zip(out.chunks_mut(2 * g)).enumerate() {
            let (first, second) = rows.split_at(d);
            // An odd last row has no partner: it is computed twice, once kept.
            let partner = !second.is_empty();
            let second = if partner { second } else { first };
            let (x, y) = pair(simd, first, second, &columns);
            let (ox, oy) = out.split_at_mut(g);
            let off = |s: usize| offset(s).map(|o| &o[cols.clone()]);
            finish(simd, &mut ox[cols.clone()], x, plus, off(2 * p));
            if partner {
                finish(simd, &mut oy[cols.clone()], y, plus, off(2 * p + 1));
            }
        }
    }
}

/// The values of vector `t` of a block (fewer, or none, past its end).
#[inline(always)]
fn lanes<S: pulp::Simd>(values: &[f64], t: usize) -> &[f64] {
    let start = (t * S::F64_LANES).min(values.len());
    &values[start..values.len().min(start + S::F64_LANES)]
}

/// `a b` for one block of columns of two rows: one fused multiply-add per
/// term, in order from +0 within each pass of [`DEPTH`] terms, the passes'
/// sums added in order.
#[inline(always)]
fn pair<S: pulp::Simd>(
    simd: S,
    first: &[f64],
    second: &[f64],
    columns: &[[S::f64s; VECTORS]],
) -> ([S::f64s; VECTORS], [S::f64s; VECTORS]) {
    let zero = simd.splat_f64s(0.0);
    let (mut sx, mut sy) = ([zero; VECTORS], [zero; VECTORS]);
    let passes = columns
        .chunks(DEPTH)
        .zip(first.chunks(DEPTH).zip(second.chunks(DEPTH)));
    for (pass, (columns, (xs, ys))) in passes.enumerate() {
        let (mut px, mut py) = ([zero; VECTORS], [zero; VECTORS]);
        for (w, (&x, &y)) in columns.iter().zip(xs.iter().zip(ys)) {
            let (x, y) = (simd.splat_f64s(x), simd.splat_f64s(y));
            for t in 0..VECTORS {
                px[t] = simd.mul_add_f64s(x, w[t], px[t]);
                py[t] = simd.mul_add_f64s(y, w[t], py[t]);
            }
        }
        if pass == 0 {
            (sx, sy) = (px, py);
        } else {
            for t in 0..VECTORS {
                sx[t] = simd.add_f64s(sx[t], px[t]);
                sy[t] = simd.add_f64s(sy[t], py[t]);
            }
        }
    }
    (sx, sy)
}

/// `out = (product + plus) + offset` for one block of columns (`out`, `plus`
/// and `offset` hold the block's columns).
#[inline(always)]
fn finish<S: pulp::Simd>(
    simd: S,
    out: &mut [f64],
    product: [S::f64s; VECTORS],
    plus: &[f64],
    offset: Option<&[f64]>,
) {
    if out.len() == VECTORS * S::F64_LANES {
        let (out, _) = S::as_mut_simd_f64s(out);
        let (plus, _) = S::as_simd_f64s(plus);
        for ((o, p), &q) in out.iter_mut().zip(product).zip(plus) {
            *o = simd.add_f64s(p, q);
        }
        if let Some(off) = offset {
            let (off, _) = S::as_simd_f64s(off);
            for (o, &v) in out.iter_mut().zip(off) {
                *o = simd.add_f64s(*o, v);
            }
        }
        return;
    }
    // The narrower last block, one partial vector at a time.
    for (t, p) in product.into_iter().enumerate() {
        let mut v = simd.add_f64s(p, simd.partial_load_f64s(lanes::<S>(plus, t)));
        if let Some(off) = offset {
            v = simd.add_f64s(v, simd.partial_load_f64s(lanes::<S>(off, t)));
        }
        let start = (t * S::F64_LANES).min(out.len());
        let end = out.len().min(start + S::F64_LANES);
        simd.partial_store_f64s(&mut out[start..end], v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values of both signs and varied magnitudes.
    fn values(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
        let mut state = seed | 1;
        Array2::from_shape_simple_fn((rows, cols), || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 8.0
        })
    }

    /// The definition, one term at a time.
    fn reference(
        a: &Array2<f64>,
        b: &Array2<f64>,
        plus: &[f64],
        off: &[Option<&[f64]>],
    ) -> Vec<f64> {
        let mut out = Vec::new();
        for (s, row) in a.rows().into_iter().enumerate() {
            for (j, &p) in plus.iter().enumerate() {
                let mut sum = 0.0;
                for pass in 0..row.len().div_ceil(DEPTH) {
                    let mut acc = 0.0;
                    for k in pass * DEPTH..row.len().min((pass + 1) * DEPTH) {
                        acc = row[k].mul_add(b[[k, j]], acc);
                    }
                    sum = if pass == 0 { acc } else { sum + acc };
                }
                let v = sum + p;
                out.push(match off.get(s).copied().flatten() {
                    Some(o) => v + o[j],
                    None => v,
                });
            }
        }
        out
    }

    #[test]
    fn every_term_fused_in_order() {
        // Odd rows, columns past the last full block, several passes (one
        // partial), and a partial list of offsets.
        let shapes = [
            (7, 5, 37),
            (8, 24, 16),
            (1, 3, 15),
            (5, 1, 50),
            (3, 4, 48),
            (3, 600, 29),
        ];
        for (rows, d, g) in shapes {
            let a = values(rows, d, 1 + g as u64);
            let b = values(d, g, 2 + rows as u64);
            let plus: Vec<f64> = values(1, g, 3).into_iter().collect();
            let off: Vec<f64> = values(1, g, 4).into_iter().collect();
            let offsets = [None, Some(off.as_slice()), None, Some(off.as_slice())];
            let mut out = vec![f64::NAN; rows * g];
            product_into(a.view(), b.view(), &plus, &offsets, &mut out);
            let want = reference(&a, &b, &plus, &offsets);
            assert_eq!(out.len(), want.len());
            for (i, (o, w)) in out.iter().zip(&want).enumerate() {
                assert_eq!(o.to_bits(), w.to_bits(), "{rows}x{d}x{g}, value {i}");
            }
        }
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_bits_of_matrixmultiply_with_fma() {
        // Where matrixmultiply runs its FMA kernel (every x86 CPU since 2013),
        // `dot` must give the same bits: the pinned digests were made with it.
        // Decoding's shape (24 terms), then encoding's (thousands of terms,
        // transposed, fewer columns than a block).
        assert!(std::is_x86_feature_detected!("fma"), "this check needs FMA");
        let (z, wt) = (values(130, 24, 5), values(24, 1_001, 6));
        let (x, gain) = (values(9, 1_001, 7), values(20, 1_001, 8));
        for (a, b) in [(z.view(), wt.view()), (x.view(), gain.t())] {
            let out = product(a, b, &vec![0.0; b.ncols()]);
            let dot = a.dot(&b);
            assert_eq!(dot.dim(), out.dim());
            for (o, p) in out.iter().zip(dot.iter()) {
                assert_eq!(o.to_bits(), (p + 0.0).to_bits());
            }
        }
    }
}
