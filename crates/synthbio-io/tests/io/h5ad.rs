//! AnnData `.h5ad`: the fixtures Python's anndata wrote (tests/anndata/, golden.json
//! holds what anndata reads from them), bad inputs, and files written here, which
//! `tests/anndata/anndata_roundtrip.py check` reads back with anndata (CI runs it).

use crate::support::Dir;
use approx::assert_relative_eq;
use ndarray::{array, Array2};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use synthbio_core::{
    ClassProbabilities, Dataset, Expression, Latents, Measured, MetadataTable, Scale,
};
use synthbio_io::{
    read_counts, read_h5ad, write_counts, write_expression, write_h5ad, write_normalized,
    write_table, CountsMatrix, CountsOptions, GeneIdColumn, H5adOptions, IoError, OutputFormat,
    SourceFormat,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/anndata")
        .join(format!("{name}.h5ad"))
}

fn golden() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/anndata/golden.json"),
    )
    .expect("golden.json (written by anndata_roundtrip.py fixtures)");
    serde_json::from_str(&text).expect("valid JSON")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

fn matrix(v: &Value) -> Array2<u32> {
    let rows: Vec<Vec<u32>> = v
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("a row")
                .iter()
                .map(|x| u32::try_from(x.as_u64().expect("a count")).expect("fits"))
                .collect()
        })
        .collect();
    let (n, g) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, g), rows.concat()).expect("rectangular")
}

fn read(name: &str, options: &H5adOptions) -> Result<Dataset, IoError> {
    read_h5ad(&fixture(name), options).map(|(d, _)| d)
}

/// Every fixture with counts reads, with default options, as anndata reads it: counts,
/// ids, and each obs column (text exactly, numbers to 1e-12, missing as missing).
#[test]
fn fixtures_read_as_anndata_reads_them() {
    let golden = golden();
    let cases = golden.as_object().expect("an object");
    assert!(cases.len() >= 6);
    for (name, case) in cases {
        if case["counts_from"] == "none" {
            continue;
        }
        let (data, detected) = read_h5ad(&fixture(name), &H5adOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(data.counts(), matrix(&case["counts"]), "{name}");
        assert_eq!(data.gene_ids(), strings(&case["gene_ids"]), "{name}");
        assert_eq!(data.sample_ids(), strings(&case["sample_ids"]), "{name}");
        assert_eq!(detected.format, SourceFormat::AnnData);
        let from = case["counts_from"].as_str().expect("text");
        let label = match from {
            "layers/counts" => "layers[\"counts\"]",
            "raw/X" => "raw.X",
            other => other,
        };
        let source = detected.source.clone().expect("the source is stated");
        assert!(
            source.starts_with(&format!("counts from {label} (detected)")),
            "{name}: {source}"
        );
        let obs = case["obs"].as_object().expect("obs");
        assert_eq!(
            data.metadata().keys().count(),
            obs.len(),
            "{name}: every obs column becomes metadata"
        );
        for (column, spec) in obs {
            let got = data
                .metadata()
                .column(column)
                .unwrap_or_else(|| panic!("{name}: {column}"));
            let want = spec["values"].as_array().expect("values");
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                match (g, w) {
                    (None, Value::Null) => {}
                    (Some(g), Value::String(w)) => assert_eq!(g, w, "{name}/{column}"),
                    (Some(g), Value::Number(w)) => assert_relative_eq!(
                        g.parse::<f64>().expect("a number"),
                        w.as_f64().expect("f64"),
                        max_relative = 1e-12
                    ),
                    _ => panic!("{name}/{column}: {g:?} against {w}"),
                }
            }
        }
    }
}

#[test]
fn symbols_index_detects_the_ensembl_column_or_uses_the_index_when_asked() {
    let (_, detected) = read_h5ad(&fixture("csr_symbols"), &H5adOptions::default()).unwrap();
    assert!(detected.source.unwrap().ends_with(
        "gene ids from var column \"gene_ids\" (detected: the index holds no Ensembl ids)"
    ));
    let index = read(
        "csr_symbols",
        &H5adOptions::default().with_gene_ids(GeneIdColumn::Index),
    )
    .unwrap();
    assert_eq!(index.gene_ids()[..3], ["TSPAN6", "TNMD", "DPM1"]);
    let err = read(
        "csr_symbols",
        &H5adOptions::default().with_gene_ids(GeneIdColumn::Column("ensembl".into())),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("var has no column \"ensembl\" (its columns: gene_ids)")
            && err.contains("--gene-id-column"),
        "{err}"
    );
}

