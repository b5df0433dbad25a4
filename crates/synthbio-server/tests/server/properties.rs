//! Property tests of query parsing and validation ([`synthbio_server::read_query`]):
//! whatever the bytes, no panic, and every rejection is a 400 (not JSON) or a
//! 422 (a rule broken) naming JSON paths; the limits hold; and the HTTP
//! endpoint answers exactly as the function does.

use crate::support::fake::FakePredictor;
use crate::support::http::start_with;
use crate::support::intake::{
    check, check_body, config, models, Outcome, MAX_INPUTS, MAX_TOTAL_SAMPLES, N_GENES,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Map, Value};
use synthbio_server::read_query;

/// Field names of the protocol, metadata keys, and random names.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "inputs",
            "num_samples",
            "counts",
            "metadata",
            "sampling_strategy",
            "mode",
            "seed",
            "total_count",
            "conditioning",
            "fixed_total_count",
            "deterministic_latents",
            "source",
            "sex",
            "perturbation_type",
        ])
        .prop_map(String::from),
        // The fake predictor reacts to `hold`; nothing here may ask it to wait.
        "[a-z_]{1,8}".prop_filter("not hold", |k| k != "hold"),
    ]
}

/// Numbers at the edges: huge, negative, fractional, beyond u32 and u64.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..20).prop_map(Value::from),
        prop::sample::select(vec![
            1e308,
            -1e308,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.5,
            2.0,
            -0.0,
            4_294_967_296.0,
            1.8446744073709552e19,
            1e20,
        ])
        .prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
    ]
}

/// Any JSON value, a few levels deep, built from the protocol's words.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        prop::sample::select(vec![
            "mean estimation",
            "sample generation",
            "female",
            "male",
            "biological",
            "technical",
            "NaN",
            "",
        ])
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A query-shaped object: inputs with edge-case sample numbers and counts,
/// valid more often than not so that both outcomes are common.
fn query_like() -> impl Strategy<Value = Value> {
    let num_samples = prop_oneof![
        6 => (1u64..12).prop_map(Value::from),
        1 => Just(Value::from(0)),
        1 => prop::sample::select(vec![u64::MAX, 1 << 40, 51]).prop_map(Value::from),
        1 => prop::sample::select(vec![1e18, 1e20, 2.5, -1.0, 3.0]).prop_map(Value::from),
        1 => Just(json!("NaN")),
    ];
    let count = prop_oneof![
        8 => (0u32..1000).prop_map(Value::from),
        1 => prop::sample::select(vec![1e308, -1e308, 0.5, -3.0, 4_294_967_296.0, 7.0])
            .prop_map(Value::from),
        1 => Just(json!("NaN")),
    ];
    let counts = prop::collection::vec(count, 0..7).prop_map(Value::Array);
    let sex = prop::sample::select(vec!["female", "male", "female", "male", "F", ""]);
    let input = (
        prop::option::weighted(0.8, num_samples),
        prop::option::weighted(0.25, counts),
        prop::option::weighted(0.7, sex),
    )
        .prop_map(|(n, c, sex)| {
            let mut m = Map::new();
            if let Some(n) = n {
                m.insert("num_samples".into(), n);
            }
            if let Some(c) = c {
                m.insert("counts".into(), c);
            }
            if let Some(sex) = sex {
                m.insert("metadata".into(), json!({ "sex": sex }));
            }
            Value::Object(m)
        });
    let n_inputs = prop_oneof![4 => 1usize..4, 1 => 0usize..12];
    (
        n_inputs.prop_flat_map(move |n| prop::collection::vec(input.clone(), n)),
        prop::option::weighted(
            0.9,
            prop::sample::select(vec!["mean estimation", "sample generation", "fast"]),
        ),
    )
        .prop_map(|(inputs, strategy)| {
            let mut q = json!({ "inputs": inputs });
            if let Some(s) = strategy {
                q["sampling_strategy"] = json!(s);
            }
            q
        })
}

/// Whether a [`query_like`] body has the protocol's shape (no error while
/// reading it, which stops at the first one): whole sample numbers, numeric
/// counts, a known strategy.
fn has_shape(query: &Value) -> bool {
    let inputs = query["inputs"].as_array().unwrap();
    let whole_samples = inputs
        .iter()
        .all(|i| i.get("num_samples").is_none_or(|n| whole(n).is_some()));
    let numeric_counts = inputs.iter().all(|i| {
        i["counts"]
            .as_array()
            .is_none_or(|c| c.iter().all(Value::is_number))
    });
    whole_samples && numeric_counts && query["sampling_strategy"] != "fast"
}

/// A JSON number read as a whole `u64`, as the protocol reads `num_samples`.
fn whole(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8446744073709552e19)
            .map(|f| f as u64)
    })
}

/// One more edit of a valid body: a byte replaced, inserted or removed.
fn mutated_body() -> impl Strategy<Value = Vec<u8>> {
    let seeds: Vec<Vec<u8>> = [
        json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {"sex": "female"}, "num_samples": 2}], "seed": 1}),
        json!({"inputs": [{"counts": [5, 0, 12, 3]}]}),
        json!({"sampling_strategy": "sample generation", "inputs": [{"counts": [1, 2, 3, 4], "metadata": {"perturbation_type": "control"}, "num_samples": 1}], "conditioning": ["biological"]}),
    ]
    .iter()
    .map(|v| v.to_string().into_bytes())
    .collect();
    (
        prop::sample::select(seeds),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    )
        .prop_map(|(mut body, edits)| {
            for (at, byte, op) in edits {
                let i = at.index(body.len().max(1));
                match op {
                    0 if !body.is_empty() => {
                        let at = i.min(body.len() - 1);
                        body[at] = byte;
                    }
                    1 => body.insert(i.min(body.len()), byte),
                    _ if !body.is_empty() => {
                        body.remove(i.min(body.len() - 1));
                    }
                    _ => {}
                }
            }
            body
        })
}

