"""Writes the client's golden results and the values they must decode to.

Run from the repository root with the project's virtualenv:

    .venv/bin/python crates/synthbio-client/tests/golden/make_golden.py

Outputs (next to this script):
- result_list.json, result_nested.json, result_map.json: one expression result
  in the three encodings of `counts` (plain list; {"counts": [...]}; a map gene
  id -> value without the zero genes, with gene_order after the outputs);
- result_metadata.json: a metadata prediction result (decoder_sample,
  classifier_probs, latents);
- result_baseline.arrow, result_metadata.arrow: the same two results as Arrow
  IPC streams written by pyarrow, in several record batches;
- result_ragged.arrow: a stream whose counts are not rectangular;
- expected.json: the matrices and values each result must decode to.
"""

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

OUT = Path(__file__).resolve().parent
rng = np.random.default_rng(20261123)

N_GENES = 37
N_SAMPLES = 7
genes = [f"ENSG{idx:011d}" for idx in rng.choice(10**6, size=N_GENES, replace=False)]
# Sparse counts (many zeros) so the map encoding leaves genes out.
counts = rng.negative_binomial(1, 0.2, size=(N_SAMPLES, N_GENES))
counts[counts < 3] = 0
counts[0, 0] = 4_000_000_000  # near the top of u32
sexes = ["female", "male"]
metadata = [
    {"sex": sexes[s % 2], "tissue_ontology_id": "UBERON:0002371", "sample_type": "primary tissue"}
    for s in range(N_SAMPLES)
]
metadata[3].pop("tissue_ontology_id")
bio = rng.normal(size=(N_SAMPLES, 5))
tech = rng.normal(size=(N_SAMPLES, 3))
pert = rng.normal(size=(N_SAMPLES, 2))
version = "golden-1"


def latents(s):
    return {"biological": bio[s].tolist(), "technical": tech[s].tolist(), "perturbation": pert[s].tolist()}


def write_json(name, obj):
    (OUT / name).write_text(json.dumps(obj))


# Expression result in three encodings.
write_json("result_list.json", {
    "outputs": [{"counts": counts[s].tolist(), "metadata": metadata[s], "latents": latents(s)} for s in range(N_SAMPLES)],
    "gene_order": genes, "model_version": version,
})
write_json("result_nested.json", {
    "gene_order": genes, "model_version": version,
    "outputs": [{"metadata": metadata[s], "counts": {"counts": counts[s].tolist()}, "latents": latents(s)} for s in range(N_SAMPLES)],
})
write_json("result_map.json", {
    "model_version": version,
    "outputs": [{"counts": {genes[g]: int(counts[s, g]) for g in rng.permutation(N_GENES) if counts[s, g] != 0},
                 "metadata": metadata[s], "latents": latents(s)} for s in range(N_SAMPLES)],
    "gene_order": genes,
})

# Metadata prediction: four samples, two fields.
N_MP = 4
classes = {"sex": ["female", "male"], "sample_type": ["cell line", "primary cells", "primary tissue"]}
probs = {f: rng.dirichlet(np.ones(len(c)), size=N_MP) for f, c in classes.items()}
predicted = [{f: classes[f][int(np.argmax(probs[f][s]))] for f in classes} for s in range(N_MP)]
decoded = rng.poisson(20, size=(N_MP, N_GENES))
write_json("result_metadata.json", {
    "outputs": [{"metadata": predicted[s],
                 "classifier_probs": {f: {c: float(probs[f][s, j]) for j, c in enumerate(classes[f])} for f in classes},
                 "latents": latents(s),
                 "decoder_sample": {"counts": decoded[s].tolist()}} for s in range(N_MP)],
    "gene_order": genes, "model_version": version,
})


def list_col(rows, typ):
    return pa.array([list(r) for r in rows], type=pa.list_(typ))


def write_stream(name, schema, batches):
    with pa.OSFile(str(OUT / name), "wb") as sink:
        with ipc.new_stream(sink, schema) as writer:
            for b in batches:
                writer.write_batch(b)


meta_keys = sorted({k for m in metadata for k in m})
schema_meta = {"request_type": "baseline", "model_version": version, "gene_order": json.dumps(genes)}
meta_type = pa.struct([(k, pa.string()) for k in meta_keys])
base_schema = pa.schema([
    ("counts", pa.list_(pa.int64())), ("metadata", meta_type),
    ("biological_latent", pa.list_(pa.float64())), ("technical_latent", pa.list_(pa.float64())),
    ("perturbation_latent", pa.list_(pa.float64())),
], metadata=schema_meta)


def base_batch(rows):
    return pa.record_batch([
        list_col(counts[rows], pa.int64()),
        pa.array([{k: metadata[s].get(k) for k in meta_keys} for s in rows], type=meta_type),
        list_col(bio[rows], pa.float64()), list_col(tech[rows], pa.float64()), list_col(pert[rows], pa.float64()),
    ], schema=base_schema)


write_stream("result_baseline.arrow", base_schema, [base_batch(list(r)) for r in ([0, 1, 2], [3, 4, 5], [6])])

mp_meta = dict(schema_meta, request_type="predict_metadata")
probs_type = pa.struct([(f, pa.struct([(c, pa.float64()) for c in classes[f]])) for f in classes])
lat_type = pa.struct([(k, pa.list_(pa.float64())) for k in ("biological", "technical", "perturbation")])
mp_schema = pa.schema([
    ("metadata", pa.struct([(f, pa.string()) for f in classes])),
    ("classifier_probs", probs_type), ("latents", lat_type),
    ("decoder_sample", pa.struct([("counts", pa.list_(pa.int32()))])),
], metadata=mp_meta)


def mp_batch(rows):
    return pa.record_batch([
        pa.array([predicted[s] for s in rows], type=mp_schema.field("metadata").type),
        pa.array([{f: {c: float(probs[f][s, j]) for j, c in enumerate(classes[f])} for f in classes} for s in rows], type=probs_type),
        pa.array([latents(s) for s in rows], type=lat_type),
        pa.array([{"counts": decoded[s].tolist()} for s in rows], type=mp_schema.field("decoder_sample").type),
    ], schema=mp_schema)


write_stream("result_metadata.arrow", mp_schema, [mp_batch([0, 1]), mp_batch([2, 3])])

ragged_schema = pa.schema([("counts", pa.list_(pa.int64()))], metadata=schema_meta)
write_stream("result_ragged.arrow", ragged_schema, [pa.record_batch(
    [pa.array([counts[0].tolist(), counts[1].tolist()[:-1]], type=pa.list_(pa.int64()))], schema=ragged_schema)])

expected = {
    "expression": {
        "gene_order": genes, "model_version": version, "counts": counts.tolist(), "metadata": metadata,
        "latents": {"biological": bio.tolist(), "technical": tech.tolist(), "perturbation": pert.tolist()},
    },
    "metadata_prediction": {
        "gene_order": genes, "model_version": version, "counts": decoded.tolist(), "metadata": predicted,
        "classifier_probs": {f: {"classes": classes[f], "probs": probs[f].tolist()} for f in classes},
        "latents": {"biological": bio[:N_MP].tolist(), "technical": tech[:N_MP].tolist(), "perturbation": pert[:N_MP].tolist()},
    },
}
(OUT / "expected.json").write_text(json.dumps(expected, indent=1))
print("wrote", sorted(p.name for p in OUT.iterdir() if p.suffix in (".json", ".arrow")))
