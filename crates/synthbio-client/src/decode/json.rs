//! Streaming reader of result JSON (PROTOCOL.md section 4).
//!
//! The result is read with serde seeds straight from the byte stream: counts go
//! into the builder's flat buffer as they are parsed, so neither the JSON text
//! nor a tree of JSON values is ever held whole. Small parts (metadata,
//! classifier probabilities) are read as values.

use super::builder::{count_from_f64, count_from_i64, count_from_u64, CountsSource, ResultBuilder};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use synthbio_core::{Dataset, LatentBlock};

use crate::error::ClientError;

/// Reads a result JSON from `reader` into a [`Dataset`].
///
/// Accepts the three encodings of `counts` (a list, `{"counts": [...]}`, and a
/// map gene id -> value where missing genes are 0), `gene_order` before or after
/// `outputs`, and metadata prediction's `decoder_sample.counts` when an output
/// has no `counts`. `input_sizes` (the query's `num_samples` per input) sets
/// each sample's input index. A top-level `error` or `errors` key gives
/// [`ClientError::ResultError`].
///
/// Metadata values that are not strings are kept as their JSON text; classifier
/// probabilities of a class or field an output does not list are 0. A
/// fractional count is rounded to the nearest integer. The reader is buffered
/// here (serde_json reads byte by byte), so pass it unbuffered.
pub fn decode_json<R: Read>(
    reader: R,
    input_sizes: Option<&[u64]>,
) -> Result<Dataset, ClientError> {
    let mut b = ResultBuilder::default();
    let reader = std::io::BufReader::with_capacity(1 << 16, reader);
    let mut de = serde_json::Deserializer::from_reader(reader);
    Top(&mut b)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| ClientError::decode("the result JSON", e))?;
    b.finish(input_sizes)
}

