//! Load on loopback, with the real engine behind the server: 200 clients
//! submitting and polling at once against a small queue, then a graceful
//! shutdown with jobs in flight. Nothing accepted is lost, nothing runs twice,
//! every result is its own query's, the queue never grows past its limit
//! (503 with `Retry-After` instead), and every accepted job is answered
//! before the server stops.

use crate::support::http::{start_with, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;
use synthbio_core::{Dataset, ListedModel, ModelId, PredictError, Predictor, Query};
use synthbio_engine::Engine;
use synthbio_server::ServerConfig;

const MODEL: &str = "gem-1-bulk";
/// Longest any phase of these tests may take before it counts as a hang.
const BOUND: Duration = Duration::from_secs(60);

fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    Arc::clone(
        ENGINE.get_or_init(|| Arc::new(Engine::embedded().expect("the shipped models load"))),
    )
}

/// The engine, behind a gate, recording every prediction it makes: how many
/// per seed, the counts it returned, and how many ran at once.
struct Recording {
    engine: Arc<Engine>,
    open: Mutex<bool>,
    opened: Condvar,
    runs: Mutex<HashMap<u64, Vec<Vec<u32>>>>,
    running: AtomicUsize,
    max_running: AtomicUsize,
}

impl Recording {
    fn closed() -> Arc<Self> {
        Arc::new(Recording {
            engine: engine(),
            open: Mutex::new(false),
            opened: Condvar::new(),
            runs: Mutex::new(HashMap::new()),
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
        })
    }

    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    /// Seed -> the counts of each run with that seed.
    fn runs(&self) -> HashMap<u64, Vec<Vec<u32>>> {
        self.runs.lock().unwrap().clone()
    }
}

impl Predictor for Recording {
    fn models(&self) -> Result<Vec<ListedModel>, PredictError> {
        self.engine.models()
    }

    fn example_query(&self, model: &ModelId) -> Result<Query, PredictError> {
        self.engine.example_query(model)
    }

    fn predict(&self, model: &ModelId, query: &Query) -> Result<Dataset, PredictError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        {
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.opened.wait(open).unwrap();
            }
        }
        let result = self.engine.predict(model, query);
        if let Ok(ds) = &result {
            let seed = query.seed.expect("every load query has a seed");
            self.runs
                .lock()
                .unwrap()
                .entry(seed)
                .or_default()
                .push(ds.sample_counts(0).to_vec());
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
        result
    }
}

/// A one-sample query of the bulk model; the seed tells the jobs apart.
fn query(seed: u64) -> Value {
    let mut q = serde_json::to_value(engine().example_query(&MODEL.into()).unwrap()).unwrap();
    q["inputs"][0]["num_samples"] = json!(1);
    q["seed"] = json!(seed);
    q
}

/// One submission attempt: the query id, or the 503's `Retry-After`.
async fn try_submit(api: &Api, seed: u64) -> Result<String, String> {
    let r = api.predict(MODEL, &query(seed)).send().await.unwrap();
    let status = r.status();
    let retry_after = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let body: Value = r.json().await.unwrap();
    match status {
        StatusCode::OK => Ok(body["modelQueryId"].as_str().unwrap().to_string()),
        StatusCode::SERVICE_UNAVAILABLE => {
            assert!(
                body["error"].as_str().unwrap().contains("queue is full"),
                "{body}"
            );
            Err(retry_after.expect("a 503 always says when to come back"))
        }
        other => panic!("{other}: {body}"),
    }
}

