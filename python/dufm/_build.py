"""Builds dufm's C extension (cffi, API mode) against include/ and libdufm.

Every C declaration the Python package uses is in CDEF below, and only here.
Structs are partial ("...;"): the C compiler fixes their layout from the real
headers, so a renamed or retyped field is a build error, never silent garbage.

    /usr/bin/python3 python/dufm/_build.py BUILDDIR

writes python/dufm/_dufm_cffi.*.so, linked to the libdufm of the meson build
folder BUILDDIR (found with `meson introspect`), with that folder as its run
path. It rebuilds only when the headers, this file or the library's path
changed. scripts/setup.sh calls it after the C build.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
INCLUDE = os.path.join(ROOT, "include")
MODULE = "dufm._dufm_cffi"

CDEF = r"""
/* GMP (mpq_init and mpq_clear are macros, fine in API mode) */
typedef struct { ...; } __mpq_struct;
typedef __mpq_struct mpq_t[1];
void mpq_init(mpq_t);
void mpq_clear(mpq_t);
void free(void *);

/* dufm/error.h */
typedef enum { DUFM_OK, DUFM_EINVAL, DUFM_ENOMEM, DUFM_EIO, DUFM_EFORMAT, DUFM_ENUMERIC,
               DUFM_ENOTAPPLICABLE, ... } dufm_status;
typedef struct { dufm_status status; char msg[...]; ...; } dufm_err;
const char *dufm_status_name(dufm_status status);

/* dufm/rational.h */
char *dufm_q_to_string(const mpq_t q);
double dufm_q_get_d(const mpq_t q);

/* dufm/params.h */
#define DUFM_MAX_L ...
#define DUFM_MAX_K ...
#define DUFM_MAX_N ...
#define DUFM_LAMBDA_H ...
#define DUFM_LAMBDA_ALL ...
typedef struct { int L; int K; int n; mpq_t lam_h; mpq_t *lam_w; ...; } dufm_params;
dufm_status dufm_params_init(dufm_params *p, int L, int K, int n, dufm_err *err);
void dufm_params_clear(dufm_params *p);
dufm_status dufm_params_set_lambda(dufm_params *p, int which, const char *text, dufm_err *err);

/* dufm/matrix.h, dufm/model.h */
typedef struct { int rows; int cols; double *data; ...; } dufm_mat;
typedef struct { int L; int K; int cols; int *d; dufm_mat H1; dufm_mat *W; ...; } dufm_config;
typedef enum { DUFM_FORM_SAMPLES, DUFM_FORM_CLASS_MEANS, ... } dufm_form;
typedef struct { double loss; double fit; double reg; ...; } dufm_loss;
dufm_status dufm_config_init(dufm_config *c, int L, const int *d, int cols, dufm_err *err);
void dufm_config_clear(dufm_config *c);
dufm_status dufm_eval(dufm_loss *out, dufm_config *grad, const dufm_config *c,
                      const dufm_params *p, dufm_form form, dufm_err *err);
dufm_status dufm_rescaled_loss(double *out, double *t_out, const dufm_config *c,
                               const dufm_params *p, dufm_form form, dufm_err *err);

/* dufm/npy.h */
dufm_status dufm_config_load(dufm_config *out, int *n_out, const char *dir, dufm_err *err);
dufm_status dufm_config_save_atomic(const char *dir, const dufm_config *c, dufm_err *err);

/* dufm/meta.h */
typedef struct { int L; int K; int n; ...; } dufm_meta;
dufm_status dufm_meta_init(dufm_meta *m, const dufm_params *p, const int *widths, dufm_form form,
                           const char *command, const char *source, dufm_err *err);
void dufm_meta_clear(dufm_meta *m);
dufm_status dufm_config_save_meta(const char *dir, const dufm_config *c, const dufm_meta *m,
                                  dufm_err *err);

/* dufm/gl.h, dufm/dnc.h */
typedef enum { DUFM_REGIME_NONZERO, DUFM_REGIME_TIE, DUFM_REGIME_ZERO, ... } dufm_regime;
typedef struct { int L; double value; double lower; double upper; double t; double Q;
                 double log_Q; dufm_regime regime; ...; } dufm_gl;
