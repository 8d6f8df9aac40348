/* dufm: command-line front end of libdufm. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "dufm/meta.h"
#include "dufm/process.h"
#include "dufm/version.h"
#include "guard.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv, int first);
  const char *summary;
  const char *usage;
} command;

#define COMMON_FLAGS                                                                               \
  "  --L N            depth (default 4)\n"                                                         \
  "  --K N            classes (default 10)\n"                                                      \
  "  --n N            samples per class (default 1)\n"                                             \
  "  --lambda X       every regularization strength (default 0.004; exact decimal or P/Q)\n"       \
  "  --lambda-h X     lambda_H of the free features\n"                                             \
  "  --lambda-w X     lambda_1..lambda_L: one value or exactly L comma-separated values\n"         \
  "  --json           one JSON object on stdout instead of a table\n"

static const command commands[] = {
    {"dnc", cmd_dnc, "closed-form loss of deep neural collapse, with a rigorous enclosure",
     "usage: dufm dnc [flags]\n" COMMON_FLAGS},
    {"compare", cmd_compare,
     "every candidate structure against DNC: losses, ranks and an exact verdict",
     "usage: dufm compare [flags]\n" COMMON_FLAGS
     "  --max-r R        largest K_r in the clique and graph menus (default: all that fit)\n"
     "  --no-blocks      skip the block-composition DP\n"
     "  --no-cliques     skip clique-neuron constructions\n"
     "  --dp-limit N     largest K for the full block DP, O(K^2) (default 4000); above it\n"
     "                   the large-K rule (README: block DP cost); progress on stderr\n"
     "  --atlas DIR      atlas to consult (default: $DUFM_ATLAS, else the source tree's "
     "data/atlas)\n"
     "  --no-atlas       closed forms only\n"
     "  --search S       no atlas entry: search for at most S seconds (not bit-reproducible)\n"
     "  --search-budget N  evaluations of that search (default 3000000)\n"
     "  --search-cert FILE write its certificate there when the checker accepts it\n"

     "  --no-sets        skip the set systems (K = 3..6; each one polished and certified)\n"},
    {"structure", cmd_structure, "one structure in closed form (loss, Q^(L+1), ranks, vs DNC)",
     "usage: dufm structure --structure SPEC [flags]\n"
     "SPEC: dnc | dnc:M | srg:R | graph:U-V,... | clique:R:k1,k2 | clique:R:k1@w1,... | A+B+...\n"
     "      | sets:S0,S1,...[/last:T1,...] | pattern:FILE (polished, no closed form)\n"
     "K comes from SPEC (a given --K must agree).\n" COMMON_FLAGS},
    {"export", cmd_export, "write a structure's explicit rescale-optimal configuration as .npy",
     "usage: dufm export --structure SPEC --out DIR [flags]\n"
     "  --form samples|means  n columns per class (default) or class means only\n"
     "  --unscaled       the construction before the optimal rescaling\n" COMMON_FLAGS},
    {"table", cmd_table, "grids of comparisons over L, K (or r) and lambda",
     "usage: dufm table [--L LIST] [--K LIST | --r LIST] [--lambda LIST] [flags]\n"
     "LIST: 3,4,5 or 2..8 or mixtures; --r R gives K = R(R-1)/2 (the paper's figure 3)\n"
     "  --format table|csv|md|json   output format (default table)\n"
     "  --max-r R, --no-blocks       as for compare\n"
     "  --atlas DIR, --no-atlas      as for compare (verdict and evidence columns)\n" COMMON_FLAGS},
    {"eval", cmd_eval, "loss, fit, reg and rescale-optimal loss of a configuration folder",
     "usage: dufm eval DIR [flags]\n"
     "DIR holds H1.npy, W1.npy, ..., WL.npy and meta.json; L, K, n and the lambdas come\n"
     "from them (flags, if given, must agree). Without meta.json, --lambda is "
     "required.\n" COMMON_FLAGS},
    {"optimize", cmd_optimize,
     "numerical minimization over seeds (gd, anneal, lbfgs), vs closed forms",
     "usage: dufm optimize [flags]\n"
     "  --width W        hidden widths d_1..d_L: one value or L comma-separated (default 30,\n"
     "                   widened to fit --init)\n"
     "  --seeds S        seeds 0..S-1 (default 1)     --seed-list A,B,C  explicit seeds\n"
     "  --threads T      parallel runs (default: online cores)\n"
     "  --method M       gd | anneal | lbfgs (default gd); anneal: lr / (1 + 10 k / iters)\n"
     "  --lr X           gd/anneal step (default 0.5)\n"
     "  --iters N        steps (default 20000; lbfgs 5000)\n"
     "  --tol X          stop when the gradient norm <= X (default 1e-12)\n"
     "  --init-std X     Gaussian start N(0, X^2) (default 0.1 for L <= 4; deeper: keeps\n"
     "                   the product of the hidden layers' gains, 0.146 at L = 6, width 30)\n"
     "  --init SPEC|DIR  start from a structure (rescale-optimal, zero-padded) or a folder\n"
     "  --perturb EPS    add N(0, EPS^2) to the --init start (a different draw per seed)\n"
     "  --save DIR       best run as H1.npy, W1.npy, ..., meta.json (DIR missing or empty)\n"
     "  --trace FILE     a '# {meta.json}' line, then CSV run,seed,iter,loss,fit,reg,grad_norm\n"
     "  --log-every N    trace period (default iters / 100)\n"
     "  --progress       progress lines on stderr (default: only for runs over 2 s)\n"
     "Exit 1 when a run diverges (nothing is written).\n" COMMON_FLAGS},
    {"check", cmd_check,
     "ranks, neural-collapse metrics and expectations on a configuration folder",
     "usage: dufm check DIR [flags]\n"
     "DIR as for eval. Exit 0 when every expectation holds, 1 when one fails, 2 on bad input.\n"
     "  --rank-tol X     ranks count singular values > X sigma_max (default 1e-6)\n"
     "  --kink-tol X     kinks: pre-activations with |p| <= X max|P_l| (default 1e-9)\n"
     "  --nc2-tol X      NC2 below X on every layer (with full ranks) means dnc (default 1e-3)\n"
     "  --expect-below dnc|SPEC|NUMBER   loss strictly below that closed form or number\n"
     "  --pattern-tol X  activation patterns: class c is active on a neuron when its class\n"
     "                   mean > X times the layer's largest class mean (default 1e-6)\n"
     "  --expect-class zero|underfit|low_rank|dnc|other   the classification\n"
     "  --expect-stationary TOL   gradient norm <= TOL\n"
     "classification, first that applies: zero if the loss is 1/2 within 1e-9; underfit if\n"
     "the output's class means have rank < K (against max(sigma_max, 1)); low_rank if some\n"
     "class-mean layer M_l has rank < K; dnc if NC2 < nc2-tol on every layer; else "
     "other.\n" COMMON_FLAGS},
    {"plot", cmd_plot, "figures: ratio to DNC, Gram heat maps, spectra, optimizer traces",
     "usage: dufm plot KIND ... --out FILE.svg|FILE.png [flags]\n"
     "  ratio [--L LIST] [--r LIST]   L_SRG / L_DNC against r (K = r(r-1)/2), one curve per\n"
     "                   L (default 3,4,5; r 3..30), the best candidate dashed (figure 3)\n"
     "                   --no-blocks, --no-cliques as for compare\n"
     "  gram (--structure SPEC | DIR)  heat maps of the class-mean Gram matrices M_l^T M_l\n"
     "                   before and after each ReLU, each / max |entry| (figure 1)\n"
     "  spectrum (--structure SPEC | DIR)  singular values of the class means per layer\n"
     "                   (log scale, each / the largest)\n"
     "  trace FILE.csv [--y loss|gap]  loss curves of 'optimize --trace' against the DNC,\n"
     "                   paper's srg:r (K = r(r-1)/2) and best-construction levels at the\n"
     "                   given flags (figure 2); gap: loss minus the universal lower bound\n"
     "  --unscaled       gram/spectrum of a structure before the optimal rescaling\n"
     "--json prints {kind, out, format, panels or curves} with the plotted data.\n"
     "The file is written to a temporary next to FILE, then renamed.\n" COMMON_FLAGS},
    {"certify", cmd_certify, "write a checkable certificate that a structure beats DNC",
     "usage: dufm certify --structure SPEC --out FILE [flags]\n"
     "       dufm certify --config DIR --out FILE [--collapse-tol X] [flags]\n"
     "Writes the structure's rescale-optimal configuration with rational entries, its exact\n"
     "loss and a rational lower bound on the DNC loss (proofs/certificates/FORMAT.md).\n"
     "--config: the class means of a configuration folder (export, optimize --save), each\n"
     "entry rounded to a dyadic rational (2^-24 .. 2^-48 of its matrix's largest entry, or\n"
     "the double itself); L, K, n come from the folder, the lambdas from the flags.\n"
     "  --collapse-tol X  columns of one class may differ from their mean by X max|H1|\n"
     "                   (default 1e-6; beyond it: exit 2)\n"
     "Exit 1 (nothing written) when the exact loss is not below the DNC lower "
     "bound.\n" COMMON_FLAGS},
    {"check-cert", cmd_check_cert, "verify a certificate exactly from the file alone",
     "usage: dufm check-cert FILE [--json]\n"
     "Recomputes the loss, the DNC bound and the claim with exact rationals.\n"
     "Exit 0 valid, 1 invalid (names the failed check), 2 malformed (file:line: rule).\n"},
    {"polish", cmd_polish, "polish a configuration to a high-accuracy local minimum of its piece",
     "usage: dufm polish DIR [flags]\n"
     "Softplus continuation (beta 1e2..1e5), L-BFGS on the exact loss, then the piece of\n"
     "the activation pattern (held fixed) to a KKT point: relative gradient norm of its\n"
     "Lagrangian <= --tol; the result is re-evaluated with the generic loss and is never\n"
     "above the input's loss.\n"
     "  --pattern-only   only the fixed-pattern polish\n"
     "  --stage S        pattern stage: piece (default; active-set Newton-CG, KKT test),\n"
     "                   rounds (augmented-Lagrangian L-BFGS, cheaper, what search uses),\n"
     "                   cross (may move kinks to either side; two-sided test)\n"
     "  --max-evals N    loss + gradient evaluations (default 100000)\n"
     "  --tol X          relative gradient norm target (default 1e-10)\n"
     "  --save OUT       the polished configuration (OUT missing or empty)\n" COMMON_FLAGS},
    {"search", cmd_search, "find the lowest-loss configuration: multi-start, chains, polish",
     "usage: dufm search [flags]\n"
     "Gaussian starts over widths (K, 2K, 30), scales (0.1, 0.3, 0.5) and gd/anneal, the\n"
     "compare menu's closed forms, chains from (L-1, K) (identity layer) and (L, K+1)\n"
     "(class deleted), each polished; reports the best and its ratio to DNC.\n"
     "  --budget N       loss + gradient evaluations over all starts (default 3000000)\n"
     "  --seed S         seed of the plan (default 0)\n"
     "  --threads T      parallel tasks (default: online cores; results do not depend on it)\n"
     "  --no-chain       no internal chain searches at (L-1, K) and (L, K+1)\n"
     "  --start DIR      an extra start (repeatable); a folder at (L-1, K) is lifted, one at\n"
     "                   (L, K+1) has each class deleted in turn\n"
     "  --time-limit S   stop starting new work after S seconds (breaks reproducibility)\n"
     "  --save DIR       the best configuration (DIR missing or empty)\n"
     "  --progress       one stderr line per finished task\n" COMMON_FLAGS},
    {"atlas", cmd_atlas, "search every (L, K) of a grid into a resumable folder of entries",
     "usage: dufm atlas --out DIR [--L A..B] [--K A..B] [--lambda X] [--n N] [--budget N]\n"
     "                  [--seed S] [--threads T] [--json]\n"
     "Runs the search of 'dufm search' at every setting (L, K) (default L 2..8, K 2..16,\n"
     "lambda 0.004, n 1); phase 2 starts come from the atlas's own (L-1, K) and (L, K+1).\n"
     "Writes DIR/lam<X>_n<N>/L<L>_K<K>/{entry.json, config/}, each entry atomically.\n"
     "A rerun skips entries done with the same seed and a budget >= --budget, and keeps\n"
     "the better of old and new otherwise. Progress with an ETA on stderr.\n"
     "  --budget N       evaluations per setting (default 3000000)\n"
     "  --seed S         seed of every plan (default 0)\n"
     "  --threads T      worker threads in this process (default: online cores; 1 per\n"
     "                   rank under mpirun); results do not depend on it\n"
     "Under 'mpirun -n P dufm atlas ...' rank 0 schedules and writes, all ranks compute;\n"
     "the entries do not depend on P (docs/atlas.md).\n"
     "  --json           {out, folder, settings, skipped, searched, improved, kept, failed,\n"
     "                   jobs, seconds, entries: [{L, K, status, best_loss, ratio_to_dnc,\n"
     "                   below_dnc}]}\n"},
    {"paper", cmd_paper, "the paper's DUFM experiments: tables, figures and report.md",
     "usage: dufm paper [--out DIR] [--full] [--seeds S] [--threads T] [--json]\n"
     "Runs four experiments at the paper's settings and writes CSV tables, SVG and PNG\n"
     "figures and DIR/report.md (the numbers beside the paper's statements):\n"
     "  1 loss   gd at L = 4, K = 10, lambda = 0.004, width 30, lr 0.5 against DNC, srg:5\n"
     "           and the best candidate (figure 2, top left)\n"
     "  2 ratio  srg:r and best candidate over DNC, L = 3, 4, 5, r = 3..30 (figure 3, left)\n"
     "  3 rank   mean class-mean rank per layer at the end of gd against lambda (figure 3,\n"
     "           middle)\n"
     "  4 width  how often gd ends at DNC, low rank or zero against the width (figure 3, right)\n"
     "  --out DIR      output folder, missing or empty (default paper-out); written to a\n"
     "                 temporary next to it and renamed at the end\n"
     "  --full         the paper's scale: 10 seeds, 9 lambdas, 5 widths, longer runs (17 min\n"
     "                 on 2 cores); default: a quick run (about 1 min on 2 cores)\n"
     "  --seeds S      seeds 0..S-1 for every setting (default 4; --full 10)\n"
     "  --threads T    parallel runs (default: online cores)\n"
     "  --json         {out, mode, seeds, threads, report, experiments: [{name, title, files,\n"
     "                 verdict, summary}], seconds}\n"
     "Progress goes to stderr. Interrupting removes the temporary folder.\n"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_overview(FILE *out) {
  fputs("usage: dufm [COMMAND] [flags]\n"
        "Deep unconstrained features model: exact losses of candidate optima.\n"
        "Without a command, runs 'compare' at the paper's headline setting "
        "(L = 4, K = 10, n = 1, lambda = 0.004).\n\ncommands:\n",
        out);
  for (size_t i = 0; i < N_COMMANDS; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs("  help CMD   flags of one command\n", out);
}

static int run(int argc, char **argv);

int main(int argc, char **argv) {
  cli_guard_install();
  return cli_stdout_check(run(argc, argv));
}

static int run(int argc, char **argv) {
  /* GSL's handler off (dufm checks every status) and every matrix product on
   * one thread: results are then bitwise reproducible whatever the machine
   * (parallelism comes from seeds instead). */
  dufm_init_process(DUFM_INIT_DEFAULT);
  if (argc < 2)
    return cmd_compare(argc, argv, 1);
  const char *name = argv[1];
  if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    if (argc > 2) {
      for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[2], commands[i].name) == 0) {
          fputs(commands[i].usage, stdout);
          return CLI_EXIT_OK;
        }
      return cli_fail("help: unknown command '%s'", argv[2]);
    }
    print_overview(stdout);
    return CLI_EXIT_OK;
  }
  if (strcmp(name, "--version") == 0) {
    printf("dufm %s\n", dufm_version());
    return CLI_EXIT_OK;
  }
  if (strncmp(name, "--", 2) == 0)
    return cmd_compare(argc, argv, 1);
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(name, commands[i].name) == 0)
      return commands[i].run(argc, argv, 2);
  return cli_fail("'%s' is not a dufm command (see 'dufm help')", name);
}
