//! Every endpoint answering well-formed requests, and the submit/poll/download cycle.

use crate::support::check;
use crate::support::fake::{BULK, PREDICT, REFERENCE};
use crate::support::http::{config, start};
use serde_json::{json, Value};
use synthbio_core::{Predictor, Query};

#[tokio::test]
async fn lists_the_models_with_their_details() {
    let (server, api, fake) = start(config()).await;
    let r = api.get("/api/models").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, json!({ "models": fake.infos() }));
    let first = &body["models"][0];
    assert_eq!(first["model_id"], BULK);
    assert_eq!(first["family"], "baseline");
    assert_eq!(first["modality"], "bulk");
    assert_eq!(first["n_genes"], 4);
    assert_eq!(first["latent_dims"]["biological"], 3);
    assert_eq!(first["spec"]["n_genes"], 4);
    server.shutdown().await;
}

#[tokio::test]
async fn example_queries_are_valid_and_runnable() {
    let (server, api, fake) = start(config()).await;
    for model in [BULK, PREDICT, REFERENCE] {
        let r = api
            .get(&format!("/api/models/{model}/example-query"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        let query = Query::from_value(body["example_query"].clone()).unwrap();
        assert_eq!(query, fake.example_query(&model.into()).unwrap());
        let result = api.run(model, &body["example_query"]).await;
        assert_eq!(
            result["outputs"].as_array().unwrap().len() as u64,
            query.total_samples()
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn baseline_cycle_returns_every_value() {
    let (server, api, fake) = start(config()).await;
    let query = json!({
        "sampling_strategy": "sample generation",
        "inputs": [
            {"metadata": {"sex": "female", "sample_type": "primary tissue"}, "num_samples": 3},
            {"metadata": {"sex": "male"}, "num_samples": 2}
        ],
        "seed": 42, "source": "synthbio-tests"
    });
    let qid = api.submit(BULK, &query).await;
    assert_eq!(qid.len(), 64, "query ids are long random hex");
    let status = api.wait(&qid).await;
    assert_eq!(status["status"], "ready");
    let url = status["downloadUrl"].as_str().unwrap();
    let prefix = format!("{}/api/downloads/{qid}?token=", server.base_url());
    assert!(url.starts_with(&prefix), "{url}");
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let result: Value = r.json().await.unwrap();
    let expected = fake
        .predict(&BULK.into(), &Query::from_value(query).unwrap())
        .unwrap();
    check::expression(&result, &expected);
    // A count above i32::MAX survives the trip.
    assert!(result["outputs"][0]["counts"][3].as_u64().unwrap() >= 3_000_000_000);
    // The same link works again while it is valid.
    let again: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(again, result);
    server.shutdown().await;
}

#[tokio::test]
async fn metadata_prediction_cycle_returns_probabilities_and_decoded_counts() {
    let (server, api, fake) = start(config()).await;
    let query =
        json!({"inputs": [{"counts": [5, 0, 12, 3]}, {"counts": [1, 2, 3, 4.0]}], "seed": 9});
    let result = api.run(PREDICT, &query).await;
    let expected = fake
        .predict(&PREDICT.into(), &Query::from_value(query).unwrap())
        .unwrap();
    check::predicted(&result, &expected);
    server.shutdown().await;
}

#[tokio::test]
async fn tolerant_reading_mode_r_scalars_and_whole_floats() {
    let (server, api, fake) = start(config()).await;
    let query = json!({
        "mode": "mean estimation",
        "inputs": [{"counts": [5.0, 0, 12, 3], "metadata": {"perturbation_type": "control"}, "num_samples": 2.0}],
        "conditioning": "biological",
        "seed": 3.0
    });
    let result = api.run(REFERENCE, &query).await;
    let expected = fake
        .predict(&REFERENCE.into(), &Query::from_value(query).unwrap())
        .unwrap();
    assert_eq!(expected.n_samples(), 2);
    check::expression(&result, &expected);
    server.shutdown().await;
}

#[tokio::test]
async fn download_links_use_the_public_base_url_when_set() {
    // Behind TLS termination, and behind a proxy serving the API under a path.
    for (public, prefix) in [
        ("https://gem.example.org/", "https://gem.example.org"),
        (
            "https://example.org/tools/gem",
            "https://example.org/tools/gem",
        ),
    ] {
        let config = config().with_public_base_url(public);
        let (server, api, _) = start(config).await;
        let qid = api
            .submit(BULK, &json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}]}))
            .await;
        let status = api.wait(&qid).await;
        let url = status["downloadUrl"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("{prefix}/api/downloads/{qid}?token=")),
            "{url}"
        );
        server.shutdown().await;
    }
}
