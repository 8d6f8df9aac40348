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
