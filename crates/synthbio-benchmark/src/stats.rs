//! Correlations and curve areas as scipy, polars and scikit-learn compute them.

/// Ranks from 1 with ties averaged (scipy `rankdata(method="average")`).
///
/// synthbio-normalize has the same function; a local copy keeps this crate's only
/// dependencies outside the workspace's fast-moving crates (none of them needed
/// otherwise).
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Pearson correlation (scipy `pearsonr`); `None` for fewer than 2 values, a constant
/// input, or non-finite values.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 || y.len() != n || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    // scipy tests constancy exactly: a constant input's mean can differ from its values
    // in the last bit, leaving a spurious nonzero variance.
    if x.iter().all(|v| *v == x[0]) || y.iter().all(|v| *v == y[0]) {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Spearman correlation (polars `corr(method="spearman")`: Pearson of average ranks;
/// ±inf rank as the largest/smallest values).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.iter().chain(y).any(|v| v.is_nan()) {
        return None;
    }
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Points of the ranking by descending `score`: for each distinct score, the cumulative
/// true and false positives (scikit-learn's `_binary_clf_curve`).
fn curve(labels: &[bool], score: &[f64]) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut pts = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        if labels[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        if k + 1 == order.len() || score[order[k + 1]] != score[i] {
            pts.push((tp, fp));
        }
    }
    pts
}

/// Average precision (scikit-learn `average_precision_score`); `None` unless there
/// is at least one positive and one negative.
pub fn average_precision(labels: &[bool], score: &[f64]) -> Option<f64> {
    let pos = labels.iter().filter(|l| **l).count() as f64;
    if pos == 0.0 || pos == labels.len() as f64 || labels.len() != score.len() {
        return None;
    }
    let mut ap = 0.0;
    let mut prev_recall = 0.0;
    for (tp, fp) in curve(labels, score) {
        let recall = tp / pos;
        ap += (recall - prev_recall) * (tp / (tp + fp));
        prev_recall = recall;
    }
    Some(ap)
}

/// Area under the ROC curve by the trapezoid rule (scikit-learn `roc_curve` + `auc`);
/// `None` unless there is at least one positive and one negative.
pub fn roc_auc(labels: &[bool], score: &[f64]) -> Option<f64> {
    let pos = labels.iter().filter(|l| **l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 || labels.len() != score.len() {
        return None;
    }
    let (mut area, mut px, mut py) = (0.0, 0.0, 0.0);
    for (tp, fp) in curve(labels, score) {
        let (x, y) = (fp / neg, tp / pos);
        area += (x - px) * (y + py) / 2.0;
        (px, py) = (x, y);
    }
    Some(area)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sklearn_values() {
        // sklearn: average_precision_score([1,0,1,1,0],[0.9,0.8,0.8,0.3,0.1]) = 0.8055555555555556
        // roc_auc_score(same) = 0.75
        let l = [true, false, true, true, false];
        let s = [0.9, 0.8, 0.8, 0.3, 0.1];
        approx::assert_relative_eq!(
            average_precision(&l, &s).unwrap(),
            0.8055555555555556,
            max_relative = 1e-14
        );
        approx::assert_relative_eq!(roc_auc(&l, &s).unwrap(), 0.75, max_relative = 1e-14);
        assert_eq!(roc_auc(&[true, true], &[0.1, 0.2]), None);
    }
}
