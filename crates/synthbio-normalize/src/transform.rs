//! The per-element transforms, applied in place in the matrix's memory order.

use crate::library::gene_major;
use crate::values::{CountValue, Real};
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis, Slice};
use rayon::prelude::*;

/// Genes per parallel task when walking a column-major matrix.
const COLUMN_CHUNK: usize = 256;

/// Which formula, with per-sample constants `a`, `b` and the value a zero count maps to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kernel {
    /// `x * a`.
    Scale,
    /// `log2(x + a) + b`.
    LogPrior,
    /// `log2(1 + x * a)`.
    Log2OnePlus,
    /// `ln(1 + x * a)`.
    LnOnePlus,
}

/// Per-sample constants of a [`Kernel`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SampleConsts<F> {
    pub a: F,
    pub b: F,
    /// The result for a zero count (computed once, in f64).
    pub zero: F,
}

#[inline(always)]
pub(crate) fn apply<F: Real>(kernel: Kernel, x: F, c: &SampleConsts<F>, log2_e: F) -> F {
    if x == F::zero() {
        return c.zero;
    }
    match kernel {
        Kernel::Scale => x * c.a,
        Kernel::LogPrior => (x + c.a).log2() + c.b,
        Kernel::Log2OnePlus => (x * c.a).ln_1p() * log2_e,
        Kernel::LnOnePlus => (x * c.a).ln_1p(),
    }
}

/// Transforms `values` (samples x genes) in place, in parallel, in memory order.
pub(crate) fn apply_in_place<F: Real>(
    mut values: ArrayViewMut2<'_, F>,
    kernel: Kernel,
    consts: &[SampleConsts<F>],
) {
    let log2_e = F::from_f64(std::f64::consts::LOG2_E);
    if gene_major(&values.view()) {
        values
            .axis_chunks_iter_mut(Axis(1), COLUMN_CHUNK)
            .into_par_iter()
            .for_each(|mut chunk| {
                for mut col in chunk.columns_mut() {
                    for (x, c) in col.iter_mut().zip(consts) {
                        *x = apply(kernel, *x, c, log2_e);
                    }
                }
            });
    } else {
        values
            .axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(consts.par_iter())
            .for_each_init(Vec::new, |table, (row, c)| {
                transform_row(row, kernel, c, log2_e, table)
            });
    }
}

/// Transforms counts into `out` (same shape, row-major) in one pass: each count is read
/// once and each result written once. Row-major input goes row by row; column-major
/// input (a genes x samples table seen transposed) goes in blocks of [`ROW_BLOCK`]
/// samples, reading columns contiguously while the block's rows stay in cache.
pub(crate) fn transform_from<T: CountValue, F: Real>(
    counts: ArrayView2<'_, T>,
    mut out: ArrayViewMut2<'_, F>,
    kernel: Kernel,
    consts: &[SampleConsts<F>],
) {
    let log2_e = F::from_f64(std::f64::consts::LOG2_E);
    if gene_major(&counts) {
        let size = table_len(counts.ncols()).min(BLOCK_TABLE_MAX);
        out.axis_chunks_iter_mut(Axis(0), ROW_BLOCK)
            .into_par_iter()
            .zip(consts.par_chunks(ROW_BLOCK))
            .enumerate()
            .for_each_init(Vec::new, |tables, (b, (block, cs))| {
                let i0 = b * ROW_BLOCK;
                let src = counts.slice_axis(Axis(0), Slice::from(i0..i0 + block.nrows()));
                transform_block(src, block, kernel, cs, log2_e, tables, size);
            });
    } else {
        out.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(counts.axis_iter(Axis(0)).into_par_iter())
            .zip(consts.par_iter())
            .for_each_init(Vec::new, |table, ((o, src), c)| {
                transform_row_from(o, src, kernel, c, log2_e, table)
            });
    }
}

/// Samples per block for column-major input.
const ROW_BLOCK: usize = 64;

/// Table length per sample for column-major input, so a block's tables stay in cache.
const BLOCK_TABLE_MAX: usize = 256;

