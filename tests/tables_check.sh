#!/usr/bin/env bash
# The committed tables in data/tables must regenerate identically from the tool.
# Usage: tables_check.sh PATH/TO/dufm SOURCE_ROOT
set -u
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
bash "$2/scripts/make_tables" "$1" "$TMP" 2>/dev/null || { echo "make_tables failed"; exit 1; }
pass=0
fail=0
for f in "$2"/data/tables/*.csv; do
  name="$(basename "$f")"
  if diff -q "$f" "$TMP/$name" >/dev/null; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name differs from its regeneration:"
    diff "$f" "$TMP/$name" | head -10
  fi
done
for f in "$TMP"/*.csv; do
  [ -e "$2/data/tables/$(basename "$f")" ] || { fail=$((fail + 1)); echo "FAIL: $(basename "$f") is not committed"; }
done
if python3 "$2/scripts/update_readme_results.py" --check; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
fi
echo "tables: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
