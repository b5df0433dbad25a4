//! The client against the project's own server (`synthbio-server`) over
//! loopback HTTP, serving a small deterministic predictor
//! (`support::predictor`): the whole cycle in both modes, validation answers,
//! resume after a crash, concurrency.

use crate::support::predictor::{
    baseline_count, genes, Gate, TestPredictor, BULK, N_GENES, PREDICT_METADATA, REFERENCE,
};
use crate::support::{config, KEY};
use approx::assert_abs_diff_eq;
use std::sync::Arc;
use synthbio_client::{Client, ClientError, Progress, QueryHandle};
use synthbio_core::{metadata, ModelId, Query, SamplingStrategy};
use synthbio_server::{spawn, ServerConfig, ServerHandle};

async fn server(predictor: TestPredictor) -> ServerHandle {
    let mut cfg = ServerConfig::default();
    cfg.workers = 8;
    cfg.api_key = Some(synthbio_server::ApiKey::new(KEY).unwrap());
    spawn(Arc::new(predictor), cfg).await.unwrap()
}

fn two_inputs(seed: u64) -> Query {
    Query::baseline(SamplingStrategy::SampleGeneration)
        .with_input(metadata([("sex", "female")]), 2)
        .with_input(
            metadata([("sex", "male"), ("sample_type", "primary tissue")]),
            1,
        )
        .with_seed(seed)
}

/// Checks a `gem-1-bulk` result of `two_inputs(seed)` against the predictor's rule.
fn check_baseline(ds: &synthbio_core::Dataset, seed: u64) {
    let rows = [(0, 0), (0, 1), (1, 0)];
    assert_eq!(ds.n_samples(), 3);
    assert_eq!(ds.gene_ids(), genes().as_slice());
    for (s, &(i, k)) in rows.iter().enumerate() {
        let want: Vec<u32> = (0..N_GENES)
            .map(|g| baseline_count(seed, i, k, g))
            .collect();
        assert_eq!(ds.sample_counts(s).to_vec(), want, "sample {s}");
    }
    assert_eq!(ds.input_index(), [0, 0, 1]);
    assert_eq!(ds.sample_ids(), ["sample_1", "sample_2", "sample_3"]);
    assert_eq!(ds.metadata().get(1, "sex"), Some("female"));
    assert_eq!(ds.metadata().get(2, "sex"), Some("male"));
    assert_eq!(ds.metadata().get(2, "sample_type"), Some("primary tissue"));
    assert_eq!(ds.metadata().get(0, "sample_type"), None);
    assert_eq!(ds.model_version(), Some("test-1"));
    let l = ds.latents().unwrap();
    assert_eq!(
        l.biological,
        ndarray::array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
    );
    assert_eq!(l.technical, ndarray::Array2::from_elem((3, 1), seed as f64));
    assert_eq!(l.perturbation.dim(), (3, 0));
}

#[tokio::test]
async fn hosted_cycle_and_self_hosted_arrow_agree() {
    let srv = server(TestPredictor::default()).await;
    let (cfg, events) = config(&srv.base_url());
    let client = Client::new(cfg.clone()).unwrap();
    let model = ModelId::from(BULK);
    let models = client.list_models().await.unwrap();
    assert_eq!(models.len(), 3);
    assert_eq!(client.model_spec(&model).unwrap().n_genes, Some(N_GENES));
    let example = client.example_query(&model).await.unwrap();
    assert_eq!(example.seed, Some(3));

    let hosted = client.predict(&model, &two_inputs(4)).await.unwrap();
    check_baseline(&hosted, 4);
    assert!(events
        .all()
        .iter()
        .any(|p| matches!(p, Progress::Submitted { .. })));

    let arrow = Client::new(cfg.with_self_hosted(true)).unwrap();
    let streamed = arrow.predict(&model, &two_inputs(4)).await.unwrap();
    assert_eq!(streamed, hosted);
    srv.shutdown().await;
}

#[tokio::test]
async fn metadata_prediction_in_both_modes() {
    let srv = server(TestPredictor::default()).await;
    let (cfg, _) = config(&srv.base_url());
    let model = ModelId::from(PREDICT_METADATA);
    let q = Query::metadata_prediction([vec![3.0, 1.0, 0.0, 7.0], vec![1.0, 4.0, 2.0, 0.0]]);
    for self_hosted in [false, true] {
        let client = Client::new(cfg.clone().with_self_hosted(self_hosted)).unwrap();
        let ds = client.predict(&model, &q).await.unwrap();
        assert_eq!(ds.counts(), ndarray::array![[7, 0, 1, 3], [0, 2, 4, 1]]);
        assert_eq!(ds.input_index(), [0, 1]);
        assert_eq!(ds.metadata().get(0, "sex"), Some("male"));
        assert_eq!(ds.metadata().get(1, "sex"), Some("female"));
        let p = &ds.classifier_probs()["sex"];
        assert_abs_diff_eq!(p.prob(0, "male"), 0.75, epsilon = 1e-12);
        assert_abs_diff_eq!(p.prob(1, "female"), 0.8, epsilon = 1e-12);
        assert_eq!(ds.latents().unwrap().biological.nrows(), 2);
    }
    srv.shutdown().await;
}

