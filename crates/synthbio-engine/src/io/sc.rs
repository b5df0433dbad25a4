//! `data/sc/`: a Matrix Market count matrix (genes x cells), genes and cells.

use super::bulk::protocol_metadata;
use super::tsv::{open_text, Table};
use super::RawSet;
use crate::EngineError;
use std::io::BufRead;
use std::path::Path;
use synthbio_core::Modality;

/// Reads `sc/genes.tsv`, `sc/cells.tsv` and `sc/matrix.mtx.gz` under `data_dir`.
pub(crate) fn read_sc(data_dir: &Path) -> Result<RawSet, EngineError> {
    let dir = data_dir.join("sc");
    let genes_path = dir.join("genes.tsv");
    let cells_path = dir.join("cells.tsv");
    let mtx_path = dir.join("matrix.mtx.gz");
    let genes = Table::read(&genes_path)?;
    let gene_col = genes.column(&genes_path, "gene_id")?;
    let gene_ids: Vec<String> = genes.rows.iter().map(|r| r[gene_col].clone()).collect();
    let cells = Table::read(&cells_path)?;
    let id_col = cells.column(&cells_path, "cell_id")?;
    let donor_col = cells.header.iter().position(|h| h == "donor");
    let (keys, metadata) = protocol_metadata(&cells);
    let sample_ids: Vec<String> = cells.rows.iter().map(|r| r[id_col].clone()).collect();
    let donors = cells
        .rows
        .iter()
        .map(|r| donor_col.map(|j| r[j].clone()).filter(|d| !d.is_empty()))
        .collect();
    let (n_genes, n_cells, triplets) = read_mtx(&mtx_path)?;
    if n_genes != gene_ids.len() || n_cells != sample_ids.len() {
        return Err(EngineError::data(
            &mtx_path,
            format!(
                "is {n_genes} x {n_cells} but genes.tsv lists {} genes and cells.tsv {} cells",
                gene_ids.len(),
                sample_ids.len()
            ),
        ));
    }
    // compressed rows by cell, genes sorted within a cell
    let mut per_cell = vec![0usize; n_cells + 1];
    for &(_, c, _) in &triplets {
        per_cell[c as usize + 1] += 1;
    }
    for i in 0..n_cells {
        per_cell[i + 1] += per_cell[i];
    }
    let mut fill = per_cell.clone();
    let mut genes_out = vec![0u32; triplets.len()];
    let mut counts_out = vec![0u32; triplets.len()];
    for &(g, c, v) in &triplets {
        let at = fill[c as usize];
        genes_out[at] = g;
        counts_out[at] = v;
        fill[c as usize] += 1;
    }
    for i in 0..n_cells {
        let r = per_cell[i]..per_cell[i + 1];
        let mut pairs: Vec<(u32, u32)> = genes_out[r.clone()]
            .iter()
            .copied()
            .zip(counts_out[r.clone()].iter().copied())
            .collect();
        pairs.sort_unstable();
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(EngineError::data(
                &mtx_path,
                format!("cell {} has a gene listed twice", sample_ids[i]),
            ));
        }
        for (k, (g, v)) in pairs.into_iter().enumerate() {
            genes_out[r.start + k] = g;
            counts_out[r.start + k] = v;
        }
    }
    Ok(RawSet {
        modality: Modality::SingleCell,
        datasets: vec!["kang".to_string(); sample_ids.len()],
        masks: vec![vec![true; gene_ids.len()]],
        sample_mask: vec![0; sample_ids.len()],
        gene_ids,
        sample_ids,
        donors,
        metadata,
        keys,
        indptr: per_cell,
        genes: genes_out,
        counts: counts_out,
    })
}

/// Rows, columns, and 0-based (row, column, value) triplets.
type Mtx = (usize, usize, Vec<(u32, u32, u32)>);

/// Reads a coordinate integer Matrix Market file: (rows, columns, 0-based
/// (row, column, value) triplets with value > 0).
///
/// Written by hand: the format is a header, comments, a size line and one
/// triplet of whole numbers per line; `sprs` reads it too but is not
/// otherwise needed here, and a byte-level parser reads the 10 million
/// triplets of the single-cell set in a fraction of the time.
fn read_mtx(path: &Path) -> Result<Mtx, EngineError> {
    let bad = |msg: String| EngineError::data(path, msg);
    let mut reader = open_text(path)?;
    let mut line = Vec::with_capacity(256);
    let mut read_line = |line: &mut Vec<u8>| -> Result<bool, EngineError> {
        line.clear();
        let n = reader
            .read_until(b'\n', line)
            .map_err(|e| EngineError::io(path, e))?;
        Ok(n > 0)
    };
    if !read_line(&mut line)? {
        return Err(bad("is empty".into()));
    }
    let banner = String::from_utf8_lossy(&line).trim().to_string();
    let lower = banner.to_ascii_lowercase();
    if !lower.starts_with("%%matrixmarket matrix coordinate")
        || !lower.contains("integer")
        || !lower.contains("general")
    {
        return Err(bad(format!(
            "unsupported Matrix Market header {banner:?}; expected a coordinate integer general matrix"
        )));
    }
    let mut size: Option<(usize, usize)> = None;
    let mut triplets = Vec::new();
    let mut line_no = 1usize;
    while read_line(&mut line)? {
        line_no += 1;
        if line.first() == Some(&b'%') {
            continue;
        }
        let Some(nums) = three_numbers(&line) else {
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Err(bad(format!("line {line_no}: expected three whole numbers")));
        };
        let (a, b, c) = nums;
        match size {
            None => {
                size = Some((a as usize, b as usize));
                triplets.reserve(c as usize);
            }
            Some((rows, cols)) => {
                if a < 1 || b < 1 || a as usize > rows || b as usize > cols {
                    return Err(bad(format!("line {line_no}: index out of range")));
                }
                if c > u64::from(u32::MAX) {
                    return Err(bad(format!("line {line_no}: {c} is larger than any count")));
                }
                if c > 0 {
                    triplets.push(((a - 1) as u32, (b - 1) as u32, c as u32));
                }
            }
        }
    }
    let (rows, cols) = size.ok_or_else(|| bad("has no size line".into()))?;
    Ok((rows, cols, triplets))
}

/// Three whitespace-separated whole numbers, or `None`.
fn three_numbers(line: &[u8]) -> Option<(u64, u64, u64)> {
    let mut out = [0u64; 3];
    let mut k = 0;
    let mut in_number = false;
    for &b in line {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            if !in_number {
                if k == 3 {
                    return None;
                }
                in_number = true;
                k += 1;
            }
            out[k - 1] = out[k - 1].checked_mul(10)?.checked_add(u64::from(digit))?;
        } else if b == b' ' || b == b'\t' || b == b'\r' || b == b'\n' {
            in_number = false;
        } else {
            return None;
        }
    }
    (k == 3).then_some((out[0], out[1], out[2]))
}
