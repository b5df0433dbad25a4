//! The linear-model path against limma and edgeR themselves: golden files written by
//! `golden/make_limma_golden.R` (limma 3.54, edgeR 3.40 from Debian).

use crate::common::{airway, assert_close, parse_r, Golden};
use ndarray::Array2;
use synthbio_core::{Dataset, MetadataTable};
use synthbio_de::{
    design_de, ebayes, filter_by_expr, fit_f_dist, lm_fit, DeError, Design, DesignDe,
    DesignDeParams, EBayesOptions, FilterParams, Tested, Transform, DEFAULT_WINSOR_TAIL_P,
};

/// t, p, logFC, B: relative agreement with limma (absolute floor for values near 0).
pub(crate) const REL: f64 = 1e-8;
pub(crate) const ABS: f64 = 1e-12;

pub(crate) fn golden(name: &str) -> Golden {
    let text = match name {
        "filter" => include_str!("../golden/limma_filter_by_expr.tsv"),
        "trend" => include_str!("../golden/limma_paired_trend.tsv"),
        "plain" => include_str!("../golden/limma_paired_plain.tsv"),
        "voom" => include_str!("../golden/limma_paired_voom.tsv"),
        "numeric" => include_str!("../golden/limma_numeric_covariate.tsv"),
        "contrast" => include_str!("../golden/limma_two_group_contrast.tsv"),
        "infinite" => include_str!("../golden/limma_infinite_df.tsv"),
        "infinite_input" => include_str!("../golden/limma_infinite_df_input.tsv"),
        "fit_f_dist" => include_str!("../golden/limma_fit_f_dist.tsv"),
        "rank" => include_str!("../golden/limma_rank_deficient.tsv"),
        "robust" => include_str!("../golden/limma_paired_robust.tsv"),
        "trend_robust" => include_str!("../golden/limma_paired_trend_robust.tsv"),
        "trend_robust_winsor" => include_str!("../golden/limma_paired_trend_robust_winsor.tsv"),
        "voom_robust" => include_str!("../golden/limma_paired_voom_robust.tsv"),
        "fit_f_dist_robustly" => include_str!("../golden/limma_fit_f_dist_robustly.tsv"),
        _ => unreachable!(),
    };
    let g = Golden::parse(text);
    assert!(
        g.versions.contains("limma 3.") && g.versions.contains("edgeR"),
        "{}",
        g.versions
    );
    g
}

fn reference(col: &str, level: &str) -> Vec<(String, String)> {
    vec![(col.to_string(), level.to_string())]
}

/// Compares a result with a topTable golden: genes, every column, the prior.
pub(crate) fn check_top(got: &DesignDe, want: &Golden, what: &str) {
    assert_eq!(got.gene_ids, want.text("gene_id"), "{what}: genes");
    let col = |f: fn(&synthbio_de::TopRow) -> f64| got.rows.iter().map(f).collect::<Vec<f64>>();
    assert_close(
        &col(|r| r.log_fc),
        &want.col("logFC"),
        ABS,
        REL,
        &format!("{what} logFC"),
    );
    assert_close(
        &col(|r| r.ave_expr),
        &want.col("AveExpr"),
        ABS,
        REL,
        &format!("{what} AveExpr"),
    );
    assert_close(
        &col(|r| r.t),
        &want.col("t"),
        ABS,
        REL,
        &format!("{what} t"),
    );
    assert_close(
        &col(|r| r.p_value),
        &want.col("P.Value"),
        1e-15,
        REL,
        &format!("{what} P.Value"),
    );
    assert_close(
        &col(|r| r.adj_p_value),
        &want.col("adj.P.Val"),
        1e-15,
        REL,
        &format!("{what} adj.P.Val"),
    );
    assert_close(
        &col(|r| r.b),
        &want.col("B"),
        ABS,
        REL,
        &format!("{what} B"),
    );
    assert_close(
        &got.df_prior,
        &want.col("df.prior"),
        0.0,
        REL,
        &format!("{what} df.prior"),
    );
    assert_close(
        &got.df_total,
        &want.col("df.total"),
        0.0,
        REL,
        &format!("{what} df.total"),
    );
    let d0 = want.meta_f64("df.prior");
    if d0.is_infinite() {
        assert!(
            got.prior.df_prior.is_infinite(),
            "{what}: d0 {}",
            got.prior.df_prior
        );
    } else {
        approx::assert_relative_eq!(got.prior.df_prior, d0, max_relative = REL);
    }
    approx::assert_relative_eq!(
        got.prior.var_prior,
        want.meta_f64("s2.prior.median"),
        max_relative = REL
    );
}

