#!/usr/bin/env bash
# Reads the demo's Parquet datasets back with pyarrow.dataset and DuckDB, as one
# table each, and compares every one with the TSV table of the same name.
#
#   benches/compare/read_datasets.sh            # runs `synthbio demo --parquet` into a temporary folder
#   benches/compare/read_datasets.sh reports    # checks a folder `demo --parquet` (or `report --parquet`) wrote
#
# Uses the comparison venv (benches/compare/.venv, from requirements.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
"$venv/bin/python" -c 'import duckdb, pyarrow, pandas' 2>/dev/null \
    || "$venv/bin/pip" install --quiet -r "$here/requirements.txt"

if [ $# -ge 1 ]; then
    reports="$1"
else
    reports="$(mktemp -d)"
    trap 'rm -rf "$reports"' EXIT
    (cd "$root" && cargo run --release --quiet -- demo --parquet --out "$reports" >/dev/null)
fi
exec "$venv/bin/python" "$here/read_datasets.py" "$reports"
