//! Collects a result's parts as a decoder reads them, then assembles the [`Dataset`].
//!
//! Counts go straight into one flat `Vec<u32>` (samples x genes, row-major), which
//! becomes the matrix without a copy when every row came as a list. Only counts
//! given as a gene -> value map before the result's `gene_order` is known are
//! buffered, and placed when the matrix is assembled.

use ndarray::Array2;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use synthbio_core::{ClassProbabilities, Dataset, LatentBlock, Latents, MetadataTable};

use crate::error::ClientError;
use crate::prediction::{GeneIds, Prediction};

/// Where an output's counts came from; `counts` wins over `decoder_sample.counts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CountsSource {
    /// The output's `counts`.
    Counts,
    /// Metadata prediction's `decoder_sample.counts`.
    DecoderSample,
}

#[derive(Debug)]
enum Row {
    /// No counts (yet).
    Missing,
    /// Row `k` of the flat dense buffer.
    Dense(usize),
    /// A gene -> value map read before `gene_order` was known.
    Sparse(Vec<(String, u32)>),
}

#[derive(Debug, Default)]
struct Block {
    flat: Vec<f64>,
    width: Option<usize>,
    /// The output each stored vector belongs to, in order.
    owners: Vec<usize>,
}

#[derive(Debug, Default)]
struct ProbField {
    classes: Vec<String>,
    index: HashMap<String, usize>,
    /// (row, class, probability).
    entries: Vec<(usize, usize, f64)>,
}

/// The parts of a result read so far.
#[derive(Debug, Default)]
pub(crate) struct ResultBuilder {
    gene_order: Option<Vec<String>>,
    gene_index: Option<HashMap<String, usize>>,
    flat: Vec<u32>,
    width: Option<usize>,
    dense_rows: usize,
    rows: Vec<Row>,
    cur_source: Option<CountsSource>,
    cur_start: usize,
    metadata: Vec<BTreeMap<String, String>>,
    /// GEM-2's `predicted_metadata` per output, when given.
    predicted: Vec<Option<BTreeMap<String, String>>>,
    /// Whether each output's counts came from `decoder_sample`.
    from_decoder: Vec<bool>,
    /// Outputs with both `counts` and `decoder_sample.counts` (the first is kept).
    both_counts: Vec<usize>,
    latents: [Block; 3],
    probs: BTreeMap<String, ProbField>,
    /// Top-level fields the dataset has no place for, as sent.
    pub extra: Map<String, Value>,
    /// Per output, fields the dataset has no place for, as sent.
    output_extra: Vec<Map<String, Value>>,
    /// What the decoder noticed and did about it.
    pub warnings: Vec<String>,
    /// The result's `model_version`.
    pub model_version: Option<String>,
    /// A top-level `error` / `errors`, as text.
    pub error: Option<String>,
}

impl ResultBuilder {
    /// Records the gene order; counts read so far must match its length.
    pub fn set_gene_order(&mut self, genes: Vec<String>) -> Result<(), String> {
        if let Some(w) = self.width {
            if w != genes.len() {
                return Err(format!(
                    "gene_order lists {} genes but the counts have {w} values per sample",
                    genes.len()
                ));
            }
        }
        self.width = Some(genes.len());
        self.gene_order = Some(genes);
        Ok(())
    }

    /// Number of genes, when known.
    pub fn n_genes(&self) -> Option<usize> {
        self.gene_order.as_ref().map(Vec::len)
    }

    /// Starts the next output (sample); returns its index.
    pub fn begin_output(&mut self) -> usize {
        self.rows.push(Row::Missing);
        self.metadata.push(BTreeMap::new());
        self.predicted.push(None);
        self.from_decoder.push(false);
        self.output_extra.push(Map::new());
        self.cur_source = None;
        self.rows.len() - 1
    }

    fn current(&self) -> usize {
        self.rows.len().saturating_sub(1)
    }

