//! The in-memory dataset: what the client decodes, the engine produces and the
//! analyses consume, in the spirit of AnnData / SummarizedExperiment.

use crate::model::LatentBlock;
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod measured;
mod metadata;
mod predictions;

pub use measured::Measured;
pub use metadata::MetadataTable;
pub use predictions::{ClassProbabilities, Latents};

/// Errors building or combining datasets.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// Two parts disagree in size.
    #[error("{what}: expected {expected}, found {found}; make the parts agree")]
    Shape {
        /// Which part.
        what: String,
        /// The size implied by the counts matrix.
        expected: usize,
        /// The size given.
        found: usize,
    },
    /// Two datasets list different genes, or the same genes in another order.
    #[error("gene order differs at position {position}: {left} vs {right}; reorder one dataset with Dataset::select_genes")]
    GeneOrder {
        /// First differing position.
        position: usize,
        /// Gene id on the left.
        left: String,
        /// Gene id on the right.
        right: String,
    },
    /// A gene or sample id that is not in the dataset.
    #[error("{kind} id {id:?} is not in the dataset")]
    UnknownId {
        /// "gene" or "sample".
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
    /// An analysis that needs every gene met genes some samples did not measure.
    #[error("{what} needs every gene measured, but {} gene(s) were not measured in some samples ({}); give a table that measured them, or leave them out with Dataset::select_genes", genes.len(), list_some(genes))]
    Unmeasured {
        /// The analysis or step.
        what: String,
        /// Genes unmeasured in at least one sample.
        genes: Vec<String>,
    },
    /// The same id twice.
    #[error("{kind} id {id:?} appears more than once; ids must be unique")]
    DuplicateId {
        /// "gene" or "sample".
        kind: &'static str,
        /// The repeated id.
        id: String,
    },
}

/// A samples x genes count matrix with its ids, metadata, and what a model said about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    counts: Array2<u32>,
    gene_ids: Vec<String>,
    sample_ids: Vec<String>,
    metadata: MetadataTable,
    latents: Option<Latents>,
    classifier_probs: BTreeMap<String, ClassProbabilities>,
    input_index: Vec<usize>,
    model_version: Option<String>,
    /// Which genes each sample measured; `None`: all (the common case costs nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    measured: Option<Measured>,
}

impl Dataset {
    /// A dataset from counts (samples x genes) and ids; metadata starts empty and
    /// every sample belongs to input 0.
    pub fn new(
        counts: Array2<u32>,
        gene_ids: Vec<String>,
        sample_ids: Vec<String>,
    ) -> Result<Self, DatasetError> {
        let (n, g) = counts.dim();
        check_len("gene ids", g, gene_ids.len())?;
        check_len("sample ids", n, sample_ids.len())?;
        check_unique("gene", &gene_ids)?;
        check_unique("sample", &sample_ids)?;
        Ok(Dataset {
            counts,
            gene_ids,
            sample_ids,
            metadata: MetadataTable::new(n),
            latents: None,
            classifier_probs: BTreeMap::new(),
            input_index: vec![0; n],
            model_version: None,
            measured: None,
        })
    }

