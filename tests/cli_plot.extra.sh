# CLI tests of 'dufm plot' (sourced by cli_test.sh: uses $DUFM, $TMP, $ROOT, $PY,
# expect_usage_error, expect_json, json_check, ok, bad). Files must have the
# right format; JSON summaries are checked against numbers from other commands
# or from the theory; bad input exits 2 with one line and leaves no file.

# The cairo (PNG) driver loads fontconfig and libltdl, whose caches live until
# exit: LeakSanitizer would report them in the sanitizer build. Suppressed for
# these tests only (plot_saved_lsan restores the caller's setting at the end).
plot_saved_lsan="${LSAN_OPTIONS-__unset__}"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan_plplot.supp:print_suppressions=0"

is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
is_svg() { [ -s "$1" ] && head -c 4096 "$1" | grep -q '<svg' && tail -c 200 "$1" | grep -q '</svg>'; }
# no_leftovers DIR: DIR holds no file (a failed plot leaves nothing behind).
no_leftovers() { [ -z "$(ls -A "$1")" ] && ok || bad "plot left files behind: $(ls -A "$1")"; }

F="$TMP/figs"
mkdir -p "$F"

# ---- argument errors: exit 2, one line, nothing written
expect_usage_error "KIND" plot
expect_usage_error "unknown kind" plot bogus --out "$F/x.svg"
expect_usage_error "--out" plot ratio --L 4 --r 4
expect_usage_error "--out" plot ratio --L 4 --r 4 --out "$F/x.pdf"
expect_usage_error "--out" plot ratio --L 4 --r 4 --out "$F/x"
expect_usage_error "--out" plot ratio --L 4 --r 4 --out "$F/no-such-dir/x.svg"
expect_usage_error "--K" plot ratio --K 10 --out "$F/x.svg"
expect_usage_error "--r" plot ratio --r 2..5 --out "$F/x.svg"
expect_usage_error "--r" plot ratio --r 6..4 --out "$F/x.svg"
expect_usage_error "--lambda" plot ratio --r 4 --lambda -1 --out "$F/x.svg"
expect_usage_error "--structure" plot gram --out "$F/g.png"
expect_usage_error "--structure" plot gram --structure srg:5 "$TMP" --out "$F/g.png"
expect_usage_error "--structure" plot gram --structure bogus:3 --out "$F/g.png"
expect_usage_error "--K" plot gram --structure srg:5 --K 7 --out "$F/g.png"
expect_usage_error "L >= 2" plot gram --structure srg:5 --L 1 --out "$F/g.png"
expect_usage_error "no-such-dir" plot spectrum "$TMP/no-such-dir" --out "$F/s.svg"
expect_usage_error "--unscaled" plot spectrum "$TMP" --unscaled --out "$F/s.svg"
expect_usage_error "FILE.csv" plot trace --out "$F/t.svg"
expect_usage_error "--y" plot trace "$F/none.csv" --y log --out "$F/t.svg"
expect_usage_error "none.csv" plot trace "$F/none.csv" --out "$F/t.svg"
no_leftovers "$F"
# Malformed traces: each message names the file and the line.
printf 'run,iter,fit\n0,0,0.5\n' >"$TMP/t_header.csv"
printf 'run,seed,iter,loss\n0,1,0,0.5\n0,1,10\n' >"$TMP/t_fields.csv"
printf 'run,seed,iter,loss\n0,1,0,abc\n' >"$TMP/t_loss.csv"
printf 'run,seed,iter,loss\n0,1,0,-0.5\n' >"$TMP/t_neg.csv"
printf 'run,seed,iter,loss\n' >"$TMP/t_nodata.csv"
: >"$TMP/t_empty.csv"
expect_usage_error "t_header.csv: line 1" plot trace "$TMP/t_header.csv" --out "$F/t.svg"
expect_usage_error "t_fields.csv: line 3" plot trace "$TMP/t_fields.csv" --out "$F/t.svg"
expect_usage_error "t_loss.csv: line 2" plot trace "$TMP/t_loss.csv" --out "$F/t.svg"
expect_usage_error "t_neg.csv: line 2" plot trace "$TMP/t_neg.csv" --out "$F/t.svg"
expect_usage_error "no data" plot trace "$TMP/t_nodata.csv" --out "$F/t.svg"
expect_usage_error "empty" plot trace "$TMP/t_empty.csv" --out "$F/t.svg"
no_leftovers "$F"
# --out names an existing folder: the rename fails and the temporary goes.
mkdir -p "$F/d.svg"
expect_usage_error "--out" plot ratio --L 4 --r 4 --out "$F/d.svg"
[ "$(ls -A "$F")" = "d.svg" ] && [ -z "$(ls -A "$F/d.svg")" ] && ok ||
  bad "plot left files behind for a folder --out: $(ls -A "$F")"
