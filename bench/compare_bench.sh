#!/usr/bin/env bash
# Wall time of `dufm compare` (menu, clique optimizations, block DP, exact
# verdict) for growing K and L. Run on demand: bench/compare_bench.sh [DUFM]
# Prints a Markdown table: median of 5 runs per setting.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DUFM="${1:-$ROOT/build/dufm}"
median_ms() {
  local times=()
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(date +%s%N)
    "$DUFM" compare "$@" --json >/dev/null
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}
echo "| L | K | lambda | candidates | verdict | median wall time (ms) |"
echo "|---|---|---|---|---|---|"
for setting in "4 10 0.004" "4 100 0.004" "4 1000 0.0001" "4 5000 0.00001" "50 5000 0.00001" \
  "50 5000 0.004" "8 4950 0.000001"; do
  set -- $setting
  info=$("$DUFM" compare --L "$1" --K "$2" --lambda "$3" --json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["candidates"]), d["verdict"])')
  echo "| $1 | $2 | $3 | ${info% *} | ${info#* } | $(median_ms --L "$1" --K "$2" --lambda "$3") |"
done
