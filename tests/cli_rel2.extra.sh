# Sourced by cli_test.sh: cost bounds and the last reliability rules (issue 11).

# ---- a positive lambda whose double is 0 is refused, rule first, by every
# command that takes lambdas (the exact value would not be the one evaluated)
CFG="$ROOT/data/configs/l4_k10_n1_f8c"
for args in "dnc" "compare" "structure --structure dnc" "table" "optimize" "search" \
  "certify --structure srg:5 --L 4 --K 10 --out $TMP/rel2.cert" \
  "export --structure dnc --out $TMP/rel2-exp" "polish $CFG" "eval $CFG" "check $CFG"; do
  # shellcheck disable=SC2086
  expect_usage_error "--lambda: underflows to 0 as a double: '1e-400'" $args --lambda 1e-400
done
expect_usage_error "--lambda-h: underflows to 0 as a double" compare --lambda-h 1e-400
expect_usage_error "--lambda-w: underflows to 0 as a double" dnc --L 3 --lambda-w 1,1e-999,1
expect_usage_error "--lambda: underflows to 0 as a double" table --lambda 0.004,1e-400
[ ! -e "$TMP/rel2.cert" ] && [ ! -e "$TMP/rel2-exp" ] && ok || bad "an underflowing lambda wrote a file"
# The smallest subnormal is a positive double: accepted.
expect_json dnc --lambda 5e-324 && json_check 'd["loss"] >= 0'

# ---- table stops at the first failed write: a grid of 10^8 rows (days of
# work) ends at once with exit 1 (the timeout is only a guard against a hang)
timeout 120 "$DUFM" table --L 1..1000 --K 2..100001 >/dev/full 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "stdout: write failed" "$TMP/err" &&
  ok || bad "table > /dev/full on a huge grid: exit $rc: $(cat "$TMP/err")"

# ---- the exact loss recomputation has a work bound: a 2 MB certificate that
# would need tens of GB of rationals is refused before computing (exit 2)
$PY "$ROOT/tests/make_wide_cert.py" "$TMP/rel2-wide.cert"
"$DUFM" check-cert "$TMP/rel2-wide.cert" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "more than the work bound" "$TMP/err" &&
  ok || bad "check-cert of a huge-work certificate: exit $rc: $(head -c 300 "$TMP/err")"
# Within the bound (about 800 MB of rationals) but not within a 400 MB address
# space: GMP's failed allocation is one line and exit 1, not an abort. Not
# under ASan, whose shadow memory needs far more address space.
if ! ldd "$DUFM" 2>/dev/null | grep -q asan; then
  $PY "$ROOT/tests/make_wide_cert.py" "$TMP/rel2-big.cert" 2000
  (ulimit -v 400000 && exec "$DUFM" check-cert "$TMP/rel2-big.cert") >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q "out of memory in exact arithmetic (GMP asked for" "$TMP/err" &&
    ok || bad "check-cert out of memory: exit $rc: $(head -c 300 "$TMP/err")"
fi

# ---- compare's block DP: full up to --dp-limit (default 4000), the large-K
# rule beyond; the JSON names the rule. K = 10^6 finishes (the full DP would
# take days; the timeout only guards against a hang).
timeout 600 "$DUFM" compare --L 2 --K 1000000 --lambda 1e-9 --json >"$TMP/json" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && ok || bad "compare --K 1000000: exit $rc: $(head -c 300 "$TMP/err")"
json_check 'd["block_rule"] == "large-K" and d["verdict"] == "dnc_not_optimal"'
json_check '[c["origin"] for c in d["candidates"]].count("blocks (DP)") == 1 and d["best"].startswith("clique:1414:")'
expect_json compare --L 2 --K 1000 --lambda 0.0001
json_check 'd["block_rule"] == "full" and d["best"] == "clique:45:23+dnc:10"'
expect_json compare --L 2 --K 1000 --lambda 0.0001 --dp-limit 999
json_check 'd["block_rule"] == "large-K" and d["best"] == "clique:45:23+dnc:10"'
expect_json compare --L 2 --K 1000 --no-blocks
json_check 'd["block_rule"] == "none"'
expect_usage_error "--dp-limit" compare --dp-limit 0
# Progress on stderr only for a run predicted to take seconds (K >= 2000).
"$DUFM" compare --L 2 --K 2000 --lambda 0.0001 --json >"$TMP/json" 2>"$TMP/err"
[ $? -eq 0 ] && grep -q "^dufm compare: block DP 100%$" "$TMP/err" && [ "$(wc -l <"$TMP/err")" -eq 10 ] &&
  ok || bad "compare --K 2000 progress: $(head -c 300 "$TMP/err")"
"$DUFM" compare --L 2 --K 1999 --lambda 0.0001 >/dev/null 2>"$TMP/err"
[ ! -s "$TMP/err" ] && ok || bad "compare --K 1999 printed progress: $(head -c 300 "$TMP/err")"
