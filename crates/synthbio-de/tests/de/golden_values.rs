//! Tests, BH, fold changes, benchmark metrics and special functions against scipy.

use crate::common::{airway, assert_close, assert_close_opt, expected, numbers, options};
use approx::{assert_abs_diff_eq, assert_relative_eq};
use serde_json::Value;
use synthbio_core::{Cell, Dataset, DynAnalysis};
use synthbio_de::special::{tetragamma, trigamma, trigamma_inverse};
use synthbio_de::{
    de_dataset, differential_expression, log2_fold_change, perturbation_benchmark,
    reference_fold_changes, De, DeParams, DeResult, DeTest, Groups, Metrics, ScopedMetrics,
    VOLCANO_COLUMNS,
};
use synthbio_normalize::{normalize_dataset, Method, NormalizeParams};

/// Values computed the same way (means, logs): agreement to rounding.
const EXACT: f64 = 1e-10;
/// t statistics and p-values (statrs' incomplete beta vs scipy's): relative.
const REL_T: f64 = 1e-9;
const REL_P: f64 = 1e-8;

fn check_de(got: &DeResult, want: &Value, test: &str) {
    let fc: Vec<f64> = got.genes.iter().map(|g| g.log2_fc).collect();
    assert_close(&fc, &numbers(&want["log2_fc"]), EXACT, 0.0, "log2_fc");
    let mean: Vec<f64> = got.genes.iter().map(|g| g.mean_expression).collect();
    assert_close(
        &mean,
        &numbers(&want["mean_expression"]),
        EXACT,
        0.0,
        "mean_expression",
    );
    let w = &want[test];
    let t: Vec<Option<f64>> = got.genes.iter().map(|g| g.test.t).collect();
    assert_close_opt(&t, &options(&w["t"]), 1e-9, REL_T, "t");
    let p: Vec<Option<f64>> = got.genes.iter().map(|g| g.test.p_value).collect();
    assert_close_opt(&p, &options(&w["p"]), 1e-14, REL_P, "p");
    let adj: Vec<Option<f64>> = got.genes.iter().map(|g| g.adj_p_value).collect();
    assert_close_opt(&adj, &options(&w["adj_p"]), 1e-14, REL_P, "adj_p");
    let df: Vec<Option<f64>> = got.genes.iter().map(|g| g.test.df).collect();
    match test {
        "welch" => assert_close_opt(&df, &options(&w["df"]), 1e-9, 1e-9, "df"),
        _ => {
            let prior = got.prior.unwrap();
            let d0 = w["df_prior"].as_f64().unwrap();
            assert_relative_eq!(prior.df_prior, d0, max_relative = 1e-8);
            let s0 = w["var_prior"].as_f64().unwrap();
            assert_relative_eq!(prior.var_prior, s0, max_relative = 1e-10);
            let df_total = w["df"].as_f64().unwrap();
            for d in &df {
                assert_abs_diff_eq!(d.unwrap(), df_total, epsilon = 1e-8);
            }
        }
    }
}

#[test]
fn two_group_tests_on_edger_log_cpm_match_scipy_and_limma_formulas() {
    let data = airway();
    let e = expected();
    for (test, key) in [(DeTest::Moderated, "moderated"), (DeTest::Welch, "welch")] {
        let mut params = DeParams::new("dex", "trt", "untrt");
        params.test = test;
        let got = de_dataset(&data, &params).unwrap();
        assert_eq!(
            got.groups.case,
            numbers(&e["group_a"])
                .iter()
                .map(|&x| x as usize)
                .collect::<Vec<_>>()
        );
        assert_eq!(got.scale, synthbio_core::Scale::LogCpm { prior_count: 2.0 });
        check_de(&got, &e["log_cpm"], key);
    }
}

#[test]
fn two_group_tests_on_log2_cpm_plus_one_with_explicit_groups() {
    let data = airway();
    let e = expected();
    let norm =
        normalize_dataset::<f64>(&data, &NormalizeParams::new(Method::Log2CpmPlusOne)).unwrap();
    let to_idx = |v: &Value| numbers(v).iter().map(|&x| x as usize).collect::<Vec<_>>();
    let groups = Groups::from_indices(to_idx(&e["group_a"]), to_idx(&e["group_b"]));
    for (test, key) in [(DeTest::Moderated, "moderated"), (DeTest::Welch, "welch")] {
        let got =
            differential_expression(&norm.expression, data.gene_ids(), &groups, test).unwrap();
        check_de(&got, &e["log2_cpm_plus_one"], key);
    }
}

#[test]
fn the_analysis_renders_a_volcano_table() {
    let data = airway();
    let e = expected();
    let report = De
        .run_json(
            &data,
            serde_json::json!({"group_column": "dex", "group_a": "trt", "group_b": "untrt"}),
        )
        .unwrap();
    let table = report.table();
    assert_eq!(table.columns, VOLCANO_COLUMNS);
    assert_eq!(table.rows.len(), data.n_genes());
    let want_t = options(&e["log_cpm"]["moderated"]["t"]);
    for (row, w) in table.rows.iter().zip(&want_t) {
        match (&row[3], w) {
            (Cell::Float(t), Some(w)) => {
                assert_relative_eq!(*t, *w, epsilon = 1e-9, max_relative = REL_T)
            }
            (c, w) => panic!("cell {c:?} vs {w:?}"),
        }
    }
    // Welch leaves undefined genes blank.
    let welch = De
        .run_json(
            &data,
            serde_json::json!({"group_column": "dex", "group_a": "trt", "group_b": "untrt", "test": "welch"}),
        )
        .unwrap();
    let blank = welch
        .table()
        .rows
        .iter()
        .filter(|r| r[3] == Cell::Empty)
        .count();
    let undefined = options(&e["log_cpm"]["welch"]["t"])
        .iter()
        .filter(|t| t.is_none())
        .count();
    assert_eq!(blank, undefined);
    assert!(undefined > 0, "the slice has genes without counts");
    let section = welch.section();
    assert_eq!(section.figures.len(), 2);
    assert!(section
        .paragraphs
        .iter()
        .any(|p| p.contains(&format!("{undefined} genes have zero variance"))));
    assert_eq!(section.tables.len(), 2);
}