rmdir "$F/d.svg"

# ---- ratio (figure 3): the srg curve agrees with 'dufm structure', and with
# the theory: srg:r never beats DNC at L = 3, beats it at L = 4 for r >= 4.
s5=$("$DUFM" structure --structure srg:5 --L 4 --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["ratio_to_dnc"])')
expect_json plot ratio --L 3,4 --r 3..8 --out "$F/ratio.svg" &&
  json_check 'd["kind"] == "ratio" and d["format"] == "svg" and d["out"].endswith("ratio.svg")' &&
  json_check '[(c["L"], c["curve"]) for c in d["curves"]] == [(3,"srg"),(3,"best"),(4,"srg"),(4,"best")]' &&
  json_check "abs(d['curves'][2]['ratio'][d['curves'][2]['r'].index(5)] - $s5) <= 1e-12 * $s5" &&
  json_check 'all(x > 1 for x in d["curves"][0]["ratio"])' &&
  json_check 'd["curves"][2]["ratio"][0] > 1 and all(x < 1 for x in d["curves"][2]["ratio"][1:])' &&
  json_check 'all(b <= min(s, 1) for L in (0, 2) for s, b in zip(d["curves"][L]["ratio"], d["curves"][L + 1]["ratio"]))'
is_svg "$F/ratio.svg" && ok || bad "plot ratio: $F/ratio.svg is not an SVG file"
"$DUFM" plot ratio --L 4 --r 4,5 --out "$F/ratio.png" >"$TMP/out" 2>"$TMP/err" &&
  grep -q "^wrote .*ratio.png (png, 2 curves)" "$TMP/out" && [ ! -s "$TMP/err" ] && ok ||
  bad "plot ratio --out ratio.png: $(cat "$TMP/out" "$TMP/err")"
is_png "$F/ratio.png" && ok || bad "plot ratio: $F/ratio.png is not a PNG file"

# ---- gram (figure 1). DNC: every panel is the identity. srg:5: ranks as the
# closed form says; M_1 = B (incidence of K_5), so B^T B = 2I + A is 1 on the
# diagonal and 1/2 or 0 off it after division by its max.
expect_json plot gram --structure dnc --out "$F/gram_dnc.png" &&
  json_check 'len(d["panels"]) == 7 and all(p["diag_min"] == 1 and p["offdiag_max_abs"] == 0 for p in d["panels"])' &&
  json_check 'all(p["rank"] == 10 for p in d["panels"])'
is_png "$F/gram_dnc.png" && ok || bad "plot gram: gram_dnc.png is not a PNG file"
"$DUFM" structure --structure srg:5 --json >"$TMP/s5.json"
ranks_ok='[p["rank"] for p in d["panels"] if p["activation"] == "post"] == s["ranks"]["hidden"] and [p["rank"] for p in d["panels"] if p["activation"] == "pre"] == s["ranks"]["preact"]'
expect_json plot gram --structure srg:5 --out "$F/gram_srg5.svg" &&
  json_check "(lambda s: $ranks_ok)(json.load(open('$TMP/s5.json')))" &&
  json_check 'abs(d["panels"][0]["offdiag_max_abs"] - 0.5) < 1e-14 and d["panels"][0]["min"] == 0 and d["panels"][0]["diag_min"] == 1'
