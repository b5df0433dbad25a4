"""Extracts the sex marker genes of the GEUVADIS samples for synthbio-qc's tests.

Run from the repository root (virtualenv from data/scripts/requirements.txt):

    .venv/bin/python crates/synthbio-qc/tests/data/make_geuvadis_markers.py

Source: GEUVADIS lymphoblastoid cell lines of 85 TSI individuals (Lappalainen
et al. 2013) as shipped by Debian's r-bioc-degreport 1.34.0+dfsg-1
(DEGreport/data/humanGender.rda; MIT), which data/scripts/sources.py downloads
with `apt-get download` and tabulates. Writes
geuvadis_sex_markers.tsv: one row per sample with its claimed sex, its library
size (total count over all 10,101 genes of the source) and the raw counts of
every marker gene of synthbio-qc found in the source (XIST is not among the
source's genes).

Also writes geuvadis_sex_markers_expected.tsv: each sample's mean log2(CPM + 1)
over the Y markers present, computed here with numpy, as the reference for the
Rust computation.
"""

import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../../data/scripts"))
import sources  # noqa: E402

SOURCE = sources.dataset("geuvadis_sex_degreport")
MARKERS = {  # synthbio-qc src/markers.rs
    "XIST": "ENSG00000229807",
    "RPS4Y1": "ENSG00000129824",
    "DDX3Y": "ENSG00000067048",
    "KDM5D": "ENSG00000012817",
    "UTY": "ENSG00000183878",
    "EIF1AY": "ENSG00000198692",
    "USP9Y": "ENSG00000114374",
    "ZFY": "ENSG00000067646",
    "NLGN4Y": "ENSG00000165246",
    "TXLNGY": "ENSG00000131002",
}

counts = pd.read_csv(os.path.join(SOURCE, "counts.tsv.gz"), sep="\t", index_col=0)
samples = pd.read_csv(os.path.join(SOURCE, "samples.tsv.gz"), sep="\t", index_col=0)
assert (counts.columns == samples.index).all()
assert (counts.sum(axis=0).values == samples["lib_size"].values).all()
present = [g for g in MARKERS.values() if g in counts.index]
out = pd.concat([samples[["sex", "lib_size"]], counts.loc[present].T], axis=1)
out.index.name = "sample_id"
out.to_csv(os.path.join(HERE, "geuvadis_sex_markers.tsv"), sep="\t")
y = [g for g in present if g != MARKERS["XIST"]]
cpm = counts.loc[y].to_numpy(dtype=float) / samples["lib_size"].to_numpy(dtype=float) * 1e6
expected = pd.DataFrame({"y_log2cpm": np.log2(cpm + 1.0).mean(axis=0)}, index=samples.index)
expected.index.name = "sample_id"
expected.to_csv(os.path.join(HERE, "geuvadis_sex_markers_expected.tsv"), sep="\t", float_format="%.17g")
print(f"{len(out)} samples, markers present: {present}")
