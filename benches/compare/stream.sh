#!/usr/bin/env bash
# Issue 16, work larger than memory: `synthbio normalize --stream` and
# `synthbio pca --stream` on a generated 10x folder of 1,000,000 cells x 37,125
# genes (dense f64 would be 297 GB), under a memory bound; wall time and peak
# resident memory (GNU time's maximum RSS) of each, against the bound.
#
#   benches/compare/stream.sh                        # 1,000,000 cells, about 300 genes each, bound 2G
#   CELLS=100000 BOUND=1G benches/compare/stream.sh  # smaller
#
# The input is written once into benches/compare/data/sparse-<cells>
# (bench-sparse; 3.9 GB at the default size; delete it to regenerate), and as
# sparse-<cells>.h5ad (2.3 GB, by anndata in the comparison venv) for the same
# two commands on AnnData.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cells="${CELLS:-1000000}"
per_cell="${PER_CELL:-300}"
bound="${BOUND:-2G}"
iterations="${POWER_ITERATIONS:-4}"
data="${DATA:-$here/data}/sparse-$cells"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cd "$root"
cargo build --release --quiet -p synthbio-cli -p synthbio-bench --bins
bin="$root/target/release"
[ -f "$data/matrix.mtx" ] || "$bin/bench-sparse" "$data" --cells "$cells" --per-cell "$per_cell"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) cores, $(head -c 2000 "$data/matrix.mtx" | sed -n 2p | tr -s ' ') (genes cells entries), bound $bound"
echo "| step | seconds | peak RSS MB | bound MB | peak / bound |"
echo "|---|---|---|---|---|"
measure() {
    local name="$1"; shift
    /usr/bin/time -f "%e %M" -o "$out/time" "$bin/synthbio" "$@" 2>"$out/log" || { cat "$out/log" >&2; exit 1; }
    read -r seconds kib <"$out/time"
    python3 - "$name" "$seconds" "$kib" "$bound" <<'PY'
import sys
name, seconds, kib, bound = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
units = {"K": 1, "M": 2, "G": 3, "T": 4}
b = float(bound.rstrip("KMGTkmgtiBb")) * 1024 ** units.get(bound.rstrip("iBb")[-1].upper(), 0)
peak = kib * 1024
print(f"| {name} | {seconds:.1f} | {peak / 2**20:.0f} | {b / 2**20:.0f} | {peak / b:.2f} |")
PY
    tail -n 2 "$out/log" | sed 's/^/    /' >&2
}
measure "normalize --stream --method log1p" normalize "$data" --stream --method log1p --max-memory "$bound" -o "$out/normalized.parquet"
echo "    normalized.parquet: $(du -m "$out/normalized.parquet" | cut -f1) MB" >&2
measure "pca --stream --components 50 --power-iterations $iterations" pca "$data" --stream --components 50 --power-iterations "$iterations" --max-memory "$bound" -o "$out/scores.parquet"

venv="$here/.venv"
if [ -x "$venv/bin/python" ]; then
    # The same matrix as AnnData (CSR), written once by anndata.
    [ -f "$data.h5ad" ] || "$venv/bin/python" "$here/mtx_to_h5ad.py" "$data" "$data.h5ad"
    measure "h5ad: normalize --stream --method log1p" normalize "$data.h5ad" --stream --method log1p --max-memory "$bound" -o "$out/normalized.parquet"
    measure "h5ad: pca --stream --components 50 --power-iterations $iterations" pca "$data.h5ad" --stream --components 50 --power-iterations "$iterations" --max-memory "$bound" -o "$out/scores.parquet"

    # The same PCA against scikit-learn's exact sparse PCA on real data (the Kang
    # PBMCs in data/sc).
    "$bin/synthbio" pca "$root/data/sc/matrix.mtx.gz" --genes "$root/data/sc/genes.tsv" \
        --cells "$root/data/sc/cells.tsv" --stream --components 50 --max-memory 256M \
        -o "$out/kang.parquet" 2>/dev/null
    echo "Kang check: $("$venv/bin/python" "$here/stream_check.py" "$root/data/sc/matrix.mtx.gz" "$out/kang.parquet")"
else
    echo "h5ad and Kang check skipped: run benches/compare/run.sh once to make $venv" >&2
fi
