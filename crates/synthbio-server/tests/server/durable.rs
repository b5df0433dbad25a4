//! The state directory: results and failures survive a restart, the disk and
//! memory budgets refuse with a reason, expired results are deleted.
//! (Killing a real `synthbio serve` mid-job is tested in synthbio-cli's
//! tests/serve_durable.rs.)

use crate::support::fake::BULK;
use crate::support::http::{config, start};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

fn plain(n: u64) -> Value {
    json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {"sex": "female"}, "num_samples": n}]})
}

/// The result files in a state directory.
fn result_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn results_and_failures_survive_a_restart_on_the_same_state_dir() {
    let state = tempfile::tempdir().unwrap();
    let cfg = || {
        config()
            .with_workers(1)
            .with_state_dir(state.path())
            .with_shutdown_job_timeout(Duration::ZERO)
    };
    let (server, api, fake) = start(cfg()).await;
    let done = api.submit(BULK, &plain(3)).await;
    let before = api.collect(&done).await;
    assert_eq!(result_files(state.path()), vec![format!("{done}.json")]);
    // Still running at shutdown: failed with the shutdown's message, kept so.
    let held = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}], "hold": true});
    let cut = api.submit(BULK, &held).await;
    fake.gate.started(1).await;
    server.shutdown().await;
    fake.gate.open();

    let (server, api, _) = start(cfg()).await;
    assert_eq!(api.collect(&done).await, before);
    let status = api.wait(&cut).await;
    assert_eq!(status["status"], "failed", "{status}");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("shut down before this job finished"),
        "{status}"
    );
    server.shutdown().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    }
}

#[tokio::test]
async fn a_second_server_on_the_same_state_dir_is_refused() {
    let state = tempfile::tempdir().unwrap();
    let (server, _, _) = start(config().with_state_dir(state.path())).await;
    let second = synthbio_server::spawn(
        crate::support::fake::FakePredictor::new(),
        config().with_state_dir(state.path()),
    )
    .await
    .unwrap_err();
    assert!(second.to_string().contains("in use by another"), "{second}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_full_disk_budget_is_503_and_expired_results_are_deleted() {
    let state = tempfile::tempdir().unwrap();
    let cfg = config()
        .with_state_dir(state.path())
        .with_max_disk_bytes(1)
        .with_result_retention(Duration::from_millis(300));
    let (server, api, _) = start(cfg).await;
    // The first result fills the budget; it is not collected, so it cannot make room.
    let first = api.submit(BULK, &plain(2)).await;
    assert_eq!(api.wait(&first).await["status"], "ready");
    assert_eq!(result_files(state.path()).len(), 1);
    let r = api.predict(BULK, &plain(2)).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "5");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("disk budget"),
        "{body}"
    );
    // Once expired, the result is forgotten and its file deleted: room again.
    while api.status(&first).await.0 != 404 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(result_files(state.path()).is_empty());
    let second = api.submit(BULK, &plain(2)).await;
    assert_eq!(api.wait(&second).await["status"], "ready");
    server.shutdown().await;
}

#[tokio::test]
async fn collected_results_are_deleted_first_when_the_disk_budget_is_full() {
    let state = tempfile::tempdir().unwrap();
    let (server, api, _) =
        start(config().with_state_dir(state.path()).with_max_disk_bytes(1)).await;
    let first = api.submit(BULK, &plain(2)).await;
    api.collect(&first).await;
    let second = api.submit(BULK, &plain(2)).await;
    assert_eq!(api.wait(&second).await["status"], "ready");
    assert_eq!(api.status(&first).await.0, 404);
    assert_eq!(result_files(state.path()), vec![format!("{second}.json")]);
    server.shutdown().await;
}

#[tokio::test]
async fn a_query_over_the_whole_memory_budget_is_422_with_the_fix() {
    let (server, api, _) = start(config().with_max_memory_bytes(1 << 20)).await;
    let r = api.predict(BULK, &plain(1_000)).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["path"], "inputs", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("memory budget of 1 MiB"), "{message}");
    assert!(message.contains("split"), "{message}");
    // A small one still runs.
    api.run(BULK, &plain(2)).await;
    server.shutdown().await;
}
