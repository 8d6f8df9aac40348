# CLI tests of dufm optimize (sourced by cli_test.sh: uses $DUFM, $TMP, $PY,
# ok, bad, expect_usage_error, expect_json, json_check). Quick runs only.

# compare_json PYEXPR A B: evaluates PYEXPR with a, b = two saved JSON objects.
compare_json() {
  if $PY -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if ($1) else 1)" "$2" "$3"; then ok; else bad "compare failed: $1"; fi
}

# ---- fields of a quick run
Q="--L 2 --K 3 --width 8 --iters 200"
expect_json optimize $Q --seeds 2 &&
  json_check 'all(k in d for k in ("runs","best","dnc_loss","best_structure","below_dnc","below_dnc_margin","widths","method","lr","iters","tol","init_std","threads","L","K","n","lambda_w"))' &&
  json_check 'all(all(k in r for k in ("seed","loss","fit","reg","grad_norm","kinks","classification","ranks","iters","seconds","status")) for r in d["runs"])' &&
  json_check '[r["seed"] for r in d["runs"]] == [0, 1] and all(r["iters"] == 200 and r["status"] == "max_iters" and len(r["ranks"]) == 2 for r in d["runs"])' &&
  json_check 'd["best"]["loss"] == min(r["loss"] for r in d["runs"]) and d["widths"] == [8, 8, 3] and d["method"] == "gd" and d["lr"] == 0.5' &&
  json_check 'all(abs(r["loss"] - r["fit"] - r["reg"]) <= 1e-15 for r in d["runs"]) and d["best_structure"]["name"] == "dnc"' &&
  json_check 'd["below_dnc"] is False and d["best"]["classification"] in ("dnc","low_rank","other")'
cp "$TMP/json" "$TMP/opt_a.json"
# The same seeds in another order on one thread: bitwise the same runs.
expect_json optimize $Q --seed-list 1,0 --threads 1 &&
  compare_json 'a["runs"][0]["loss"] == b["runs"][1]["loss"] and a["runs"][1]["loss"] == b["runs"][0]["loss"]' "$TMP/opt_a.json" "$TMP/json"
for m in anneal lbfgs; do
  expect_json optimize $Q --method $m && json_check 'd["method"] == "'$m'" and d["runs"][0]["status"] in ("max_iters","converged","line_search")'
done

# ---- --save gives a folder that eval reads with the same loss; --init DIR resumes from it
expect_json optimize --L 3 --K 4 --width 6 --iters 200 --seeds 2 --save "$TMP/opt_save" &&
  json_check 'd["saved"].endswith("opt_save")'
cp "$TMP/json" "$TMP/opt_b.json"
[ -f "$TMP/opt_save/H1.npy" ] && [ -f "$TMP/opt_save/W3.npy" ] && ok || bad "optimize --save: files missing"
ls "$TMP" | grep -q 'opt_save.tmp' && bad "optimize --save left a temporary" || ok
expect_json eval "$TMP/opt_save" --lambda 0.004 &&
  compare_json 'abs(a["best"]["loss"] - b["loss"]) <= 1e-15 * a["best"]["loss"]' "$TMP/opt_b.json" "$TMP/json"
expect_json optimize --init "$TMP/opt_save" --iters 10 &&
  json_check 'd["init"] == "folder" and d["widths"] == [30, 30, 30, 4] and d["L"] == 3 and d["K"] == 4' &&
  compare_json 'b["runs"][0]["initial_loss"] == a["best"]["loss"] and b["runs"][0]["loss"] < a["best"]["loss"]' "$TMP/opt_b.json" "$TMP/json"

# ---- --trace: the parameters line, the header, one row per logged step (0, 50, ..., 200) and run
expect_json optimize $Q --seeds 2 --trace "$TMP/opt_trace.csv" --log-every 50 &&
  json_check 'd["trace"].endswith("opt_trace.csv") and d["log_every"] == 50'
head -n 1 "$TMP/opt_trace.csv" | sed 's/^# //' >"$TMP/json"
json_check 'd["format"] == "dufm-meta 1" and d["L"] == 2 and d["K"] == 3 and d["n"] == 1 and d["lambda_h"] == "0.004" and d["lambda_w"] == ["0.004", "0.004"] and d["command"] == "optimize"'
[ "$(sed -n 2p "$TMP/opt_trace.csv")" = "run,seed,iter,loss,fit,reg,grad_norm" ] && ok || bad "trace header"
[ "$(wc -l <"$TMP/opt_trace.csv")" -eq 12 ] && ok || bad "trace rows: $(wc -l <"$TMP/opt_trace.csv")"
[ "$(sed -n 7p "$TMP/opt_trace.csv" | cut -d, -f1-3)" = "0,0,200" ] && ok || bad "trace row 7"
ls "$TMP" | grep -q 'opt_trace.csv.tmp' && bad "trace temporary left" || ok

