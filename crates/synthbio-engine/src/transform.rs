//! The expression scale of the models and the way back to counts.
//!
//! A model works on `y = log2(count / library_size * scale + 1)` per gene:
//! `scale` is 1,000,000 for bulk (log2(CPM + 1), the scale of reported log
//! fold changes) and 10,000 for single cell (log2(CP10k + 1): at ~2,000 UMIs
//! per cell one UMI is ~500 CPM, so log2(CPM + 1) would make the model chase
//! sampling zeros; 10,000 is also the single-cell default library size).
//! Logarithms and powers are `libm`'s (powers through [`crate::pow2`], its
//! inlinable copy), whose results are the same bits on every platform.

/// `log2(count / library_size * scale + 1)`.
pub(crate) fn log_expr(count: f64, library_size: f64, scale: f64) -> f64 {
    libm::log2(count / library_size * scale + 1.0)
}

/// The share of a typical sample's reads that falls on the genes flagged in
/// `measured`, from the model's mean log expression `mu` (scale `2^mu - 1`). A
/// sample that measured only those genes has library size `measured total / share`
/// on the model's scale, so its measured genes are not inflated as if they held
/// every read (training corrects reduced panels the same way, from the data).
pub(crate) fn measured_share(mu: &[f64], measured: &[bool]) -> f64 {
    let (mut inside, mut all) = (0.0, 0.0);
    for (&m, &on) in mu.iter().zip(measured) {
        let a = abundance(m);
        all += a;
        if on {
            inside += a;
        }
    }
    if all > 0.0 {
        inside / all
    } else {
        0.0
    }
}

/// The relative abundance a log value stands for, `max(2^y - 1, 0)` (on the
/// model's scale; normalize to proportions before use).
pub(crate) fn abundance(y: f64) -> f64 {
    (crate::pow2::exp2(y) - 1.0).max(0.0)
}

/// [`abundance`] of every log value of `values`, in place, and their sum in
/// index order (as `Iterator::sum` adds, from -0.0). The powers are taken four
/// at a time, side by side; the additions follow them one by one. Compiled for
/// the CPU's vector instructions, chosen at run time by `pulp` (AVX2 where
/// present): the same operations in the same order, so the same bits.
pub(crate) fn abundances(values: &mut [f64]) -> f64 {
    /// The loop as `pulp` runs it (a closure would not be inlined into it).
    struct Op<'a>(&'a mut [f64]);
    impl pulp::WithSimd for Op<'_> {
        type Output = f64;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) -> f64 {
            abundances_inlined(self.0)
        }
    }
    pulp::Arch::new().dispatch(Op(values))
}

/// [`abundances`], compiled into each of `pulp`'s instruction sets.
#[inline(always)]
fn abundances_inlined(values: &mut [f64]) -> f64 {
    let mut sum = -0.0;
    let mut quads = values.chunks_exact_mut(4);
    for quad in &mut quads {
        let powers = crate::pow2::exp2_4([quad[0], quad[1], quad[2], quad[3]]);
        for (v, p) in quad.iter_mut().zip(powers) {
            *v = (p - 1.0).max(0.0);
            sum += *v;
        }
    }
    for v in quads.into_remainder() {
        *v = abundance(*v);
        sum += *v;
    }
    sum
}

/// [`Rounding::expected_counts`] with fresh scratch space.
#[cfg(test)]
pub(crate) fn expected_counts(weights: &[f64], total: u64, out: &mut [u32]) {
    let sum = weights.iter().sum();
    Rounding::default().expected_counts(weights, sum, total, out);
}

/// Scratch space of the largest-remainder rounding, reused from sample to sample.
#[derive(Debug, Default)]
pub(crate) struct Rounding {
    /// Fractional parts of the exact counts.
    fractions: Vec<f64>,
    /// `(fraction, gene)` pairs listed by [`pick_near_half`].
    window: Vec<(f64, usize)>,
    /// Bins of [`pick`], one per gene.
    ranks: Vec<u16>,
    /// Doublings of [`pick_near_half`]'s window, one per sample it held too
    /// few for (single-cell fractions crowd near 0, thinning the window).
    widen: i32,
}

/// Most doublings of the window (beyond them it spans a whole side anyway).
const MAX_WIDEN: i32 = 6;