    /// Starts the current output's counts from `source`; `false` means skip them
    /// (the output already has counts of equal or higher priority).
    pub fn begin_counts(&mut self, source: CountsSource) -> bool {
        let i = self.current();
        if self.cur_source.is_some_and(|s| s != source) && self.both_counts.last() != Some(&i) {
            self.both_counts.push(i);
        }
        match (self.cur_source, source) {
            (Some(CountsSource::Counts), _)
            | (Some(CountsSource::DecoderSample), CountsSource::DecoderSample) => return false,
            (Some(CountsSource::DecoderSample), CountsSource::Counts) => {
                // `counts` replaces the decoded sample read before it.
                let i = self.current();
                if let Row::Dense(_) = self.rows[i] {
                    self.flat.truncate(self.cur_start);
                    self.dense_rows -= 1;
                }
                self.rows[i] = Row::Missing;
            }
            (None, _) => {}
        }
        self.cur_source = Some(source);
        self.cur_start = self.flat.len();
        let i = self.current();
        if let Some(d) = self.from_decoder.get_mut(i) {
            *d = source == CountsSource::DecoderSample;
        }
        true
    }

    /// Appends one count of the current dense row.
    #[inline]
    pub fn push_count(&mut self, v: u32) {
        self.flat.push(v);
    }

    /// Appends counts of the current dense row.
    pub fn extend_counts(&mut self, vs: impl IntoIterator<Item = u32>) {
        self.flat.extend(vs);
    }

    /// Ends the current dense row, checking that the counts are rectangular.
    pub fn end_dense(&mut self) -> Result<(), String> {
        let i = self.current();
        let len = self.flat.len() - self.cur_start;
        match self.width {
            Some(w) if w != len => {
                return Err(format!(
                    "counts are not rectangular: output {i} has {len} values, expected {w} (one per gene in gene_order)"
                ))
            }
            Some(_) => {}
            None => self.width = Some(len),
        }
        self.rows[i] = Row::Dense(self.dense_rows);
        self.dense_rows += 1;
        Ok(())
    }

    /// Starts the current output's counts given as a gene -> value map.
    pub fn begin_sparse(&mut self) {
        let i = self.current();
        match self.n_genes() {
            Some(g) => {
                self.flat.resize(self.cur_start + g, 0);
                self.rows[i] = Row::Dense(self.dense_rows);
                self.dense_rows += 1;
            }
            None => self.rows[i] = Row::Sparse(Vec::new()),
        }
    }

    /// One gene -> value entry of the current sparse row.
    pub fn sparse_entry(&mut self, gene: String, v: u32) -> Result<(), String> {
        let i = self.current();
        if let Row::Sparse(entries) = &mut self.rows[i] {
            entries.push((gene, v));
            return Ok(());
        }
        let j = self.gene_position(&gene).ok_or_else(|| {
            format!("outputs[{i}].counts names gene {gene:?}, which is not in gene_order")
        })?;
        self.flat[self.cur_start + j] = v;
        Ok(())
    }

    fn gene_position(&mut self, gene: &str) -> Option<usize> {
        let order = self.gene_order.as_ref()?;
        let index = self.gene_index.get_or_insert_with(|| {
            order
                .iter()
                .enumerate()
                .map(|(j, g)| (g.clone(), j))
                .collect()
        });
        index.get(gene).copied()
    }

    /// Sets the metadata of output `row`.
    pub fn set_metadata(&mut self, row: usize, m: BTreeMap<String, String>) {
        self.metadata[row] = m;
    }

    /// Sets GEM-2's `predicted_metadata` of output `row`.
    pub fn set_predicted(&mut self, row: usize, m: BTreeMap<String, String>) {
        self.predicted[row] = Some(m);
    }

    /// Keeps a field of output `row` the dataset has no place for.
    pub fn output_field(&mut self, row: usize, key: &str, value: Value) {
        self.output_extra[row].insert(key.to_string(), value);
    }

    /// Adds one metadata value of output `row`.
    pub fn metadata_value(&mut self, row: usize, key: &str, value: String) {
        self.metadata[row].insert(key.to_string(), value);
    }

