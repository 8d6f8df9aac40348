# CLI tests of the compare and table outputs (sourced by cli_test.sh: uses $DUFM,
# $TMP, $PY, ok, bad): names are never cut, no candidate is listed twice, clique
# names keep only the sizes with nonzero weight, every CSV number reads back as
# the double that JSON reports, and r is filled wherever K = r(r-1)/2.

# compare: every name of the JSON output stands whole in the text table, once.
for args in "--L 4 --K 10" "--L 4 --K 14" "--L 3 --K 6" "--L 5 --K 15" "--L 4 --K 27 --no-blocks"; do
  # shellcheck disable=SC2086 # a word list
  "$DUFM" compare $args --json >"$TMP/cmp.json" && "$DUFM" compare $args >"$TMP/cmp.txt" || {
    bad "compare $args failed"
    continue
  }
  if $PY - "$TMP/cmp.json" "$TMP/cmp.txt" <<'PYEOF'; then ok; else bad "compare $args: names cut or repeated"; fi
import json, sys
d = json.load(open(sys.argv[1]))
rows = [l.split()[0] for l in open(sys.argv[2]) if l.startswith("  ") and l.split()
        and l.split()[0][:3] in ("dnc", "srg", "gra", "cli", "set")]
names = [c["name"] for c in d["candidates"] if c["origin"] != "search"]  # the search row: cli_verdict
assert len(names) == len(set(names)), names
assert sorted(rows) == sorted(names), (rows, names)
assert any(len(n) > 35 for n in names) or "--K 10" not in " ".join(sys.argv), names
PYEOF
done

# clique names keep only the sizes in use (z_2 = 0 on K_5 at the optimum)
"$DUFM" structure --structure clique:5:2,3 --json >"$TMP/cl.json" &&
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["name"] == "clique:5:3" and d["clique_weights_z"] == ["1"], d["name"]' "$TMP/cl.json" &&
  ok || bad "structure clique:5:2,3 is not named clique:5:3"
"$DUFM" structure --structure clique:5:2@0,3@1 --json >"$TMP/cl.json" &&
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["name"] == "clique:5:3@1", d["name"]' "$TMP/cl.json" &&
  ok || bad "structure clique:5:2@0,3@1 is not named clique:5:3@1"

# table: CSV numbers are the JSON doubles exactly (17 significant digits), and r
# is filled exactly when K is triangular.
"$DUFM" table --L 3,4 --K 2..16 --lambda 0.004,0.0001 --format csv >"$TMP/t.csv" &&
  "$DUFM" table --L 3,4 --K 2..16 --lambda 0.004,0.0001 --format json >"$TMP/t.json" || bad "table failed"
if $PY - "$TMP/t.csv" "$TMP/t.json" <<'PYEOF'; then ok; else bad "table: CSV differs from JSON or r missing"; fi
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = json.load(open(sys.argv[2]))["rows"]
assert len(rows) == len(js) == 2 * 15 * 2
for c, j in zip(rows, js):
    for k, v in j.items():
        if isinstance(v, float):
            assert float(c[k]) == v, (k, c[k], v)
    K = int(c["K"])
    r = next((r for r in range(2, K + 2) if r * (r - 1) // 2 == K), None)
    assert (c["r"] == str(r)) if r else c["r"] == "", (K, c["r"])
PYEOF
