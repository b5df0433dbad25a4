//! Bad queries are caught before anything is sent, with every path listed.

use crate::support::config;
use crate::support::fault::FaultServer;
use synthbio_client::{Client, ClientError};
use synthbio_core::{metadata, ModelId, ModelSpec, Query, SamplingStrategy};

#[tokio::test]
async fn bad_queries_never_reach_the_server() {
    let server = FaultServer::start().await;
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let model = ModelId::from("gem-1-bulk_reference-conditioning");
    client.set_model_spec(
        &model,
        ModelSpec {
            n_genes: Some(3),
            ..ModelSpec::default()
        },
    );
    let query = Query::reference_conditioning(SamplingStrategy::MeanEstimation).with_reference(
        [1.0, -1.0, 2.5, 4.0],
        metadata([("sex", "male"), ("perturbation_type", "crispr")]),
        0,
    );
    for result in [
        client.predict(&model, &query).await.map(|_| ()),
        client.submit(&model, &query).await.map(|_| ()),
        client.predict_json(&model, &query).await.map(|_| ()),
    ] {
        let err = result.unwrap_err();
        let ClientError::Validation {
            status: None,
            errors,
        } = &err
        else {
            panic!("expected an offline validation error, got {err:?}");
        };
        let paths: Vec<&str> = errors.errors.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "inputs[0].counts",
                "inputs[0].counts[1]",
                "inputs[0].counts[2]",
                "inputs[0].metadata.sex",
                "inputs[0].num_samples",
            ]
        );
        let text = err.to_string();
        assert!(text.contains("before sending"), "{text}");
        assert!(text.contains("inputs[0].counts[2]"), "{text}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn many_queries_keep_each_validation_result_in_place() {
    let server = FaultServer::start().await;
    server.result(
        "*",
        crate::support::fault::Reply::bytes(
            200,
            std::fs::read(crate::support::golden("result_list.json")).unwrap(),
            "application/json",
        ),
    );
    let (cfg, _) = config(&server.base);
    let client = Client::new(cfg).unwrap();
    let model = ModelId::from("gem-1-bulk");
    let good = Query::baseline(SamplingStrategy::SampleGeneration)
        .with_input(metadata([("sex", "female")]), 7);
    let bad =
        Query::baseline(SamplingStrategy::SampleGeneration).with_input(metadata([("sex", "F")]), 7);
    let out = client
        .predict_many(&model, &[good.clone(), bad, good])
        .await;
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].as_ref().unwrap().n_samples(), 7);
    assert!(matches!(
        out[1],
        Err(ClientError::Validation { status: None, .. })
    ));
    assert_eq!(out[2].as_ref().unwrap().n_samples(), 7);
    assert_eq!(
        server
            .requests_to(crate::support::fault::Route::Predict)
            .len(),
        2
    );
}

#[test]
fn blocking_client_refuses_to_run_inside_a_runtime() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let err = synthbio_client::BlockingClient::new(Default::default()).unwrap_err();
        assert!(matches!(err, ClientError::BlockingInsideRuntime));
    });
}

#[test]
fn the_key_never_appears_in_debug_output_of_a_client() {
    let key = "sk-secret-0123456789";
    let cfg = synthbio_client::ClientConfig::default().with_api_key(key);
    let client = Client::new(cfg.clone()).unwrap();
    let text = format!("{client:?} {cfg:?} {:?}", cfg.api_key);
    assert!(!text.contains(key), "{text}");
    assert!(text.contains("<redacted>"));
    let blocking = synthbio_client::BlockingClient::new(cfg).unwrap();
    assert!(!format!("{blocking:?}").contains(key));
}

#[test]
fn gem2_queries_are_refused_only_where_the_official_client_refuses_them() {
    use synthbio_client::{Progress, ValidationMode};
    let (cfg, events) = config("http://127.0.0.1:9");
    let client = Client::new(cfg.with_validation(ValidationMode::Strict)).unwrap();
    // GEM-2 keys and values this client does not know: sent, with a warning each.
    let q = Query::from_json(
        r#"{"operation": "predict-expression", "inputs": [{"metadata":
            {"sex": "female", "donor_genotype": "APOE4/4"}, "num_samples": 2}]}"#,
    )
    .unwrap();
    client.validate(&ModelId::from("gem-2"), &q).unwrap();
    let warnings: Vec<String> = events
        .all()
        .into_iter()
        .filter_map(|p| match p {
            Progress::Warning { message } => Some(message),
            _ => None,
        })
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("inputs[0].metadata.donor_genotype: unknown metadata key")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("(predict-expression)")),
        "{warnings:?}"
    );
    // A bare gem-2 without an operation: its answer could not be read.
    let mut bare = q.clone();
    bare.extra.remove("operation");
    let err = client.validate(&ModelId::from("gem-2"), &bare).unwrap_err();
    let paths: Vec<String> = err
        .validation_errors()
        .unwrap()
        .errors
        .iter()
        .map(|p| p.path.clone())
        .collect();
    assert_eq!(paths, ["operation"]);
    // Outside strict mode it is a warning and the query goes out.
    let (cfg, _) = config("http://127.0.0.1:9");
    let warn = Client::new(cfg.with_validation(ValidationMode::Warn)).unwrap();
    warn.validate(&ModelId::from("gem-2"), &bare).unwrap();
}
