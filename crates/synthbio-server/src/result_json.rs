//! The result JSON of docs/protocol.md section 4, written output by output.
//!
//! Expression results (baseline, reference conditioning), one object per sample:
//! `{"counts": [int...], "metadata": {key: value}, "latents": {"biological": [f64...],
//! "technical": [...], "perturbation": [...]}}` (`latents` only when the model
//! returned them). Metadata prediction: `{"metadata": {field: label},
//! "classifier_probs": {field: {class: prob}}, "latents": {...},
//! "decoder_sample": {"counts": [int...]}}`. Then the top-level `gene_order` and
//! `model_version`.

use crate::jobs::Ready;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::io::{self, Write};
use synthbio_core::{Dataset, Family, LatentBlock, Latents};

/// Writes the whole result document.
pub(crate) fn write_result<W: Write + ?Sized>(w: &mut W, ready: &Ready) -> io::Result<()> {
    let ds = &*ready.dataset;
    w.write_all(b"{\"outputs\":[")?;
    for row in 0..ds.n_samples() {
        if row > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(
            &mut *w,
            &Output {
                ds,
                row,
                family: ready.family,
            },
        )?;
    }
    w.write_all(b"],\"gene_order\":")?;
    serde_json::to_writer(&mut *w, ds.gene_ids())?;
    w.write_all(b",\"model_version\":")?;
    let version = ds.model_version().unwrap_or(&ready.model_version);
    serde_json::to_writer(&mut *w, version)?;
    w.write_all(b"}")
}

/// One sample's output object.
struct Output<'a> {
    ds: &'a Dataset,
    row: usize,
    family: Family,
}

impl Serialize for Output<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ds, row) = (self.ds, self.row);
        let mut map = s.serialize_map(None)?;
        match self.family {
            Family::Baseline | Family::ReferenceConditioning => {
                map.serialize_entry("counts", &CountsRow { ds, row })?;
                map.serialize_entry("metadata", &ds.metadata().row(row))?;
                if let Some(latents) = ds.latents() {
                    map.serialize_entry("latents", &LatentsRow { latents, row })?;
                }
            }
            Family::MetadataPrediction => {
                map.serialize_entry("metadata", &ds.metadata().row(row))?;
                map.serialize_entry("classifier_probs", &ProbsRow { ds, row })?;
                if let Some(latents) = ds.latents() {
                    map.serialize_entry("latents", &LatentsRow { latents, row })?;
                }
                map.serialize_entry("decoder_sample", &DecoderSample { ds, row })?;
            }
        }
        map.end()
    }
}

/// A sample's counts as a plain list of integers.
struct CountsRow<'a> {
    ds: &'a Dataset,
    row: usize,
}

impl Serialize for CountsRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.ds.sample_counts(self.row).iter())
    }
}

/// `{"counts": [...]}`, the decoded expression of a metadata prediction.
struct DecoderSample<'a> {
    ds: &'a Dataset,
    row: usize,
}

impl Serialize for DecoderSample<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(
            "counts",
            &CountsRow {
                ds: self.ds,
                row: self.row,
            },
        )?;
        map.end()
    }
}

/// `{"biological": [...], "technical": [...], "perturbation": [...]}` of one sample.
struct LatentsRow<'a> {
    latents: &'a Latents,
    row: usize,
}

impl Serialize for LatentsRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Block<'a>(ndarray::ArrayView1<'a, f64>);
        impl Serialize for Block<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter())
            }
        }
        let mut map = s.serialize_map(Some(3))?;
        for b in LatentBlock::ALL {
            map.serialize_entry(b.as_str(), &Block(self.latents.block(b).row(self.row)))?;
        }
        map.end()
    }
}

/// `{field: {class: probability}}` of one sample, classes in the model's order.
struct ProbsRow<'a> {
    ds: &'a Dataset,
    row: usize,
}

impl Serialize for ProbsRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Classes<'a>(&'a synthbio_core::ClassProbabilities, usize);
        impl Serialize for Classes<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let probs = self.0.probs.row(self.1);
                s.collect_map(self.0.classes.iter().zip(probs.iter()))
            }
        }
        let fields = self.ds.classifier_probs();
        let mut map = s.serialize_map(Some(fields.len()))?;
        for (field, probs) in fields {
            map.serialize_entry(field, &Classes(probs, self.row))?;
        }
        map.end()
    }
}
