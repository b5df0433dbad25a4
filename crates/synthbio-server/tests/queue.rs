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
