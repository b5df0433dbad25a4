"""Result files of every shape the official Python client's tests use, and the
tables the official client makes of them.

Writes, next to this script in shapes/:
  *.json   result JSON as the hosted service answers (the three counts
           encodings, metadata prediction with and without gene_order, GEM-2
           metadata / expression / autoencode, a decoder sample with more
           fields than counts), mirroring the fixtures of pysynthbio's
           tests/test_output_transformers.py;
  *.arrow  Arrow IPC streams written by pyarrow (the reference Arrow
           implementation, never synthbio's writer), typed as pyarrow types
           them (an empty latent list is list<null>), mirroring
           tests/test_arrow_transformers.py;
  expected.json  per file, the tables pysynthbio 4.2.4's own transformers
           (output_transformers, gem2_output_transformers, arrow_transformers)
           make: expression (columns and values), metadata rows, latents,
           classifier probabilities as a long table, provenance.

Run (in its own venv, from PyPI):
  python3 -m venv /tmp/shapes-venv
  /tmp/shapes-venv/bin/pip install pyarrow==26.0.1 pysynthbio==4.2.4
  /tmp/shapes-venv/bin/python crates/synthbio-client/tests/golden/make_shapes.py
"""

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
from pysynthbio.arrow_transformers import transform_arrow_stream
from pysynthbio.gem2_output_transformers import gem2_output_transformer
from pysynthbio.output_transformers import (
    transform_metadata_model_output,
    transform_standard_model_output,
)

OUT = Path(__file__).parent / "shapes"
GENES = ["ENSG1", "ENSG2", "ENSG3"]


def clean(v):
    """JSON-safe: NaN and None as null, numpy scalars as Python numbers."""
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return clean(v.item())
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


def tables(frames):
    """The official client's frames as plain tables."""
    out = {}
    e = frames.get("expression")
    if e is not None and e.shape[1] > 0:
        out["expression_columns"] = [str(c) for c in e.columns]
        out["expression"] = clean(e.values.tolist())
    else:
        out["expression_columns"] = []
        out["expression"] = None
    m = frames["metadata"]
    out["metadata"] = [
        {k: v for k, v in clean(row).items() if v is not None}
        for row in m.to_dict("records")
    ]
    lat = frames.get("latents")
    out["latents"] = (
        {} if lat is None or lat.empty
        else {c: [clean(x) if isinstance(x, list) else None for x in lat[c]] for c in lat.columns}
    )
    probs = []
    cp = frames.get("classifier_probs")
    if cp is not None:
        for i, row in enumerate(cp.to_dict("records")):
            for field, classes in row.items():
                if isinstance(classes, dict):
                    for label, p in classes.items():
                        if p is not None and not (isinstance(p, float) and math.isnan(p)):
                            probs.append([i, field, label, clean(p)])
    out["classifier_probs"] = sorted(probs, key=lambda r: (r[0], r[1], r[2]))
    prov = frames.get("provenance")
    out["provenance"] = None if prov is None else clean(prov.to_dict("records"))
    return out


def rest_of_decoder(samples):
    """Per sample, the decoder sample's fields other than counts (nulls left out)."""
    return [{k: v for k, v in d.items() if k != "counts" and v is not None} for d in samples]


def write_json(name, content, frames, **facts):
    (OUT / name).write_text(json.dumps(content, indent=1) + "\n")
    return {**tables(frames), **facts}


def write_arrow(name, batch, metadata, **facts):
    schema = batch.schema.with_metadata(metadata)
    sink = pa.BufferOutputStream()
    with ipc.new_stream(sink, schema) as writer:
        writer.write_batch(batch.replace_schema_metadata(metadata))
    data = sink.getvalue().to_pybytes()
    (OUT / name).write_bytes(data)
    types = {f.name: str(f.type) for f in schema}
    return {**tables(transform_arrow_stream(data)), "arrow_types": types, **facts}


