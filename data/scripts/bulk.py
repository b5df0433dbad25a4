"""Bulk RNA-seq: common Ensembl gene space, counts matrix and sample table.

Datasets used (folder under the tables sources.py writes -> dataset name):
  airway_dex_inmoose     -> airway    (Ensembl 75 gene ids)
  lncap_androgen_goseq   -> lncap     (Ensembl 54 gene ids)
  geuvadis_sex_degreport -> geuvadis  (Ensembl gene ids, 10,101 genes pre-filtered by the carrier)
  bodymap4_rgsepd        -> bodymap   (RefSeq transcripts, mapped to Ensembl genes here)
  tcga_brca_tcgabiolinks -> tcga_brca (SYMBOL|Entrez rows, RSEM expected counts; added
                                       onto the gene space, see below)
Marioni (chromosomes 1-4 only) is deliberately not used: see data/SOURCE.md.

Gene space rule: an Ensembl gene is kept if it is annotated in org.Hs.eg.db
(so it has a symbol and a chromosome) and it is measured (present as a row of
the source table, zero counts included) in at least all but one of the four
datasets. A cell is left EMPTY where the dataset did not measure the gene;
`bulk/measured.tsv` gives the same information as a 0/1 table.

BodyMap RefSeq -> Ensembl: accession -> Entrez (org.Hs.eg.db refseq table)
-> Ensembl. A RefSeq reaching several Ensembl ids is kept only if exactly one
of them is measured in all three Ensembl-based sets (then it goes there),
otherwise dropped. Per gene the transcript counts are combined by MAX, not
sum: the carrier's counts are coverageBed counts per transcript, so a read on
an exon shared by several isoforms is counted once per isoform (isoforms of a
gene carry near-identical counts), and a sum would inflate multi-isoform
genes by their isoform number. The max is the read count of the best covered
isoform: a lower bound of the gene's reads, exact when isoforms share exons.

TCGA BRCA is added to the gene space the first four datasets define; it does
not take part in the rule, so adding it changes neither the genes nor their
order. Its rows are mapped Entrez -> Ensembl (org.Hs.eg.db): a row is kept if
its Entrez gene links to exactly one Ensembl id of the gene space (other
links, outside the space, are ignored, as for BodyMap); an Entrez gene with
several Ensembl ids in the space is dropped, and an Ensembl id reached by
several rows is left unmeasured (no sum of different NCBI genes). The RSEM
expected counts are rounded to the nearest integer, halves to even (np.rint).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from annotation import Annotation
from common import write_tsv
from metadata import BULK_SAMPLE_COLUMNS, bulk_sample_rows

DATASETS = [
    ("airway", "airway_dex_inmoose"),
    ("lncap", "lncap_androgen_goseq"),
    ("geuvadis", "geuvadis_sex_degreport"),
    ("bodymap", "bodymap4_rgsepd"),
    ("tcga_brca", "tcga_brca_tcgabiolinks"),
]
# The datasets whose measured genes define the gene space (the rule above);
# the others are mapped onto that space afterwards.
SPACE_DATASETS = ["airway", "lncap", "geuvadis", "bodymap"]
ENSEMBL_SETS = ["airway", "lncap", "geuvadis"]

# Sex marker genes (symbol -> Ensembl id, checked against the annotation at run time).
SEX_MARKERS = {
    "XIST": "ENSG00000229807",
    "RPS4Y1": "ENSG00000129824",
    "DDX3Y": "ENSG00000067048",
    "KDM5D": "ENSG00000012817",
    "UTY": "ENSG00000183878",
    "EIF1AY": "ENSG00000198692",
}


def read_counts(tables: Path, folder: str) -> pd.DataFrame:
    """Read a carrier counts table (genes x samples, integer counts)."""
    df = pd.read_csv(tables / folder / "counts.tsv.gz", sep="\t", index_col=0)
    if not df.index.is_unique:
        raise ValueError(f"{folder}: duplicated gene ids")
    arr = df.to_numpy()
    if not np.issubdtype(arr.dtype, np.integer) or (arr < 0).any():
        raise ValueError(f"{folder}: counts are not non-negative integers")
    return df


def read_expected_counts(tables: Path, folder: str) -> pd.DataFrame:
    """Read a table of non-integer expected counts and round them to the nearest integer (halves to even)."""
    df = pd.read_csv(tables / folder / "counts.tsv.gz", sep="\t", index_col=0)
    if not df.index.is_unique:
        raise ValueError(f"{folder}: duplicated gene ids")
    arr = df.to_numpy(dtype=np.float64)
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{folder}: expected counts are not finite and non-negative")
    return pd.DataFrame(np.rint(arr).astype(np.int64), index=df.index, columns=df.columns)


def read_samples(tables: Path, folder: str) -> pd.DataFrame:
    """Read a carrier sample table (first column = sample id, as strings)."""
    return pd.read_csv(tables / folder / "samples.tsv.gz", sep="\t", dtype=str, keep_default_na=False)


def source_ensembl_ids(tables: Path) -> set[str]:
    """All Ensembl ids of the Ensembl-based bulk sources (for annotation extraction)."""
    ids: set[str] = set()
    for name, folder in DATASETS:
        if name in ENSEMBL_SETS:
            ids |= set(pd.read_csv(tables / folder / "counts.tsv.gz", sep="\t", usecols=[0]).iloc[:, 0])
    return ids


def bodymap_refseq_ids(tables: Path) -> set[str]:
    """RefSeq accessions of the BodyMap table."""
    return set(pd.read_csv(tables / "bodymap4_rgsepd" / "counts.tsv.gz", sep="\t", usecols=[0]).iloc[:, 0])


def bodymap_to_ensembl(bm: pd.DataFrame, ann: Annotation, ensembl_common: set[str]) -> tuple[pd.DataFrame, dict]:
    """Collapse BodyMap transcripts to Ensembl genes (max over transcripts)."""
    stats = {"transcripts": len(bm), "no_entrez": 0, "no_ensembl": 0, "ambiguous_dropped": 0, "resolved_ambiguous": 0}
    target = {}
    for acc in sorted(bm.index):
        entrez = ann.refseq_to_entrez.get(acc)
        if not entrez:
            stats["no_entrez"] += 1
            continue
        cands = sorted({e for ez in entrez for e in ann.entrez_to_ens.get(ez, [])})
        if not cands:
            stats["no_ensembl"] += 1
            continue
        if len(cands) == 1:
            target[acc] = cands[0]
            continue
        inside = [c for c in cands if c in ensembl_common]
        if len(inside) == 1:
            target[acc] = inside[0]
            stats["resolved_ambiguous"] += 1
        else:
            stats["ambiguous_dropped"] += 1
    sub = bm.loc[sorted(target)]
    genes = sub.groupby(pd.Series([target[a] for a in sub.index], index=sub.index)).max()
    stats["genes"] = len(genes)
    stats["transcripts_used"] = len(target)
    return genes.sort_index(), stats


def tcga_to_ensembl(tc: pd.DataFrame, ann: Annotation, space: list[str]) -> tuple[pd.DataFrame, dict]:
    """Map TCGA `SYMBOL|ENTREZ` rows onto the Ensembl ids of the gene space (see the module doc)."""
    inside = set(space)
    stats = {"rows": len(tc), "no_ensembl_link": 0, "not_in_space": 0, "several_in_space_dropped": 0,
             "one_in_space_of_several": 0}
    target: dict[str, str] = {}
    for row in sorted(tc.index):
        entrez = int(row.rsplit("|", 1)[1])
        links = ann.entrez_to_ens.get(entrez, [])
        if not links:
            # retired since the TCGA annotation, no Ensembl id, or linked only outside the bulk sources
            stats["no_ensembl_link"] += 1
            continue
        cands = [e for e in links if e in inside]
        if not cands:
            stats["not_in_space"] += 1
        elif len(cands) > 1:
            stats["several_in_space_dropped"] += 1
        else:
            target[row] = cands[0]
            stats["one_in_space_of_several"] += len(links) > 1
    reached: dict[str, list[str]] = {}
    for row, ens in target.items():
        reached.setdefault(ens, []).append(row)
    shared = {e for e, rows in reached.items() if len(rows) > 1}
    stats["genes_reached_by_several_rows_dropped"] = len(shared)
    stats["rows_of_those_genes"] = sum(len(reached[e]) for e in shared)
    keep = sorted(r for r, e in target.items() if e not in shared)
    genes = tc.loc[keep]
    genes.index = [target[r] for r in keep]
    stats["genes"] = len(genes)
    return genes.sort_index(), stats


def build(tables: Path, out: Path, ann: Annotation) -> dict:
    """Write bulk/counts.tsv.gz, bulk/samples.tsv, bulk/measured.tsv; return a summary."""
    for symbol, gid in SEX_MARKERS.items():
        if gid not in ann.ens or ann.symbol_chrom(gid)[0] != symbol:
            raise ValueError(f"sex marker {symbol} is not {gid} in the annotation")
    counts = {
        name: read_expected_counts(tables, folder) if name == "tcga_brca" else read_counts(tables, folder)
        for name, folder in DATASETS
    }
    samples = {name: read_samples(tables, folder) for name, folder in DATASETS}
    ensembl_common = set.intersection(*(set(counts[n].index) for n in ENSEMBL_SETS))
    counts["bodymap"], bm_stats = bodymap_to_ensembl(counts["bodymap"], ann, ensembl_common)

    measured = {n: set(counts[n].index) for n in SPACE_DATASETS}
    universe = sorted(set().union(*measured.values()))
    n_sets = {g: sum(g in measured[n] for n in SPACE_DATASETS) for g in universe}
    genes = [g for g in universe if n_sets[g] >= len(SPACE_DATASETS) - 1 and g in ann.ens]
    complete = [g for g in genes if n_sets[g] == len(SPACE_DATASETS)]
    counts["tcga_brca"], tcga_stats = tcga_to_ensembl(counts["tcga_brca"], ann, genes)
    measured["tcga_brca"] = set(counts["tcga_brca"].index)

    # Sample order: datasets in DATASETS order, samples sorted by source id.
    col_blocks = []
    sample_rows = []
    for name, _ in DATASETS:
        src_ids = sorted(counts[name].columns)
        rows = bulk_sample_rows(name, samples[name], src_ids)
        sample_rows.extend(rows)
        block = counts[name].reindex(index=genes, columns=src_ids)
        block.columns = [r[0] for r in rows]
        col_blocks.append(block)
    mat = pd.concat(col_blocks, axis=1)
    sample_ids = list(mat.columns)
    if len(set(sample_ids)) != len(sample_ids):
        raise ValueError("duplicated bulk sample ids")

    def count_rows():
        values = mat.to_numpy(dtype=float)
        for gi, g in enumerate(genes):
            row = values[gi]
            yield [g] + ["" if np.isnan(v) else str(int(v)) for v in row]

    write_tsv(out / "bulk" / "counts.tsv.gz", ["gene_id"] + sample_ids, count_rows())
    write_tsv(out / "bulk" / "samples.tsv", BULK_SAMPLE_COLUMNS, sample_rows)
    write_tsv(
        out / "bulk" / "measured.tsv",
        ["gene_id"] + [n for n, _ in DATASETS],
        ([g] + [int(g in measured[n]) for n, _ in DATASETS] for g in genes),
    )
    missing = {n: sum(g not in measured[n] for g in genes) for n, _ in DATASETS}
    sex_genes = {}
    for symbol, gid in SEX_MARKERS.items():
        where = [n for n, _ in DATASETS if gid in measured[n]]
        sex_genes[symbol] = f"{gid} in gene space={gid in genes}, measured in {where}"
    return {
        "genes": genes,
        "complete_genes": len(complete),
        "complete_genes_all_datasets": sum(all(g in measured[n] for n, _ in DATASETS) for g in genes),
        "missing_per_dataset": missing,
        "samples_per_dataset": {n: len(counts[n].columns) for n, _ in DATASETS},
        "bodymap": bm_stats,
        "tcga_brca": tcga_stats,
        "measured": measured,
        "ensembl_common_3": len(ensembl_common),
        "sex_genes": sex_genes,
    }
