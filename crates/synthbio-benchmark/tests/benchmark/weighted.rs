//! The DEG-weighted metrics of "Diversity by Design" against scanpy and scikit-learn
//! (`tests/golden/make_weighted_golden.py`), and the mean baseline at null performance.

use approx::relative_eq;
use std::path::PathBuf;
use synthbio_benchmark::{baseline, evaluate, Evaluation, Expression, Options, Pair};

const CONTROL: &str = "non-targeting";

fn golden(name: &str) -> Vec<Vec<String>> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let text = std::fs::read_to_string(p).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
}

fn synthetic() -> (Expression, Expression) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let read = |s: &str| Expression::read_tsv(&dir.join(s), "perturbation").unwrap();
    (read("synthetic_real.tsv"), read("synthetic_pred.tsv"))
}

fn close(a: f64, b: f64) -> bool {
    relative_eq!(a, b, max_relative = 1e-9, epsilon = 1e-15)
}

#[test]
fn deg_scores_and_weights_equal_scanpy() {
    let (real, pred) = synthetic();
    let pair = Pair::new(&real, &pred, CONTROL, 2).unwrap();
    let scores = synthbio_benchmark::scores_vs_rest(&pair);
    let rows = golden("synthetic_deg_weights.tsv");
    assert_eq!(rows.len(), pair.perts.len() * pair.genes().len());
    for r in &rows {
        let p = pair.perts.iter().position(|x| *x == r[0]).unwrap();
        let g = pair.genes().iter().position(|x| *x == r[1]).unwrap();
        let (s, w): (f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        assert!(close(scores[p][g], s), "{r:?}: ours {}", scores[p][g]);
        let ours = synthbio_benchmark::weights_from_scores(&scores[p]).unwrap()[g];
        assert!(close(ours, w), "{r:?}: ours {ours}");
    }
}

fn check(ev: &Evaluation, predictor: &str) -> usize {
    let mut n = 0;
    for r in golden("synthetic_weighted.tsv")
        .iter()
        .filter(|r| r[0] == predictor)
    {
        for (k, metric) in ["wmse", "r2_delta", "weighted_r2_delta"].iter().enumerate() {
            let want: f64 = r[k + 2].parse().unwrap();
            let have = ev.weighted.get(metric, &r[1]).unwrap();
            assert!(
                close(have, want),
                "{predictor} {} {metric}: sklearn {want}, ours {have}",
                r[1]
            );
            n += 1;
        }
    }
    n
}

#[test]
fn model_and_mean_baseline_equal_the_reference() {
    let (real, pred) = synthetic();
    let model = evaluate(&real, &pred, CONTROL, Options::default()).unwrap();
    assert_eq!(check(&model, "model"), 24);
    let mean_pred = baseline::mean_effect(&real, CONTROL).unwrap();
    let mean = evaluate(&real, &mean_pred, CONTROL, Options::default()).unwrap();
    assert_eq!(check(&mean, "mean_baseline"), 24);

    // The mean baseline predicts no delta against the mean of all perturbations, so its
    // (weighted) delta R^2 is never above 0: null performance, while the perturbations
    // the model predicts right score near 1.
    let col = |ev: &Evaluation, m: &str| ev.weighted.column(m).unwrap().values.clone();
    for v in col(&mean, "weighted_r2_delta")
        .into_iter()
        .chain(col(&mean, "r2_delta"))
    {
        assert!(v.unwrap() <= 0.0, "{v:?}");
    }
    let unweighted: Vec<f64> = col(&mean, "r2_delta").into_iter().flatten().collect();
    assert!(unweighted.iter().all(|v| v.abs() < 0.11), "{unweighted:?}");
    for p in ["G003", "G011", "G020"] {
        assert!(model.weighted.get("weighted_r2_delta", p).unwrap() > 0.98);
    }
    // WMSE ranks the model's right perturbations far ahead of the mean baseline.
    assert!(
        model.weighted.get("wmse", "G003").unwrap()
            < 0.01 * mean.weighted.get("wmse", "G003").unwrap()
    );
}

#[test]
fn one_perturbation_states_why_no_weights() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let real = Expression::read_tsv(&dir.join("kang_bcell_real.tsv"), "perturbation").unwrap();
    let ev = evaluate(&real, &real, "ctrl", Options::default()).unwrap();
    assert!(ev.weighted.columns.is_empty());
    assert!(
        ev.weighted.notes[0].contains("at least 2"),
        "{:?}",
        ev.weighted.notes
    );
}
