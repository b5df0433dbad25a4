//! Training rebuilds the shipped model files exactly.

use crate::common::data_dir;

#[test]
fn training_rebuilds_the_shipped_model_files_byte_for_byte() {
    let out = tempfile::tempdir().unwrap();
    let summary = synthbio_engine::train(&data_dir(), out.path()).unwrap();
    assert_eq!(summary.models.len(), 2);
    for m in &summary.models {
        let name = m.path.file_name().unwrap();
        let rebuilt = std::fs::read(&m.path).unwrap();
        let shipped = std::fs::read(data_dir().join("models").join(name)).unwrap();
        assert!(
            rebuilt == shipped,
            "{name:?} differs from the shipped file ({} vs {} bytes); run `synthbio train` and commit data/models",
            rebuilt.len(),
            shipped.len()
        );
        assert_eq!(m.bytes, shipped.len());
    }
    let bulk = &summary.models[0];
    assert!(bulk.n_genes >= 10_000, "{}", bulk.n_genes);
    assert!(bulk.n_effects >= 2, "dexamethasone and androgen");
    assert!(summary.to_string().contains("gem-1-sc"));
}
