//! Bad input gets a clear error naming the problem, never a NaN.

use ndarray::Array2;
use synthbio_benchmark::{baseline, evaluate, BenchError, Expression, Options};

fn expr(labels: &[&str], genes: &[&str]) -> Expression {
    let n = labels.len();
    let g = genes.len();
    let x = Array2::from_shape_fn((n, g), |(i, j)| ((i * 7 + j * 3) % 5) as f64);
    Expression::new(
        (0..n).map(|i| format!("c{i}")).collect(),
        labels.iter().map(|s| s.to_string()).collect(),
        genes.iter().map(|s| s.to_string()).collect(),
        x,
    )
    .unwrap()
}

const LABELS: [&str; 6] = ["ctrl", "ctrl", "ctrl", "A", "A", "A"];

#[test]
fn genes_differ() {
    let real = expr(&LABELS, &["g1", "g2", "g3"]);
    let pred = expr(&LABELS, &["g1", "gX", "g3"]);
    let e = evaluate(&real, &pred, "ctrl", Options::default()).unwrap_err();
    assert!(matches!(e, BenchError::Mismatch { .. }));
    assert!(e.to_string().contains("\"gX\""), "{e}");
}

#[test]
fn no_control_cells() {
    let real = expr(&LABELS, &["g1", "g2"]);
    let e = evaluate(&real, &real, "non-targeting", Options::default()).unwrap_err();
    assert!(e.to_string().contains("non-targeting"), "{e}");
    assert!(baseline::mean_effect(&real, "non-targeting").is_err());
}

#[test]
fn one_cell_perturbation() {
    let labels = ["ctrl", "ctrl", "A", "A", "B"];
    let real = expr(&labels, &["g1", "g2"]);
    let e = evaluate(&real, &real, "ctrl", Options::default()).unwrap_err();
    assert!(e.to_string().contains("\"B\" has 1 cell"), "{e}");
    assert!(baseline::split_halves(&real).is_err());
}

#[test]
fn perturbations_differ() {
    let real = expr(&LABELS, &["g1", "g2"]);
    let pred = expr(&["ctrl", "ctrl", "ctrl", "B", "B", "B"], &["g1", "g2"]);
    let e = evaluate(&real, &pred, "ctrl", Options::default()).unwrap_err();
    assert!(e.to_string().contains("only in real: [\"A\"]"), "{e}");
}

#[test]
fn shapes_and_values() {
    let x = Array2::<f64>::zeros((2, 2));
    let e = Expression::new(
        vec!["a".into()],
        vec!["ctrl".into(); 2],
        vec!["g".into(); 2],
        x.clone(),
    )
    .unwrap_err();
    assert!(matches!(
        e,
        BenchError::Shape {
            expected: 2,
            found: 1,
            ..
        }
    ));
    let mut bad = x;
    bad[[1, 0]] = f64::NAN;
    let e = Expression::new(
        vec!["a".into(), "b".into()],
        vec!["ctrl".into(); 2],
        vec!["g1".into(), "g2".into()],
        bad,
    )
    .unwrap_err();
    assert!(e.to_string().contains("\"b\""), "{e}");
}

#[test]
fn only_control_is_an_error() {
    let real = expr(&["ctrl", "ctrl"], &["g1"]);
    assert!(evaluate(&real, &real, "ctrl", Options::default()).is_err());
}

#[test]
fn no_change_baseline_has_no_delta() {
    let labels = ["ctrl", "ctrl", "ctrl", "A", "A", "A", "B", "B"];
    let real = expr(&labels, &["g1", "g2", "g3", "g4"]);
    let pred = baseline::no_change(&real, "ctrl").unwrap();
    let ev = evaluate(&real, &pred, "ctrl", Options::default()).unwrap();
    // Its delta is exactly 0: the correlation is undefined and says so, never NaN.
    assert_eq!(ev.results.get("pearson_delta", "A"), None);
    assert!(ev
        .results
        .notes
        .iter()
        .any(|n| n.starts_with("pearson_delta")));
    let s = ev
        .summary
        .iter()
        .find(|s| s.name == "pearson_delta")
        .unwrap();
    assert_eq!((s.count, s.undefined, s.mean), (0, 2, None));
    // Direction over changed genes: predicting no change never agrees.
    let d = ev.direction.column("direction_nonzero").unwrap();
    assert!(d.values.iter().all(|v| *v == Some(0.0)), "{d:?}");
}
