//! Matrix Market read in chunks of cells: the same counts as the whole read,
//! in both orientations, whatever the chunk size; files not grouped by cell refused.

use crate::support::{dense_from_chunks, Dir};
use synthbio_io::{read_matrix_market, CountsChunks, MtxChunks};

const HEADER: &str = "%%MatrixMarket matrix coordinate integer general";

/// 5 genes x 6 cells: cells 0 and 5 empty, cell 3's genes out of order with a
/// repeat (summed) and an explicit zero.
const GENES_BY_CELLS: &str =
    "5 6 9\n2 2 4\n5 2 1\n3 3 7\n4 4 2\n1 4 3\n4 4 5\n2 4 0\n1 5 9\n5 5 1\n";

#[test]
fn chunks_hold_the_counts_the_whole_read_finds() {
    let dir = Dir::new();
    let genes = dir.text("genes.tsv", "G1\nG2\nG3\nG4\nG5\n");
    let cells = dir.text(
        "cells.tsv",
        "cell_id\tgroup\nc0\ta\nc1\tb\nc2\ta\nc3\tb\nc4\ta\nc5\tb\n",
    );
    let mtx = dir.gz("m.mtx.gz", &format!("{HEADER}\n% 10x\n{GENES_BY_CELLS}"));
    // The same matrix as scanpy writes it: cells x genes, sorted by row.
    let transposed: String = {
        let mut lines: Vec<(usize, usize, u32)> = GENES_BY_CELLS
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<usize> = l.split(' ').map(|v| v.parse().unwrap()).collect();
                (f[1], f[0], f[2] as u32)
            })
            .collect();
        lines.sort_by_key(|&(cell, _, _)| cell);
        let body: String = lines
            .iter()
            .map(|(c, g, v)| format!("{c} {g} {v}\n"))
            .collect();
        format!("{HEADER}\n6 5 9\n{body}")
    };
    let cells_by_genes = dir.text("t.mtx", &transposed);
    let (whole, _) = read_matrix_market(&mtx, &genes, &cells).unwrap();
    assert_eq!(whole.counts()[[3, 3]], 7, "the repeat is summed");
    for file in [&mtx, &cells_by_genes] {
        for max_entries in [1, 2, 4, 100] {
            let mut chunks = MtxChunks::open(file, &genes, &cells, max_entries).unwrap();
            assert_eq!(chunks.gene_ids(), whole.gene_ids());
            assert_eq!(chunks.cell_ids(), whole.sample_ids());
            assert_eq!(chunks.metadata(), whole.metadata());
            assert_eq!(chunks.declared_entries(), 9);
            let (dense, sizes) = dense_from_chunks(&mut chunks);
            assert_eq!(dense, whole.counts(), "{file:?} in chunks of {max_entries}");
            // A chunk closes at the first cell that reaches the bound: every
            // chunk but the last holds at least `max_entries` entries, and no
            // more than one cell's worth beyond.
            let (last, full) = sizes.split_last().unwrap();
            assert!(
                full.iter()
                    .all(|&s| s >= max_entries && s < max_entries + 5),
                "{sizes:?}"
            );
            assert!(*last <= max_entries + 5);
            assert!(
                chunks.next_chunk().unwrap().is_none(),
                "nothing after the end"
            );
        }
    }
}

#[test]
fn a_file_not_grouped_by_cell_is_refused_at_the_entry_out_of_place() {
    let dir = Dir::new();
    let genes = dir.text("genes.tsv", "G1\nG2\n");
    let cells = dir.text("cells.tsv", "AAAC-1\nAAAG-1\nAAAT-1\n");
    let mtx = dir.text("m.mtx", &format!("{HEADER}\n2 3 3\n1 1 4\n1 3 1\n2 1 7\n"));
    let mut chunks = MtxChunks::open(&mtx, &genes, &cells, 100).unwrap();
    let err = chunks.next_chunk().unwrap_err().to_string();
    for part in [
        "m.mtx",
        "line 5",
        "\"AAAC-1\"",
        "\"AAAT-1\"",
        "sort the entry lines by cell",
        "without --stream",
    ] {
        assert!(err.contains(part), "{part:?} in {err}");
    }
}

#[test]
fn a_truncated_file_is_refused_at_its_end() {
    let dir = Dir::new();
    let genes = dir.text("genes.tsv", "G1\nG2\n");
    let cells = dir.text("cells.tsv", "c0\nc1\n");
    let mtx = dir.text("m.mtx", &format!("{HEADER}\n2 2 3\n1 1 4\n2 2 1\n"));
    let mut chunks = MtxChunks::open(&mtx, &genes, &cells, 1).unwrap();
    let mut err = None;
    for _ in 0..3 {
        match chunks.next_chunk() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                err = Some(e.to_string());
                break;
            }
        }
    }
    let err = err.expect("the missing entry is noticed");
    assert!(
        err.contains("declares 3 entries but the file holds 2"),
        "{err}"
    );
}
