# dufm compare and dufm table with the atlas and the inline search (sourced by
# cli_test.sh: DUFM, ROOT, TMP and the helpers).

# ---- a tiny atlas made here (budget 10000): its entry becomes the search candidate
VA="$TMP/verdict_atlas"
"$DUFM" atlas --L 2 --K 2..3 --budget 10000 --threads 1 --out "$VA" >/dev/null 2>&1 && ok || bad "tiny atlas for compare"
VE="$VA/lam0.004_n1/L2_K3"
if expect_json compare --L 2 --K 3 --atlas "$VA"; then
  json_check 'd["search"] is not None and d["search"]["origin"] == "search" and d["search"]["name"] == "atlas entry"'
  json_check '[c for c in d["candidates"] if c["origin"] == "search"] == [d["search"]]'
  json_check 'd["search"]["budget"] == 10000 and d["search"]["seed"] == 0 and d["search"]["time_limit"] is None'
  json_check "d['search']['loss'] == json.load(open('$VE/entry.json'))['best_loss']"
  json_check '"atlas entry: search budget 10000, seed 0" in d["searched"] and d["searched"].startswith("closed-form menu")'
  # Not below DNC's lower end: nothing to certify, so never dnc_not_optimal by search.
  json_check 'd["verdict"] in ("dnc_best_known", "dnc_not_optimal") and (d["evidence"] != "certificate" or d["search"]["certificate_verified"])'
  json_check 'd["search"]["certificate_verified"] == (d["search"]["certificate"] is not None and d["search"]["vs_dnc"] == "below")'
  # The candidate list stays sorted by loss with the search candidate in it.
  json_check 'all(a["loss"] <= b["loss"] for a, b in zip(d["candidates"], d["candidates"][1:]) if a["applicable"] and b["applicable"])'
fi
# Second path: dufm eval of the entry's configuration gives the candidate's loss.
cp "$TMP/json" "$TMP/va_cmp.json"
if expect_json eval "$VE/config"; then
  json_check "abs(d['loss'] - json.load(open('$TMP/va_cmp.json'))['search']['loss']) <= 1e-12"
fi
# The same rational written otherwise finds the same entry; another one does not.
expect_json compare --L 2 --K 3 --lambda 1/250 --atlas "$VA" &&
  json_check "d['search'] == json.load(open('$TMP/va_cmp.json'))['search']"
expect_json compare --L 2 --K 3 --lambda 0.0041 --atlas "$VA" &&
  json_check 'd["search"] is None and d["searched"].endswith("; no atlas entry, no search")'
expect_json compare --L 2 --K 3 --n 2 --atlas "$VA" && json_check 'd["search"] is None'
# $DUFM_ATLAS is the default root; --no-atlas consults nothing.
DUFM_ATLAS="$VA" "$DUFM" compare --L 2 --K 3 --json >"$TMP/json" 2>/dev/null && ok || bad "DUFM_ATLAS compare"
json_check "d['search'] == json.load(open('$TMP/va_cmp.json'))['search']"
expect_json compare --L 2 --K 3 --no-atlas &&
  json_check 'd["search"] is None and d["searched"].endswith("; atlas not consulted, no search") and d["evidence"] == "none"'
# Text output: a row for the search candidate and the searched line.
"$DUFM" compare --L 2 --K 3 --atlas "$VA" >"$TMP/va.txt" 2>&1 && ok || bad "compare text with atlas"
grep -q "^  atlas entry  " "$TMP/va.txt" && grep -q "^  searched: closed-form menu" "$TMP/va.txt" && ok ||
  bad "compare text lacks the search row: $(cat "$TMP/va.txt")"

# ---- bad input
expect_usage_error "--atlas" compare --atlas "$TMP/no_such_atlas"
expect_usage_error "--no-atlas" compare --atlas "$VA" --no-atlas
expect_usage_error "--search" compare --search 0
expect_usage_error "--search" compare --search abc
expect_usage_error "--search-budget" compare --search-budget 20000
expect_usage_error "--search-budget" compare --search 1 --search-budget 10
DUFM_ATLAS="$TMP/no_such_atlas" "$DUFM" compare >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "DUFM_ATLAS" "$TMP/err" && ok ||
  bad "a missing DUFM_ATLAS folder: $(cat "$TMP/err")"
expect_usage_error "--atlas" table --atlas "$TMP/no_such_atlas"
# A corrupt entry is named, not ignored.
cp -r "$VA" "$TMP/va_bad"
printf '{"format": "dufm-atlas-entry-1",' >"$TMP/va_bad/lam0.004_n1/L2_K3/entry.json"
expect_usage_error "L2_K3" compare --L 2 --K 3 --atlas "$TMP/va_bad"
# A recorded loss that is not the configuration's.
cp -r "$VA" "$TMP/va_bad2"
$PY - "$TMP/va_bad2/lam0.004_n1/L2_K3/entry.json" <<'PY'
import re, sys
p = sys.argv[1]
t = open(p).read()
t = re.sub(r'"best_loss": ([0-9.e-]+)', lambda m: '"best_loss": %.17g' % (float(m.group(1)) * 1.001), t, count=1)
open(p, "w").write(t)
PY
expect_usage_error "best_loss" compare --L 2 --K 3 --atlas "$TMP/va_bad2"

