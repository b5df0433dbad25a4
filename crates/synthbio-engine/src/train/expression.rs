//! Training data of the expression heads (see `expression_head`): which
//! samples a key's head is fitted on, and which genes it reads.

use super::prep::Prepared;
use crate::expression_head::fit;
use crate::params::ExpressionHead;
use ndarray::Array2;
use std::collections::BTreeMap;

/// Most genes a head reads.
const GENES: usize = 2000;
/// Most samples a head is fitted on; above it, every k-th labelled sample.
const ROWS: usize = 8000;

/// The samples labelled with one of a key's classes, each with its class and
/// a weight (each donor weighs one).
pub(crate) struct Labelled {
    /// Sample indices, ascending.
    pub rows: Vec<usize>,
    /// Class of each row.
    pub class: Vec<usize>,
    /// Weight of each row.
    pub weight: Vec<f64>,
}

impl Labelled {
    /// The labelled samples of key `key` (schema index) among `classes` (levels).
    pub(crate) fn new(p: &Prepared<'_>, key: usize, classes: &[u16]) -> Labelled {
        let all: Vec<(usize, usize)> = (0..p.n())
            .filter_map(|i| Some((i, classes.binary_search(&p.codes[i][key]?).ok()?)))
            .collect();
        let step = all.len().div_ceil(ROWS).max(1);
        let (rows, class): (Vec<usize>, Vec<usize>) = all.into_iter().step_by(step).unzip();
        let mut per_group: BTreeMap<usize, f64> = BTreeMap::new();
        for &i in &rows {
            *per_group.entry(p.cv_group[i]).or_insert(0.0) += 1.0;
        }
        let weight = rows
            .iter()
            .map(|&i| 1.0 / per_group[&p.cv_group[i]])
            .collect();
        Labelled {
            rows,
            class,
            weight,
        }
    }

    /// A head fitted on the rows `keep` accepts; `None` when they hold fewer
    /// than two classes or measured no gene in common.
    pub(crate) fn fit(
        &self,
        p: &Prepared<'_>,
        classes: usize,
        keep: &dyn Fn(usize) -> bool,
    ) -> Option<ExpressionHead> {
        let picked: Vec<usize> = (0..self.rows.len())
            .filter(|&r| keep(self.rows[r]))
            .collect();
        let mut seen = vec![false; classes];
        picked.iter().for_each(|&r| seen[self.class[r]] = true);
        if seen.iter().filter(|&&s| s).count() < 2 {
            return None;
        }
        let rows: Vec<usize> = picked.iter().map(|&r| self.rows[r]).collect();
        let weight: Vec<f64> = picked.iter().map(|&r| self.weight[r]).collect();
        let class: Vec<usize> = picked.iter().map(|&r| self.class[r]).collect();
        let genes = variable_genes(p, &rows, &weight);
        if genes.is_empty() {
            return None;
        }
        let levels = Array2::from_shape_fn((rows.len(), genes.len()), |(r, k)| {
            p.level(rows[r], genes[k] as usize)
                .expect("every row measured the chosen genes")
        });
        Some(fit(genes, &levels, &class, &weight, classes))
    }
}

/// The `GENES` genes of largest weighted variance of log expression among
/// those every row measured (ties to the lower index), in gene order.
fn variable_genes(p: &Prepared<'_>, rows: &[usize], w: &[f64]) -> Vec<u32> {
    let g = p.g();
    let mut everywhere = vec![true; g];
    let (mut s1, mut s2) = (vec![0.0; g], vec![0.0; g]);
    for (&i, &wi) in rows.iter().zip(w) {
        for (e, &m) in everywhere.iter_mut().zip(p.measured(i)) {
            *e &= m;
        }
        let r = p.raw.indptr[i]..p.raw.indptr[i + 1];
        for (&j, &v) in p.raw.genes[r.clone()].iter().zip(&p.y[r]) {
            s1[j as usize] += wi * v;
            s2[j as usize] += wi * v * v;
        }
    }
    let total: f64 = w.iter().sum();
    let mut ranked: Vec<(f64, u32)> = (0..g)
        .filter(|&j| everywhere[j])
        .map(|j| {
            let mean = s1[j] / total;
            (s2[j] / total - mean * mean, j as u32)
        })
        .filter(|(var, _)| *var > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut genes: Vec<u32> = ranked.into_iter().take(GENES).map(|(_, j)| j).collect();
    genes.sort_unstable();
    genes
}
