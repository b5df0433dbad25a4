//! The perturbation study end to end on a predictor whose effect is known: the paired
//! DE design when donors are known, and the benchmark metric set beside its baselines.

use ndarray::Array2;
use std::sync::Arc;
use synthbio_core::{metadata, Dataset, ListedModel, ModelId, PredictError, Predictor, Query};
use synthbio_workflows::{HeldOutPair, PerturbationStudy};

const GENES: usize = 40;

/// The perturbation's true effect on gene `g` (fold), the same in every donor.
fn effect(g: usize) -> f64 {
    match g % 5 {
        0 => 4.0,
        1 => 0.25,
        _ => 1.0,
    }
}

/// Applies the true effect to perturbed inputs, leaves controls as they are; replicate
/// `k > 0` of an input is scaled gene-wise by a small deterministic jitter.
struct KnownEffect;

impl Predictor for KnownEffect {
    fn models(&self) -> Result<Vec<ListedModel>, PredictError> {
        Ok(Vec::new())
    }
    fn example_query(&self, model: &ModelId) -> Result<Query, PredictError> {
        Err(PredictError::UnknownModel(model.to_string()))
    }
    fn predict(&self, _: &ModelId, query: &Query) -> Result<Dataset, PredictError> {
        let mut rows = Vec::new();
        let mut index = Vec::new();
        for (i, input) in query.inputs.iter().enumerate() {
            let counts = input.counts.clone().unwrap_or_default();
            let perturbed = input
                .metadata
                .as_ref()
                .and_then(|m| m.get("perturbation_type"))
                .is_some_and(|t| t != "control");
            for k in 0..input.num_samples.unwrap_or(1) {
                rows.push(
                    (0..GENES)
                        .map(|g| {
                            let fold = if perturbed { effect(g) } else { 1.0 };
                            let jitter = 1.0 + 0.03 * (k as usize * ((g * 7) % 5)) as f64;
                            (counts[g] * fold * jitter).round() as u32
                        })
                        .collect::<Vec<_>>(),
                );
                index.push(i);
            }
        }
        let n = rows.len();
        let x = Array2::from_shape_vec((n, GENES), rows.concat()).unwrap();
        let ids = (0..n).map(|i| format!("p{i}")).collect();
        Dataset::new(x, genes(), ids)
            .and_then(|d| d.with_input_index(index))
            .map_err(|e| PredictError::Failed(e.to_string()))
    }
}

fn genes() -> Vec<String> {
    (0..GENES).map(|g| format!("ENSG{g:05}")).collect()
}

/// Three donors, each a control and a treated sample: the true effect times a donor-
/// specific wobble on a donor-specific baseline.
fn data() -> (Dataset, Vec<HeldOutPair>) {
    let donors = ["d1", "d2", "d3"];
    let mut rows = Vec::new();
    let (mut ids, mut donor, mut kind) = (Vec::new(), Vec::new(), Vec::new());
    let mut pairs = Vec::new();
    for (d, name) in donors.iter().enumerate() {
        let base: Vec<f64> = (0..GENES)
            .map(|g| 200.0 + 50.0 * ((g * 13 + d * 7) % 11) as f64)
            .collect();
        let wobble = |g: usize| 1.0 + 0.1 * (((g + d) % 3) as f64 - 1.0);
        rows.push(base.iter().map(|&b| b as u32).collect::<Vec<_>>());
        rows.push(
            (0..GENES)
                .map(|g| (base[g] * effect(g) * wobble(g)) as u32)
                .collect(),
        );
        for (suffix, k) in [("ctrl", "control"), ("dex", "compound")] {
            ids.push(format!("{name}_{suffix}"));
            donor.push(Some(name.to_string()));
            kind.push(Some(k.to_string()));
        }
        pairs.push(HeldOutPair {
            unit: name.to_string(),
            reference: format!("{name}_ctrl"),
            observed: format!("{name}_dex"),
        });
    }
    let x = Array2::from_shape_vec((rows.len(), GENES), rows.concat()).unwrap();
    let mut ds = Dataset::new(x, genes(), ids).unwrap();
    ds.metadata_mut().set_column("donor", donor).unwrap();
    ds.metadata_mut()
        .set_column("perturbation_type", kind)
        .unwrap();
    (ds, pairs)
}

fn run(study: &PerturbationStudy) -> synthbio_workflows::PerturbationStudyResult {
    let (data, pairs) = data();
    study
        .run(&data, &pairs, |_| {
            Ok(Arc::new(KnownEffect) as Arc<dyn Predictor>)
        })
        .unwrap()
}

#[test]
fn known_donors_give_the_paired_design_and_the_metric_set() {
    let study = PerturbationStudy::new(metadata([("perturbation_type", "compound")]));
    let r = run(&study);
    assert!(r.paired);
    assert_eq!(r.generated_de.groups.case.len(), 9);
    let observed = r.observed_de.as_ref().unwrap();
    assert_eq!(observed.groups.case.len(), 3);
    // The paired fit's residual df: 6 samples - 3 donors - 1 treatment = 2, plus the prior.
    assert!(observed.genes.iter().all(|g| g.test.df.unwrap() > 2.0));
    assert!(!observed.significant(0.05).is_empty());

    let m = &r.metric_set;
    assert_eq!(m.units, ["d1", "d2", "d3"]);
    let mean = |p: &str, k: &str| m.mean(p, k).0.unwrap();
    // The model knows the effect; no change does not; the other donors' mean effect
    // misses only the donor wobble.
    assert!(mean("model", "mse") < 0.05 * mean("no_change", "mse"));
    assert!(mean("model", "wmse") < mean("other_donors", "wmse"));
    assert!(mean("model", "weighted_r2_delta") > 0.5);
    assert_eq!(mean("no_change", "direction_nonzero"), 0.0);
    // The mean baseline sits at r2 <= 0 (its delta against itself is 0); with one
    // perturbation in the data it is the other-donor baseline.
    assert!(mean("mean_training_effect", "weighted_r2_delta") <= 0.0);
    assert_eq!(m.training_perturbations, ["compound"]);
    assert_eq!(
        m.get("d1", "mean_training_effect", "wmse"),
        m.get("d1", "other_donors", "wmse")
    );
    // The report carries the metric tables.
    let sections = r.sections();
    let s = sections
        .iter()
        .find(|s| s.title.starts_with("Benchmark metric set"))
        .unwrap();
    assert_eq!(s.tables[1].1.rows.len(), 3 * 4);
}

#[test]
fn welch_keeps_the_two_group_test() {
    let mut study = PerturbationStudy::new(metadata([("perturbation_type", "compound")]));
    study.test = synthbio_de::DeTest::Welch;
    let r = run(&study);
    assert!(!r.paired);
    assert_eq!(r.observed_de.unwrap().test, synthbio_de::DeTest::Welch);
}
