//! Decodes a hosted-size result (44,592 genes) from a file, as a download
//! would stream it, and prints the time taken; run it under `/usr/bin/time -v`
//! to see the peak memory next to the size of the count matrix.
//!
//! ```text
//! cargo run --release -p synthbio-client --example decode_size -- 200
//! ```

use std::io::{BufWriter, Write};
use std::time::Instant;
use synthbio_client::decode_json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n_samples: usize = std::env::args().nth(1).map_or(Ok(200), |s| s.parse())?;
    let n_genes = 44_592;
    let path = std::env::temp_dir().join(format!("synthbio-decode-size-{n_samples}.json"));
    {
        let mut w = BufWriter::new(std::fs::File::create(&path)?);
        write!(w, "{{\"outputs\": [")?;
        for s in 0..n_samples {
            if s > 0 {
                write!(w, ",")?;
            }
            write!(w, "{{\"metadata\": {{\"sex\": \"female\"}}, \"counts\": [")?;
            for g in 0..n_genes {
                let sep = if g > 0 { "," } else { "" };
                // A spread of magnitudes like real counts.
                write!(w, "{sep}{}", (g * 7919 + s * 104_729) % 5000)?;
            }
            write!(w, "]}}")?;
        }
        write!(w, "], \"gene_order\": [")?;
        for g in 0..n_genes {
            let sep = if g > 0 { "," } else { "" };
            write!(w, "{sep}\"ENSG{g:011}\"")?;
        }
        write!(w, "], \"model_version\": \"example\"}}")?;
    }
    let bytes = std::fs::metadata(&path)?.len();
    let start = Instant::now();
    let ds = decode_json(std::fs::File::open(&path)?, None)?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} samples x {} genes: {:.1} MB of JSON decoded in {secs:.2} s ({:.0} MB/s); matrix {:.1} MB",
        ds.n_samples(),
        ds.n_genes(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        (ds.n_samples() * ds.n_genes() * 4) as f64 / 1e6,
    );
    std::fs::remove_file(&path)?;
    Ok(())
}
