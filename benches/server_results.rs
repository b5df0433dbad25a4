//! How fast a large result leaves the server and is parsed, over loopback, for
//! 200 samples x 44,592 genes with latents: the JSON path (submit, poll,
//! download, decode) and the synchronous Arrow stream (predict, decode), both
//! decoded by synthbio's client decoders into the dataset type.
//!
//! `cargo bench -p synthbio-bench --bench server_results`

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use synthbio_bench::{gen, results};
use synthbio_client::{decode_arrow, decode_json};

const SAMPLES: usize = 200;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let server = rt
        .block_on(results::serve_fixed(
            gen::hosted_result(SAMPLES, 11),
            SAMPLES as u64,
        ))
        .expect("server starts");
    let http = reqwest::Client::new();
    let base = server.base_url();
    let mut group = c.benchmark_group("server 200 samples x 44592 genes");
    group.bench_function("json: submit, poll, download, decode", |b| {
        b.iter(|| {
            let body = rt
                .block_on(results::download_json(&http, &base, SAMPLES))
                .unwrap();
            let d = decode_json(body.as_ref(), None).unwrap();
            assert_eq!(d.n_samples(), SAMPLES);
        })
    });
    group.bench_function("arrow: predict, decode", |b| {
        b.iter(|| {
            let body = rt
                .block_on(results::download_arrow(&http, &base, SAMPLES))
                .unwrap();
            let d = decode_arrow(body.as_ref(), None).unwrap();
            assert_eq!(d.n_samples(), SAMPLES);
        })
    });
    group.finish();
    rt.block_on(server.shutdown());
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
