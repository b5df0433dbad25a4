//! From raw counts to log expression, coded metadata and groupings.

use crate::io::RawSet;
use crate::schema::{Codes, Schema};
use crate::transform::log_expr;
use crate::EngineError;
use ndarray::Array2;
use std::collections::BTreeMap;
use synthbio_core::LatentBlock;

/// How a sample relates to the perturbations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Arm {
    /// `perturbation_type` is `control`.
    Control,
    /// Perturbed: the condition index.
    Treated(usize),
    /// Perturbation unknown: the condition index.
    Other(usize),
}

/// The training samples in the shapes the fit needs.
pub(crate) struct Prepared<'a> {
    pub raw: &'a RawSet,
    pub schema: Schema,
    pub codes: Vec<Codes>,
    /// Library size each sample's log scale refers to (measured total, scaled
    /// up for genes its dataset did not measure).
    pub lib: Vec<f64>,
    /// Log expression of each non-zero count, aligned with `raw.counts`.
    pub y: Vec<f64>,
    /// Schema indices of the perturbation keys.
    pub pert_keys: Vec<usize>,
    /// Distinct perturbation conditions (codes over `pert_keys`), sorted.
    pub conditions: Vec<Codes>,
    /// Condition index of each sample.
    pub condition: Vec<usize>,
    /// Arm of each sample.
    pub arm: Vec<Arm>,
    /// Schema index of the context key.
    pub context_key: Option<usize>,
    /// Unit within which treated and control samples are paired (donor; one
    /// pool where the data has no donors).
    pub pair_unit: Vec<usize>,
    /// Group held out together in cross-validation (donor, or the sample).
    pub cv_group: Vec<usize>,
    /// Distinct metadata combinations with their samples, sorted by codes.
    pub combos: Vec<(Codes, Vec<usize>)>,
    /// Combination index of each sample.
    pub combo_of: Vec<usize>,
}

impl<'a> Prepared<'a> {
    /// Codes the metadata, computes library sizes and log expression.
    pub fn new(
        raw: &'a RawSet,
        scale: f64,
        context_key: Option<&str>,
    ) -> Result<Prepared<'a>, EngineError> {
        let n = raw.n_samples();
        if n == 0 {
            return Err(EngineError::Training("no training samples".into()));
        }
        let schema = Schema::from_rows(&raw.keys, &raw.metadata);
        let codes: Vec<Codes> = raw.metadata.iter().map(|m| schema.encode(m)).collect();
        let lib = panel_corrected_library_sizes(raw)?;
        let mut y = Vec::with_capacity(raw.counts.len());
        for (i, &l) in lib.iter().enumerate() {
            for (_, c) in raw.row(i) {
                y.push(log_expr(f64::from(c), l, scale));
            }
        }
        let pert_keys = schema.keys_of(LatentBlock::Perturbation);
        let type_key = schema.key_index("perturbation_type");
        let control_level = type_key.and_then(|k| schema.level(k, "control"));
        let cond_codes: Vec<Codes> = codes
            .iter()
            .map(|c| pert_keys.iter().map(|&k| c[k]).collect())
            .collect();
        let conditions: Vec<Codes> = sorted_distinct(&cond_codes);
        let condition: Vec<usize> = cond_codes
            .iter()
            .map(|c| conditions.binary_search(c).expect("listed above"))
            .collect();
        let arm = (0..n)
            .map(|i| {
                let t = type_key.and_then(|k| codes[i][k]);
                match t {
                    Some(l) if Some(l) == control_level => Arm::Control,
                    Some(_) => Arm::Treated(condition[i]),
                    None => Arm::Other(condition[i]),
                }
            })
            .collect();
        let context_key = context_key.and_then(|k| schema.key_index(k));
        let donors: Vec<Option<&str>> = raw.donors.iter().map(|d| d.as_deref()).collect();
        let pair_names: Vec<&str> = donors.iter().map(|d| d.unwrap_or("")).collect();
        let pair_unit = index_of(&pair_names);
        let cv_names: Vec<&str> = donors
            .iter()
            .zip(&raw.sample_ids)
            .map(|(d, s)| d.unwrap_or(s.as_str()))
            .collect();
        let cv_group = index_of(&cv_names);
        let mut by_combo: BTreeMap<&Codes, Vec<usize>> = BTreeMap::new();
        for (i, c) in codes.iter().enumerate() {
            by_combo.entry(c).or_default().push(i);
        }
        let combos: Vec<(Codes, Vec<usize>)> =
            by_combo.into_iter().map(|(c, m)| (c.clone(), m)).collect();
        let mut combo_of = vec![0; n];
        for (j, (_, members)) in combos.iter().enumerate() {
            for &i in members {
                combo_of[i] = j;
            }
        }
        Ok(Prepared {
            raw,
            schema,
            codes,
            lib,
            y,
            pert_keys,
            conditions,
            condition,
            arm,
            context_key,
            pair_unit,
            cv_group,
            combos,
            combo_of,
        })
    }

    /// Number of samples.
    pub fn n(&self) -> usize {
        self.raw.n_samples()
    }

    /// Number of genes.
    pub fn g(&self) -> usize {
        self.raw.n_genes()
    }

    /// The measured-gene flags of sample `i`.
    pub fn measured(&self, i: usize) -> &[bool] {
        &self.raw.masks[self.raw.sample_mask[i]]
    }

    /// Log expression of gene `j` in sample `i` (`None` if it did not measure it).
    pub fn level(&self, i: usize, j: usize) -> Option<f64> {
        if !self.measured(i)[j] {
            return None;
        }
        let r = self.raw.indptr[i]..self.raw.indptr[i + 1];
        Some(match self.raw.genes[r.clone()].binary_search(&(j as u32)) {
            Ok(k) => self.y[r.start + k],
            Err(_) => 0.0,
        })
    }

    /// The context level of sample `i`.
    pub fn context(&self, i: usize) -> Option<u16> {
        self.context_key.and_then(|k| self.codes[i][k])
    }

    /// Sums of log expression and measured-sample counts per group
    /// (`group[i]`, `None` = left out): (groups x genes, groups x genes).
    pub fn group_sums(
        &self,
        group: &[Option<usize>],
        n_groups: usize,
    ) -> (Array2<f64>, Array2<f64>) {
        let (sums, _, counts) = self.group_moments(group, n_groups, false);
        (sums, counts)
    }

    /// [`Prepared::group_sums`] plus sums of squares (empty unless `squares`).
    pub fn group_moments(
        &self,
        group: &[Option<usize>],
        n_groups: usize,
        squares: bool,
    ) -> (Array2<f64>, Array2<f64>, Array2<f64>) {
        let g = self.g();
        let mut sums = Array2::<f64>::zeros((n_groups, g));
        let mut sq = Array2::<f64>::zeros((if squares { n_groups } else { 0 }, g));
        let mut per_mask = vec![vec![0.0f64; self.raw.masks.len()]; n_groups];
        for i in 0..self.n() {
            let Some(k) = group[i] else { continue };
            per_mask[k][self.raw.sample_mask[i]] += 1.0;
            let r = self.raw.indptr[i]..self.raw.indptr[i + 1];
            let genes = &self.raw.genes[r.clone()];
            let ys = &self.y[r];
            let row = sums.row_mut(k).into_slice().expect("standard layout");
            for (&gene, &v) in genes.iter().zip(ys) {
                row[gene as usize] += v;
            }
            if squares {
                let row = sq.row_mut(k).into_slice().expect("standard layout");
                for (&gene, &v) in genes.iter().zip(ys) {
                    row[gene as usize] += v * v;
                }
            }
        }
        let mut counts = Array2::<f64>::zeros((n_groups, g));
        for (k, masks) in per_mask.iter().enumerate() {
            let row = counts.row_mut(k).into_slice().expect("standard layout");
            for (m, &c) in masks.iter().enumerate() {
                if c == 0.0 {
                    continue;
                }
                for (dst, &on) in row.iter_mut().zip(&self.raw.masks[m]) {
                    if on {
                        *dst += c;
                    }
                }
            }
        }
        (sums, sq, counts)
    }

    /// Dense log expression of the given samples (rows x genes; 0 where unmeasured).
    pub fn dense(&self, rows: &[usize]) -> Array2<f64> {
        let mut out = Array2::<f64>::zeros((rows.len(), self.g()));
        for (r, &i) in rows.iter().enumerate() {
            let range = self.raw.indptr[i]..self.raw.indptr[i + 1];
            let row = out.row_mut(r).into_slice().expect("standard layout");
            for (&gene, &v) in self.raw.genes[range.clone()].iter().zip(&self.y[range]) {
                row[gene as usize] = v;
            }
        }
        out
    }
}