def main():
    OUT.mkdir(exist_ok=True)
    expected = {}

    # Hosted JSON, GEM-1 expression, the three counts encodings.
    standard = {
        "gene_order": GENES,
        "model_version": "v1.4",
        "outputs": [
            {"counts": [10, 20, 0], "metadata": {"tissue": "brain", "age_years": 65},
             "latents": {"biological": [0.1, 0.25], "technical": [0.2], "perturbation": [0.3]}},
            {"counts": [1, 0, 7], "metadata": {"tissue": "liver", "age_years": 40},
             "latents": {"biological": [0.4, -1.5], "technical": [0.5], "perturbation": [0.6]}},
        ],
    }
    expected["standard_list.json"] = write_json(
        "standard_list.json", standard, transform_standard_model_output(standard))
    nested = json.loads(json.dumps(standard))
    for o in nested["outputs"]:
        o["counts"] = {"counts": o["counts"]}
    expected["standard_nested.json"] = write_json(
        "standard_nested.json", nested, transform_standard_model_output(nested))
    as_map = json.loads(json.dumps(standard))
    for o in as_map["outputs"]:
        o["counts"] = {g: c for g, c in zip(GENES, o["counts"]) if c != 0}
    expected["standard_map.json"] = write_json(
        "standard_map.json", as_map, transform_standard_model_output(as_map))

    # Metadata prediction, without and with gene_order.
    meta = {
        "outputs": [
            {"classifier_probs": {"tissue": {"brain": 0.9, "liver": 0.1}, "sex": {"male": 0.75, "female": 0.25}},
             "latents": {"biological": [0.1], "technical": [0.2], "perturbation": [0.3]},
             "metadata": {"tissue": "brain", "sex": "male"},
             "decoder_sample": {"counts": [10, 20, 5]}},
            {"classifier_probs": {"tissue": {"liver": 0.8, "brain": 0.2}, "sex": {"female": 0.6, "male": 0.4}},
             "latents": {"biological": [0.4], "technical": [0.5], "perturbation": [0.6]},
             "metadata": {"tissue": "liver", "sex": "female"},
             "decoder_sample": {"counts": [30, 40, 0]}},
        ],
    }
    expected["metadata_no_genes.json"] = write_json(
        "metadata_no_genes.json", meta, transform_metadata_model_output(meta), has_gene_order=False)
    with_genes = {**meta, "gene_order": GENES, "model_version": "v1.4"}
    expected["metadata_with_genes.json"] = write_json(
        "metadata_with_genes.json", with_genes, transform_metadata_model_output(with_genes), has_gene_order=True)

    # GEM-2 hosted shapes, routed as pysynthbio 4.2.4 routes them.
    gem2_meta = {
        "model_version": "gem-2.0",
        "outputs": [
            {"predicted_metadata": {"tissue_ontology_id": "UBERON:0002107", "sex": "male"},
             "classifier_probabilities": {"sex": {"male": 0.875, "female": 0.125}},
             "latents": {"biological": [0.5, 0.25], "technical": [1.0], "perturbation": []}},
            {"predicted_metadata": {"tissue_ontology_id": "UBERON:0000955", "sex": "female"},
             "classifier_probabilities": {"sex": {"male": 0.0625, "female": 0.9375}},
             "latents": {"biological": [0.75, -0.25], "technical": [2.0], "perturbation": []}},
        ],
    }
    t = gem2_output_transformer("gem-2-bulk_predict-metadata", {})
    expected["gem2_metadata.json"] = write_json(
        "gem2_metadata.json", gem2_meta, t(gem2_meta), model="gem-2-bulk_predict-metadata")
    gem2_expr = {
        "gene_order": GENES,
        "outputs": [
            {"counts": [3, 0, 9], "metadata": {"sex": "female"}, "latents": {"biological": [0.5]}},
            {"counts": [1, 2, 3], "metadata": None, "latents": None},
        ],
    }
    t = gem2_output_transformer("gem-2-sc", {})
    expected["gem2_expression.json"] = write_json(
        "gem2_expression.json", gem2_expr, t(gem2_expr), model="gem-2-sc")
    gem2_auto = {
        "gene_order": GENES,
        "request_id": "req-42",
        "outputs": [
            {"counts": [4, 4, 4], "metadata": {"sex": "male"}, "latents": None,
             "model_release_id": "rel-2025-10", "vae_run_id": "run-7"},
            {"counts": [0, 1, 0], "metadata": None, "latents": None,
             "model_release_id": "rel-2025-10", "vae_run_id": "run-8"},
        ],
    }
    t = gem2_output_transformer("gem-2", {"operation": "autoencode"})
    expected["gem2_autoencode.json"] = write_json(
        "gem2_autoencode.json", gem2_auto, t(gem2_auto), model="gem-2", operation="autoencode")

    # Arrow streams as the inference container emits them.
    base_meta = {b"model_version": b"2.2", b"request_type": b"baseline",
                 b"gene_order": json.dumps(GENES).encode()}
    baseline = pa.RecordBatch.from_pylist([
        {"counts": [1, 2, 3], "metadata": {"tissue_ontology_id": "UBERON:0002107", "sex": "male"},
         "biological_latent": [0.1, 0.2], "technical_latent": [0.3, 0.4], "perturbation_latent": []},
        {"counts": [4, 5, 6], "metadata": {"tissue_ontology_id": "UBERON:0002107", "sex": "female"},
         "biological_latent": [0.5, 0.6], "technical_latent": [0.7, 0.8], "perturbation_latent": []},
    ])
    expected["baseline.arrow"] = write_arrow("baseline.arrow", baseline, base_meta)

    pm_rows = [
        {"classifier_probs": {"sex": {"male": 0.9, "female": 0.1}},
         "latents": {"biological": [0.1], "technical": [0.2], "perturbation": []},
         "metadata": {"sex": "male"}, "decoder_sample": {"counts": [1, 2, 3]}},
        {"classifier_probs": {"sex": {"male": 0.2, "female": 0.8}},
         "latents": {"biological": [0.4], "technical": [0.5], "perturbation": []},
         "metadata": {"sex": "female"}, "decoder_sample": {"counts": [7, 0, 2]}},
    ]
    pm = pa.RecordBatch.from_pylist(pm_rows)
    expected["predict_metadata.arrow"] = write_arrow(
        "predict_metadata.arrow", pm, {b"model_version": b"2.2", b"request_type": b"predict_metadata"},
        has_gene_order=False)
    expected["predict_metadata_genes.arrow"] = write_arrow(
        "predict_metadata_genes.arrow", pm,
        {b"model_version": b"2.2", b"request_type": b"predict_metadata",
         b"gene_order": json.dumps(GENES).encode()}, has_gene_order=True)

    # A decoder sample with fields besides counts (pysynthbio reads counts
    # only); "decoder_sample_rest" is every other field as pyarrow / json read it.
    extra_rows = [
        {**r, "decoder_sample": {**r["decoder_sample"], "library_size": size, "seed": seed}}
        for r, size, seed in zip(pm_rows, [6, 9], ["s1", None])
    ]
    extra = pa.RecordBatch.from_pylist(extra_rows)
    expected["decoder_sample_fields.arrow"] = write_arrow(
        "decoder_sample_fields.arrow", extra,
        {b"model_version": b"2.2", b"request_type": b"predict_metadata",
         b"gene_order": json.dumps(GENES).encode()},
        has_gene_order=True,
        decoder_sample_rest=rest_of_decoder(extra.column("decoder_sample").to_pylist()))
    extra_json = {**with_genes, "outputs": [
        {**o, "decoder_sample": {**o["decoder_sample"], "library_size": size, "sampler": {"seed": 3}}}
        for o, size in zip(with_genes["outputs"], [35, 70])
    ]}
    expected["decoder_sample_fields.json"] = write_json(
        "decoder_sample_fields.json", extra_json, transform_metadata_model_output(extra_json),
        has_gene_order=True,
        decoder_sample_rest=rest_of_decoder([o["decoder_sample"] for o in extra_json["outputs"]]))

    # Both counts and a decoder sample: counts is the expression, the decoder
    # sample is kept whole.
    both = pa.RecordBatch.from_pylist([
        {"counts": [5, 6, 7], "metadata": {"sex": "male"}, "decoder_sample": {"counts": [1, 1, 1]}},
        {"counts": [8, 9, 0], "metadata": {"sex": "female"}, "decoder_sample": {"counts": [2, 2, 2]}},
    ])
    expected["counts_and_decoder_sample.arrow"] = write_arrow(
        "counts_and_decoder_sample.arrow", both, base_meta,
        decoder_sample_rest=both.column("decoder_sample").to_pylist(), counts_column=True)

    # The same baseline typed with large lists and narrow numbers.
    large_schema = pa.schema([
        ("counts", pa.large_list(pa.int32())),
        ("metadata", pa.struct([("sex", pa.string())])),
        ("biological_latent", pa.large_list(pa.float32())),
        ("technical_latent", pa.list_(pa.int64())),
        ("perturbation_latent", pa.large_list(pa.null())),
    ])
    large = pa.RecordBatch.from_pylist([
        {"counts": [1, 2, 3], "metadata": {"sex": "male"}, "biological_latent": [0.5, 0.25],
         "technical_latent": [1, 2], "perturbation_latent": []},
        {"counts": [0, 0, 9], "metadata": {"sex": "female"}, "biological_latent": [-0.5, 2.0],
         "technical_latent": [3, 4], "perturbation_latent": []},
    ], schema=large_schema)
    expected["large_lists.arrow"] = write_arrow("large_lists.arrow", large, base_meta)

    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