/// Bodies sent over HTTP (the properties above run on the function itself).
const HTTP_CASES: usize = 96;

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn any_bytes_are_answered_without_a_panic(data in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&data);
    }

    #[test]
    fn any_edit_of_a_valid_body_is_answered(pick in any::<u8>(), body in mutated_body()) {
        let mut data = vec![pick];
        data.extend(body);
        check(&data);
    }

    #[test]
    fn any_json_is_accepted_or_422_with_paths(value in json_value()) {
        let body = value.to_string();
        for model in models() {
            let outcome = check_body(body.as_bytes(), &model, &config());
            if let Outcome::Rejected(status, _) = outcome {
                prop_assert_eq!(status, 422, "{}", body);
            }
        }
    }

    #[test]
    fn limits_and_bad_counts_are_named(query in query_like()) {
        let body = query.to_string();
        let inputs = query["inputs"].as_array().unwrap();
        for model in models() {
            let outcome = check_body(body.as_bytes(), &model, &config());
            let paths = match &outcome {
                Outcome::Accepted => Vec::new(),
                Outcome::Rejected(status, paths) => {
                    prop_assert_eq!(*status, 422);
                    paths.clone()
                }
            };
            if !has_shape(&query) {
                // Reading stops at the first shape error and names it alone.
                prop_assert_eq!(paths.len(), 1, "{}", body);
                prop_assert!(paths[0].starts_with("inputs") || paths[0] == "sampling_strategy", "{:?}", paths);
                continue;
            }
            if inputs.len() > MAX_INPUTS {
                prop_assert!(paths.iter().any(|p| p == "inputs"), "{} inputs: {:?}", inputs.len(), paths);
            }
            let family = synthbio_core::ModelId::from(model.model_id.as_str()).family();
            let total = inputs
                .iter()
                .map(|i| i.get("num_samples").map_or(1, |n| whole(n).unwrap_or(0)))
                .fold(0u64, u64::saturating_add);
            if total > MAX_TOTAL_SAMPLES && family != Some(synthbio_core::Family::MetadataPrediction) {
                prop_assert!(paths.iter().any(|p| p == "inputs"), "{} samples: {:?} for {}", total, paths, model.model_id);
            }
            if family.is_none() {
                continue;
            }
            for (i, input) in inputs.iter().enumerate() {
                let at = format!("inputs[{i}].counts");
                let named = paths.iter().any(|p| p.starts_with(&at));
                let huge = input["counts"].as_array().is_some_and(|c| c.iter().any(|x| x.as_f64() == Some(1e308)));
                if huge {
                    prop_assert!(named, "{} not named: {:?}", at, paths);
                }
                if input.get("counts").is_some() && family == Some(synthbio_core::Family::Baseline) {
                    prop_assert!(named, "baseline took counts: {:?}", paths);
                }
            }
        }
    }
}

/// The endpoint answers as `read_query` does: 200 when it accepts, its status
/// otherwise, for generated bodies of every kind (valid, broken, hostile).
#[tokio::test]
async fn the_endpoint_answers_as_read_query_does() {
    let fake = FakePredictor::new();
    let infos = fake.infos();
    let cfg = config()
        .with_max_queued_jobs(1_000)
        .with_shutdown_grace(std::time::Duration::ZERO);
    let (server, api) = start_with(fake, cfg.clone()).await;
    let bodies: Vec<(usize, String)> = {
        let mut runner = TestRunner::deterministic();
        let strategy = (
            0..infos.len(),
            prop_oneof![
                query_like().prop_map(|v| v.to_string()),
                json_value().prop_map(|v| v.to_string()),
                mutated_body().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            ],
        );
        (0..HTTP_CASES)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect()
    };
    for (m, body) in &bodies {
        let info = &infos[*m];
        let expected = match read_query(body.as_bytes(), info, &cfg) {
            Ok(_) => 200,
            Err(e) => e.status(),
        };
        let r = api
            .client
            .post(format!("{}/api/models/{}/predict", api.base, info.model_id))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            expected,
            "{body} for {}",
            info.model_id
        );
    }
    server.shutdown().await;
}

#[test]
fn the_generated_bodies_reach_both_outcomes() {
    // A guard on the generators: properties over inputs that are all rejected
    // (or all accepted) would prove little.
    let mut runner = TestRunner::deterministic();
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..200 {
        let v = query_like().new_tree(&mut runner).unwrap().current();
        let model = &models()[0];
        match check_body(v.to_string().as_bytes(), model, &config()) {
            Outcome::Accepted => accepted += 1,
            Outcome::Rejected(..) => rejected += 1,
        }
    }
    assert!(
        accepted >= 5 && rejected >= 5,
        "{accepted} accepted, {rejected} rejected"
    );
    assert_eq!(N_GENES, 4);
}
