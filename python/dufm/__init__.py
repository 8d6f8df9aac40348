"""dufm: optimal configurations of the deep unconstrained features model.

Python bindings of libdufm (cffi, API mode) with NumPy. Results are dicts with
the field names of the CLI's `--json` output (README.md, "JSON fields"):
losses computed in double are Python floats (non-finite values None, as the
CLI's null), exact rationals (lambdas, Q^(L+1), clique weights, certificate
values) are fractions.Fraction. Arrays go in as anything NumPy accepts (float32
or float64, any order, PyTorch tensors after .detach()) and are never written
to files. Errors raise dufm.Error subclasses carrying libdufm's one-line
message, prefixed with the name of the Python argument.

Regularization strengths: `lam` sets lambda_H and lambda_1..lambda_L, then
`lam_h` and `lam_w` (one value or L values) override them. Strings are parsed
exactly ("0.004", "4e-3", "1/250"), as are int, Fraction and Decimal; a float
stands for the decimal it prints as, so 0.004 is exactly 1/250, as with the
CLI's --lambda 0.004.
"""

import collections
import math
import numbers
import os

import numpy as np

from . import _core, _records
from ._core import (Error, FileError, FormatError, InvalidArgument, NotApplicable,
                    NumericalError, OutOfMemory, ffi, lib)

__all__ = [
    "Config", "Error", "FileError", "FormatError", "InvalidArgument", "NotApplicable",
    "NumericalError", "OutOfMemory", "certify", "certify_config", "check", "columns_by_class",
    "compare", "dnc", "evaluate", "export", "pattern", "load_config", "save_config",
    "structure",
]

Config = collections.namedtuple("Config", "H1 Ws")
Config.__doc__ = """H1 (d_1 x columns) and Ws = [W_1, ..., W_L] (W_l is d_{l+1} x d_l) as
float64 arrays; unpacks as `H1, Ws = ...`."""

# `check(expect_below=dnc|SPEC)` needs the loss below the lower end of the
# closed form's rigorous enclosure by this relative margin (as `dufm check`).
BELOW_MARGIN = 1e-12


def dnc(L, K, lam=None, n=1, *, lam_h=None, lam_w=None):
    """The DNC closed form g_L(K c_1) with its rigorous enclosure: the fields of
    `dufm dnc --json` (loss, loss_lower, loss_upper, t, Q, Q_pow_exact, regime, ...)."""
    err = _core.new_err()
    with _core.params(L, K, n, lam, lam_h, lam_w) as p, _core.mpq() as qpow, \
            _core.mpq() as q0pow:
        g = ffi.new("dufm_gl *")
        lib.dufm_dnc_qpow(qpow, p)
        lib.dufm_gl_threshold_qpow(q0pow, p.L)
        _core.call(lib.dufm_dnc_eval(g, p, err), err, "dnc")
        return _records.dnc(p, g, qpow, q0pow)


def _atlas_root(atlas):
    """The atlas folder compare consults, as the CLI: None for atlas=False;
    a given path (must be a folder); else $DUFM_ATLAS when set (must be a
    folder); else this source tree's data/atlas (may be missing)."""
    if atlas is False:
        return None
    if atlas is not None and atlas is not True:
        path = os.fspath(atlas)
        if not os.path.isdir(path):
            raise InvalidArgument(f"atlas: '{path}' must be an existing folder")
        return path
    env = os.environ.get("DUFM_ATLAS", "")
    if env:
        if not os.path.isdir(env):
            raise InvalidArgument(f"DUFM_ATLAS: '{env}' must be an existing folder")
        return env
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "data", "atlas")