pub(crate) fn params(
    design: Design,
    coef: &str,
    transform: Transform,
    trend: bool,
    filter: bool,
) -> DesignDeParams {
    DesignDeParams {
        design,
        tested: Tested::Coef(coef.into()),
        transform,
        trend,
        robust: false,
        winsor_tail_p: DEFAULT_WINSOR_TAIL_P,
        filter: filter.then(FilterParams::default),
    }
}

pub(crate) fn paired(data: &Dataset) -> Design {
    Design::from_formula(data.metadata(), "~ cell + dex", &reference("dex", "untrt")).unwrap()
}

#[test]
fn filter_by_expr_matches_edger() {
    let data = airway();
    let design = paired(&data);
    let keep = filter_by_expr(
        data.counts().mapv(f64::from).view(),
        &design,
        &FilterParams::default(),
    )
    .unwrap();
    let g = golden("filter");
    assert_eq!(g.text("gene_id"), data.gene_ids());
    let want: Vec<bool> = g.text("keep").iter().map(|k| k == "TRUE").collect();
    assert_eq!(keep, want);
    // Some genes go, some stay: the comparison can fail both ways.
    assert!(keep.iter().any(|k| *k) && keep.iter().any(|k| !*k));
}

#[test]
fn paired_design_limma_trend_matches_limma() {
    let data = airway();
    let design = paired(&data);
    assert_eq!(
        design.columns,
        [
            "(Intercept)",
            "cellN061011",
            "cellN080611",
            "cellN61311",
            "dextrt"
        ]
    );
    // filterByExpr is part of the run here: the genes tested are limma's.
    let got = design_de(
        &data,
        &params(design, "dextrt", Transform::LogCpm, true, true),
    )
    .unwrap();
    check_top(&got, &golden("trend"), "trend");
    assert!(got.method.contains("filterByExpr kept"));
}

#[test]
fn paired_design_plain_ebayes_matches_limma() {
    let data = airway();
    let got = design_de(
        &data,
        &params(paired(&data), "dextrt", Transform::LogCpm, false, true),
    )
    .unwrap();
    check_top(&got, &golden("plain"), "plain");
}

#[test]
fn paired_design_voom_matches_limma() {
    let data = airway();
    let got = design_de(
        &data,
        &params(paired(&data), "dextrt", Transform::Voom, false, true),
    )
    .unwrap();
    check_top(&got, &golden("voom"), "voom");
}

#[test]
fn numeric_covariate_design_matches_limma() {
    let data = airway();
    let design = Design::from_formula(
        data.metadata(),
        "~ avgLength + dex",
        &reference("dex", "untrt"),
    )
    .unwrap();
    assert_eq!(design.columns, ["(Intercept)", "avgLength", "dextrt"]);
    assert_eq!(design.matrix[[3, 1]], 87.0);
    let got = design_de(
        &data,
        &params(design, "dextrt", Transform::LogCpm, false, true),
    )
    .unwrap();
    check_top(&got, &golden("numeric"), "numeric");
}

