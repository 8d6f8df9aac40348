#!/usr/bin/env bash
# Every committed certificate in proofs/certificates must verify (exit 0) and be
# listed in proofs/certificates/README.md.
# Usage: certificates_check.sh PATH/TO/dufm SOURCE_ROOT
set -u
DIR="$2/proofs/certificates"
pass=0
fail=0
for f in "$DIR"/*.cert; do
  [ -e "$f" ] || continue
  name="$(basename "$f")"
  if out="$("$1" check-cert "$f" 2>&1)"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: $out"
  fi
  grep -qF "$name" "$DIR/README.md" || { fail=$((fail + 1)); echo "FAIL: $name is not in README.md"; }
done
echo "certificates: $pass verified, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