def compare(L, K, lam=None, n=1, *, lam_h=None, lam_w=None, max_r=None, blocks=True,
            cliques=True, dp_limit=None, atlas=None, sets=True):
    """Every candidate structure against DNC with the exact verdict: the fields
    of `dufm compare --json` (dnc, candidates sorted by loss, best, best_loss,
    lower_bound, verdict, evidence, searched, search, undecided, block_rule).
    max_r, blocks, cliques, dp_limit and sets are the CLI's --max-r,
    --no-blocks, --no-cliques, --dp-limit and --no-sets (largest K for the full O(K^2) block DP; above
    it the large-K rule). atlas: None (default: $DUFM_ATLAS, else the source
    tree's data/atlas, as the CLI), a folder (--atlas DIR) or False
    (--no-atlas); a matching entry is added as the search candidate
    (dufm_atlas_compare_add)."""
    root = _atlas_root(atlas)
    o = ffi.new("dufm_compare_opts *")
    lib.dufm_compare_opts_default(o)
    if max_r is not None:
        o.max_r = _core.whole(max_r, "max_r", 3, 100000)
    if dp_limit is not None:
        o.full_dp_max_k = _core.whole(dp_limit, "dp_limit", 1, lib.DUFM_MAX_K)
    o.blocks = bool(blocks)
    o.cliques = bool(cliques)
    err = _core.new_err()
    with _core.params(L, K, n, lam, lam_h, lam_w) as p:
        cmp = ffi.new("dufm_comparison *")
        try:
            run = lib.dufm_sets_compare if sets else lib.dufm_compare
            _core.call(run(cmp, p, o, err), err, "compare")
            if root is None:
                lib.dufm_comparison_set_search_note(
                    cmp, b"atlas not consulted, no search")
            else:
                found = ffi.new("int *")
                _core.call(lib.dufm_atlas_compare_add(cmp, os.fsencode(root), p, found, err),
                           err, "atlas")
            return _records.comparison(p, cmp)
        finally:
            lib.dufm_comparison_clear(cmp)


def structure(spec, L, lam=None, n=1, *, K=None, lam_h=None, lam_w=None):
    """One structure in closed form: the fields of `dufm structure --json`
    (name, loss with enclosure, ratio_to_dnc, vs_dnc exact, ranks, dnc_loss,
    Q_pow_exact, t, ...). K is the structure's own; give it only for a bare
    'dnc' (or to have it checked)."""
    err = _core.new_err()
    with _core.structure_ptr(spec) as s:
        K = _core.structure_K(s, spec, K)
        with _core.params(L, K, n, lam, lam_h, lam_w) as p:
            cand = ffi.new("dufm_candidate *")
            dnc_eval = ffi.new("dufm_structure_eval *")
            dnc_s = ffi.new("dufm_structure **")
            cand.structure = s
            try:
                st = lib.dufm_structure_evaluate(ffi.addressof(cand, "eval"), s, p, err)
                if st == lib.DUFM_ENOTAPPLICABLE:
                    _core.raise_status(st, err, f"spec '{spec}' is not applicable")
                _core.call(st, err, f"spec '{spec}'")
                _core.call(lib.dufm_structure_dnc(dnc_s, 0, err), err, "dnc")
                _core.call(lib.dufm_structure_evaluate(dnc_eval, dnc_s[0], p, err), err, "dnc")
                cand.vs_dnc = lib.dufm_structure_compare(ffi.addressof(cand, "eval"), dnc_eval)
                cand.ratio_to_dnc = cand.eval.loss / dnc_eval.loss
                cand.has_ridge = lib.dufm_structure_ridge(ffi.addressof(cand, "ridge"), s,
                                                          ffi.addressof(cand, "eval"), p,
                                                          ffi.NULL) == lib.DUFM_OK
                return _records.structure(p, cand, dnc_eval)
            finally:
                lib.dufm_structure_eval_clear(ffi.addressof(cand, "eval"))
                lib.dufm_structure_eval_clear(dnc_eval)
                lib.dufm_structure_free(dnc_s[0])


