#!/usr/bin/env bash
# Side-by-side comparison of synthbio with the Python tools users would pick
# instead, on the same generated input files, in one run. See ../README.md.
#
#   benches/compare/run.sh                    # full sizes (3.4 GB of inputs; about 12 minutes once written)
#   SIZES="--samples 2000 --pca-samples 20000" benches/compare/run.sh   # smaller inputs
#   OPS=cpm_f64,logcpm_f64 benches/compare/run.sh                        # some operations
#
# Creates benches/compare/.venv from PyPI (requirements.txt) on first use,
# builds synthbio's bench binaries in release mode, writes the inputs once
# into benches/compare/data (DATA=... to put them elsewhere; delete it to
# regenerate), then runs every operation on both sides.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
data="${DATA:-$here/data}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
"$venv/bin/python" -c 'import pysynthbio, numpy, scipy, sklearn, pandas, pyarrow' >/dev/null

cd "$root"
cargo build --release --quiet -p synthbio-bench --bins
target="$(cargo metadata --format-version 1 --no-deps | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target/release"

if [ ! -f "$data/sizes.json" ]; then
    # shellcheck disable=SC2086 # SIZES is a list of flags
    "$bin/bench-inputs" "$data" ${SIZES:-}
fi

echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$venv/bin/python" -c 'import sys, pysynthbio, numpy, scipy, sklearn, pandas, pyarrow; print("# python", sys.version.split()[0], "pysynthbio", pysynthbio.__version__ if hasattr(pysynthbio, "__version__") else "?", "numpy", numpy.__version__, "scipy", scipy.__version__, "scikit-learn", sklearn.__version__, "pandas", pandas.__version__, "pyarrow", pyarrow.__version__)' >&2
exec "$venv/bin/python" "$here/compare.py" --data "$data" --bench-op "$bin/bench-op" ${OPS:+--ops "$OPS"} --repeat "${REPEAT:-3}"
