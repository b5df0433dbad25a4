//! Every answer shape of the official Python client's tests (`golden/shapes/`,
//! written by `golden/make_shapes.py` with pyarrow), decoded by the client and
//! compared with the tables pysynthbio 4.2.4's own transformers make of them.

use crate::support::golden;
use approx::assert_relative_eq;
use serde_json::Value;
use std::fs::File;
use synthbio_client::{decode_arrow_result, decode_json_result, GeneIds, Prediction};
use synthbio_core::LatentBlock;

fn expected() -> Value {
    serde_json::from_reader(File::open(golden("shapes/expected.json")).unwrap()).unwrap()
}

fn decode(name: &str, known: Option<&[String]>) -> Prediction {
    let f = File::open(golden(&format!("shapes/{name}"))).unwrap();
    if name.ends_with(".arrow") {
        decode_arrow_result(f, None, known).unwrap()
    } else {
        decode_json_result(f, None, known).unwrap()
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares one decoded result with the official client's tables.
fn check(name: &str, p: &Prediction, exp: &Value) {
    let ds = &p.dataset;
    let n = exp["metadata"].as_array().unwrap().len();
    assert_eq!(ds.n_samples(), n, "{name}");
    // Expression: values, and gene ids from the result when it has them.
    match &exp["expression"] {
        Value::Null => assert_eq!(ds.n_genes(), 0, "{name}"),
        rows => {
            for (i, row) in rows.as_array().unwrap().iter().enumerate() {
                let want: Vec<u32> = serde_json::from_value(row.clone()).unwrap();
                assert_eq!(ds.counts().row(i).to_vec(), want, "{name} row {i}");
            }
            if exp["has_gene_order"] == Value::Bool(false) {
                assert_eq!(p.gene_ids, GeneIds::Positions, "{name}");
                assert!(
                    p.warnings.iter().any(|w| w.contains("no gene_order")),
                    "{name}"
                );
            } else {
                let cols: Vec<String> =
                    serde_json::from_value(exp["expression_columns"].clone()).unwrap();
                assert_eq!(ds.gene_ids(), cols.as_slice(), "{name}");
                assert_eq!(p.gene_ids, GeneIds::FromResult, "{name}");
            }
        }
    }
    // Metadata (GEM-2: predicted_metadata), values as text.
    for (i, row) in exp["metadata"].as_array().unwrap().iter().enumerate() {
        let got = ds.metadata().row(i);
        let want: std::collections::BTreeMap<String, String> = row
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), text(v)))
            .collect();
        assert_eq!(got, want, "{name} metadata row {i}");
    }
    // Latents per block; a row the official client has as None is NaN here.
    let lat = exp["latents"].as_object().unwrap();
    if lat.is_empty() {
        assert!(ds.latents().is_none(), "{name}");
    }
    for (block, rows) in lat {
        let b = LatentBlock::ALL
            .into_iter()
            .find(|b| b.as_str() == block)
            .unwrap();
        let got = ds.latents().unwrap().block(b);
        for (i, row) in rows.as_array().unwrap().iter().enumerate() {
            match row {
                Value::Null => assert!(got.row(i).iter().all(|x| x.is_nan()), "{name} {block} {i}"),
                row => {
                    let want: Vec<f64> = serde_json::from_value(row.clone()).unwrap();
                    assert_eq!(got.ncols(), want.len(), "{name} {block}");
                    for (g, w) in got.row(i).iter().zip(&want) {
                        assert_relative_eq!(*g, *w, max_relative = 1e-7);
                    }
                }
            }
        }
    }
    // Classifier probabilities as the long table sample/field/label/probability.
    let long = exp["classifier_probs"].as_array().unwrap();
    let mut cells = 0;
    for (field, probs) in ds.classifier_probs() {
        cells += probs.probs.len();
        for e in long.iter().filter(|e| e[1] == field.as_str()) {
            let (i, label, want) = (
                e[0].as_u64().unwrap() as usize,
                e[2].as_str().unwrap(),
                e[3].as_f64().unwrap(),
            );
            assert_relative_eq!(probs.prob(i, label), want, max_relative = 1e-12);
        }
    }
    assert_eq!(cells, long.len(), "{name}: every probability, no more");
    // A decoder sample's fields besides counts, kept as sent.
    match &exp["decoder_sample_rest"] {
        Value::Null => assert!(
            p.output_extra
                .iter()
                .all(|m| !m.contains_key("decoder_sample")),
            "{name}"
        ),
        want => {
            let got: Vec<Value> = p
                .output_extra
                .iter()
                .map(|m| m.get("decoder_sample").cloned().unwrap_or_default())
                .collect();
            assert_eq!(&Value::Array(got), want, "{name}");
            // The expression is the decoder sample's unless a counts column came too.
            assert_eq!(
                p.decoder_sample,
                exp["counts_column"] != Value::Bool(true),
                "{name}"
            );
            let note = p.raw_fields_note().unwrap();
            assert!(note.contains("decoder_sample"), "{name}: {note}");
        }
    }
    // Provenance (GEM-2 autoencode).
    match &exp["provenance"] {
        Value::Null => assert!(p.provenance().is_none(), "{name}"),
        want => {
            let got: Vec<Value> = p
                .provenance()
                .unwrap()
                .into_iter()
                .map(Value::Object)
                .collect();
            assert_eq!(&Value::Array(got), want, "{name}");
        }
    }
}

#[test]
fn every_shape_matches_the_official_client() {
    let exp = expected();
    let files = exp.as_object().unwrap();
    assert_eq!(files.len(), 15);
    for (name, e) in files {
        check(name, &decode(name, None), e);
    }
}

#[test]
fn counts_without_gene_order_take_the_known_gene_order() {
    let genes: Vec<String> = ["G1", "G2", "G3"].map(String::from).to_vec();
    for name in ["metadata_no_genes.json", "predict_metadata.arrow"] {
        let p = decode(name, Some(&genes));
        assert_eq!(p.gene_ids, GeneIds::FromModel, "{name}");
        assert_eq!(p.dataset.gene_ids(), genes.as_slice());
        assert!(p.decoder_sample);
        // A known order of another length is not used: positions, with a warning.
        let p = decode(name, Some(&genes[..2]));
        assert_eq!(p.gene_ids, GeneIds::Positions, "{name}");
        assert_eq!(p.dataset.gene_ids()[2], "position_3");
        assert!(
            p.warnings[0].contains("has 2 genes, not 3"),
            "{:?}",
            p.warnings
        );
    }
}

#[test]
fn fields_without_a_typed_place_are_kept_as_sent() {
    let p = decode("gem2_autoencode.json", None);
    assert_eq!(p.extra["request_id"], "req-42");
    assert_eq!(p.output_extra[1]["vae_run_id"], "run-8");
    let note = p.raw_fields_note().unwrap();
    assert!(
        note.contains("request_id") && note.contains("model_release_id"),
        "{note}"
    );
    let p = decode("baseline.arrow", None);
    assert_eq!(p.extra["request_type"], "baseline");
    assert_eq!(p.dataset.model_version(), Some("2.2"));
    let p = decode("gem2_metadata.json", None);
    assert_eq!(p.dataset.model_version(), Some("gem-2.0"));
    assert!(p.raw_fields_note().is_none(), "{:?}", p.raw_fields_note());
    let p = decode("gem2_expression.json", None);
    assert!(p
        .warnings
        .iter()
        .any(|w| w.contains("latents.biological is absent for outputs [1]")));
}
