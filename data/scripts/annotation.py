"""Gene annotation tables extracted from Debian's r-bioc-org.hs.eg.db.

The package ships an SQLite database (NCBI Entrez Gene based) mapping Entrez
ids to symbols, aliases, chromosomes, RefSeq accessions and Ensembl gene ids.
`extract()` copies only the rows this project needs into `data/annotation/`
so that `prepare_data.py` can rerun without the package: if the three
tables are present they are used as they are, otherwise they are rebuilt from
the SQLite file of the `.deb` that `sources.py` fetches and unpacks
(`usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite`).

Tables (all gzipped TSV, sorted):
- ensembl_symbol_chrom.tsv.gz: ensembl_id, entrez_id, symbol, chromosome
  (one row per Ensembl-Entrez link; chromosome values joined by ';' when NCBI
  lists several, e.g. pseudoautosomal genes 'X;Y').
- refseq_entrez.tsv.gz: refseq_id, entrez_id (RefSeq accessions of the
  BodyMap table, without version, to their Entrez gene).
- symbol_entrez.tsv.gz: symbol, entrez_id, kind ('official' or 'alias') for
  the gene symbols of the single-cell set.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from common import read_tsv, write_tsv

ENS_TABLE = "ensembl_symbol_chrom.tsv.gz"
REFSEQ_TABLE = "refseq_entrez.tsv.gz"
SYMBOL_TABLE = "symbol_entrez.tsv.gz"


@dataclass
class Annotation:
    """In-memory view of the three extracted tables."""

    # ensembl id -> sorted list of (entrez id as int, symbol, chromosome)
    ens: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    # entrez id -> sorted list of ensembl ids
    entrez_to_ens: dict[int, list[str]] = field(default_factory=dict)
    # refseq accession -> sorted list of entrez ids
    refseq_to_entrez: dict[str, list[int]] = field(default_factory=dict)
    # symbol -> {"official": [entrez...], "alias": [entrez...]}
    symbol_to_entrez: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def symbol_chrom(self, ensembl_id: str) -> tuple[str, str]:
        """Symbol and chromosome of an Ensembl id (lowest Entrez id wins if several)."""
        entrez, symbol, chrom = self.ens[ensembl_id][0]
        return symbol, chrom


def tables_present(dest: Path) -> bool:
    """True if all three extracted tables exist in `dest`."""
    return all((dest / t).exists() for t in (ENS_TABLE, REFSEQ_TABLE, SYMBOL_TABLE))


def extract(
    sqlite: Path,
    dest: Path,
    bulk_ensembl_ids: set[str],
    refseq_ids: set[str],
    symbols: set[str],
) -> None:
    """Write the three tables from the org.Hs.eg.db SQLite, keeping needed rows only.

    Rows kept: every Ensembl link of an Ensembl id in `bulk_ensembl_ids`, of an
    Entrez gene reached from `refseq_ids`, or of an Entrez gene whose official
    symbol or alias is in `symbols`.
    """
    if not sqlite.exists():
        raise FileNotFoundError(
            f"{sqlite} not found and extracted tables missing in {dest}: "
            "sources.fetch() unpacks it from Debian's r-bioc-org.hs.eg.db"
        )
    con = sqlite3.connect(f"file:{sqlite}?mode=ro", uri=True)
    q = con.execute
    entrez_of = dict(q("SELECT _id, gene_id FROM genes"))
    symbol_of = dict(q("SELECT _id, symbol FROM gene_info"))
    chroms: dict[int, set[str]] = defaultdict(set)
    for _id, chrom in q("SELECT _id, chromosome FROM chromosomes"):
        chroms[_id].add(chrom)
    ens_links = list(q("SELECT _id, ensembl_id FROM ensembl"))

    refseq_rows = sorted(
        {(acc, int(entrez_of[_id])) for _id, acc in q("SELECT _id, accession FROM refseq") if acc in refseq_ids}
    )
    sym_rows = set()
    for _id, sym in q("SELECT _id, symbol FROM gene_info"):
        if sym in symbols:
            sym_rows.add((sym, int(entrez_of[_id]), "official"))
    for _id, alias in q("SELECT _id, alias_symbol FROM alias"):
        if alias in symbols and symbol_of[_id] != alias:
            sym_rows.add((alias, int(entrez_of[_id]), "alias"))
    sym_rows = sorted(sym_rows)

    needed_entrez = {e for _, e in refseq_rows} | {e for _, e, _ in sym_rows}
    ens_rows = sorted(
        {
            (ens, int(entrez_of[_id]), symbol_of[_id], ";".join(sorted(chroms.get(_id, set()))))
            for _id, ens in ens_links
            if ens in bulk_ensembl_ids or int(entrez_of[_id]) in needed_entrez
        }
    )
    con.close()
    write_tsv(dest / ENS_TABLE, ["ensembl_id", "entrez_id", "symbol", "chromosome"], ens_rows)
    write_tsv(dest / REFSEQ_TABLE, ["refseq_id", "entrez_id"], refseq_rows)
    write_tsv(dest / SYMBOL_TABLE, ["symbol", "entrez_id", "kind"], sym_rows)


def load(dest: Path) -> Annotation:
    """Load the extracted tables from `dest`."""
    ann = Annotation()
    ens: dict[str, list] = defaultdict(list)
    e2e: dict[int, list] = defaultdict(list)
    for r in read_tsv(dest / ENS_TABLE):
        entrez = int(r["entrez_id"])
        ens[r["ensembl_id"]].append((entrez, r["symbol"], r["chromosome"]))
        e2e[entrez].append(r["ensembl_id"])
    ann.ens = {k: sorted(v) for k, v in ens.items()}
    ann.entrez_to_ens = {k: sorted(set(v)) for k, v in e2e.items()}
    r2e: dict[str, list] = defaultdict(list)
    for r in read_tsv(dest / REFSEQ_TABLE):
        r2e[r["refseq_id"]].append(int(r["entrez_id"]))
    ann.refseq_to_entrez = {k: sorted(set(v)) for k, v in r2e.items()}
    s2e: dict[str, dict[str, list]] = defaultdict(lambda: {"official": [], "alias": []})
    for r in read_tsv(dest / SYMBOL_TABLE):
        s2e[r["symbol"]][r["kind"]].append(int(r["entrez_id"]))
    ann.symbol_to_entrez = {k: {kk: sorted(set(vv)) for kk, vv in v.items()} for k, v in s2e.items()}
    return ann
