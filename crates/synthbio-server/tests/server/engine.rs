//! The real engine (`Engine::embedded()`) served over loopback: every model's
//! example query through the job cycle and the Arrow stream, compared value by
//! value with the engine called in-process; the engine's own validation as 422.

use crate::support::http::{config, start_with};
use arrow::array::{Array, AsArray};
use arrow::datatypes::Int64Type;
use arrow::ipc::reader::StreamReader;
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use synthbio_core::{Dataset, Family, ModelId, Predictor, Query};
use synthbio_engine::Engine;
use synthbio_server::ARROW_STREAM_MEDIA_TYPE;

/// The engine, loaded once for all tests of this file.
fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    Arc::clone(
        ENGINE.get_or_init(|| Arc::new(Engine::embedded().expect("the shipped models load"))),
    )
}

fn counts_json(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap() as u32)
        .collect()
}

#[tokio::test]
async fn every_model_answers_its_example_query_in_both_modes() {
    let engine = engine();
    let (server, api) = start_with(engine.clone(), config()).await;
    let listed: Value = api
        .get("/api/models")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let models = engine.catalogue();
    assert_eq!(listed, json!({ "models": models }));
    assert_eq!(models.len(), 6);
    for info in &models {
        let id = ModelId::from(info.model_id.as_str());
        let r: Value = api
            .get(&format!("/api/models/{id}/example-query"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let query = r["example_query"].clone();
        let expected: Dataset = engine
            .predict(&id, &Query::from_value(query.clone()).unwrap())
            .unwrap();

        let result = api.run(id.as_str(), &query).await;
        assert_eq!(result["gene_order"].as_array().unwrap().len(), info.n_genes);
        assert_eq!(result["model_version"], info.model_version.as_str());
        let outputs = result["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), expected.n_samples());
        for (i, out) in outputs.iter().enumerate() {
            let counts = match info.family {
                Family::MetadataPrediction => &out["decoder_sample"]["counts"],
                _ => &out["counts"],
            };
            assert_eq!(
                counts_json(counts),
                expected.sample_counts(i).to_vec(),
                "{id} sample {i}"
            );
        }

        let bytes = api
            .predict(id.as_str(), &query)
            .header("accept", ARROW_STREAM_MEDIA_TYPE)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let reader = StreamReader::try_new(std::io::Cursor::new(bytes), None).unwrap();
        assert_eq!(
            reader.schema().metadata()["request_type"],
            info.family.request_type()
        );
        let mut row = 0;
        for batch in reader {
            let batch = batch.unwrap();
            let counts = match info.family {
                Family::MetadataPrediction => batch
                    .column_by_name("decoder_sample")
                    .unwrap()
                    .as_struct()
                    .column_by_name("counts")
                    .unwrap()
                    .clone(),
                _ => batch.column_by_name("counts").unwrap().clone(),
            };
            let list = counts.as_list::<i32>();
            for r in 0..list.len() {
                let got: Vec<u32> = list
                    .value(r)
                    .as_primitive::<Int64Type>()
                    .values()
                    .iter()
                    .map(|&c| c as u32)
                    .collect();
                assert_eq!(
                    got,
                    expected.sample_counts(row).to_vec(),
                    "{id} arrow row {row}"
                );
                row += 1;
            }
        }
        assert_eq!(row, expected.n_samples());
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_engine_s_trained_values_are_checked_with_paths() {
    let (server, api) = start_with(engine(), config()).await;
    let query = json!({
        "sampling_strategy": "mean estimation",
        "inputs": [{"metadata": {"tissue_ontology_id": "UBERON:9999999"}, "num_samples": 1}]
    });
    let r = api.predict("gem-1-bulk", &query).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["path"],
        "inputs[0].metadata.tissue_ontology_id"
    );
    let query = json!({"inputs": [{"counts": [1, 2, 3]}]});
    let r = api
        .predict("gem-1-sc_predict-metadata", &query)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["path"], "inputs[0].counts");
    server.shutdown().await;
}