#[test]
fn a_chosen_matrix_is_read_and_checked_as_counts() {
    let layer = read(
        "layers_counts",
        &H5adOptions::default().with_matrix("counts".parse().unwrap()),
    )
    .unwrap();
    let golden = golden();
    assert_eq!(layer.counts(), matrix(&golden["layers_counts"]["counts"]));
    // X of that file is log-normalized: refused, naming the matrix, a cell and a gene.
    let err = read(
        "layers_counts",
        &H5adOptions::default().with_matrix(CountsMatrix::X),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains(": X holds "), "{err}");
    assert!(
        err.contains("for cell SRR1039508, gene ENSG00000000003, which is not a whole number"),
        "{err}"
    );
    assert!(
        err.contains("--layer (this file has: X, layers[\"counts\"])"),
        "{err}"
    );
    // raw.X holds all 10 genes; X only 6.
    let raw = read(
        "raw_counts",
        &H5adOptions::default().with_matrix(CountsMatrix::RawX),
    )
    .unwrap();
    assert_eq!(raw.n_genes(), 10);
    let unknown = read(
        "raw_counts",
        &H5adOptions::default().with_matrix("layers/spliced".parse().unwrap()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        unknown.contains("has no layers[\"spliced\"]; its matrices are X, raw.X"),
        "{unknown}"
    );
}

#[test]
fn normalized_x_without_raw_counts_is_refused_with_the_fix() {
    let err = read("normalized_only", &H5adOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("X looks normalized"), "{err}");
    assert!(err.contains("adata.layers[\"counts\"]"), "{err}");
}

#[test]
fn counts_matrix_names_parse() {
    for (text, want) in [
        ("X", CountsMatrix::X),
        ("raw.X", CountsMatrix::RawX),
        ("raw/X", CountsMatrix::RawX),
        ("auto", CountsMatrix::Auto),
        ("counts", CountsMatrix::Layer("counts".into())),
        ("layers/counts", CountsMatrix::Layer("counts".into())),
        ("layers[\"spliced\"]", CountsMatrix::Layer("spliced".into())),
    ] {
        assert_eq!(text.parse::<CountsMatrix>().unwrap(), want, "{text}");
    }
}

#[test]
fn read_counts_takes_h5ad_by_extension_and_by_signature() {
    let golden = golden();
    let (data, detected) = read_counts(&fixture("dense_int"), &CountsOptions::default()).unwrap();
    assert_eq!(data.counts(), matrix(&golden["dense_int"]["counts"]));
    assert!(
        detected.to_string().starts_with(
            "10 genes x 8 samples (samples as rows, AnnData); counts from X (detected)"
        ),
        "{detected}"
    );
    let dir = Dir::new();
    let renamed = dir.path("counts.h5");
    std::fs::copy(fixture("layers_counts"), &renamed).unwrap();
    let (data, _) = read_counts(&renamed, &CountsOptions::default()).unwrap();
    assert_eq!(data.counts(), matrix(&golden["layers_counts"]["counts"]));
    // The options reach the AnnData reader.
    let options =
        CountsOptions::default().with_h5ad(H5adOptions::default().with_matrix(CountsMatrix::X));
    assert!(read_counts(&renamed, &options)
        .unwrap_err()
        .to_string()
        .contains("X holds"));
}

#[test]
fn a_file_that_is_not_hdf5_is_refused() {
    let dir = Dir::new();
    let path = dir.text("broken.h5ad", "gene_id\tS1\n");
    let err = read_h5ad(&path, &H5adOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("{}: cannot read the file as HDF5", path.display())),
        "{err}"
    );
    let missing = read_h5ad(&dir.path("absent.h5ad"), &H5adOptions::default()).unwrap_err();
    assert!(matches!(missing, IoError::Open { .. }), "{missing}");
}

