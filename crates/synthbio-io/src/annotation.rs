//! Human gene annotation for mapping gene symbols and Entrez ids to Ensembl ids: the
//! rows of Bioconductor's org.Hs.eg.db kept in `data/annotation/` (see `data/SOURCE.md`),
//! compiled into the library so that every command maps ids the same way offline.

use crate::error::IoError;
use flate2::read::GzDecoder;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::sync::OnceLock;

/// `ensembl_id, entrez_id, symbol, chromosome`: one row per Ensembl-Entrez link.
static ENSEMBL_ROWS: &[u8] = include_bytes!("../../../data/annotation/ensembl_symbol_chrom.tsv.gz");
/// `symbol, entrez_id, kind` (`official` or `alias`).
static SYMBOL_ROWS: &[u8] = include_bytes!("../../../data/annotation/symbol_entrez.tsv.gz");

/// Where an id was found in the annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The Ensembl ids it stands for (one: mapped; several: ambiguous).
    Found(Vec<String>),
    /// Not in the annotation.
    Unknown,
}

/// Symbol and Entrez id -> Ensembl id tables of human genes.
#[derive(Debug, Clone, Default)]
pub struct GeneAnnotation {
    /// Entrez id -> Ensembl ids.
    entrez: HashMap<String, BTreeSet<String>>,
    /// Official symbol (upper case) -> Entrez ids.
    official: HashMap<String, BTreeSet<String>>,
    /// Alias (upper case) -> Entrez ids.
    alias: HashMap<String, BTreeSet<String>>,
}

impl GeneAnnotation {
    /// The annotation shipped with synthbio (org.Hs.eg.db 3.16.0), parsed once.
    pub fn embedded() -> Result<&'static GeneAnnotation, IoError> {
        static PARSED: OnceLock<Result<GeneAnnotation, String>> = OnceLock::new();
        PARSED
            .get_or_init(|| GeneAnnotation::parse(ENSEMBL_ROWS, SYMBOL_ROWS))
            .as_ref()
            .map_err(|message| IoError::Annotation {
                message: message.clone(),
            })
    }

    /// Parses the two gzipped tables (with their header lines).
    fn parse(ensembl: &[u8], symbols: &[u8]) -> Result<GeneAnnotation, String> {
        let mut a = GeneAnnotation::default();
        for_rows(ensembl, "ensembl_symbol_chrom.tsv.gz", 4, |f| {
            a.entrez
                .entry(f[1].to_string())
                .or_default()
                .insert(f[0].to_string());
            a.official
                .entry(f[2].to_ascii_uppercase())
                .or_default()
                .insert(f[1].to_string());
        })?;
        for_rows(symbols, "symbol_entrez.tsv.gz", 3, |f| {
            let table = if f[2] == "official" {
                &mut a.official
            } else {
                &mut a.alias
            };
            table
                .entry(f[0].to_ascii_uppercase())
                .or_default()
                .insert(f[1].to_string());
        })?;
        Ok(a)
    }

    /// The Ensembl ids of an Entrez gene id.
    pub fn entrez(&self, id: &str) -> Lookup {
        match self.entrez.get(id) {
            Some(e) if !e.is_empty() => Lookup::Found(e.iter().cloned().collect()),
            _ => Lookup::Unknown,
        }
    }

    /// The Ensembl ids of a gene symbol (any case): its official symbol's genes, else
    /// the genes it is an alias of.
    pub fn symbol(&self, symbol: &str) -> Lookup {
        let key = symbol.to_ascii_uppercase();
        for table in [&self.official, &self.alias] {
            if let Some(ids) = table.get(&key) {
                let ensembl: BTreeSet<String> = ids
                    .iter()
                    .filter_map(|e| self.entrez.get(e))
                    .flatten()
                    .cloned()
                    .collect();
                if !ensembl.is_empty() {
                    return Lookup::Found(ensembl.into_iter().collect());
                }
            }
        }
        Lookup::Unknown
    }
}

/// Calls `row` with the fields of every data row of a gzipped TSV with `n` columns.
fn for_rows(gz: &[u8], name: &str, n: usize, mut row: impl FnMut(&[&str])) -> Result<(), String> {
    let reader = BufReader::new(GzDecoder::new(gz));
    for (i, line) in reader.lines().enumerate().skip(1) {
        let line = line.map_err(|e| format!("{name}: {e}"))?;
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < n {
            return Err(format!(
                "{name} line {} has {} fields, expected {n}",
                i + 1,
                fields.len()
            ));
        }
        row(&fields);
    }
    Ok(())
}