#[test]
fn group_means_design_with_a_contrast_matches_limma() {
    let data = airway();
    let design = Design::from_formula(data.metadata(), "~ 0 + dex", &[]).unwrap();
    assert_eq!(design.columns, ["dextrt", "dexuntrt"]);
    let p = DesignDeParams {
        tested: Tested::Contrast("dextrt=1,dexuntrt=-1".into()),
        ..params(design.clone(), "", Transform::LogCpm, true, true)
    };
    let got = design_de(&data, &p).unwrap();
    check_top(&got, &golden("contrast"), "contrast");
    // The same contrast as a vector.
    let p = DesignDeParams {
        tested: Tested::Contrast("1,-1".into()),
        ..params(design, "", Transform::LogCpm, true, true)
    };
    check_top(
        &design_de(&data, &p).unwrap(),
        &golden("contrast"),
        "contrast vector",
    );
}

#[test]
fn infinite_prior_df_uses_the_mean_variance_as_limma_now_does() {
    let input = golden("infinite_input");
    let samples = ["c1", "c2", "c3", "t1", "t2", "t3"];
    let cols: Vec<Vec<f64>> = samples.iter().map(|s| input.col(s)).collect();
    let y = Array2::from_shape_fn((6, cols[0].len()), |(i, j)| cols[i][j]);
    let mut meta = MetadataTable::new(6);
    let grp = samples.iter().map(|s| {
        Some(
            if s.starts_with('c') {
                "control"
            } else {
                "case"
            }
            .to_string(),
        )
    });
    meta.set_column("grp", grp.collect()).unwrap();
    let design = Design::from_formula(&meta, "~ grp", &reference("grp", "control")).unwrap();
    assert_eq!(design.columns, ["(Intercept)", "grpcase"]);
    let fit = ebayes(
        lm_fit(y.view(), &design, None).unwrap(),
        &EBayesOptions::default(),
    )
    .unwrap();
    let want = golden("infinite");
    assert!(want.meta_f64("df.prior").is_infinite());
    assert!(fit.prior.df_prior.is_infinite());
    // limma >= 3.19.11: s0^2 = mean(s^2) = 0.5 (the old branch gave 0.655).
    approx::assert_relative_eq!(
        fit.prior.var_prior,
        want.meta_f64("s2.prior.median"),
        max_relative = 1e-12
    );
    approx::assert_relative_eq!(fit.prior.var_prior, 0.5, max_relative = 1e-12);
    let top = fit.top_table(1).unwrap();
    let col = |f: fn(&synthbio_de::TopRow) -> f64| top.iter().map(f).collect::<Vec<f64>>();
    assert_close(&col(|r| r.log_fc), &want.col("logFC"), ABS, REL, "logFC");
    assert_close(&col(|r| r.t), &want.col("t"), ABS, REL, "t");
    assert_close(
        &col(|r| r.p_value),
        &want.col("P.Value"),
        1e-15,
        REL,
        "P.Value",
    );
    assert_close(&col(|r| r.b), &want.col("B"), ABS, REL, "B");
}

#[test]
fn fit_f_dist_matches_limma() {
    let g = golden("fit_f_dist");
    for (df, (var, (d0, s0))) in g.col("df1").iter().zip(
        g.text("var")
            .iter()
            .zip(g.col("df2").into_iter().zip(g.col("scale"))),
    ) {
        let var: Vec<f64> = var.split(',').map(parse_r).collect();
        let got = fit_f_dist(&var, *df);
        if d0.is_infinite() {
            assert!(got.df_prior.is_infinite(), "{got:?}");
        } else {
            approx::assert_relative_eq!(got.df_prior, d0, max_relative = 1e-8);
        }
        approx::assert_relative_eq!(got.var_prior, s0, max_relative = 1e-10);
    }
}