impl Rounding {
    /// Expected counts at library size `total`: `proportions * total`, rounded
    /// by the largest-remainder method so that they sum to `total` exactly
    /// (plain rounding would drop most of a 10,000-count single-cell library,
    /// whose genes mostly expect less than half a count). Ties go to the lower
    /// gene index. `weights` are non-negative relative abundances and `sum`
    /// their sum in index order; all zero gives all zero.
    ///
    /// Computed as plain rounding followed by a correction of the few counts
    /// by which it misses `total`, which gives the largest-remainder result
    /// (the rounded-up genes are exactly those with the largest fractional
    /// parts) without sorting every gene. Compiled for the CPU's vector
    /// instructions as [`abundances`] is.
    pub(crate) fn expected_counts(
        &mut self,
        weights: &[f64],
        sum: f64,
        total: u64,
        out: &mut [u32],
    ) {
        /// The loop as `pulp` runs it (a closure would not be inlined into it).
        struct Op<'a>(&'a mut Rounding, &'a [f64], f64, u64, &'a mut [u32]);
        impl pulp::WithSimd for Op<'_> {
            type Output = ();
            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, _: S) {
                let Op(rounding, weights, sum, total, out) = self;
                rounding.expected_counts_inlined(weights, sum, total, out);
            }
        }
        pulp::Arch::new().dispatch(Op(self, weights, sum, total, out));
    }

    /// [`Rounding::expected_counts`], compiled into each of `pulp`'s instruction sets.
    #[inline(always)]
    fn expected_counts_inlined(&mut self, weights: &[f64], sum: f64, total: u64, out: &mut [u32]) {
        debug_assert_eq!(weights.len(), out.len());
        if sum.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || total == 0 {
            out.iter_mut().for_each(|o| *o = 0);
            return;
        }
        let factor = total as f64 / sum;
        let cap = f64::from(u32::MAX - 1);
        let fractions = &mut self.fractions;
        // Every fraction is written below: no need to clear the last sample's
        // (clearing wrote the whole buffer once more per sample).
        fractions.resize(weights.len(), 0.0);
        let mut assigned: u64 = 0;
        for ((&w, o), fr) in weights.iter().zip(out.iter_mut()).zip(fractions.iter_mut()) {
            let (floor, fraction) = floor_and_fraction((w * factor).min(cap));
            *fr = fraction;
            *o = floor + u32::from(fraction >= 0.5);
            assigned += u64::from(*o);
        }
        if assigned == total {
            return;
        }
        let fractions = &self.fractions[..];
        let (largest, k) = if assigned < total {
            // give one more to the genes rounded down with the largest fractions
            (true, (total - assigned) as usize)
        } else {
            // take one back from the genes rounded up with the smallest fractions
            (false, (assigned - total) as usize)
        };
        let scale = f64::from(1u32 << self.widen);
        let near_half = pick_near_half(fractions, k, largest, scale, &mut self.window);
        if near_half.is_none() {
            self.widen = (self.widen + 1).min(MAX_WIDEN);
        }
        let chosen = match near_half {
            Some(chosen) => chosen,
            None => pick(fractions, weights, k, largest, &mut self.ranks),
        };
        for j in chosen {
            if largest {
                out[j] += 1;
            } else {
                out[j] -= 1;
            }
        }
    }
}

/// `(floor, exact - floor)` of an `exact` in [0, 2^32): the floor is the low
/// word of `exact + 2^52` (which rounds to the nearest integer), less one where
/// that rounded up. The values a cast gives, in operations the compiler runs
/// side by side (Rust's saturating cast to `u32` is seven instructions per
/// value, none of them vectorized).
#[inline(always)]
fn floor_and_fraction(exact: f64) -> (u32, f64) {
    const SHIFT: f64 = 4_503_599_627_370_496.0; // 2^52
    let shifted = exact + SHIFT;
    let nearest = shifted - SHIFT;
    let up = nearest > exact;
    let floor = if up { nearest - 1.0 } else { nearest };
    let low = shifted.to_bits() as u32;
    (low.wrapping_sub(u32::from(up)), exact - floor)
}

/// Bins of the selection in [`pick`].
const BINS: usize = 1024;

