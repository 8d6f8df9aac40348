# CLI tests of set systems and pattern files (sets:..., pattern:FILE) in
# structure, export, certify, compare and optimize --init (sourced by
# cli_test.sh: uses $DUFM, $TMP, $PY, expect_usage_error, expect_json,
# json_check, ok, bad). Independent paths: dufm eval of the exported folder,
# check-cert of the written certificate, dufm check's pattern pasted into a
# file, the DNC closed form of dufm dnc.

SE="$TMP/sets"
mkdir -p "$SE"

# ---- structure: polished loss, certified below DNC at L = 4, K = 3
expect_json structure --structure sets:10,0,1 --L 4 &&
  json_check 'd["name"] == "sets:01,0,1" and d["K"] == 3 and d["origin"] == "user" and d["loss_provenance"] == "polished"' &&
  json_check 'd["vs_dnc"] == "below" and d["sets"]["certified"] and d["sets"]["pattern_kept"] and d["ratio_to_dnc"] < 1' &&
  json_check '[l["text"] for l in d["requested_pattern"]] == ["{0,1} {0,2}", "{0,1} {0,2}", "{1} {2} {0,1,2}"]' &&
  json_check '[l["text"] for l in d["pattern"]["layers"]] == [l["text"] for l in d["requested_pattern"]]' &&
  json_check 'd["loss"] <= d["pattern_polish_loss"] <= d["start_loss"] and d["Q_pow_exact"] is None' &&
  json_check 'abs(d["sets"]["cert_loss"] - d["loss"]) <= 1e-9 * d["loss"] and d["ranks"]["hidden"] == [2, 2, 2, 3]'
cp "$TMP/json" "$SE/structure.json"
expect_json dnc --L 4 --K 3 &&
  $PY - "$SE/structure.json" "$TMP/json" <<'PYEOF' && ok || bad "sets ratio or dnc_loss disagrees with dufm dnc"
import json, sys
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
assert s["dnc_loss"] == d["loss"] and s["loss"] < d["loss_lower"]
assert abs(s["ratio_to_dnc"] - s["loss"] / d["loss"]) <= 1e-15
PYEOF
"$DUFM" structure --structure sets:01,0,1 --L 4 >"$TMP/out" 2>&1 &&
  grep -q "^  ratio to DNC .*(below DNC, certified)$" "$TMP/out" &&
  grep -qx "    layer 4: {1} {2} {0,1,2}" "$TMP/out" && ok || bad "structure text for sets: $(cat "$TMP/out")"

# ---- export: dufm eval of the folder gives the structure's loss (1e-12)
"$DUFM" export --structure sets:01,0,1 --L 4 --out "$SE/x" >/dev/null && ok || bad "export sets failed"
expect_json eval "$SE/x" &&
  $PY - "$SE/structure.json" "$TMP/json" <<'PYEOF' && ok || bad "exported sets configuration has another loss"
import json, sys
s = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
assert abs(e["loss"] - s["loss"]) <= 1e-12 * s["loss"], (e["loss"], s["loss"])
PYEOF
"$DUFM" export --structure sets:01,0,1 --L 4 --n 2 --form means --out "$SE/m" >/dev/null &&
  "$DUFM" export --structure sets:01,0,1 --L 4 --n 2 --out "$SE/s2" >/dev/null && ok ||
  bad "export sets in both forms failed"
expect_json eval "$SE/s2" && json_check 'd["n"] == 2 and d["K"] == 3'

# ---- certify: a certificate that check-cert accepts; above DNC: exit 1, nothing written
expect_json certify --structure sets:01,0,1 --L 4 --out "$SE/c.cert" &&
  json_check 'd["structure"] == "config:sets:01,0,1" and d["loss"] < d["dnc_bound"] and d["pattern_kept"]'
"$DUFM" check-cert "$SE/c.cert" >/dev/null 2>&1 && ok || bad "check-cert rejected a sets certificate"
"$DUFM" certify --structure sets:01,0,1 --L 3 --out "$SE/no.cert" >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] && [ ! -e "$SE/no.cert" ] && grep -q "does not beat DNC" "$TMP/err" && ok ||
  bad "certify of a sets structure above DNC: $(cat "$TMP/err")"

