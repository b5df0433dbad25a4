"""Marker-gene cell-type assignment for the Kang 2018 PBMC cells (derived labels).

The carrier ships no cell-type labels, so each cell gets a label from this
fixed, deterministic procedure (no clustering, no random numbers). The
procedure and the reasons for each marker are in data/scripts/README.md.

1. Normalise: x = log1p(10,000 * count / cell total) (the usual log-normalised
   expression; totals over all genes of the carrier matrix).
2. Scale each marker gene g to [0, 1]: s_g = the 99th percentile of its nonzero
   x over all cells of both conditions; x'_g = min(x_g / s_g, 1). Using nonzero
   values keeps rare-cell markers (PPBP, FCER1A) on the same footing as
   ubiquitous ones (LYZ, CST3).
3. Lineage score = mean x' of the lineage's markers (LINEAGES below).
4. Call = the best lineage, unless its score is below MIN_SCORE (too little
   marker signal) or less than MIN_MARGIN above the runner-up (ambiguous, e.g.
   intermediate monocytes): then 'unassigned'.
5. T lineage split: CD8 score (CD8A, CD8B) >= SUBTYPE_MIN -> CD8-positive
   alpha-beta T cell; else CD4-evidence score (IL7R, CCR7) >= SUBTYPE_MIN ->
   CD4-positive alpha-beta T cell; else 'T cell' (no subtype evidence).

No marker is an interferon-stimulated gene (checked against ISG_EXCLUDED), and
CD14 is deliberately not used: IFN-beta suppresses it (detected in 34% of
control cells, 9% of stimulated cells), which would make the monocyte call
depend on the condition. `marker_stability()` reports, per marker, the share of
cells detecting it in each condition so the README can show the check.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# label -> markers (HGNC symbols of the carrier). Order matters only for ties,
# which are resolved by this order (first wins) and then fall under MIN_MARGIN.
LINEAGES: dict[str, list[str]] = {
    "classical monocyte": ["LYZ", "FCN1"],
    "non-classical monocyte": ["FCGR3A", "MS4A7"],
    "T cell": ["CD3D", "CD3E", "IL7R"],
    "natural killer cell": ["GNLY", "NKG7"],
    "B cell": ["MS4A1", "CD79A"],
    "dendritic cell": ["FCER1A", "CLEC10A", "HLA-DQA1", "CST3"],
    "megakaryocyte": ["PPBP", "PF4"],
}
CD8_MARKERS = ["CD8A", "CD8B"]
CD4_EVIDENCE = ["IL7R", "CCR7"]

MIN_SCORE = 0.15
MIN_MARGIN = 0.05
SUBTYPE_MIN = 0.2

UNASSIGNED = "unassigned"
CD8_T = "CD8-positive, alpha-beta T cell"
CD4_T = "CD4-positive, alpha-beta T cell"

# Cell Ontology ids of the labels (labels verified, see data/ontology.tsv).
CELL_ONTOLOGY = {
    "classical monocyte": "CL:0000860",
    "non-classical monocyte": "CL:0000875",
    "T cell": "CL:0000084",
    CD4_T: "CL:0000624",
    CD8_T: "CL:0000625",
    "natural killer cell": "CL:0000623",
    "B cell": "CL:0000236",
    "dendritic cell": "CL:0000451",
    "megakaryocyte": "CL:0000556",
    UNASSIGNED: "",
}

# Canonical type-I interferon-stimulated genes that must never be markers.
ISG_EXCLUDED = {
    "ISG15", "ISG20", "IFI6", "IFI27", "IFI35", "IFI44", "IFI44L", "IFIH1", "IFIT1", "IFIT2", "IFIT3",
    "IFIT5", "IFITM1", "IFITM2", "IFITM3", "MX1", "MX2", "OAS1", "OAS2", "OAS3", "OASL", "RSAD2",
    "IRF7", "IRF9", "STAT1", "STAT2", "BST2", "XAF1", "LY6E", "HERC5", "HERC6", "EPSTI1", "PLSCR1",
    "SIGLEC1", "CXCL10", "CXCL11", "LGALS3BP", "SAMD9", "SAMD9L", "DDX58", "DDX60", "EIF2AK2",
    "GBP1", "PARP9", "PARP14", "TRIM22", "USP18", "CMPK2", "SP110", "APOBEC3A", "TNFSF10",
}


def all_markers() -> list[str]:
    """Every marker symbol used, sorted."""
    genes = {g for gs in LINEAGES.values() for g in gs} | set(CD8_MARKERS) | set(CD4_EVIDENCE)
    return sorted(genes)


def log_normalise(counts: sp.csr_matrix) -> sp.csr_matrix:
    """log1p(1e4 * count / cell total) for a genes x cells CSR matrix."""
    totals = np.asarray(counts.sum(axis=0)).ravel().astype(float)
    if (totals <= 0).any():
        raise ValueError("a cell has zero total counts")
    x = counts.astype(float).multiply(1e4 / totals).tocsr()
    x.data = np.log1p(x.data)
    return x


def assign(counts: sp.csr_matrix, symbols: list[str]) -> tuple[list[str], dict[str, np.ndarray]]:
    """Label every column of a genes x cells count matrix; also return the scores."""
    bad = sorted(set(all_markers()) & ISG_EXCLUDED)
    if bad:
        raise ValueError(f"interferon-stimulated genes used as markers: {bad}")
    index = {s: i for i, s in enumerate(symbols)}
    missing = [g for g in all_markers() if g not in index]
    if missing:
        raise ValueError(f"marker genes absent from the matrix: {missing}")
    x = log_normalise(counts)
    scaled = {}
    for g in all_markers():
        v = x[index[g]].toarray().ravel()
        nz = v[v > 0]
        if nz.size == 0:
            raise ValueError(f"marker {g} is never detected")
        scaled[g] = np.minimum(v / np.quantile(nz, 0.99), 1.0)

    names = list(LINEAGES)
    scores = np.vstack([np.mean([scaled[g] for g in LINEAGES[n]], axis=0) for n in names]).T
    order = np.argsort(-scores, axis=1, kind="stable")
    rows = np.arange(scores.shape[0])
    best = scores[rows, order[:, 0]]
    second = scores[rows, order[:, 1]]
    cd8 = np.mean([scaled[g] for g in CD8_MARKERS], axis=0)
    cd4 = np.mean([scaled[g] for g in CD4_EVIDENCE], axis=0)

    labels = []
    for i in rows:
        if best[i] < MIN_SCORE or best[i] - second[i] < MIN_MARGIN:
            labels.append(UNASSIGNED)
            continue
        lab = names[order[i, 0]]
        if lab == "T cell":
            if cd8[i] >= SUBTYPE_MIN:
                lab = CD8_T
            elif cd4[i] >= SUBTYPE_MIN:
                lab = CD4_T
        labels.append(lab)
    score_table = {n: scores[:, k] for k, n in enumerate(names)}
    score_table["CD8 (CD8A, CD8B)"] = cd8
    score_table["CD4 evidence (IL7R, CCR7)"] = cd4
    return labels, score_table


def marker_stability(counts: sp.csr_matrix, symbols: list[str], condition: np.ndarray) -> list[tuple]:
    """Per marker: share of ctrl cells and of stim cells detecting it (count > 0)."""
    index = {s: i for i, s in enumerate(symbols)}
    out = []
    for g in all_markers() + ["CD14"]:
        det = counts[index[g]].toarray().ravel() > 0
        c = det[condition == "ctrl"].mean()
        s = det[condition == "stim"].mean()
        out.append((g, round(float(c), 3), round(float(s), 3), round(float(s / c), 2) if c > 0 else None))
    return out
