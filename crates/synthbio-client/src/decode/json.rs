//! Streaming reader of result JSON (docs/protocol.md section 4).
//!
//! The stream is cut into pieces by [`Scanner`] (each element of `outputs`,
//! each other top-level value), so neither the JSON text nor a tree of JSON
//! values is ever held whole: one output's text at a time. An output is read
//! key by key from its text: counts given as a plain list of whole numbers
//! (what servers send) take a fast path straight into the builder's flat
//! buffer; any other value is parsed by serde seeds ([`super::json_seeds`]),
//! which also name the position of a bad count.

use super::builder::{CountsSource, ResultBuilder};
use super::json_seeds::{Counts, LatentsSeed, Ordered};
use super::split::{is_ws, value_len, Scanner};
use serde::de::DeserializeSeed;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use synthbio_core::Dataset;

use crate::error::ClientError;
use crate::prediction::Prediction;

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
/// here, so pass it unbuffered; the memory used beyond the result itself is
/// the text of one output.
///
/// Only the typed part is returned: fields the dataset has no place for are
/// left out (and a result without `gene_order` gets position ids); use
/// [`decode_json_result`] to keep them and the decoder's warnings.
pub fn decode_json<R: Read>(
    reader: R,
    input_sizes: Option<&[u64]>,
) -> Result<Dataset, ClientError> {
    decode_json_result(reader, input_sizes, None).map(|p| p.dataset)
}

/// Reads a result JSON into a [`Prediction`]: the dataset as in [`decode_json`]
/// plus every other field as sent. GEM-2 shapes are read too:
/// `predicted_metadata` fills the metadata table, `classifier_probabilities`
/// the classifier probabilities, and outputs with `null` metadata or latents
/// keep their position. Counts without a `gene_order` (metadata prediction)
/// are named from `known_genes` when its length fits, else by position, with
/// a warning either way. A `decoder_sample`'s fields other than `counts` are
/// kept per output under `decoder_sample`.
pub fn decode_json_result<R: Read>(
    reader: R,
    input_sizes: Option<&[u64]>,
    known_genes: Option<&[String]>,
) -> Result<Prediction, ClientError> {
    let mut b = ResultBuilder::default();
    let reader = std::io::BufReader::with_capacity(1 << 16, reader);
    read_result(&mut Scanner::new(reader), &mut b)
        .map_err(|e| ClientError::decode("the result JSON", e))?;
    b.finish(input_sizes, known_genes)
}

/// The top-level object, key by key; `outputs` element by element.
fn read_result<R: BufRead>(s: &mut Scanner<R>, b: &mut ResultBuilder) -> Result<(), String> {
    let mut buf = Vec::new();
    s.expect(b"{")?;
    if s.peek()? == Some(b'}') {
        s.expect(b"}")?;
    } else {
        loop {
            buf.clear();
            s.read_value(&mut buf)?;
            let key: String = serde_json::from_slice(&buf).map_err(|e| {
                s.error(format!("a key of the result object is not a string ({e})"))
            })?;
            s.expect(b":")?;
            if key == "outputs" && s.peek()? == Some(b'[') {
                read_outputs(s, b, &mut buf)?;
            } else {
                buf.clear();
                s.read_value(&mut buf)?;
                top_value(&key, &buf, b).map_err(|e| format!("{key}: {e}"))?;
            }
            if s.expect(b",}")? == b'}' {
                break;
            }
        }
    }
    s.end()
}

/// The elements of `outputs`, each read from its own text.
fn read_outputs<R: BufRead>(
    s: &mut Scanner<R>,
    b: &mut ResultBuilder,
    buf: &mut Vec<u8>,
) -> Result<(), String> {
    s.expect(b"[")?;
    if s.peek()? == Some(b']') {
        s.expect(b"]")?;
        return Ok(());
    }
    let mut scratch = Vec::new();
    for i in 0usize.. {
        buf.clear();
        s.read_value(buf)?;
        read_output(buf, b, &mut scratch).map_err(|e| format!("outputs[{i}]: {e}"))?;
        if s.expect(b",]")? == b']' {
            break;
        }
    }
    Ok(())
}