# ---- compare: the certified 4-cycle set system makes the verdict at L = 4, K = 5
expect_json compare --L 4 --K 5 --lambda 0.004 &&
  json_check 'd["verdict"] == "dnc_not_optimal" and d["best"] == "sets:01,12,23,03,0123"' &&
  json_check '[c["vs_dnc"] == "below" and c["sets"]["certified"] for c in d["candidates"] if c["origin"] == "sets"] == [True]'
expect_json compare --L 4 --K 5 --lambda 0.004 --no-sets --no-atlas &&
  json_check 'd["verdict"] == "dnc_best_known" and all(c["origin"] != "sets" for c in d["candidates"])'
expect_json compare --L 3 --K 3 &&
  json_check 'd["verdict"] == "dnc_best_known" and [c["vs_dnc"] for c in d["candidates"] if c["origin"] == "sets"] == ["above"]'

# ---- pattern:FILE from what dufm check prints about the exported configuration
"$DUFM" check "$SE/x" >"$TMP/out" 2>&1
{ echo "K 3"; grep "^    layer [0-9]*: " "$TMP/out"; } >"$SE/p.txt"
[ "$(grep -c layer "$SE/p.txt")" -eq 3 ] && ok || bad "check printed no pattern lines: $(cat "$TMP/out")"
expect_json structure --structure "pattern:$SE/p.txt" --L 4 &&
  $PY - "$SE/structure.json" "$TMP/json" <<'PYEOF' && ok || bad "pattern file of sets:01,0,1 gives another loss"
import json, sys
s = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2]))
assert f["loss_provenance"] == "polished" and f["sets"]["pattern_kept"]
assert abs(f["loss"] - s["loss"]) <= 1e-12 * s["loss"], (f["loss"], s["loss"])
PYEOF
# An 'L' line gives the depth; K comes from the file.
{ echo "K 3"; echo "L 4"; grep "layer" "$SE/p.txt"; } >"$SE/pl.txt"
expect_json structure --structure "pattern:$SE/pl.txt" && json_check 'd["L"] == 4 and d["K"] == 3'
expect_usage_error "describes L = 4" structure --structure "pattern:$SE/pl.txt" --L 5
expect_usage_error "needs L >= 4" structure --structure "pattern:$SE/p.txt" --L 3
expect_json certify --structure "pattern:$SE/pl.txt" --out "$SE/p.cert" && json_check 'd["L"] == 4'

# ---- optimize --init embeds the polished configuration
expect_json optimize --init sets:01,0,1 --L 4 --iters 5 --seeds 1 &&
  json_check 'd["init"] == "structure" and d["init_source"] == "sets:01,0,1" and d["widths"][-1] == 3' &&
  $PY - "$SE/structure.json" "$TMP/json" <<'PYEOF' && ok || bad "optimize --init sets: initial loss is not the structure's"
import json, sys
s = json.load(open(sys.argv[1])); o = json.load(open(sys.argv[2]))
assert abs(o["runs"][0]["initial_loss"] - s["loss"]) <= 1e-12 * s["loss"], (o["runs"][0]["initial_loss"], s["loss"])
PYEOF

# ---- bad specs and files: exit 2, one line naming the part
expect_usage_error "class 1 is empty" structure --structure sets:01,,1
expect_usage_error "same set" structure --structure sets:01,10
expect_usage_error "'A' is not a symbol" structure --structure sets:0A,1
expect_usage_error "K = 1" structure --structure sets:01
expect_usage_error "/last" export --structure sets:01,0,1/last:7 --out "$SE/bad"
expect_usage_error "cannot be realized" structure --structure sets:01,0,1/last:0,1,2 --L 4
expect_usage_error "--K" structure --structure sets:01,0,1 --K 4
expect_usage_error "do not compose" structure --structure sets:01,0,1+dnc:2
expect_usage_error "cannot open" structure --structure "pattern:$SE/missing.txt"
printf 'K 3\nlayer 2: {0,1} {0,5}\n' >"$SE/bad.txt"
expect_usage_error "bad.txt:2: layer 2: class 5 is not in 0..2" structure --structure "pattern:$SE/bad.txt"
expect_usage_error "cannot be realized" certify --structure sets:01,0,1/last:0,1,2 --L 4 --out "$SE/bad.cert"
[ ! -e "$SE/bad" ] && [ ! -e "$SE/bad.cert" ] && ok || bad "a failed sets command left output behind"