def export(spec, L, lam=None, n=1, *, K=None, lam_h=None, lam_w=None, form="samples",
           rescaled=True):
    """The explicit configuration of a structure as NumPy arrays, Config(H1, Ws):
    what `dufm export` writes, rescale-optimal (rescaled=False: the unscaled
    construction, `--unscaled`), in per-sample form (K n columns, grouped by
    class) or form='means' (K columns)."""
    f = _core.form_value(form)
    err = _core.new_err()
    with _core.structure_ptr(spec) as s:
        K = _core.structure_K(s, spec, K)
        with _core.params(L, K, n, lam, lam_h, lam_w) as p:
            c = ffi.new("dufm_config *")
            try:
                fn = lib.dufm_structure_materialize if rescaled else lib.dufm_structure_build
                _core.call(fn(c, s, p, f, err), err, f"spec '{spec}'")
                return Config(*_core.config_arrays(c))
            finally:
                lib.dufm_config_clear(c)


def evaluate(H1, Ws, lam=None, *, lam_h=None, lam_w=None, L=None, K=None, n=None,
             form="samples", grad=False):
    """The generic loss of a configuration: the fields of `dufm eval DIR --json`
    (widths, loss, fit, reg, rescaled_loss, rescale_t). L, K and n come from the
    shapes (K = rows of W_L, n = columns of H1 / K); given ones must agree.
    grad=True adds "grad": Config of dF/dH1 and dF/dW_l (ReLU'(0) = 0)."""
    f = _core.form_value(form)
    h, ws = _core.matrices(H1, Ws)
    L, K, n = _core.sizes(h, ws, f, L, K, n)
    err = _core.new_err()
    with _core.params(L, K, n, lam, lam_h, lam_w) as p, _core.config(h, ws) as c:
        loss = ffi.new("dufm_loss *")
        rescaled = ffi.new("double *")
        t = ffi.new("double *")
        g = ffi.new("dufm_config *")
        try:
            if grad:
                d = ffi.new("int[]", [c.d[l] for l in range(L + 1)])
                _core.call(lib.dufm_config_init(g, L, d, c.cols, err), err)
            _core.call(lib.dufm_eval(loss, g if grad else ffi.NULL, c, p, f, err), err, "evaluate")
            _core.call(lib.dufm_rescaled_loss(rescaled, t, c, p, f, err), err, "evaluate")
            out = _records.evaluation(p, c, loss, rescaled[0], t[0])
            if grad:
                out["grad"] = Config(*_core.config_arrays(g))
            return out
        finally:
            lib.dufm_config_clear(g)


def _opt(value, name, lo, lo_open, hi, rule):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgument(f"{name}: {value!r} is not a number")
    v = float(value)
    if not math.isfinite(v) or (v <= lo if lo_open else v < lo) or not v < hi:
        raise InvalidArgument(f"{name}: {value} must be {rule}")
    return v


