//! Metadata prediction on held-out units, against the training fold's
//! majority class (accuracy) and class frequencies (log loss).

use super::figures::{Figures, Slot};
use super::report::{Caveat, Task};
use super::Fold;
use crate::predict::class_log_probs;
use std::collections::BTreeMap;

/// Keys whose labels in a modality's data were derived from the same cells'
/// expression (`data/scripts/celltypes.py` assigns Kang cell types by marker
/// genes): a classifier scored on them is scored against a rule, not a truth.
const DERIVED: &[(synthbio_core::Modality, &str)] =
    &[(synthbio_core::Modality::SingleCell, "cell_type_ontology_id")];

/// Log loss cap, `-ln(1e-12)`, for the model and the baseline alike.
const MAX_LOSS: f64 = 27.631_021_115_928_547;

impl Fold<'_> {
    /// Scores every classifier of the fold's model on the test samples; keys
    /// are also scored per dataset when the data hold several.
    pub(super) fn classify(&self, figures: &mut Figures) {
        let z = self.encode_test();
        let data = self.data;
        let schema = &self.model.params.schema;
        let modality = self.model.params.modality;
        for c in &self.model.params.classifiers {
            let key = &schema.keys[c.key as usize].key;
            if data.n_values(key) < 2 {
                continue;
            }
            let classes: Vec<&str> = c
                .classes
                .iter()
                .map(|&l| schema.keys[c.key as usize].levels[l as usize].as_str())
                .collect();
            let class_of = |i: usize| {
                let v = data.value(i, key)?;
                classes.iter().position(|c| *c == v)
            };
            // training frequencies of the classes
            let mut freq = vec![0.0; classes.len()];
            for &i in self.train {
                if let Some(k) = class_of(i) {
                    freq[k] += 1.0;
                }
            }
            let total: f64 = freq.iter().sum();
            let majority = (0..freq.len()).fold(0, |b, k| if freq[k] > freq[b] { k } else { b });
            let caveat = if DERIVED.contains(&(modality, key.as_str())) {
                Some(Caveat::DerivedLabels)
            } else if data.is_dataset_identity(key) {
                Some(Caveat::DatasetIdentity)
            } else {
                None
            };
            let per_dataset = data.several_datasets() && caveat.is_none();
            // each unit counts once
            let mut per_unit: BTreeMap<usize, f64> = BTreeMap::new();
            for &i in self.test {
                if class_of(i).is_some() {
                    *per_unit.entry(data.unit[i]).or_insert(0.0) += 1.0;
                }
            }
            for (t, &i) in self.test.iter().enumerate() {
                let Some(truth) = class_of(i) else { continue };
                let (y, measured) = (data.log(i), data.measured(i));
                let level = |j: usize| measured[j].then_some(y[j]);
                let lp = class_log_probs(self.model, c, z.row(t), &level);
                let predicted = (0..lp.len()).fold(0, |b, k| if lp[k] > lp[b] { k } else { b });
                let unit = data.unit[i];
                let w = 1.0 / per_unit[&unit];
                let unit_name = format!("unit {unit}");
                let acc = f64::from(u8::from(predicted == truth));
                let base = f64::from(u8::from(majority == truth));
                let loss = (-lp[truth]).min(MAX_LOSS);
                let base_loss = (-(freq[truth] / total).ln()).min(MAX_LOSS);
                let mut targets = vec![key.clone()];
                if per_dataset {
                    targets.push(format!("{key} ({})", data.dataset(i)));
                }
                for target in &targets {
                    let slot = |metric| Slot {
                        task: Task::MetadataPrediction,
                        target,
                        metric,
                        caveat,
                    };
                    figures.add(&slot("accuracy"), &unit_name, w, acc, &[("majority", base)]);
                    figures.add(
                        &slot("log loss"),
                        &unit_name,
                        w,
                        loss,
                        &[("class frequencies", base_loss)],
                    );
                }
            }
        }
    }
}