/// Library sizes: the measured total, divided by the share of reads the
/// sample's measured genes hold in samples that measured more genes (the
/// median over those samples), so that a dataset that measured fewer genes is
/// not put on an inflated CPM scale.
pub(crate) fn panel_corrected_library_sizes(raw: &RawSet) -> Result<Vec<f64>, EngineError> {
    let n = raw.n_samples();
    let totals: Vec<f64> = (0..n).map(|i| raw.measured_total(i) as f64).collect();
    if let Some(i) = totals.iter().position(|&t| t <= 0.0) {
        return Err(EngineError::Training(format!(
            "sample {} has no counts; remove it from the training data",
            raw.sample_ids[i]
        )));
    }
    let mut share = vec![1.0; raw.masks.len()];
    for (m, mask) in raw.masks.iter().enumerate() {
        if mask.iter().all(|&b| b) {
            continue;
        }
        let mut shares: Vec<f64> = (0..n)
            .filter(|&i| {
                let other = &raw.masks[raw.sample_mask[i]];
                raw.sample_mask[i] != m
                    && other.iter().filter(|&&b| b).count() > mask.iter().filter(|&&b| b).count()
            })
            .map(|i| {
                let inside: u64 = raw
                    .row(i)
                    .filter(|&(g, _)| mask[g])
                    .map(|(_, c)| u64::from(c))
                    .sum();
                inside as f64 / totals[i]
            })
            .collect();
        if shares.is_empty() {
            continue;
        }
        shares.sort_by(f64::total_cmp);
        let mid = shares.len() / 2;
        share[m] = if shares.len() % 2 == 1 {
            shares[mid]
        } else {
            0.5 * (shares[mid - 1] + shares[mid])
        };
    }
    Ok((0..n)
        .map(|i| totals[i] / share[raw.sample_mask[i]])
        .collect())
}

fn sorted_distinct<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v
}

/// Index of each name among the sorted distinct names.
fn index_of(names: &[&str]) -> Vec<usize> {
    let distinct = sorted_distinct(names);
    names
        .iter()
        .map(|n| distinct.binary_search(n).expect("listed above"))
        .collect()
}
