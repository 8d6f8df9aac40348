# CLI tests of 'dufm certify' and 'dufm check-cert' (sourced by cli_test.sh:
# uses $DUFM, $TMP, expect_usage_error, expect_json, json_check, ok, bad).

# ---- certify: argument errors (exit 2, one stderr line, nothing written)
expect_usage_error "--structure" certify --out "$TMP/c.cert"
expect_usage_error "--out" certify --structure srg:5
expect_usage_error "--structure" certify --structure bogus:3 --out "$TMP/c.cert"
expect_usage_error "--K" certify --structure srg:5 --K 11 --out "$TMP/c.cert"
expect_usage_error "not applicable" certify --structure srg:5 --L 1 --out "$TMP/c.cert"
expect_usage_error "--lambda" certify --structure srg:5 --lambda -1 --out "$TMP/c.cert"
# Unwritable --out: a missing folder, and a path that is a folder.
expect_usage_error "--out" certify --structure srg:5 --out "$TMP/no-such-dir/c.cert"
[ ! -e "$TMP/no-such-dir" ] && ok || bad "certify created $TMP/no-such-dir"
mkdir -p "$TMP/outdir"
expect_usage_error "--out" certify --structure srg:5 --out "$TMP/outdir"
[ -z "$(ls -A "$TMP/outdir")" ] && [ -z "$(ls "$TMP" | grep 'outdir.tmp-')" ] && ok ||
  bad "certify left files behind for an unwritable --out"
[ ! -e "$TMP/c.cert" ] && ok || bad "certify wrote $TMP/c.cert after an error"

# ---- certify refuses a structure that does not beat DNC: exit 1, no file
"$DUFM" certify --structure srg:5 --L 3 --out "$TMP/l3.cert" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "does not beat DNC" "$TMP/err" && [ ! -e "$TMP/l3.cert" ] &&
  [ "$(wc -l <"$TMP/err")" -eq 1 ]; then ok; else bad "certify srg:5 --L 3: exit $rc: $(cat "$TMP/err")"; fi

# ---- a valid certificate: srg:5 at the headline setting
expect_json certify --structure srg:5 --out "$TMP/s5.cert" &&
  json_check 'd["structure"] == "srg:5" and d["loss"] < d["dnc_bound"] and d["dnc_regime"] == "nonzero"' &&
  json_check 'd["lambda_h"] == "1/250" and d["out"].endswith("s5.cert")'
head -n 1 "$TMP/s5.cert" | grep -qx "dufm-certificate 1" && ok || bad "certificate lacks its version line"
"$DUFM" check-cert "$TMP/s5.cert" >"$TMP/out" 2>&1 && grep -q "^valid" "$TMP/out" && ok ||
  bad "check-cert s5.cert: $(cat "$TMP/out")"
expect_json check-cert "$TMP/s5.cert" &&
  json_check 'd["valid"] is True and d["check"] == "valid" and d["K"] == 10 and d["loss"] < d["dnc_bound"]'
# clique:5:2,3 beats DNC at depth 3, where srg:5 cannot.
"$DUFM" certify --structure clique:5:2,3 --L 3 --out "$TMP/q3.cert" >/dev/null 2>&1 &&
  "$DUFM" check-cert "$TMP/q3.cert" >/dev/null 2>&1 && ok || bad "clique:5:2,3 at L = 3 not certified"

# ---- invalid (exit 1): a changed digit in the stated loss
sed '/^loss /s/\([0-9]\)$/\1\1/' "$TMP/s5.cert" >"$TMP/bad.cert"
"$DUFM" check-cert "$TMP/bad.cert" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "check 'loss' failed" "$TMP/out" && ok || bad "check-cert bad.cert: exit $rc: $(cat "$TMP/out")"
"$DUFM" check-cert "$TMP/bad.cert" --json >"$TMP/json" 2>"$TMP/err"
[ $? -eq 1 ] && json_check 'd["valid"] is False and d["check"] == "loss"'
# A lambda changed: the loss and Q_DNC^(L+1) no longer match.
sed 's/^lambda 2 1\/250$/lambda 2 1\/251/' "$TMP/s5.cert" >"$TMP/bad2.cert"
"$DUFM" check-cert "$TMP/bad2.cert" >/dev/null 2>&1
[ $? -eq 1 ] && ok || bad "check-cert accepted a changed lambda"

# ---- malformed (exit 2): file:line: rule
head -n 5 "$TMP/s5.cert" >"$TMP/trunc.cert"
expect_usage_error "trunc.cert:6: unexpected end of file" check-cert "$TMP/trunc.cert"
sed 's/^L 4$/L 4\nL 4/' "$TMP/s5.cert" >"$TMP/dup.cert"
expect_usage_error "dup.cert:4: duplicate field 'L'" check-cert "$TMP/dup.cert"
sed 's/^K 10$/K 99999999999999999999999/' "$TMP/s5.cert" >"$TMP/big.cert"
expect_usage_error "big.cert:4:" check-cert "$TMP/big.cert"
expect_usage_error "no-such.cert" check-cert "$TMP/no-such.cert"
expect_usage_error "FILE" check-cert
expect_usage_error "positional" check-cert "$TMP/s5.cert" "$TMP/s5.cert"
expect_usage_error "--bogus" check-cert "$TMP/s5.cert" --bogus
