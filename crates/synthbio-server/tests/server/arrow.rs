//! The synchronous Arrow IPC stream of self-hosted mode, decoded with arrow-rs.

use crate::support::fake::{BULK, PREDICT};
use crate::support::http::{config, start};
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use arrow::ipc::reader::StreamReader;
use serde_json::{json, Value};
use synthbio_core::{Dataset, LatentBlock, Predictor, Query};
use synthbio_server::ARROW_STREAM_MEDIA_TYPE;

/// Posts with `Accept: arrow stream`; returns the schema metadata and the batches.
async fn fetch(
    api: &crate::support::http::Api,
    model: &str,
    query: &Value,
) -> (std::collections::HashMap<String, String>, Vec<RecordBatch>) {
    let r = api
        .predict(model, query)
        .header("accept", ARROW_STREAM_MEDIA_TYPE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], ARROW_STREAM_MEDIA_TYPE);
    let bytes = r.bytes().await.unwrap();
    let reader = StreamReader::try_new(std::io::Cursor::new(bytes), None).unwrap();
    let metadata = reader.schema().metadata().clone();
    let batches = reader.collect::<Result<Vec<_>, _>>().unwrap();
    (metadata.into(), batches)
}

fn list_i64(col: &dyn Array, row: usize) -> Vec<i64> {
    let list = col.as_list::<i32>();
    list.value(row)
        .as_primitive::<Int64Type>()
        .values()
        .to_vec()
}

fn list_f64(col: &dyn Array, row: usize) -> Vec<f64> {
    let list = col.as_list::<i32>();
    list.value(row)
        .as_primitive::<Float64Type>()
        .values()
        .to_vec()
}

fn counts_of(expected: &Dataset, row: usize) -> Vec<i64> {
    expected
        .sample_counts(row)
        .iter()
        .map(|&c| i64::from(c))
        .collect()
}

#[tokio::test]
async fn baseline_stream_matches_the_dataset_value_by_value() {
    let (server, api, fake) = start(config()).await;
    let query = json!({
        "sampling_strategy": "sample generation",
        "inputs": [
            {"metadata": {"sex": "female", "sample_type": "primary tissue"}, "num_samples": 290},
            {"metadata": {"sex": "male"}, "num_samples": 10}
        ],
        "seed": 5
    });
    let (metadata, batches) = fetch(&api, BULK, &query).await;
    let expected = fake
        .predict(&BULK.into(), &Query::from_value(query).unwrap())
        .unwrap();
    assert_eq!(metadata["request_type"], "baseline");
    assert_eq!(metadata["model_version"], expected.model_version().unwrap());
    let genes: Vec<String> = serde_json::from_str(&metadata["gene_order"]).unwrap();
    assert_eq!(genes, expected.gene_ids());
    // 300 rows: one full batch of 256, then 44.
    let sizes: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
    assert_eq!(sizes, [256, 44]);

    let schema = batches[0].schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "counts",
            "metadata",
            "biological_latent",
            "technical_latent",
            "perturbation_latent"
        ]
    );
    assert!(
        matches!(schema.field(0).data_type(), DataType::List(f) if f.data_type() == &DataType::Int64)
    );
    assert!(
        matches!(schema.field(2).data_type(), DataType::List(f) if f.data_type() == &DataType::Float64)
    );

    let mut row = 0;
    for batch in &batches {
        let meta = batch.column(1).as_struct();
        for r in 0..batch.num_rows() {
            assert_eq!(list_i64(batch.column(0), r), counts_of(&expected, row));
            let want = expected.metadata().row(row);
            let mut got = std::collections::BTreeMap::new();
            for (field, col) in meta.fields().iter().zip(meta.columns()) {
                let col = col.as_string::<i32>();
                if col.is_valid(r) {
                    got.insert(field.name().clone(), col.value(r).to_string());
                }
            }
            assert_eq!(got, want, "row {row}");
            for (k, b) in LatentBlock::ALL.iter().enumerate() {
                let want = expected.latents().unwrap().block(*b).row(row).to_vec();
                // Floats cross the wire bit for bit.
                assert_eq!(list_f64(batch.column(2 + k), r), want);
            }
            row += 1;
        }
    }
    assert_eq!(row, 300);
    // A count above i32::MAX survives as Int64.
    assert!(list_i64(batches[0].column(0), 0)[3] >= 3_000_000_000);
    server.shutdown().await;
}

#[tokio::test]
async fn metadata_prediction_stream_has_nested_structs() {
    let (server, api, fake) = start(config()).await;
    let query = json!({"inputs": [{"counts": [5, 0, 12, 3]}, {"counts": [0, 9, 1, 1]}, {"counts": [2, 2, 2, 2]}], "seed": 11});
    let (metadata, batches) = fetch(&api, PREDICT, &query).await;
    let expected = fake
        .predict(&PREDICT.into(), &Query::from_value(query).unwrap())
        .unwrap();
    assert_eq!(metadata["request_type"], "predict_metadata");
    assert_eq!(batches.len(), 1);
    let batch = &batches[0];
    let names: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        ["metadata", "classifier_probs", "latents", "decoder_sample"]
    );

    let meta = batch.column(0).as_struct();
    let probs = batch.column(1).as_struct();
    let latents = batch.column(2).as_struct();
    let decoder = batch.column(3).as_struct();
    for r in 0..3 {
        let sex = meta.column_by_name("sex").unwrap().as_string::<i32>();
        assert_eq!(Some(sex.value(r)), expected.metadata().get(r, "sex"));
        for (field, p) in expected.classifier_probs() {
            let classes = probs.column_by_name(field).unwrap().as_struct();
            let names: Vec<&str> = classes.fields().iter().map(|f| f.name().as_str()).collect();
            assert_eq!(
                names,
                p.classes.iter().map(String::as_str).collect::<Vec<_>>()
            );
            for class in &p.classes {
                let v = classes
                    .column_by_name(class)
                    .unwrap()
                    .as_primitive::<Float64Type>()
                    .value(r);
                assert_eq!(v, p.prob(r, class));
            }
        }
        for b in LatentBlock::ALL {
            let want = expected.latents().unwrap().block(b).row(r).to_vec();
            assert_eq!(
                list_f64(latents.column_by_name(b.as_str()).unwrap(), r),
                want
            );
        }
        let counts = decoder.column_by_name("counts").unwrap();
        assert_eq!(list_i64(counts, r), counts_of(&expected, r));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn arrow_mode_errors_are_json() {
    let (server, api, _) = start(config()).await;
    let bad = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {"sex": "F"}, "num_samples": 1}]});
    let r = api
        .predict(BULK, &bad)
        .header("accept", ARROW_STREAM_MEDIA_TYPE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["path"], "inputs[0].metadata.sex");

    let failing = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}], "fail": "no GPU"});
    let r = api
        .predict(BULK, &failing)
        .header("accept", ARROW_STREAM_MEDIA_TYPE)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "model failed: no GPU");
    // An Accept listing the Arrow type among others, with q=0, is not Arrow mode.
    let ok = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}]});
    let r = api
        .predict(BULK, &ok)
        .header(
            "accept",
            format!("{ARROW_STREAM_MEDIA_TYPE};q=0, application/json"),
        )
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(body["modelQueryId"].is_string(), "{body}");
    server.shutdown().await;
}
