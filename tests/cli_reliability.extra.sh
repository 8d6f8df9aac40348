# Sourced by cli_test.sh: writing and resource use (issue 11) and meta.json
# (issue 10). Targets that are not regular files are untouched, concurrent
# writers never produce a mixed output, interrupts and full disks leave no
# partial file, inputs that are not regular files return at once, and small
# inputs cannot ask for unbounded work.
R="$TMP/rel"
mkdir -p "$R"

# no_temps DIR: nothing named *.tmp-* left in DIR.
no_temps() {
  if ls -A "$1" | grep -q '\.tmp-'; then bad "temporaries left in $1: $(ls -A "$1")"; else ok; fi
}

# ---- targets that exist and are not regular files: exit 2, untouched
mkfifo "$R/fifo"
echo keep >"$R/victim"
ln -s "$R/victim" "$R/link"
expect_usage_error "is a FIFO" certify --structure srg:5 --L 4 --out "$R/fifo"
expect_usage_error "is a symbolic link" certify --structure srg:5 --L 4 --out "$R/link"
expect_usage_error "is a FIFO" export --structure srg:5 --out "$R/fifo"
expect_usage_error "is a FIFO" optimize --L 2 --K 3 --iters 10 --trace "$R/fifo"
expect_usage_error "is a symbolic link" optimize --L 2 --K 3 --iters 10 --trace "$R/link"
expect_usage_error "is a FIFO" optimize --L 2 --K 3 --iters 10 --save "$R/fifo"
mkfifo "$R/fig.svg"
expect_usage_error "is a FIFO" plot ratio --r 3..4 --out "$R/fig.svg"
[ -p "$R/fifo" ] && [ -p "$R/fig.svg" ] && [ -L "$R/link" ] && [ "$(cat "$R/victim")" = keep ] && ok ||
  bad "a refused target was changed"
# A character device, where we may make one (as root): never replaced.
if mknod "$R/null" c 1 3 2>/dev/null; then
  expect_usage_error "is a device" certify --structure srg:5 --L 4 --out "$R/null"
  [ -c "$R/null" ] && ok || bad "certify replaced a device"
fi
# A planted FILE.tmp symbolic link (the old fixed temporary name) is not followed.
ln -s "$R/victim" "$R/t.csv.tmp"
"$DUFM" optimize --L 2 --K 3 --iters 10 --trace "$R/t.csv" >/dev/null 2>"$TMP/err" && ok ||
  bad "optimize --trace beside a planted link: $(cat "$TMP/err")"
[ "$(cat "$R/victim")" = keep ] && [ -L "$R/t.csv.tmp" ] && ok || bad "--trace followed a planted link"
no_temps "$R"
# Unwritable targets are noticed before the computation (fail fast).
expect_usage_error "does not exist" certify --structure srg:5 --L 4 --out "$R/no/such.cert"
expect_usage_error "not an empty folder" export --structure srg:5 --out "$R"

# ---- concurrent writers: one result, whole; the other fails cleanly
for i in 1 2 3; do
  "$DUFM" export --structure srg:5 --out "$R/race$i" >/dev/null 2>"$TMP/err_a" &
  a=$!
  "$DUFM" export --structure clique:5:2,3 --out "$R/race$i" >/dev/null 2>"$TMP/err_b" &
  b=$!
  wait $a; ra=$?
  wait $b; rb=$?
  if [ $((ra == 0)) -eq $((rb == 0)) ]; then bad "two exports to one folder: exits $ra and $rb"; continue; fi
  ok
  winner=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"])' "$R/race$i/meta.json")
  "$DUFM" eval "$R/race$i" --json >"$TMP/json" 2>"$TMP/err" || bad "eval of the race's winner: $(cat "$TMP/err")"
  "$DUFM" structure --structure "$winner" --json >"$TMP/closed.json" 2>/dev/null
  $PY - "$TMP/json" "$TMP/closed.json" <<'EOF' && ok || bad "race $i: the folder is not $winner alone"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert abs(a["loss"] - b["loss"]) <= 1e-9 * b["loss"], (a["loss"], b["loss"])
EOF
done
no_temps "$R"
"$DUFM" optimize --L 2 --K 3 --iters 200 --save "$R/osave" >/dev/null 2>/dev/null &
a=$!
"$DUFM" optimize --L 2 --K 3 --iters 200 --save "$R/osave" >/dev/null 2>/dev/null &
b=$!
wait $a; ra=$?
wait $b; rb=$?
[ $((ra == 0)) -ne $((rb == 0)) ] && "$DUFM" eval "$R/osave" >/dev/null && ok ||
  bad "two optimize --save to one folder: exits $ra and $rb"
