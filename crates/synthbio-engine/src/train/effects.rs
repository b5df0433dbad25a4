//! Perturbation effects from treated-vs-control pairs within a unit (donor),
//! moderated per gene.
//!
//! For each (treated condition, context) the raw effect of a gene is the mean
//! over paired units of (treated mean - control mean) of its log expression.
//! Its sampling variance comes from the spread of the unit differences (two or
//! more units) or from the spread within each arm (one unit: technical lanes,
//! or cells of one pool), moderated toward the median variance over genes
//! (limma-style, `PRIOR_DF` prior degrees of freedom). Each effect is then
//! shrunk as a whole by `tau² / (tau² + mean variance)`, with `tau²` the
//! method-of-moments variance of true effects across genes: one factor for
//! every gene, so the effect keeps its direction (per-gene factors cost about
//! 0.01 of held-out fold-change correlation on airway, issue 14).

use super::prep::{Arm, Prepared};
use std::collections::BTreeMap;

/// Prior degrees of freedom of the moderated variances.
const PRIOR_DF: f64 = 4.0;

/// A pair unit with its treated and control groups.
type Pair = (usize, usize, usize);

/// The learned effect of one perturbation condition (in one context).
#[derive(Debug, Clone)]
pub(crate) struct Effect {
    /// Condition index.
    pub condition: usize,
    /// Context level (cell type), `None` without context.
    pub context: Option<u16>,
    /// Moderated effect on the log expression per gene (0 where no unit
    /// measured the gene in both arms).
    pub delta: Vec<f64>,
    /// Pair units behind it.
    pub units: Vec<usize>,
    /// Treated samples behind it.
    pub n_treated: usize,
}

/// Every (treated condition, context) with at least one unit that has both
/// treated and control samples; in condition, then context order.
pub(crate) fn perturbation_effects(p: &Prepared<'_>) -> Vec<Effect> {
    raw_effects(p)
        .into_iter()
        .map(|r| Effect {
            delta: moderate(&r.raw, &r.var, &r.df),
            condition: r.condition,
            context: r.context,
            units: r.units,
            n_treated: r.n_treated,
        })
        .collect()
}

/// An effect before moderation.
struct RawEffect {
    condition: usize,
    context: Option<u16>,
    raw: Vec<f64>,
    var: Vec<Option<f64>>,
    df: Vec<f64>,
    units: Vec<usize>,
    n_treated: usize,
}

/// The raw effects with the variances of their estimates.
fn raw_effects(p: &Prepared<'_>) -> Vec<RawEffect> {
    // groups: (arm class, context, unit); arm class 0 = control, 1 + v = treated v
    let mut index: BTreeMap<(usize, Option<u16>, usize), usize> = BTreeMap::new();
    let mut group = vec![None; p.n()];
    let mut n_in = Vec::new();
    for (i, slot) in group.iter_mut().enumerate() {
        let class = match p.arm[i] {
            Arm::Control => 0,
            Arm::Treated(v) => 1 + v,
            Arm::Other(_) => continue,
        };
        let key = (class, p.context(i), p.pair_unit[i]);
        let next = index.len();
        let k = *index.entry(key).or_insert(next);
        if k == n_in.len() {
            n_in.push(0usize);
        }
        n_in[k] += 1;
        *slot = Some(k);
    }
    let (sums, sq, counts) = p.group_moments(&group, index.len(), true);
    // (condition, context) -> (unit, treated group, control group)
    let mut pairs: BTreeMap<(usize, Option<u16>), Vec<Pair>> = BTreeMap::new();
    for (&(class, ctx, unit), &k) in &index {
        if class == 0 {
            continue;
        }
        if let Some(&kc) = index.get(&(0, ctx, unit)) {
            pairs
                .entry((class - 1, ctx))
                .or_default()
                .push((unit, k, kc));
        }
    }
    let g = p.g();
    pairs
        .into_iter()
        .map(|((condition, context), units)| {
            let stats = Stats {
                sums: &sums,
                sq: &sq,
                counts: &counts,
            };
            let (raw, var, df) = raw_effect(&stats, &units, g);
            RawEffect {
                condition,
                context,
                raw,
                var,
                df,
                n_treated: units.iter().map(|&(_, kt, _)| n_in[kt]).sum(),
                units: units.iter().map(|&(u, _, _)| u).collect(),
            }
        })
        .collect()
}

struct Stats<'a> {
    sums: &'a ndarray::Array2<f64>,
    sq: &'a ndarray::Array2<f64>,
    counts: &'a ndarray::Array2<f64>,
}

impl Stats<'_> {
    fn mean(&self, k: usize, j: usize) -> f64 {
        self.sums[[k, j]] / self.counts[[k, j]]
    }

    /// Sample variance within group `k` (None below two samples).
    fn var(&self, k: usize, j: usize) -> Option<f64> {
        let n = self.counts[[k, j]];
        (n >= 2.0).then(|| {
            ((self.sq[[k, j]] - self.sums[[k, j]] * self.sums[[k, j]] / n) / (n - 1.0)).max(0.0)
        })
    }
}