/// One output, key by key.
fn read_output(bytes: &[u8], b: &mut ResultBuilder, scratch: &mut Vec<u32>) -> Result<(), String> {
    if bytes.first() != Some(&b'{') {
        return Err(format!(
            "expected an output object, found {}",
            snippet(bytes)
        ));
    }
    let row = b.begin_output();
    let json = |e: serde_json::Error| e.to_string();
    Scanner::new(bytes).entries(|key, rest| {
        if key == "counts" {
            return read_counts(rest, b, CountsSource::Counts, row, scratch);
        }
        let n = value_len(rest)?;
        let v = &rest[..n];
        match key {
            "decoder_sample" => {
                if v.first() != Some(&b'{') {
                    return Err(format!(
                        "decoder_sample: expected {{\"counts\": [...]}}, found {}",
                        snippet(v)
                    ));
                }
                // `counts` is the expression; every other field is kept as sent.
                let mut others = Map::new();
                Scanner::new(v).entries(|k, rest| match k {
                    "counts" => read_counts(rest, b, CountsSource::DecoderSample, row, scratch),
                    _ => {
                        let n = value_len(rest)?;
                        let value = serde_json::from_slice(&rest[..n]).map_err(json)?;
                        others.insert(k.to_string(), value);
                        Ok(n)
                    }
                })?;
                if !others.is_empty() {
                    b.output_field(row, "decoder_sample", Value::Object(others));
                }
            }
            "metadata" => {
                let m: Option<BTreeMap<String, Value>> = serde_json::from_slice(v).map_err(json)?;
                b.set_metadata(row, text_map(m));
            }
            "predicted_metadata" => {
                let m: Option<BTreeMap<String, Value>> =
                    serde_json::from_slice(v).map_err(|e| format!("predicted_metadata: {e}"))?;
                if let Some(m) = m {
                    b.set_predicted(row, text_map(Some(m)));
                }
            }
            "latents" => parse_slice(v, LatentsSeed { b: &mut *b, row }).map_err(json)?,
            "classifier_probabilities" => {
                // GEM-2's name; a shape other than field -> class -> probability is kept raw.
                let value: Value = serde_json::from_slice(v).map_err(json)?;
                match serde_json::from_value::<Option<Ordered<Ordered<f64>>>>(value.clone()) {
                    Ok(probs) => {
                        for (field, classes) in probs.map(|p| p.0).unwrap_or_default() {
                            for (class, p) in classes.0 {
                                b.prob(row, &field, &class, p);
                            }
                        }
                    }
                    Err(_) => b.output_field(row, key, value),
                }
            }
            "classifier_probs" => {
                let probs: Option<Ordered<Ordered<f64>>> =
                    serde_json::from_slice(v).map_err(json)?;
                for (field, classes) in probs.map(|p| p.0).unwrap_or_default() {
                    for (class, p) in classes.0 {
                        b.prob(row, &field, &class, p);
                    }
                }
            }
            _ => {
                let value: Value = serde_json::from_slice(v).map_err(json)?;
                b.output_field(row, key, value);
            }
        }
        Ok(n)
    })
}

/// Metadata values as text (see [`scalar_text`]); `null` entries are absent.
fn text_map(m: Option<BTreeMap<String, Value>>) -> BTreeMap<String, String> {
    m.unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Some((k, scalar_text(v)?)))
        .collect()
}

/// A `counts` value at the start of `rest`; returns its length. A plain list
/// of whole numbers takes the fast path; anything else goes to serde, which
/// names a bad value's position.
fn read_counts(
    rest: &[u8],
    b: &mut ResultBuilder,
    source: CountsSource,
    row: usize,
    scratch: &mut Vec<u32>,
) -> Result<usize, String> {
    if let Some(n) = whole_numbers(rest, scratch) {
        if b.begin_counts(source) {
            b.extend_counts(scratch.iter().copied());
            b.end_dense()?;
        }
        return Ok(n);
    }
    let n = value_len(rest)?;
    parse_slice(&rest[..n], Counts { b, source, row }).map_err(|e| e.to_string())?;
    Ok(n)
}

/// Reads a list like `[12,0,7]` (JSON whitespace allowed) at the start of
/// `bytes` into `out` and returns its length; `None` when the value is
/// anything else (a float, a negative or too large number, a map, bad
/// syntax), which the caller then hands to serde.
fn whole_numbers(bytes: &[u8], out: &mut Vec<u32>) -> Option<usize> {
    out.clear();
    let n = bytes.len();
    if bytes.first() != Some(&b'[') {
        return None;
    }
    let skip_ws = |mut i: usize| {
        while i < n && is_ws(bytes[i]) {
            i += 1;
        }
        i
    };
    let mut i = skip_ws(1);
    if bytes.get(i) == Some(&b']') {
        return Some(i + 1);
    }
    loop {
        let start = i;
        let mut v: u64 = 0;
        while i < n && bytes[i].is_ascii_digit() && i - start < 11 {
            v = v * 10 + u64::from(bytes[i] - b'0');
            i += 1;
        }
        let digits = i - start;
        if digits == 0 || (digits > 1 && bytes[start] == b'0') || v > u64::from(u32::MAX) {
            return None;
        }
        out.push(v as u32);
        i = skip_ws(i);
        match bytes.get(i) {
            Some(b',') => i = skip_ws(i + 1),
            Some(b']') => return Some(i + 1),
            _ => return None,
        }
    }
}

