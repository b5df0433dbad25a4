//! Reads a counts table (or a Matrix Market file with its gene and cell files), says
//! what was detected, and optionally writes it out again in the format its name asks for.
//!
//! ```text
//! cargo run --release -p synthbio-io --example inspect -- counts.tsv.gz [out.parquet]
//! cargo run --release -p synthbio-io --example inspect -- matrix.mtx.gz genes.tsv cells.tsv [out.tsv]
//! ```

use std::path::PathBuf;
use std::time::Instant;
use synthbio_io::{read_counts, read_matrix_market, write_counts, CountsOptions};

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let is_mtx = args
        .first()
        .is_some_and(|p| p.to_string_lossy().contains(".mtx"));
    let (inputs, output) = match (is_mtx, args.len()) {
        (false, 1 | 2) => (&args[..1], args.get(1)),
        (true, 3 | 4) => (&args[..3], args.get(3)),
        _ => {
            eprintln!("usage: inspect COUNTS [OUT] | inspect MATRIX.mtx GENES CELLS [OUT]");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let read = if is_mtx {
        read_matrix_market(&inputs[0], &inputs[1], &inputs[2])
    } else {
        read_counts(&inputs[0], &CountsOptions::default())
    };
    let (data, detected) = match read {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("read {detected} in {:.2?}", start.elapsed());
    if let Some(out) = output {
        let start = Instant::now();
        match write_counts(out, &data) {
            Ok(format) => println!(
                "wrote {} as {format:?} in {:.2?}",
                out.display(),
                start.elapsed()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
    }
}
