# CLI tests of 'dufm paper' (sourced by cli_test.sh: uses $DUFM, $TMP, $PY, ok,
# bad, expect_usage_error, expect_json, json_check). One tiny run (one seed,
# 200 gd steps: about a second) checks the folder, every file's format, the
# report and the JSON against other commands; bad input exits 2 with one line
# and leaves nothing; an interrupt removes the temporary folder.

# The PNG figures load PLplot's cairo driver: same LeakSanitizer suppressions as
# cli_plot.extra.sh (restored at the end).
paper_saved_lsan="${LSAN_OPTIONS-__unset__}"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan_plplot.supp:print_suppressions=0"

# paper_files_ok DIR JSON: every file the JSON lists exists in DIR, non-empty,
# in its format (CSV: a header and rows of as many fields; SVG; PNG; Markdown),
# and DIR holds nothing else.
paper_files_ok() {
  if $PY - "$1" "$2" <<'EOF'; then ok; else bad "paper: files in $1"; fi
import csv, io, json, os, sys
folder, d = sys.argv[1], json.load(open(sys.argv[2]))
listed = ["report.md"] + [f for e in d["experiments"] for f in e["files"]]
assert sorted(os.listdir(folder)) == sorted(listed), (sorted(os.listdir(folder)), listed)
for f in listed:
    data = open(os.path.join(folder, f), "rb").read()
    assert data, f + " is empty"
    if f.endswith(".csv"):
        # a leading "# {...}" line carries the parameters (loss_trace.csv)
        rows = [r for r in csv.reader(io.StringIO(data.decode())) if not (r and r[0].startswith("#"))]
        assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows), f
    elif f.endswith(".svg"):
        assert b"<svg" in data[:4096] and b"</svg>" in data[-200:], f
    elif f.endswith(".png"):
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f
    else:
        assert f.endswith(".md") and data.startswith(b"# "), f
EOF
}

# ---- a tiny run
P="$TMP/paper_out"
expect_json paper --out "$P" --seeds 1 --iters 200 --threads 2 &&
  json_check 'all(k in d for k in ("out","mode","seeds","threads","report","experiments","seconds"))' &&
  json_check 'd["out"].endswith("paper_out") and d["mode"] == "quick" and d["seeds"] == 1 and d["seconds"] > 0' &&
  json_check '[e["name"] for e in d["experiments"]] == ["loss","ratio","rank","width"]' &&
  json_check 'all(all(k in e for k in ("name","title","files","verdict","summary")) for e in d["experiments"])' &&
  json_check 'all(any(f.endswith(x) for f in e["files"]) for e in d["experiments"] for x in (".csv",".svg",".png"))'
cp "$TMP/json" "$TMP/paper.json"
paper_files_ok "$P" "$TMP/paper.json"
ls "$TMP" | grep -q 'paper_out.tmp' && bad "paper left its temporary folder" || ok
# The report names each experiment and shows each figure.
for needle in "## 1." "## 2." "## 3." "## 4." "loss_trace_zoom.png" "ratio.png" "rank.png" \
  "width.png" "figure 2" "figure 3, left" "figure 3, middle" "figure 3, right"; do
  grep -qF -- "$needle" "$P/report.md" && ok || bad "paper: report.md lacks '$needle'"
done
# Row counts: one per seed, lambda or width; ratio: 2 lambdas x 3 depths x r = 3..30.
[ "$(wc -l <"$P/loss_runs.csv")" -eq 2 ] && [ "$(wc -l <"$P/rank_runs.csv")" -eq 6 ] &&
  [ "$(wc -l <"$P/width_runs.csv")" -eq 4 ] && [ "$(wc -l <"$P/ratio.csv")" -eq 169 ] &&
  [ "$(wc -l <"$P/loss_trace.csv")" -eq 103 ] && ok || bad "paper: CSV row counts"