    /// Sample ids `sample_1..sample_n`, as rsynthbio names them.
    pub fn default_sample_ids(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("sample_{i}")).collect()
    }

    /// Sets the metadata table.
    pub fn with_metadata(mut self, metadata: MetadataTable) -> Result<Self, DatasetError> {
        check_len("metadata rows", self.n_samples(), metadata.n_rows())?;
        self.metadata = metadata;
        Ok(self)
    }

    /// Sets the latents.
    pub fn with_latents(mut self, latents: Latents) -> Result<Self, DatasetError> {
        for b in LatentBlock::ALL {
            check_len(
                &format!("{} latent rows", b.as_str()),
                self.n_samples(),
                latents.block(b).nrows(),
            )?;
        }
        self.latents = Some(latents);
        Ok(self)
    }

    /// Sets one field's classifier probabilities.
    pub fn with_classifier_probs(
        mut self,
        field: impl Into<String>,
        probs: ClassProbabilities,
    ) -> Result<Self, DatasetError> {
        check_len(
            "classifier probability rows",
            self.n_samples(),
            probs.probs.nrows(),
        )?;
        check_len(
            "classifier classes",
            probs.probs.ncols(),
            probs.classes.len(),
        )?;
        self.classifier_probs.insert(field.into(), probs);
        Ok(self)
    }

    /// Sets which input of the query each sample came from.
    pub fn with_input_index(mut self, input_index: Vec<usize>) -> Result<Self, DatasetError> {
        check_len("input index", self.n_samples(), input_index.len())?;
        self.input_index = input_index;
        Ok(self)
    }

    /// Renames the samples (same number, unique ids).
    pub fn with_sample_ids(mut self, sample_ids: Vec<String>) -> Result<Self, DatasetError> {
        check_len("sample ids", self.n_samples(), sample_ids.len())?;
        check_unique("sample", &sample_ids)?;
        self.sample_ids = sample_ids;
        Ok(self)
    }

    /// Sets the model version that produced the data.
    pub fn with_model_version(mut self, version: impl Into<String>) -> Self {
        self.model_version = Some(version.into());
        self
    }

    /// Records which genes each sample measured. The counts of unmeasured cells are set
    /// to 0 (a placeholder, never read as a measurement by code that honours the mask);
    /// a mask that measured everything is dropped.
    pub fn with_measured(mut self, measured: Measured) -> Result<Self, DatasetError> {
        check_len(
            "measured-gene mask samples",
            self.n_samples(),
            measured.n_samples(),
        )?;
        check_len(
            "measured-gene mask genes",
            self.n_genes(),
            measured.n_genes(),
        )?;
        if measured.is_complete() {
            self.measured = None;
            return Ok(self);
        }
        for (i, mut row) in self.counts.rows_mut().into_iter().enumerate() {
            for (c, &m) in row.iter_mut().zip(measured.sample(i)) {
                if !m {
                    *c = 0;
                }
            }
        }
        self.measured = Some(measured);
        Ok(self)
    }

    /// Replaces the count matrix and gene ids (same samples, same order), keeping the
    /// metadata and predictions; the measured-gene mask is cleared (set it again with
    /// [`Dataset::with_measured`]).
    pub fn with_counts(
        mut self,
        counts: Array2<u32>,
        gene_ids: Vec<String>,
    ) -> Result<Self, DatasetError> {
        check_len(
            "samples of the new counts",
            self.n_samples(),
            counts.nrows(),
        )?;
        check_len("gene ids", counts.ncols(), gene_ids.len())?;
        check_unique("gene", &gene_ids)?;
        self.counts = counts;
        self.gene_ids = gene_ids;
        self.measured = None;
        Ok(self)
    }

    /// Which genes each sample measured; `None` when every sample measured every gene.
    pub fn measured(&self) -> Option<&Measured> {
        self.measured.as_ref()
    }

    /// Whether `sample` measured `gene` (positions).
    pub fn is_measured(&self, sample: usize, gene: usize) -> bool {
        self.measured
            .as_ref()
            .is_none_or(|m| m.is_measured(sample, gene))
    }

    /// Genes that at least one sample did not measure, in gene order.
    pub fn unmeasured_genes(&self) -> Vec<String> {
        let Some(m) = &self.measured else {
            return Vec::new();
        };
        self.gene_ids
            .iter()
            .zip(m.measured_by_all())
            .filter(|(_, all)| !all)
            .map(|(g, _)| g.clone())
            .collect()
    }

    /// Refuses a dataset with unmeasured genes, naming them, for analyses that need
    /// every gene (`what` names the analysis in the message).
    pub fn require_all_measured(&self, what: &str) -> Result<(), DatasetError> {
        let genes = self.unmeasured_genes();
        if genes.is_empty() {
            Ok(())
        } else {
            Err(DatasetError::Unmeasured {
                what: what.into(),
                genes,
            })
        }
    }

    /// Counts, samples x genes.
    pub fn counts(&self) -> ArrayView2<'_, u32> {
        self.counts.view()
    }

    /// The counts of one sample.
    pub fn sample_counts(&self, sample: usize) -> ArrayView1<'_, u32> {
        self.counts.row(sample)
    }

    /// Takes the count matrix out.
    pub fn into_counts(self) -> Array2<u32> {
        self.counts
    }

    /// Gene ids in column order.
    pub fn gene_ids(&self) -> &[String] {
        &self.gene_ids
    }

    /// Sample ids in row order.
    pub fn sample_ids(&self) -> &[String] {
        &self.sample_ids
    }

    /// Per-sample metadata (claimed, or predicted for metadata prediction results).
    pub fn metadata(&self) -> &MetadataTable {
        &self.metadata
    }

    /// Mutable metadata, to add columns.
    pub fn metadata_mut(&mut self) -> &mut MetadataTable {
        &mut self.metadata
    }

    /// Latents, if the model returned them.
    pub fn latents(&self) -> Option<&Latents> {
        self.latents.as_ref()
    }

    /// Classifier probabilities per metadata field (metadata prediction results).
    pub fn classifier_probs(&self) -> &BTreeMap<String, ClassProbabilities> {
        &self.classifier_probs
    }

    /// Which query input each sample came from.
    pub fn input_index(&self) -> &[usize] {
        &self.input_index
    }

    /// The model version, for results.
    pub fn model_version(&self) -> Option<&str> {
        self.model_version.as_deref()
    }

    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.counts.nrows()
    }

    /// Number of genes.
    pub fn n_genes(&self) -> usize {
        self.counts.ncols()
    }

    /// Position of a gene id.
    pub fn gene_position(&self, gene_id: &str) -> Result<usize, DatasetError> {
        self.gene_ids
            .iter()
            .position(|g| g == gene_id)
            .ok_or_else(|| DatasetError::UnknownId {
                kind: "gene",
                id: gene_id.into(),
            })
    }

    /// Position of a sample id.
    pub fn sample_position(&self, sample_id: &str) -> Result<usize, DatasetError> {
        self.sample_ids
            .iter()
            .position(|s| s == sample_id)
            .ok_or_else(|| DatasetError::UnknownId {
                kind: "sample",
                id: sample_id.into(),
            })
    }

    /// Library size (total count) of each sample.
    pub fn library_sizes(&self) -> Vec<u64> {
        self.counts
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|&c| u64::from(c)).sum())
            .collect()
    }

    /// The samples at the given positions, in that order, with everything that belongs to them.
    pub fn select_samples(&self, rows: &[usize]) -> Self {
        Dataset {
            counts: self.counts.select(Axis(0), rows),
            gene_ids: self.gene_ids.clone(),
            sample_ids: rows.iter().map(|&r| self.sample_ids[r].clone()).collect(),
            metadata: self.metadata.select(rows),
            latents: self.latents.as_ref().map(|l| l.select(rows)),
            classifier_probs: self
                .classifier_probs
                .iter()
                .map(|(k, p)| {
                    (
                        k.clone(),
                        ClassProbabilities {
                            classes: p.classes.clone(),
                            probs: p.probs.select(Axis(0), rows),
                        },
                    )
                })
                .collect(),
            input_index: rows.iter().map(|&r| self.input_index[r]).collect(),
            model_version: self.model_version.clone(),
            measured: self.measured.as_ref().map(|m| m.select_samples(rows)),
        }
    }

    /// The given genes, in that order (to match another dataset's gene order).
    pub fn select_genes(&self, gene_ids: &[String]) -> Result<Self, DatasetError> {
        let index: BTreeMap<&str, usize> = self
            .gene_ids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.as_str(), i))
            .collect();
        let cols = gene_ids
            .iter()
            .map(|g| {
                index
                    .get(g.as_str())
                    .copied()
                    .ok_or_else(|| DatasetError::UnknownId {
                        kind: "gene",
                        id: g.clone(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        check_unique("gene", gene_ids)?;
        let mut out = self.clone();
        out.counts = self.counts.select(Axis(1), &cols);
        out.gene_ids = gene_ids.to_vec();
        if let Some(m) = &self.measured {
            let cols: Vec<Option<usize>> = cols.iter().copied().map(Some).collect();
            out.measured = None;
            out = out.with_measured(m.select_genes(&cols))?;
        }
        Ok(out)
    }

    /// The given genes in that order, where genes this dataset lacks become unmeasured
    /// columns (count 0, masked); returns them too. For a model's gene order, when the
    /// table measured only part of it.
    pub fn with_gene_order(
        &self,
        gene_ids: &[String],
    ) -> Result<(Self, Vec<String>), DatasetError> {
        check_unique("gene", gene_ids)?;
        let index: BTreeMap<&str, usize> = self
            .gene_ids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.as_str(), i))
            .collect();
        let cols: Vec<Option<usize>> = gene_ids
            .iter()
            .map(|g| index.get(g.as_str()).copied())
            .collect();
        let absent: Vec<String> = gene_ids
            .iter()
            .zip(&cols)
            .filter(|(_, c)| c.is_none())
            .map(|(g, _)| g.clone())
            .collect();
        let (n, g) = (self.n_samples(), gene_ids.len());
        let mut counts = Array2::<u32>::zeros((n, g));
        for (mut dst, src) in counts.rows_mut().into_iter().zip(self.counts.rows()) {
            for (d, c) in dst.iter_mut().zip(&cols) {
                if let Some(j) = c {
                    *d = src[*j];
                }
            }
        }
        let measured = match &self.measured {
            Some(m) => m.select_genes(&cols),
            None => Measured::same_for_all(n, cols.iter().map(Option::is_some).collect()),
        };
        let mut out = self.clone();
        out.counts = counts;
        out.gene_ids = gene_ids.to_vec();
        out.measured = None;
        Ok((out.with_measured(measured)?, absent))
    }

    /// Checks that another dataset has the same genes in the same order.
    pub fn check_same_genes(&self, other: &Dataset) -> Result<(), DatasetError> {
        check_same_gene_order(&self.gene_ids, &other.gene_ids)
    }

    /// Copies a metadata prediction result's probabilities and latents onto these samples,
    /// and its predicted labels as `predicted_<field>` metadata columns (for QC).
    pub fn with_predictions(mut self, predicted: &Dataset) -> Result<Self, DatasetError> {
        check_len("predicted samples", self.n_samples(), predicted.n_samples())?;
        for key in predicted.metadata.keys() {
            let col = predicted
                .metadata
                .column(key)
                .map(<[_]>::to_vec)
                .unwrap_or_default();
            self.metadata.set_column(format!("predicted_{key}"), col)?;
        }
        self.classifier_probs = predicted.classifier_probs.clone();
        if let Some(l) = &predicted.latents {
            self.latents = Some(l.clone());
        }
        Ok(self)
    }
}

/// Checks that two gene lists are identical, naming the first difference.
pub fn check_same_gene_order(left: &[String], right: &[String]) -> Result<(), DatasetError> {
    if let Some(position) = left.iter().zip(right).position(|(a, b)| a != b) {
        return Err(DatasetError::GeneOrder {
            position,
            left: left[position].clone(),
            right: right[position].clone(),
        });
    }
    check_len("genes", left.len(), right.len())
}

/// The first few entries of a list, then how many more.
fn list_some(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let shown = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match items.len().saturating_sub(SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

fn check_len(what: &str, expected: usize, found: usize) -> Result<(), DatasetError> {
    if expected == found {
        Ok(())
    } else {
        Err(DatasetError::Shape {
            what: what.into(),
            expected,
            found,
        })
    }
}

fn check_unique(kind: &'static str, ids: &[String]) -> Result<(), DatasetError> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for id in ids {
        if !seen.insert(id.as_str()) {
            return Err(DatasetError::DuplicateId {
                kind,
                id: id.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn ids(p: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{p}{i}")).collect()
    }

    #[test]
    fn builds_selects_and_checks_shapes() {
        let d = Dataset::new(array![[1, 2, 3], [4, 5, 6]], ids("g", 3), ids("s", 2)).unwrap();
        assert_eq!(d.library_sizes(), [6, 15]);
        let s = d.select_samples(&[1]);
        assert_eq!(s.counts(), array![[4, 5, 6]]);
        let g = d.select_genes(&["g2".into(), "g0".into()]).unwrap();
        assert_eq!(g.counts(), array![[3, 1], [6, 4]]);
        assert!(matches!(
            d.check_same_genes(&g),
            Err(DatasetError::GeneOrder { position: 0, .. })
        ));
        assert!(matches!(
            Dataset::new(array![[1]], ids("g", 2), ids("s", 1)),
            Err(DatasetError::Shape { .. })
        ));
        assert!(matches!(
            Dataset::new(array![[1, 2]], vec!["a".into(), "a".into()], ids("s", 1)),
            Err(DatasetError::DuplicateId { .. })
        ));
    }

    #[test]
    fn the_measured_mask_travels_through_selections() {
        let d = Dataset::new(array![[1, 2, 3], [4, 5, 6]], ids("g", 3), ids("s", 2)).unwrap();
        assert!(d.measured().is_none() && d.is_measured(1, 2));
        let m = Measured::from_rows(3, [vec![true, false, true], vec![true, true, true]]).unwrap();
        assert_eq!(m.masks().len(), 2);
        let d = d.with_measured(m).unwrap();
        // the unmeasured cell holds 0, not the value given
        assert_eq!(d.counts(), array![[1, 0, 3], [4, 5, 6]]);
        assert_eq!(d.unmeasured_genes(), ["g1"]);
        assert!(!d.is_measured(0, 1) && d.is_measured(1, 1));
        assert_eq!(d.measured().unwrap().n_unmeasured_cells(), 1);
        // sample 1 alone measured everything
        assert!(d.select_samples(&[1]).measured().unwrap().is_complete());
        let g = d.select_genes(&["g1".into(), "g0".into()]).unwrap();
        assert!(!g.is_measured(0, 0) && g.is_measured(0, 1));
        assert!(matches!(
            d.require_all_measured("TMM"),
            Err(DatasetError::Unmeasured { ref genes, .. }) if genes == &["g1"]
        ));
        // a complete mask is dropped
        let full = d.select_genes(&["g0".into(), "g2".into()]).unwrap();
        assert!(full.measured().is_none());
        assert!(matches!(
            Measured::from_rows(2, [vec![true]]),
            Err(DatasetError::Shape { .. })
        ));
    }

    #[test]
    fn a_gene_order_with_absent_genes_masks_them() {
        let d = Dataset::new(array![[1, 2], [3, 4]], ids("g", 2), ids("s", 2)).unwrap();
        let order = vec!["g1".to_string(), "x".into(), "g0".into()];
        let (o, absent) = d.with_gene_order(&order).unwrap();
        assert_eq!(absent, ["x"]);
        assert_eq!(o.counts(), array![[2, 0, 1], [4, 0, 3]]);
        assert_eq!(o.unmeasured_genes(), ["x"]);
        assert_eq!(o.measured().unwrap().masks().len(), 1);
        let (same, none) = d.with_gene_order(&ids("g", 2)).unwrap();
        assert!(none.is_empty() && same.measured().is_none());
    }

    #[test]
    fn metadata_rows_round_trip() {
        let rows = [
            BTreeMap::from([("sex".to_string(), "male".to_string())]),
            BTreeMap::new(),
        ];
        let t = MetadataTable::from_rows(rows.iter());
        assert_eq!(t.get(0, "sex"), Some("male"));
        assert_eq!(t.get(1, "sex"), None);
        assert_eq!(t.row(0), rows[0]);
    }

    #[test]
    fn argmax_of_probabilities() {
        let p = ClassProbabilities {
            classes: vec!["female".into(), "male".into()],
            probs: array![[0.2, 0.8]],
        };
        assert_eq!(p.argmax(0), Some(("male", 0.8)));
        assert_eq!(p.prob(0, "female"), 0.2);
        assert_eq!(p.prob(0, "other"), 0.0);
    }
}
