#!/usr/bin/env bash
# CLI tests: bad input gives exactly one line on stderr naming the flag or file,
# exit status 2 and nothing on stdout; good input gives valid JSON with the
# documented fields. Usage: cli_test.sh PATH/TO/dufm SOURCE_ROOT
set -u
DUFM="$1"
ROOT="$2"
PY=/usr/bin/python3
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_usage_error NEEDLE ARGS...: exit 2, one stderr line containing NEEDLE, empty stdout.
expect_usage_error() {
  local needle="$1"
  shift
  "$DUFM" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$TMP/err")
  if [ "$rc" -ne 2 ]; then bad "dufm $*: exit $rc, wanted 2"; return; fi
  if [ "$lines" -ne 1 ]; then bad "dufm $*: $lines stderr lines, wanted 1: $(cat "$TMP/err")"; return; fi
  if [ -s "$TMP/out" ]; then bad "dufm $*: wrote to stdout"; return; fi
  if ! grep -qF -- "$needle" "$TMP/err"; then bad "dufm $*: stderr lacks '$needle': $(cat "$TMP/err")"; return; fi
  ok
}

# expect_json ARGS... : exit 0 and stdout parses as one JSON object; saved to $TMP/json.
expect_json() {
  "$DUFM" "$@" --json >"$TMP/json" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" -ne 0 ]; then bad "dufm $* --json: exit $rc: $(cat "$TMP/err")"; return 1; fi
  if ! $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d, dict)' "$TMP/json" 2>/dev/null; then
    bad "dufm $* --json: not one JSON object"; return 1
  fi
  ok
}

# json_check PYEXPR: evaluates PYEXPR with d = the last JSON object.
json_check() {
  if $PY -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$TMP/json"; then ok; else bad "json check failed: $1 on $(head -c 600 "$TMP/json")"; fi
}

# ---- argument errors
expect_usage_error "--L" dnc --L 0
expect_usage_error "--L" dnc --L abc
expect_usage_error "--L" dnc --L -3
expect_usage_error "--L" dnc --L 99999999999999999999
expect_usage_error "--K" dnc --K 1
expect_usage_error "--n" dnc --n 0
expect_usage_error "--lambda" dnc --lambda -0.1
expect_usage_error "--lambda" dnc --lambda abc
expect_usage_error "--lambda" dnc --lambda nan
expect_usage_error "--lambda" dnc --lambda inf
expect_usage_error "--lambda" dnc --lambda ""
expect_usage_error "--lambda-h" dnc --lambda-h 1e
expect_usage_error "--lambda-w" dnc --L 3 --lambda-w 0.1,0.2
expect_usage_error "--lambda-w" dnc --L 3 --lambda-w 0.1,-0.2,0.3
expect_usage_error "--lambda-w" dnc --L 3 --lambda-w 0.1,,0.3
expect_usage_error "--bogus" dnc --bogus 3
expect_usage_error "--L" dnc --L 3 --L 4
expect_usage_error "--L" dnc --L
expect_usage_error "--json" dnc --json=yes
expect_usage_error "frobnicate" frobnicate
expect_usage_error "-x" dnc -x
expect_usage_error "extra" dnc extra
expect_usage_error "eval" eval
expect_usage_error "no-such-dir" eval "$TMP/no-such-dir"

