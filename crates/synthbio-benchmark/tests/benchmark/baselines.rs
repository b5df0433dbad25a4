//! Baselines built from real data behave as their definitions say.

use std::path::PathBuf;
use synthbio_benchmark::{baseline, evaluate, Expression, Options};

fn kang() -> Expression {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kang_monocyte_real.tsv");
    Expression::read_tsv(&p, "perturbation").unwrap()
}

#[test]
fn other_context_equal_to_real_recovers_the_effect() {
    let real = kang();
    let pred = baseline::other_context(&real, &real, "ctrl").unwrap();
    let ev = evaluate(&real, &pred, "ctrl", Options::default()).unwrap();
    let r = ev.results.get("pearson_delta", "stim").unwrap();
    assert!(r > 0.999_999, "{r}");
    assert!(ev.results.get("mse_delta", "stim").unwrap() < 1e-20);
}

#[test]
fn split_halves_are_disjoint_and_balanced() {
    let real = kang();
    let (a, b) = baseline::split_halves(&real).unwrap();
    assert_eq!(a.n_cells() + b.n_cells(), real.n_cells());
    assert!(a.cells.iter().all(|c| !b.cells.contains(c)));
    for label in ["ctrl", "stim"] {
        let n = |e: &Expression| e.perturbations.iter().filter(|p| *p == label).count();
        assert_eq!(n(&a), n(&b));
    }
    // A positive baseline: the other half of real cells agrees better than no change.
    let pos = evaluate(&a, &b, "ctrl", Options::default()).unwrap();
    let neg = evaluate(
        &a,
        &baseline::no_change(&a, "ctrl").unwrap(),
        "ctrl",
        Options::default(),
    )
    .unwrap();
    let m = |e: &synthbio_benchmark::Evaluation| e.results.get("mse_delta", "stim").unwrap();
    assert!(m(&pos) < m(&neg), "{} vs {}", m(&pos), m(&neg));
}

#[test]
fn mean_effect_excludes_the_control_and_cell_eval_mean_includes_it() {
    let real = kang();
    let ours = baseline::mean_effect(&real, "ctrl").unwrap();
    let theirs = baseline::cell_eval_mean(&real, "ctrl").unwrap();
    let norm = real.normalised().unwrap();
    let i = norm.perturbations.iter().position(|p| p == "stim").unwrap();
    let mean = |label: &str| {
        let rows: Vec<usize> = (0..norm.n_cells())
            .filter(|&k| norm.perturbations[k] == label)
            .collect();
        rows.iter().map(|&k| norm.x[[k, 0]]).sum::<f64>() / rows.len() as f64
    };
    // One perturbation: the mean effect is that perturbation's own pseudobulk.
    approx::assert_relative_eq!(ours.x[[i, 0]], mean("stim"), max_relative = 1e-12);
    approx::assert_relative_eq!(
        theirs.x[[i, 0]],
        (mean("stim") + mean("ctrl")) / 2.0,
        max_relative = 1e-12
    );
}

#[test]
fn no_change_scores_against_the_model_with_the_same_columns() {
    // No change predicts no DE at all: its fold-change Spearman over the real
    // significant genes is undefined, yet the column stays so the score can compare.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let read = |s: &str| Expression::read_tsv(&dir.join(s), "perturbation").unwrap();
    let (real, pred) = (read("synthetic_real.tsv"), read("synthetic_pred.tsv"));
    let control = "non-targeting";
    let model = evaluate(&real, &pred, control, Options::default()).unwrap();
    let none = baseline::no_change(&real, control).unwrap();
    let none = evaluate(&real, &none, control, Options::default()).unwrap();
    let s = none
        .summary
        .iter()
        .find(|s| s.name == "de_spearman_lfc_sig")
        .unwrap();
    assert_eq!((s.count, s.undefined), (0, 8));
    let scores = synthbio_benchmark::score(&model.summary, &none.summary).unwrap();
    let lfc = scores
        .iter()
        .find(|s| s.metric == "de_spearman_lfc_sig")
        .unwrap();
    assert!(lfc.note.is_some());
}
