# dufm atlas (sourced by cli_test.sh: DUFM, ROOT, TMP and the helpers). Tiny
# budgets: the plumbing (entries, resume, validation), not the optimum.

# atlas_validate DIR: every entry parses, its configuration's dufm eval loss
# equals best_loss to 1e-12, and its fields are the documented ones.
atlas_validate() {
  local dir="$1" e n=0 badn=0
  for e in "$dir"/*/L*_K*/; do
    [ -d "$e" ] || continue
    n=$((n + 1))
    if ! "$DUFM" eval "${e%/}/config" --lambda "$(sed -n 's/.*"lambda": "\([^"]*\)".*/\1/p' "$e/entry.json")" \
      --json >"$TMP/atlas_ev.json" 2>/dev/null; then
      badn=$((badn + 1)); echo "FAIL: dufm eval $e/config"; continue
    fi
    $PY - "$e/entry.json" "$TMP/atlas_ev.json" <<'PY' || badn=$((badn + 1))
import json, sys
e = json.load(open(sys.argv[1])); v = json.load(open(sys.argv[2]))
keys = ["format", "L", "K", "n", "lambda", "budget", "seed", "best_loss", "dnc_loss",
        "ratio_to_dnc", "below_dnc", "closed_form_best", "pattern", "certificate", "config",
        "found_with", "runs", "search", "seconds"]
ok = list(e) == keys and e["format"] == "dufm-atlas-entry-1"
ok = ok and abs(v["loss"] - e["best_loss"]) <= 1e-12
ok = ok and abs(e["ratio_to_dnc"] - e["best_loss"] / e["dnc_loss"]) <= 1e-15
ok = ok and e["search"]["budget_used"] <= e["budget"]
ok = ok and e["runs"][-1]["budget"] == e["budget"] and e["runs"][-1]["seed"] == e["seed"]
ok = ok and set(e["closed_form_best"]) == {"name", "loss"}
ok = ok and all(set(t) == {"task", "phase", "origin", "seed", "loss", "evals"} for t in e["search"]["tasks"])
if not ok:
    print("FAIL: atlas entry", sys.argv[1], "loss", v["loss"], "vs", e["best_loss"])
sys.exit(0 if ok else 1)
PY
  done
  [ "$n" -gt 0 ] && [ "$badn" -eq 0 ]
}

# ---- a tiny atlas, its JSON summary and entries
A="$TMP/atlas"
if expect_json atlas --L 2..3 --K 2..3 --budget 10000 --threads 2 --out "$A"; then
  json_check "d['settings'] == 4 and d['searched'] == 4 and d['skipped'] == 0 and d['failed'] == 0"
  json_check "d['folder'].endswith('lam0.004_n1') and d['lambda'] == '0.004' and d['budget'] == 10000"
  json_check "[(e['L'], e['K']) for e in d['entries']] == [(2, 3), (2, 2), (3, 3), (3, 2)]"
  json_check "all(set(e) == {'L', 'K', 'status', 'best_loss', 'ratio_to_dnc', 'below_dnc'} for e in d['entries'])"
  # Chains: (3, 2) has phase 2 starts lifted from (2, 2) and with a class of (3, 3) deleted.
  $PY -c "import json,sys; s=json.load(open(sys.argv[1]))['search']; sys.exit(0 if s['phase2_inputs'] == ['best at (L-1, K)', 'best at (L, K+1)'] and any(t['origin'].startswith('lift') for t in s['tasks']) and any(t['origin'].startswith('delete class') for t in s['tasks']) else 1)" "$A/lam0.004_n1/L3_K2/entry.json" && ok || bad "atlas: phase 2 starts of (3, 2)"
fi
atlas_validate "$A" && ok || bad "atlas: entries do not validate"
# The same atlas with one thread: the same bytes (seconds aside).
"$DUFM" atlas --L 2..3 --K 2..3 --budget 10000 --threads 1 --out "$TMP/atlas1" >/dev/null 2>&1 || bad "atlas --threads 1"
$PY - "$A" "$TMP/atlas1" <<'PY' && ok || bad "atlas: --threads 1 and 2 differ"
import glob, json, os, sys
a, b = sys.argv[1], sys.argv[2]
fa = sorted(os.path.relpath(f, a) for f in glob.glob(a + "/*/*/**", recursive=True) if os.path.isfile(f))
fb = sorted(os.path.relpath(f, b) for f in glob.glob(b + "/*/*/**", recursive=True) if os.path.isfile(f))
assert fa == fb and len(fa) > 0, (fa, fb)
for f in fa:
    x, y = open(os.path.join(a, f), "rb").read(), open(os.path.join(b, f), "rb").read()
    if f.endswith("entry.json"):
        x, y = json.loads(x), json.loads(y)
        x.pop("seconds"); y.pop("seconds")
    assert x == y, f
PY
# Rerun with the same budget: nothing redone, entries untouched.
stamp() { find "$A" -name entry.json -printf '%p %T@ %i\n' | sort; }
before="$(stamp)"
if expect_json atlas --L 2..3 --K 2..3 --budget 10000 --out "$A"; then
  json_check "d['skipped'] == 4 and d['searched'] == 0 and d['jobs'] == 0"
  json_check "all(e['status'] == 'skipped' for e in d['entries'])"
fi
[ "$before" = "$(stamp)" ] && ok || bad "atlas: a rerun with the same budget rewrote entries"
# A larger budget: searched again, the better of old and new kept.
if expect_json atlas --L 2..3 --K 2 --budget 20000 --out "$A"; then
  json_check "d['settings'] == 2 and d['improved'] + d['kept'] == 2"
  $PY -c "import json,sys; e=json.load(open(sys.argv[1])); r=e['runs']; sys.exit(0 if [x['budget'] for x in r] == [10000, 20000] and e['best_loss'] == min(x['best_loss'] for x in r) and e['budget'] == 20000 else 1)" "$A/lam0.004_n1/L3_K2/entry.json" && ok || bad "atlas: merge after a larger budget"
fi
atlas_validate "$A" && ok || bad "atlas: entries after the merge do not validate"
# A corrupt entry is replaced (and said so on stderr), the others skipped.
echo '{"format": "dufm-atlas-entry-1",' >"$A/lam0.004_n1/L2_K3/entry.json"
if expect_json atlas --L 2..3 --K 2..3 --budget 10000 --out "$A"; then
  json_check "d['searched'] == 1 and d['skipped'] == 3"
  grep -q "L = 2, K = 3: searched.*existing entry replaced" "$TMP/err" && ok || bad "atlas: no note on the replaced entry: $(cat "$TMP/err")"
fi
atlas_validate "$A" && ok || bad "atlas: entries after the repair do not validate"

# ---- killed midway, rerun: finished settings are not redone; all entries valid
K="$TMP/atlas_kill"
"$DUFM" atlas --L 2..4 --K 2..5 --budget 40000 --threads 1 --out "$K" >/dev/null 2>"$TMP/kill1.err" &
kpid=$!
# Wait (at most 120 s) for the first finished setting, then kill.
for _ in $(seq 2400); do
  n1="$(grep -c 'searched' "$TMP/kill1.err" 2>/dev/null)"
  [ "${n1:-0}" -ge 1 ] && break
  kill -0 "$kpid" 2>/dev/null || break
  sleep 0.05
done
kill -TERM "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
done1="$(grep -c 'searched' "$TMP/kill1.err")"
[ "$done1" -ge 1 ] && [ "$done1" -lt 12 ] && ok || bad "atlas: the run was not killed midway ($done1 of 12 done)"
if "$DUFM" atlas --L 2..4 --K 2..5 --budget 40000 --threads 1 --out "$K" --json >"$TMP/json" 2>"$TMP/kill2.err"; then
  ok
  json_check "d['skipped'] == $done1 and d['skipped'] + d['searched'] == 12"
  # Every setting finished before the kill is reported skipped, none searched twice.
  for s in $(sed -n 's/.*L = \([0-9]*\), K = \([0-9]*\): searched.*/\1_\2/p' "$TMP/kill1.err"); do
    grep -q "L = ${s%_*}, K = ${s#*_}: skipped" "$TMP/kill2.err" && ok || bad "atlas: L_K $s redone after the kill"
  done
else
  bad "atlas: rerun after kill failed: $(cat "$TMP/kill2.err")"
fi
ls -d "$K"/*/*.tmp-* >/dev/null 2>&1 && bad "atlas: temporaries left after the rerun" || ok
atlas_validate "$K" && ok || bad "atlas: entries after kill and rerun do not validate"

# ---- bad input: exit 2, one line, nothing written
expect_usage_error "--out" atlas --L 2 --K 2
expect_usage_error "--L" atlas --L 3..2 --out "$TMP/atlas_bad"
expect_usage_error "--L" atlas --L 2,4 --out "$TMP/atlas_bad"
expect_usage_error "--L" atlas --L 0..3 --out "$TMP/atlas_bad"
expect_usage_error "--K" atlas --K 1..3 --out "$TMP/atlas_bad"
expect_usage_error "--K" atlas --K abc --out "$TMP/atlas_bad"
expect_usage_error "--n" atlas --n 0 --out "$TMP/atlas_bad"
expect_usage_error "--lambda" atlas --lambda -1 --out "$TMP/atlas_bad"
expect_usage_error "--lambda" atlas --lambda 0 --out "$TMP/atlas_bad"
expect_usage_error "--lambda" atlas --lambda x --out "$TMP/atlas_bad"
expect_usage_error "--budget" atlas --budget 9999 --out "$TMP/atlas_bad"
expect_usage_error "--seed" atlas --seed -1 --out "$TMP/atlas_bad"
expect_usage_error "--threads" atlas --threads 0 --out "$TMP/atlas_bad"
expect_usage_error "--bogus" atlas --bogus 1 --out "$TMP/atlas_bad"
[ -e "$TMP/atlas_bad" ] && bad "atlas: bad input created the folder" || ok
: >"$TMP/atlas_file"
"$DUFM" atlas --L 2 --K 2 --budget 10000 --out "$TMP/atlas_file" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q -- "--out" "$TMP/err" && ok ||
  bad "atlas --out FILE: exit $rc: $(cat "$TMP/err")"
