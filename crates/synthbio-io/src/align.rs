//! Putting a dataset's genes in a model's gene order.
//!
//! Genes of the model that the table lacks are *unmeasured*, never zero: by default
//! they become masked columns ([`Dataset::measured`]) that the local engine and the
//! marker check leave out. [`AlignOptions::strict_genes`] refuses them instead.

use crate::error::IoError;
use std::collections::HashSet;
use synthbio_core::Dataset;

/// Options for [`align_genes`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlignOptions {
    /// In strict mode, drop genes the model does not use instead of refusing them
    /// (outside strict mode they are always dropped and reported).
    pub drop_extra_genes: bool,
    /// Refuse a table that lacks some of the model's genes, or (unless
    /// `drop_extra_genes`) has genes the model does not use. Default: accept both,
    /// the absent genes as unmeasured.
    pub strict_genes: bool,
}

impl AlignOptions {
    /// Allows dropping genes the model does not use in strict mode.
    pub fn dropping_extra_genes(mut self) -> Self {
        self.drop_extra_genes = true;
        self
    }

    /// Refuses absent genes (and extra genes unless dropping them is allowed).
    pub fn strict(mut self) -> Self {
        self.strict_genes = true;
        self
    }
}

/// What [`align_genes`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlignReport {
    /// Genes kept, now in the model's order.
    pub n_genes: usize,
    /// Genes of the dataset that the model does not use, dropped (in dataset order).
    pub dropped: Vec<String>,
    /// Genes of the model the dataset lacks, now unmeasured columns (in model order).
    pub unmeasured: Vec<String>,
}

impl std::fmt::Display for AlignReport {
    /// One line for stderr: how many genes were absent and how they are treated.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of the model's {} genes are in the table",
            self.n_genes - self.unmeasured.len(),
            self.n_genes
        )?;
        if !self.unmeasured.is_empty() {
            write!(
                f,
                "; the {} absent genes are treated as unmeasured, not as zero (the local engine \
                 encodes from the measured genes, the marker check ignores unmeasured markers; \
                 a remote server receives them as 0)",
                self.unmeasured.len()
            )?;
        }
        if !self.dropped.is_empty() {
            write!(
                f,
                "; dropped {} gene(s) the model does not use",
                self.dropped.len()
            )?;
        }
        Ok(())
    }
}

/// Reorders a dataset's genes to `gene_order` (a model's genes). Genes of the order
/// that the dataset lacks become unmeasured columns, and genes the model does not use
/// are dropped, both reported; with [`AlignOptions::strict_genes`] either is an error.
pub fn align_genes(
    dataset: &Dataset,
    gene_order: &[String],
    options: &AlignOptions,
) -> Result<(Dataset, AlignReport), IoError> {
    let have: HashSet<&str> = dataset.gene_ids().iter().map(String::as_str).collect();
    let missing: Vec<String> = gene_order
        .iter()
        .filter(|g| !have.contains(g.as_str()))
        .cloned()
        .collect();
    if options.strict_genes && !missing.is_empty() {
        let versioned = dataset
            .gene_ids()
            .iter()
            .find(|g| crate::detect::is_ensembl_gene_id(g) && g.contains('.'))
            .cloned();
        return Err(IoError::MissingGenes {
            missing,
            n_model: gene_order.len(),
            versioned,
        });
    }
    let wanted: HashSet<&str> = gene_order.iter().map(String::as_str).collect();
    let extra: Vec<String> = dataset
        .gene_ids()
        .iter()
        .filter(|g| !wanted.contains(g.as_str()))
        .cloned()
        .collect();
    if !extra.is_empty() && options.strict_genes && !options.drop_extra_genes {
        return Err(IoError::ExtraGenes { extra });
    }
    let (aligned, unmeasured) =
        dataset
            .with_gene_order(gene_order)
            .map_err(|source| IoError::Dataset {
                context: "the model's gene order".into(),
                source,
            })?;
    if unmeasured.len() == gene_order.len() && !gene_order.is_empty() {
        return Err(IoError::NoModelGenes {
            n_model: gene_order.len(),
            examples: dataset.gene_ids().iter().take(3).cloned().collect(),
            model_examples: gene_order.iter().take(2).cloned().collect(),
        });
    }
    Ok((
        aligned,
        AlignReport {
            n_genes: gene_order.len(),
            dropped: extra,
            unmeasured,
        },
    ))
}