void dufm_gl_threshold_qpow(mpq_t out, int L);
void dufm_dnc_qpow(mpq_t out, const dufm_params *p);
dufm_status dufm_dnc_eval(dufm_gl *out, const dufm_params *p, dufm_err *err);

/* dufm/clique.h, dufm/bounds.h */
typedef struct { double product; double lower_bound; int iterations; } dufm_clique_opt;
typedef struct { double value; ...; } dufm_ridge;

/* dufm/structure.h */
typedef struct dufm_structure dufm_structure;
typedef enum { DUFM_STRUCTURE_DNC, DUFM_STRUCTURE_GRAPH, DUFM_STRUCTURE_CLIQUE,
               DUFM_STRUCTURE_BLOCKS, DUFM_STRUCTURE_SETS, ... } dufm_structure_kind;
typedef struct dufm_structure_eval {
  dufm_structure_kind kind;
  int K; int L; int applicable; double loss; double lower; double upper;
  dufm_regime regime; double t; mpq_t q_pow;
  int *rank_hidden; int *rank_preact; int rank_out;
  union {
    struct { int r, rank_b; } graph;
    struct { int r, m; int *k; mpq_t *z; int optimized; dufm_clique_opt opt; } clique;
    struct { int count; struct dufm_structure_eval *items; } blocks;
    struct { int certified; double cert_loss; int pattern_kept; int converged; double rel_grad;
             long violations; long kinks; long kink_kkt_violations; int strict; } sets;
  };
  ...;
} dufm_structure_eval;
typedef enum { DUFM_CMP_BELOW, DUFM_CMP_EQUAL, DUFM_CMP_ABOVE, DUFM_CMP_UNDECIDED, ... } dufm_cmp;
dufm_status dufm_structure_parse(dufm_structure **out, const char *spec, dufm_err *err);
dufm_status dufm_structure_dnc(dufm_structure **out, int m, dufm_err *err);
dufm_status dufm_structure_optimize(dufm_structure *s, dufm_err *err);
void dufm_structure_free(dufm_structure *s);
const char *dufm_structure_name(const dufm_structure *s);
int dufm_structure_K(const dufm_structure *s);
void dufm_structure_eval_clear(dufm_structure_eval *e);
dufm_status dufm_structure_evaluate(dufm_structure_eval *out, const dufm_structure *s,
                                    const dufm_params *p, dufm_err *err);
dufm_cmp dufm_structure_compare(const dufm_structure_eval *a, const dufm_structure_eval *b);
dufm_status dufm_structure_build(dufm_config *out, const dufm_structure *s,
                                 const dufm_params *p, dufm_form form, dufm_err *err);
dufm_status dufm_structure_materialize(dufm_config *out, const dufm_structure *s,
                                       const dufm_params *p, dufm_form form, dufm_err *err);

/* dufm/compare.h */
typedef enum { DUFM_ORIGIN_DNC, DUFM_ORIGIN_PAPER, DUFM_ORIGIN_CLIQUE, DUFM_ORIGIN_GRAPH_FAMILY,
               DUFM_ORIGIN_BLOCKS, DUFM_ORIGIN_USER, DUFM_ORIGIN_SEARCH, DUFM_ORIGIN_SETS,
               ... } dufm_origin;
const char *dufm_origin_name(dufm_origin o);
typedef struct { dufm_structure *structure; dufm_structure_eval eval; double ratio_to_dnc;
                 dufm_cmp vs_dnc; dufm_ridge ridge; int has_ridge; dufm_origin origin;
                 ...; } dufm_candidate;
typedef enum { DUFM_VERDICT_DNC_NOT_OPTIMAL, DUFM_VERDICT_DNC_BEST_KNOWN,
               DUFM_VERDICT_ZERO_SOLUTION, ... } dufm_verdict;
#define DUFM_COMPARE_FULL_DP_MAX_K ...
typedef enum { DUFM_BLOCK_RULE_NONE, DUFM_BLOCK_RULE_FULL, DUFM_BLOCK_RULE_LARGE_K,
               ... } dufm_block_rule;
const char *dufm_block_rule_name(dufm_block_rule r);
typedef struct { int max_r; int blocks; int cliques; int full_dp_max_k; ...; } dufm_compare_opts;
typedef enum { DUFM_EVIDENCE_NONE, DUFM_EVIDENCE_CLOSED_FORM, DUFM_EVIDENCE_CERTIFICATE,
               ... } dufm_evidence;
