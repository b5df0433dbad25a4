//! The bounded queue: 503 with Retry-After when full; queued jobs still finish.

use crate::support::fake::BULK;
use crate::support::http::{config, start};
use serde_json::{json, Value};

#[tokio::test]
async fn a_full_queue_is_503_with_retry_after_and_accepted_jobs_finish() {
    let config = config().with_workers(1).with_max_queued_jobs(1);
    let (server, api, fake) = start(config).await;
    let held = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}], "hold": true});
    let running = api.submit(BULK, &held).await;
    fake.gate.started(1).await;
    // The only worker is busy: this one waits in the queue's single place.
    let queued = api.submit(BULK, &held).await;
    let r = api.predict(BULK, &held).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "5");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("queue is full"),
        "{body}"
    );
    // The synchronous Arrow mode shares the queue.
    let r = api
        .predict(BULK, &held)
        .header("accept", synthbio_server::ARROW_STREAM_MEDIA_TYPE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(api.status(&running).await.1["status"], "running");
    assert_eq!(api.status(&queued).await.1["status"], "running");

    fake.gate.open();
    for qid in [&running, &queued] {
        assert_eq!(api.wait(qid).await["status"], "ready");
    }
    // With the queue empty again, submissions are accepted.
    api.submit(BULK, &held).await;
    server.shutdown().await;
}

#[tokio::test]
async fn kept_jobs_are_bounded_and_collected_results_make_room_first() {
    let config = config().with_max_kept_jobs(3);
    let (server, api, _) = start(config).await;
    let plain = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}]});
    let mut kept = Vec::new();
    for _ in 0..3 {
        let qid = api.submit(BULK, &plain).await;
        assert_eq!(api.wait(&qid).await["status"], "ready");
        kept.push(qid);
    }
    // Three results wait to be collected: a fourth job is refused, not stored.
    let r = api.predict(BULK, &plain).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "5");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("at most 3 jobs"),
        "{body}"
    );
    // Collecting one makes room: it is the one forgotten.
    let url = api.wait(&kept[0]).await["downloadUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let collected: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(collected["outputs"].as_array().unwrap().len(), 1);
    let fourth = api.submit(BULK, &plain).await;
    assert_eq!(api.status(&kept[0]).await.0, 404);
    for qid in [&kept[1], &kept[2], &fourth] {
        assert_eq!(api.wait(qid).await["status"], "ready");
    }
    server.shutdown().await;
}