    /// The flat buffer of one latent block, to append output `row`'s vector to;
    /// close it with [`ResultBuilder::end_latent_row`].
    pub fn latent_buffer(
        &mut self,
        block: LatentBlock,
        row: usize,
    ) -> Result<&mut Vec<f64>, String> {
        let b = &mut self.latents[block as usize];
        if b.owners.last().is_some_and(|&last| last >= row) {
            return Err(format!(
                "latents.{} is given twice for output {row}",
                block.as_str()
            ));
        }
        Ok(&mut b.flat)
    }

    /// Ends output `row`'s vector of a latent block (started at `start` in the buffer).
    pub fn end_latent_row(
        &mut self,
        block: LatentBlock,
        row: usize,
        start: usize,
    ) -> Result<(), String> {
        let b = &mut self.latents[block as usize];
        let len = b.flat.len() - start;
        match b.width {
            Some(w) if w != len => {
                return Err(format!(
                    "latents.{} of output {row} has {len} values, others {w}",
                    block.as_str()
                ))
            }
            Some(_) => {}
            None => b.width = Some(len),
        }
        b.owners.push(row);
        Ok(())
    }

    /// One classifier probability of output `row`.
    pub fn prob(&mut self, row: usize, field: &str, class: &str, p: f64) {
        let f = self.probs.entry(field.to_string()).or_default();
        let c = match f.index.get(class) {
            Some(&c) => c,
            None => {
                f.classes.push(class.to_string());
                f.index.insert(class.to_string(), f.classes.len() - 1);
                f.classes.len() - 1
            }
        };
        f.entries.push((row, c, p));
    }

