//! Rebuilds `data/models/` from `data/` (what `synthbio train` does):
//! `cargo run -p synthbio-engine --release --example train [data_dir] [out_dir]`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let mut args = std::env::args().skip(1);
    let data = args.next().map_or(root.clone(), PathBuf::from);
    let out = args.next().map_or(root.join("models"), PathBuf::from);
    print!("{}", synthbio_engine::train(&data, &out)?);
    Ok(())
}
