#!/usr/bin/env bash
# Gradient descent: `dufm optimize --method gd` against the PyTorch peer
# (bench/gd_peer.py, torch.optim.SGD on the same loss) from the same random
# starting folder (bench/gd_init.py, N(0, 0.1^2) entries, float64).
# Run on demand: bench/gd_bench.sh [DUFM]   (default build-bench/dufm, a
# release build: meson setup build-bench -Dbuildtype=release && ninja -C build-bench)
# Environment: PYTHON (default /usr/bin/python3, which has torch and numpy),
# REPS (default 5 timed runs per program and setting, interleaved).
#
# Prints two Markdown tables:
# - time per iteration (wall), median and [min, max] over REPS runs: dufm
#   from the `seconds` of its JSON (the run itself: allocation, iterations,
#   final copy; not process start-up nor the analysis afterwards), torch from
#   its timed loop (setup excluded), with 1 thread (torch and OpenBLAS),
#   torch's defaults (on Debian's build: its own intra-op count, while the
#   OpenBLAS behind float64 matmul keeps its own default, one per core), and
#   one thread per online core for both; ratio = torch median / dufm median;
# - agreement: both run exactly 1000 steps at lr 0.1 from the same folder;
#   relative difference of the final losses and the largest entrywise
#   difference of the final matrices relative to the largest entry of each.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DUFM="${1:-$ROOT/build-bench/dufm}"
PY="${PYTHON:-/usr/bin/python3}"
REPS="${REPS:-5}"
CORES="$(nproc)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
[ -x "$DUFM" ] || { echo "gd_bench: $DUFM is not an executable" >&2; exit 2; }

# name L K n width lr dufm_iters torch_iters
SETTINGS=(
  "paper 4 10 1 30 0.5 20000 2000"
  "large 4 50 1 200 0.1 2000 200"
  "large-n5 4 50 5 200 0.1 500 100"
)
LAMBDA=0.004
SEED=1
VERDICTS=()

