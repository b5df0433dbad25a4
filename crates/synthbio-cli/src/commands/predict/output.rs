//! The files a result is written to: the expression or decoder sample, metadata,
//! classifier probabilities, latents, provenance and the fields kept raw.

use super::{Format, PredictArgs};
use crate::commands::CliResult;
use std::collections::HashMap;
use std::path::Path;
use synthbio::client::Prediction;
use synthbio::core::{Cell, Dataset, LatentBlock, Table};

pub(super) fn out_dir(args: &PredictArgs) -> Result<&Path, String> {
    let out = args.out.as_deref().ok_or("give --out <folder>")?;
    std::fs::create_dir_all(out)
        .map_err(|e| format!("cannot create the output folder {}: {e}", out.display()))?;
    Ok(out)
}

/// Where and how a result is written.
pub(super) struct Output<'a> {
    pub args: &'a PredictArgs,
    /// The counts table's sample id behind each input of the query, when a table made it.
    pub input_names: Option<Vec<String>>,
}

impl Output<'_> {
    pub fn write_prediction(&self, p: &Prediction) -> CliResult {
        self.write(&p.dataset, Some(p), p.decoder_sample)
    }

    /// Writes every part of a result, its samples named after the table's when a
    /// table made the query; says on stderr what was written.
    pub fn write(&self, ds: &Dataset, p: Option<&Prediction>, decoder_sample: bool) -> CliResult {
        match &self.input_names {
            Some(names) => {
                let ids = output_names(names, ds.input_index())?;
                let named = ds.clone().with_sample_ids(ids)?;
                write_files(self.args, &named, p, decoder_sample)
            }
            None => write_files(self.args, ds, p, decoder_sample),
        }
    }
}

/// Output sample ids from the input each came from: the table's sample id when that
/// sample gave one output, else `<id>_1`, `<id>_2`, ...
fn output_names(input_names: &[String], input_index: &[usize]) -> Result<Vec<String>, String> {
    let mut per_name: HashMap<&str, usize> = HashMap::new();
    let mut names = Vec::with_capacity(input_index.len());
    for &k in input_index {
        let name = input_names.get(k).ok_or_else(|| {
            format!(
                "the result names input {k}, but the query had {} inputs",
                input_names.len()
            )
        })?;
        *per_name.entry(name).or_default() += 1;
        names.push(name.as_str());
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    Ok(names
        .into_iter()
        .map(|name| {
            if per_name[name] == 1 {
                return name.to_string();
            }
            let j = seen.entry(name).or_default();
            *j += 1;
            format!("{name}_{j}")
        })
        .collect())
}

/// Writes every part of a result; says on stderr what was written.
fn write_files(
    args: &PredictArgs,
    ds: &Dataset,
    p: Option<&Prediction>,
    decoder_sample: bool,
) -> CliResult {
    let out = out_dir(args)?;
    let ext = args.format.ext();
    let mut written = Vec::new();
    if args.format == Format::H5ad {
        synthbio::io::write_h5ad(&out.join("result.h5ad"), ds)?;
        written.push("result.h5ad".to_string());
    }
    let mut table = |name: &str, t: &Table| -> CliResult {
        let file = format!("{name}.{ext}");
        synthbio::io::write_table(&out.join(&file), t)?;
        written.push(file);
        Ok(())
    };
    let per_part = args.format != Format::H5ad;
    if per_part {
        table("metadata", &synthbio::io::metadata_table(ds))?;
    }
    if per_part && !ds.classifier_probs().is_empty() {
        table("classifier_probs", &classifier_long(ds))?;
    }
    if let Some(l) = ds.latents().filter(|_| per_part) {
        for block in LatentBlock::ALL {
            let m = l.block(block);
            if m.ncols() > 0 {
                table(
                    &format!("latents_{}", block.as_str()),
                    &latents_table(ds, block),
                )?;
            }
        }
    }
    if let Some(p) = p.filter(|p| p.provenance().is_some()) {
        table("provenance", &raw_table(ds, p))?;
    }
    if per_part && ds.n_genes() > 0 {
        let name = if decoder_sample {
            "decoder_sample"
        } else {
            "expression"
        };
        let file = format!("{name}.{ext}");
        synthbio::io::write_counts(&out.join(&file), ds)?;
        written.push(file);
        let genes = ds.gene_ids().join("\n") + "\n";
        std::fs::write(out.join("gene_order.txt"), genes)?;
        written.push("gene_order.txt".into());
    }
    if let Some(v) = ds.model_version() {
        std::fs::write(out.join("model_version.txt"), format!("{v}\n"))?;
        written.push("model_version.txt".into());
    }
    if let Some(p) = p {
        if !p.extra.is_empty() || p.output_extra.iter().any(|m| !m.is_empty()) {
            let raw = serde_json::json!({"extra": p.extra, "outputs": p.output_extra});
            synthbio::io::write_json(&out.join("raw.json"), &raw)?;
            written.push("raw.json".into());
        }
    }
    eprintln!(
        "{} samples x {} genes: {} written to {}",
        ds.n_samples(),
        ds.n_genes(),
        written.join(", "),
        out.display()
    );
    Ok(())
}

/// Classifier probabilities as the long table sample, field, label, probability.
fn classifier_long(ds: &Dataset) -> Table {
    let mut t = Table::new(["sample_id", "field", "label", "probability"]);
    for (i, sample) in ds.sample_ids().iter().enumerate() {
        for (field, probs) in ds.classifier_probs() {
            for (c, label) in probs.classes.iter().enumerate() {
                t.push(vec![
                    Cell::from(sample.as_str()),
                    Cell::from(field.as_str()),
                    Cell::from(label.as_str()),
                    Cell::Float(probs.probs[[i, c]]),
                ]);
            }
        }
    }
    t
}

/// One latent block: a row per sample, a column per dimension (NaN: absent).
fn latents_table(ds: &Dataset, block: LatentBlock) -> Table {
    let Some(l) = ds.latents() else {
        return Table::new(["sample_id"]);
    };
    let m = l.block(block);
    let mut t = Table::new(
        std::iter::once("sample_id".to_string()).chain((1..=m.ncols()).map(|j| format!("dim_{j}"))),
    );
    for (i, sample) in ds.sample_ids().iter().enumerate() {
        t.push(
            std::iter::once(Cell::from(sample.as_str()))
                .chain(m.row(i).iter().map(|&x| {
                    if x.is_nan() {
                        Cell::Empty
                    } else {
                        Cell::Float(x)
                    }
                }))
                .collect(),
        );
    }
    t
}

/// Per-sample fields kept raw (GEM-2 provenance and any other), as text columns.
fn raw_table(ds: &Dataset, p: &Prediction) -> Table {
    let keys = p.output_extra_keys();
    let mut t = Table::new(std::iter::once("sample_id".to_string()).chain(keys.iter().cloned()));
    for (i, sample) in ds.sample_ids().iter().enumerate() {
        let row = p.output_extra.get(i);
        t.push(
            std::iter::once(Cell::from(sample.as_str()))
                .chain(keys.iter().map(|k| match row.and_then(|r| r.get(k)) {
                    None | Some(serde_json::Value::Null) => Cell::Empty,
                    Some(serde_json::Value::String(s)) => Cell::from(s.as_str()),
                    Some(v) => Cell::Text(v.to_string()),
                }))
                .collect(),
        );
    }
    t
}