#[test]
fn fold_changes_match_log2_cpm_plus_one_differences() {
    let data = airway();
    let e = expected();
    let fc = &e["fold_change"];
    let g = data
        .sample_position(fc["generated"].as_str().unwrap())
        .unwrap();
    let r = data
        .sample_position(fc["reference"].as_str().unwrap())
        .unwrap();
    let want = numbers(&fc["log2_fc"]);
    let plain = log2_fold_change(data.sample_counts(g), data.sample_counts(r)).unwrap();
    assert_close(&plain, &want, EXACT, 0.0, "log2_fold_change");
    // As a reference-conditioning result: generated samples point at their reference row.
    let generated = data
        .select_samples(&[g, g])
        .with_input_index(vec![0, 0])
        .unwrap();
    let generated = Dataset::new(
        generated.counts().to_owned(),
        data.gene_ids().to_vec(),
        vec!["gen1".into(), "gen2".into()],
    )
    .unwrap()
    .with_input_index(vec![0, 0])
    .unwrap();
    let references = data.select_samples(&[r]);
    let all = reference_fold_changes(&generated, &references).unwrap();
    assert_eq!(
        all.reference_ids,
        [data.sample_ids()[r].clone(), data.sample_ids()[r].clone()]
    );
    let one = all.sample(1).unwrap();
    assert_close(&one.log2_fc, &want, EXACT, 0.0, "reference_fold_changes");
    let mean = all.mean_of(&[0, 1], "mean").unwrap();
    assert_close(&mean.log2_fc, &want, EXACT, 0.0, "mean");
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    let up: Vec<String> = one.top_up(5).iter().map(|(g, _)| g.to_string()).collect();
    let down: Vec<String> = one.top_down(5).iter().map(|(g, _)| g.to_string()).collect();
    assert_eq!(up, ids(&fc["top_up"]));
    assert_eq!(down, ids(&fc["top_down"]));
}

fn check_metrics(got: &Metrics, want: &Value, what: &str) {
    assert_eq!(
        got.n_genes as u64,
        want["n_genes"].as_u64().unwrap(),
        "{what}"
    );
    for (g, key) in [(got.pearson, "pearson"), (got.spearman, "spearman")] {
        match (g, want[key].as_f64()) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{what} {key}: {g} vs {w}"),
            (g, w) => assert_eq!(g, w, "{what} {key}"),
        }
    }
    match (
        got.direction_agreement,
        want["direction_agreement"].as_f64(),
    ) {
        (Some(g), Some(w)) => assert!((g - w).abs() < 1e-15, "{what}: {g} vs {w}"),
        (g, w) => assert_eq!(g, w, "{what} direction_agreement"),
    }
    let m = want["mse"].as_f64().unwrap();
    assert!(
        (got.mse - m).abs() < 1e-12 * m.max(1.0),
        "{what}: {} vs {m}",
        got.mse
    );
}

fn check_scoped(got: &ScopedMetrics, want: &Value, what: &str) {
    check_metrics(&got.all, &want["all"], &format!("{what} all"));
    check_metrics(&got.top, &want["top"], &format!("{what} top"));
}

#[test]
fn benchmark_metrics_match_scipy_on_donor_fold_changes() {
    let e = expected();
    let b = &e["benchmark"];
    let got = perturbation_benchmark(
        &numbers(&b["predicted"]),
        &numbers(&b["observed"]),
        Some(&numbers(&b["mean_effect"])),
        b["top_n"].as_u64().unwrap() as usize,
    )
    .unwrap();
    let top: Vec<usize> = numbers(&b["top_genes"])
        .iter()
        .map(|&x| x as usize)
        .collect();
    assert_eq!(got.top_genes, top);
    check_scoped(&got.model, &b["model"], "model");
    check_scoped(&got.no_change, &b["no_change"], "no_change");
    check_scoped(
        &got.mean_effect.unwrap(),
        &b["mean_effect_baseline"],
        "mean_effect",
    );
    assert_eq!(got.no_change.all.pearson, None);
    use synthbio_core::Report;
    let t = got.table();
    assert_eq!(t.rows.len(), 6);
    assert_eq!(t.rows[2][3], Cell::Text("undefined".into()));
}

#[test]
fn special_functions_match_scipy() {
    let e = expected();
    let s = &e["special"];
    let xs = numbers(&s["x"]);
    let check = |f: &dyn Fn(f64) -> f64, key: &str, rel: f64| {
        for (x, w) in xs.iter().zip(numbers(&s[key])) {
            let g = f(*x);
            assert!((g - w).abs() <= rel * w.abs(), "{key}({x}): {g} vs {w}");
        }
    };
    check(&trigamma, "trigamma", 1e-14);
    check(&tetragamma, "tetragamma", 1e-14);
    check(&trigamma_inverse, "trigamma_inverse", 1e-10);
    check(&statrs::function::gamma::digamma, "digamma", 1e-13);
    // fitFDist itself is checked against limma (limma_golden::fit_f_dist_matches_limma).
}