    /// Assembles the result. `input_sizes` (samples per query input) sets each
    /// sample's input index; `None` leaves every sample at input 0.
    /// `known_genes` names the genes of counts given without a `gene_order`
    /// (metadata prediction); without it such counts keep positions only.
    pub fn finish(
        mut self,
        input_sizes: Option<&[u64]>,
        known_genes: Option<&[String]>,
    ) -> Result<Prediction, ClientError> {
        if let Some(message) = self.error.take() {
            return Err(ClientError::ResultError { message });
        }
        let bad = |m: String| ClientError::decode("the result", m);
        let n = self.rows.len();
        let mut warnings = std::mem::take(&mut self.warnings);
        if !self.both_counts.is_empty() {
            warnings.push(format!(
                "outputs {:?} have both counts and decoder_sample.counts: counts is the expression, decoder_sample.counts is not kept",
                self.both_counts
            ));
        }
        let any_counts = self.rows.iter().any(|r| !matches!(r, Row::Missing));
        let mut gene_id_kind = GeneIds::FromResult;
        let (counts, gene_ids) = if any_counts {
            if let Some(i) = self.rows.iter().position(|r| matches!(r, Row::Missing)) {
                return Err(bad(format!(
                    "outputs[{i}] has no counts while other outputs have them"
                )));
            }
            let genes = match self.gene_order.take() {
                Some(genes) => genes,
                None => {
                    let w = self.width.unwrap_or(0);
                    if self.rows.iter().any(|r| matches!(r, Row::Sparse(_))) {
                        return Err(bad(
                            "it gives counts as gene -> value maps but no gene_order to place them"
                                .into(),
                        ));
                    }
                    match known_genes {
                        Some(known) if known.len() == w => {
                            gene_id_kind = GeneIds::FromModel;
                            warnings.push(format!(
                                "the result has no gene_order; its {w} genes are named from the model's known gene order"
                            ));
                            known.to_vec()
                        }
                        other => {
                            gene_id_kind = GeneIds::Positions;
                            let why = match other {
                                Some(k) => format!(
                                    "the model's known gene order has {} genes, not {w}",
                                    k.len()
                                ),
                                None => "the client does not know the model's gene order (run an example query or a baseline prediction of the same model first, or set it with Client::set_gene_order)".into(),
                            };
                            warnings.push(format!(
                                "the result has no gene_order and {why}: its {w} genes are kept by position only (position_1 ... position_{w})"
                            ));
                            (1..=w).map(|j| format!("position_{j}")).collect()
                        }
                    }
                }
            };
            let g = genes.len();
            let in_order = self
                .rows
                .iter()
                .enumerate()
                .all(|(i, r)| matches!(r, Row::Dense(k) if *k == i));
            let flat = if in_order {
                std::mem::take(&mut self.flat)
            } else {
                assemble(&self.rows, &self.flat, &genes)?
            };
            let m = Array2::from_shape_vec((n, g), flat).map_err(|e| bad(e.to_string()))?;
            (m, genes)
        } else {
            // No expression in the result (e.g. metadata prediction without decoder_sample).
            gene_id_kind = GeneIds::None;
            (Array2::zeros((n, 0)), Vec::new())
        };
        // GEM-2's predicted_metadata is the table; a plain metadata next to it is kept raw.
        let mut output_extra = std::mem::take(&mut self.output_extra);
        let mut rows = std::mem::take(&mut self.metadata);
        for (i, p) in std::mem::take(&mut self.predicted).into_iter().enumerate() {
            if let Some(p) = p {
                let plain = std::mem::replace(&mut rows[i], p);
                if !plain.is_empty() {
                    let obj = plain
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect();
                    output_extra[i].insert("metadata".into(), Value::Object(obj));
                }
            }
        }
        let mut ds = Dataset::new(counts, gene_ids, Dataset::default_sample_ids(n))?
            .with_metadata(MetadataTable::from_rows(rows.iter()))?;
        let with_latents: std::collections::BTreeSet<usize> = self
            .latents
            .iter()
            .flat_map(|b| b.owners.iter().copied())
            .collect();
        if !with_latents.is_empty() {
            let [bio, tech, pert] = std::mem::take(&mut self.latents);
            let mut missing_any = Vec::new();
            let mut mk = |b: Block, block: LatentBlock| -> Result<Array2<f64>, ClientError> {
                if b.owners.is_empty() {
                    return Ok(Array2::zeros((n, 0)));
                }
                let w = b.width.unwrap_or(0);
                if b.owners.len() == n {
                    return Array2::from_shape_vec((n, w), b.flat).map_err(|e| bad(e.to_string()));
                }
                // Outputs without this block keep their position as NaN rows.
                let mut out = Array2::from_elem((n, w), f64::NAN);
                for (k, &row) in b.owners.iter().enumerate() {
                    out.row_mut(row)
                        .assign(&ndarray::ArrayView1::from(&b.flat[k * w..(k + 1) * w]));
                }
                let have: std::collections::BTreeSet<usize> = b.owners.iter().copied().collect();
                let missing: Vec<usize> = (0..n).filter(|r| !have.contains(r)).collect();
                missing_any.push(format!(
                    "latents.{} is absent for outputs {:?}; their rows are NaN",
                    block.as_str(),
                    missing
                ));
                Ok(out)
            };
            let latents = Latents {
                biological: mk(bio, LatentBlock::Biological)?,
                technical: mk(tech, LatentBlock::Technical)?,
                perturbation: mk(pert, LatentBlock::Perturbation)?,
            };
            warnings.extend(missing_any);
            ds = ds.with_latents(latents)?;
        }
        for (field, f) in std::mem::take(&mut self.probs) {
            let mut probs = Array2::zeros((n, f.classes.len()));
            for (r, c, p) in f.entries {
                probs[[r, c]] = p;
            }
            ds = ds.with_classifier_probs(
                field,
                ClassProbabilities {
                    classes: f.classes,
                    probs,
                },
            )?;
        }
        if let Some(v) = self.model_version.take() {
            ds = ds.with_model_version(v);
        }
        if let Some(sizes) = input_sizes {
            ds = ds.with_input_index(input_index(sizes, n)?)?;
        }
        let decoder_sample = any_counts && self.from_decoder.iter().all(|&d| d);
        Ok(Prediction {
            dataset: ds,
            gene_ids: gene_id_kind,
            decoder_sample,
            extra: self.extra,
            output_extra,
            warnings,
        })
    }
}

