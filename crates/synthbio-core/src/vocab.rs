//! The metadata vocabulary of docs/protocol.md section 3: keys, their latent block,
//! and the shape each value must have.

use crate::model::LatentBlock;
use regex::Regex;
use std::sync::LazyLock;

/// What a metadata value must look like.
#[derive(Debug, Clone, Copy)]
pub enum ValueRule {
    /// One of a fixed list of values.
    OneOf(&'static [&'static str]),
    /// One of a fixed list, compared without regard to case (ENA library selection).
    OneOfIgnoringCase(&'static [&'static str]),
    /// Matches an id format; the text says which (e.g. "a Cell Ontology id such as CL:0000786").
    Format(&'static IdFormat),
    /// A whole number of years written as a string ("65").
    IntegerString,
    /// A number and a unit ("10 um", "24 hours").
    NumberUnit,
    /// Any non-empty text.
    Text,
}

/// An id format: a pattern and how to describe it to a person.
#[derive(Debug)]
pub struct IdFormat {
    /// Anchored regular expression the value must match.
    pub pattern: &'static str,
    /// What to write instead, for the error message.
    pub description: &'static str,
}

/// One metadata key the protocol knows.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    /// The wire key.
    pub key: &'static str,
    /// The latent block the key describes.
    pub block: LatentBlock,
    /// What its value must look like.
    pub rule: ValueRule,
}

const SAMPLE_TYPES: &[&str] = &[
    "cell line",
    "organoid",
    "other",
    "primary cells",
    "primary tissue",
    "xenograft",
];
const SEXES: &[&str] = &["male", "female"];
const PERTURBATION_TYPES: &[&str] = &[
    "coculture",
    "compound",
    "control",
    "crispr",
    "genetic",
    "infection",
    "other",
    "overexpression",
    "peptide or biologic",
    "shrna",
    "sirna",
];
/// ENA's library selection vocabulary (ENA checklist `library_selection`).
const LIBRARY_SELECTIONS: &[&str] = &[
    "RANDOM",
    "PCR",
    "RANDOM PCR",
    "RT-PCR",
    "HMPR",
    "MF",
    "repeat fractionation",
    "size fractionation",
    "MSLL",
    "cDNA",
    "cDNA_randomPriming",
    "cDNA_oligo_dT",
    "ChIP",
    "ChIP-Seq",
    "MNase",
    "DNase",
    "Hybrid Selection",
    "Reduced Representation",
    "Restriction Digest",
    "5-methylcytidine antibody",
    "MBD2 protein methyl-CpG binding domain",
    "CAGE",
    "RACE",
    "MDA",
    "padlock probes capture method",
    "PolyA",
    "Oligo-dT",
    "Inverse rRNA",
    "Inverse rRNA selection",
    "other",
    "unspecified",
];
const LIBRARY_LAYOUTS: &[&str] = &["PAIRED", "SINGLE"];
const PLATFORMS: &[&str] = &["illumina"];

static CELLOSAURUS: IdFormat = IdFormat {
    pattern: r"^CVCL_[A-Z0-9]{4}$",
    description: "a Cellosaurus id such as CVCL_0023",
};
static CELL_ONTOLOGY: IdFormat = IdFormat {
    pattern: r"^CL:[0-9]{7}$",
    description: "a Cell Ontology id such as CL:0000786",
};
static MONDO: IdFormat = IdFormat {
    pattern: r"^MONDO:[0-9]{7}$",
    description: "a MONDO disease id such as MONDO:0011719",
};
static UBERON: IdFormat = IdFormat {
    pattern: r"^UBERON:[0-9]{7}$",
    description: "an UBERON anatomy id such as UBERON:0000945",
};
static PERTURBATION_ID: IdFormat = IdFormat {
    pattern: r"^(ENSG[0-9]{11}|CHEBI:[0-9]+|CHEMBL[0-9]+|[0-9]+)$",
    description: "an Ensembl gene id (ENSG00000156127), a ChEBI id (CHEBI:16681), \
                  a ChEMBL id (CHEMBL25) or an NCBI Taxonomy id (9606)",
};
static BIOPROJECT: IdFormat = IdFormat {
    pattern: r"^PRJ(NA|EB|DB)[0-9]+$",
    description: "a BioProject accession such as PRJNA229998",
};

