//! GEM-2 queries, checked as the official client checks them.
//!
//! pysynthbio 4.2.4 refuses nothing in a GEM-2 query before sending it: the
//! query goes out as written (plus `source`) and the service validates it.
//! The one thing the official client refuses is to read an answer whose
//! operation it cannot tell: a bare `gem-2` whose `operation` is missing or
//! not one of its four, or an id that names no operation (`gem-2-ensemble`);
//! it raises "No output formatter registered" after the query ran. So here
//! that is an error in strict mode and a warning otherwise, and metadata
//! outside the vocabulary this client knows is a warning in every mode.

use serde_json::Value;
use synthbio_core::model::Gem2Operation;
use synthbio_core::validate::{validate_with, ValidationMode};
use synthbio_core::{Input, ModelId, ModelSpec, Problem, Query, SamplingStrategy};

const OPERATIONS: [Gem2Operation; 4] = [
    Gem2Operation::PredictExpression,
    Gem2Operation::PredictExpressionFromReference,
    Gem2Operation::PredictMetadata,
    Gem2Operation::Autoencode,
];

/// The problems of a GEM-2 query: `(errors, warnings)` in `mode`.
pub(crate) fn check(
    model: &ModelId,
    query: &Query,
    spec: Option<&ModelSpec>,
    mode: ValidationMode,
) -> (Vec<Problem>, Vec<Problem>) {
    let mut errors = Vec::new();
    let mut warnings = metadata_warnings(query, spec);
    if let Some(mut p) = unreadable_operation(model, query) {
        if mode == ValidationMode::Strict {
            p.message.push_str("; validation mode warn sends it anyway");
            errors.push(p);
        } else {
            warnings.insert(0, p);
        }
    }
    (errors, warnings)
}

/// The operation problem, when the official client could not read the answer.
fn unreadable_operation(model: &ModelId, query: &Query) -> Option<Problem> {
    let op = query.extra.get("operation");
    if model.gem2_operation(op.and_then(Value::as_str)).is_some() {
        return None;
    }
    let names: Vec<String> = OPERATIONS
        .iter()
        .map(|o| format!("\"{}\"", o.as_str()))
        .collect();
    let names = names.join(", ");
    let outcome = "pysynthbio 4.2.4 cannot read its answer (no output formatter)";
    Some(if model.as_str() != "gem-2" {
        Problem {
            path: "model".into(),
            message: format!("{model} names no GEM-2 operation: use an id that does (gem-2-bulk, gem-2-sc, gem-2-bulk_predict-metadata, ...) or gem-2 with \"operation\" ({names}); {outcome}"),
        }
    } else {
        Problem {
            path: "operation".into(),
            message: match op {
                None => format!("is required with the bare gem-2 id: one of {names}; {outcome}"),
                Some(v) => format!("{v} is not a GEM-2 operation: use one of {names}; {outcome}"),
            },
        }
    })
}

/// Metadata keys and values outside the vocabulary this client knows (and the
/// model's trained values, when known), as warnings: GEM-2 may take them.
fn metadata_warnings(query: &Query, spec: Option<&ModelSpec>) -> Vec<Problem> {
    // Core's vocabulary check, reused: each input's metadata alone, as a GEM-1
    // baseline query checked with warnings only; nothing but metadata is in it.
    let probe = Query {
        sampling_strategy: Some(SamplingStrategy::MeanEstimation),
        inputs: query
            .inputs
            .iter()
            .map(|i| Input {
                metadata: Some(i.metadata.clone().unwrap_or_default()),
                num_samples: Some(1),
                ..Input::default()
            })
            .collect(),
        ..Query::default()
    };
    if probe.inputs.is_empty() {
        return Vec::new();
    }
    let vocabulary = spec.map(|s| ModelSpec {
        trained_values: s.trained_values.clone(),
        unsupported_keys: s.unsupported_keys.clone(),
        ..ModelSpec::default()
    });
    let problems = match validate_with(
        &ModelId::from("gem-1-bulk"),
        &probe,
        vocabulary.as_ref(),
        ValidationMode::Off,
    ) {
        Ok(warnings) => warnings,
        Err(e) => e.errors,
    };
    problems
        .into_iter()
        .map(|p| Problem {
            message: format!(
                "{} (GEM-2 may accept it: sent as written, the service checks it)",
                p.message
            ),
            ..p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use synthbio_core::metadata;

    fn query(json: &str) -> Query {
        Query::from_json(json).unwrap()
    }

    fn paths(ps: &[Problem]) -> Vec<&str> {
        ps.iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn nothing_is_refused_that_the_official_client_sends() {
        // Unknown keys and values, GEM-2 options, no sampling strategy: sent.
        let q = query(
            r#"{"operation": "predict-expression", "inputs": [
                {"metadata": {"sex": "F", "donor_genotype": "APOE4/4"}, "num_samples": 2, "sample_ids": ["a"]}]}"#,
        );
        for id in [
            "gem-2",
            "gem-2-bulk",
            "gem-2-sc_reference-conditioning-x4s7hdmu",
        ] {
            let (errors, warnings) = check(&id.into(), &q, None, ValidationMode::Strict);
            assert!(errors.is_empty(), "{id}: {errors:?}");
            assert_eq!(
                paths(&warnings),
                [
                    "inputs[0].metadata.donor_genotype",
                    "inputs[0].metadata.sex"
                ],
                "{id}"
            );
            assert!(warnings[1].message.contains("\"F\" is not valid"));
            assert!(warnings[1].message.contains("sent as written"));
        }
    }

    #[test]
    fn trained_values_of_the_model_are_warnings() {
        let spec = ModelSpec {
            trained_values: [("sex".to_string(), vec!["male".to_string()])].into(),
            max_inputs: Some(0),
            ..ModelSpec::default()
        };
        let q = Query::default().with_input(metadata([("sex", "female")]), 1);
        let (errors, warnings) = check(
            &"gem-2-bulk".into(),
            &q,
            Some(&spec),
            ValidationMode::Strict,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(paths(&warnings), ["inputs[0].metadata.sex"]);
        assert!(warnings[0].message.contains("\"male\""), "{warnings:?}");
    }

    #[test]
    fn an_answer_the_official_client_cannot_read_is_refused_in_strict_mode_only() {
        let bare = query(r#"{"inputs": [{"metadata": {"sex": "male"}, "num_samples": 1}]}"#);
        let (errors, _) = check(&"gem-2".into(), &bare, None, ValidationMode::Strict);
        assert_eq!(paths(&errors), ["operation"]);
        assert!(errors[0].message.contains("\"autoencode\""), "{errors:?}");
        assert!(errors[0].message.ends_with("mode warn sends it anyway"));
        let mut guess = bare.clone();
        guess.extra.insert("operation".into(), "guess".into());
        let (errors, _) = check(&"gem-2".into(), &guess, None, ValidationMode::Strict);
        assert!(
            errors[0].message.starts_with("\"guess\" is not"),
            "{errors:?}"
        );
        let (errors, _) = check(
            &"gem-2-ensemble".into(),
            &bare,
            None,
            ValidationMode::Strict,
        );
        assert_eq!(paths(&errors), ["model"]);
        for mode in [ValidationMode::Warn, ValidationMode::Off] {
            let (errors, warnings) = check(&"gem-2".into(), &bare, None, mode);
            assert!(errors.is_empty(), "{mode:?}");
            assert_eq!(paths(&warnings), ["operation"], "{mode:?}");
            assert!(!warnings[0].message.contains("sends it anyway"));
        }
    }
}