# ---- the committed atlas (data/atlas/lam0.004_n1/L4_K5 and L3_K4 exist)
if env -u DUFM_ATLAS "$DUFM" compare --L 4 --K 5 --lambda 0.004 --json >"$TMP/json" 2>"$TMP/err"; then
  ok
  json_check 'd["verdict"] == "dnc_not_optimal" and d["evidence"] == "certificate"'
  json_check 'd["search"]["certificate_verified"] and d["search"]["certificate"].endswith("data/atlas/lam0.004_n1/L4_K5/certificate.cert")'
  json_check 'd["search"]["vs_dnc"] == "below" and d["search"]["loss"] < d["dnc"]["loss_lower"]'
  json_check 'all(c["vs_dnc"] != "below" for c in d["candidates"] if c["origin"] not in ("search", "sets") and c["applicable"])'
  # Second path: the certificate checks on its own.
  cert=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["search"]["certificate"])' "$TMP/json")
  "$DUFM" check-cert "$cert" >/dev/null 2>&1 && ok || bad "check-cert of the L4_K5 atlas certificate"
else
  bad "compare --L 4 --K 5 with the default atlas: $(cat "$TMP/err")"
fi
"$DUFM" compare --L 4 --K 5 --lambda 0.004 --atlas "$ROOT/data/atlas" 2>&1 | grep -q "verdict: dnc_not_optimal (evidence: certificate" && ok ||
  bad "compare text at L 4, K 5: no certificate evidence"
if env -u DUFM_ATLAS "$DUFM" compare --L 3 --K 4 --lambda 0.004 --json >"$TMP/json" 2>"$TMP/err"; then
  ok
  json_check 'd["verdict"] == "dnc_best_known" and d["evidence"] == "none"'
  json_check '"atlas entry: search budget 2000000, seed 0, found loss" in d["searched"] and "not certified below DNC" in d["searched"]'
  json_check 'd["searched"].startswith("closed-form menu (")'
else
  bad "compare --L 3 --K 4 with the default atlas: $(cat "$TMP/err")"
fi
# A valid certificate of other parameters (L4_K4's) in L4_K5's entry is refused.
mkdir -p "$TMP/va_swap/lam0.004_n1"
cp -r "$ROOT/data/atlas/lam0.004_n1/L4_K5" "$TMP/va_swap/lam0.004_n1/"
cp "$ROOT/data/atlas/lam0.004_n1/L4_K4/certificate.cert" "$TMP/va_swap/lam0.004_n1/L4_K5/certificate.cert"
if expect_json compare --L 4 --K 5 --no-sets --atlas "$TMP/va_swap"; then
  json_check 'd["verdict"] == "dnc_best_known" and not d["search"]["certificate_verified"]'
  json_check '"parameters" in d["search"]["certificate_note"] and "not certified below DNC" in d["searched"]'
fi
# dufm table: the same verdict and evidence per row.
if expect_json table --L 3,4 --K 4,5 --atlas "$ROOT/data/atlas"; then
  json_check '[(r["L"], r["K"], r["verdict"], r["evidence"]) for r in d["rows"] if (r["L"], r["K"]) in ((4, 5), (3, 4))] == [(3, 4, "dnc_best_known", "none"), (4, 5, "dnc_not_optimal", "certificate")]'
  json_check 'd["columns"][-2:] == ["verdict", "evidence"]'
fi
expect_json table --L 4 --K 5 --no-atlas && json_check 'd["rows"][0]["verdict"] == "dnc_best_known" and d["rows"][0]["evidence"] == "none"'

# ---- inline search with a time limit (not bit-reproducible: only the shape is checked)
if expect_json compare --L 2 --K 3 --no-atlas --search 1 --search-budget 20000; then
  json_check 'd["search"]["name"] == "inline search" and d["search"]["origin"] == "search"'
  json_check 'd["search"]["time_limit"] == 1 and d["search"]["budget"] == 20000 and d["search"]["loss"] > 0'
  json_check '"inline search: search budget 20000, seed 0, time limit 1 s" in d["searched"]'
  json_check 'd["search"]["certificate_verified"] == (d["evidence"] == "certificate") or d["evidence"] == "closed_form"'
fi
# With a matching entry the search does not run.
expect_json compare --L 2 --K 3 --atlas "$VA" --search 1 && json_check 'd["search"]["name"] == "atlas entry"'
