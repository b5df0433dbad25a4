//! Offline validation of a query against its model, before anything is sent.
//!
//! [`validate`] checks the rules of docs/protocol.md section 3 that hold for every
//! model; a [`ModelSpec`] adds what is known about one model (its gene count, the
//! metadata values it was trained on). Every problem is reported at once.

use crate::error::{Problem, ValidationErrors};
use crate::model::{Family, LatentBlock, Modality, ModelId};
use crate::query::{Metadata, Query, SamplingStrategy};
use crate::vocab::{self, quote_list};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many bad positions of one counts vector are listed before the rest are summed up.
const MAX_COUNT_PROBLEMS: usize = 10;

/// What is known about one model beyond the protocol's generic rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Genes per counts vector, when known (from the model's `gene_order`).
    pub n_genes: Option<usize>,
    /// Per metadata key, the values the model was trained on; a key listed here
    /// accepts only these values, a key absent here is checked by format only.
    #[serde(default)]
    pub trained_values: BTreeMap<String, Vec<String>>,
    /// Keys the model does not take at all, beyond the protocol's (none for hosted models).
    #[serde(default)]
    pub unsupported_keys: Vec<String>,
    /// Largest `num_samples` summed over inputs, when the server enforces one.
    pub max_total_samples: Option<u64>,
    /// Largest number of inputs, when the server enforces one.
    pub max_inputs: Option<usize>,
}

/// How strictly a query is checked before it is sent.
///
/// Problems are of three kinds: structural (an empty `inputs`, counts that are
/// not whole numbers >= 0 or have the wrong length, `num_samples` or
/// `total_count` of 0), which are errors in every mode; the rules of a known
/// model family (a required field missing, a field the family does not take);
/// and vocabulary (metadata keys and values outside the known lists or the
/// model's trained values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationMode {
    /// Every problem is an error (the default for known GEM-1 models).
    #[default]
    Strict,
    /// Vocabulary problems are warnings; family rules and structure are errors.
    Warn,
    /// Only structural problems are errors; the rest are warnings.
    Off,
}

impl ValidationMode {
    /// The name used by the CLI flag and the environment variable.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationMode::Strict => "strict",
            ValidationMode::Warn => "warn",
            ValidationMode::Off => "off",
        }
    }

    /// Reads `strict`, `warn` or `off` (any case, surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "strict" => Some(ValidationMode::Strict),
            "warn" => Some(ValidationMode::Warn),
            "off" => Some(ValidationMode::Off),
            _ => None,
        }
    }
}

/// Which kind of rule a problem breaks (see [`ValidationMode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Structure,
    Rule,
    Vocabulary,
}

/// Checks a query for a model; `Ok` means the service should accept it.
/// The same as [`validate_with`] in [`ValidationMode::Strict`].
pub fn validate(
    model: &ModelId,
    query: &Query,
    spec: Option<&ModelSpec>,
) -> Result<(), ValidationErrors> {
    validate_with(model, query, spec, ValidationMode::Strict).map(|_| ())
}

/// Checks a query in the given mode: `Ok` holds the problems that are only
/// warnings in this mode (empty when the query is clean), `Err` every error.
pub fn validate_with(
    model: &ModelId,
    query: &Query,
    spec: Option<&ModelSpec>,
    mode: ValidationMode,
) -> Result<Vec<Problem>, ValidationErrors> {
    let mut v = Validator {
        problems: Vec::new(),
        warnings: Vec::new(),
        spec,
        mode,
    };
    v.query(model, query);
    if v.problems.is_empty() {
        Ok(v.warnings)
    } else {
        Err(ValidationErrors::new(v.problems))
    }
}

struct Validator<'a> {
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    spec: Option<&'a ModelSpec>,
    mode: ValidationMode,
}

