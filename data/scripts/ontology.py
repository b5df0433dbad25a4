"""data/genes.tsv and data/ontology.tsv, plus consistency checks."""

from __future__ import annotations

from pathlib import Path

from annotation import Annotation
from common import read_tsv, write_tsv
from metadata import ONTOLOGY, ONTOLOGY_COLUMNS


def used_gene_ids(out: Path) -> list[str]:
    """Union of the bulk and single-cell gene ids present in `out`, sorted."""
    ids: set[str] = set()
    if (out / "bulk" / "measured.tsv").exists():
        ids |= {r["gene_id"] for r in read_tsv(out / "bulk" / "measured.tsv")}
    if (out / "sc" / "genes.tsv").exists():
        ids |= {r["gene_id"] for r in read_tsv(out / "sc" / "genes.tsv")}
    return sorted(ids)


def write(out: Path, ann: Annotation) -> None:
    """Write genes.tsv and ontology.tsv (rows for the values used); fail if a used value is not listed."""
    genes = used_gene_ids(out)
    write_tsv(out / "genes.tsv", ["gene_id", "symbol", "chromosome"], ([g, *ann.symbol_chrom(g)] for g in genes))

    listed = {(k, v) for k, v, _, _ in ONTOLOGY}
    if len(listed) != len(ONTOLOGY):
        raise ValueError("ONTOLOGY has duplicated (key, value) rows")
    used: set[tuple[str, str]] = set()
    for table in (out / "bulk" / "samples.tsv", out / "sc" / "cells.tsv"):
        if table.exists():
            for r in read_tsv(table):
                for col in ONTOLOGY_COLUMNS:
                    if r.get(col):
                        used.add((col, r[col]))
    missing = sorted(used - listed)
    if missing:
        raise ValueError(f"ontology values used but not in metadata.ONTOLOGY: {missing}")
    rows = sorted(r for r in ONTOLOGY if (r[0], r[1]) in used)
    write_tsv(out / "ontology.tsv", ["key", "value", "label", "source"], rows)