/// The `k` eligible genes with the largest fractions (ties: lower index
/// first) or, with `largest` false, the smallest (ties: higher index first),
/// in no particular order. Eligible: rounded down with weight (fraction below
/// 0.5) when `largest`, else rounded up (fraction 0.5 or more). A bucket
/// selection: one pass ranks every gene into a bin and counts the bins, a
/// second lists the genes before the bin where the k-th falls and that bin's,
/// from which the rest is selected. Written by hand because this is the hot
/// loop of mean estimation and a general sort or selection over all genes
/// costs several times more. Neither pass branches on a gene (which bin, and
/// whether eligible, vary from gene to gene and would mispredict): the counts
/// take a flag, the lists a write to the next free slot that moves on only
/// for a gene it keeps.
fn pick(
    fractions: &[f64],
    weights: &[f64],
    k: usize,
    largest: bool,
    ranks: &mut Vec<u16>,
) -> Vec<usize> {
    if k == 0 {
        return Vec::new();
    }
    // Rank 0 is picked first; an ineligible gene ranks past every bin.
    const NONE: usize = BINS + 1;
    let rank = |f: f64, w: f64| -> usize {
        let x = if f < 0.5 { f * 2.0 } else { (f - 0.5) * 2.0 };
        let bin = ((x * BINS as f64) as usize).min(BINS - 1);
        let (eligible, r) = if largest {
            ((f < 0.5) & (w > 0.0), BINS - 1 - bin)
        } else {
            (f >= 0.5, bin)
        };
        if eligible {
            r
        } else {
            NONE
        }
    };
    // Two tallies (even and odd genes), so that runs of genes in one bin do
    // not wait on each other's increments.
    let mut count = [[0u32; NONE + 1]; 2];
    ranks.clear();
    for (j, (&f, &w)) in fractions.iter().zip(weights).enumerate() {
        let r = rank(f, w);
        count[j & 1][r] += 1;
        ranks.push(r as u16);
    }
    let (mut below, mut cut) = (0, BINS);
    for (r, (&even, &odd)) in count[0].iter().zip(&count[1]).take(BINS).enumerate() {
        let c = (even + odd) as usize;
        if below + c >= k {
            cut = r;
            break;
        }
        below += c;
    }
    let at_cut = if cut < BINS {
        (count[0][cut] + count[1][cut]) as usize
    } else {
        0
    };
    // One slot more than each list keeps, for the last write.
    let mut chosen = vec![0; below + 1];
    let mut boundary = vec![(0.0, 0); at_cut + 1];
    let (mut nc, mut nb) = (0, 0);
    for (j, (&r, &f)) in ranks.iter().zip(fractions).enumerate() {
        let r = usize::from(r);
        chosen[nc] = j;
        nc += usize::from(r < cut);
        boundary[nb] = (f, j);
        nb += usize::from(r == cut);
    }
    chosen.truncate(nc);
    chosen.extend(first_in_order(&mut boundary[..nb], k - nc, largest));
    chosen
}

/// The genes of the first `k` pairs of `pairs` in [`pick_order`], in no
/// particular order. A selection, not a sort: the order is total (genes
/// differ), so the set is the one a sort would put first, found in linear time.
fn first_in_order(
    pairs: &mut [(f64, usize)],
    k: usize,
    largest: bool,
) -> impl Iterator<Item = usize> + '_ {
    if k > 0 && k < pairs.len() {
        pairs.select_nth_unstable_by(k - 1, |a, b| pick_order(largest, a, b));
    }
    pairs.iter().take(k).map(|&(_, j)| j)
}

/// The fast path of [`pick`]: the genes to correct have fractions just below
/// 0.5 (rounded down) or just above (rounded up), and rounding misses the
/// total by only about the square root of the number of genes. One pass lists
/// the genes whose fractions fall in a window next to 0.5 wide enough to hold
/// several times `k` of them when fractions spread evenly (`scale` times wider
/// where they do not); if it holds at least `k`, every eligible fraction
/// outside comes later in the order than every one inside, so the first `k`
/// of the window are the answer. `None` (too few in the window, as in a sparse
/// single-cell library) sends the caller to [`pick`].
///
/// The window leaves out fraction 0, which needs no look at the weights: a
/// gene without weight has fraction 0, and a gene with weight and fraction 0
/// comes after every other one rounded down, so leaving it out can only send
/// the caller to [`pick`].
///
/// The pass compares 64 genes side by side into the bits of a mask and lists
/// the genes of its set bits: it branches per 64 genes and per gene listed, not
/// per gene (on `fraction >= lo`, true for about half the genes, a branch
/// mispredicts too often).
#[inline(always)]
fn pick_near_half(
    fractions: &[f64],
    k: usize,
    largest: bool,
    scale: f64,
    listed: &mut Vec<(f64, usize)>,
) -> Option<Vec<usize>> {
    if k == 0 {
        return Some(Vec::new());
    }
    let width = (scale * 4.0 * (k + 16) as f64 / fractions.len() as f64).min(0.5);
    let (lo, hi) = if largest {
        ((0.5 - width).max(f64::from_bits(1)), 0.5)
    } else {
        (0.5, 0.5 + width)
    };
    listed.clear();
    for (block, chunk) in fractions.chunks(64).enumerate() {
        let mut inside = 0u64;
        for (i, &f) in chunk.iter().enumerate() {
            inside |= u64::from((f >= lo) & (f < hi)) << i;
        }
        while inside != 0 {
            let i = inside.trailing_zeros() as usize;
            listed.push((chunk[i], block * 64 + i));
            inside &= inside - 1;
        }
    }
    if listed.len() < k {
        return None;
    }
    Some(first_in_order(listed, k, largest).collect())
}

