//! Putting a dataset's genes in a model's gene order.

use crate::error::IoError;
use std::collections::HashSet;
use synthbio_core::Dataset;

/// Options for [`align_genes`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlignOptions {
    /// Drop genes the model does not use (default: refuse, naming them).
    pub drop_extra_genes: bool,
}

impl AlignOptions {
    /// Allows dropping genes the model does not use.
    pub fn dropping_extra_genes(mut self) -> Self {
        self.drop_extra_genes = true;
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
}

/// Reorders a dataset's genes to `gene_order` (a model's genes). Every gene of the order
/// must be in the dataset; genes the model does not use are an error unless
/// [`AlignOptions::drop_extra_genes`] is set, and then reported.
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
    if !missing.is_empty() {
        let versioned = dataset
            .gene_ids()
            .iter()
            .take(100)
            .any(|g| crate::detect::is_ensembl_gene_id(g) && g.contains('.'));
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
    if !extra.is_empty() && !options.drop_extra_genes {
        return Err(IoError::ExtraGenes { extra });
    }
    let aligned = dataset
        .select_genes(gene_order)
        .map_err(|source| IoError::Dataset {
            context: "the model's gene order".into(),
            source,
        })?;
    Ok((
        aligned,
        AlignReport {
            n_genes: gene_order.len(),
            dropped: extra,
        },
    ))
}
