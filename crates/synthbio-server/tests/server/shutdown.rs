//! Graceful shutdown: no new queries, accepted ones answered, then stop.

use crate::support::fake::BULK;
use crate::support::http::start;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use synthbio_server::ServerConfig;

fn held() -> Value {
    json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {"sex": "male"}, "num_samples": 2}], "hold": true})
}

/// Submits until the server answers 503 because it is shutting down.
async fn wait_for_refusal(api: &crate::support::http::Api) {
    let plain = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}]});
    loop {
        let r = api.predict(BULK, &plain).send().await.unwrap();
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            let body: Value = r.json().await.unwrap();
            assert!(
                body["error"].as_str().unwrap().contains("shutting down"),
                "{body}"
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn accepted_jobs_are_finished_and_collected_before_the_server_stops() {
    let config = ServerConfig::default()
        .with_workers(1)
        // Long enough never to be what ends the test: collection ends the grace.
        .with_shutdown_grace(Duration::from_secs(600));
    let (server, api, fake) = start(config).await;
    let base = server.base_url();
    let qid = api.submit(BULK, &held()).await;
    fake.gate.started(1).await;
    let stopping = tokio::spawn(server.shutdown());
    wait_for_refusal(&api).await;
    // Status polls are still answered while the job runs.
    assert_eq!(api.status(&qid).await.1["status"], "running");
    fake.gate.open();
    let result = api.collect(&qid).await;
    assert_eq!(result["outputs"].as_array().unwrap().len(), 2);
    // The last result collected, the server stops on its own.
    stopping.await.unwrap();
    let refused = reqwest::Client::new()
        .get(format!("{base}/api/models"))
        .send()
        .await;
    assert!(refused.is_err(), "the listener is closed");
}

#[tokio::test]
async fn jobs_still_running_at_the_deadline_are_failed_with_a_message() {
    let config = ServerConfig::default()
        .with_workers(1)
        .with_shutdown_job_timeout(Duration::ZERO)
        .with_shutdown_grace(Duration::from_secs(600));
    let (server, api, fake) = start(config).await;
    let qid = api.submit(BULK, &held()).await;
    fake.gate.started(1).await;
    let stopping = tokio::spawn(server.shutdown());
    let status = api.wait(&qid).await;
    assert_eq!(status["status"], "failed");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("shut down before this job finished"),
        "{status}"
    );
    // The failure reported, nothing is left to collect.
    stopping.await.unwrap();
    fake.gate.open();
}
