#!/usr/bin/env bash
# The committed atlas (data/atlas): every entry validates (dufm eval of its
# configuration equals best_loss to 1e-12, ratio_to_dnc = best_loss /
# dnc_loss), every certificate it names and every file in
# proofs/certificates/atlas passes check-cert.
# Usage: atlas_data_check.sh PATH/TO/dufm SOURCE_ROOT
set -u
DUFM="$1"
ROOT="$2"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
for e in "$ROOT"/data/atlas/*/L*_K*/; do
  [ -f "$e/entry.json" ] || continue
  lam="$(sed -n 's/^  "lambda": "\([^"]*\)".*/\1/p' "$e/entry.json")"
  if ! "$DUFM" eval "${e%/}/config" --lambda "$lam" --json >"$TMP/ev.json" 2>"$TMP/err"; then
    fail=$((fail + 1)); echo "FAIL: $e: dufm eval: $(cat "$TMP/err")"; continue
  fi
  cert="$(/usr/bin/python3 - "$e/entry.json" "$TMP/ev.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); v = json.load(open(sys.argv[2]))
assert abs(v["loss"] - e["best_loss"]) <= 1e-12, (v["loss"], e["best_loss"])
assert abs(e["ratio_to_dnc"] - e["best_loss"] / e["dnc_loss"]) <= 1e-15
print(e["certificate"] or "")
PY
)" || { fail=$((fail + 1)); echo "FAIL: $e: entry does not validate"; continue; }
  pass=$((pass + 1))
  if [ -n "$cert" ]; then
    if "$DUFM" check-cert "$e$cert" >/dev/null 2>"$TMP/err"; then pass=$((pass + 1)); else
      fail=$((fail + 1)); echo "FAIL: $e: check-cert $cert: $(cat "$TMP/err")"; fi
    # its copy under proofs/certificates/atlas (scripts/atlas_certificates.sh) is the same file
    g="$(basename "$(dirname "$e")")"
    s="$(basename "$e")"
    copy="$ROOT/proofs/certificates/atlas/${g}_${s}.cert"
    if cmp -s "$e$cert" "$copy"; then pass=$((pass + 1)); else
      fail=$((fail + 1)); echo "FAIL: $e: $copy is missing or differs (run scripts/atlas_certificates.sh)"; fi
  fi
done
for c in "$ROOT"/proofs/certificates/atlas/*.cert; do
  [ -e "$c" ] || continue
  if "$DUFM" check-cert "$c" >/dev/null 2>"$TMP/err"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: check-cert $c: $(cat "$TMP/err")"; fi
done
echo "atlas data: $pass checks passed, $fail failed"
[ "$fail" -eq 0 ]
