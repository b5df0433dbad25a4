//! Curve areas as scikit-learn computes them; the correlations and ranks are
//! synthbio-core's, shared by every crate.

pub use synthbio_core::stats::{average_ranks, pearson, spearman};

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
