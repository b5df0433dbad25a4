"""Every Parquet dataset under <reports>/parquet, read as one table by
pyarrow.dataset (Hive partitioning) and by DuckDB (read_parquet with
hive_partitioning), must equal the TSV table of the same name: same rows in
any order, the partition folders back as columns, numbers to 1e-12 relative,
empty cells as nulls. Exits non-zero on the first difference."""

import math
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow
import pyarrow.dataset as ds


def tsv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def cell(v) -> str:
    """A value as comparable text: '' for null, numbers by value."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=1e-12, abs_tol=0.0) or (math.isnan(x) and math.isnan(y))


def compare(name: str, expected: pd.DataFrame, got: pd.DataFrame, reader: str) -> None:
    got = got.drop(columns=["study"])
    if list(got.columns) != list(expected.columns):
        # partition columns come back last; put them where the TSV has them
        if sorted(got.columns) != sorted(expected.columns):
            sys.exit(f"{name} ({reader}): columns {list(got.columns)} vs {list(expected.columns)}")
        got = got[list(expected.columns)]
    if len(got) != len(expected):
        sys.exit(f"{name} ({reader}): {len(got)} rows vs {len(expected)}")
    rows_got = sorted(tuple(cell(v) for v in r) for r in got.itertuples(index=False))
    rows_exp = sorted(tuple(cell(v) for v in r) for r in expected.itertuples(index=False))
    for g, e in zip(rows_got, rows_exp):
        if len(g) != len(e) or not all(same(x, y) for x, y in zip(g, e)):
            sys.exit(f"{name} ({reader}): row {g} vs {e}")


def main() -> None:
    reports = Path(sys.argv[1])
    datasets = sorted(p for p in (reports / "parquet").iterdir() if p.is_dir())
    if not datasets:
        sys.exit(f"no datasets under {reports / 'parquet'}; run synthbio demo --parquet")
    print(f"# pyarrow {pyarrow.__version__}, duckdb {duckdb.__version__}, pandas {pd.__version__}")
    for d in datasets:
        expected = tsv(reports / f"{d.name}.tsv")
        by_arrow = ds.dataset(d, format="parquet", partitioning="hive").to_table().to_pandas()
        by_duckdb = duckdb.sql(
            f"SELECT * FROM read_parquet('{d}/**/*.parquet', hive_partitioning = true)"
        ).df()
        for reader, got in (("pyarrow.dataset", by_arrow), ("duckdb", by_duckdb)):
            if set(got["study"].astype(str)) != {d.name.split("_")[0]}:
                sys.exit(f"{d.name} ({reader}): study column {set(got['study'])}")
            compare(d.name, expected, got, reader)
        parts = len(list(d.rglob("*.parquet")))
        print(f"{d.name}: {len(expected)} rows in {parts} part(s), pyarrow.dataset and duckdb equal to the TSV")
    print(f"{len(datasets)} datasets checked")


if __name__ == "__main__":
    main()
