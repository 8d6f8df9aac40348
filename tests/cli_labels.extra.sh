# CLI tests of the honest labels zero and underfit in 'dufm check' and
# 'dufm optimize' (sourced by cli_test.sh: uses $DUFM, $TMP, $PY,
# expect_usage_error, expect_json, json_check, ok, bad).

LB="$TMP/labels"
mkdir -p "$LB"
# DNC in its zero regime (lambda 1) is the all-zero configuration: loss 1/2.
"$DUFM" export --structure dnc --K 3 --L 2 --lambda 1 --out "$LB/zero" >/dev/null && ok ||
  bad "export of the zero solution failed"
expect_json check "$LB/zero" --lambda 1 --expect-class zero &&
  json_check 'd["classification"] == "zero" and d["loss"] == 0.5 and d["ok"]'
# One class fitted: H1 = I_3, W1 = W2 = e0 e0^T (classes 1, 2 never reach the output).
$PY - "$LB/underfit" <<'EOF2' && ok || bad "writing the underfit folder failed"
import os, sys
import numpy as np
d = sys.argv[1]
os.makedirs(d)
e = np.zeros((3, 3)); e[0, 0] = 1.0
np.save(os.path.join(d, "H1.npy"), np.eye(3))
np.save(os.path.join(d, "W1.npy"), e)
np.save(os.path.join(d, "W2.npy"), e)
EOF2
expect_json check "$LB/underfit" --lambda 0.004 --expect-class underfit &&
  json_check 'd["classification"] == "underfit" and d["rank_out"] == 1'
"$DUFM" check "$LB/underfit" --lambda 0.004 --expect-class dnc >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "classification is underfit" "$TMP/err" && ok || bad "expect-class dnc on underfit: $(cat "$TMP/err")"
expect_usage_error "--expect-class" check "$LB/underfit" --lambda 0.004 --expect-class zeros
# optimize in the zero regime: every run is labelled zero.
expect_json optimize --L 2 --K 3 --lambda 0.5 --seeds 2 --iters 2000 --width 4 &&
  json_check 'all(r["classification"] == "zero" for r in d["runs"]) and d["best"]["classification"] == "zero"'
