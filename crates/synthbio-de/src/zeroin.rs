//! R's `uniroot` (Brent's root finder as R's C routine `R_zeroin2` runs it).
//!
//! Written by hand rather than taken from a crate: limma stops the robust prior's root
//! search at R's tolerance (1e-8), so matching limma to 1e-8 needs R's iterates, not
//! just any root within the tolerance.

/// A root of `f` in `[a, b]` given `fa = f(a)` and `fb = f(b)` of opposite signs, to
/// `tol` (R's `uniroot(f, c(a, b), f.lower = fa, f.upper = fb, tol = tol)$root`, at most
/// 1000 iterations).
pub(crate) fn zeroin(
    f: impl Fn(f64) -> f64,
    (mut a, mut b): (f64, f64),
    (mut fa, mut fb): (f64, f64),
    tol: f64,
) -> f64 {
    let (mut c, mut fc) = (a, fa);
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    for _ in 0..=1000 {
        let prev_step = b - a;
        if fc.abs() < fb.abs() {
            // b becomes the best approximation.
            (a, b, c) = (b, c, b);
            (fa, fb, fc) = (fb, fc, fb);
        }
        let tol_act = 2.0 * f64::EPSILON * b.abs() + tol / 2.0;
        let mut new_step = (c - b) / 2.0;
        if new_step.abs() <= tol_act || fb == 0.0 {
            return b;
        }
        if prev_step.abs() >= tol_act && fa.abs() > fb.abs() {
            // Interpolation: linear with two distinct points, inverse quadratic with three.
            let cb = c - b;
            let (mut p, mut q);
            if a == c {
                let t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {
                let (qq, t1, t2) = (fa / fc, fb / fc, fb / fa);
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0));
                q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if p < 0.75 * cb * q - (tol_act * q).abs() / 2.0 && p < (prev_step * q / 2.0).abs() {
                new_step = p / q;
            }
        }
        if new_step.abs() < tol_act {
            new_step = if new_step > 0.0 { tol_act } else { -tol_act };
        }
        (a, fa) = (b, fb);
        b += new_step;
        fb = f(b);
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            (c, fc) = (a, fa);
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R's roots at loose tolerances, where they differ from the exact roots (2^(1/3) =
    /// 1.259921049894873, e^0.3 = 1.349858807576003): the iterates are R's.
    #[test]
    fn stops_where_r_stops() {
        let cube = |x: f64| x * x * x - 2.0;
        let r = zeroin(cube, (0.0, 3.0), (cube(0.0), cube(3.0)), 1e-3);
        approx::assert_abs_diff_eq!(r, 1.259904336737509, epsilon = 1e-15);
        let log = |x: f64| x.ln() - 0.3;
        let r = zeroin(log, (0.5, 9.0), (log(0.5), log(9.0)), 1e-4);
        approx::assert_abs_diff_eq!(r, 1.3498586528719854, epsilon = 1e-15);
    }
}
