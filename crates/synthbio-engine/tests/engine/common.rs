//! Shared helpers: the embedded engine (loaded once) and small query builders.

use std::path::PathBuf;
use std::sync::OnceLock;
use synthbio_core::{Dataset, ModelId, PredictError, Predictor, Query};
use synthbio_engine::Engine;

/// The engine with the shipped models, loaded once per test binary.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::embedded().expect("the shipped models load"))
}

/// The repository's `data/` directory.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// Runs a query on a model of the embedded engine.
pub fn predict(model: &str, query: &Query) -> Result<Dataset, PredictError> {
    engine().predict(&ModelId::from(model), query)
}

/// The example query of a model.
pub fn example(model: &str) -> Query {
    engine()
        .example_query(&ModelId::from(model))
        .expect("every served model has an example")
}

/// The position of a gene in a model's gene order.
pub fn gene(data: &Dataset, id: &str) -> usize {
    data.gene_position(id).expect("gene in the model")
}

/// log2(CPM + 1) of one sample's count of one gene.
pub fn log_cpm(data: &Dataset, sample: usize, gene: usize) -> f64 {
    let lib: u64 = data
        .sample_counts(sample)
        .iter()
        .map(|&c| u64::from(c))
        .sum();
    (f64::from(data.counts()[[sample, gene]]) / lib as f64 * 1e6 + 1.0).log2()
}