def _below_target(value, p):
    """(is_number, bound, closed-form value, name) of expect_below."""
    text = value if isinstance(value, str) else repr(value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        v = float(value)
        if not math.isfinite(v):
            raise InvalidArgument(f"expect_below: {text} is not a finite number")
        return True, v, v, text
    if not isinstance(value, str):
        raise InvalidArgument(f"expect_below: {value!r} must be 'dnc', a structure spec or a "
                              "number")
    err = _core.new_err()
    if value == "dnc":
        g = ffi.new("dufm_gl *")
        _core.call(lib.dufm_dnc_eval(g, p, err), err, "expect_below: dnc")
        return False, g.lower, g.value, "dnc"
    e = ffi.new("dufm_structure_eval *")
    with _core.structure_ptr(value, "expect_below") as s:
        try:
            _core.call(lib.dufm_structure_evaluate(e, s, p, err), err, f"expect_below '{value}'")
            return False, e.lower, e.loss, _core.cstr(lib.dufm_structure_name(s))
        finally:
            lib.dufm_structure_eval_clear(e)


def _expect_below(target, loss):
    is_number, bound, value, name = target
    if is_number:
        held = loss < bound
        detail = f"loss {loss:.17g} {'<' if held else '>='} {bound:.17g}"
    else:
        held = loss < bound - BELOW_MARGIN * abs(bound)
        detail = (f"loss {loss:.17g} {'is below' if held else 'is not below'} the closed form "
                  f"{value:.17g} of {name} (enclosure lower end {bound:.17g}, relative margin "
                  f"{BELOW_MARGIN:g})")
    return {"kind": "below", "target": name, "held": held, "detail": detail}


def check(H1, Ws, lam=None, *, lam_h=None, lam_w=None, L=None, K=None, n=None,
          expect_below=None, expect_class=None, expect_stationary=None, rank_tol=None,
          kink_tol=None, nc2_tol=None, pattern_tol=None):
    """Measurements of a configuration (per-sample form, columns grouped by
    class) and expectations on them: the fields of `dufm check DIR --json`
    without "dir" (loss, fit, reg, rescaled_loss, grad_norm, kinks, layers with
    ranks, singular values and NC1-NC3, rank_out, classification, dnc_loss,
    best_structure, expectations, ok). expect_below: 'dnc', a structure spec or
    a number; expect_class: 'dnc', 'low_rank' or 'other'; expect_stationary: a
    gradient-norm bound. A failed expectation gives ok = False (no exception);
    dufm.testing asserts."""
    o = ffi.new("dufm_analysis_opts *")
    lib.dufm_analysis_opts_default(o)
    for name, value, lo, lo_open, hi, rule in (
            ("rank_tol", rank_tol, 0, True, 1, "strictly between 0 and 1"),
            ("kink_tol", kink_tol, 0, False, 1, "in [0, 1)"),
            ("nc2_tol", nc2_tol, 0, True, math.inf, "positive")):
        v = _opt(value, name, lo, lo_open, hi, rule)
        if v is not None:
            setattr(o, name, v)
    grad_tol = _opt(expect_stationary, "expect_stationary", 0, False, math.inf,
                    "a gradient norm >= 0")
    classes = ("dnc", "low_rank", "other", "zero", "underfit")
    if expect_class is not None and expect_class not in classes:
        raise InvalidArgument(f"expect_class: {expect_class!r} must be dnc, low_rank, other, "
                              "zero or underfit")
    po = _pattern_opts(pattern_tol)
    h, ws = _core.matrices(H1, Ws)
    L, K, n = _core.sizes(h, ws, lib.DUFM_FORM_SAMPLES, L, K, n)
    err = _core.new_err()
    with _core.params(L, K, n, lam, lam_h, lam_w) as p, _core.config(h, ws) as c:
        target = _below_target(expect_below, p) if expect_below is not None else None
        a = ffi.new("dufm_analysis *")
        try:
            _core.call(lib.dufm_analyze(a, c, p, o, err), err, "check")
            out = _records.analysis(p, c, a)
        finally:
            lib.dufm_analysis_clear(a)
        out["pattern"] = _pattern_record(c, p, po)
        cmp = compare(L, K, lam, n, lam_h=lam_h, lam_w=lam_w)
        out["dnc_loss"] = cmp["dnc"]["loss"]
        out["best_structure"] = {"name": cmp["best"], "loss": cmp["best_loss"]}
    exps = []
    if target is not None:
        exps.append(_expect_below(target, out["loss"]))
    if expect_class is not None:
        exps.append({"kind": "class", "target": expect_class,
                     "held": out["classification"] == expect_class,
                     "detail": f"classification is {out['classification']}"})
    if grad_tol is not None:
        held = out["grad_norm"] <= grad_tol
        exps.append({"kind": "stationary", "target": str(expect_stationary), "held": held,
                     "detail": f"grad_norm {out['grad_norm']:.6g} {'<=' if held else '>'} "
                               f"{expect_stationary}"})
    out["expectations"] = exps
    out["ok"] = all(x["held"] for x in exps)
    return out


def _pattern_opts(pattern_tol):
    po = ffi.new("dufm_pattern_opts *")
    lib.dufm_pattern_opts_default(po)
    v = _opt(pattern_tol, "pattern_tol", 0, True, 1, "strictly between 0 and 1")
    if v is not None:
        po.rel_tol = v
    return po


def _pattern_record(c, p, po):
    pt = ffi.new("dufm_pattern *")
    err = _core.new_err()
    try:
        _core.call(lib.dufm_pattern_extract(pt, c, p, po, err), err, "pattern")
        return _records.pattern(pt)
    finally:
        lib.dufm_pattern_clear(pt)


def pattern(H1, Ws, lam=None, *, lam_h=None, lam_w=None, L=None, K=None, n=None,
            pattern_tol=None):
    """Activation pattern of a configuration (the "pattern" field of `dufm
    check --json`): per ReLU layer 2..L the neuron types as sets of classes
    with multiplicities, the readable line, the signature (invariant to neuron
    order) and its hash."""
    po = _pattern_opts(pattern_tol)
    h, ws = _core.matrices(H1, Ws)
    L, K, n = _core.sizes(h, ws, lib.DUFM_FORM_SAMPLES, L, K, n)
    with _core.params(L, K, n, lam, lam_h, lam_w) as p, _core.config(h, ws) as c:
        return _pattern_record(c, p, po)


def _certificate(make, out):
    """Runs make(cert, err), checks the certificate exactly and saves it to out
    when valid. Returns the report dict."""
    cert = ffi.new("dufm_cert *")
    rep = ffi.new("dufm_cert_report *")
    err = _core.new_err()
    try:
        make(cert, err)
        _core.call(lib.dufm_cert_check(rep, cert, err), err, "certify")
        res = _records.certificate(cert, rep)
        res["out"] = None
        if res["valid"] and out is not None:
            _core.call(lib.dufm_cert_save(str(out).encode(), cert, err), err, "out")
            res["out"] = str(out)
        return res
    finally:
        lib.dufm_cert_report_clear(rep)
        lib.dufm_cert_clear(cert)


def certify(spec, L, lam=None, n=1, *, K=None, lam_h=None, lam_w=None, out=None):
    """A certificate that structure spec beats DNC (`dufm certify`), checked
    exactly: the fields of `dufm check-cert --json` (valid, check, detail,
    loss_exact, dnc_bound_exact, ...). Written to out (a path) only when valid;
    "out" is the path written or None."""
    with _core.structure_ptr(spec) as s:
        K = _core.structure_K(s, spec, K)
        with _core.params(L, K, n, lam, lam_h, lam_w) as p:
            def make(cert, e):
                st = lib.dufm_cert_make(cert, s, p, e)
                if st == lib.DUFM_ENOTAPPLICABLE:
                    _core.raise_status(st, e, f"spec '{spec}' is not applicable")
                _core.call(st, e, f"spec '{spec}'")
            return _certificate(make, out)


def certify_config(H1, Ws, lam=None, *, lam_h=None, lam_w=None, L=None, K=None, n=None,
                   collapse_tol=None, label="python", out=None):
    """A certificate that a given configuration beats DNC (`dufm certify
    --config`): the class means of H1, each entry rounded to a dyadic rational,
    the exact loss compared with the rigorous DNC bound by the certificate
    checker. Returns the fields of certify; "valid" is False (and nothing is
    written) when the configuration is not below DNC. Raises InvalidArgument
    when the columns of one class differ by more than collapse_tol (relative,
    default 1e-6)."""
    h, ws = _core.matrices(H1, Ws)
    L, K, n = _core.sizes(h, ws, lib.DUFM_FORM_SAMPLES, L, K, n)
    opts = ffi.new("dufm_cert_round_opts *")
    lib.dufm_cert_round_opts_default(opts)
    if collapse_tol is not None:
        tol = float(collapse_tol)
        if not 0 <= tol < 1:
            raise ValueError(f"collapse_tol: must be in [0, 1), got {collapse_tol!r}")
        opts.collapse_tol = tol
    with _core.params(L, K, n, lam, lam_h, lam_w) as p, _core.config(h, ws) as c:
        def make(cert, e):
            st = lib.dufm_cert_from_config(cert, ffi.NULL, c, p, str(label).encode(), opts, e)
            if st != lib.DUFM_ENOTAPPLICABLE:  # not below DNC: the check reports it
                _core.call(st, e, "certify_config")
        return _certificate(make, out)


def load_config(folder):
    """A configuration folder (H1.npy, W1.npy, ...) read by libdufm, as Config."""
    c = ffi.new("dufm_config *")
    nout = ffi.new("int *")
    err = _core.new_err()
    try:
        _core.call(lib.dufm_config_load(c, nout, str(folder).encode(), err), err)
        return Config(*_core.config_arrays(c))
    finally:
        lib.dufm_config_clear(c)


def save_config(folder, H1, Ws, lam=None, n=None, *, lam_h=None, lam_w=None, form="samples",
                source=""):
    """Writes a configuration folder for the CLI (`dufm eval`, `dufm check`):
    float64 .npy files, the folder renamed into place only when complete.

    With the parameters (lam, or lam_h and lam_w, as in `evaluate`) it also
    writes meta.json (libdufm's dufm_config_save_meta), so the CLI reads L, K, n,
    the exact lambdas and the form from the folder. L = len(Ws) and K = the
    rows of W_L; n is the columns over K in form 'samples' (a given n must
    agree) and must be given in form 'means' (default 1). source is stored as
    meta.json's "source". Without parameters the folder has no meta.json and
    the CLI needs --L, --K, --n and the lambdas."""
    h, ws = _core.matrices(H1, Ws)
    err = _core.new_err()
    has_params = lam is not None or lam_h is not None or lam_w is not None
    if not has_params:
        if n is not None or form != "samples" or source:
            raise InvalidArgument("lam: missing (n, form and source go into meta.json, which "
                                  "needs the lambdas: give lam, or both lam_h and lam_w)")
        with _core.config(h, ws) as c:
            _core.call(lib.dufm_config_save_atomic(str(folder).encode(), c, err), err)
        return
    f = _core.form_value(form)
    if not isinstance(source, str):
        raise InvalidArgument(f"source: {source!r} is not a string")
    L, K, n = _core.sizes(h, ws, f, None, None, n)
    with _core.params(L, K, n, lam, lam_h, lam_w) as p, _core.config(h, ws) as c:
        m = ffi.new("dufm_meta *")
        _core.call(lib.dufm_meta_init(m, p, c.d, f, b"python save_config", source.encode(), err),
                   err)
        try:
            _core.call(lib.dufm_config_save_meta(str(folder).encode(), c, m, err), err)
        finally:
            lib.dufm_meta_clear(m)


def columns_by_class(features, labels):
    """H1 (d x N) from N x d features and N integer labels 0..K-1: the samples
    as columns grouped by class in a stable order, as every dufm function
    expects. Every class needs the same number of samples."""
    try:
        x = np.asarray(features, dtype=np.float64)
        y = np.asarray(labels)
    except RuntimeError as e:
        raise InvalidArgument(f"features: {e} (pass tensor.detach())") from None
    if x.ndim != 2:
        raise InvalidArgument(f"features: must be a 2-D array N x d, got shape {x.shape}")
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise InvalidArgument(f"labels: must be a 1-D array of N = {x.shape[0]} class indices, "
                              f"got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or y.size == 0 or y.min() < 0:
        raise InvalidArgument("labels: must be non-negative integers 0..K-1")
    counts = np.bincount(y)
    if (counts != counts[0]).any():
        raise InvalidArgument(f"labels: classes have different sample counts {counts.tolist()}; "
                              "dufm needs n samples in every class 0..K-1")
    return np.ascontiguousarray(x[np.argsort(y, kind="stable")].T)
