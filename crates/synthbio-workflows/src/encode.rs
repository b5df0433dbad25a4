//! Putting a user's table in a model's gene order before it becomes a query.

use crate::WorkflowError;
use synthbio_core::{Dataset, ModelId, Predictor};
use synthbio_io::{align_genes, AlignOptions, AlignReport};

/// Puts `data`'s genes in the order of `model` when `predictor` knows that
/// order (the local engine always does), returning what was done; when it
/// does not (a remote server before its first answer), `data` is returned
/// unchanged and the server checks the length itself (`None`).
pub fn align_to_model(
    data: Dataset,
    predictor: &dyn Predictor,
    model: &ModelId,
    options: &AlignOptions,
) -> Result<(Dataset, Option<AlignReport>), WorkflowError> {
    let Some(order) = predictor.gene_order(model) else {
        return Ok((data, None));
    };
    let (aligned, report) = align_genes(&data, &order, options)?;
    Ok((aligned, Some(report)))
}