fn transform_block<T: CountValue, F: Real>(
    src: ArrayView2<'_, T>,
    mut block: ArrayViewMut2<'_, F>,
    kernel: Kernel,
    cs: &[SampleConsts<F>],
    log2_e: F,
    tables: &mut Vec<F>,
    size: usize,
) {
    let to_f = |x: T| F::from_f64(x.raw());
    if let Kernel::Scale = kernel {
        for (j, col) in src.columns().into_iter().enumerate() {
            for (ii, (&x, c)) in col.iter().zip(cs).enumerate() {
                block[[ii, j]] = to_f(x) * c.a;
            }
        }
        return;
    }
    tables.clear();
    for c in cs {
        tables.extend((0..size).map(|k| apply(kernel, F::from_f64(k as f64), c, log2_e)));
    }
    for (j, col) in src.columns().into_iter().enumerate() {
        for (ii, (&x, c)) in col.iter().zip(cs).enumerate() {
            block[[ii, j]] = match x.count_index(size) {
                Some(k) => tables[ii * size + k],
                None => apply(kernel, to_f(x), c, log2_e),
            };
        }
    }
}

fn transform_row_from<T: CountValue, F: Real>(
    mut out: ArrayViewMut1<'_, F>,
    src: ArrayView1<'_, T>,
    kernel: Kernel,
    c: &SampleConsts<F>,
    log2_e: F,
    table: &mut Vec<F>,
) {
    let to_f = |x: T| F::from_f64(x.raw());
    if let Kernel::Scale = kernel {
        let a = c.a;
        match (out.as_slice_mut(), src.as_slice()) {
            (Some(o), Some(s)) => o.iter_mut().zip(s).for_each(|(o, &x)| *o = to_f(x) * a),
            _ => out
                .iter_mut()
                .zip(src.iter())
                .for_each(|(o, &x)| *o = to_f(x) * a),
        }
        return;
    }
    let size = build_table(table, out.len(), kernel, c, log2_e);
    let f = |(o, &x): (&mut F, &T)| {
        *o = match x.count_index(size) {
            Some(k) => table[k],
            None => apply(kernel, to_f(x), c, log2_e),
        }
    };
    match (out.as_slice_mut(), src.as_slice()) {
        (Some(o), Some(s)) => o.iter_mut().zip(s).for_each(f),
        _ => out.iter_mut().zip(src.iter()).for_each(f),
    }
}

/// Fills `table` with the results for whole counts 0, 1, 2, ... (same formula, so the
/// results are identical) and returns its length.
fn build_table<F: Real>(
    table: &mut Vec<F>,
    row_len: usize,
    kernel: Kernel,
    c: &SampleConsts<F>,
    log2_e: F,
) -> usize {
    let size = table_len(row_len);
    table.clear();
    table.extend((0..size).map(|k| apply(kernel, F::from_f64(k as f64), c, log2_e)));
    size
}

/// Largest lookup table of a row's results for whole counts 0, 1, 2, ...
const TABLE_MAX: usize = 1024;

/// Table length for a row of `len` genes: at most an eighth of the row, so that building
/// it costs little next to the logarithms it saves.
fn table_len(len: usize) -> usize {
    (len / 8).min(TABLE_MAX)
}

fn transform_row<F: Real>(
    mut row: ArrayViewMut1<'_, F>,
    kernel: Kernel,
    c: &SampleConsts<F>,
    log2_e: F,
    table: &mut Vec<F>,
) {
    if let Kernel::Scale = kernel {
        let a = c.a;
        match row.as_slice_mut() {
            Some(s) => s.iter_mut().for_each(|x| *x *= a),
            None => row.iter_mut().for_each(|x| *x *= a),
        }
        return;
    }
    // Counts are mostly small whole numbers: their logarithms come from a per-sample
    // table built with the same formula (so results are identical), the rest are computed.
    let size = build_table(table, row.len(), kernel, c, log2_e);
    let f = |x: &mut F| {
        *x = match x.count_index(size) {
            Some(k) => table[k],
            None => apply(kernel, *x, c, log2_e),
        }
    };
    match row.as_slice_mut() {
        Some(s) => s.iter_mut().for_each(f),
        None => row.iter_mut().for_each(f),
    }
}