/// Polls until ready, downloads, returns the one sample's counts.
async fn collect(api: &Api, qid: &str) -> Vec<u32> {
    let result = api.collect(qid).await;
    let outputs = result["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 1);
    outputs[0]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| u32::try_from(c.as_u64().unwrap()).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_clients_lose_nothing_and_duplicate_nothing() {
    const CLIENTS: u64 = 200;
    const WORKERS: usize = 2;
    const QUEUE: usize = 32;
    let recording = Recording::closed();
    let config = ServerConfig::default()
        .with_workers(WORKERS)
        .with_max_queued_jobs(QUEUE)
        .with_shutdown_grace(Duration::ZERO);
    let (server, api) = start_with(recording.clone(), config).await;
    let api = Arc::new(api);

    // Every client tries once while the model is held: the queue fills, the rest get 503.
    let (first_tx, mut first_rx) = tokio::sync::mpsc::unbounded_channel();
    let go = Arc::new(tokio::sync::Notify::new());
    let mut clients = Vec::new();
    for seed in 0..CLIENTS {
        let api = Arc::clone(&api);
        let first_tx = first_tx.clone();
        let go = Arc::clone(&go);
        let notified = go.notified_owned();
        clients.push(tokio::spawn(async move {
            let mut attempts = 1;
            let first = try_submit(&api, seed).await;
            first_tx.send(first.clone()).unwrap();
            let qid = match first {
                Ok(qid) => qid,
                Err(_) => {
                    notified.await;
                    loop {
                        attempts += 1;
                        // A real client waits the Retry-After (5 s); the test backs
                        // off from 50 ms to 800 ms instead, to stay short.
                        let backoff = 50u64 << (attempts - 2).min(4);
                        tokio::time::sleep(Duration::from_millis(backoff)).await;
                        if let Ok(qid) = try_submit(&api, seed).await {
                            break qid;
                        }
                    }
                }
            };
            let counts = collect(&api, &qid).await;
            (seed, qid, counts, attempts)
        }));
    }
    drop(first_tx);
    let mut accepted = 0;
    let mut refused = 0;
    for _ in 0..CLIENTS {
        let first = tokio::time::timeout(BOUND, first_rx.recv())
            .await
            .unwrap()
            .unwrap();
        match first {
            Ok(_) => accepted += 1,
            Err(retry_after) => {
                assert_eq!(retry_after, "5");
                refused += 1;
            }
        }
    }
    assert_eq!(accepted + refused, CLIENTS as usize);
    // The queue held at most its limit (plus the jobs that had left it for a worker).
    assert!(
        (QUEUE..=QUEUE + WORKERS).contains(&accepted),
        "{accepted} accepted with a queue of {QUEUE} and {WORKERS} workers"
    );
    recording.open();
    go.notify_waiters();

    let mut qids = HashSet::new();
    let mut total_attempts = 0;
    let mut answered = HashMap::new();
    for client in clients {
        let (seed, qid, counts, attempts) =
            tokio::time::timeout(BOUND, client).await.unwrap().unwrap();
        assert!(qids.insert(qid), "a query id was handed out twice");
        total_attempts += attempts;
        answered.insert(seed, counts);
    }
    let runs = recording.runs();
    assert_eq!(runs.len(), CLIENTS as usize, "every accepted job ran");
    for seed in 0..CLIENTS {
        let ran = &runs[&seed];
        assert_eq!(ran.len(), 1, "seed {seed} ran {} times", ran.len());
        assert_eq!(
            answered[&seed], ran[0],
            "seed {seed} got another job's result"
        );
    }
    assert!(recording.max_running.load(Ordering::SeqCst) <= WORKERS);
    // The recorded results are the engine's own, and differ between seeds.
    for seed in [0, 101, 199] {
        let direct = engine()
            .predict(&MODEL.into(), &Query::from_value(query(seed)).unwrap())
            .unwrap();
        assert_eq!(answered[&seed], direct.sample_counts(0).to_vec());
    }
    assert_ne!(answered[&0], answered[&1]);
    assert!(
        total_attempts > CLIENTS as usize,
        "some submissions were refused and retried"
    );
    println!(
        "load: {CLIENTS} clients, {total_attempts} submissions, {refused} first tries refused 503, \
         {} jobs completed, 0 lost, 0 duplicated",
        runs.len()
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_under_load_answers_every_accepted_job() {
    const JOBS: u64 = 40;
    let recording = Recording::closed();
    let config = ServerConfig::default()
        .with_workers(2)
        .with_max_queued_jobs(64)
        // Long enough never to be what ends the test: collection ends the grace.
        .with_shutdown_grace(Duration::from_secs(600));
    let (server, api) = start_with(recording.clone(), config).await;
    let base = server.base_url();
    let api = Arc::new(api);
    let mut qids = Vec::new();
    for seed in 0..JOBS {
        qids.push((seed, try_submit(&api, 1_000 + seed).await.unwrap()));
    }
    let stopping = tokio::spawn(server.shutdown());
    // New work is refused while the accepted jobs wait.
    loop {
        let r = api.predict(MODEL, &query(9_999)).send().await.unwrap();
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(r.headers()["retry-after"], "5");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    recording.open();
    let collectors: Vec<_> = qids
        .into_iter()
        .map(|(seed, qid)| {
            let api = Arc::clone(&api);
            tokio::spawn(async move { (seed, collect(&api, &qid).await) })
        })
        .collect();
    let mut answered = HashMap::new();
    for c in collectors {
        let (seed, counts) = tokio::time::timeout(BOUND, c).await.unwrap().unwrap();
        answered.insert(1_000 + seed, counts);
    }
    // Every result collected, the server stops by itself, well before its grace ends.
    tokio::time::timeout(BOUND, stopping)
        .await
        .unwrap()
        .unwrap();
    let runs = recording.runs();
    assert_eq!(runs.len(), JOBS as usize);
    assert!(!runs.contains_key(&9_999), "a refused job ran");
    for (seed, counts) in &answered {
        assert_eq!(runs[seed], std::slice::from_ref(counts));
    }
    let refused = reqwest::Client::new()
        .get(format!("{base}/api/models"))
        .send()
        .await;
    assert!(refused.is_err(), "the listener is closed");
}