typedef struct { double loss; double ratio_to_dnc; dufm_cmp vs_dnc; char *source;
                 char *certificate; char *note; char *pattern; int certificate_verified;
                 long budget; unsigned long long seed; double time_limit; ...; }
    dufm_search_candidate;
typedef struct { int ncand; dufm_candidate *cand; int dnc_index; int best_index;
                 dufm_gl lower_bound; dufm_verdict verdict; int undecided;
                 dufm_block_rule block_rule;
                 dufm_evidence evidence; dufm_search_candidate *search; char searched[...];
                 ...; } dufm_comparison;
const char *dufm_evidence_name(dufm_evidence e);
void dufm_comparison_set_search_note(dufm_comparison *c, const char *text);
void dufm_compare_opts_default(dufm_compare_opts *o);
dufm_status dufm_compare(dufm_comparison *out, const dufm_params *p, const dufm_compare_opts *o,
                         dufm_err *err);
void dufm_comparison_clear(dufm_comparison *c);
/* dufm/sets.h */
dufm_status dufm_sets_compare(dufm_comparison *out, const dufm_params *p,
                              const dufm_compare_opts *o, dufm_err *err);
const char *dufm_verdict_name(dufm_verdict v);
const char *dufm_cmp_name(dufm_cmp c);
dufm_status dufm_structure_ridge(dufm_ridge *out, const dufm_structure *s,
                                 const dufm_structure_eval *e, const dufm_params *p,
                                 dufm_err *err);

/* dufm/analysis.h */
typedef enum { DUFM_CLASS_DNC, DUFM_CLASS_LOW_RANK, DUFM_CLASS_OTHER, ... } dufm_classification;
typedef struct { double rank_tol; double kink_tol; double nc2_tol; ...; } dufm_analysis_opts;
typedef struct { int rows; int rank_mean; int rank_pre; int rank_post; int rank_samples; int nsv;
                 double *singular_values; double nc1; double nc2; double nc3; ...; }
    dufm_layer_stats;
typedef struct { int L; int K; int n; double loss; double fit; double reg; double rescaled_loss;
                 double grad_norm; long kinks; dufm_layer_stats *layers; int rank_out;
                 dufm_classification classification; double rank_tol; double kink_tol;
                 double nc2_tol; ...; } dufm_analysis;
void dufm_analysis_opts_default(dufm_analysis_opts *o);
dufm_status dufm_analyze(dufm_analysis *out, const dufm_config *c, const dufm_params *p,
                         const dufm_analysis_opts *o, dufm_err *err);
void dufm_analysis_clear(dufm_analysis *a);
const char *dufm_classification_name(dufm_classification c);

/* dufm/certificate.h */
typedef struct { dufm_params p; char *structure; mpq_t s_lo; int zero_regime; ...; } dufm_cert;
typedef enum { DUFM_CERT_VALID, DUFM_CERT_CLAIM_FALSE, ... } dufm_cert_result;
typedef struct { dufm_cert_result result; char detail[...]; mpq_t loss; mpq_t bound; ...; }
    dufm_cert_report;
void dufm_cert_clear(dufm_cert *c);
dufm_status dufm_cert_make(dufm_cert *out, const dufm_structure *s, const dufm_params *p,
                           dufm_err *err);
dufm_status dufm_cert_save(const char *path, const dufm_cert *c, dufm_err *err);
dufm_status dufm_cert_check(dufm_cert_report *out, const dufm_cert *c, dufm_err *err);
void dufm_cert_report_clear(dufm_cert_report *r);
const char *dufm_cert_result_name(dufm_cert_result r);
"""

# The certificate of an arbitrary configuration (include/dufm/certificate.h).
CDEF_CERT_FROM_CONFIG = r"""
typedef struct { double collapse_tol; double loss_tol; ...; } dufm_cert_round_opts;
typedef struct { int bits; double float_loss; double drift; double spread; ...; }
    dufm_cert_round_info;
void dufm_cert_round_opts_default(dufm_cert_round_opts *o);
dufm_status dufm_cert_from_config(dufm_cert *out, dufm_cert_round_info *info,
                                  const dufm_config *c, const dufm_params *p, const char *label,
                                  const dufm_cert_round_opts *o, dufm_err *err);