impl Validator<'_> {
    /// A structural problem: an error in every mode.
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.report(Kind::Structure, path, message);
    }

    /// A family rule: a warning only in [`ValidationMode::Off`].
    fn rule(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.report(Kind::Rule, path, message);
    }

    /// A vocabulary problem: an error only in [`ValidationMode::Strict`].
    fn vocab(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.report(Kind::Vocabulary, path, message);
    }

    fn report(&mut self, kind: Kind, path: impl Into<String>, message: impl Into<String>) {
        let error = matches!(
            (kind, self.mode),
            (Kind::Structure, _) | (_, ValidationMode::Strict) | (Kind::Rule, ValidationMode::Warn)
        );
        let p = Problem {
            path: path.into(),
            message: message.into(),
        };
        if error {
            self.problems.push(p);
        } else {
            self.warnings.push(p);
        }
    }

    fn query(&mut self, model: &ModelId, q: &Query) {
        let family = model.family();
        let modality = model.modality();
        if q.inputs.is_empty() {
            self.push("inputs", "add at least one input");
        }
        if let Some(max) = self.spec.and_then(|s| s.max_inputs) {
            if q.inputs.len() > max {
                self.push(
                    "inputs",
                    format!(
                        "{} inputs is over this server's limit of {max}; split the query",
                        q.inputs.len()
                    ),
                );
            }
        }
        if let Some(0) = q.total_count {
            self.push(
                "total_count",
                "use a library size of at least 1 (default 10000000 bulk, 10000 single-cell)",
            );
        }
        let Some(family) = family else {
            // Unknown model: only the generic shape was checked on reading.
            return;
        };
        match family {
            Family::Baseline | Family::ReferenceConditioning => {
                match q.sampling_strategy {
                    None => self.rule(
                        "sampling_strategy",
                        "is required: use \"sample generation\" (bulk only) or \"mean estimation\"",
                    ),
                    Some(SamplingStrategy::SampleGeneration) if modality == Some(Modality::SingleCell) => self.rule(
                        "sampling_strategy",
                        "single-cell models support only \"mean estimation\"; use it instead of \"sample generation\"",
                    ),
                    Some(_) => {}
                }
                if let Some(max) = self.spec.and_then(|s| s.max_total_samples) {
                    let total = q.total_samples();
                    if total > max {
                        self.push("inputs", format!("{total} samples in all is over this server's limit of {max}; split the query"));
                    }
                }
            }
            Family::MetadataPrediction => {}
        }
        if family != Family::ReferenceConditioning {
            if q.conditioning.is_some() {
                self.rule(
                    "conditioning",
                    "applies to reference conditioning models only; remove it",
                );
            }
            if q.fixed_total_count.is_some() {
                self.rule(
                    "fixed_total_count",
                    "applies to reference conditioning models only; remove it",
                );
            }
        }
        for (i, input) in q.inputs.iter().enumerate() {
            let at = format!("inputs[{i}]");
            match family {
                Family::Baseline => {
                    if input.counts.is_some() {
                        self.rule(format!("{at}.counts"), "baseline models take metadata, not counts; use a reference conditioning model to start from a sample");
                    }
                    match &input.metadata {
                        None => self.rule(
                            format!("{at}.metadata"),
                            "is required: give the sample's metadata (use {} for none)",
                        ),
                        Some(m) => self.metadata(&at, m, None),
                    }
                    self.num_samples(&at, input.num_samples);
                }
                Family::ReferenceConditioning => {
                    self.counts(
                        &at,
                        input.counts.as_deref(),
                        "the reference sample's counts",
                    );
                    match &input.metadata {
                        None => self.rule(
                            format!("{at}.metadata"),
                            "is required: give the perturbation to apply (perturbation keys only)",
                        ),
                        Some(m) => self.metadata(&at, m, Some(LatentBlock::Perturbation)),
                    }
                    self.num_samples(&at, input.num_samples);
                }
                Family::MetadataPrediction => {
                    self.counts(&at, input.counts.as_deref(), "the sample's counts");
                    if input.metadata.is_some() {
                        self.rule(
                            format!("{at}.metadata"),
                            "metadata prediction takes counts only; remove metadata",
                        );
                    }
                    if input.num_samples.is_some_and(|n| n != 1) {
                        self.rule(
                            format!("{at}.num_samples"),
                            "metadata prediction returns one output per input; remove num_samples",
                        );
                    }
                }
            }
        }
    }

    fn num_samples(&mut self, at: &str, n: Option<u64>) {
        match n {
            None => self.rule(
                format!("{at}.num_samples"),
                "is required: how many samples to generate (1 or more)",
            ),
            Some(0) => self.push(format!("{at}.num_samples"), "use 1 or more"),
            Some(_) => {}
        }
    }

    fn metadata(&mut self, at: &str, m: &Metadata, only: Option<LatentBlock>) {
        for (key, value) in m {
            let path = format!("{at}.metadata.{key}");
            let Some(spec) = vocab::key_spec(key) else {
                let valid: Vec<&str> = match only {
                    Some(b) => vocab::keys_of(b).collect(),
                    None => vocab::KEYS.iter().map(|k| k.key).collect(),
                };
                self.vocab(
                    path,
                    format!("unknown metadata key; use one of: {}", quote_list(&valid)),
                );
                continue;
            };
            if let Some(block) = only {
                if spec.block != block {
                    let valid: Vec<&str> = vocab::keys_of(block).collect();
                    self.rule(path, format!(
                        "reference conditioning takes perturbation keys only ({}); the reference's {} state comes from its counts, so remove this key",
                        quote_list(&valid), spec.block.as_str()));
                    continue;
                }
            }
            if self
                .spec
                .is_some_and(|s| s.unsupported_keys.iter().any(|k| k == key))
            {
                self.vocab(path, "this model was not trained with this key; remove it (GET /api/models lists what each model knows)");
                continue;
            }
            if let Err(fix) = vocab::check_value(&spec.rule, value) {
                self.vocab(path, format!("\"{value}\" is not valid: {fix}"));
                continue;
            }
            if let Some(trained) = self.spec.and_then(|s| s.trained_values.get(key)) {
                if !trained.iter().any(|t| t == value) {
                    self.vocab(
                        path,
                        format!(
                            "\"{value}\" is not a value this model was trained on; use one of: {}",
                            quote_list(trained)
                        ),
                    );
                }
            }
        }
    }

    fn counts(&mut self, at: &str, counts: Option<&[f64]>, what: &str) {
        let path = format!("{at}.counts");
        let Some(counts) = counts else {
            self.rule(
                path,
                format!("is required: {what}, one value per gene in the model's gene order"),
            );
            return;
        };
        if let Some(n) = self.spec.and_then(|s| s.n_genes) {
            if counts.len() != n {
                self.push(&path, format!(
                    "has {} values but this model has {n} genes; give one count per gene in the model's gene_order",
                    counts.len()));
            }
        }
        let mut bad = 0usize;
        let mut total = 0.0f64;
        for (j, &c) in counts.iter().enumerate() {
            let problem = if !c.is_finite() {
                Some("is not a finite number; use a whole count >= 0")
            } else if c < 0.0 {
                Some("is negative; counts are whole numbers >= 0")
            } else if c.fract() != 0.0 {
                Some("is fractional; counts are whole numbers (round estimated counts first)")
            } else if c > f64::from(u32::MAX) {
                Some("is larger than any read count (4294967295); check the units")
            } else {
                total += c;
                None
            };
            if let Some(problem) = problem {
                bad += 1;
                if bad <= MAX_COUNT_PROBLEMS {
                    self.push(format!("{path}[{j}]"), format!("{c} {problem}"));
                }
            }
        }
        if bad > MAX_COUNT_PROBLEMS {
            self.push(
                &path,
                format!(
                    "{} more invalid values not listed; fix the ones above the same way",
                    bad - MAX_COUNT_PROBLEMS
                ),
            );
        }
        if bad == 0 && total == 0.0 && !counts.is_empty() {
            self.push(
                &path,
                "every count is zero; give a sample with reads (its library size must be above 0)",
            );
        }
        if counts.is_empty() {
            self.push(
                &path,
                "is empty; give one count per gene in the model's gene order",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{metadata, Input};

    fn paths(r: Result<(), ValidationErrors>) -> Vec<String> {
        r.unwrap_err().errors.into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn a_valid_baseline_query_passes() {
        let q = Query::baseline(SamplingStrategy::SampleGeneration).with_input(
            metadata([
                ("sex", "female"),
                ("sample_type", "primary tissue"),
                ("tissue_ontology_id", "UBERON:0002371"),
            ]),
            5,
        );
        validate(&"gem-1-bulk".into(), &q, None).unwrap();
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let q = Query {
            sampling_strategy: Some(SamplingStrategy::SampleGeneration),
            inputs: vec![
                Input {
                    metadata: Some(metadata([("sex", "F"), ("colour", "blue")])),
                    num_samples: Some(0),
                    ..Input::default()
                },
                Input {
                    counts: Some(vec![1.0]),
                    ..Input::default()
                },
            ],
            conditioning: Some(vec![]),
            ..Query::default()
        };
        let p = paths(validate(&"gem-1-sc".into(), &q, None));
        assert_eq!(
            p,
            [
                "sampling_strategy",
                "conditioning",
                "inputs[0].metadata.colour",
                "inputs[0].metadata.sex",
                "inputs[0].num_samples",
                "inputs[1].counts",
                "inputs[1].metadata",
                "inputs[1].num_samples",
            ]
        );
    }

    #[test]
    fn reference_conditioning_takes_perturbation_keys_and_whole_counts() {
        let spec = ModelSpec {
            n_genes: Some(4),
            ..ModelSpec::default()
        };
        let q = Query::reference_conditioning(SamplingStrategy::MeanEstimation).with_reference(
            [1.0, -2.0, 0.5, f64::INFINITY, 3.0],
            metadata([
                ("sex", "male"),
                ("perturbation_type", "compound"),
                ("perturbation_dose", "10um"),
            ]),
            1,
        );
        let e = validate(&"gem-1-bulk_reference-conditioning".into(), &q, Some(&spec)).unwrap_err();
        let p: Vec<_> = e.errors.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            p,
            [
                "inputs[0].counts",
                "inputs[0].counts[1]",
                "inputs[0].counts[2]",
                "inputs[0].counts[3]",
                "inputs[0].metadata.perturbation_dose",
                "inputs[0].metadata.sex",
            ]
        );
        assert!(e.errors[0]
            .message
            .contains("5 values but this model has 4 genes"));
        assert!(e.errors[5].message.contains("perturbation keys only"));
    }

    #[test]
    fn trained_values_are_listed_when_a_value_is_unknown() {
        let spec = ModelSpec {
            trained_values: BTreeMap::from([(
                "tissue_ontology_id".into(),
                vec!["UBERON:0002107".into()],
            )]),
            ..ModelSpec::default()
        };
        let q = Query::baseline(SamplingStrategy::MeanEstimation)
            .with_input(metadata([("tissue_ontology_id", "UBERON:0000945")]), 1);
        let e = validate(&"gem-1-bulk".into(), &q, Some(&spec)).unwrap_err();
        assert!(e.errors[0].message.contains("\"UBERON:0002107\""), "{e}");
    }

    #[test]
    fn metadata_prediction_needs_counts_with_reads() {
        let q = Query::metadata_prediction([vec![0.0, 0.0]]);
        let e = validate(&"gem-1-bulk_predict-metadata".into(), &q, None).unwrap_err();
        assert!(e.errors[0].message.contains("every count is zero"));
        let q = Query::metadata_prediction([vec![0.0, 5.0]]);
        validate(&"gem-1-bulk_predict-metadata".into(), &q, None).unwrap();
    }

    #[test]
    fn unknown_models_pass_through_generic_checks_only() {
        let q = Query {
            inputs: vec![Input::default()],
            ..Query::default()
        };
        validate(&"gem-2-bulk-x".into(), &q, None).unwrap();
    }

    #[test]
    fn modes_turn_vocabulary_and_rules_into_warnings_but_never_structure() {
        let model: ModelId = "gem-1-bulk".into();
        let spec = ModelSpec {
            trained_values: BTreeMap::from([("library_selection".into(), vec!["polyA".into()])]),
            ..ModelSpec::default()
        };
        // A library selection the client does not know, and a zero num_samples.
        let q = Query::baseline(SamplingStrategy::MeanEstimation)
            .with_input(metadata([("library_selection", "cDNA-new")]), 1);
        let strict = validate_with(&model, &q, Some(&spec), ValidationMode::Strict).unwrap_err();
        assert_eq!(
            strict.errors[0].path,
            "inputs[0].metadata.library_selection"
        );
        for mode in [ValidationMode::Warn, ValidationMode::Off] {
            let w = validate_with(&model, &q, Some(&spec), mode).unwrap();
            assert_eq!(w.len(), 1, "{mode:?}");
            assert!(w[0].message.contains("cDNA-new"), "{mode:?}");
        }
        // A family rule: an error in warn mode, a warning when off.
        let mut no_strategy = q.clone();
        no_strategy.sampling_strategy = None;
        assert!(validate_with(&model, &no_strategy, Some(&spec), ValidationMode::Warn).is_err());
        let w = validate_with(&model, &no_strategy, Some(&spec), ValidationMode::Off).unwrap();
        assert!(w.iter().any(|p| p.path == "sampling_strategy"));
        // Structure stays an error in every mode.
        let q = Query::metadata_prediction([vec![1.5, 2.0, 3.0]]);
        let spec = ModelSpec {
            n_genes: Some(2),
            ..ModelSpec::default()
        };
        for mode in [
            ValidationMode::Strict,
            ValidationMode::Warn,
            ValidationMode::Off,
        ] {
            let e = validate_with(&"gem-1-bulk_predict-metadata".into(), &q, Some(&spec), mode)
                .unwrap_err();
            let p: Vec<_> = e.errors.iter().map(|p| p.path.as_str()).collect();
            assert_eq!(p, ["inputs[0].counts", "inputs[0].counts[0]"], "{mode:?}");
        }
        assert_eq!(ValidationMode::parse(" WARN "), Some(ValidationMode::Warn));
        assert_eq!(ValidationMode::parse("lenient"), None);
    }
}
