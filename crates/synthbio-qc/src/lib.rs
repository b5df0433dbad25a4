//! Sample QC: which samples' claimed metadata look wrong.
//!
//! Two independent checks:
//!
//! - [`check_labels`] (model-based): claimed labels that the metadata-prediction
//!   classifier finds unlikely, ranked by `ln(p_predicted / p_claimed)`; see
//!   [`labels`] for the rule and thresholds ([`LabelCheckParams`]).
//! - [`check_sex`] (model-free): sex from XIST and Y-chromosome marker genes
//!   ([`markers`]), called male, female or uncertain by a documented rule
//!   ([`sex`], [`SexCheckParams`]), compared with the claimed and the predicted sex.
//!
//! [`Qc`] runs both as the `qc` [`synthbio_core::Analysis`] ([`QcParams`],
//! [`QcOutput`]). Attach metadata prediction results to the samples with
//! [`synthbio_core::Dataset::with_predictions`] first.
//!
//! ```
//! use ndarray::array;
//! use synthbio_core::{ClassProbabilities, Dataset, MetadataTable};
//! use synthbio_qc::{check_labels, check_sex, LabelCheckParams, SexCall, SexCheckParams};
//!
//! // Two samples, claimed female and male; RPS4Y1 (a Y gene) plus everything else.
//! let counts = array![[0u32, 1_000_000], [63, 999_937]];
//! let genes = vec!["ENSG00000129824".to_string(), "other".to_string()];
//! let mut meta = MetadataTable::new(2);
//! meta.set_column("sex", vec![Some("female".into()), Some("female".into())]).unwrap();
//! let probs = ClassProbabilities {
//!     classes: vec!["female".into(), "male".into()],
//!     probs: array![[0.9, 0.1], [0.02, 0.98]],
//! };
//! let data = Dataset::new(counts, genes, vec!["a".into(), "b".into()]).unwrap()
//!     .with_metadata(meta).unwrap()
//!     .with_classifier_probs("sex", probs).unwrap();
//!
//! // The model: sample b's claimed "female" has p = 0.02 against 0.98 for "male".
//! let labels = check_labels(&data, &LabelCheckParams::default()).unwrap();
//! let suspects = labels.suspects();
//! assert_eq!(suspects.len(), 1);
//! assert_eq!(suspects[0].sample_id, "b");
//! assert!((suspects[0].score.unwrap() - (0.98f64 / 0.02).ln()).abs() < 1e-12);
//!
//! // The markers: 63 CPM of RPS4Y1 is log2(64) = 6, so b is called male.
//! let sex = check_sex(&data, &SexCheckParams::default()).unwrap();
//! assert!((sex.samples[1].evidence.y_log2cpm.unwrap() - 6.0).abs() < 1e-12);
//! assert_eq!(sex.samples[1].evidence.call, SexCall::Male);
//! assert!(sex.samples[1].flagged() && !sex.samples[0].flagged());
//! ```

mod analysis;
mod error;
pub mod labels;
pub mod markers;
mod report;
pub mod sex;

pub use analysis::{Outcome, Qc, QcOutput, QcParams};
pub use error::{QcError, Result};
pub use labels::{
    check_field, check_labels, FieldSummary, LabelCheck, LabelCheckParams, LabelReport, LabelStatus,
};
pub use markers::{Marker, XIST, Y_MARKERS};
pub use sex::{
    check_sex, decide, sex_evidence, sex_evidence_measured, Agreement, MarkersFound, Sex, SexCall,
    SexCheckParams, SexCheckReport, SexCheckSample, SexEvidence,
};
