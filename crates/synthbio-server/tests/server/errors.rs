//! Every error shape: 400, 404, 413, 422 with paths, failed jobs, download tokens.

use crate::support::fake::{BULK, PREDICT};
use crate::support::http::{config, start};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// The error body's summary and its problem paths.
async fn error_of(r: reqwest::Response, status: StatusCode) -> (String, Vec<(String, String)>) {
    assert_eq!(r.status(), status);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = r.json().await.unwrap();
    let problems = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors list in {body}"))
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (body["error"].as_str().unwrap().to_string(), problems)
}

fn baseline() -> Value {
    json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {"sex": "female"}, "num_samples": 2}]})
}

#[tokio::test]
async fn bad_json_and_wrong_content_type_are_400() {
    let (server, api, _) = start(config()).await;
    let r = api
        .client
        .post(format!("{}/api/models/{BULK}/predict", api.base))
        .header("content-type", "application/json")
        .body("{\"inputs\": [")
        .send()
        .await
        .unwrap();
    let (error, problems) = error_of(r, StatusCode::BAD_REQUEST).await;
    assert!(error.contains("not valid JSON"), "{error}");
    assert_eq!(problems[0].0, "");
    assert!(problems[0].1.contains("EOF"), "{problems:?}");

    let r = api
        .client
        .post(format!("{}/api/models/{BULK}/predict", api.base))
        .header("content-type", "text/plain")
        .body(baseline().to_string())
        .send()
        .await
        .unwrap();
    let (_, problems) = error_of(r, StatusCode::BAD_REQUEST).await;
    assert!(problems[0].1.contains("application/json"), "{problems:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_models_queries_and_paths_are_404_and_wrong_methods_405() {
    let (server, api, _) = start(config()).await;
    let (error, _) = error_of(
        api.predict("gem-9-nope", &baseline()).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(
        error.contains("\"gem-9-nope\"") && error.contains("GET /api/models"),
        "{error}"
    );
    let r = api
        .get("/api/models/gem-9-nope/example-query")
        .send()
        .await
        .unwrap();
    error_of(r, StatusCode::NOT_FOUND).await;
    let (code, body) = api.status("0123abcd").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().unwrap().contains("0123abcd"));
    let r = api.get("/api/nothing-here").send().await.unwrap();
    let (error, _) = error_of(r, StatusCode::NOT_FOUND).await;
    assert!(error.contains("/api/nothing-here"), "{error}");
    let r = api
        .get(&format!("/api/models/{BULK}/predict"))
        .send()
        .await
        .unwrap();
    let (error, _) = error_of(r, StatusCode::METHOD_NOT_ALLOWED).await;
    assert!(error.starts_with("GET is not used"), "{error}");
    server.shutdown().await;
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let (server, api, _) = start(config().with_max_body_bytes(1024)).await;
    let mut query = baseline();
    query["padding"] = json!("x".repeat(2048));
    let (error, _) = error_of(
        api.predict(BULK, &query).send().await.unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(error.contains("1024 bytes"), "{error}");
    // Under the limit is fine.
    api.submit(BULK, &baseline()).await;
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_queries_are_422_with_every_path() {
    let (server, api, _) = start(config()).await;
    let query = json!({
        "sampling_strategy": "sample generation",
        "inputs": [{"metadata": {"sex": "F", "colour": "blue"}, "num_samples": 0}],
        "conditioning": ["biological"]
    });
    let (error, problems) = error_of(
        api.predict(BULK, &query).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(error.contains("4 problems"), "{error}");
    let paths: Vec<&str> = problems.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "conditioning",
            "inputs[0].metadata.colour",
            "inputs[0].metadata.sex",
            "inputs[0].num_samples"
        ]
    );
    // The model's spec applies: four genes, whole counts.
    let query = json!({"inputs": [{"counts": [1, 2.5, 3]}]});
    let (_, problems) = error_of(
        api.predict(PREDICT, &query).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let paths: Vec<&str> = problems.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(paths, ["inputs[0].counts", "inputs[0].counts[1]"]);
    assert!(problems[0].1.contains("4 genes"), "{problems:?}");
    // A shape error names its path too.
    let (_, problems) = error_of(
        api.predict(BULK, &json!({"inputs": [{"num_samples": 1.5}]}))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problems[0].0, "inputs[0].num_samples");
    // A JSON value that is not an object.
    let (_, problems) = error_of(
        api.predict(BULK, &json!([1, 2])).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problems[0].1.contains("JSON object"), "{problems:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn server_limits_are_422_at_inputs() {
    let config = config().with_max_total_samples(5).with_max_inputs(2);
    let (server, api, _) = start(config).await;
    let input = json!({"metadata": {}, "num_samples": 2});
    let query = json!({"sampling_strategy": "mean estimation", "inputs": [input, input, input]});
    let (_, problems) = error_of(
        api.predict(BULK, &query).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.0 == "inputs"));
    assert!(problems[0].1.contains("limit of 2"), "{problems:?}");
    assert!(problems[1].1.contains("6 samples") && problems[1].1.contains("limit of 5"));
    let query = json!({"sampling_strategy": "mean estimation", "inputs": [input, input]});
    api.submit(BULK, &query).await;
    server.shutdown().await;
}

#[tokio::test]
async fn model_failures_and_panics_are_failed_jobs_with_messages() {
    let (server, api, _) = start(config()).await;
    let mut query = baseline();
    query["fail"] = json!("Metadata validation failed: [\"Query 1 has bad values.\"]");
    let qid = api.submit(BULK, &query).await;
    let status = api.wait(&qid).await;
    assert_eq!(status["status"], "failed");
    assert_eq!(
        status["message"],
        "model failed: Metadata validation failed: [\"Query 1 has bad values.\"]"
    );
    assert!(status.get("downloadUrl").is_none());

    let mut query = baseline();
    query["panic"] = json!("boom in the decoder");
    let qid = api.submit(BULK, &query).await;
    let status = api.wait(&qid).await;
    assert_eq!(status["status"], "failed");
    let message = status["message"].as_str().unwrap();
    assert!(message.contains("boom in the decoder"), "{message}");
    // The server is still up and still predicts.
    let result = api.run(BULK, &baseline()).await;
    assert_eq!(result["outputs"].as_array().unwrap().len(), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn download_tokens_must_match_and_be_fresh() {
    let (server, api, _) = start(config()).await;
    let qid = api.submit(BULK, &baseline()).await;
    let status = api.wait(&qid).await;
    let url = status["downloadUrl"].as_str().unwrap().to_string();
    // The link handed out is stable while valid.
    assert_eq!(api.wait(&qid).await["downloadUrl"], url.as_str());
    let (base, token) = url.split_once("?token=").unwrap();
    let wrong = format!("{base}?token={}", "0".repeat(token.len()));
    let (error, _) = error_of(reqwest::get(&wrong).await.unwrap(), StatusCode::FORBIDDEN).await;
    assert!(error.contains("not valid"), "{error}");
    error_of(reqwest::get(base).await.unwrap(), StatusCode::FORBIDDEN).await;
    let other = url.replace(&qid, &"f".repeat(64));
    error_of(reqwest::get(&other).await.unwrap(), StatusCode::NOT_FOUND).await;
    assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::OK);
    server.shutdown().await;

    let config = config().with_download_link_ttl(Duration::ZERO);
    let (server, api, _) = start(config).await;
    let qid = api.submit(BULK, &baseline()).await;
    let first = api.wait(&qid).await["downloadUrl"].clone();
    let url = first.as_str().unwrap();
    let (error, _) = error_of(reqwest::get(url).await.unwrap(), StatusCode::FORBIDDEN).await;
    assert!(error.contains("expired"), "{error}");
    // A new poll hands out a new link.
    assert_ne!(api.wait(&qid).await["downloadUrl"], first);
    server.shutdown().await;
}

#[tokio::test]
async fn finished_jobs_are_forgotten_after_the_retention_time() {
    let config = config().with_result_retention(Duration::ZERO);
    let (server, api, _) = start(config).await;
    let qid = api.submit(BULK, &baseline()).await;
    loop {
        let (code, body) = api.status(&qid).await;
        if code == StatusCode::NOT_FOUND {
            assert!(
                body["error"].as_str().unwrap().contains("removed"),
                "{body}"
            );
            break;
        }
        assert_eq!(body["status"], "running", "{body}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.shutdown().await;
}
