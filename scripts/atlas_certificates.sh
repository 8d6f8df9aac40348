#!/usr/bin/env bash
# Copies every certificate of the committed atlas (data/atlas/GROUP/L*_K*/
# certificate.cert) to proofs/certificates/atlas/GROUP_L*_K*.cert, where the
# certificate check of the test suite finds it; removes copies whose entry no
# longer has one. tests/atlas_data_check.sh checks that the copies are equal.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=proofs/certificates/atlas
mkdir -p "$out"
want="$(mktemp)"
trap 'rm -f "$want"' EXIT
for c in data/atlas/*/L*_K*/certificate.cert; do
  [ -e "$c" ] || continue
  e="$(dirname "$c")"
  name="$(basename "$(dirname "$e")")_$(basename "$e").cert"
  echo "$name" >>"$want"
  cmp -s "$c" "$out/$name" || cp "$c" "$out/$name"
done
for f in "$out"/*.cert; do
  [ -e "$f" ] || continue
  grep -qxF "$(basename "$f")" "$want" || rm -f "$f"
done
