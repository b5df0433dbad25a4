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

#[test]
fn a_refit_without_an_unknown_unit_is_refused_listing_the_known_ones() {
    use synthbio_engine::{refit_bulk_without_each, refit_sc_without_treated_each};
    let engine = crate::common::engine();
    let e = refit_sc_without_treated_each(engine, &data_dir(), &["CL:9999999".into()])
        .expect_err("an unknown cell type is refused");
    let message = e.to_string();
    assert!(
        message.contains("\"CL:9999999\"") && message.contains("CL:0000860"),
        "{message}"
    );
    let e = refit_bulk_without_each(engine, &data_dir(), &["nobody".into()])
        .expect_err("an unknown donor is refused");
    assert!(e.to_string().contains("airway_N61311"), "{e}");
}
