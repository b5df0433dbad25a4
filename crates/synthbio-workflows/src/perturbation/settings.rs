//! What a perturbation study is: the perturbation, the model, the held-out pairs.

use crate::WorkflowError;
use synthbio_core::{Metadata, ModelId};
use synthbio_de::DeTest;

/// One held-out donor: its real unperturbed sample (the reference given to the
/// model) and its real perturbed sample (the observed effect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldOutPair {
    /// The donor (or other unit held out together).
    pub unit: String,
    /// Sample id of the unperturbed reference.
    pub reference: String,
    /// Sample id of the observed perturbed sample.
    pub observed: String,
}

/// Settings of a perturbation benchmark study; [`PerturbationStudy::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct PerturbationStudy {
    /// The reference conditioning model (default `gem-1-bulk_reference-conditioning`).
    pub model: ModelId,
    /// The perturbation to apply (perturbation keys only, as the model requires).
    pub perturbation: Metadata,
    /// Metadata of the generated controls (default `perturbation_type = control`).
    pub control: Metadata,
    /// Generated replicates per reference and condition for the DE test
    /// (default 3, drawn with `sample generation`).
    pub replicates: u64,
    /// The top observed genes (by |log2 fold change|) scored apart (default 100).
    pub top_n: usize,
    /// Benjamini-Hochberg threshold of significant genes (default 0.05).
    pub alpha: f64,
    /// The per-gene test (default the limma-style moderated t).
    pub test: DeTest,
    /// Seed of every query (default 42), so the study is reproducible bit for bit.
    pub seed: u64,
    /// Metadata column naming each sample's donor (default `donor`): the paired DE
    /// design blocks on the held-out units, and the `mean_training_effect` baseline
    /// averages every perturbation of the data over the units of this column.
    pub unit_column: String,
}

impl PerturbationStudy {
    /// A study of `perturbation` with the defaults above.
    pub fn new(perturbation: Metadata) -> Self {
        PerturbationStudy {
            model: ModelId::from("gem-1-bulk_reference-conditioning"),
            perturbation,
            control: synthbio_core::metadata([("perturbation_type", "control")]),
            replicates: 3,
            top_n: 100,
            alpha: 0.05,
            test: DeTest::Moderated,
            seed: 42,
            unit_column: "donor".into(),
        }
    }

    /// Refuses a design the study cannot run, saying what to change.
    pub(crate) fn check(&self, pairs: &[HeldOutPair]) -> Result<(), WorkflowError> {
        let design = |m: String| Err(WorkflowError::Design(m));
        if pairs.is_empty() {
            return design("the study has no held-out pairs; give at least one (reference, observed) pair of samples".into());
        }
        if self.replicates < 2 {
            return design(format!(
                "replicates is {}; the DE test needs at least 2 generated replicates per condition",
                self.replicates
            ));
        }
        let mut units: Vec<&str> = pairs.iter().map(|p| p.unit.as_str()).collect();
        units.sort_unstable();
        if let Some(w) = units.windows(2).find(|w| w[0] == w[1]) {
            return design(format!(
                "donor {:?} is held out twice; give one pair per donor",
                w[0]
            ));
        }
        Ok(())
    }
}
