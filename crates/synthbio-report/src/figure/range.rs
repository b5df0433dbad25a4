//! Axis ranges that never collapse to a point, and which values can be drawn.

use std::ops::Range;

/// Values beyond this magnitude are not drawn: the tick computation of the
/// plotting library loops or overflows on spans near `f64::MAX`, and no
/// expression statistic is that large.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// Fraction of the data span added on each side.
const PAD: f64 = 0.05;

/// Whether `v` can be placed on an axis (finite and at most [`MAX_MAGNITUDE`]).
pub fn drawable(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_MAGNITUDE
}

/// The range of the drawable `values`, padded by 5% of the span on each side.
/// All-equal values get ±10% of their magnitude (±1 near zero); no values give
/// `0..1`.
pub fn padded_range(values: impl IntoIterator<Item = f64>) -> Range<f64> {
    let (lo, hi) = values
        .into_iter()
        .filter(|&v| drawable(v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return 0.0..1.0;
    }
    pad(lo, hi, PAD, PAD)
}

/// Pads `lo..hi` (drawable, `lo <= hi`) by the given fractions of its span.
/// A span too small to label (below 1e-12 of the magnitude, or 1e-200) is
/// widened as if all values were equal.
pub fn pad(lo: f64, hi: f64, below: f64, above: f64) -> Range<f64> {
    let span = hi - lo;
    let magnitude = lo.abs().max(hi.abs());
    if span <= magnitude * 1e-12 || span < 1e-200 {
        let centre = lo / 2.0 + hi / 2.0;
        let d = if magnitude < 1e-200 {
            1.0
        } else {
            magnitude * 0.1
        };
        return centre - d..centre + d;
    }
    lo - span * below..hi + span * above
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_five_percent() {
        let r = padded_range([0.0, 10.0, f64::NAN]);
        assert_eq!((r.start, r.end), (-0.5, 10.5));
    }

    #[test]
    fn never_collapses() {
        let r = padded_range([3.0, 3.0]);
        approx::assert_abs_diff_eq!(r.start, 2.7, epsilon = 1e-12);
        approx::assert_abs_diff_eq!(r.end, 3.3, epsilon = 1e-12);
        assert_eq!(padded_range([0.0]), -1.0..1.0);
        assert_eq!(padded_range([0.0, 5e-324]), -1.0..1.0);
        assert_eq!(padded_range([f64::NAN, f64::INFINITY]), 0.0..1.0);
        assert_eq!(padded_range(Vec::new()), 0.0..1.0);
    }

    #[test]
    fn huge_values_are_not_drawable() {
        assert!(!drawable(1e101) && !drawable(-f64::MAX) && !drawable(f64::NAN));
        assert!(drawable(-1e100) && drawable(0.0));
        assert_eq!(padded_range([f64::MAX, 1.0, 3.0]), 0.9..3.1);
        let r = padded_range([-1e100, 1e100]);
        assert!(r.start.is_finite() && r.end.is_finite() && r.start < r.end);
    }
}