#[tokio::test]
async fn the_servers_validation_answer_and_the_learnt_gene_count() {
    let srv = server(TestPredictor::default()).await;
    let (cfg, _) = config(&srv.base_url());
    let model = ModelId::from(REFERENCE);
    let q = Query::reference_conditioning(SamplingStrategy::MeanEstimation).with_reference(
        [1.0, 2.0, 3.0],
        metadata([("perturbation_type", "control")]),
        2,
    );
    // A fresh client does not know the gene count: the server answers 422.
    let client = Client::new(cfg).unwrap();
    let err = client.predict(&model, &q).await.unwrap_err();
    let ClientError::Validation {
        status: Some(422),
        errors,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(
        errors.errors.iter().any(|p| p.path == "inputs[0].counts"),
        "{err}"
    );
    // After listing the models it knows, and catches it offline.
    client.list_models().await.unwrap();
    let err = client.predict(&model, &q).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Validation { status: None, .. }),
        "{err:?}"
    );
    // A right query runs.
    let q = Query::reference_conditioning(SamplingStrategy::MeanEstimation).with_reference(
        [1.0, 2.0, 3.0, 0.0],
        metadata([("perturbation_type", "control")]),
        2,
    );
    let ds = client.predict(&model, &q).await.unwrap();
    assert_eq!(ds.counts(), ndarray::array![[1, 2, 3, 0], [2, 4, 6, 0]]);
    srv.shutdown().await;
}

#[tokio::test]
async fn a_wrong_key_is_an_authentication_error() {
    let srv = server(TestPredictor::default()).await;
    let (cfg, _) = config(&srv.base_url());
    let client = Client::new(cfg.with_api_key("wrong-key")).unwrap();
    let err = client.list_models().await.unwrap_err();
    assert!(
        matches!(err, ClientError::Authentication { status: 401, .. }),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("wrong-key"));
    let (cfg, _) = config(&srv.base_url());
    let err = Client::new(cfg)
        .unwrap()
        .resume(&ModelId::from(BULK), "no-such-query")
        .await
        .unwrap_err();
    assert!(
        matches!(err.cause(), ClientError::NotFound { .. }),
        "{err:?}"
    );
    assert_eq!(err.model_query_id(), Some("no-such-query"));
    srv.shutdown().await;
}

#[tokio::test]
async fn resume_after_the_client_is_dropped_mid_poll() {
    let gate = Gate::closed();
    let srv = server(TestPredictor {
        gate: Some(Arc::clone(&gate)),
    })
    .await;
    let model = ModelId::from(BULK);
    let (polled_tx, mut polled_rx) = tokio::sync::mpsc::unbounded_channel();
    let (cfg, _) = config(&srv.base_url());
    let cfg = cfg.with_progress(move |p| {
        if let Progress::Polled { status, .. } = p {
            let _ = polled_tx.send(status.clone());
        }
    });
    let first = Client::new(cfg).unwrap();
    let handle = first.submit(&model, &two_inputs(6)).await.unwrap();
    // The handle can be stored as JSON and read back by another process.
    let saved = serde_json::to_string(&handle).unwrap();
    let waiting = tokio::spawn({
        let first = first.clone();
        let handle = handle.clone();
        async move { first.wait(&handle).await }
    });
    assert_eq!(polled_rx.recv().await.as_deref(), Some("running"));
    waiting.abort();
    assert!(waiting.await.unwrap_err().is_cancelled());
    drop(first);

    gate.open();
    let (cfg, _) = config(&srv.base_url());
    let second = Client::new(cfg).unwrap();
    let restored: QueryHandle = serde_json::from_str(&saved).unwrap();
    assert_eq!(restored, handle);
    check_baseline(&second.wait(&restored).await.unwrap(), 6);
    // From the two ids alone (input sizes unknown: every sample counted as input 0).
    let ds = second.resume(&model, &handle.model_query_id).await.unwrap();
    assert_eq!(ds.counts(), second.wait(&restored).await.unwrap().counts());
    assert_eq!(ds.input_index(), [0, 0, 0]);
    srv.shutdown().await;
}

#[tokio::test]
async fn many_queries_run_concurrently_up_to_the_limit_in_input_order() {
    let limit = 3;
    let gate = Gate::until_running(limit);
    let srv = server(TestPredictor {
        gate: Some(Arc::clone(&gate)),
    })
    .await;
    let (cfg, _) = config(&srv.base_url());
    let client = Client::new(cfg.with_max_concurrency(limit)).unwrap();
    let seeds: Vec<u64> = (0..7).collect();
    let queries: Vec<Query> = seeds.iter().map(|&s| two_inputs(s)).collect();
    let out = client.predict_many(&ModelId::from(BULK), &queries).await;
    assert_eq!(gate.max_running(), limit);
    for (ds, &seed) in out.iter().zip(&seeds) {
        check_baseline(ds.as_ref().unwrap(), seed);
    }
    srv.shutdown().await;
}