/// The order in which [`pick`] takes `(fraction, gene)` pairs: largest
/// fraction first, ties to the lower gene; with `largest` false (taking back)
/// the reverse of that order.
fn pick_order(largest: bool, a: &(f64, usize), b: &(f64, usize)) -> std::cmp::Ordering {
    if largest {
        b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
    } else {
        a.0.total_cmp(&b.0).then(b.1.cmp(&a.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_and_back() {
        // 5 of 1,000,000 reads: CPM 5, log2(6).
        assert_eq!(log_expr(5.0, 1e6, 1e6), 6f64.log2());
        approx::assert_abs_diff_eq!(abundance(log_expr(5.0, 1e6, 1e6)), 5.0, epsilon = 1e-12);
        assert_eq!(abundance(-0.5), 0.0);
    }

    #[test]
    fn the_measured_share_weighs_genes_by_typical_abundance() {
        // abundances 2^mu - 1: 1, 3, 0 -> the first gene holds 1/4 of the reads
        let mu = [1.0, 2.0, 0.0];
        assert_eq!(measured_share(&mu, &[true, false, true]), 0.25);
        assert_eq!(measured_share(&mu, &[true, true, true]), 1.0);
        assert_eq!(measured_share(&mu, &[false, false, true]), 0.0);
    }

    #[test]
    fn largest_remainder_sums_exactly() {
        // Hand-computed: weights 1:1:1 at total 10 -> 3.33 each, one extra to the first.
        let mut out = [0u32; 3];
        expected_counts(&[1.0, 1.0, 1.0], 10, &mut out);
        assert_eq!(out, [4, 3, 3]);
        // 0.6, 0.3, 0.1 of 7 -> 4.2, 2.1, 0.7: the 0.7 remainder wins.
        expected_counts(&[0.6, 0.3, 0.1], 7, &mut out);
        assert_eq!(out, [4, 2, 1]);
        let w: Vec<f64> = (0..1000).map(|i| 1.0 + (i % 7) as f64).collect();
        let mut big = vec![0u32; 1000];
        expected_counts(&w, 10_000, &mut big);
        assert_eq!(big.iter().map(|&c| u64::from(c)).sum::<u64>(), 10_000);
        expected_counts(&[0.0, 0.0, 0.0], 10, &mut out);
        assert_eq!(out, [0, 0, 0]);
        // rounding overshoots: 0.55, 0.55, 0.9 of 2 -> 0.55, 0.55, 0.9: floors 0,
        // the two largest fractions (0.9, then 0.55 at the lower index) win
        expected_counts(&[0.55, 0.55, 0.9], 2, &mut out);
        assert_eq!(out, [1, 0, 1]);
        // against a brute-force largest-remainder reference
        for total in [1u64, 7, 100, 1000, 12345] {
            let w: Vec<f64> = (0..200)
                .map(|i| ((i * 37 % 101) as f64).powi(2) / 7.0)
                .collect();
            let mut fast = vec![0u32; 200];
            expected_counts(&w, total, &mut fast);
            let sum: f64 = w.iter().sum();
            let exact: Vec<f64> = w.iter().map(|x| x * total as f64 / sum).collect();
            let mut slow: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
            let missing = total - slow.iter().map(|&c| u64::from(c)).sum::<u64>();
            let mut order: Vec<usize> = (0..200).collect();
            order.sort_by(|&a, &b| {
                (exact[b] - exact[b].floor())
                    .total_cmp(&(exact[a] - exact[a].floor()))
                    .then(a.cmp(&b))
            });
            for &j in &order[..missing as usize] {
                slow[j] += 1;
            }
            assert_eq!(fast, slow, "total {total}");
        }
    }

    #[test]
    fn a_rounding_reused_across_samples_gives_what_a_fresh_one_gives() {
        // Samples one after another through the same scratch space (as each
        // chunk of mean estimation does): it is never cleared, and its window
        // widens after samples it held too few for.
        let bulk = |h: usize, _: usize| ((h % 10_007) as f64 / 1_000.0).exp2() - 1.0;
        // Single-cell-like: most genes expect a few hundredths of a count, so
        // few fractions lie near one half.
        let sparse = |h: usize, i: usize| {
            if i % 9 == 0 {
                20.0 + (h % 10_007) as f64 / 10.0
            } else {
                1.0 + (h % 100) as f64 / 1_000.0
            }
        };
        type Weight<'a> = &'a dyn Fn(usize, usize) -> f64;
        let cases: [(usize, u64, Weight); 2] =
            [(19_393, 5_000_000, &bulk), (12_311, 10_000, &sparse)];
        for (n, total, weight) in cases {
            let mut reused = Rounding::default();
            let (mut fresh_out, mut reused_out) = (vec![0u32; n], vec![0u32; n]);
            for s in 0..40 {
                let w: Vec<f64> = (0..n).map(|i| weight(i * 7_919 + s * 104_729, i)).collect();
                let total = total + s as u64 * 1_237;
                let sum = w.iter().sum();
                expected_counts(&w, total, &mut fresh_out);
                reused.expected_counts(&w, sum, total, &mut reused_out);
                assert_eq!(reused_out, fresh_out, "{n} genes, sample {s}");
            }
            if n == 12_311 {
                assert!(
                    reused.widen > 0,
                    "the single-cell-like window never widened"
                );
            }
        }
    }

    #[test]
    fn the_window_near_one_half_picks_as_the_full_selection_does() {
        // Bulk-like weights (44,592 genes, 10 million counts), log-normal-ish spread.
        let n = 44_592;
        let w: Vec<f64> = (0..n)
            .map(|i| ((i * 7_919 % 10_007) as f64 / 1_000.0).exp2())
            .collect();
        let factor = 1e7 / w.iter().sum::<f64>();
        let fractions: Vec<f64> = w.iter().map(|x| (x * factor).fract()).collect();
        let mut window = Vec::new();
        for (k, largest) in [(1, true), (61, true), (300, false), (2_000, true)] {
            let eligible = |j: usize| (fractions[j] < 0.5) == largest && w[j] > 0.0;
            let fast = pick_near_half(&fractions, k, largest, 1.0, &mut window).expect("holds k");
            let mut order: Vec<usize> = (0..n).filter(|&j| eligible(j)).collect();
            order.sort_by(|&a, &b| {
                if largest {
                    fractions[b].total_cmp(&fractions[a]).then(a.cmp(&b))
                } else {
                    fractions[a].total_cmp(&fractions[b]).then(b.cmp(&a))
                }
            });
            // the same genes, each selection listing them in its own order
            let mut first = order[..k].to_vec();
            first.sort_unstable();
            let mut fast = fast;
            fast.sort_unstable();
            assert_eq!(fast, first, "k {k}");
            let mut full = pick(&fractions, &w, k, largest, &mut Vec::new());
            full.sort_unstable();
            assert_eq!(full, fast);
        }
        // Genes without weight (fraction 0) and with whole counts (weight, and
        // fraction 0) in a window as wide as a side: only the full selection
        // may give one more to a gene with a whole count.
        let w: Vec<f64> = (0..2_000)
            .map(|i| match i % 5 {
                0 => 0.0,
                1 => 2.0,
                _ => (i % 97) as f64 / 200.0 + 0.5 * f64::from(i % 2 == 0),
            })
            .collect();
        let fractions: Vec<f64> = w.iter().map(|x| x.fract()).collect();
        let inside = fractions.iter().filter(|&&f| f > 0.0 && f < 0.5).count();
        for k in [1, inside / 2, inside, inside + 1, inside + 300] {
            let mut full = pick(&fractions, &w, k, true, &mut Vec::new());
            full.sort_unstable();
            match pick_near_half(&fractions, k, true, 1e9, &mut window) {
                Some(mut fast) => {
                    assert!(k <= inside, "k {k}: the window held {inside}");
                    fast.sort_unstable();
                    assert_eq!(fast, full, "k {k}");
                }
                None => assert!(k > inside, "k {k}: the window held {inside}"),
            }
            assert!(
                full.iter().all(|&j| w[j] > 0.0),
                "k {k}: a gene without weight"
            );
        }
        // A window that cannot hold k falls back to the full selection.
        let sparse = vec![0.1; 1_000];
        let ones = vec![1.0; 1_000];
        assert_eq!(pick_near_half(&sparse, 10, true, 1.0, &mut window), None);
        let mut ties = pick(&sparse, &ones, 3, true, &mut Vec::new());
        ties.sort_unstable();
        assert_eq!(ties, vec![0, 1, 2]);
    }
}
