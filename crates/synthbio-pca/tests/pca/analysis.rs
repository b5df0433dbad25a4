//! The `pca` analysis over a dataset with latents, its errors and its report.

use ndarray::{array, Array2};
use synthbio_core::{
    Analysis, Dataset, DynAnalysis, Figure, LatentBlock, Latents, MetadataTable, Report,
};
use synthbio_pca::{pca_latents, FitOptions, Pca, PcaError, PcaModel, PcaParams};

fn latents(n: usize) -> Latents {
    let f = |a: f64, b: f64| {
        Array2::from_shape_fn((n, 3), |(i, j)| {
            ((i * (j + 2)) as f64 * a).sin() + b * j as f64
        })
    };
    Latents {
        biological: f(0.7, 0.1),
        technical: f(1.3, 0.0),
        perturbation: f(0.3, 2.0),
    }
}

fn dataset(n: usize) -> Dataset {
    let ids = Dataset::default_sample_ids(n);
    let mut meta = MetadataTable::new(n);
    meta.set_column(
        "sex",
        (0..n)
            .map(|i| Some(if i % 2 == 0 { "female" } else { "male" }.to_string()))
            .collect(),
    )
    .unwrap();
    Dataset::new(
        Array2::from_elem((n, 2), 5u32),
        vec!["g1".into(), "g2".into()],
        ids,
    )
    .unwrap()
    .with_metadata(meta)
    .unwrap()
    .with_latents(latents(n))
    .unwrap()
}

#[test]
fn joined_blocks_are_one_pca_on_the_concatenation() {
    let data = dataset(8);
    let out = Pca.run(&data, &PcaParams::default()).unwrap();
    assert_eq!(out.fits.len(), 1);
    assert_eq!(out.fits[0].label(), "biological+technical+perturbation");
    let joined = data.latents().unwrap().joined(&LatentBlock::ALL);
    let direct = PcaModel::fit(joined.view(), &FitOptions::default()).unwrap();
    assert_eq!(out.fits[0].model, direct);
    assert_eq!(out.fits[0].scores.dim(), (8, 8));
}

#[test]
fn per_block_fits_each_block() {
    let data = dataset(6);
    let params = PcaParams {
        blocks: vec![LatentBlock::Technical, LatentBlock::Biological],
        per_block: true,
        n_components: Some(2),
        standardize: true,
        color_by: Some("sex".into()),
        ..PcaParams::default()
    };
    let out = Pca.run(&data, &params).unwrap();
    let labels: Vec<_> = out.fits.iter().map(|f| f.label()).collect();
    assert_eq!(labels, ["technical", "biological"]);
    let tech = PcaModel::fit(data.latents().unwrap().technical.view(), &params.options()).unwrap();
    assert_eq!(out.fits[0].model, tech);
    // Report: a row per fit and component, a scatter (coloured by sex) and bars per fit.
    let table = out.table();
    assert_eq!(table.rows.len(), 4);
    assert_eq!(table.columns[4], "explained_variance_ratio");
    let section = out.section();
    assert_eq!(section.figures.len(), 4);
    match &section.figures[0] {
        Figure::Scatter {
            groups: Some(g), x, ..
        } => {
            assert_eq!(g[1], "male");
            assert_eq!(x, &out.fits[0].scores.column(0).to_vec());
        }
        other => panic!("expected a scatter, got {other:?}"),
    }
    assert_eq!(section.tables[1].1.rows.len(), 12);
}

#[test]
fn errors_name_the_problem() {
    let no_latents = Dataset::new(
        array![[1u32], [2]],
        vec!["g".into()],
        vec!["a".into(), "b".into()],
    )
    .unwrap();
    let err = Pca.run(&no_latents, &PcaParams::default()).unwrap_err();
    assert_eq!(err, PcaError::NoLatents);
    assert!(err.to_string().contains("metadata prediction"));

    let data = dataset(5);
    let run = |params: PcaParams| Pca.run(&data, &params).unwrap_err();
    assert_eq!(
        run(PcaParams {
            blocks: vec![],
            ..PcaParams::default()
        }),
        PcaError::NoBlocks
    );
    assert_eq!(
        run(PcaParams {
            blocks: vec![LatentBlock::Technical, LatentBlock::Technical],
            ..PcaParams::default()
        }),
        PcaError::DuplicateBlock("technical".into())
    );
    assert_eq!(
        run(PcaParams {
            color_by: Some("tissue".into()),
            ..PcaParams::default()
        }),
        PcaError::UnknownMetadata("tissue".into())
    );
    assert!(matches!(
        run(PcaParams {
            n_components: Some(6),
            ..PcaParams::default()
        }),
        PcaError::TooManyComponents {
            requested: 6,
            max: 5,
            ..
        }
    ));
    let one = dataset(1);
    assert_eq!(
        Pca.run(&one, &PcaParams::default()).unwrap_err(),
        PcaError::TooFewSamples { found: 1 }
    );
    let mut bad = latents(4);
    bad.technical[[2, 1]] = f64::INFINITY;
    assert!(matches!(
        pca_latents(
            &bad,
            &[LatentBlock::Technical],
            false,
            &FitOptions::default()
        ),
        Err(PcaError::NonFinite {
            row: 2,
            column: 1,
            ..
        })
    ));
    let model = PcaModel::fit(latents(4).biological.view(), &FitOptions::default()).unwrap();
    assert_eq!(
        model.transform(Array2::zeros((1, 4)).view()).unwrap_err(),
        PcaError::FeatureMismatch {
            expected: 3,
            found: 4
        }
    );
}

#[test]
fn runs_through_the_dynamic_registry_with_json_params() {
    let data = dataset(7);
    let defaults = DynAnalysis::default_params(&Pca);
    assert_eq!(
        defaults["blocks"],
        serde_json::json!(["biological", "technical", "perturbation"])
    );
    assert_eq!(defaults["solver"], "auto");
    let report = Pca
        .run_json(&data, serde_json::json!({"blocks": ["perturbation"], "n_components": 2, "solver": "randomized"}))
        .unwrap();
    assert_eq!(report.table().rows.len(), 2);
    let Err(err) = Pca.run_json(&data, serde_json::json!({"n_componets": 2})) else {
        panic!("a misspelt parameter must be refused");
    };
    assert!(err.to_string().contains("n_componets"), "{err}");
}