/// Builds the matrix when some rows were buffered as maps or came out of order.
fn assemble(rows: &[Row], flat: &[u32], genes: &[String]) -> Result<Vec<u32>, ClientError> {
    let g = genes.len();
    let index: HashMap<&str, usize> = genes
        .iter()
        .enumerate()
        .map(|(j, s)| (s.as_str(), j))
        .collect();
    let mut out = vec![0u32; rows.len() * g];
    for (i, row) in rows.iter().enumerate() {
        let dst = &mut out[i * g..(i + 1) * g];
        match row {
            Row::Dense(k) => dst.copy_from_slice(&flat[k * g..(k + 1) * g]),
            Row::Sparse(entries) => {
                for (gene, v) in entries {
                    let j = index.get(gene.as_str()).ok_or_else(|| {
                        ClientError::decode(
                            "the result",
                            format!("outputs[{i}].counts names gene {gene:?}, which is not in gene_order"),
                        )
                    })?;
                    dst[*j] = *v;
                }
            }
            Row::Missing => unreachable!("checked by the caller"),
        }
    }
    Ok(out)
}

/// The input each sample came from, given the samples per input.
pub(crate) fn input_index(sizes: &[u64], n: usize) -> Result<Vec<usize>, ClientError> {
    let total: u64 = sizes.iter().sum();
    if total != n as u64 {
        return Err(ClientError::decode(
            "the result",
            format!("it has {n} outputs but the query asked for {total} samples"),
        ));
    }
    Ok(sizes
        .iter()
        .enumerate()
        .flat_map(|(i, &k)| std::iter::repeat_n(i, k as usize))
        .collect())
}

/// A count read as a float: non-negative and finite; fractional values are
/// rounded to the nearest integer, as the official clients make counts integers.
pub(crate) fn count_from_f64(v: f64) -> Result<u32, String> {
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{v} is not a count (a whole number >= 0)"));
    }
    let r = v.round();
    if r > f64::from(u32::MAX) {
        return Err(format!("{v} is larger than any count ({})", u32::MAX));
    }
    Ok(r as u32)
}

/// A count read as an integer.
pub(crate) fn count_from_i64(v: i64) -> Result<u32, String> {
    u32::try_from(v)
        .map_err(|_| format!("{v} is not a count (a whole number from 0 to {})", u32::MAX))
}

/// A count read as an unsigned integer.
pub(crate) fn count_from_u64(v: u64) -> Result<u32, String> {
    u32::try_from(v).map_err(|_| format!("{v} is larger than any count ({})", u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_index_follows_num_samples() {
        assert_eq!(input_index(&[2, 1, 3], 6).unwrap(), [0, 0, 1, 2, 2, 2]);
        assert!(input_index(&[2, 1], 4).is_err());
    }

    #[test]
    fn counts_from_numbers() {
        assert_eq!(count_from_f64(10.0), Ok(10));
        assert_eq!(count_from_f64(2.5), Ok(3));
        assert!(count_from_f64(-1.0).is_err());
        assert!(count_from_f64(f64::NAN).is_err());
        assert!(count_from_i64(-3).is_err());
        assert!(count_from_u64(1 << 40).is_err());
    }

    #[test]
    fn decoder_sample_is_replaced_by_counts() {
        let mut b = ResultBuilder::default();
        b.set_gene_order(vec!["a".into(), "b".into()]).unwrap();
        b.begin_output();
        assert!(b.begin_counts(CountsSource::DecoderSample));
        b.extend_counts([9, 9]);
        b.end_dense().unwrap();
        assert!(b.begin_counts(CountsSource::Counts));
        b.extend_counts([1, 2]);
        b.end_dense().unwrap();
        assert!(!b.begin_counts(CountsSource::DecoderSample));
        let p = b.finish(None, None).unwrap();
        assert_eq!(p.dataset.counts(), ndarray::array![[1, 2]]);
        assert!(
            p.warnings[0].contains("outputs [0] have both counts and decoder_sample.counts"),
            "{:?}",
            p.warnings
        );
    }
}
