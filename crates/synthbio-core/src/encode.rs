//! Queries built from a [`Dataset`], so studies and the command line never
//! copy counts out by hand: a dataset's samples become metadata-prediction
//! inputs or references for reference conditioning, in its gene order.

use crate::dataset::{Dataset, DatasetError};
use crate::query::{Metadata, Query};

impl Query {
    /// A metadata-prediction query with one input per sample of `data`
    /// (counts in `data`'s gene order, which must be the model's).
    /// The dataset's measured-gene mask travels in [`Query::measured`] (never sent
    /// over the wire, where unmeasured genes are 0).
    pub fn metadata_prediction_of(data: &Dataset) -> Self {
        let mut query = Query::metadata_prediction((0..data.n_samples()).map(|i| {
            data.sample_counts(i)
                .iter()
                .map(|&c| f64::from(c))
                .collect::<Vec<_>>()
        }));
        query.measured = data.measured().cloned();
        query
    }

    /// Adds an input that conditions on sample `sample_id` of `data` with
    /// `metadata` (the perturbation, or a control), asking `num_samples`.
    pub fn with_reference_sample(
        self,
        data: &Dataset,
        sample_id: &str,
        metadata: Metadata,
        num_samples: u64,
    ) -> Result<Self, DatasetError> {
        let row = data.sample_position(sample_id)?;
        let counts = data.sample_counts(row);
        Ok(self.with_reference(counts.iter().map(|&c| f64::from(c)), metadata, num_samples))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{metadata, SamplingStrategy};
    use ndarray::array;

    fn data() -> Dataset {
        Dataset::new(
            array![[1u32, 2, 3], [4, 5, 6]],
            vec!["g1".into(), "g2".into(), "g3".into()],
            vec!["s1".into(), "s2".into()],
        )
        .unwrap()
    }

    #[test]
    fn metadata_prediction_has_one_input_per_sample_in_gene_order() {
        let q = Query::metadata_prediction_of(&data());
        let counts: Vec<_> = q.inputs.iter().map(|i| i.counts.clone().unwrap()).collect();
        assert_eq!(counts, [vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]);
    }

    #[test]
    fn a_reference_sample_is_found_by_id_or_named_in_the_error() {
        let q = Query::reference_conditioning(SamplingStrategy::MeanEstimation)
            .with_reference_sample(
                &data(),
                "s2",
                metadata([("perturbation_type", "control")]),
                3,
            )
            .unwrap();
        assert_eq!(q.inputs[0].counts.as_deref(), Some(&[4.0, 5.0, 6.0][..]));
        assert_eq!(q.inputs[0].num_samples, Some(3));
        let err = Query::reference_conditioning(SamplingStrategy::MeanEstimation)
            .with_reference_sample(
                &data(),
                "s9",
                metadata([("perturbation_type", "control")]),
                1,
            )
            .unwrap_err();
        assert!(err.to_string().contains("s9"), "{err}");
    }
}
