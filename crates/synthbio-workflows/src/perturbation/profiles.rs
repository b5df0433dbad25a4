//! Expression profiles on the benchmark's scale, `ln(1 + CPM)` of the expressed genes,
//! and the mean effect of every perturbation in the study's data.

use super::pairs::{perturbation_label, perturbation_of};
use crate::WorkflowError;
use std::collections::BTreeMap;
use synthbio_core::Dataset;

/// `ln(1 + CPM)` of `counts` at the gene columns `cols` (CPM over the whole library):
/// log-normalised values as cell-eval takes them, one scale for every sample.
pub(crate) fn log1p_cpm(
    counts: ndarray::ArrayView1<'_, u32>,
    cols: &[usize],
    sample: &str,
) -> Result<Vec<f64>, WorkflowError> {
    let library: f64 = counts.iter().map(|&c| f64::from(c)).sum();
    if library <= 0.0 {
        return Err(WorkflowError::Design(format!(
            "sample {sample:?} has no counts; drop it from the study"
        )));
    }
    Ok(cols
        .iter()
        .map(|&g| (f64::from(counts[g]) * 1e6 / library).ln_1p())
        .collect())
}

/// The perturbations of `data` and their mean effect, for one held-out unit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrainingEffect {
    /// Perturbation labels found (ontology id, else type), sorted.
    pub(crate) perturbations: Vec<String>,
    /// Per gene: the mean over perturbations of each perturbation's mean effect over
    /// its units (perturbed minus control samples of the unit, `ln(1 + CPM)`); `None`
    /// where no unit measured the gene in all its samples.
    pub(crate) effect: Vec<Option<f64>>,
}

/// The mean effect of every perturbation in `data` on the units of `unit_column` other
/// than `held_out` that have control and perturbed samples; `None` if there is none.
pub(crate) fn training_effect(
    data: &Dataset,
    unit_column: &str,
    cols: &[usize],
    held_out: &str,
) -> Result<Option<TrainingEffect>, WorkflowError> {
    let mut by_unit: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in 0..data.n_samples() {
        if let Some(u) = data.metadata().get(i, unit_column) {
            if u != held_out {
                by_unit.entry(u).or_default().push(i);
            }
        }
    }
    // Per perturbation: per gene, the sum and count of unit effects.
    let mut sums: BTreeMap<String, (Vec<f64>, Vec<usize>)> = BTreeMap::new();
    for rows in by_unit.values() {
        let controls: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| data.metadata().get(i, "perturbation_type") == Some("control"))
            .collect();
        if controls.is_empty() {
            continue;
        }
        let mut treated: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in rows {
            if let Some(label) = perturbation_of(data, i).map(|p| perturbation_label(&p)) {
                treated.entry(label).or_default().push(i);
            }
        }
        let control = mean_profile(data, &controls, cols)?;
        for (label, samples) in treated {
            let perturbed = mean_profile(data, &samples, cols)?;
            let entry = sums
                .entry(label)
                .or_insert_with(|| (vec![0.0; cols.len()], vec![0; cols.len()]));
            for g in 0..cols.len() {
                if let (Some(p), Some(c)) = (perturbed[g], control[g]) {
                    entry.0[g] += p - c;
                    entry.1[g] += 1;
                }
            }
        }
    }
    if sums.is_empty() {
        return Ok(None);
    }
    let effect = (0..cols.len())
        .map(|g| {
            let means: Vec<f64> = sums
                .values()
                .filter(|(_, n)| n[g] > 0)
                .map(|(s, n)| s[g] / n[g] as f64)
                .collect();
            (!means.is_empty()).then(|| means.iter().sum::<f64>() / means.len() as f64)
        })
        .collect();
    Ok(Some(TrainingEffect {
        perturbations: sums.into_keys().collect(),
        effect,
    }))
}

/// Mean `ln(1 + CPM)` of `rows` per gene; `None` where a sample did not measure it.
fn mean_profile(
    data: &Dataset,
    rows: &[usize],
    cols: &[usize],
) -> Result<Vec<Option<f64>>, WorkflowError> {
    let mut sum = vec![Some(0.0); cols.len()];
    for &i in rows {
        let p = log1p_cpm(data.sample_counts(i), cols, &data.sample_ids()[i])?;
        for (k, &g) in cols.iter().enumerate() {
            sum[k] = sum[k].filter(|_| data.is_measured(i, g)).map(|s| s + p[k]);
        }
    }
    Ok(sum
        .into_iter()
        .map(|s| s.map(|s| s / rows.len() as f64))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn column(values: &[&str]) -> Vec<Option<String>> {
        values
            .iter()
            .map(|v| (!v.is_empty()).then(|| v.to_string()))
            .collect()
    }

    /// Two donors treated with drug A, a cell line treated with an unlabelled compound.
    fn data() -> Dataset {
        let counts = array![
            [100u32, 300, 600],
            [200, 300, 500],
            [100, 100, 800],
            [400, 100, 500],
            [500, 250, 250],
            [500, 500, 0],
        ];
        let ids = ["a0", "a1", "b0", "b1", "c0", "c1"]
            .map(String::from)
            .to_vec();
        let genes = ["g0", "g1", "g2"].map(String::from).to_vec();
        let mut ds = Dataset::new(counts, genes, ids).unwrap();
        let m = ds.metadata_mut();
        m.set_column("donor", column(&["A", "A", "B", "B", "C", "C"]))
            .unwrap();
        m.set_column(
            "perturbation_type",
            column(&[
                "control", "compound", "control", "compound", "control", "compound",
            ]),
        )
        .unwrap();
        m.set_column(
            "perturbation_ontology_id",
            column(&["", "CHEBI:1", "", "CHEBI:1", "", ""]),
        )
        .unwrap();
        ds
    }

    fn lcpm(c: f64, lib: f64) -> f64 {
        (c * 1e6 / lib).ln_1p()
    }

    #[test]
    fn mean_of_perturbation_means_without_the_held_out_unit() {
        let ds = data();
        let t = training_effect(&ds, "donor", &[0, 2], "A")
            .unwrap()
            .unwrap();
        assert_eq!(t.perturbations, vec!["CHEBI:1", "compound"]);
        // CHEBI:1 from donor B only (A is held out), "compound" from C; then their mean.
        let b = lcpm(400.0, 1000.0) - lcpm(100.0, 1000.0);
        let c = lcpm(500.0, 1000.0) - lcpm(500.0, 1000.0);
        approx::assert_relative_eq!(t.effect[0].unwrap(), (b + c) / 2.0, max_relative = 1e-12);
        let b2 = lcpm(500.0, 1000.0) - lcpm(800.0, 1000.0);
        let c2 = lcpm(0.0, 1000.0) - lcpm(250.0, 1000.0);
        approx::assert_relative_eq!(t.effect[1].unwrap(), (b2 + c2) / 2.0, max_relative = 1e-12);
        // No unit column: no training effect, never a made-up one.
        assert_eq!(training_effect(&ds, "patient", &[0], "A").unwrap(), None);
    }

    #[test]
    fn empty_sample_is_an_error_naming_it() {
        let e = log1p_cpm(array![0u32, 0].view(), &[0], "s9").unwrap_err();
        assert!(e.to_string().contains("\"s9\""), "{e}");
    }
}