"""

# Activation patterns (include/dufm/pattern.h).
CDEF_PATTERN = r"""
typedef struct { double rel_tol; ...; } dufm_pattern_opts;
typedef struct {
  int layer; int rows; int dead; int ntypes; int *count; int *start; int *classes;
  int *neuron_type; char *text; ...;
} dufm_pattern_layer;
typedef struct {
  int L, K; int nlayers; double rel_tol; dufm_pattern_layer *layers; char *signature;
  char *shape; char hash_hex[17]; ...;
} dufm_pattern;
void dufm_pattern_opts_default(dufm_pattern_opts *o);
dufm_status dufm_pattern_extract(dufm_pattern *out, const dufm_config *c, const dufm_params *p,
                                 const dufm_pattern_opts *o, dufm_err *err);
void dufm_pattern_clear(dufm_pattern *pt);
"""

# The atlas entry at given parameters (include/dufm/atlas.h).
CDEF_ATLAS = r"""
dufm_status dufm_atlas_compare_add(dufm_comparison *cmp, const char *root, const dufm_params *p,
                                   int *found, dufm_err *err);
"""

# Process-wide settings the package makes once at import (dufm/process.h).
CDEF_PROCESS = """
void dufm_init_process(unsigned flags);
"""

HEADERS = ["error.h", "rational.h", "params.h", "matrix.h", "model.h", "npy.h", "gl.h", "dnc.h",
           "clique.h", "bounds.h", "structure.h", "compare.h", "analysis.h", "certificate.h",
           "pattern.h", "atlas.h", "process.h", "meta.h", "sets.h"]


def find_libdufm(builddir):
    """Path of the shared libdufm built in the meson build folder (versioned:
    the build folder has no unversioned libdufm.so link)."""
    out = subprocess.run(["meson", "introspect", builddir, "--targets"], check=True,
                         capture_output=True, text=True).stdout
    for t in json.loads(out):
        if t["name"] == "dufm" and t["type"] == "shared library":
            return t["filename"][0]
    raise SystemExit(f"{builddir}: no shared library target 'dufm' (run the meson build first)")


def make_ffi(libpath, builddir):
    import cffi
    ffi = cffi.FFI()
    cdef = CDEF + CDEF_CERT_FROM_CONFIG + CDEF_PATTERN + CDEF_ATLAS + CDEF_PROCESS
    ffi.cdef(cdef)
    ffi.set_source(MODULE, "".join(f'#include "dufm/{h}"\n' for h in HEADERS) +
                   "#include <stdlib.h>\n",
                   include_dirs=[INCLUDE, os.path.join(builddir, "include")],  # version.h
                   runtime_library_dirs=[os.path.dirname(libpath)],
                   extra_objects=[libpath], libraries=["gmp"],
                   extra_compile_args=["-std=c11", "-Werror=implicit-function-declaration",
                                       "-Werror=incompatible-pointer-types"])
    return ffi, cdef


def stamp_text(libdir, cdef):
    headers = sorted(glob.glob(os.path.join(INCLUDE, "dufm", "*.h")))
    parts = [libdir, cdef, sys.version]
    for h in headers:
        with open(h, encoding="utf-8") as f:
            parts.append(h + "\n" + f.read())
    return "\n".join(parts)


def build(builddir, force=False):
    libdir = find_libdufm(os.path.abspath(builddir))
    ffi, cdef = make_ffi(libdir, os.path.abspath(builddir))
    stamp = os.path.join(HERE, "_dufm_cffi.stamp")
    existing = glob.glob(os.path.join(HERE, "_dufm_cffi.*.so"))
    text = stamp_text(libdir, cdef)
    if not force and existing and os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as f:
            if f.read() == text:
                return existing[0]
    tmp = tempfile.mkdtemp(prefix="dufm-cffi-")
    try:
        so = ffi.compile(tmpdir=tmp, verbose=False)
        for old in existing:
            os.remove(old)
        target = os.path.join(HERE, os.path.basename(so))
        shutil.copy2(so, target + ".tmp")
        os.replace(target + ".tmp", target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(text)
    return target


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--force"]
    if len(args) != 1:
        raise SystemExit("usage: _build.py [--force] MESON_BUILD_DIR")
    print(build(args[0], force="--force" in sys.argv[1:]))
