//! Compares a result JSON (docs/protocol.md section 4) with the dataset it should encode.

use approx::assert_abs_diff_eq;
use serde_json::Value;
use synthbio_core::{Dataset, LatentBlock};

fn as_u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {v}"))
        .iter()
        .map(|x| x.as_u64().unwrap_or_else(|| panic!("not an integer: {x}")))
        .collect()
}

fn check_common(result: &Value, expected: &Dataset) {
    let genes: Vec<&str> = result["gene_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(genes, expected.gene_ids());
    assert_eq!(result["model_version"], expected.model_version().unwrap());
    assert_eq!(
        result["outputs"].as_array().unwrap().len(),
        expected.n_samples()
    );
}

fn check_latents(out: &Value, expected: &Dataset, row: usize) {
    let latents = expected.latents().unwrap();
    for b in LatentBlock::ALL {
        let got: Vec<f64> = out["latents"][b.as_str()]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let want = latents.block(b).row(row).to_vec();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_abs_diff_eq!(*g, *w, epsilon = 1e-12);
        }
    }
}

fn check_metadata(out: &Value, expected: &Dataset, row: usize) {
    let got: std::collections::BTreeMap<String, String> =
        serde_json::from_value(out["metadata"].clone()).unwrap();
    assert_eq!(got, expected.metadata().row(row));
}

/// An expression result: counts, metadata and latents per sample.
pub fn expression(result: &Value, expected: &Dataset) {
    check_common(result, expected);
    for (i, out) in result["outputs"].as_array().unwrap().iter().enumerate() {
        let want: Vec<u64> = expected
            .sample_counts(i)
            .iter()
            .map(|&c| u64::from(c))
            .collect();
        assert_eq!(as_u64s(&out["counts"]), want, "sample {i}");
        check_metadata(out, expected, i);
        check_latents(out, expected, i);
    }
}

/// A metadata prediction result: labels, probabilities, latents, decoded counts.
pub fn predicted(result: &Value, expected: &Dataset) {
    check_common(result, expected);
    for (i, out) in result["outputs"].as_array().unwrap().iter().enumerate() {
        assert!(
            out.get("counts").is_none(),
            "metadata prediction has no top-level counts"
        );
        check_metadata(out, expected, i);
        check_latents(out, expected, i);
        let want: Vec<u64> = expected
            .sample_counts(i)
            .iter()
            .map(|&c| u64::from(c))
            .collect();
        assert_eq!(as_u64s(&out["decoder_sample"]["counts"]), want);
        let probs = out["classifier_probs"].as_object().unwrap();
        assert_eq!(probs.len(), expected.classifier_probs().len());
        for (field, p) in expected.classifier_probs() {
            let got = probs[field].as_object().unwrap();
            assert_eq!(got.len(), p.classes.len());
            let mut sum = 0.0;
            for class in &p.classes {
                let v = got[class].as_f64().unwrap();
                assert_abs_diff_eq!(v, p.prob(i, class), epsilon = 1e-12);
                sum += v;
            }
            assert_abs_diff_eq!(sum, 1.0, epsilon = 1e-9);
        }
    }
}