/// Every metadata key the protocol defines, in wire order within each block.
pub static KEYS: &[KeySpec] = &[
    KeySpec {
        key: "age_years",
        block: LatentBlock::Biological,
        rule: ValueRule::IntegerString,
    },
    KeySpec {
        key: "cell_line_ontology_id",
        block: LatentBlock::Biological,
        rule: ValueRule::Format(&CELLOSAURUS),
    },
    KeySpec {
        key: "cell_type_ontology_id",
        block: LatentBlock::Biological,
        rule: ValueRule::Format(&CELL_ONTOLOGY),
    },
    KeySpec {
        key: "developmental_stage",
        block: LatentBlock::Biological,
        rule: ValueRule::Text,
    },
    KeySpec {
        key: "disease_ontology_id",
        block: LatentBlock::Biological,
        rule: ValueRule::Format(&MONDO),
    },
    KeySpec {
        key: "ethnicity",
        block: LatentBlock::Biological,
        rule: ValueRule::Text,
    },
    KeySpec {
        key: "genotype",
        block: LatentBlock::Biological,
        rule: ValueRule::Text,
    },
    KeySpec {
        key: "race",
        block: LatentBlock::Biological,
        rule: ValueRule::Text,
    },
    KeySpec {
        key: "sample_type",
        block: LatentBlock::Biological,
        rule: ValueRule::OneOf(SAMPLE_TYPES),
    },
    KeySpec {
        key: "sex",
        block: LatentBlock::Biological,
        rule: ValueRule::OneOf(SEXES),
    },
    KeySpec {
        key: "tissue_ontology_id",
        block: LatentBlock::Biological,
        rule: ValueRule::Format(&UBERON),
    },
    KeySpec {
        key: "perturbation_dose",
        block: LatentBlock::Perturbation,
        rule: ValueRule::NumberUnit,
    },
    KeySpec {
        key: "perturbation_ontology_id",
        block: LatentBlock::Perturbation,
        rule: ValueRule::Format(&PERTURBATION_ID),
    },
    KeySpec {
        key: "perturbation_time",
        block: LatentBlock::Perturbation,
        rule: ValueRule::NumberUnit,
    },
    KeySpec {
        key: "perturbation_type",
        block: LatentBlock::Perturbation,
        rule: ValueRule::OneOf(PERTURBATION_TYPES),
    },
    KeySpec {
        key: "study",
        block: LatentBlock::Technical,
        rule: ValueRule::Format(&BIOPROJECT),
    },
    KeySpec {
        key: "library_selection",
        block: LatentBlock::Technical,
        rule: ValueRule::OneOfIgnoringCase(LIBRARY_SELECTIONS),
    },
    KeySpec {
        key: "library_layout",
        block: LatentBlock::Technical,
        rule: ValueRule::OneOf(LIBRARY_LAYOUTS),
    },
    KeySpec {
        key: "platform",
        block: LatentBlock::Technical,
        rule: ValueRule::OneOf(PLATFORMS),
    },
];

/// The spec of a metadata key, if the protocol defines it.
pub fn key_spec(key: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|k| k.key == key)
}

/// The keys of one latent block.
pub fn keys_of(block: LatentBlock) -> impl Iterator<Item = &'static str> {
    KEYS.iter().filter(move |k| k.block == block).map(|k| k.key)
}

static NUMBER_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)? +\S.*$").expect("valid pattern")
});

/// Checks a value against a rule; on failure, says what to write instead.
pub fn check_value(rule: &ValueRule, value: &str) -> Result<(), String> {
    match rule {
        ValueRule::OneOf(values) => {
            if values.contains(&value) {
                Ok(())
            } else {
                Err(format!("use one of: {}", quote_list(values)))
            }
        }
        ValueRule::OneOfIgnoringCase(values) => {
            if values.iter().any(|v| v.eq_ignore_ascii_case(value)) {
                Ok(())
            } else {
                Err(format!("use one of ENA's values: {}", quote_list(values)))
            }
        }
        ValueRule::Format(format) => {
            // Patterns are constants checked by a test, so compiling cannot fail.
            let re = Regex::new(format.pattern).expect("valid pattern");
            if re.is_match(value) {
                Ok(())
            } else {
                Err(format!("use {}", format.description))
            }
        }
        ValueRule::IntegerString => match value.parse::<u32>() {
            Ok(age) if age <= 150 && !value.starts_with('+') => Ok(()),
            _ => Err("use a whole number of years written as a string, such as \"65\"".into()),
        },
        ValueRule::NumberUnit => {
            if NUMBER_UNIT.is_match(value) {
                Ok(())
            } else {
                Err("use a number, a space and a unit, such as \"10 um\" or \"24 hours\"".into())
            }
        }
        ValueRule::Text => {
            if value.trim().is_empty() {
                Err("use a non-empty value, or leave the key out".into())
            } else {
                Ok(())
            }
        }
    }
}

/// `"a", "b", "c"` for messages.
pub fn quote_list<S: AsRef<str>>(values: &[S]) -> String {
    values
        .iter()
        .map(|v| format!("\"{}\"", v.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for k in KEYS {
            if let ValueRule::Format(f) = k.rule {
                Regex::new(f.pattern).unwrap();
            }
        }
    }

    #[test]
    fn formats() {
        let ok = |k: &str, v: &str| check_value(&key_spec(k).unwrap().rule, v).is_ok();
        assert!(ok("cell_line_ontology_id", "CVCL_0023"));
        assert!(!ok("cell_line_ontology_id", "CVCL_23"));
        assert!(ok("cell_type_ontology_id", "CL:0000786"));
        assert!(!ok("cell_type_ontology_id", "CL_0000786"));
        assert!(ok("disease_ontology_id", "MONDO:0011719"));
        assert!(ok("tissue_ontology_id", "UBERON:0000945"));
        assert!(!ok("tissue_ontology_id", "lung"));
        for v in ["ENSG00000156127", "CHEBI:16681", "CHEMBL25", "9606"] {
            assert!(ok("perturbation_ontology_id", v), "{v}");
        }
        assert!(!ok("perturbation_ontology_id", "ENSG0001"));
        assert!(ok("perturbation_dose", "10 um"));
        assert!(ok("perturbation_dose", "1 mg/kg"));
        assert!(ok("perturbation_time", "24 hours"));
        assert!(ok("perturbation_dose", "0.5 uM"));
        assert!(!ok("perturbation_dose", "10um"));
        assert!(!ok("perturbation_time", "a day"));
        assert!(ok("age_years", "65"));
        assert!(!ok("age_years", "65.5"));
        assert!(!ok("age_years", "-1"));
        assert!(ok("library_selection", "polyA"));
        assert!(ok("library_selection", "cDNA"));
        assert!(!ok("library_selection", "magic"));
        assert!(ok("study", "PRJNA229998"));
        assert!(!ok("sex", "Female"));
    }
}
