//! Prints the held-out evaluation (what `synthbio evaluate` does):
//! `cargo run -p synthbio-engine --release --example evaluate [data_dir]`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = std::env::args().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data"),
        PathBuf::from,
    );
    print!("{}", synthbio_engine::evaluate(&data)?);
    Ok(())
}
