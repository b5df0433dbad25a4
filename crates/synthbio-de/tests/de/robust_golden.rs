//! limma's robust empirical Bayes (`eBayes(robust = TRUE)`, `fitFDistRobustly`) against
//! limma itself (`golden/make_limma_golden.R`, cases 10 to 12).

use crate::common::{airway, assert_close};
use crate::limma_golden::{check_top, golden, paired, params, REL};
use synthbio_de::{
    de_paired, design_de, fit_f_dist_robustly, squeeze_var_robust, DeTest, DesignDeParams,
    FilterParams, Groups, Transform, DEFAULT_WINSOR_TAIL_P,
};

fn robust(transform: Transform, trend: bool) -> DesignDeParams {
    let data = airway();
    DesignDeParams {
        robust: true,
        ..params(paired(&data), "dextrt", transform, trend, true)
    }
}

#[test]
fn paired_design_robust_ebayes_matches_limma() {
    let got = design_de(&airway(), &robust(Transform::LogCpm, false)).unwrap();
    let want = golden("robust");
    check_top(&got, &want, "robust");
    // Outliers get fewer prior df than the typical genes: the comparison of the per-gene
    // df.prior above is not of one repeated value.
    let d0 = got.prior.df_prior;
    assert!(got.df_prior.iter().any(|&d| d < d0 - 0.1), "{d0}");
    assert!(got.df_prior.contains(&d0));
    assert!(got.method.contains("(robust)"), "{}", got.method);
    // Robust differs from plain eBayes (same fit, other prior).
    let plain = golden("plain").col("t");
    assert!(got
        .rows
        .iter()
        .zip(&plain)
        .any(|(r, p)| (r.t - p).abs() > 1e-3));
}

#[test]
fn paired_design_limma_trend_robust_matches_limma() {
    // The trend case runs limma's root search for d0 (uniroot) and the lowess trend.
    let got = design_de(&airway(), &robust(Transform::LogCpm, true)).unwrap();
    check_top(&got, &golden("trend_robust"), "trend robust");
}

#[test]
fn other_winsorizing_tails_match_limma() {
    let params = DesignDeParams {
        winsor_tail_p: [0.1, 0.2],
        ..robust(Transform::LogCpm, true)
    };
    let got = design_de(&airway(), &params).unwrap();
    let want = golden("trend_robust_winsor");
    check_top(&got, &want, "trend robust, winsor.tail.p = c(0.1, 0.2)");
    // The tails change the prior: the default tails' golden differs.
    let default_tails = golden("trend_robust").col("df.prior");
    assert!(want
        .col("df.prior")
        .iter()
        .zip(&default_tails)
        .any(|(a, b)| (a - b).abs() > 1e-6));
    for bad in [[0.0, 0.1], [0.05, 0.5], [f64::NAN, 0.1]] {
        let params = DesignDeParams {
            winsor_tail_p: bad,
            ..robust(Transform::LogCpm, true)
        };
        let err = design_de(&airway(), &params).unwrap_err().to_string();
        assert!(
            err.contains("winsor_tail_p") && err.contains("0.05, 0.1"),
            "{err}"
        );
    }
}

#[test]
fn paired_design_voom_robust_matches_limma() {
    let got = design_de(&airway(), &robust(Transform::Voom, false)).unwrap();
    check_top(&got, &golden("voom_robust"), "voom robust");
}

#[test]
fn fit_f_dist_robustly_matches_limma_in_each_branch() {
    let g = golden("fit_f_dist_robustly");
    let cases = g.text("case");
    let mut names = cases.clone();
    names.dedup();
    assert_eq!(names, ["a", "b", "c"]);
    for name in names {
        let rows: Vec<usize> = (0..cases.len()).filter(|&k| cases[k] == name).collect();
        let pick = |col: &str| -> Vec<f64> {
            let all = g.col(col);
            rows.iter().map(|&k| all[k]).collect()
        };
        let var = pick("var");
        let df1 = pick("df1")[0];
        let covariate = pick("covariate");
        let covariate = (!covariate[0].is_nan()).then_some(covariate.as_slice());
        let got = fit_f_dist_robustly(&var, df1, covariate, DEFAULT_WINSOR_TAIL_P).unwrap();
        let df2 = pick("df2")[0];
        if df2.is_infinite() {
            assert!(got.df2.is_infinite(), "{name}: df2 {}", got.df2);
        } else {
            approx::assert_relative_eq!(got.df2, df2, max_relative = REL);
        }
        let scale = pick("scale");
        let got_scale: Vec<f64> = (0..var.len())
            .map(|k| got.scale[if got.scale.len() == 1 { 0 } else { k }])
            .collect();
        assert_close(&got_scale, &scale, 0.0, REL, &format!("{name} scale"));
        let want = pick("df2.shrunk");
        assert_close(
            &got.df2_shrunk,
            &want,
            0.0,
            REL,
            &format!("{name} df2.shrunk"),
        );
        // Every case has outliers, shrunk below the typical df.
        assert!(want.iter().any(|&d| d < df2), "{name}");
    }
}

