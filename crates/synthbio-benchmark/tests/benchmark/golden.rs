//! Every metric against cell-eval 0.8.2's own output on the same input
//! (`tests/golden/make_golden.py`): metrics to 1e-9, DE p-values and FDRs to 1e-6
//! relative.

use approx::relative_eq;
use std::collections::HashMap;
use std::path::PathBuf;
use synthbio_benchmark::{
    aggregate, baseline, evaluate, score, Evaluation, Expression, Options, Results,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A TSV as header + rows of strings.
fn table(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(dir().join(name)).unwrap();
    let mut lines = text.lines();
    let head = lines
        .next()
        .unwrap()
        .split('\t')
        .map(String::from)
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    (head, rows)
}

/// cell-eval's cell: empty (null) or NaN are undefined.
fn cell(s: &str) -> Option<f64> {
    match s {
        "" | "NaN" => None,
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => Some(s.parse().unwrap()),
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    a == b || (a - b).abs() <= tol || relative_eq!(a, b, max_relative = tol)
}

fn load(case: &str) -> (Expression, Expression) {
    let read = |s: &str| {
        Expression::read_tsv(&dir().join(format!("{case}_{s}.tsv")), "perturbation").unwrap()
    };
    (read("real"), read("pred"))
}

fn control(case: &str) -> &'static str {
    match case {
        "airway" => "control",
        "synthetic" => "non-targeting",
        _ => "ctrl",
    }
}

/// Compares every column of cell-eval's per-perturbation table; returns how many
/// values were compared.
fn check_results(got: &Results, golden: &str) -> usize {
    let (head, rows) = table(golden);
    let golden_metrics: Vec<&String> = head[1..].iter().collect();
    let ours: Vec<&String> = got.columns.iter().map(|c| &c.name).collect();
    assert_eq!(ours, golden_metrics, "{golden}: metric columns");
    let mut n = 0;
    for row in &rows {
        let pert = &row[0];
        for (j, name) in head.iter().enumerate().skip(1) {
            let want = cell(&row[j]);
            let have = got.get(name, pert);
            match (want, have) {
                (None, None) => {}
                (Some(w), Some(h)) => assert!(
                    close(w, h, 1e-9),
                    "{golden} {pert} {name}: cell-eval {w}, ours {h}"
                ),
                (w, h) => panic!("{golden} {pert} {name}: cell-eval {w:?}, ours {h:?}"),
            }
            n += 1;
        }
    }
    assert_eq!(rows.len(), got.perturbations.len());
    n
}

fn check_de(ev: &Evaluation, case: &str) {
    for (which, de) in [("real", &ev.de_real), ("pred", &ev.de_pred)] {
        let (_, rows) = table(&format!("{case}_de_{which}.tsv"));
        assert_eq!(rows.len(), de.perts.len() * de.genes.len());
        let pi: HashMap<&String, usize> =
            de.perts.iter().enumerate().map(|(i, p)| (p, i)).collect();
        let gi: HashMap<&String, usize> =
            de.genes.iter().enumerate().map(|(i, g)| (g, i)).collect();
        for r in &rows {
            let (p, g) = (pi[&r[0]], gi[&r[1]]);
            let lfc = cell(&r[2]).unwrap();
            assert!(
                close(lfc, de.lfc[p][g], 1e-9),
                "{case} {which} lfc {r:?}: ours {}",
                de.lfc[p][g]
            );
            for (k, ours) in [(3, de.p_value[p][g]), (4, de.fdr[p][g])] {
                let w = cell(&r[k]).unwrap();
                assert!(
                    relative_eq!(w, ours, max_relative = 1e-6, epsilon = 1e-300),
                    "{case} {which} col {k} {r:?}: ours {ours}"
                );
            }
        }
    }
}

/// Aggregates of columns where every perturbation has a value.
fn check_agg(ev: &Evaluation, golden: &str) {
    let (head, rows) = table(golden);
    let summary = aggregate(&ev.results);
    for (j, name) in head.iter().enumerate().skip(1) {
        let col: HashMap<&str, Option<f64>> =
            rows.iter().map(|r| (r[0].as_str(), cell(&r[j]))).collect();
        let s = summary.iter().find(|s| &s.name == name).unwrap();
        if col["null_count"] != Some(0.0) || col["mean"].is_none() {
            assert!(
                s.undefined > 0,
                "{golden} {name}: cell-eval has undefined values, we have none"
            );
            continue;
        }
        assert_eq!(s.undefined, 0, "{golden} {name}");
        for (stat, ours) in [
            ("mean", s.mean),
            ("std", s.std),
            ("min", s.min),
            ("25%", s.q25),
            ("50%", s.q50),
            ("75%", s.q75),
            ("max", s.max),
        ] {
            match (col[stat], ours) {
                (Some(w), Some(h)) => {
                    assert!(close(w, h, 1e-9), "{golden} {name} {stat}: {w} vs {h}")
                }
                (None, None) => {}
                (w, h) => panic!("{golden} {name} {stat}: {w:?} vs {h:?}"),
            }
        }
    }
}

fn run(case: &str) -> Evaluation {
    let (real, pred) = load(case);
    let ev = evaluate(&real, &pred, control(case), Options::default()).unwrap();
    let n = check_results(&ev.results, &format!("{case}_results.tsv"));
    assert!(n > 20);
    check_de(&ev, case);
    check_agg(&ev, &format!("{case}_agg.tsv"));
    ev
}

#[test]
fn kang_bcell() {
    let ev = run("kang_bcell");
    assert!(ev
        .results
        .notes
        .iter()
        .any(|n| n.contains("pearson_edistance")));
}

#[test]
fn kang_monocyte() {
    run("kang_monocyte");
}

#[test]
fn airway() {
    run("airway");
}

#[test]
fn synthetic_and_mean_baseline_score() {
    let ev = run("synthetic");
    // Discrimination means something here: not every perturbation is ranked first.
    let d = ev.results.column("discrimination_score_l1").unwrap();
    assert!(d.values.iter().any(|v| v.unwrap() < 1.0));

    let (real, _) = load("synthetic");
    let base_pred = baseline::cell_eval_mean(&real, "non-targeting").unwrap();
    let base = evaluate(&real, &base_pred, "non-targeting", Options::default()).unwrap();
    check_results(&base.results, "synthetic_base_results.tsv");

    let scores = score(&ev.summary, &base.summary).unwrap();
    let (_, rows) = table("synthetic_score.tsv");
    assert_eq!(scores.len(), rows.len());
    for (s, r) in scores.iter().zip(&rows) {
        assert_eq!(s.metric, r[0]);
        let w: f64 = r[1].parse().unwrap();
        assert!(
            close(w, s.from_baseline, 1e-9),
            "score {}: cell-eval {w}, ours {}",
            s.metric,
            s.from_baseline
        );
    }
}

#[test]
fn normalisation_equals_scanpy() {
    let (real, _) = load("kang_bcell");
    let norm = real.normalised().unwrap();
    let (head, rows) = table("kang_bcell_scanpy_lognorm.tsv");
    assert_eq!(rows.len(), norm.n_cells());
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], norm.cells[i]);
        for (k, g) in head.iter().enumerate().skip(1) {
            let j = norm.genes.iter().position(|x| x == g).unwrap();
            let w: f64 = r[k].parse().unwrap();
            assert!(
                close(w, norm.x[[i, j]], 1e-12),
                "{} {g}: scanpy {w}, ours {}",
                r[0],
                norm.x[[i, j]]
            );
        }
    }
    // Log-normalised input is taken as is.
    assert_eq!(norm.normalised().unwrap(), norm);
}
