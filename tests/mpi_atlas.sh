#!/usr/bin/env bash
# dufm atlas under MPI: a tiny atlas with mpirun -n 3 (oversubscribed) and
# with -n 1 gives the same files byte for byte (entry.json up to "seconds").
# Usage: mpi_atlas.sh PATH/TO/dufm MPIRUN
set -u
DUFM="$1"
MPIRUN="$2"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# OpenMPI's own allocations are not ours to check under LeakSanitizer.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
export OMPI_MCA_rmaps_base_oversubscribe=1
fail=0
for P in 1 3; do
  if ! "$MPIRUN" --allow-run-as-root --oversubscribe -n "$P" "$DUFM" atlas --L 2..3 --K 2..4 \
    --budget 10000 --out "$TMP/p$P" --json >"$TMP/p$P.json" 2>"$TMP/p$P.err"; then
    echo "FAIL: mpirun -n $P: $(tail -5 "$TMP/p$P.err")"
    fail=1
  fi
done
[ "$fail" -eq 0 ] || exit 1
/usr/bin/python3 - "$TMP/p1.json" "$TMP/p3.json" <<'PY' || exit 1
import json, sys
sa, sb = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert sa["processes"] == 1 and sb["processes"] == 3, (sa["processes"], sb["processes"])
assert sa["searched"] == sb["searched"] == 6, (sa["searched"], sb["searched"])
PY
# entry.json, config/{H1, W1..WL, meta.json} per setting, certificate.cert where below DNC
/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/../scripts/atlas_same.py" "$TMP/p1" "$TMP/p3" \
  $((3 * 5 + 3 * 6))
