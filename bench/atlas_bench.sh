#!/usr/bin/env bash
# Speed-up of `dufm atlas` under MPI: a 16-setting atlas (L 2..5, K 2..5) with
# mpirun -n 1 and -n 2 (one thread per rank), wall time of each, and a check
# that both wrote the same entries. Run on demand:
#   bench/atlas_bench.sh [DUFM] [BUDGET]     (default budget 300000)
# Prints the load average before each run: other processes on the machine
# change the result.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DUFM="${1:-$ROOT/build/dufm}"
BUDGET="${2:-300000}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
declare -A wall
for P in 1 2; do
  echo "load average before -n $P: $(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(date +%s%N)
  mpirun --allow-run-as-root --oversubscribe -n "$P" "$DUFM" atlas --L 2..5 --K 2..5 \
    --budget "$BUDGET" --threads 1 --out "$TMP/p$P" --json >"$TMP/p$P.json" 2>/dev/null
  t1=$(date +%s%N)
  wall[$P]=$(((t1 - t0) / 1000000))
  echo "-n $P: $((wall[$P] / 1000)).$(printf '%03d' $((wall[$P] % 1000))) s wall"
done
/usr/bin/python3 "$ROOT/scripts/atlas_same.py" "$TMP/p1" "$TMP/p2"
awk -v a="${wall[1]}" -v b="${wall[2]}" 'BEGIN { printf "speed-up -n 2 over -n 1: %.2f\n", a / b }'
