/* Command-line parsing shared by every subcommand. Every failure is one line
 * naming the flag and the rule, then exit status 2 (cli_fail). */
#ifndef DUFM_CLI_ARGS_H
#define DUFM_CLI_ARGS_H

#include "dufm/error.h"
#include "dufm/params.h"

#include "out/out.h"

/* The CLI's names for the executable's exit statuses and error lines (out/out.h). */
#define CLI_EXIT_OK OUT_EXIT_OK
#define CLI_EXIT_CHECK_FAILED OUT_EXIT_CHECK_FAILED
#define CLI_EXIT_USAGE OUT_EXIT_USAGE
#define cli_fail out_fail
#define cli_fail_err out_fail_err

typedef enum { OPT_VALUE, OPT_SWITCH } cli_opt_kind;

/* One flag a subcommand accepts; value receives the text (or "1" for a switch). */
typedef struct {
  const char *name; /* without the leading "--" */
  cli_opt_kind kind;
  const char **value;
} cli_opt;

/* Flags common to most subcommands (theory section 1 parameters). */
typedef struct {
  const char *L, *K, *n, *lambda, *lambda_h, *lambda_w;
  const char *json;
} cli_common;

/* Parses argv[first..argc-1] against opts (NULL-terminated by name) and collects
 * at most max_pos positional arguments into pos. Returns the number of
 * positionals, or -1 after printing the error. Accepts "--flag value" and
 * "--flag=value"; a flag given twice is an error. */
int cli_parse(int argc, char **argv, int first, const char *cmd, const cli_opt *opts,
              const char **pos, int max_pos);

/* The one number parser of the CLI: a strict decimal double in (lo, hi) when
 * lo_open, else [lo, hi) (hi may be INFINITY); the message on failure is
 * "--flag: VALUE must be RULE" (or says it is not a finite number, overflows
 * or underflows). Returns 0 or -1 after printing. */
int cli_double(double *out, const char *text, const char *flag, double lo, int lo_open, double hi,
               const char *rule);

/* Strict integer in [lo, hi]; prints "dufm: --flag: ..." and returns -1 on error. */
int cli_int(long *out, const char *text, const char *flag, long lo, long hi);

/* Builds params from the common flags (defaults: L = 4, K = 10, n = 1,
 * lambda = 0.004). Returns 0 or -1 after printing the error. */
int cli_params(dufm_params *p, const cli_common *c);

/* "3..30", "3,4,5" or mixtures of integers in [lo, hi], strictly increasing;
 * *out is malloc'ed. Returns 0, or -1 after printing the error. */
int cli_int_list(long **out, int *count, const char *text, const char *flag, long lo, long hi);

/* "what" shortened to at most max bytes with control characters escaped
 * (\n, \t, \xHH), for echoing a user's value into a one-line message. */
const char *cli_echo(char *buf, size_t size, const char *what, size_t max);

/* 0 when --FLAG (its text, NULL when not given) equals actual, the value
 * that where (a file or folder) fixes; else prints "--FLAG: differs from
 * FLAG = ACTUAL in WHERE: TEXT" and returns -1. */
int cli_size_agrees(const char *text, const char *flag, long actual, const char *where);

/* Params for a configuration folder of sizes L, K, n: given --L/--K/--n must
 * agree with them; lambdas from the flags. 0, or -1 after printing. */
int cli_folder_params(dufm_params *p, const cli_common *c, int L, int K, int n);

/* Parses --structure SPEC and builds params whose K is the structure's (a given
 * --K must agree; a bare dnc takes --K or the default). 0, or -1 after printing
 * (then *s is NULL and p is not initialized). */
struct dufm_structure;
int cli_structure_params(struct dufm_structure **s, dufm_params *p, const cli_common *c,
                         const char *spec);

/* Reports a library error about a structure without naming it twice. */
int cli_fail_structure(const char *spec, const dufm_err *err);

/* When s is a pattern file with an 'L' line: sets c->L to that depth (in buf),
 * or fails (exit-2 message) when a given --L disagrees. 0 or -1. */
int cli_structure_L(cli_common *c, const struct dufm_structure *s, const char *spec, char *buf,
                    size_t size);

#define CLI_COMMON_OPTS(c)                                                                         \
  {"L", OPT_VALUE, &(c).L}, {"K", OPT_VALUE, &(c).K}, {"n", OPT_VALUE, &(c).n},                    \
      {"lambda", OPT_VALUE, &(c).lambda}, {"lambda-h", OPT_VALUE, &(c).lambda_h},                  \
      {"lambda-w", OPT_VALUE, &(c).lambda_w}, {                                                    \
    "json", OPT_SWITCH, &(c).json                                                                  \
  }

#endif
