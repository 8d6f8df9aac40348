#!/usr/bin/env bash
# The search grid of docs/search.md: dufm search with the default budget at
# lambda = 0.004, n = 1, L = 3..6, K = 3..9; one JSON per cell in OUT, then a
# table (L, K, ratio to DNC, best origin, seconds). Usage:
#   bench/search_grid.sh PATH/TO/dufm OUT [extra search flags]
set -eu
DUFM="$1"
OUT="$2"
shift 2
mkdir -p "$OUT"
for L in 3 4 5 6; do
  for K in 3 4 5 6 7 8 9; do
    f="$OUT/L${L}_K${K}.json"
    if [ ! -s "$f" ]; then
      "$DUFM" search --L "$L" --K "$K" --json "$@" >"$f.tmp"
      mv "$f.tmp" "$f"
    fi
  done
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys, glob, os
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "L*_K*.json"))):
    d = json.load(open(f))
    rows.append((d["L"], d["K"], d["ratio_to_dnc"], d["below_dnc"], d["best_origin"], d["seconds"], d["polish"]["rel_grad"]))
print("| L | K | best / DNC | below DNC | best start | rel. gradient | seconds |")
print("|---|---|---|---|---|---|---|")
for L, K, r, b, o, s, g in sorted(rows):
    print(f"| {L} | {K} | {r:.6f} | {'yes' if b else 'no'} | {o} | {g:.1e} | {s:.0f} |")
PY