# ---- malformed configuration folders: one line naming the file, exit 2
for bad_dir in "$ROOT"/data/configs/bad/*/; do
  expect_usage_error "$(basename "$bad_dir")" eval "${bad_dir%/}"
done
# A folder whose H1.npy is each malformed .npy fixture in turn.
for bad_npy in "$ROOT"/data/npy/bad/*.npy; do
  rm -rf "$TMP/badcfg" && mkdir -p "$TMP/badcfg"
  cp "$bad_npy" "$TMP/badcfg/H1.npy"
  cp "$ROOT/data/configs/l1_k3_n2_f8c/W1.npy" "$TMP/badcfg/W1.npy"
  expect_usage_error "H1.npy" eval "$TMP/badcfg"
done
# --K that disagrees with the folder.
expect_usage_error "--K" eval "$ROOT/data/configs/l1_k3_n2_f8c" --K 4

# ---- structures: bad specs and K mismatches
expect_usage_error "--structure" structure --structure srg:2
expect_usage_error "--structure" structure --structure bogus:3
expect_usage_error "--structure" structure --structure graph:0-1,1-0
expect_usage_error "--structure" structure --structure graph:0-1,2-2
expect_usage_error "--structure" structure --structure clique:5:6
expect_usage_error "--structure" structure --structure clique:5:2,2
expect_usage_error "--structure" structure --structure clique:5:2@-1
expect_usage_error "--structure" structure --structure clique:4:4@1
expect_usage_error "--structure" structure --structure srg:5+
expect_usage_error "--K" structure --structure srg:5 --K 11
expect_usage_error "not applicable" structure --structure srg:5 --L 1
expect_usage_error "--structure" structure
expect_usage_error "--out" export --structure srg:5
expect_usage_error "--out" export --structure srg:5 --out /nonexistent-dir/x/y
[ ! -e /nonexistent-dir ] && ok || bad "export created a folder on failure"
expect_usage_error "--format" table --format xml
expect_usage_error "--r" table --r 2..5
expect_usage_error "--lambda" table --lambda 0.1,-1
expect_usage_error "--max-r" compare --max-r 1

# ---- compare, structure, export, table: fields and cross-checks
expect_json compare && json_check 'd["verdict"] == "dnc_not_optimal" and d["dnc"]["name"] == "dnc"' &&
  json_check 'all(k in d for k in ("dnc","candidates","best","lower_bound","verdict"))' &&
  json_check 'all(all(k in c for k in ("name","loss","ratio_to_dnc","vs_dnc","ridge_loss","ranks")) for c in d["candidates"] if c["applicable"])' &&
  json_check 'd["lower_bound"] <= d["best_loss"] <= d["dnc"]["loss"]'
expect_json structure --structure srg:5 && json_check 'd["vs_dnc"] == "below" and d["ranks"]["hidden"] == [5,5,5,10]' &&
  json_check 'd["Q_pow_exact"] == "1/15625000"'  # (20)(5)(5)(12.5)(10) / 250^5, theory section 4
expect_json structure --structure srg:5 --L 3 && json_check 'd["vs_dnc"] == "above"'
# The exported configuration, evaluated by the generic loss, has the closed-form loss.
expect_json structure --structure srg:5+dnc:3 --lambda-w 0.003,0.004,0.005,0.006 --n 2
closed=$($PY -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["loss"]))' "$TMP/json")
"$DUFM" export --structure srg:5+dnc:3 --lambda-w 0.003,0.004,0.005,0.006 --n 2 --out "$TMP/exp" >/dev/null 2>&1 && ok || bad "export failed"
expect_json eval "$TMP/exp" --lambda-w 0.003,0.004,0.005,0.006 &&
  json_check "abs(d['loss'] - $closed) <= 1e-12 * $closed and d['n'] == 2 and d['K'] == 13"
expect_json table --L 3,4 --r 4..6 && json_check 'len(d["rows"]) == 6 and d["rows"][0]["K"] == 6'

# ---- dnc at the headline setting: JSON fields and the enclosure
expect_json dnc && json_check 'all(k in d for k in ("loss","t","Q","regime","loss_lower","loss_upper"))' &&
  json_check 'd["loss_lower"] <= d["loss"] <= d["loss_upper"] and d["regime"] == "nonzero"' &&
  json_check 'd["L"] == 4 and d["K"] == 10 and d["n"] == 1 and d["lambda_h"] == "1/250"'
# Without arguments the main job runs at the same setting.
"$DUFM" >"$TMP/noargs" 2>&1 && ok || bad "dufm without arguments failed"
# Exact parsing: 0.004, 4e-3 and 1/250 are the same number.
expect_json dnc --lambda 4e-3 && json_check 'd["lambda_w"] == ["1/250"]*4'
expect_json dnc --lambda 1/250 && json_check 'd["Q_pow_exact"] == "1/9765625"'  # (K c_1)^5 = 0.04^5
# Zero regime for a large lambda.
expect_json dnc --lambda 1 && json_check 'd["regime"] == "zero" and d["loss"] == 0.5 and d["t"] == 0'
# Tiny and huge lambdas: finite numbers, no NaN.
expect_json dnc --L 100 --lambda 1e-300 && json_check 'd["loss"] is not None and 0 <= d["loss_lower"] <= d["loss_upper"]'
expect_json dnc --L 50 --lambda 1e300 && json_check 'd["loss"] == 0.5'
# Per-layer lambdas.
expect_json dnc --L 3 --lambda-h 0.01 --lambda-w 0.001,0.002,0.003 &&
  json_check 'd["lambda_w"] == ["1/1000","1/500","3/1000"] and d["lambda_h"] == "1/100"'

# ---- every other test script given on the command line (extra checks)
for extra in "$ROOT"/tests/cli_*.extra.sh; do
  [ -e "$extra" ] || continue
  source "$extra"
done

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