# Numbers against other commands: the closed forms, and seed 0 of optimize
# (same seed, widths, lr, start and step count: bitwise the same run).
dnc=$("$DUFM" dnc --json | $PY -c 'import json,sys; print(repr(json.load(sys.stdin)["loss"]))')
srg=$("$DUFM" structure --structure srg:5 --json | $PY -c 'import json,sys; print(repr(json.load(sys.stdin)["loss"]))')
opt=$("$DUFM" optimize --seeds 1 --iters 200 --json | $PY -c 'import json,sys; print(repr(json.load(sys.stdin)["runs"][0]["loss"]))')
json_check "(lambda s: s['dnc_loss'] == $dnc and s['paper_loss'] == $srg and s['paper_structure'] == 'srg:5' and s['final_losses'] == [$opt] and s['runs'] == 1)(d['experiments'][0]['summary'])"
json_check "(lambda s: s['criterion_agree'] == s['criterion_settings'] > 100 and s['srg_below_dnc_count'] == [0, 27, 27])(d['experiments'][1]['summary'])"
json_check "(lambda s: s['lambdas'] == ['0.0001','0.0004','0.001','0.004','0.01'] and len(s['mean_rank_M1']) == 5 and s['iters'] == [200]*5)(d['experiments'][2]['summary'])"
json_check "(lambda s: s['widths'] == [10, 30, 100] and all(sum(s[k][i] for k in ('dnc','near_dnc','low_rank','other','underfit','zero','diverged')) == 1 for i in range(3)))(d['experiments'][3]['summary'])"
[ "$(sed -n 2p "$P/loss_runs.csv" | cut -d, -f2)" = "$($PY -c "print('%.17g' % $opt)")" ] && ok ||
  bad "paper: loss_runs.csv seed 0 differs from dufm optimize"
# The trace figure's levels include the paper's construction.
expect_json plot trace "$P/loss_trace.csv" --out "$TMP/paper_trace.svg" &&
  json_check "d['paper'] == 'srg:5' and d['paper_loss'] == $srg and d['best'] == 'clique:5:3'"
# An existing empty folder is a valid --out.
mkdir -p "$TMP/paper_empty"
"$DUFM" paper --out "$TMP/paper_empty" --seeds 1 --iters 20 >"$TMP/out" 2>"$TMP/err" &&
  [ -s "$TMP/paper_empty/report.md" ] && grep -q "^wrote .*paper_empty" "$TMP/out" && ok ||
  bad "paper --out EMPTY_DIR: $(cat "$TMP/err")"

# ---- bad input: exit 2, one line, nothing written
mkdir -p "$TMP/paper_bad"
expect_usage_error "--seeds" paper --out "$TMP/paper_bad/x" --seeds 0
expect_usage_error "--seeds" paper --out "$TMP/paper_bad/x" --seeds abc
expect_usage_error "--threads" paper --out "$TMP/paper_bad/x" --threads 0
expect_usage_error "--iters" paper --out "$TMP/paper_bad/x" --iters 0
expect_usage_error "--bogus" paper --out "$TMP/paper_bad/x" --bogus
expect_usage_error "--L" paper --out "$TMP/paper_bad/x" --L 3
expect_usage_error "--out" paper --out ""
expect_usage_error "--out" paper --out "$P"
expect_usage_error "--out" paper --out "$TMP/paper_bad/no/such/x"
: >"$TMP/paper_bad/afile"
expect_usage_error "--out" paper --out "$TMP/paper_bad/afile/x"
expect_usage_error "--out" paper --out "/proc/dufm-paper-test"
[ "$(ls -A "$TMP/paper_bad")" = "afile" ] && ok || bad "paper left files behind: $(ls -A "$TMP/paper_bad")"
paper_files_ok "$P" "$TMP/paper.json" # the refused run left the existing folder as it was

# ---- an interrupt (SIGTERM; a background job ignores SIGINT) removes the
# temporary folder and ends with 128 + 15.
"$DUFM" paper --out "$TMP/paper_bad/int" --seeds 1 --iters 100000000 >/dev/null 2>"$TMP/err" &
paper_pid=$!
# A watchdog, should the guard fail: it ends by itself once the run has ended.
(for _ in $(seq 300); do kill -0 "$paper_pid" 2>/dev/null || exit 0; sleep 0.1; done
  kill -KILL "$paper_pid") >/dev/null 2>&1 &
paper_dog=$!
for _ in $(seq 100); do
  ls "$TMP/paper_bad" | grep -q 'int.tmp-' && break
  sleep 0.1
done
sleep 0.3
kill -TERM "$paper_pid"
wait "$paper_pid"
paper_rc=$?
wait "$paper_dog"
[ "$paper_rc" -eq 143 ] && [ "$(ls -A "$TMP/paper_bad")" = "afile" ] && grep -q "interrupted" "$TMP/err" && ok ||
  bad "paper interrupted: exit $paper_rc, left $(ls -A "$TMP/paper_bad"): $(cat "$TMP/err")"

if [ "$paper_saved_lsan" = "__unset__" ]; then unset LSAN_OPTIONS; else export LSAN_OPTIONS="$paper_saved_lsan"; fi