/// A dataset with everything a prediction carries: metadata with a missing value,
/// latents, classifier probabilities, two inputs, a model version.
fn predicted(counts: Array2<u32>) -> Dataset {
    let n = counts.nrows();
    let genes: Vec<String> = (0..counts.ncols())
        .map(|j| format!("ENSG{:011}", j + 3))
        .collect();
    let samples: Vec<String> = (0..n).map(|i| format!("cell_{i}")).collect();
    let mut meta = MetadataTable::new(n);
    meta.set_column(
        "sex",
        (0..n)
            .map(|i| (i != 1).then(|| ["female", "male"][i % 2].to_string()))
            .collect(),
    )
    .unwrap();
    meta.set_column(
        "tissue",
        vec![Some("lung, upper lobe \"L\"".to_string()); n],
    )
    .unwrap();
    let latent = |d: usize, seed: f64| {
        Array2::from_shape_fn((n, d), |(i, j)| seed + i as f64 * 0.1 - j as f64 / 3.0)
    };
    let probs = Array2::from_shape_fn((n, 2), |(i, j)| {
        let p = (i as f64 + 1.0) / (n as f64 + 1.0);
        if j == 0 {
            p
        } else {
            1.0 - p
        }
    });
    Dataset::new(counts, genes, samples)
        .unwrap()
        .with_metadata(meta)
        .unwrap()
        .with_latents(Latents {
            biological: latent(3, 0.5),
            technical: latent(2, -1.25),
            perturbation: latent(1, 1e-7),
        })
        .unwrap()
        .with_classifier_probs(
            "sex",
            ClassProbabilities {
                classes: vec!["female".into(), "male".into()],
                probs,
            },
        )
        .unwrap()
        .with_input_index((0..n).map(|i| i % 2).collect())
        .unwrap()
        .with_model_version("gem-1-bulk_v2")
}

/// The folder the files for anndata's check go to (CI runs the check after this test).
fn export_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("h5ad-roundtrip");
    std::fs::create_dir_all(&dir).expect("target/tmp is writable");
    dir
}

/// What anndata must read back from a dataset written by [`write_h5ad`].
fn expected_json(data: &Dataset, sparse: bool) -> Value {
    let meta = data.metadata();
    let mut text = serde_json::Map::new();
    for key in meta.keys() {
        text.insert(key.into(), json!(meta.column(key).unwrap()));
    }
    let mut numbers = serde_json::Map::new();
    for (field, p) in data.classifier_probs() {
        for (j, class) in p.classes.iter().enumerate() {
            numbers.insert(
                format!("{field}_prob_{class}"),
                json!(p.probs.column(j).to_vec()),
            );
        }
        let predicted: Vec<&str> = (0..data.n_samples())
            .map(|i| p.argmax(i).unwrap().0)
            .collect();
        text.insert(format!("{field}_predicted"), json!(predicted));
    }
    numbers.insert(
        "synthbio_input".into(),
        json!(data
            .input_index()
            .iter()
            .map(|&i| i as f64)
            .collect::<Vec<_>>()),
    );
    let latents = data.latents().unwrap();
    let rows = |a: ndarray::ArrayView2<'_, f64>| -> Vec<Vec<f64>> {
        a.rows().into_iter().map(|r| r.to_vec()).collect()
    };
    json!({
        "sample_ids": data.sample_ids(),
        "gene_ids": data.gene_ids(),
        "x_kind": "counts",
        "x_sparse": sparse,
        "x": data.counts().rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        "obs_text": text,
        "obs_number": numbers,
        "obsm": {
            "X_synthbio_biological": rows(latents.biological.view()),
            "X_synthbio_technical": rows(latents.technical.view()),
            "X_synthbio_perturbation": rows(latents.perturbation.view()),
        },
    })
}

