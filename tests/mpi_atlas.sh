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
/usr/bin/python3 - "$TMP/p1" "$TMP/p3" "$TMP/p1.json" "$TMP/p3.json" <<'PY'
import glob, json, os, sys
a, b = sys.argv[1], sys.argv[2]
sa, sb = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
assert sa["processes"] == 1 and sb["processes"] == 3, (sa["processes"], sb["processes"])
assert sa["searched"] == sb["searched"] == 6, (sa["searched"], sb["searched"])
def files(root):
    return sorted(os.path.relpath(f, root) for f in glob.glob(root + "/**", recursive=True)
                  if os.path.isfile(f))
fa, fb = files(a), files(b)
assert fa == fb and len(fa) == 3 * 5 + 3 * 6, fa  # entry.json, meta.json, H1, W1..WL per setting
for f in fa:
    x, y = open(os.path.join(a, f), "rb").read(), open(os.path.join(b, f), "rb").read()
    if f.endswith("entry.json"):
        x, y = json.loads(x), json.loads(y)
        x.pop("seconds"); y.pop("seconds")
    assert x == y, "differs: " + f
print("mpi atlas: -n 1 and -n 3 give the same %d files" % len(fa))
PY
