#!/usr/bin/env bash
# The committed atlas (docs/atlas.md): lambda 0.004, then 0.0001, n = 1,
# L = 2..8, K = 2..16, 2,000,000 evaluations per setting, seed 0. Resumable:
# rerun to continue (finished settings are skipped). Runs a private copy of
# build/dufm so that rebuilding meanwhile does not change the running program.
# Usage: scripts/atlas_run.sh [THREADS]   (log: atlas-run/atlas.log)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
threads="${1:-2}"
mkdir -p atlas-run
cp build/dufm atlas-run/dufm.new && mv atlas-run/dufm.new atlas-run/dufm
cp -L build/libdufm.so.0 atlas-run/libdufm.so.0.new && mv atlas-run/libdufm.so.0.new atlas-run/libdufm.so.0
for lam in 0.004 0.0001; do
  atlas-run/dufm atlas --L 2..8 --K 2..16 --lambda "$lam" --n 1 --budget 2000000 \
    --threads "$threads" --out data/atlas --json >"atlas-run/summary_$lam.json"
done
