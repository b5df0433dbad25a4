//! Gene id harmonisation: whatever ids a table carries become the unversioned Ensembl
//! gene ids the models use. Version suffixes (`ENSG00000000003.15`, GENCODE's
//! `_PAR_Y`) are stripped; gene symbols and Entrez ids are mapped through the shipped
//! annotation ([`GeneAnnotation`]); ids that map to no gene or to several are left out
//! and listed; ids that land on the same gene are summed, or refused on request.

use crate::annotation::{GeneAnnotation, Lookup};
use crate::detect::is_ensembl_gene_id;
use crate::error::IoError;
use ndarray::Array2;
use std::collections::{HashMap, HashSet};
use std::fmt;
use synthbio_core::{Cell, Dataset, Measured, Table};

/// What to do when several ids of a table map to one gene.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Duplicates {
    /// Sum their counts (a gene is measured in a sample when any of its rows was).
    #[default]
    Sum,
    /// Refuse the table, naming them.
    Refuse,
}

/// Options of [`harmonise_gene_ids`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HarmoniseOptions {
    /// Several ids on one gene: summed (default) or refused.
    pub duplicates: Duplicates,
    /// The genes that matter (a model's gene order): a symbol or Entrez id that maps
    /// to several Ensembl ids of which exactly one is here maps to that one.
    pub universe: Option<Vec<String>>,
}

impl HarmoniseOptions {
    /// Refuses ids that map to the same gene.
    pub fn refusing_duplicates(mut self) -> Self {
        self.duplicates = Duplicates::Refuse;
        self
    }

    /// Prefers these genes when an id maps to several.
    pub fn within(mut self, genes: &[String]) -> Self {
        self.universe = Some(genes.to_vec());
        self
    }
}

/// Why an id of the table was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmapped {
    /// Not a known Ensembl id form, symbol or Entrez id of a human gene.
    Unknown,
    /// Maps to several Ensembl genes.
    Ambiguous(Vec<String>),
}

/// What [`harmonise_gene_ids`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HarmoniseReport {
    /// Gene ids in the table.
    pub n_input: usize,
    /// Gene ids in the result.
    pub n_output: usize,
    /// Ensembl ids whose version suffix was stripped, and one example (`from`, `to`).
    pub versions_stripped: usize,
    /// An example of a stripped id and its result.
    pub version_example: Option<(String, String)>,
    /// Gene symbols mapped to Ensembl ids.
    pub symbols_mapped: usize,
    /// Entrez ids mapped to Ensembl ids.
    pub entrez_mapped: usize,
    /// Ids left out, in table order, with why.
    pub unmapped: Vec<(String, Unmapped)>,
    /// Genes that several ids of the table mapped to (summed), with those ids.
    pub merged: Vec<(String, Vec<String>)>,
}

impl HarmoniseReport {
    /// Whether the ids changed at all.
    pub fn changed(&self) -> bool {
        self.versions_stripped + self.symbols_mapped + self.entrez_mapped > 0
            || !self.unmapped.is_empty()
            || !self.merged.is_empty()
    }

    /// The ids left out as a table (`gene_id`, `reason`, `candidates`), for a side file.
    pub fn unmapped_table(&self) -> Table {
        let mut t = Table::new(["gene_id", "reason", "candidates"]);
        for (id, why) in &self.unmapped {
            let (reason, candidates) = match why {
                Unmapped::Unknown => ("unknown", String::new()),
                Unmapped::Ambiguous(c) => ("ambiguous", c.join(";")),
            };
            t.push(vec![
                Cell::Text(id.clone()),
                Cell::Text(reason.into()),
                Cell::Text(candidates),
            ]);
        }
        t
    }
}

impl fmt::Display for HarmoniseReport {
    /// One line for stderr saying every change.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some((from, to)) = &self.version_example {
            parts.push(format!(
                "stripped the version suffix of {} Ensembl id(s) ({from} -> {to})",
                self.versions_stripped
            ));
        }
        if self.symbols_mapped > 0 {
            parts.push(format!(
                "mapped {} gene symbol(s) to Ensembl ids (org.Hs.eg.db)",
                self.symbols_mapped
            ));
        }
        if self.entrez_mapped > 0 {
            parts.push(format!(
                "mapped {} Entrez id(s) to Ensembl ids (org.Hs.eg.db)",
                self.entrez_mapped
            ));
        }
        let ambiguous = self
            .unmapped
            .iter()
            .filter(|(_, u)| matches!(u, Unmapped::Ambiguous(_)))
            .count();
        let unknown = self.unmapped.len() - ambiguous;
        if !self.unmapped.is_empty() {
            parts.push(format!(
                "left out {unknown} unknown and {ambiguous} ambiguous id(s)"
            ));
        }
        if !self.merged.is_empty() {
            let ids: usize = self.merged.iter().map(|(_, s)| s.len()).sum();
            parts.push(format!(
                "summed {ids} rows into {} gene(s) they share",
                self.merged.len()
            ));
        }
        if parts.is_empty() {
            write!(f, "gene ids: {} Ensembl ids, unchanged", self.n_input)
        } else {
            write!(
                f,
                "gene ids: {}; {} of {} ids kept as {} genes",
                parts.join("; "),
                self.n_input - self.unmapped.len(),
                self.n_input,
                self.n_output
            )
        }
    }
}