/// Written sparse (mostly zeros) and dense, read back here; the files and what anndata
/// must see in them go to target/tmp/h5ad-roundtrip for the Python check.
#[test]
fn datasets_round_trip_and_are_exported_for_anndata() {
    let sparse = predicted(array![[0, 5, 0, 0], [0, 0, 0, 7], [3_000_000_000, 0, 0, 0]]);
    // Sample 1 did not measure gene 1: unmeasured, not zero, and so it must come back.
    let mask: Vec<Vec<bool>> = (0..4).map(|i| vec![true, i != 1, true]).collect();
    let dense = predicted(array![[1, 5, 2], [4, 0, 9], [12, 8, 6], [0, 1, 1]])
        .with_measured(Measured::from_rows(3, mask.clone()).unwrap())
        .unwrap();
    let out = export_dir();
    for (name, data, is_sparse) in [("sparse", &sparse, true), ("dense", &dense, false)] {
        let path = out.join(format!("{name}.h5ad"));
        assert_eq!(write_counts(&path, data).unwrap(), OutputFormat::H5ad);
        let mut expected = expected_json(data, is_sparse);
        if !is_sparse {
            expected["layers"] = json!({ "synthbio_measured": mask });
        }
        std::fs::write(
            out.join(format!("{name}.expected.json")),
            serde_json::to_string_pretty(&expected).unwrap(),
        )
        .unwrap();
        let (back, detected) = read_h5ad(&path, &H5adOptions::default()).unwrap();
        assert_eq!(back.counts(), data.counts());
        assert_eq!(back.gene_ids(), data.gene_ids());
        assert_eq!(back.sample_ids(), data.sample_ids());
        assert_eq!(back.metadata().column("sex"), data.metadata().column("sex"));
        assert_eq!(
            back.metadata().column("tissue"),
            data.metadata().column("tissue")
        );
        let p = back.metadata().column("sex_prob_male").unwrap();
        for (i, v) in p.iter().enumerate() {
            let v: f64 = v.as_deref().unwrap().parse().unwrap();
            assert_relative_eq!(
                v,
                data.classifier_probs()["sex"].probs[[i, 1]],
                max_relative = 1e-15
            );
        }
        let masked = ", unmeasured cells from layers[\"synthbio_measured\"]";
        assert_eq!(
            detected.source.unwrap(),
            format!(
                "counts from X (detected){}, gene ids from the var index",
                if is_sparse { "" } else { masked }
            )
        );
        assert_eq!(back.measured().is_some(), !is_sparse);
        for (i, row) in mask.iter().enumerate() {
            for (j, &m) in row.iter().enumerate() {
                assert_eq!(
                    back.is_measured(i, j),
                    is_sparse || m,
                    "sample {i}, gene {j}"
                );
            }
        }
    }
    // A file already there is replaced whole, and no temporary file of this
    // test's is left (other tests write into the same folder at the same time).
    let path = out.join("dense.h5ad");
    write_h5ad(&path, &dense).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") && (n.contains("dense") || n.contains("sparse")))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn normalized_values_are_written_as_float_x_and_exported() {
    let values = array![[0.5, 1.25, 0.0], [2.0, 1e-9, 3.75]];
    let expression = Expression {
        values: values.clone(),
        scale: Scale::Log2CpmPlusOne,
    };
    let genes = vec![
        "ENSG00000000003".to_string(),
        "ENSG00000000005".into(),
        "ENSG00000000419".into(),
    ];
    let samples = vec!["S1".to_string(), "S2".into()];
    let path = export_dir().join("normalized.h5ad");
    assert_eq!(
        write_expression(&path, &expression, &genes, &samples).unwrap(),
        OutputFormat::H5ad
    );
    let rows: Vec<Vec<f64>> = values.rows().into_iter().map(|r| r.to_vec()).collect();
    std::fs::write(
        export_dir().join("normalized.expected.json"),
        serde_json::to_string_pretty(&json!({
            "sample_ids": samples, "gene_ids": genes, "x_kind": "values", "x_sparse": false,
            "x": rows, "obs_text": {}, "obs_number": {}, "obsm": {},
        }))
        .unwrap(),
    )
    .unwrap();
    // Read as counts, the values are refused, naming the first one that is not a count.
    let err = read_h5ad(&path, &H5adOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("X holds 0.5 for cell S1, gene ENSG00000000003"),
        "{err}"
    );
    // Wrong id lengths are refused before anything is written.
    let bad = Dir::new();
    let err =
        write_expression(&bad.path("x.h5ad"), &expression, &genes[..2], &samples).unwrap_err();
    assert!(matches!(err, IoError::Shape { .. }), "{err}");
    assert!(!bad.path("x.h5ad").exists());
}

#[test]
fn tables_are_not_written_as_h5ad_and_clashing_obs_columns_are_refused() {
    let dir = Dir::new();
    let err = write_table(&dir.path("t.h5ad"), &synthbio_core::Table::new(["a"])).unwrap_err();
    assert!(err.to_string().contains(".parquet"), "{err}");
    let mut data = predicted(array![[1, 2], [3, 4]]);
    data.metadata_mut()
        .set_column("sex_predicted", vec![Some("x".into()), None])
        .unwrap();
    let err = write_h5ad(&dir.path("clash.h5ad"), &data)
        .unwrap_err()
        .to_string();
    assert!(err.contains("obs column \"sex_predicted\""), "{err}");
    assert!(!dir.path("clash.h5ad").exists());
}

#[test]
fn a_file_without_var_is_refused_naming_the_table() {
    let err = read("no_var", &H5adOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(
            "no_var.h5ad has no var table; an AnnData file needs obs and var; re-save it with anndata 0.8 or later"
        ),
        "{err}"
    );
}

#[test]
fn gene_id_column_names_parse() {
    for (text, want) in [
        ("auto", GeneIdColumn::Auto),
        ("index", GeneIdColumn::Index),
        ("var_names", GeneIdColumn::Index),
        ("gene_ids", GeneIdColumn::Column("gene_ids".into())),
    ] {
        assert_eq!(text.parse::<GeneIdColumn>().unwrap(), want, "{text}");
    }
}

