//! R's `lowess` (Cleveland 1979; R's C routine `clowess`) and `approxfun(rule = 2, ties =
//! mean)`, as voom uses them for the mean-variance trend.
//!
//! Written by hand: voom's weights must match R's to 1e-8, and the crates' loess
//! implementations differ from `clowess` (its delta skipping, its robustness weights).

/// Smooths `y` against `x` with span `f`, `iter` robustness iterations and R's default
/// `delta = 0.01 * range(x)`. Returns the points sorted by `x` (ties in input order) and
/// the fitted values.
pub fn lowess(x: &[f64], y: &[f64], f: f64, iter: usize) -> (Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut o: Vec<usize> = (0..n).collect();
    o.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = o.iter().map(|&i| x[i]).collect();
    let yv: Vec<f64> = o.iter().map(|&i| y[i]).collect();
    if n < 2 {
        return (xs, yv);
    }
    let delta = 0.01 * (xs[n - 1] - xs[0]);
    let ns = ((f * n as f64 + 1e-7) as usize).clamp(2, n);
    let mut ys = vec![0.0; n];
    let mut rw = vec![1.0; n];
    let mut w = vec![0.0; n];
    let mut iteration = 1;
    while iteration <= iter + 1 {
        let (mut nleft, mut nright) = (0usize, ns - 1);
        let mut last: Option<usize> = None;
        let mut i = 0usize;
        loop {
            if nright < n - 1 {
                let d1 = xs[i] - xs[nleft];
                let d2 = xs[nright + 1] - xs[i];
                if d1 > d2 {
                    nleft += 1;
                    nright += 1;
                    continue;
                }
            }
            let fit = lowest(&xs, &yv, xs[i], nleft, nright, &mut w, iteration > 1, &rw);
            ys[i] = fit.unwrap_or(yv[i]);
            let l = last.map_or(0, |l| l + 1);
            if let Some(lp) = last {
                if lp + 1 < i {
                    let denom = xs[i] - xs[lp];
                    for j in l..i {
                        let alpha = (xs[j] - xs[lp]) / denom;
                        ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[lp];
                    }
                }
            }
            let mut lst = i;
            let cut = xs[lst] + delta;
            let mut k = lst + 1;
            while k < n {
                if xs[k] > cut {
                    break;
                }
                if xs[k] == xs[lst] {
                    ys[k] = ys[lst];
                    lst = k;
                }
                k += 1;
            }
            last = Some(lst);
            i = (lst + 1).max(k - 1);
            if lst >= n - 1 {
                break;
            }
        }
        let res: Vec<f64> = (0..n).map(|k| yv[k] - ys[k]).collect();
        let sc = res.iter().map(|r| r.abs()).sum::<f64>() / n as f64;
        if iteration > iter {
            break;
        }
        let mut a: Vec<f64> = res.iter().map(|r| r.abs()).collect();
        a.sort_by(f64::total_cmp);
        let m1 = n / 2;
        let cmad = if n % 2 == 0 {
            3.0 * (a[m1] + a[n - m1 - 1])
        } else {
            6.0 * a[m1]
        };
        if cmad < 1e-7 * sc {
            break;
        }
        let (c9, c1) = (0.999 * cmad, 0.001 * cmad);
        for (k, r) in res.iter().enumerate() {
            let r = r.abs();
            rw[k] = if r <= c1 {
                1.0
            } else if r <= c9 {
                (1.0 - (r / cmad).powi(2)).powi(2)
            } else {
                0.0
            };
        }
        iteration += 1;
    }
    (xs, ys)
}

/// One local linear fit at `xv` over points `nleft..=nright` (and ties to the right).
#[allow(clippy::too_many_arguments)]
fn lowest(
    x: &[f64],
    y: &[f64],
    xv: f64,
    nleft: usize,
    nright: usize,
    w: &mut [f64],
    userw: bool,
    rw: &[f64],
) -> Option<f64> {
    let n = x.len();
    let range = x[n - 1] - x[0];
    let h = (xv - x[nleft]).max(x[nright] - xv);
    let (h9, h1) = (0.999 * h, 0.001 * h);
    let mut a = 0.0;
    let mut j = nleft;
    while j < n {
        w[j] = 0.0;
        let r = (x[j] - xv).abs();
        if r <= h9 {
            w[j] = if r <= h1 {
                1.0
            } else {
                (1.0 - (r / h).powi(3)).powi(3)
            };
            if userw {
                w[j] *= rw[j];
            }
            a += w[j];
        } else if x[j] > xv {
            break;
        }
        j += 1;
    }
    let nrt = j - 1;
    if a <= 0.0 {
        return None;
    }
    for wj in &mut w[nleft..=nrt] {
        *wj /= a;
    }
    if h > 0.0 {
        let a: f64 = (nleft..=nrt).map(|j| w[j] * x[j]).sum();
        let mut b = xv - a;
        let c: f64 = (nleft..=nrt).map(|j| w[j] * (x[j] - a).powi(2)).sum();
        if c.sqrt() > 0.001 * range {
            b /= c;
            for j in nleft..=nrt {
                w[j] *= b * (x[j] - a) + 1.0;
            }
        }
    }
    Some((nleft..=nrt).map(|j| w[j] * y[j]).sum())
}

/// Linear interpolation through sorted points (`approxfun(rule = 2, ties = list("ordered",
/// mean))`): tied x collapse to the mean of their y; outside the range, the end values.
pub struct Interpolator {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl Interpolator {
    /// From points sorted by x.
    pub fn new(x: &[f64], y: &[f64]) -> Self {
        let (mut ux, mut uy): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
        let mut k = 0;
        while k < x.len() {
            let mut e = k;
            while e + 1 < x.len() && x[e + 1] == x[k] {
                e += 1;
            }
            ux.push(x[k]);
            uy.push(y[k..=e].iter().sum::<f64>() / (e - k + 1) as f64);
            k = e + 1;
        }
        Interpolator { x: ux, y: uy }
    }

    /// The interpolated value at `v`.
    pub fn at(&self, v: f64) -> f64 {
        let n = self.x.len();
        if v <= self.x[0] {
            return self.y[0];
        }
        if v >= self.x[n - 1] {
            return self.y[n - 1];
        }
        // First index with x > v.
        let hi = self.x.partition_point(|&a| a <= v);
        let lo = hi - 1;
        if self.x[lo] == v {
            return self.y[lo];
        }
        self.y[lo] + (self.y[hi] - self.y[lo]) * (v - self.x[lo]) / (self.x[hi] - self.x[lo])
    }
}
