//! Results written by `golden/make_golden.py` (pyarrow, JSON), decoded by the
//! client and compared value by value with the script's expected values.

use crate::support::golden;
use approx::assert_abs_diff_eq;
use serde_json::Value;
use std::fs::File;
use synthbio_client::{decode_arrow, decode_json, ClientError};
use synthbio_core::{Dataset, LatentBlock};

fn expected(part: &str) -> Value {
    let v: Value = serde_json::from_reader(File::open(golden("expected.json")).unwrap()).unwrap();
    v[part].clone()
}

fn json_file(name: &str) -> Dataset {
    decode_json(File::open(golden(name)).unwrap(), None).unwrap()
}

fn arrow_file(name: &str) -> Dataset {
    decode_arrow(File::open(golden(name)).unwrap(), None).unwrap()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

/// Compares a decoded dataset with the script's expected values.
pub fn check(ds: &Dataset, exp: &Value) {
    let genes: Vec<String> = serde_json::from_value(exp["gene_order"].clone()).unwrap();
    assert_eq!(ds.gene_ids(), genes.as_slice());
    assert_eq!(ds.model_version(), exp["model_version"].as_str());
    let counts = matrix(&exp["counts"]);
    assert_eq!(ds.n_samples(), counts.len());
    for (s, row) in counts.iter().enumerate() {
        let got: Vec<f64> = ds.sample_counts(s).iter().map(|&c| f64::from(c)).collect();
        assert_eq!(&got, row, "sample {s}");
    }
    let expected_ids: Vec<String> = (1..=counts.len()).map(|i| format!("sample_{i}")).collect();
    assert_eq!(ds.sample_ids(), expected_ids.as_slice());
    for (s, m) in exp["metadata"].as_array().unwrap().iter().enumerate() {
        let want: std::collections::BTreeMap<String, String> =
            serde_json::from_value(m.clone()).unwrap();
        assert_eq!(ds.metadata().row(s), want, "metadata of sample {s}");
    }
    let lat = ds.latents().expect("latents");
    for block in LatentBlock::ALL {
        let want = matrix(&exp["latents"][block.as_str()]);
        let got = lat.block(block);
        assert_eq!(got.nrows(), want.len());
        for (r, row) in want.iter().enumerate() {
            assert_eq!(got.ncols(), row.len());
            for (c, &x) in row.iter().enumerate() {
                assert_abs_diff_eq!(got[[r, c]], x, epsilon = 1e-12);
            }
        }
    }
    if let Some(probs) = exp.get("classifier_probs") {
        let probs = probs.as_object().unwrap();
        assert_eq!(ds.classifier_probs().len(), probs.len());
        for (field, p) in probs {
            let got = &ds.classifier_probs()[field];
            let classes: Vec<String> = serde_json::from_value(p["classes"].clone()).unwrap();
            for (s, row) in matrix(&p["probs"]).iter().enumerate() {
                let mut sum = 0.0;
                for (j, class) in classes.iter().enumerate() {
                    assert_abs_diff_eq!(got.prob(s, class), row[j], epsilon = 1e-12);
                    sum += got.prob(s, class);
                }
                assert_abs_diff_eq!(sum, 1.0, epsilon = 1e-9);
            }
        }
    } else {
        assert!(ds.classifier_probs().is_empty());
    }
}

#[test]
fn json_results_in_three_counts_encodings() {
    let exp = expected("expression");
    for name in ["result_list.json", "result_nested.json", "result_map.json"] {
        check(&json_file(name), &exp);
    }
}

#[test]
fn json_metadata_prediction_result() {
    check(
        &json_file("result_metadata.json"),
        &expected("metadata_prediction"),
    );
}

#[test]
fn arrow_streams_written_by_pyarrow() {
    check(
        &arrow_file("result_baseline.arrow"),
        &expected("expression"),
    );
    check(
        &arrow_file("result_metadata.arrow"),
        &expected("metadata_prediction"),
    );
}

#[test]
fn json_and_arrow_decode_to_the_same_dataset() {
    let from_json = json_file("result_list.json");
    let from_arrow = arrow_file("result_baseline.arrow");
    assert_eq!(from_json.counts(), from_arrow.counts());
    assert_eq!(from_json.metadata(), from_arrow.metadata());
    // Exact: the JSON floats are parsed to the values pyarrow stored.
    assert_eq!(from_json.latents(), from_arrow.latents());
}

#[test]
fn non_rectangular_arrow_counts_are_an_error() {
    let err = decode_arrow(File::open(golden("result_ragged.arrow")).unwrap(), None).unwrap_err();
    assert!(matches!(err, ClientError::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("not rectangular"), "{err}");
}

#[test]
fn a_truncated_arrow_stream_is_an_error() {
    let bytes = std::fs::read(golden("result_baseline.arrow")).unwrap();
    let cut = &bytes[..bytes.len() / 2];
    assert!(matches!(
        decode_arrow(cut, None),
        Err(ClientError::Decode { .. })
    ));
}
