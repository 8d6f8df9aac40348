#!/usr/bin/env bash
# Wall time of `dufm search` at the headline setting L = 4, K = 10,
# lambda = 0.004, n = 1 with the default budget (target: under 2 minutes on 2
# cores). Usage: bench/search_bench.sh PATH/TO/dufm [extra search flags]
set -eu
DUFM="${1:-build/dufm}"
shift || true
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
start=$(date +%s.%N)
"$DUFM" search --L 4 --K 10 --json "$@" >"$out"
end=$(date +%s.%N)
/usr/bin/python3 - "$out" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
print(f"search L = 4, K = 10: {wall:.1f} s wall, budget {d['budget']} ({d['budget_used']} used), "
      f"{d['threads']} threads, best / DNC = {d['ratio_to_dnc']:.6f} from {d['best_origin']}")
PY
