#!/usr/bin/env bash
# Bounded soak of `synthbio serve` on loopback (see soak.py for the options).
# Builds the release binary unless BIN names one; SECONDS_EACH per run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-target/release/synthbio}
if [ ! -x "$BIN" ]; then cargo build --release -p synthbio-cli; fi
SECONDS_EACH=${SECONDS_EACH:-120}
for clients in 16 32; do
  python3 benches/soak/soak.py --bin "$BIN" --seconds "$SECONDS_EACH" \
    --clients "$clients" --out "benches/soak/results/c$clients" "$@"
done
