//! The client against `synthbio-server` serving the real local engine
//! (`synthbio_engine::Engine::embedded()`), over loopback HTTP.

use crate::support::config;
use std::sync::Arc;
use synthbio_client::{BlockingClient, Client, ClientError};
use synthbio_core::{metadata, Family, ModelId, Predictor, Query, SamplingStrategy};
use synthbio_engine::Engine;
use synthbio_server::{spawn, ServerConfig};

#[tokio::test]
async fn every_engine_model_in_both_modes() {
    let engine = Arc::new(Engine::embedded().unwrap());
    let infos = engine.catalogue();
    let srv = spawn(engine.clone(), ServerConfig::default())
        .await
        .unwrap();
    let (cfg, _) = config(&srv.base_url());
    let hosted = Client::new(cfg.clone()).unwrap();
    let arrow = Client::new(cfg.with_self_hosted(true)).unwrap();
    let listed = hosted.list_models().await.unwrap();
    assert_eq!(listed.len(), infos.len());
    for info in &infos {
        let model = ModelId::from(info.model_id.as_str());
        let query = hosted.example_query(&model).await.unwrap();
        assert_eq!(
            hosted.model_spec(&model).unwrap().n_genes,
            Some(info.n_genes)
        );
        let a = hosted.predict(&model, &query).await.unwrap();
        let b = arrow.predict(&model, &query).await.unwrap();
        // In-process, as the engine answers without HTTP.
        let direct = engine.predict(&model, &query).unwrap();
        assert_eq!(a.counts(), direct.counts(), "{model}");
        assert_eq!(a.gene_ids(), direct.gene_ids(), "{model}");
        assert_eq!(a.metadata(), direct.metadata(), "{model}");
        assert_eq!(a.input_index(), direct.input_index(), "{model}");
        assert_eq!(a.n_genes(), info.n_genes, "{model}");
        assert_eq!(a, b, "{model}: JSON and Arrow results differ");
        if info.family == Family::MetadataPrediction {
            for (field, p) in a.classifier_probs() {
                for s in 0..a.n_samples() {
                    let sum: f64 = p.probs.row(s).sum();
                    approx::assert_abs_diff_eq!(sum, 1.0, epsilon = 1e-9);
                    let want = &direct.classifier_probs()[field];
                    assert_eq!(p.classes, want.classes);
                }
            }
        }
    }
    srv.shutdown().await;
}

#[tokio::test]
async fn offline_validation_matches_the_servers_answer() {
    let srv = spawn(
        Arc::new(Engine::embedded().unwrap()),
        ServerConfig::default(),
    )
    .await
    .unwrap();
    let model = ModelId::from("gem-1-bulk");
    let q = Query::baseline(SamplingStrategy::MeanEstimation)
        // Valid ids the bulk model was not trained on (A549; aspirin).
        .with_input(metadata([("cell_line_ontology_id", "CVCL_0023")]), 1)
        .with_input(
            metadata([("perturbation_ontology_id", "CHEBI:15365"), ("sex", "male")]),
            1,
        );
    let fresh_check = Client::new(Default::default()).unwrap();
    fresh_check.validate(&model, &q).unwrap();
    let (cfg, _) = config(&srv.base_url());
    // Without the model's spec, the server answers 422 ...
    let fresh = Client::new(cfg.clone()).unwrap();
    let server_err = fresh.predict(&model, &q).await.unwrap_err();
    let ClientError::Validation {
        status: Some(422),
        errors: from_server,
    } = server_err
    else {
        panic!("{server_err:?}")
    };
    // ... and once it is known (from the model list), the same problems are
    // found before sending.
    let informed = Client::new(cfg).unwrap();
    informed.list_models().await.unwrap();
    let offline = informed.predict(&model, &q).await.unwrap_err();
    let ClientError::Validation {
        status: None,
        errors: from_client,
    } = offline
    else {
        panic!("{offline:?}")
    };
    let paths = |e: &synthbio_core::ValidationErrors| -> Vec<String> {
        e.errors.iter().map(|p| p.path.clone()).collect()
    };
    assert!(paths(&from_client).contains(&"inputs[0].metadata.cell_line_ontology_id".to_string()));
    assert!(
        paths(&from_client).contains(&"inputs[1].metadata.perturbation_ontology_id".to_string())
    );
    assert!(
        from_client.errors[0].message.contains("CVCL_0395"),
        "{from_client}"
    );
    assert_eq!(paths(&from_client), paths(&from_server));
    srv.shutdown().await;
}

/// The async `Client` and the `BlockingClient` as `dyn Predictor` give what the
/// engine gives in-process, called from plain code and from inside a runtime (where
/// the async client waits on its own runtime from a scoped thread), and report the
/// gene order the answers taught them.
#[test]
fn both_clients_serve_as_a_dyn_predictor_in_and_outside_a_runtime() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = Arc::new(Engine::embedded().unwrap());
    let srv = rt
        .block_on(spawn(engine.clone(), ServerConfig::default()))
        .unwrap();
    let (cfg, _) = config(&srv.base_url());
    let model = ModelId::from("gem-1-bulk");
    let query = Query::baseline(SamplingStrategy::MeanEstimation)
        .with_input(metadata([("sex", "female")]), 2)
        .with_seed(3);
    let want = engine.predict(&model, &query).unwrap();

    let async_client: Arc<dyn Predictor> = Arc::new(Client::new(cfg.clone()).unwrap());
    let blocking: Arc<dyn Predictor> = Arc::new(BlockingClient::new(cfg).unwrap());
    for predictor in [&async_client, &blocking] {
        assert_eq!(predictor.gene_order(&model), None);
        let got = predictor.predict(&model, &query).unwrap();
        assert_eq!(got.counts(), want.counts());
        assert_eq!(
            predictor.gene_order(&model).as_deref(),
            Some(want.gene_ids())
        );
        assert_eq!(predictor.models().unwrap().len(), engine.catalogue().len());
    }
    let inside = rt.block_on(async { async_client.predict(&model, &query) });
    assert_eq!(inside.unwrap().counts(), want.counts());
    // The blocking client refuses to block a runtime's thread, and says so.
    let refused = rt.block_on(async { blocking.predict(&model, &query) });
    assert!(
        refused.unwrap_err().to_string().contains("runtime"),
        "the blocking client inside a runtime"
    );
    rt.block_on(srv.shutdown());
}