# Two trace writers: the file is one writer's whole trace (a later writer may
# replace an earlier one's finished file; never a mix).
"$DUFM" optimize --L 2 --K 3 --iters 2000 --seed-list 1 --trace "$R/tr.csv" >/dev/null 2>/dev/null &
a=$!
"$DUFM" optimize --L 2 --K 3 --iters 2000 --seed-list 2 --trace "$R/tr.csv" >/dev/null 2>/dev/null &
b=$!
wait $a; ra=$?
wait $b; rb=$?
$PY - "$R/tr.csv" <<'EOF' && [ $ra -eq 0 -o $rb -eq 0 ] && ok || bad "two --trace writers: exits $ra $rb"
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0].startswith("# {") and lines[1].startswith("run,seed,")
seeds = {l.split(",")[1] for l in lines[2:]}
assert len(seeds) == 1 and len(lines) == 2 + 101, (seeds, len(lines))
EOF
no_temps "$R"

# ---- interrupts: no temporary left; the target absent or complete. The
# signal may land at any point; the assertion holds whichever.
interrupt() { # SIGNAL DELAY TARGET CHECK ARGS...: run, signal, then CHECK TARGET
  local sig="$1" delay="$2" target="$3" check="$4"
  shift 4
  (trap - INT; exec "$DUFM" "$@") >/dev/null 2>"$TMP/err" &
  local pid=$!
  sleep "$delay"
  kill -"$sig" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  local rc=$?
  no_temps "$(dirname "$target")"
  if [ -e "$target" ] && ! $check "$target"; then
    bad "interrupted ($sig, exit $rc) dufm $*: $target is incomplete"
  else ok; fi
  rm -rf "$target"
}
folder_ok() { "$DUFM" eval "$1" >/dev/null 2>&1; }
cert_ok() { "$DUFM" check-cert "$1" >/dev/null 2>&1; }
trace_ok() { tail -c 1 "$1" | od -c | grep -q '\\n' && [ "$(sed -n 2p "$1" | cut -c1-4)" = "run," ]; }
mkdir -p "$R/int"
for sig in INT TERM HUP; do
  for delay in 0.05 0.3; do
    interrupt $sig $delay "$R/int/big" folder_ok export --structure dnc --K 300 --n 200 --out "$R/int/big"
    interrupt $sig $delay "$R/int/save" folder_ok optimize --L 2 --K 3 --iters 100000000 --save "$R/int/save"
    interrupt $sig $delay "$R/int/t.csv" trace_ok optimize --L 2 --K 3 --iters 100000000 --trace "$R/int/t.csv"
    interrupt $sig $delay "$R/int/c.cert" cert_ok certify --structure srg:10 --L 5 --out "$R/int/c.cert"
  done
done
# An interrupt ends with 128 + the signal and one line.
(trap - INT; exec "$DUFM" optimize --L 2 --K 3 --iters 100000000 --save "$R/int/s2") >/dev/null 2>"$TMP/err" &
pid=$!
sleep 0.3
kill -INT $pid
wait $pid
rc=$?
[ "$rc" -eq 130 ] && grep -q "interrupted" "$TMP/err" && [ ! -e "$R/int/s2" ] && ok ||
  bad "interrupted optimize: exit $rc: $(cat "$TMP/err")"
# An empty existing folder stays empty or becomes complete, never partial.
folder_or_empty_ok() { [ -z "$(ls -A "$1")" ] || folder_ok "$1"; }
for delay in 0.05 0.2 0.5; do
  mkdir "$R/int/empty"
  interrupt TERM $delay "$R/int/empty" folder_or_empty_ok export --structure dnc --K 300 --n 200 --out "$R/int/empty"
done

# ---- stdout write errors: exit 1 and one line
"$DUFM" dnc --json >/dev/full 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "stdout: write failed" "$TMP/err" && ok || bad "dnc > /dev/full: exit $rc"
"$DUFM" table --L 3,4 --K 3..6 >/dev/full 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "table > /dev/full: exit $rc"

