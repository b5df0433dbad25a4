"""Writes a small real slice of the GEUVADIS counts table for the command-line
acceptance test of `synthbio qc` (crates/synthbio-cli/tests/real_tables.rs).

Run from the repository root (virtualenv from data/scripts/requirements.txt):

    .venv/bin/python crates/synthbio-qc/tests/data/make_geuvadis_slice.py

Source: as make_geuvadis_markers.py, the GEUVADIS lymphoblastoid cell lines shipped
by Debian's r-bioc-degreport 1.34.0+dfsg-1 (DEGreport/data/humanGender.rda; MIT),
tabulated by data/scripts/sources.py. The table is kept as published: every one of
its 10,101 genes (so library sizes are real and XIST is absent, as in the source),
for the first 6 female and first 6 male samples in file order.

Writes geuvadis_slice_counts.tsv.gz (genes x samples) and
geuvadis_slice_claimed.tsv: the claimed sex of each sample with four labels swapped
on purpose (two females claimed male, two males claimed female), and the true sex.
"""

import gzip
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../../data/scripts"))
import sources  # noqa: E402

SOURCE = sources.dataset("geuvadis_sex_degreport")
PER_SEX = 6


def rows(name):
    with gzip.open(os.path.join(SOURCE, name), "rt") as f:
        return [line.rstrip("\n").split("\t") for line in f]


counts = rows("counts.tsv.gz")
samples = rows("samples.tsv.gz")[1:]
sex = {s[0]: s[1].lower() for s in samples}
females = [s[0] for s in samples if sex[s[0]] == "female"][:PER_SEX]
males = [s[0] for s in samples if sex[s[0]] == "male"][:PER_SEX]
header = counts[0]
keep = [s for s in header[1:] if s in females or s in males]
cols = [header.index(s) for s in keep]
text = "\t".join(["gene_id", *keep]) + "\n"
text += "".join("\t".join([r[0], *(r[i] for i in cols)]) + "\n" for r in counts[1:])
with open(os.path.join(HERE, "geuvadis_slice_counts.tsv.gz"), "wb") as raw:
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as f:
        f.write(text.encode())

swapped = {females[0]: "male", females[3]: "male", males[1]: "female", males[4]: "female"}
with open(os.path.join(HERE, "geuvadis_slice_claimed.tsv"), "w") as f:
    f.write("sample_id\tsex\ttrue_sex\n")
    for s in keep:
        f.write(f"{s}\t{swapped.get(s, sex[s])}\t{sex[s]}\n")
print(f"{len(counts) - 1} genes x {len(keep)} samples; swapped: {sorted(swapped)}")
