//! The decoding product `mu + W z` of latent rows, the same bits on every CPU.
//!
//! Written by hand rather than taken from `ndarray`'s `dot`: matrixmultiply
//! chooses at run time between fused multiply-adds and separate multiplies and
//! adds, so the last bits of its products (and, rarely, a rounded count) would
//! depend on the CPU. Here every term is one fused multiply-add, the latent
//! dimensions in order from +0, then `+ mu` and `+ offset`: the bits
//! matrixmultiply gives where the CPU has FMA, so today's outputs stand. The
//! loop is compiled for the CPU's vector instructions by `pulp`'s run-time
//! dispatch; without FMA hardware, the multiply-adds are fused in software.

use ndarray::ArrayView2;

/// Vectors of genes decoded side by side per row, two rows at a time: with
/// AVX2, 24 genes and twelve accumulators in registers (two multiply-adds per
/// loaded vector of loadings; fewer rows or genes left the loop overhead
/// larger than the product's).
const VECTORS: usize = 6;

/// Writes `(mu + W z_s) + offset_s` for every row `s` of `z` (rows x latent)
/// into row `s` of `out` (rows x genes, row-major). `wt` is `W` transposed
/// (latent x genes, standard layout); `offsets[s]`, where present, is added to
/// row `s`.
///
/// # Panics
/// When the shapes disagree (a caller's bug, not a user's input).
pub(crate) fn decode_into(
    z: ArrayView2<'_, f64>,
    wt: ArrayView2<'_, f64>,
    mu: &[f64],
    offsets: &[Option<&[f64]>],
    out: &mut [f64],
) {
    let (rows, d, g) = (z.nrows(), z.ncols(), mu.len());
    assert_eq!(wt.dim(), (d, g), "loadings are latent x genes");
    assert_eq!(out.len(), rows * g, "one output row per latent row");
    assert!(
        offsets.iter().flatten().all(|o| o.len() == g),
        "offsets span the genes"
    );
    if rows == 0 || g == 0 {
        return;
    }
    assert!(d > 0, "a model has latent dimensions");
    let z = z.as_standard_layout();
    let wt = wt.as_standard_layout();
    let z = z.as_slice().expect("standard layout");
    let wt = wt.as_slice().expect("standard layout");

    /// The loop as `pulp` runs it (a closure would not be inlined into it).
    struct Op<'a> {
        shape: (usize, usize),
        z: &'a [f64],
        wt: &'a [f64],
        mu: &'a [f64],
        offsets: &'a [Option<&'a [f64]>],
        out: &'a mut [f64],
    }
    impl pulp::WithSimd for Op<'_> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, simd: S) {
            decode_simd(
                simd,
                self.shape,
                self.z,
                self.wt,
                self.mu,
                self.offsets,
                self.out,
            );
        }
    }
    pulp::Arch::new().dispatch(Op {
        shape: (d, g),
        z,
        wt,
        mu,
        offsets,
        out,
    });
}

/// [`decode_into`] on contiguous slices, in `pulp`'s vectors. Gene blocks
/// outermost: a block's loadings, copied into contiguous vectors, stay in the
/// first-level cache while every row passes over them.
#[inline(always)]
fn decode_simd<S: pulp::Simd>(
    simd: S,
    (d, g): (usize, usize),
    z: &[f64],
    wt: &[f64],
    mu: &[f64],
    offsets: &[Option<&[f64]>],
    out: &mut [f64],
) {
    let block = VECTORS * S::F64_LANES;
    let offset = |s: usize| offsets.get(s).copied().flatten();
    let full = g - g % block;
    let mut loadings: Vec<[S::f64s; VECTORS]> = Vec::with_capacity(d);
    for j0 in (0..full).step_by(block) {
        loadings.clear();
        loadings.extend(wt.chunks_exact(g).map(|row| {
            let (w, _) = S::as_simd_f64s(&row[j0..][..block]);
            std::array::from_fn(|t| w[t])
        }));
        for (p, (zp, op)) in z.chunks(2 * d).zip(out.chunks_mut(2 * g)).enumerate() {
            let (za, zb) = zp.split_at(d);
            // An odd last row has no partner: it is decoded twice, once kept.
            let partner = !zb.is_empty();
            let (a, b) = pair(simd, za, if partner { zb } else { za }, &loadings);
            let (oa, ob) = op.split_at_mut(g);
            finish(simd, &mut oa[j0..][..block], a, mu, offset(2 * p), j0);
            if partner {
                finish(simd, &mut ob[j0..][..block], b, mu, offset(2 * p + 1), j0);
            }
        }
    }
    for (s, (zs, out)) in z.chunks_exact(d).zip(out.chunks_exact_mut(g)).enumerate() {
        for j in full..g {
            let mut acc = 0.0;
            for (k, &x) in zs.iter().enumerate() {
                acc = x.mul_add(wt[k * g + j], acc);
            }
            out[j] = acc + mu[j];
            if let Some(off) = offset(s) {
                out[j] += off[j];
            }
        }
    }
}