# ---- a full disk (a small tmpfs, where we may mount one): non-zero exit, no partial file
if mkdir -p "$R/full" && mount -t tmpfs -o size=256k tmpfs "$R/full" 2>/dev/null; then
  "$DUFM" export --structure dnc --K 100 --n 20 --out "$R/full/big" >/dev/null 2>"$TMP/err"
  rc=$?
  [ "$rc" -ne 0 ] && [ -z "$(ls -A "$R/full")" ] && ok || bad "export to a full disk: exit $rc, left $(ls -A "$R/full")"
  "$DUFM" optimize --L 2 --K 10 --n 200 --width 30 --iters 5 --save "$R/full/opt" >/dev/null 2>"$TMP/err"
  rc=$?
  [ "$rc" -ne 0 ] && [ -z "$(ls -A "$R/full")" ] && ok || bad "optimize --save to a full disk: exit $rc, left $(ls -A "$R/full")"
  # Fill all but a little: a figure no longer fits.
  dd if=/dev/zero of="$R/full/filler" bs=1k count=1000 2>/dev/null
  rm -f "$R/full/filler"
  dd if=/dev/zero of="$R/full/filler" bs=1k count=248 2>/dev/null
  for fig in fig.svg fig.png; do
    "$DUFM" plot ratio --L 3,4 --r 3..12 --out "$R/full/$fig" >/dev/null 2>"$TMP/err"
    rc=$?
    [ "$rc" -ne 0 ] && [ "$(ls -A "$R/full")" = filler ] && ok || bad "plot $fig to a full disk: exit $rc, left $(ls -A "$R/full")"
  done
  dd if=/dev/zero of="$R/full/filler2" bs=1k 2>/dev/null # now full to the last block
  "$DUFM" table --L 3,4,5 --K 3..12 >"$R/full/table.txt" 2>"$TMP/err"
  rc=$?
  [ "$rc" -eq 1 ] && ok || bad "table to a full disk: exit $rc"
  "$DUFM" certify --structure srg:10 --L 5 --out "$R/full/c.cert" >/dev/null 2>"$TMP/err"
  rc=$?
  [ "$rc" -ne 0 ] && [ ! -e "$R/full/c.cert" ] && ok || bad "certify to a full disk: exit $rc"
  umount "$R/full"
else
  echo "note: cannot mount a tmpfs here; full-disk tests skipped"
fi