/// The unversioned Ensembl id of a versioned one (`ENSG00000000003.15` ->
/// `ENSG00000000003`, `ENSG00000002586.20_PAR_Y` -> `ENSG00000002586`); `None` for
/// an id that is already plain or not Ensembl.
pub fn strip_version(id: &str) -> Option<&str> {
    if !is_ensembl_gene_id(id) {
        return None;
    }
    let base = id.split(['.', '_']).next().unwrap_or(id);
    (base.len() < id.len()).then_some(base)
}

/// Gives a dataset unversioned Ensembl gene ids: see the module documentation. The
/// samples, their metadata and the measured-gene mask are kept. An error when no id
/// maps, or (with [`Duplicates::Refuse`]) when two ids map to one gene.
pub fn harmonise_gene_ids(
    data: &Dataset,
    options: &HarmoniseOptions,
) -> Result<(Dataset, HarmoniseReport), IoError> {
    let ids = data.gene_ids();
    let mut report = HarmoniseReport {
        n_input: ids.len(),
        n_output: ids.len(),
        ..HarmoniseReport::default()
    };
    let plain = ids
        .iter()
        .all(|g| is_ensembl_gene_id(g) && strip_version(g).is_none());
    if plain {
        return Ok((data.clone(), report));
    }
    let universe: Option<HashSet<&str>> = options
        .universe
        .as_ref()
        .map(|u| u.iter().map(String::as_str).collect());
    let mut annotation: Option<&GeneAnnotation> = None;
    // The target gene of each column, or None when left out.
    let mut target: Vec<Option<String>> = Vec::with_capacity(ids.len());
    for id in ids {
        if is_ensembl_gene_id(id) {
            match strip_version(id) {
                Some(base) => {
                    report.versions_stripped += 1;
                    if report.version_example.is_none() {
                        report.version_example = Some((id.clone(), base.to_string()));
                    }
                    target.push(Some(base.to_string()));
                }
                None => target.push(Some(id.clone())),
            }
            continue;
        }
        let ann = match annotation {
            Some(a) => a,
            None => *annotation.insert(GeneAnnotation::embedded()?),
        };
        let entrez = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
        let found = if entrez {
            ann.entrez(id)
        } else {
            ann.symbol(id)
        };
        let chosen = match found {
            Lookup::Unknown => Err(Unmapped::Unknown),
            Lookup::Found(c) if c.len() == 1 => Ok(c[0].clone()),
            Lookup::Found(c) => {
                let inside: Vec<&String> = match &universe {
                    Some(u) => c.iter().filter(|e| u.contains(e.as_str())).collect(),
                    None => Vec::new(),
                };
                if inside.len() == 1 {
                    Ok(inside[0].clone())
                } else {
                    Err(Unmapped::Ambiguous(c))
                }
            }
        };
        match chosen {
            Ok(e) => {
                if entrez {
                    report.entrez_mapped += 1;
                } else {
                    report.symbols_mapped += 1;
                }
                target.push(Some(e));
            }
            Err(why) => {
                report.unmapped.push((id.clone(), why));
                target.push(None);
            }
        }
    }
    if target.iter().all(Option::is_none) {
        return Err(IoError::NoGenesMapped {
            n: ids.len(),
            examples: ids.iter().take(3).cloned().collect(),
        });
    }
    // Output genes in order of first appearance, with their source columns.
    let mut position: HashMap<&str, usize> = HashMap::new();
    let mut genes: Vec<String> = Vec::new();
    let mut sources: Vec<Vec<usize>> = Vec::new();
    for (j, t) in target.iter().enumerate() {
        let Some(t) = t else { continue };
        let k = *position.entry(t.as_str()).or_insert_with(|| {
            genes.push(t.clone());
            sources.push(Vec::new());
            genes.len() - 1
        });
        sources[k].push(j);
    }
    report.merged = genes
        .iter()
        .zip(&sources)
        .filter(|(_, s)| s.len() > 1)
        .map(|(g, s)| (g.clone(), s.iter().map(|&j| ids[j].clone()).collect()))
        .collect();
    if options.duplicates == Duplicates::Refuse && !report.merged.is_empty() {
        let (gene, from) = report.merged[0].clone();
        return Err(IoError::DuplicateGenes {
            n: report.merged.len(),
            gene,
            from,
        });
    }
    report.n_output = genes.len();
    let (n, g) = (data.n_samples(), genes.len());
    let counts = data.counts();
    let mut out = Array2::<u32>::zeros((n, g));
    let mut masks: Vec<Vec<bool>> = Vec::new();
    for i in 0..n {
        let mut mask = vec![false; g];
        for (k, cols) in sources.iter().enumerate() {
            let mut sum: u64 = 0;
            for &j in cols {
                if data.is_measured(i, j) {
                    mask[k] = true;
                    sum += u64::from(counts[[i, j]]);
                }
            }
            out[[i, k]] = u32::try_from(sum).map_err(|_| IoError::SummedCountTooLarge {
                gene: genes[k].clone(),
                sample: data.sample_ids()[i].clone(),
            })?;
        }
        masks.push(mask);
    }
    let dataset_err = |source| IoError::Dataset {
        context: "harmonising gene ids".into(),
        source,
    };
    let mapped = data
        .clone()
        .with_counts(out, genes)
        .map_err(dataset_err)?
        .with_measured(Measured::from_rows(g, masks).map_err(dataset_err)?)
        .map_err(dataset_err)?;
    Ok((mapped, report))
}
