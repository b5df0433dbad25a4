//! The optional bearer key.

use crate::support::fake::BULK;
use crate::support::http::{config, start, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};
use synthbio_server::{ApiKey, ARROW_STREAM_MEDIA_TYPE};

const KEY: &str = "test-key-9f8e7d6c";

#[tokio::test]
async fn with_a_key_every_endpoint_but_the_download_needs_it() {
    let config = config().with_api_key(ApiKey::new(KEY).unwrap());
    let (server, anonymous, _) = start(config).await;
    let keyed = Api::new(server.base_url()).with_key(KEY);
    let wrong = Api::new(server.base_url()).with_key("test-key-00000000");
    let query = json!({"sampling_strategy": "mean estimation", "inputs": [{"metadata": {}, "num_samples": 1}]});

    for (api, expected) in [(&anonymous, "send the header"), (&wrong, "not valid")] {
        for r in [
            api.get("/api/models").send().await.unwrap(),
            api.get(&format!("/api/models/{BULK}/example-query"))
                .send()
                .await
                .unwrap(),
            api.predict(BULK, &query).send().await.unwrap(),
            api.predict(BULK, &query)
                .header("accept", ARROW_STREAM_MEDIA_TYPE)
                .send()
                .await
                .unwrap(),
            api.get("/api/model-queries/abc/status")
                .send()
                .await
                .unwrap(),
        ] {
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(r.headers()["www-authenticate"], "Bearer");
            let text = r.text().await.unwrap();
            assert!(!text.contains(KEY), "the key is never echoed");
            let body: Value = serde_json::from_str(&text).unwrap();
            assert!(body["error"].as_str().unwrap().contains(expected), "{body}");
            assert_eq!(body["errors"], json!([]));
        }
    }

    assert_eq!(keyed.get("/api/models").send().await.unwrap().status(), 200);
    // The download needs only its token (`run` fetches it with no headers).
    let result = keyed.run(BULK, &query).await;
    assert_eq!(result["outputs"].as_array().unwrap().len(), 1);
    // The scheme is case-insensitive.
    let r = keyed
        .client
        .get(format!("{}/api/models", server.base_url()))
        .header("authorization", format!("bearer {KEY}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_key_no_header_is_needed() {
    let (server, api, _) = start(config()).await;
    assert_eq!(api.get("/api/models").send().await.unwrap().status(), 200);
    // A stray header is ignored.
    let with = Api::new(server.base_url()).with_key("anything");
    assert_eq!(with.get("/api/models").send().await.unwrap().status(), 200);
    server.shutdown().await;
}
