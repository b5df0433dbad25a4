//! A mislabeled-sample QC report on the local engine: GEUVADIS individuals
//! (held out of the model) with some sex labels swapped on purpose, checked by
//! metadata prediction and by marker genes, with a PCA of the latents.
//!
//! ```text
//! cargo run --release -p synthbio-cli --example label_qc -- [out-dir]
//! ```

use std::path::{Path, PathBuf};
use synthbio::engine::{refit_bulk_without, Engine};
use synthbio::workflows::LabelQcStudy;
use synthbio_cli::demo::{geuvadis_cohort, read_bulk_samples};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("reports"), PathBuf::from);
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let engine = Engine::embedded()?;
    let all = read_bulk_samples(&data_dir, &engine)?;

    // Every third GEUVADIS individual; the sex labels of 6 of them swapped (seed 7).
    let cohort = geuvadis_cohort(&all, 3, 6, 7)?;
    let engine = refit_bulk_without(&engine, &data_dir, &cohort.donors)?;

    // GEUVADIS measured part of the genes: the dataset's mask keeps the rest
    // out of the encoding and the marker check.
    let study = LabelQcStudy::default();
    let result = study.run(&engine, &cohort.data)?;

    let flagged = result.flagged();
    let found = cohort
        .swapped
        .iter()
        .filter(|s| flagged.contains(s))
        .count();
    println!(
        "{} flagged; {found} of the {} swapped labels found",
        flagged.len(),
        cohort.swapped.len()
    );
    let files = result.write_report(&out, "label-qc")?;
    println!("report: {}", files.html.display());
    Ok(())
}
