# dufm check (sourced by cli_test.sh: uses DUFM, TMP, PY, ok, bad, expect_usage_error,
# expect_json, json_check). Exported closed-form structures are checked with
# expectations that must hold (exit 0), must fail (exit 1, one stderr line per
# failed expectation, the report still printed) and bad input (exit 2).

# chk_fail NEEDLE... -- ARGS...: exit 1, stdout non-empty, one stderr line per
# NEEDLE (each needle on its own line, in order).
chk_fail() {
  local needles=()
  while [ "$1" != "--" ]; do needles+=("$1"); shift; done
  shift
  "$DUFM" "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$? lines i=1
  lines=$(wc -l <"$TMP/err")
  if [ "$rc" -ne 1 ]; then bad "dufm $*: exit $rc, wanted 1: $(cat "$TMP/err")"; return; fi
  if [ "$lines" -ne "${#needles[@]}" ]; then bad "dufm $*: $lines stderr lines, wanted ${#needles[@]}: $(cat "$TMP/err")"; return; fi
  if [ ! -s "$TMP/out" ]; then bad "dufm $*: no report on stdout"; return; fi
  for n in "${needles[@]}"; do
    if ! sed -n "${i}p" "$TMP/err" | grep -qF -- "$n"; then bad "dufm $*: stderr line $i lacks '$n': $(cat "$TMP/err")"; return; fi
    i=$((i + 1))
  done
  ok
}

C="$TMP/check"
mkdir -p "$C"
"$DUFM" export --structure srg:5 --out "$C/srg5" >/dev/null &&
  "$DUFM" export --structure dnc --out "$C/dnc" >/dev/null &&
  "$DUFM" export --structure dnc --n 3 --L 3 --K 4 --lambda 0.01 --out "$C/dnc3" >/dev/null &&
  ok || bad "export for check failed"

# ---- expectations that hold
expect_json check "$C/srg5" --expect-below dnc --expect-class low_rank &&
  json_check 'all(k in d for k in ("loss","fit","reg","rescaled_loss","grad_norm","kinks","layers","classification","rank_tol","dnc_loss","best_structure","expectations","ok"))' &&
  json_check 'all(set(("layer","rows","rank_mean","rank_pre","rank_post","singular_values","nc1","nc2","nc3")) <= set(x) for x in d["layers"])' &&
  json_check '[x["rank_mean"] for x in d["layers"]] == [5, 5, 5, 10] and d["layers"][0]["rank_pre"] is None' &&
  json_check '[x["rank_pre"] for x in d["layers"][1:]] == [5, 5, 5] and len(d["layers"][3]["singular_values"]) == 10' &&
  json_check 'd["classification"] == "low_rank" and d["ok"] is True and d["rank_tol"] == 1e-6 and d["kinks"] > 0' &&
  json_check '[(e["kind"], e["target"], e["held"]) for e in d["expectations"]] == [("below","dnc",True), ("class","low_rank",True)]' &&
  json_check 'd["loss"] < d["dnc_loss"] and d["best_structure"]["loss"] <= d["loss"] * (1 + 1e-12) and isinstance(d["best_structure"]["name"], str)' &&
  json_check 'abs(d["loss"] - d["fit"] - d["reg"]) < 1e-15 and d["rescaled_loss"] <= d["loss"] * (1 + 1e-13)'
SRG_LOSS=$($PY -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["loss"]))' "$TMP/json")
# The srg:5 export sits at its closed form: dufm structure gives the same loss.
expect_json structure --structure srg:5 && json_check "abs(d['loss'] - $SRG_LOSS) <= 1e-14"
expect_json check "$C/dnc" --expect-class dnc --expect-stationary 1e-10 --expect-below 0.5 &&
  json_check 'd["classification"] == "dnc" and d["ok"] and all(e["held"] for e in d["expectations"])' &&
  json_check 'all(x["nc2"] < 1e-12 and x["nc3"] < 1e-12 and x["nc1"] == 0 and x["rank_mean"] == 10 for x in d["layers"])' &&
  json_check 'd["grad_norm"] <= 1e-10 and abs(d["loss"] - d["dnc_loss"]) <= 1e-14'
DNC_LOSS=$($PY -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["dnc_loss"]))' "$TMP/json")
expect_json dnc && json_check "d['loss'] == $DNC_LOSS"
# n = 3 samples per class: the folder fixes n; a given --n must agree.
expect_json check "$C/dnc3" --n 3 --lambda 0.01 --expect-class dnc &&
  json_check 'd["n"] == 3 and d["ok"] and all(x["rank_samples"] == 4 and x["nc1"] < 1e-24 for x in d["layers"])'
# --rank-tol is reported and used; a text report without --json.
expect_json check "$C/srg5" --rank-tol 1e-3 && json_check 'd["rank_tol"] == 1e-3 and d["expectations"] == []'
"$DUFM" check "$C/srg5" >"$TMP/out" 2>&1 && grep -q "classification  low_rank" "$TMP/out" && ok ||
  bad "dufm check text report: $(head -c 400 "$TMP/out")"

# ---- expectations that fail: exit 1, one stderr line each, report still printed
chk_fail "--expect-class dnc failed" -- check "$C/srg5" --expect-class dnc
chk_fail "--expect-below 0.01 failed" -- check "$C/srg5" --expect-below 0.01
chk_fail "--expect-stationary 1e-8 failed" -- check "$C/srg5" --expect-stationary 1e-8
# DNC is not strictly below its own closed form, nor below srg:5 at L = 4, K = 10.
chk_fail "--expect-below dnc failed" -- check "$C/dnc" --expect-below dnc
chk_fail "--expect-below srg:5 failed" "--expect-class low_rank failed" -- \
  check "$C/dnc" --expect-below srg:5 --expect-class low_rank --expect-stationary 1e-10
chk_fail "--expect-class other failed" -- check "$C/srg5" --expect-class other --json
if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["ok"] is False and [e["held"] for e in d["expectations"]] == [False] else 1)' "$TMP/out"; then ok; else bad "check --json with a failed expectation: $(head -c 400 "$TMP/out")"; fi

# ---- bad input: exit 2, one stderr line, nothing on stdout
expect_usage_error "check" check
expect_usage_error "no-such-dir" check "$TMP/no-such-dir"
expect_usage_error "--rank-tol" check "$C/srg5" --rank-tol 0
expect_usage_error "--rank-tol" check "$C/srg5" --rank-tol 1.5
expect_usage_error "--rank-tol" check "$C/srg5" --rank-tol abc
expect_usage_error "--rank-tol" check "$C/srg5" --rank-tol nan
expect_usage_error "--kink-tol" check "$C/srg5" --kink-tol -1
expect_usage_error "--nc2-tol" check "$C/srg5" --nc2-tol 0
expect_usage_error "--expect-class" check "$C/srg5" --expect-class lowrank
expect_usage_error "--expect-below" check "$C/srg5" --expect-below srg:
expect_usage_error "--expect-below" check "$C/srg5" --expect-below foo:3
expect_usage_error "--expect-below" check "$C/srg5" --expect-below srg:4
expect_usage_error "--expect-below" check "$C/srg5" --expect-below inf
expect_usage_error "--expect-stationary" check "$C/srg5" --expect-stationary -1
expect_usage_error "--K" check "$C/srg5" --K 9
expect_usage_error "--n" check "$C/dnc3" --n 2
expect_usage_error "--lambda" check "$C/srg5" --lambda -1
