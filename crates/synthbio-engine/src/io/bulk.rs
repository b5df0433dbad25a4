//! `data/bulk/`: counts (genes x samples, empty = not measured) and samples.

use super::tsv::{open_text, split, Table};
use super::RawSet;
use crate::EngineError;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;
use synthbio_core::{vocab, Modality};

/// Reads `bulk/samples.tsv` and `bulk/counts.tsv.gz` under `data_dir`.
pub(crate) fn read_bulk(data_dir: &Path) -> Result<RawSet, EngineError> {
    let samples_path = data_dir.join("bulk").join("samples.tsv");
    let counts_path = data_dir.join("bulk").join("counts.tsv.gz");
    let table = Table::read(&samples_path)?;
    let id_col = table.column(&samples_path, "sample_id")?;
    let donor_col = table.column(&samples_path, "donor")?;
    let dataset_col = table.column(&samples_path, "dataset")?;
    let (keys, metadata) = protocol_metadata(&table);
    let sample_ids: Vec<String> = table.rows.iter().map(|r| r[id_col].clone()).collect();
    let donors = table
        .rows
        .iter()
        .map(|r| Some(r[donor_col].clone()).filter(|d| !d.is_empty()))
        .collect::<Vec<_>>();
    if let Some(i) = donors.iter().position(Option::is_none) {
        return Err(EngineError::data(
            &samples_path,
            format!(
                "sample {} has no donor; every bulk sample needs its biological unit",
                sample_ids[i]
            ),
        ));
    }

    let mut lines = open_text(&counts_path)?.lines();
    let header = match lines.next() {
        Some(l) => split(&l.map_err(|e| EngineError::io(&counts_path, e))?),
        None => return Err(EngineError::data(&counts_path, "is empty")),
    };
    // column of each sample of samples.tsv in the counts table
    let position: BTreeMap<&str, usize> = header
        .iter()
        .enumerate()
        .skip(1)
        .map(|(j, h)| (h.as_str(), j))
        .collect();
    let cols = sample_ids
        .iter()
        .map(|s| {
            position.get(s.as_str()).copied().ok_or_else(|| {
                EngineError::data(&counts_path, format!("has no column for sample {s}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let n = sample_ids.len();
    let mut gene_ids = Vec::new();
    // per sample: (gene, count) pairs and measured flags
    let mut entries: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    let mut measured: Vec<Vec<bool>> = vec![Vec::new(); n];
    for (line_no, line) in lines.enumerate() {
        let line = line.map_err(|e| EngineError::io(&counts_path, e))?;
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != header.len() {
            return Err(EngineError::data(
                &counts_path,
                format!(
                    "line {} has {} cells, the header has {}",
                    line_no + 2,
                    cells.len(),
                    header.len()
                ),
            ));
        }
        let g = gene_ids.len() as u32;
        gene_ids.push(cells[0].to_string());
        for (i, &j) in cols.iter().enumerate() {
            let cell = cells[j];
            if cell.is_empty() {
                measured[i].push(false);
                continue;
            }
            measured[i].push(true);
            let c: u32 = cell.parse().map_err(|_| {
                EngineError::data(
                    &counts_path,
                    format!("line {}: {cell:?} is not a whole count", line_no + 2),
                )
            })?;
            if c > 0 {
                entries[i].push((g, c));
            }
        }
    }
    if gene_ids.is_empty() {
        return Err(EngineError::data(&counts_path, "has no genes"));
    }

    let mut masks: Vec<Vec<bool>> = Vec::new();
    let mut mask_index: BTreeMap<Vec<bool>, usize> = BTreeMap::new();
    let mut sample_mask = Vec::with_capacity(n);
    let mut indptr = vec![0usize];
    let mut genes = Vec::new();
    let mut counts = Vec::new();
    for (e, m) in entries.into_iter().zip(measured) {
        let next = mask_index.len();
        let id = *mask_index.entry(m.clone()).or_insert_with(|| {
            masks.push(m);
            next
        });
        sample_mask.push(id);
        for (g, c) in e {
            genes.push(g);
            counts.push(c);
        }
        indptr.push(genes.len());
    }
    let datasets = table.rows.iter().map(|r| r[dataset_col].clone()).collect();
    Ok(RawSet {
        modality: Modality::Bulk,
        datasets,
        gene_ids,
        sample_ids,
        donors,
        metadata,
        keys,
        indptr,
        genes,
        counts,
        masks,
        sample_mask,
    })
}

/// The protocol metadata columns of a sample or cell table and each row's known values.
pub(crate) fn protocol_metadata(table: &Table) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let cols: Vec<(usize, &String)> = table
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| vocab::key_spec(h).is_some())
        .collect();
    let keys = cols.iter().map(|(_, h)| (*h).clone()).collect();
    let rows = table
        .rows
        .iter()
        .map(|r| {
            cols.iter()
                .filter(|(j, _)| !r[*j].is_empty())
                .map(|(j, h)| ((*h).clone(), r[*j].clone()))
                .collect()
        })
        .collect();
    (keys, rows)
}
