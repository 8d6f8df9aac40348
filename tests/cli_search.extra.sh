# dufm polish and dufm search (sourced by cli_test.sh: DUFM, ROOT, TMP and the helpers).

# ---- polish
"$DUFM" export --structure srg:5 --L 4 --out "$TMP/srg5" >/dev/null 2>&1 || bad "export srg:5"
"$DUFM" structure --structure srg:5 --L 4 --json >"$TMP/srg5.json" 2>/dev/null || bad "structure srg:5"
if expect_json polish "$TMP/srg5" --max-evals 3000; then
  json_check "d['loss'] <= d['loss_in'] and d['eval_loss'] == d['loss'] and d['saved'] is None"
  json_check "d['loss'] <= json.load(open('$TMP/srg5.json'))['candidate']['loss_upper'] if 'candidate' in json.load(open('$TMP/srg5.json')) else d['loss'] <= json.load(open('$TMP/srg5.json'))['loss_upper']"
  json_check "all(k in d for k in ('piece_loss', 'grad_norm', 'rel_grad', 'converged', 'eval_grad_norm', 'evals', 'stage', 'mode'))"
  json_check "d['pattern']['active'] + d['pattern']['inactive'] == sum(len(r) for layer in d['pattern']['layers'] for r in layer)"
fi
if expect_json polish "$TMP/srg5" --pattern-only --max-evals 500 --save "$TMP/srg5p"; then
  json_check "d['mode'] == 'pattern' and d['saved'] is not None and d['loss'] <= d['loss_in']"
  "$DUFM" eval "$TMP/srg5p" --json >"$TMP/ev.json" 2>/dev/null || bad "eval of polish --save"
  $PY -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a['loss']==b['loss'] else 1)" "$TMP/ev.json" "$TMP/json" && ok || bad "polish --save: eval loss differs"
fi
expect_usage_error "polish" polish
expect_usage_error "no_such_dir" polish "$TMP/no_such_dir"
expect_usage_error "--max-evals" polish "$TMP/srg5" --max-evals 0
expect_usage_error "--tol" polish "$TMP/srg5" --tol -1
expect_usage_error "--save" polish "$TMP/srg5" --save "$TMP/srg5"
expect_usage_error "--K" polish "$TMP/srg5" --K 9
expect_usage_error "--stage" polish "$TMP/srg5" --stage newton
# each stage names itself; rounds reports no kink rank
for stg in piece rounds cross; do
  if expect_json polish "$TMP/srg5" --pattern-only --stage $stg --max-evals 2000; then
    json_check "d['method'] == '$stg' and d['loss'] <= d['loss_in'] and 'kink_descents' in d['pattern']"
    json_check "(d['pattern']['kink_rank'] is None) == ('$stg' == 'rounds')"
  fi
done
[ -e "$TMP/srg5_unwanted" ] && bad "polish wrote a folder on bad input" || ok

# ---- search (tiny budgets: correctness of the plumbing, not of the optimum)
if expect_json search --L 2 --K 3 --budget 20000 --no-chain --save "$TMP/s1"; then
  json_check "d['best_loss'] == d['eval_loss'] and d['budget_used'] <= d['budget'] and d['certificate'] is None"
  json_check "abs(d['ratio_to_dnc'] - d['best_loss'] / d['dnc_loss']) <= 1e-15 and d['ratio_to_dnc'] <= 1 + 1e-9"
  json_check "len(d['starts']) >= 18 and all(set(s) == {'task', 'phase', 'origin', 'loss', 'evals'} for s in d['starts'])"
  json_check "d['starts'][d['best_task']]['origin'] == d['best_origin'] and d['chain'] is False"
  json_check "d['chain_losses'] == {'lower_L': None, 'higher_K': None} and d['time_limit'] is None"
  "$DUFM" eval "$TMP/s1" --json >"$TMP/ev.json" 2>/dev/null || bad "eval of search --save"
  $PY -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a['loss']==b['best_loss'] else 1)" "$TMP/ev.json" "$TMP/json" && ok || bad "search --save: eval loss differs"
fi
# Same seed and budget: the same bytes, whatever the thread count.
"$DUFM" search --L 2 --K 3 --budget 20000 --no-chain --threads 1 --save "$TMP/s2" >/dev/null 2>&1 || bad "search --threads 1"
same=1
for f in H1 W1 W2; do cmp -s "$TMP/s1/$f.npy" "$TMP/s2/$f.npy" || same=0; done
[ "$same" -eq 1 ] && ok || bad "search: same seed and budget gave different configurations"
# Chains: a (L, K+1) folder as --start, and the internal chain.
if expect_json search --L 2 --K 2 --budget 30000 --start "$TMP/s1"; then
  json_check "any(s['origin'].startswith('delete class') for s in d['starts'])"
  json_check "d['chain_losses']['higher_K'] is not None and d['chain_losses']['lower_L'] is not None"
fi
expect_usage_error "--budget" search --budget 5
expect_usage_error "--budget" search --budget abc
expect_usage_error "--seed" search --seed -1
expect_usage_error "--threads" search --threads 0
expect_usage_error "--time-limit" search --time-limit 0
expect_usage_error "--start" search --start "$TMP/no_such_dir"
expect_usage_error "--start" search --L 5 --K 3 --start "$TMP/s1"
expect_usage_error "--start" search --start
expect_usage_error "--save" search --save "$TMP/s1"
expect_usage_error "--L" search --L 0

# ---- default start scale by depth: at L = 6 the old default 0.1 ends every
# run at the zero solution (loss 1/2); the depth default escapes it.
if expect_json optimize --L 6 --K 5 --seeds 4 --iters 8000; then
  json_check "d['init_std'] > 0.1 and all(r['loss'] < 0.4 for r in d['runs'])"
fi
if expect_json optimize --L 6 --K 5 --seeds 4 --iters 8000 --init-std 0.1; then
  json_check "all(abs(r['loss'] - 0.5) < 1e-6 for r in d['runs'])"
fi
if expect_json optimize --L 4 --K 5 --seeds 1 --iters 10; then
  json_check "d['init_std'] == 0.1"
fi