#[test]
fn robust_prior_refuses_what_limma_refuses() {
    // More than half the variances zero: limma stops ("Variances are mostly <= 0").
    let err = squeeze_var_robust(&[0.0, 0.0, 0.0, 0.1, 0.2], 3.0, None, DEFAULT_WINSOR_TAIL_P)
        .unwrap_err();
    assert!(err.to_string().contains("robust"), "{err}");
    assert!(err.to_string().contains("filterByExpr"), "{err}");
    assert!(squeeze_var_robust(&[0.1], 3.0, None, DEFAULT_WINSOR_TAIL_P).is_err());
    let err =
        squeeze_var_robust(&[0.1, f64::NAN, 0.3], 3.0, None, DEFAULT_WINSOR_TAIL_P).unwrap_err();
    assert!(err.to_string().contains("gene 1"), "{err}");
    let err = fit_f_dist_robustly(
        &[0.1, 0.2, 0.3],
        3.0,
        Some(&[1.0, 2.0]),
        DEFAULT_WINSOR_TAIL_P,
    )
    .unwrap_err();
    assert!(err.to_string().contains("covariate"), "{err}");
    let err = fit_f_dist_robustly(
        &[0.1, 0.2, 0.3],
        3.0,
        Some(&[1.0, f64::INFINITY, 2.0]),
        DEFAULT_WINSOR_TAIL_P,
    );
    let err = err.unwrap_err().to_string();
    assert!(err.contains("covariate at gene 1"), "{err}");
    // Fewer than 10 genes: both Winsorized tails are below 1/n, the plain prior (limma).
    let var = [0.1, 0.2, 0.3, 0.25, 0.15, 0.4, 0.05, 0.5, 0.12];
    let robust = squeeze_var_robust(&var, 3.0, None, DEFAULT_WINSOR_TAIL_P).unwrap();
    let plain = synthbio_de::squeeze_var(&var, 3.0, None);
    assert_eq!(robust.var_post, plain.var_post);
}

#[test]
fn the_paired_result_converts_to_the_two_group_shape() {
    let data = airway();
    let groups = Groups::from_metadata(&data, "dex", "trt", "untrt").unwrap();
    let paired = de_paired(
        &data,
        &groups,
        "cell",
        Transform::LogCpm,
        Some(FilterParams::default()),
        false,
    )
    .unwrap();
    let de = paired.to_de_result(&groups);
    assert_eq!(de.test, DeTest::Moderated);
    assert_eq!(de.groups, groups);
    assert_eq!(de.genes.len(), paired.rows.len());
    assert_eq!(de.n_filtered + de.genes.len(), data.n_genes());
    let want = golden("trend");
    let ids: Vec<String> = de.genes.iter().map(|g| g.gene_id.clone()).collect();
    assert_eq!(ids, want.text("gene_id"));
    let col = |f: fn(&synthbio_de::DeGene) -> f64| de.genes.iter().map(f).collect::<Vec<f64>>();
    assert_close(&col(|g| g.log2_fc), &want.col("logFC"), 1e-12, REL, "logFC");
    assert_close(&col(|g| g.test.t.unwrap()), &want.col("t"), 1e-12, REL, "t");
    assert_close(
        &col(|g| g.test.p_value.unwrap()),
        &want.col("P.Value"),
        1e-15,
        REL,
        "p",
    );
    assert_close(
        &col(|g| g.adj_p_value.unwrap()),
        &want.col("adj.P.Val"),
        1e-15,
        REL,
        "adj p",
    );
    assert_close(
        &col(|g| g.test.df.unwrap()),
        &want.col("df.total"),
        0.0,
        REL,
        "df",
    );
    assert!(!de.significant(0.05).is_empty());
}