# ---- inputs that are not regular files: exit 2 at once (timeout: 124)
mkdir -p "$R/fifofolder"
mkfifo "$R/fifofolder/H1.npy" "$R/in.cert" "$R/in.csv"
for args in "check-cert $R/in.cert" "eval $R/fifofolder --lambda 0.004" "plot trace $R/in.csv --out $R/x.svg" \
  "check-cert /dev/zero" "check-cert $R"; do
  timeout 5 "$DUFM" $args >/dev/null 2>"$TMP/err"
  rc=$?
  [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "regular file" "$TMP/err" && ok ||
    bad "dufm $args: exit $rc: $(cat "$TMP/err")"
done

# ---- small inputs, bounded work
# A 80 KB certificate at L = 1000 whose dnc-s-lo has 20000 digits: its powers
# would need hours; refused at once (exit 2) by the work bound.
$PY - "$R/big.cert" <<'EOF'
import sys
sys.set_int_max_str_digits(0)
L = 1000
lines = ["dufm-certificate 1", "structure x", "L %d" % L, "K 2", "n 1", "lambda-H 1/250"]
lines += ["lambda %d 1/250" % l for l in range(1, L + 1)]
lines += ["widths " + " ".join(["1"] * L), "matrix M1 1 2", "row 1 1"]
for l in range(1, L):
    lines += ["matrix W%d 1 1" % l, "row 1"]
lines += ["matrix W%d 2 1" % L, "row 1", "row 1"]
den = 10**20000 + 7
lines += ["loss 1", "dnc-qpow 1", "dnc-regime nonzero", "dnc-s-lo 1/%d" % den, "dnc-bound 1",
          "claim loss < dnc-bound", "end"]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
EOF
timeout 5 "$DUFM" check-cert "$R/big.cert" >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "times the certificate's own size" "$TMP/err" && ok || bad "large certificate: exit $rc: $(cat "$TMP/err")"
# A certificate that fails its first check stops there (exit 1 at once).
sed 's/^loss .*/loss 1/' "$ROOT/proofs/certificates/srg5_L4_K10.cert" >"$R/badloss.cert"
timeout 5 "$DUFM" check-cert "$R/badloss.cert" --json >"$TMP/json" 2>/dev/null
rc=$?
[ "$rc" -eq 1 ] && json_check 'd["check"] == "loss" and d["valid"] is False' || bad "bad loss: exit $rc"
# A 560 KB folder whose evaluation needs 1.6e9 matrix entries: refused before allocating.
$PY - "$R/huge" <<'EOF'
import os, sys
import numpy as np
d = sys.argv[1]
os.makedirs(d)
np.save(os.path.join(d, "H1.npy"), np.ones((1, 40000)))
np.save(os.path.join(d, "W1.npy"), np.ones((10000, 1)))
np.save(os.path.join(d, "W2.npy"), np.ones((2, 10000)))
EOF
expect_usage_error "matrix entries, more than the limit" eval "$R/huge" --lambda 0.004
expect_usage_error "matrix entries, more than the limit" check "$R/huge" --lambda 0.004
expect_usage_error "--seeds" optimize --seeds 1000000

# ---- messages: one line, the rule first, flags named
expect_usage_error "--L: '4\\nx' is not a whole number" dnc --L $'4\nx'
long="clique:$(printf '9%.0s' $(seq 600)):2"
expect_usage_error "is too large" structure --structure "$long"
expect_usage_error "--lambda: overflows a double" dnc --lambda 1e100000
expect_usage_error "--lr: underflows to 0" optimize --lr 1e-400
expect_usage_error "--lr: overflows a double" optimize --lr 1e400

# ---- meta.json: the folder tells its parameters; a disagreeing flag is exit 2
expect_json export --structure clique:4:2,3 --K 6 --lambda 0.001 --out "$R/meta"
cp "$R/meta/meta.json" "$TMP/json"
json_check 'd["format"] == "dufm-meta 1" and d["L"] == 4 and d["K"] == 6 and d["n"] == 1 and d["lambda_h"] == "0.001" and d["lambda_w"] == ["0.001"] * 4 and d["form"] == "samples" and d["command"] == "export" and d["source"] == "clique:4:2,3" and d["widths"][-1] == 6'
expect_json eval "$R/meta" && json_check 'd["lambda_h"] == "1/1000" and d["lambda_w"] in ("1/1000", ["1/1000"] * 4)'
expect_json eval "$R/meta" --lambda 1/1000
expect_usage_error "--lambda: differs from lambda_h = 0.001 in $R/meta/meta.json: 0.004" eval "$R/meta" --lambda 0.004
expect_usage_error "--lambda-w: differs from lambda_1 = 0.001" check "$R/meta" --lambda-w 0.002
expect_usage_error "--n: differs from n = 1" eval "$R/meta" --n 2
expect_usage_error "--lambda: differs" plot gram "$R/meta" --lambda 0.004 --out "$R/g.svg"
expect_json plot gram "$R/meta" --out "$R/g.svg"
# Class means: n from meta.json, evaluated in class-mean form.
expect_json export --structure srg:4 --n 5 --form means --out "$R/means"
cp "$TMP/json" "$TMP/export.json"
expect_json eval "$R/means" && json_check 'd["n"] == 5'
"$DUFM" structure --structure srg:4 --n 5 --json >"$TMP/closed.json"
compare_json 'abs(b["loss"] - a["loss"]) <= 1e-12 * a["loss"]' "$TMP/closed.json" "$TMP/json"
# Without meta.json the regularization must be given: never a silent default.
cp -r "$R/meta" "$R/nometa" && rm "$R/nometa/meta.json"
expect_usage_error "--lambda: required" eval "$R/nometa"
expect_usage_error "--lambda: required" check "$R/nometa"
expect_json eval "$R/nometa" --lambda 0.001
# A FIFO in place of meta.json is refused at once.
cp -r "$R/nometa" "$R/fifometa" && rm -f "$R/fifometa/meta.json" && mkfifo "$R/fifometa/meta.json"
timeout 5 "$DUFM" eval "$R/fifometa" >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "meta.json: is a FIFO" "$TMP/err" && ok || bad "FIFO meta.json: exit $rc: $(cat "$TMP/err")"
# A bad meta.json names itself and the key.
printf '{"format": "dufm-meta 1", "L": 4}\n' >"$R/nometa/meta.json"
expect_usage_error "meta.json: \"K\" is missing" eval "$R/nometa"
printf '{"format": "dufm-meta 1", "L": 3, "K": 6, "n": 1, "lambda_h": "1", "lambda_w": ["1","1","1"]}\n' >"$R/nometa/meta.json"
expect_usage_error "L = 3, but the folder has 4 layers" eval "$R/nometa"
# A trace carries its parameters: plot trace draws the K = 6 levels without flags.
expect_json optimize --L 2 --K 6 --lambda 0.001 --iters 100 --trace "$R/k6.csv"
expect_json plot trace "$R/k6.csv" --out "$R/k6.svg"
cp "$TMP/json" "$TMP/trace.json"
"$DUFM" dnc --L 2 --K 6 --lambda 0.001 --json >"$TMP/json"
compare_json 'abs(a["dnc_loss"] - b["loss"]) <= 1e-12 * b["loss"]' "$TMP/trace.json" "$TMP/json"
expect_usage_error "--K: differs from K = 6" plot trace "$R/k6.csv" --K 10 --out "$R/k6.svg"
