# CLI tests of activation patterns in 'dufm check' and 'dufm optimize'
# (sourced by cli_test.sh: uses $DUFM, $TMP, $PY, expect_usage_error,
# expect_json, json_check, ok, bad).

PT="$TMP/pattern"
mkdir -p "$PT"
"$DUFM" export --structure srg:5 --out "$PT/s5" >/dev/null && ok || bad "export srg:5 for patterns failed"
# The same configuration with the neurons of every hidden layer permuted.
cp -r "$PT/s5" "$PT/perm"
$PY - "$PT/perm" <<'EOF' && ok || bad "permuting the neurons failed"
import os, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
W = [np.load(os.path.join(d, "W%d.npy" % l)) for l in (1, 2, 3, 4)]
for l in range(3):  # neurons of H_2, H_3, H_4: rows of W_l, columns of W_{l+1}
    p = rng.permutation(W[l].shape[0])
    W[l] = W[l][p, :]
    W[l + 1] = W[l + 1][:, p]
for l in range(4):
    np.save(os.path.join(d, "W%d.npy" % (l + 1)), W[l])
EOF

# srg:5 (theory section 4): neuron v of layers 2 and 3 is vertex v of K_5,
# active on the classes (edges, in lexicographic order) that contain v; layer 4
# has one neuron per edge. Expected sets computed here from the graph.
expect_json check "$PT/s5" &&
  json_check 'all(k in d["pattern"] for k in ("rel_tol","signature","shape","hash","layers")) and len(d["pattern"]["hash"]) == 16' &&
  json_check '[l["layer"] for l in d["pattern"]["layers"]] == [2,3,4] and d["pattern"]["rel_tol"] == 1e-6' &&
  json_check '(lambda E: all(sorted(t["classes"] for t in l["types"]) == sorted([i for i, e in enumerate(E) if v in e] for v in range(5)) for l in d["pattern"]["layers"][:2]))([(a, b) for a in range(5) for b in range(a + 1, 5)])' &&
  json_check 'all(t["count"] == 1 for l in d["pattern"]["layers"] for t in l["types"]) and [t["classes"] for t in d["pattern"]["layers"][2]["types"]] == [[c] for c in range(10)]' &&
  json_check 'd["pattern"]["shape"] == "K=10;l2:" + "1x[4] " * 5 + "dead=0;l3:" + "1x[4] " * 5 + "dead=0;l4:" + "1x[1] " * 10 + "dead=0"' &&
  json_check 'all(len(l["neuron_types"]) == l["rows"] and l["dead"] == 0 for l in d["pattern"]["layers"])'
cp "$TMP/json" "$PT/s5.json"
"$DUFM" check "$PT/s5" >"$TMP/out" 2>&1 &&
  grep -qx "    layer 2: {0,1,2,3} {0,4,5,6} {1,4,7,8} {2,5,7,9} {3,6,8,9}" "$TMP/out" &&
  grep -q "activation patterns (class c active: class mean > 1e-06" "$TMP/out" && ok ||
  bad "check text lacks the srg:5 pattern: $(grep -A4 activation "$TMP/out")"
# Permuted neurons: same signature and hash, permuted neuron_types.
expect_json check "$PT/perm" &&
  $PY - "$PT/s5.json" "$TMP/json" <<'EOF' && ok || bad "permuted neurons changed the pattern signature"
import json, sys
a = json.load(open(sys.argv[1]))["pattern"]; b = json.load(open(sys.argv[2]))["pattern"]
assert a["signature"] == b["signature"] and a["hash"] == b["hash"]
assert any(x["neuron_types"] != y["neuron_types"] for x, y in zip(a["layers"], b["layers"]))
EOF
# The threshold is a flag; it must lie strictly between 0 and 1.
expect_json check "$PT/s5" --pattern-tol 0.999 && json_check 'd["pattern"]["rel_tol"] == 0.999'
expect_usage_error "--pattern-tol" check "$PT/s5" --pattern-tol 0
expect_usage_error "--pattern-tol" check "$PT/s5" --pattern-tol 1
expect_usage_error "--pattern-tol" check "$PT/s5" --pattern-tol abc

# ---- optimize: every run carries its pattern, the best one names its hash
expect_json optimize --L 3 --K 3 --seeds 2 --iters 200 --width 6 &&
  json_check 'all(len(r["pattern"]["hash"]) == 16 and len(r["pattern"]["layers"]) == 2 for r in d["runs"])' &&
  json_check 'd["best"]["pattern_hash"] == d["runs"][d["best"]["run"]]["pattern"]["hash"]' &&
  json_check 'all(sum(t["count"] for t in l["types"]) + l["dead"] == 6 for r in d["runs"] for l in r["pattern"]["layers"])'
"$DUFM" optimize --L 3 --K 3 --seeds 2 --iters 200 --width 6 >"$TMP/out" 2>&1 &&
  grep -q "^  pattern hash by run: 0 [0-9a-f]\{16\}, 1 [0-9a-f]\{16\}$" "$TMP/out" &&
  grep -q "^    layer 3: " "$TMP/out" && ok || bad "optimize text lacks the patterns: $(cat "$TMP/out")"