# ---- start from a structure: the closed-form loss at step 0, lbfgs only goes down
expect_json structure --structure srg:5 --L 4
cp "$TMP/json" "$TMP/opt_srg.json"
expect_json optimize --init srg:5 --L 4 --method lbfgs --iters 100 &&
  json_check 'd["init"] == "structure" and d["init_source"] == "srg:5" and d["widths"] == [30, 30, 30, 30, 10]' &&
  json_check 'd["runs"][0]["loss"] <= d["runs"][0]["initial_loss"] and d["below_dnc"] is True' &&
  compare_json 'abs(b["runs"][0]["initial_loss"] - a["loss"]) <= 1e-13 * a["loss"]' "$TMP/opt_srg.json" "$TMP/json"

# ---- divergence: exit 1, one line naming the seed, step and --lr, nothing written
"$DUFM" optimize --L 3 --K 4 --iters 200 --lr 1e4 --init-std 1 --save "$TMP/div_save" \
  --trace "$TMP/div.csv" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "seed 0 diverged at step" "$TMP/err" &&
  grep -qF -- "--lr" "$TMP/err" && [ ! -s "$TMP/out" ]; then ok; else bad "divergence: exit $rc: $(cat "$TMP/err")"; fi
ls "$TMP" | grep -q '^div' && bad "divergence wrote files: $(ls "$TMP" | grep '^div')" || ok

# ---- bad input: exit 2 with one line naming the flag
expect_usage_error "--seeds" optimize --seeds 0
expect_usage_error "--seeds" optimize --seeds x
expect_usage_error "--seed-list" optimize --seeds 2 --seed-list 1,2
expect_usage_error "--seed-list" optimize --seed-list 1,,2
expect_usage_error "--seed-list" optimize --seed-list -1
expect_usage_error "--width" optimize --width 0
expect_usage_error "--width" optimize --L 3 --width 5,5
expect_usage_error "--width" optimize --L 2 --width 5,,
expect_usage_error "--width" optimize --init srg:5 --width 3
expect_usage_error "--lr" optimize --lr 0
expect_usage_error "--lr" optimize --lr -1
expect_usage_error "--lr" optimize --lr nan
expect_usage_error "--lr" optimize --lr 1x
expect_usage_error "--iters" optimize --iters 0
expect_usage_error "--tol" optimize --tol -1
expect_usage_error "--init-std" optimize --init-std inf
expect_usage_error "--threads" optimize --threads 0
expect_usage_error "--method" optimize --method sgd
expect_usage_error "--perturb" optimize --perturb 0.1
expect_usage_error "--perturb" optimize --init srg:5 --perturb -1
expect_usage_error "--log-every" optimize --log-every 0
expect_usage_error "--init" optimize --init bogus:3
expect_usage_error "--init" optimize --init srg:2
expect_usage_error "--init" optimize --init srg:5 --L 1
expect_usage_error "--K" optimize --init srg:5 --K 4
expect_usage_error "--L" optimize --init "$TMP/opt_save" --L 4
: >"$TMP/opt_file"
expect_usage_error "--init" optimize --init "$TMP/opt_file"
# Shapes that do not chain, and a NaN entry.
"$DUFM" export --structure srg:5 --L 3 --out "$TMP/opt_chain" >/dev/null 2>&1
cp "$TMP/opt_chain/W1.npy" "$TMP/opt_chain/W3.npy"
expect_usage_error "--init" optimize --init "$TMP/opt_chain"
"$DUFM" export --structure srg:5 --L 3 --out "$TMP/opt_nan" >/dev/null 2>&1
$PY - "$TMP/opt_nan/W1.npy" <<'EOF'
import struct, sys
head = "{'descr': '<f8', 'fortran_order': False, 'shape': (5, 5), }"
head += " " * (64 - (10 + len(head) + 1) % 64) + "\n"
data = [float("nan")] + [0.0] * 24
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head.encode() + struct.pack("<25d", *data))
EOF
expect_usage_error "--init" optimize --init "$TMP/opt_nan"
mkdir -p "$TMP/opt_full" && : >"$TMP/opt_full/x"
expect_usage_error "--save" optimize $Q --save "$TMP/opt_full"
expect_usage_error "--save" optimize $Q --save "$TMP/no/such/dir"
expect_usage_error "--trace" optimize $Q --trace "$TMP/no/such/t.csv"