is_svg "$F/gram_srg5.svg" && ok || bad "plot gram: gram_srg5.svg is not an SVG file"

# ---- spectrum: B B^T = 3I + J for K_5, so sigma_2 / sigma_1 = sqrt(3/8).
expect_json plot spectrum --structure srg:5 --out "$F/spec.svg" &&
  json_check "(lambda s: [c['rank'] for c in d['curves'] if c['activation'] == 'post'] == s['ranks']['hidden'] and [c['rank'] for c in d['curves'] if c['activation'] == 'pre'] == s['ranks']['preact'])(json.load(open('$TMP/s5.json')))" &&
  json_check 'all(len(c["singular_values"]) == min(c["rows"], 10) for c in d["curves"])' &&
  json_check 'abs(d["curves"][0]["singular_values"][1] / d["curves"][0]["singular_values"][0] - (3 / 8) ** 0.5) < 1e-13'
is_svg "$F/spec.svg" && ok || bad "plot spectrum: spec.svg is not an SVG file"
# A folder in per-sample form (n = 3) has the same class means, so the same ranks.
"$DUFM" export --structure srg:5 --n 3 --out "$TMP/srg5_n3" >/dev/null 2>&1 || bad "export srg:5 --n 3 failed"
expect_json plot spectrum "$TMP/srg5_n3" --out "$F/spec_dir.png" &&
  json_check "(lambda s: [c['rank'] for c in d['curves'] if c['activation'] == 'post'] == s['ranks']['hidden'])(json.load(open('$TMP/s5.json')))"
is_png "$F/spec_dir.png" && ok || bad "plot spectrum DIR: spec_dir.png is not a PNG file"
expect_json plot gram "$TMP/srg5_n3" --n 3 --out "$F/gram_dir.png" &&
  json_check 'd["n"] == 3 and abs(d["panels"][0]["offdiag_max_abs"] - 0.5) < 1e-14'
expect_usage_error "--n" plot gram "$TMP/srg5_n3" --n 2 --out "$F/g.png"

# ---- trace (figure 2): levels from 'dufm dnc' and the lower bound below the best.
dnc=$("$DUFM" dnc --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["loss"])')
printf 'run,seed,iter,loss,fit,reg,grad_norm\n0,7,0,0.5,0.49,0.01,1\n0,7,100,0.2,0.1,0.1,0.1\n0,7,200,0.09,0.01,0.08,0.01\n1,8,0,0.6,0.5,0.1,1\n1,8,100,0.12,0.05,0.07,0.1\n' >"$TMP/trace.csv"
expect_json plot trace "$TMP/trace.csv" --L 4 --K 10 --n 1 --lambda 0.004 --out "$F/trace.svg" &&
  json_check "d['y'] == 'loss' and abs(d['dnc_loss'] - $dnc) <= 1e-15 and d['lower_bound'] < d['best_loss'] <= d['dnc_loss']" &&
  json_check '[(c["run"], c["seed"], c["points"]) for c in d["curves"]] == [(0, "7", 3), (1, "8", 2)]' &&
  json_check 'd["curves"][0]["min_loss"] == 0.09 and d["curves"][1]["last_iter"] == 100 and d["curves"][1]["first_loss"] == 0.6'
is_svg "$F/trace.svg" && ok || bad "plot trace: trace.svg is not an SVG file"
expect_json plot trace "$TMP/trace.csv" --L 4 --K 10 --n 1 --lambda 0.004 --y gap --out "$F/trace.png" && json_check 'd["y"] == "gap" and d["clamped"] == 0'
is_png "$F/trace.png" && ok || bad "plot trace: trace.png is not a PNG file"
# No temporary survives a successful run either.
[ -z "$(ls -A "$F" | grep '\.tmp')" ] && ok || bad "plot left temporaries: $(ls -A "$F")"

if [ "$plot_saved_lsan" = "__unset__" ]; then unset LSAN_OPTIONS; else export LSAN_OPTIONS="$plot_saved_lsan"; fi