/// Per gene: the raw effect, the variance of its estimate and its degrees of
/// freedom (`None` where no variance can be estimated).
fn raw_effect(
    s: &Stats<'_>,
    units: &[(usize, usize, usize)],
    g: usize,
) -> (Vec<f64>, Vec<Option<f64>>, Vec<f64>) {
    let mut raw = vec![0.0; g];
    let mut var = vec![None; g];
    let mut df = vec![0.0; g];
    for j in 0..g {
        let diffs: Vec<(f64, usize, usize)> = units
            .iter()
            .filter(|&&(_, kt, kc)| s.counts[[kt, j]] > 0.0 && s.counts[[kc, j]] > 0.0)
            .map(|&(_, kt, kc)| (s.mean(kt, j) - s.mean(kc, j), kt, kc))
            .collect();
        let n = diffs.len() as f64;
        if diffs.is_empty() {
            continue;
        }
        let mean = diffs.iter().map(|d| d.0).sum::<f64>() / n;
        raw[j] = mean;
        if diffs.len() >= 2 {
            let ss: f64 = diffs.iter().map(|d| (d.0 - mean) * (d.0 - mean)).sum();
            var[j] = Some(ss / (n - 1.0) / n);
            df[j] = n - 1.0;
        } else {
            let (_, kt, kc) = diffs[0];
            if let (Some(vt), Some(vc)) = (s.var(kt, j), s.var(kc, j)) {
                let (nt, nc) = (s.counts[[kt, j]], s.counts[[kc, j]]);
                var[j] = Some(vt / nt + vc / nc);
                df[j] = nt + nc - 2.0;
            }
        }
    }
    (raw, var, df)
}

/// Moderates the variances and shrinks the raw effects by one factor (see the module doc).
fn moderate(raw: &[f64], var: &[Option<f64>], df: &[f64]) -> Vec<f64> {
    let mut known: Vec<f64> = var.iter().flatten().copied().collect();
    if known.is_empty() {
        return raw.to_vec();
    }
    known.sort_by(f64::total_cmp);
    let s0 = known[known.len() / 2];
    let moderated: Vec<f64> = var
        .iter()
        .zip(df)
        .map(|(v, &d)| match v {
            Some(v) => (PRIOR_DF * s0 + d * v) / (PRIOR_DF + d),
            None => s0,
        })
        .collect();
    let n = raw.len() as f64;
    let mean_sq = raw.iter().map(|x| x * x).sum::<f64>() / n;
    let mean_var = moderated.iter().sum::<f64>() / n;
    let tau2 = (mean_sq - mean_var).max(1e-3 * mean_sq).max(1e-12);
    raw.iter().map(|&x| x * tau2 / (tau2 + mean_var)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read_bulk;
    use std::path::Path;

    fn golden(name: &str) -> Vec<Vec<String>> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name);
        let text = std::fs::read_to_string(path).unwrap();
        text.lines()
            .skip(1)
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn library_sizes_and_paired_dexamethasone_effects_match_numpy() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let raw = read_bulk(&data).unwrap();
        let p = Prepared::new(&raw, 1e6, None).unwrap();
        for row in golden("library_sizes.tsv") {
            let i = raw.sample_ids.iter().position(|s| *s == row[0]).unwrap();
            let expected: f64 = row[2].parse().unwrap();
            assert!(
                (p.lib[i] - expected).abs() <= 1e-9 * expected,
                "{}: {} vs {expected}",
                row[0],
                p.lib[i]
            );
        }
        let dex_level = p
            .schema
            .key_index("perturbation_ontology_id")
            .and_then(|k| p.schema.level(k, "CHEBI:41879"));
        let dex = raw_effects(&p)
            .into_iter()
            .find(|e| {
                let k = p.schema.key_index("perturbation_ontology_id").unwrap();
                let pos = p.pert_keys.iter().position(|&x| x == k).unwrap();
                p.conditions[e.condition][pos] == dex_level
            })
            .unwrap();
        assert_eq!(dex.units.len(), 4);
        for row in golden("dex_raw_effects.tsv") {
            let j = raw.gene_ids.iter().position(|g| *g == row[0]).unwrap();
            let effect: f64 = row[1].parse().unwrap();
            let var: f64 = row[2].parse().unwrap();
            assert!(
                (dex.raw[j] - effect).abs() < 1e-12,
                "{}: {} vs {effect}",
                row[0],
                dex.raw[j]
            );
            assert!((dex.var[j].unwrap() - var).abs() < 1e-12, "{}", row[0]);
            assert_eq!(dex.df[j], 3.0);
        }
    }

    #[test]
    fn shrinkage_follows_the_normal_means_formula() {
        // Two genes, variances known with infinite df-equivalent (df huge) so the
        // moderated variance is the gene's own: v = [0, 2]; raw = [3, 1]:
        // mean_sq = 5, mean_var = 1, tau² = 4: both shrunk by 4 / 5.
        let out = moderate(&[3.0, 1.0], &[Some(0.0), Some(2.0)], &[1e12, 1e12]);
        approx::assert_abs_diff_eq!(out[0], 3.0 * 0.8, epsilon = 1e-9);
        approx::assert_abs_diff_eq!(out[1], 0.8, epsilon = 1e-9);
    }
}