/// `W z` for one block of genes of two rows: one fused multiply-add per term,
/// latent dimensions in order, from +0.
#[inline(always)]
fn pair<S: pulp::Simd>(
    simd: S,
    za: &[f64],
    zb: &[f64],
    loadings: &[[S::f64s; VECTORS]],
) -> ([S::f64s; VECTORS], [S::f64s; VECTORS]) {
    let zero = simd.splat_f64s(0.0);
    let (mut a, mut b) = ([zero; VECTORS], [zero; VECTORS]);
    for (w, (&x, &y)) in loadings.iter().zip(za.iter().zip(zb)) {
        let (x, y) = (simd.splat_f64s(x), simd.splat_f64s(y));
        for t in 0..VECTORS {
            a[t] = simd.mul_add_f64s(x, w[t], a[t]);
            b[t] = simd.mul_add_f64s(y, w[t], b[t]);
        }
    }
    (a, b)
}

/// `out = (product + mu) + offset` for one block of genes from `j0`.
#[inline(always)]
fn finish<S: pulp::Simd>(
    simd: S,
    out: &mut [f64],
    product: [S::f64s; VECTORS],
    mu: &[f64],
    offset: Option<&[f64]>,
    j0: usize,
) {
    let (out, _) = S::as_mut_simd_f64s(out);
    let (mu, _) = S::as_simd_f64s(&mu[j0..][..out.len() * S::F64_LANES]);
    for ((o, p), &m) in out.iter_mut().zip(product).zip(mu) {
        *o = simd.add_f64s(p, m);
    }
    if let Some(off) = offset {
        let (off, _) = S::as_simd_f64s(&off[j0..][..out.len() * S::F64_LANES]);
        for (o, &v) in out.iter_mut().zip(off) {
            *o = simd.add_f64s(*o, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

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
        z: &Array2<f64>,
        wt: &Array2<f64>,
        mu: &[f64],
        off: &[Option<&[f64]>],
    ) -> Vec<f64> {
        let mut out = Vec::new();
        for (s, zs) in z.rows().into_iter().enumerate() {
            for (j, &m) in mu.iter().enumerate() {
                let mut acc = 0.0;
                for (k, &x) in zs.iter().enumerate() {
                    acc = x.mul_add(wt[[k, j]], acc);
                }
                let v = acc + m;
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
        // Odd rows, genes past the last full block, and a partial list of offsets.
        for (rows, d, g) in [(7, 5, 37), (8, 24, 16), (1, 3, 15), (5, 1, 50), (3, 4, 48)] {
            let z = values(rows, d, 1 + g as u64);
            let wt = values(d, g, 2 + rows as u64);
            let mu: Vec<f64> = values(1, g, 3).into_iter().collect();
            let off: Vec<f64> = values(1, g, 4).into_iter().collect();
            let offsets = [None, Some(off.as_slice()), None, Some(off.as_slice())];
            let mut out = vec![f64::NAN; rows * g];
            decode_into(z.view(), wt.view(), &mu, &offsets, &mut out);
            let want = reference(&z, &wt, &mu, &offsets);
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
        assert!(std::is_x86_feature_detected!("fma"), "this check needs FMA");
        let (z, wt) = (values(130, 24, 5), values(24, 1_001, 6));
        let mu = vec![0.0; 1_001];
        let mut out = vec![0.0; 130 * 1_001];
        decode_into(z.view(), wt.view(), &mu, &[], &mut out);
        let dot = z.dot(&wt);
        assert_eq!(dot.len(), out.len());
        for (o, p) in out.iter().zip(dot.iter()) {
            assert_eq!(o.to_bits(), (p + 0.0).to_bits());
        }
    }
}
