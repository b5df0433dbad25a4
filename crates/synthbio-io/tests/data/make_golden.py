"""Writes airway_50genes_golden.json: the airway slice as pandas reads it, samples x genes.

Run from this folder with the workspace venv: ../../../../.venv/bin/python make_golden.py
The tests compare synthbio-io's reading of the same files with this (CI does not run it).
"""
import json

import pandas as pd

counts = pd.read_csv("airway_50genes.tsv.gz", sep="\t", index_col=0)
samples = pd.read_csv("airway_samples.tsv.gz", sep="\t", index_col=0, dtype=str)
golden = {
    "gene_ids": counts.index.tolist(),
    "sample_ids": counts.columns.tolist(),
    # samples x genes, as synthbio's Dataset holds counts
    "counts": counts.T.astype(int).values.tolist(),
    "library_sizes": counts.sum(axis=0).astype(int).tolist(),
    "dex": samples.loc[counts.columns, "dex"].tolist(),
    "cell": samples.loc[counts.columns, "cell"].tolist(),
}
with open("airway_50genes_golden.json", "w") as f:
    json.dump(golden, f, indent=1)
    f.write("\n")