/// The start of a value, for error messages.
fn snippet(v: &[u8]) -> String {
    let s = String::from_utf8_lossy(&v[..v.len().min(40)]);
    if v.len() > 40 {
        format!("{s}...")
    } else {
        s.into_owned()
    }
}

/// Parses one complete JSON value from `bytes` with `seed`.
fn parse_slice<'de, S: DeserializeSeed<'de, Value = ()>>(
    bytes: &'de [u8],
    seed: S,
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    seed.deserialize(&mut de)?;
    de.end()
}

/// One top-level value other than the `outputs` list.
fn top_value(key: &str, bytes: &[u8], b: &mut ResultBuilder) -> Result<(), String> {
    let json = |e: serde_json::Error| e.to_string();
    match key {
        "outputs" => {
            return Err(format!(
                "expected a list of outputs, found {}",
                snippet(bytes)
            ))
        }
        "gene_order" => {
            let genes: Vec<String> = serde_json::from_slice(bytes).map_err(json)?;
            b.set_gene_order(genes)?;
        }
        "model_version" => {
            b.model_version = scalar_text(serde_json::from_slice(bytes).map_err(json)?)
        }
        "error" | "errors" => {
            let v: Value = serde_json::from_slice(bytes).map_err(json)?;
            if !v.is_null() {
                let text = scalar_text(v).unwrap_or_default();
                b.error = Some(match b.error.take() {
                    Some(prev) => format!("{prev}; {text}"),
                    None => text,
                });
            }
        }
        _ => {
            let value: Value = serde_json::from_slice(bytes).map_err(json)?;
            b.extra.insert(key.to_string(), value);
        }
    }
    Ok(())
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
    fn plain_count_lists_take_the_fast_path() {
        let mut v = Vec::new();
        assert_eq!(
            whole_numbers(b"[1, 22 ,\n333,0], \"x\": 1}", &mut v),
            Some(15)
        );
        assert_eq!(v, [1, 22, 333, 0]);
        assert_eq!(whole_numbers(b"[ ]", &mut v), Some(3));
        assert!(v.is_empty());
        assert_eq!(whole_numbers(b"[4294967295]", &mut v), Some(12));
        assert_eq!(v, [u32::MAX]);
        for other in [
            "[4294967296]",
            "[99999999999]",
            "[1.0]",
            "[-1]",
            "[01]",
            "[1,]",
            "[1 2]",
            "{}",
            "null",
        ] {
            assert_eq!(whole_numbers(other.as_bytes(), &mut v), None, "{other}");
        }
    }

    #[test]
    fn fast_and_serde_paths_agree() {
        let fast = r#"{"outputs": [{"counts": [1, 0, 3]}], "gene_order": ["a", "b", "c"]}"#;
        let slow = r#"{"outputs": [{"counts": [1.0, 0, 3e0]}], "gene_order": ["a", "b", "c"]}"#;
        assert_eq!(
            decode(fast).unwrap().counts(),
            decode(slow).unwrap().counts()
        );
    }

    #[test]
    fn outputs_longer_than_the_read_buffer() {
        let g = 40_000;
        let counts: Vec<String> = (0..g).map(|j| (j * 7 % 1000).to_string()).collect();
        let genes: Vec<String> = (0..g).map(|j| format!("\"g{j}\"")).collect();
        let s = format!(
            r#"{{"outputs": [{{"counts": [{c}], "metadata": {{"sex": "male"}}}}, {{"counts": [{c}]}}], "gene_order": [{genes}]}}"#,
            c = counts.join(", "),
            genes = genes.join(",")
        );
        assert!(s.len() > 4 << 16);
        let d = decode(&s).unwrap();
        assert_eq!(d.counts().dim(), (2, g));
        assert_eq!(d.counts()[[1, 39_999]], (39_999 * 7 % 1000) as u32);
        assert_eq!(d.metadata().get(0, "sex"), Some("male"));
    }

    #[test]
    fn malformed_results_are_errors() {
        for s in [
            r#"{"outputs": [{"counts": [1]}] "gene_order": ["a"]}"#,
            r#"{"outputs": [{"counts": [1]},], "gene_order": ["a"]}"#,
            r#"{"outputs": [{"counts": [1]}], "gene_order": ["a"]} x"#,
            r#"{"outputs": [{"counts": [1}], "gene_order": ["a"]}"#,
            r#"{"outputs": null, "gene_order": ["a"]}"#,
            r#"{"outputs": [3], "gene_order": ["a"]}"#,
            r#"{"outputs": [{"counts": [1]}], "gene_order": ["a"]"#,
        ] {
            assert!(matches!(decode(s), Err(ClientError::Decode { .. })), "{s}");
        }
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