json_field() { "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {"d": d}))' "$1"; }

# dufm's own progress lines (runs longer than 2 s) are dropped; errors stay.
quiet() { grep -v '^dufm: optimize: seed .*: step' >&2 || true; }
# dufm us/iter for folder $1, lr $2, iters $3
dufm_us() {
  "$DUFM" optimize --init "$1" --lambda "$LAMBDA" --method gd --lr "$2" --iters "$3" --tol 0 \
    --threads 1 --json 2> >(quiet) | json_field "'%.3f' % (1e6 * d['runs'][0]['seconds'] / d['runs'][0]['iters'])"
}
# torch us/iter for folder $1, lr $2, iters $3, threads $4
torch_us() {
  "$PY" "$ROOT/bench/gd_peer.py" --init "$1" --lambda "$LAMBDA" --lr "$2" --iters "$3" \
    --threads "$4" | json_field "'%.3f' % d['us_per_iter']"
}
# "median [min, max]" of the numbers on stdin
summary() {
  sort -g | "$PY" -c 'import sys
v = [float(x) for x in sys.stdin.read().split()]
m = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
f = lambda x: ("%.1f" % x) if x < 1000 else ("%.0f" % x)
print("%s [%s, %s]" % (f(m), f(min(v)), f(max(v))))'
}
median_of() { echo "${1%% *}"; }

for setting in "${SETTINGS[@]}"; do
  read -r name L K n w _ <<<"$setting"
  "$PY" "$ROOT/bench/gd_init.py" --L "$L" --K "$K" --n "$n" --width "$w" --seed "$SEED" --out "$TMP/$name"
done
read -r name _ <<<"${SETTINGS[0]}"
defaults=$("$PY" "$ROOT/bench/gd_peer.py" --init "$TMP/$name" --iters 1 --threads 0 |
  json_field "'%s %s %s' % (d['torch_default_threads'], d['openblas_threads'], d['torch_version'])")
read -r TORCH_DEFAULT BLAS_DEFAULT TORCH_VERSION <<<"$defaults"
echo "machine: $CORES cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')); torch $TORCH_VERSION"
echo "torch's defaults here: $TORCH_DEFAULT intra-op thread(s), OpenBLAS (its float64 matmul) $BLAS_DEFAULT thread(s)"
echo "dufm: $DUFM (commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| setting | L | K | n | width | lr | dufm us/iter (1 thread) | torch us/iter (1 thread) | torch us/iter (defaults: $TORCH_DEFAULT, BLAS $BLAS_DEFAULT) | torch us/iter ($CORES threads, BLAS $CORES) | ratio torch 1 thread / dufm | ratio fastest torch / dufm |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for setting in "${SETTINGS[@]}"; do
  read -r name L K n w lr di ti <<<"$setting"
  dir="$TMP/$name"
  : >"$TMP/d" && : >"$TMP/t1" && : >"$TMP/t0" && : >"$TMP/tc"
  for _ in $(seq "$REPS"); do # interleaved, so load changes hit every column alike
    dufm_us "$dir" "$lr" "$di" >>"$TMP/d"
    torch_us "$dir" "$lr" "$ti" 1 >>"$TMP/t1"
    torch_us "$dir" "$lr" "$ti" 0 >>"$TMP/t0"
    torch_us "$dir" "$lr" "$ti" "$CORES" >>"$TMP/tc"
  done
  sd=$(summary <"$TMP/d") s1=$(summary <"$TMP/t1") s0=$(summary <"$TMP/t0") sc=$(summary <"$TMP/tc")
  ratios=$("$PY" -c 'import sys; d, a, b, c = map(float, sys.argv[1:]); print("%.1f | %.1f" % (a / d, min(a, b, c) / d))' \
    "$(median_of "$sd")" "$(median_of "$s1")" "$(median_of "$s0")" "$(median_of "$sc")")
  echo "| $name | $L | $K | $n | $w | $lr | $sd | $s1 | $s0 | $sc | $ratios |"
  VERDICTS+=("$name: torch 1 thread / dufm = ${ratios%% *}, fastest torch / dufm = ${ratios##* }")
done
echo
echo "load average at the end of the timings: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Targets (issue, point 5): at least 20 times faster than torch in the paper's setting, never"
echo "slower in the larger ones (ratios of medians):"
printf -- '- %s\n' "${VERDICTS[@]}"
echo
echo "Agreement: 1000 steps at lr 0.1 from the same folder (dufm --threads 1, torch 1 thread)."
echo
echo "| setting | dufm final loss | torch final loss | relative difference | max relative matrix difference |"
echo "|---|---|---|---|---|"
for setting in "${SETTINGS[@]}"; do
  read -r name _ <<<"$setting"
  dir="$TMP/$name"
  dl=$("$DUFM" optimize --init "$dir" --lambda "$LAMBDA" --method gd --lr 0.1 --iters 1000 --tol 0 \
    --threads 1 --json --save "$TMP/$name.dufm" 2> >(quiet) | json_field "repr(d['runs'][0]['loss'])")
  tl=$("$PY" "$ROOT/bench/gd_peer.py" --init "$dir" --lambda "$LAMBDA" --lr 0.1 --iters 1000 \
    --threads 1 --save "$TMP/$name.torch" | json_field "repr(d['loss'])")
  "$PY" - "$dl" "$tl" "$TMP/$name.dufm" "$TMP/$name.torch" "$name" <<'EOF'
import os, sys
import numpy as np
dl, tl, ddir, tdir, name = float(sys.argv[1]), float(sys.argv[2]), *sys.argv[3:]
files = sorted(f for f in os.listdir(tdir) if f.endswith(".npy"))
worst = 0.0
for f in files:
    a, b = np.load(os.path.join(ddir, f)), np.load(os.path.join(tdir, f))
    assert a.shape == b.shape, (f, a.shape, b.shape)
    worst = max(worst, float(np.max(np.abs(a - b)) / np.max(np.abs(b))))
print("| %s | %.17g | %.17g | %.2e | %.2e |" % (name, dl, tl, abs(dl - tl) / abs(tl), worst))
EOF
done