struct Top<'a>(&'a mut ResultBuilder);

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a result object with outputs and gene_order")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "outputs" => map.next_value_seed(Outputs(&mut *self.0))?,
                "gene_order" => {
                    let genes: Vec<String> = map.next_value()?;
                    self.0.set_gene_order(genes).map_err(de::Error::custom)?;
                }
                "model_version" => self.0.model_version = scalar_text(map.next_value()?),
                "error" | "errors" => {
                    let v: Value = map.next_value()?;
                    if !v.is_null() {
                        let text = scalar_text(v).unwrap_or_default();
                        self.0.error = Some(match self.0.error.take() {
                            Some(prev) => format!("{prev}; {text}"),
                            None => text,
                        });
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Outputs<'a>(&'a mut ResultBuilder);

impl<'de> DeserializeSeed<'de> for Outputs<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Outputs<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of outputs")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Output(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct Output<'a>(&'a mut ResultBuilder);

impl<'de> DeserializeSeed<'de> for Output<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Output<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an output object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let b = self.0;
        let row = b.begin_output();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "counts" => map.next_value_seed(Counts {
                    b: &mut *b,
                    source: CountsSource::Counts,
                    row,
                })?,
                "decoder_sample" => map.next_value_seed(DecoderSample { b: &mut *b, row })?,
                "metadata" => {
                    let m: Option<BTreeMap<String, Value>> = map.next_value()?;
                    let m = m
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|(k, v)| Some((k, scalar_text(v)?)))
                        .collect();
                    b.set_metadata(row, m);
                }
                "latents" => map.next_value_seed(LatentsSeed { b: &mut *b, row })?,
                "classifier_probs" => {
                    let probs: Option<Ordered<Ordered<f64>>> = map.next_value()?;
                    for (field, classes) in probs.map(|p| p.0).unwrap_or_default() {
                        for (class, p) in classes.0 {
                            b.prob(row, &field, &class, p);
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `counts` in any of its three encodings.
struct Counts<'a> {
    b: &'a mut ResultBuilder,
    source: CountsSource,
    row: usize,
}

impl<'de> DeserializeSeed<'de> for Counts<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counts<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("counts: a list, {\"counts\": [...]}, or a map gene id -> count")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Counts { b, source, row } = self;
        if !b.begin_counts(source) {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let mut j = 0usize;
        while let Some(v) = seq.next_element_seed(Count { row, j })? {
            b.push_count(v);
            j += 1;
        }
        b.end_dense().map_err(de::Error::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Counts { b, source, row } = self;
        let Some(first) = map.next_key::<String>()? else {
            // `{}`: R's empty list, i.e. no counts.
            return Ok(());
        };
        if first == "counts" {
            map.next_value_seed(Counts {
                b: &mut *b,
                source,
                row,
            })?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        if !b.begin_counts(source) {
            map.next_value::<IgnoredAny>()?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        b.begin_sparse();
        let mut key = Some(first);
        let mut j = 0usize;
        while let Some(gene) = key {
            let v = map.next_value_seed(Count { row, j })?;
            b.sparse_entry(gene, v).map_err(de::Error::custom)?;
            j += 1;
            key = map.next_key::<String>()?;
        }
        Ok(())
    }
}

/// `decoder_sample`: `{"counts": [...]}`.
struct DecoderSample<'a> {
    b: &'a mut ResultBuilder,
    row: usize,
}

impl<'de> DeserializeSeed<'de> for DecoderSample<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DecoderSample<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("decoder_sample: {\"counts\": [...]}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "counts" {
                map.next_value_seed(Counts {
                    b: &mut *self.b,
                    source: CountsSource::DecoderSample,
                    row: self.row,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// One count, named by its output and position in errors.
struct Count {
    row: usize,
    j: usize,
}

impl Count {
    fn check<E: de::Error>(&self, r: Result<u32, String>) -> Result<u32, E> {
        r.map_err(|m| E::custom(format!("outputs[{}].counts[{}]: {m}", self.row, self.j)))
    }
}

impl<'de> DeserializeSeed<'de> for Count {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Count {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a count at outputs[{}].counts[{}]", self.row, self.j)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        self.check(count_from_u64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        self.check(count_from_i64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        self.check(count_from_f64(v))
    }
}

/// `latents`: `{"biological": [...], "technical": [...], "perturbation": [...]}`.
struct LatentsSeed<'a> {
    b: &'a mut ResultBuilder,
    row: usize,
}

impl<'de> DeserializeSeed<'de> for LatentsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LatentsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "latents: {\"biological\": [...], \"technical\": [...], \"perturbation\": [...]}",
        )
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let LatentsSeed { b, row } = self;
        b.begin_latents();
        while let Some(key) = map.next_key::<String>()? {
            let Some(block) = LatentBlock::ALL.into_iter().find(|k| k.as_str() == key) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let buf = b.latent_buffer(block, row).map_err(de::Error::custom)?;
            let start = buf.len();
            map.next_value_seed(Floats(buf))?;
            b.end_latent_row(block, row, start)
                .map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

struct Floats<'a>(&'a mut Vec<f64>);

impl<'de> DeserializeSeed<'de> for Floats<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Floats<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of numbers")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<f64>()? {
            self.0.push(v);
        }
        Ok(())
    }
}

/// A JSON object read in document order (serde_json's own map sorts its keys).
struct Ordered<T>(Vec<(String, T)>);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A metadata-like value as text: strings as they are, `null` as absent, other
/// values as their JSON text.
pub(crate) fn scalar_text(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn decode(s: &str) -> Result<Dataset, ClientError> {
        decode_json(s.as_bytes(), None)
    }

    #[test]
    fn three_encodings_give_the_same_matrix() {
        let list = r#"{"outputs": [{"counts": [1, 0, 3]}, {"counts": [0, 2.0, 0]}], "gene_order": ["a", "b", "c"]}"#;
        let nested = r#"{"gene_order": ["a", "b", "c"], "outputs": [{"counts": {"counts": [1, 0, 3]}}, {"counts": {"counts": [0, 2, 0]}}]}"#;
        let map_after = r#"{"outputs": [{"counts": {"c": 3, "a": 1}}, {"counts": {"b": 2}}], "gene_order": ["a", "b", "c"]}"#;
        let map_before = r#"{"gene_order": ["a", "b", "c"], "outputs": [{"counts": {"c": 3, "a": 1}}, {"counts": {"b": 2}}]}"#;
        for s in [list, nested, map_after, map_before] {
            let d = decode(s).unwrap();
            assert_eq!(d.counts(), array![[1, 0, 3], [0, 2, 0]], "{s}");
            assert_eq!(d.gene_ids(), ["a", "b", "c"]);
            assert_eq!(d.sample_ids(), ["sample_1", "sample_2"]);
        }
    }

    #[test]
    fn mixed_encodings_are_placed_in_row_order() {
        let s = r#"{"outputs": [{"counts": {"b": 5}}, {"counts": [1, 2, 3]}], "gene_order": ["a", "b", "c"]}"#;
        assert_eq!(decode(s).unwrap().counts(), array![[0, 5, 0], [1, 2, 3]]);
    }

    #[test]
    fn errors_name_the_output_and_position() {
        let e = decode(
            r#"{"outputs": [{"counts": [1, 2]}, {"counts": [1, -2]}], "gene_order": ["a", "b"]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("outputs[1].counts[1]"), "{e}");
        let e = decode(
            r#"{"outputs": [{"counts": [1, 2]}, {"counts": [1]}], "gene_order": ["a", "b"]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not rectangular"), "{e}");
        let e = decode(r#"{"outputs": [{"counts": {"zz": 1}}], "gene_order": ["a"]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"zz\""), "{e}");
        let e = decode(r#"{"outputs": [{"counts": [1]}], "gene_order": ["a", "b"]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("gene_order lists 2 genes"), "{e}");
    }

    #[test]
    fn a_top_level_error_is_an_error() {
        for s in [
            r#"{"error": "model crashed"}"#,
            r#"{"outputs": [], "gene_order": [], "errors": [{"path": "x", "message": "bad"}]}"#,
        ] {
            assert!(
                matches!(decode(s), Err(ClientError::ResultError { .. })),
                "{s}"
            );
        }
    }

    #[test]
    fn metadata_latents_probs_and_version() {
        let s = r#"{"model_version": "v1", "gene_order": ["a"], "outputs": [
            {"decoder_sample": {"counts": [4]}, "metadata": {"sex": "male", "age_years": 65, "x": null},
             "latents": {"biological": [0.5, 1], "technical": [2], "perturbation": []},
             "classifier_probs": {"sex": {"male": 0.9, "female": 0.1}}},
            {"decoder_sample": {"counts": [6]}, "metadata": {"sex": "female"},
             "latents": {"biological": [1.5, 2], "technical": [3], "perturbation": []},
             "classifier_probs": {"sex": {"female": 0.7, "male": 0.3}}}]}"#;
        let d = decode_json(s.as_bytes(), Some(&[1, 1])).unwrap();
        assert_eq!(d.counts(), array![[4], [6]]);
        assert_eq!(d.metadata().get(0, "age_years"), Some("65"));
        assert_eq!(d.metadata().get(0, "x"), None);
        assert_eq!(d.metadata().get(1, "sex"), Some("female"));
        let l = d.latents().unwrap();
        assert_eq!(l.biological, array![[0.5, 1.0], [1.5, 2.0]]);
        assert_eq!(l.perturbation.dim(), (2, 0));
        let p = &d.classifier_probs()["sex"];
        assert_eq!(p.classes, ["male", "female"]);
        assert_eq!(p.probs, array![[0.9, 0.1], [0.3, 0.7]]);
        assert_eq!(d.model_version(), Some("v1"));
        assert_eq!(d.input_index(), [0, 1]);
    }

    #[test]
    fn results_without_expression_have_no_genes() {
        let s = r#"{"gene_order": ["a", "b"], "outputs": [{"metadata": {"sex": "male"}}]}"#;
        let d = decode(s).unwrap();
        assert_eq!(d.counts().dim(), (1, 0));
        let s = r#"{"gene_order": ["a"], "outputs": [{"counts": [1]}, {"metadata": {}}]}"#;
        assert!(decode(s).is_err());
    }
}