#[test]
fn rank_deficient_design_names_the_columns_limma_cannot_estimate() {
    let data = airway();
    let mut meta = data.metadata().clone();
    let lane = meta
        .column("dex")
        .unwrap()
        .iter()
        .map(|d| {
            d.as_deref()
                .map(|d| if d == "trt" { "A" } else { "B" }.to_string())
        })
        .collect();
    meta.set_column("lane", lane).unwrap();
    let design = Design::from_formula(&meta, "~ dex + lane", &reference("dex", "untrt")).unwrap();
    let values = data.counts().mapv(|c| f64::from(c + 1).ln());
    let err = lm_fit(values.view(), &design, None).unwrap_err();
    let want: Vec<String> = golden("rank").columns;
    match &err {
        DeError::RankDeficient { dependent, .. } => assert_eq!(dependent, &want),
        e => panic!("{e}"),
    }
    assert!(err.to_string().contains("laneB"), "{err}");
}

#[test]
fn voom_weights_match_limma() {
    let data = airway();
    let design = paired(&data);
    let counts = data.counts().mapv(f64::from);
    let lib: Vec<f64> = counts.rows().into_iter().map(|r| r.sum()).collect();
    let want = Golden::parse(include_str!("../golden/limma_paired_voom_weights.tsv"));
    let ids = want.text("gene_id");
    let cols: Vec<usize> = ids
        .iter()
        .map(|id| data.gene_ids().iter().position(|g| g == id).unwrap())
        .collect();
    let kept = counts.select(ndarray::Axis(1), &cols);
    let v = synthbio_de::voom(kept.view(), &design, Some(&lib)).unwrap();
    for (i, s) in data.sample_ids().iter().enumerate() {
        let got: Vec<f64> = v.weights.row(i).to_vec();
        assert_close(
            &got,
            &want.col(s),
            0.0,
            REL,
            &format!("voom weights of {s}"),
        );
    }
}

#[test]
fn the_two_group_analysis_can_filter_and_lists_every_gene() {
    let data = airway();
    let mut params = synthbio_de::DeParams::new("dex", "trt", "untrt");
    params.filter = Some(FilterParams::default());
    let got = synthbio_de::de_dataset(&data, &params).unwrap();
    // The groups' design (~ dex) keeps the genes limma's ~ 0 + dex filter keeps.
    let kept = golden("contrast").text("gene_id");
    assert_eq!(got.genes.len(), data.n_genes());
    assert_eq!(got.n_filtered, data.n_genes() - kept.len());
    let tested: Vec<String> = got
        .genes
        .iter()
        .filter(|g| g.test.t.is_some())
        .map(|g| g.gene_id.clone())
        .collect();
    assert_eq!(tested, kept);
    // Plain eBayes on the kept genes: limma's t of ~ dex equals the contrast's only with a
    // trend-free prior, so compare the prior-free part: the fold changes.
    let want_fc = golden("contrast").col("logFC");
    let got_fc: Vec<f64> = got
        .genes
        .iter()
        .filter(|g| g.test.t.is_some())
        .map(|g| g.log2_fc)
        .collect();
    assert_close(&got_fc, &want_fc, ABS, REL, "two-group logFC");
}

#[test]
fn the_paired_analysis_of_two_groups_is_limma_trend_on_donor_plus_group() {
    let data = airway();
    let groups = synthbio_de::Groups::from_metadata(&data, "dex", "trt", "untrt").unwrap();
    let got = synthbio_de::de_paired(
        &data,
        &groups,
        "cell",
        Transform::LogCpm,
        Some(FilterParams::default()),
        false,
    )
    .unwrap();
    assert_eq!(got.tested, "groupcase");
    assert_eq!(got.design_columns.last().unwrap(), "groupcase");
    check_top(&got, &golden("trend"), "paired");
    let robust = synthbio_de::de_paired(
        &data,
        &groups,
        "cell",
        Transform::LogCpm,
        Some(FilterParams::default()),
        true,
    )
    .unwrap();
    check_top(&robust, &golden("trend_robust"), "paired, robust");
    let err =
        synthbio_de::de_paired(&data, &groups, "donor", Transform::Voom, None, false).unwrap_err();
    assert!(matches!(err, DeError::UnknownColumn { .. }), "{err}");
}