/// anndata's default var index (no var_names set) holds row numbers, not gene ids:
/// refused naming --gene-id-column and the columns there are; a named column is read.
#[test]
fn a_var_index_of_row_numbers_is_refused_naming_the_columns() {
    for options in [
        H5adOptions::default(),
        H5adOptions::default().with_gene_ids(GeneIdColumn::Index),
    ] {
        let err = read("row_numbers", &options).unwrap_err().to_string();
        assert!(
            err.contains("the var index holds row numbers (0, 1, 2...), not gene ids")
                && err.contains("--gene-id-column (its columns: probe)"),
            "{err}"
        );
    }
    let data = read(
        "row_numbers",
        &H5adOptions::default().with_gene_ids(GeneIdColumn::Column("probe".into())),
    )
    .unwrap();
    assert_eq!(data.gene_ids()[..2], ["probe_1", "probe_2"]);
    assert_eq!(
        data.counts(),
        matrix(&golden()["dense_int"]["counts"]),
        "the same airway counts"
    );
}

/// Normalized values go to X, the counts to layers["counts"] (read back from there by
/// default), the metadata to obs; exported for anndata's check.
#[test]
fn normalized_datasets_keep_their_counts_and_metadata() {
    let data = predicted(array![[1, 5, 2], [4, 0, 9], [12, 8, 6], [0, 1, 1]]);
    let values = data.counts().mapv(|c| f64::from(c).ln_1p() / 3.0);
    let expression = Expression {
        values: values.clone(),
        scale: Scale::Log2CpmPlusOne,
    };
    let path = export_dir().join("normalized_counts_layer.h5ad");
    assert_eq!(
        write_normalized(&path, &data, &expression).unwrap(),
        OutputFormat::H5ad
    );
    let mut expected = expected_json(&data, false);
    expected["x_kind"] = json!("values");
    expected["x"] = json!(values
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect::<Vec<_>>());
    expected["layers"] = json!({ "counts": data.counts().rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>() });
    std::fs::write(
        export_dir().join("normalized_counts_layer.expected.json"),
        serde_json::to_string_pretty(&expected).unwrap(),
    )
    .unwrap();
    let (back, detected) = read_h5ad(&path, &H5adOptions::default()).unwrap();
    assert_eq!(back.counts(), data.counts());
    assert_eq!(back.metadata().column("sex"), data.metadata().column("sex"));
    assert!(detected
        .source
        .unwrap()
        .starts_with("counts from layers[\"counts\"] (detected)"),);
    // X holds the values, not counts.
    let err = read_h5ad(&path, &H5adOptions::default().with_matrix(CountsMatrix::X))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("X holds 0.23104906018664842 for cell cell_0"),
        "{err}"
    );
    // Other formats hold the values alone; a shape mismatch writes nothing.
    let dir = Dir::new();
    let tsv = dir.path("n.tsv");
    assert!(matches!(
        write_normalized(&tsv, &data, &expression).unwrap(),
        OutputFormat::Text { .. }
    ));
    assert!(std::fs::read_to_string(&tsv)
        .unwrap()
        .starts_with("gene_id\tcell_0\tcell_1\tcell_2\tcell_3\n"));
    let short = Expression {
        values: Array2::zeros((4, 2)),
        scale: Scale::Log2CpmPlusOne,
    };
    let err = write_normalized(&dir.path("bad.h5ad"), &data, &short).unwrap_err();
    assert!(matches!(err, IoError::Shape { .. }), "{err}");
    assert!(!dir.path("bad.h5ad").exists());
}

/// A metadata prediction carries no expression: written with a cells x 0 `X`, its obs,
/// and obsm latents (what `synthbio predict` of a `_predict-metadata` model holds).
#[test]
fn a_dataset_without_genes_is_written() {
    let data = predicted(Array2::zeros((3, 0)));
    let path = export_dir().join("no_genes.h5ad");
    write_h5ad(&path, &data).unwrap();
    let mut expected = expected_json(&data, false);
    expected["x_sparse"] = Value::Null;
    std::fs::write(
        export_dir().join("no_genes.expected.json"),
        serde_json::to_string_pretty(&expected).unwrap(),
    )
    .unwrap();
    let (back, _) = read_h5ad(&path, &H5adOptions::default()).unwrap();
    assert_eq!((back.n_samples(), back.n_genes()), (3, 0));
    assert_eq!(back.metadata().column("sex"), data.metadata().column("sex"));
}
