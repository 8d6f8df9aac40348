# CLI tests of 'dufm certify --config' (sourced by cli_test.sh: uses $DUFM,
# $TMP, $PY, expect_usage_error, expect_json, json_check, ok, bad).

CC="$TMP/certcfg"
mkdir -p "$CC"
"$DUFM" export --structure srg:5 --out "$CC/s5" >/dev/null &&
  "$DUFM" export --structure srg:5 --L 3 --out "$CC/s5l3" >/dev/null &&
  "$DUFM" export --structure srg:5 --n 3 --out "$CC/s5n3" >/dev/null && ok ||
  bad "export for certify --config failed"
# A perturbed copy: noise 1e-3 on every W entry and, equal within a class, on H1.
cp -r "$CC/s5n3" "$CC/noisy"
$PY - "$CC/noisy" <<'EOF' && ok || bad "perturbing the folder failed"
import glob, os, sys
import numpy as np
rng = np.random.default_rng(7)
d = sys.argv[1]
for f in sorted(glob.glob(os.path.join(d, "W*.npy"))):
    w = np.load(f)
    np.save(f, w + 1e-3 * rng.uniform(-1, 1, w.shape))
h = np.load(os.path.join(d, "H1.npy"))
noise = 1e-3 * rng.uniform(-1, 1, (h.shape[0], h.shape[1] // 3))
np.save(os.path.join(d, "H1.npy"), h + np.repeat(noise, 3, axis=1))
EOF
# A folder whose classes are not collapsed: one sample moved by 1e-2.
cp -r "$CC/s5n3" "$CC/spread"
$PY - "$CC/spread/H1.npy" <<'EOF' && ok || bad "spreading the folder failed"
import sys
import numpy as np
h = np.load(sys.argv[1])
h[0, 4] += 1e-2
np.save(sys.argv[1], h)
EOF

# certified_matches DIR CERT: check-cert valid, and the certificate's exact loss
# (loss_exact, as a fraction) agrees with 'dufm eval DIR' to 1e-12.
certified_matches() {
  "$DUFM" check-cert "$2" >/dev/null 2>&1 && ok || bad "check-cert $2 rejected a certify --config output"
  "$DUFM" check-cert "$2" --json >"$TMP/cc_cert.json" 2>/dev/null
  "$DUFM" eval "$1" --json >"$TMP/cc_eval.json" 2>/dev/null
  $PY - "$TMP/cc_cert.json" "$TMP/cc_eval.json" <<'EOF' && ok || bad "certificate loss vs eval of $1"
import json, sys
from fractions import Fraction
c = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
assert c["valid"] and c["structure"].startswith("config:")
assert abs(float(Fraction(c["loss_exact"])) - e["loss"]) <= 1e-12, (c["loss_exact"], e["loss"])
EOF
}

# ---- the exported srg:5 and its perturbed copy (n = 3) are certified
expect_json certify --config "$CC/s5" --out "$CC/s5.cert" &&
  json_check 'd["structure"] == "config:s5" and d["config"].endswith("s5") and d["loss"] < d["dnc_bound"]' &&
  json_check 'all(k in d for k in ("float_loss","rounding_drift","rounding_bits","collapse_spread","collapse_tol","loss_exact","dnc_bound_exact"))' &&
  json_check 'd["rounding_bits"] == 24 and d["collapse_spread"] == 0 and abs(d["loss"] - d["float_loss"]) <= 1e-12'
certified_matches "$CC/s5" "$CC/s5.cert"
"$DUFM" certify --config "$CC/noisy/" --out "$CC/noisy.cert" >"$TMP/out" 2>"$TMP/err" &&
  grep -q "config:noisy beats DNC at L = 4, K = 10, n = 3" "$TMP/out" && [ ! -s "$TMP/err" ] && ok ||
  bad "certify --config noisy: $(cat "$TMP/out" "$TMP/err")"
certified_matches "$CC/noisy" "$CC/noisy.cert"
grep -qx "n 3" "$CC/noisy.cert" && ok || bad "noisy.cert does not state n = 3"

# ---- above DNC: exit 1, one stderr line, nothing written
"$DUFM" certify --config "$CC/s5l3" --L 3 --out "$CC/l3.cert" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "does not beat DNC" "$TMP/err" &&
  [ ! -s "$TMP/out" ] && [ ! -e "$CC/l3.cert" ]; then ok; else bad "certify --config s5l3: exit $rc: $(cat "$TMP/err")"; fi
# The same folder at a lambda where srg:5 loses too.
# the same matrices read at lambda 0.05 (a copy without meta.json: the flags
# decide) are not below DNC there
mkdir "$CC/s5bare" && cp "$CC/s5"/*.npy "$CC/s5bare/"
"$DUFM" certify --config "$CC/s5bare" --L 4 --K 10 --lambda 0.05 --out "$CC/l05.cert" >/dev/null 2>&1
[ $? -eq 1 ] && [ ! -e "$CC/l05.cert" ] && ok || bad "certify --config at lambda 0.05 did not refuse"
# and the folder's meta.json (lambda 0.004) disagrees with --lambda 0.05: exit 2
expect_usage_error "--lambda" certify --config "$CC/s5" --lambda 0.05 --out "$CC/l05.cert"

# ---- classes not collapsed: exit 2 with the reason; a looser tolerance certifies
expect_usage_error "not collapsed" certify --config "$CC/spread" --out "$CC/spread.cert"
[ ! -e "$CC/spread.cert" ] && ok || bad "certify wrote a certificate for a spread folder"
"$DUFM" certify --config "$CC/spread" --collapse-tol 0.1 --out "$CC/spread.cert" >/dev/null 2>&1 &&
  "$DUFM" check-cert "$CC/spread.cert" >/dev/null 2>&1 && ok || bad "certify --collapse-tol 0.1 failed"

# ---- bad flags: exit 2, one line, nothing written
expect_usage_error "--config" certify --config "$CC/no-such-dir" --out "$CC/x.cert"
expect_usage_error "--config" certify --config "$CC/s5" --structure srg:5 --out "$CC/x.cert"
expect_usage_error "--collapse-tol" certify --structure srg:5 --collapse-tol 0.1 --out "$CC/x.cert"
expect_usage_error "--collapse-tol" certify --config "$CC/s5" --collapse-tol abc --out "$CC/x.cert"
expect_usage_error "--collapse-tol" certify --config "$CC/s5" --collapse-tol 1 --out "$CC/x.cert"
expect_usage_error "--collapse-tol" certify --config "$CC/s5" --collapse-tol -0.5 --out "$CC/x.cert"
expect_usage_error "--K" certify --config "$CC/s5" --K 5 --out "$CC/x.cert"
expect_usage_error "--L" certify --config "$CC/s5" --L 3 --out "$CC/x.cert"
expect_usage_error "--lambda" certify --config "$CC/s5" --lambda -1 --out "$CC/x.cert"
expect_usage_error "--out" certify --config "$CC/s5"
expect_usage_error "--out" certify --config "$CC/s5" --out "$CC/no-such-dir/x.cert"
expect_usage_error "bad_w2/W2.npy" certify --config "$ROOT/data/configs/bad/bad_w2" --out "$CC/x.cert"
[ ! -e "$CC/x.cert" ] && [ ! -e "$CC/no-such-dir" ] && ok || bad "certify --config wrote after an error"
