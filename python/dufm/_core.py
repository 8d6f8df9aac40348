"""Plumbing between Python values and libdufm: errors, exact lambdas,
parameters, arrays and configurations. Field reads of result structs are in
_records.py; C declarations in _build.py."""

import contextlib
import decimal
import fractions
import math
import numbers

import numpy as np

try:
    from ._dufm_cffi import ffi, lib
except ImportError as e:  # pragma: no cover - exercised by hand
    raise ImportError(
        "dufm's C extension is not built; run scripts/run or scripts/test from the "
        "repository (they build it), or: /usr/bin/python3 python/dufm/_build.py build"
    ) from e

# GSL's abort-on-error handler off and OpenBLAS on one thread, as the dufm
# command does (libdufm changes neither on its own: dufm/process.h).
DUFM_INIT_DEFAULT = 3
lib.dufm_init_process(DUFM_INIT_DEFAULT)


class Error(Exception):
    """An error reported by libdufm (or a rule of its Python API): one line,
    naming the argument and the rule it broke. `status` is libdufm's short
    status name ("invalid_argument", "format", ...)."""

    status = "error"

    def __init__(self, message, status=None):
        super().__init__(message)
        if status is not None:
            self.status = status


class InvalidArgument(Error, ValueError):
    status = "invalid_argument"


class FormatError(Error, ValueError):
    status = "format_error"


class NotApplicable(Error, ValueError):
    status = "not_applicable"


class NumericalError(Error, ArithmeticError):
    status = "numerical_failure"


class FileError(Error, OSError):
    status = "io_error"


class OutOfMemory(Error, MemoryError):
    status = "out_of_memory"


_CLASSES = {
    lib.DUFM_EINVAL: InvalidArgument,
    lib.DUFM_EFORMAT: FormatError,
    lib.DUFM_ENOTAPPLICABLE: NotApplicable,
    lib.DUFM_ENUMERIC: NumericalError,
    lib.DUFM_EIO: FileError,
    lib.DUFM_ENOMEM: OutOfMemory,
}


def new_err():
    return ffi.new("dufm_err *")


def raise_status(status, err, context=None):
    """Raises the exception of a failed libdufm call with its one-line message,
    prefixed with context (the Python argument) when given."""
    msg = ffi.string(err.msg).decode("utf-8", "replace")
    if context:
        msg = f"{context}: {msg}"
    cls = _CLASSES.get(status, Error)
    raise cls(msg, ffi.string(lib.dufm_status_name(status)).decode())


def call(status, err, context=None):
    if status != lib.DUFM_OK:
        raise_status(status, err, context)


def cstr(p):
    return None if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


def q_fraction(q):
    """An mpq_t as a fractions.Fraction (exact)."""
    s = lib.dufm_q_to_string(q)
    if s == ffi.NULL:
        raise OutOfMemory("out of memory converting a rational")
    try:
        return fractions.Fraction(ffi.string(s).decode())
    finally:
        lib.free(s)


@contextlib.contextmanager
def mpq():
    q = ffi.new("mpq_t")
    lib.mpq_init(q)
    try:
        yield q
    finally:
        lib.mpq_clear(q)


def number(x):
    """A double as the CLI's JSON has it: non-finite values become None."""
    x = float(x)
    return x if math.isfinite(x) else None


# ---------------------------------------------------------------- parameters


def lambda_text(value, name):
    """Exact text of a regularization strength. Strings are parsed by libdufm
    ("0.004", "4e-3", "1/250"); int, Fraction and Decimal are exact; a float is
    the decimal it prints as (0.004 -> 1/250, like the CLI's --lambda 0.004)."""
    if isinstance(value, bool):
        raise InvalidArgument(f"{name}: {value!r} is a bool, not a number")
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, fractions.Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise InvalidArgument(f"{name}: {value} is not finite")
        return str(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise InvalidArgument(f"{name}: {v} is not finite")
        return repr(v)
    raise InvalidArgument(f"{name}: {value!r} is not a number (give a float, int, Fraction or "
                          "a string such as '0.004' or '1/250')")


def whole(value, name, lo, hi):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidArgument(f"{name}: {value!r} is not a whole number")
    v = int(value)
    if not lo <= v <= hi:
        raise InvalidArgument(f"{name}: {v} is outside {lo}..{hi}")
    return v


@contextlib.contextmanager
def params(L, K, n, lam, lam_h=None, lam_w=None):
    """A dufm_params for the call: lam sets lambda_H and every lambda_l, then
    lam_h and lam_w (one value or exactly L values) override them."""
    L = whole(L, "L", 1, lib.DUFM_MAX_L)
    K = whole(K, "K", 2, lib.DUFM_MAX_K)
    n = whole(n, "n", 1, lib.DUFM_MAX_N)
    if lam is None and (lam_h is None or lam_w is None):
        raise InvalidArgument("lam: missing (give lam, or both lam_h and lam_w)")
    p = ffi.new("dufm_params *")
    err = new_err()
    call(lib.dufm_params_init(p, L, K, n, err), err)
    try:
        def set_(which, value, name):
            text = lambda_text(value, name)
            st = lib.dufm_params_set_lambda(p, which, text.encode(), err)
            if st != lib.DUFM_OK:  # the rule first, then the value (as the CLI)
                msg = ffi.string(err.msg).decode("utf-8", "replace")
                cls = _CLASSES.get(st, Error)
                raise cls(f"{name}: {msg}: '{text}'",
                          ffi.string(lib.dufm_status_name(st)).decode())

        if lam is not None:
            set_(lib.DUFM_LAMBDA_ALL, lam, "lam")
        if lam_h is not None:
            set_(lib.DUFM_LAMBDA_H, lam_h, "lam_h")
        if lam_w is not None:
            if isinstance(lam_w, (str, numbers.Number, decimal.Decimal)):
                values = [lam_w] * L
            else:
                values = list(lam_w)
                if len(values) not in (1, L):
                    raise InvalidArgument(f"lam_w: gave {len(values)} values; give one value or "
                                          f"exactly L = {L}")
                values = values * L if len(values) == 1 else values
            for l, v in enumerate(values):
                set_(l, v, f"lam_w[{l}]")
        yield p
    finally:
        lib.dufm_params_clear(p)


def params_fields(p):
    """"L", "K", "n", "lambda_h", "lambda_w" as in the CLI's JSON (Fractions)."""
    return {
        "L": p.L,
        "K": p.K,
        "n": p.n,
        "lambda_h": q_fraction(p.lam_h),
        "lambda_w": [q_fraction(p.lam_w[l]) for l in range(p.L)],
    }


# ---------------------------------------------------------------- arrays


def matrix(x, name):
    """A finite, non-empty 2-D float64 C-ordered array from anything NumPy
    takes (arrays, lists, PyTorch tensors after .detach())."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except RuntimeError as e:  # torch: "Can't call numpy() on Tensor that requires grad"
        raise InvalidArgument(f"{name}: {e} (pass tensor.detach())") from None
    except (TypeError, ValueError) as e:
        raise InvalidArgument(f"{name}: not a numeric array ({e})") from None
    if a.ndim != 2:
        raise InvalidArgument(f"{name}: must be a 2-D array, got shape {a.shape}")
    if a.size == 0:
        raise InvalidArgument(f"{name}: is empty (shape {a.shape})")
    bad = ~np.isfinite(a)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InvalidArgument(f"{name}: entry ({i}, {j}) is {a[i, j]}, not finite")
    if a.shape[0] > 2**31 - 1 or a.shape[1] > 2**31 - 1:
        raise InvalidArgument(f"{name}: shape {a.shape} is too large")
    return np.ascontiguousarray(a)


def matrices(H1, Ws):
    """(H1, [W_1..W_L]) as checked float64 arrays whose shapes chain."""
    h = matrix(H1, "H1")
    if isinstance(Ws, np.ndarray) and Ws.ndim == 2:
        raise InvalidArgument("Ws: must be a sequence of 2-D arrays W_1..W_L, got one 2-D array "
                              "(wrap it in a list for L = 1)")
    try:
        ws = [matrix(w, f"Ws[{i}]") for i, w in enumerate(Ws)]
    except TypeError:
        raise InvalidArgument("Ws: must be a sequence of 2-D arrays W_1..W_L") from None
    if not ws:
        raise InvalidArgument("Ws: is empty; give W_1..W_L with L >= 1")
    rows = h.shape[0]
    for i, w in enumerate(ws):
        prev = "H1" if i == 0 else f"Ws[{i - 1}]"
        if w.shape[1] != rows:
            raise InvalidArgument(f"Ws[{i}]: has {w.shape[1]} columns but {prev} has {rows} rows "
                                  f"(W_{i + 1} must be d_{i + 2} x d_{i + 1})")
        rows = w.shape[0]
    return h, ws


def sizes(h, ws, form, L, K, n):
    """L, K, n of arrays (K = rows of W_L; samples form: n = columns / K), each
    checked against a given value."""
    aL, aK = len(ws), ws[-1].shape[0]
    if aK < 2:
        raise InvalidArgument(f"Ws[{aL - 1}]: has {aK} row; K = rows of W_L must be >= 2")
    cols = h.shape[1]
    if form == lib.DUFM_FORM_SAMPLES:
        if cols % aK != 0:
            raise InvalidArgument(f"H1: has {cols} columns, not a multiple of K = {aK} (rows of "
                                  "W_L); samples must be grouped by class, n per class")
        an = cols // aK
    else:
        if cols != aK:
            raise InvalidArgument(f"H1: has {cols} columns; the class-mean form needs K = {aK}")
        an = 1 if n is None else n
    for name, given, actual in (("L", L, aL), ("K", K, aK), ("n", n, an)):
        if given is not None and given != actual:
            raise InvalidArgument(f"{name}: {given} disagrees with the arrays, which have "
                                  f"{name} = {actual}")
    return aL, aK, an


def form_value(form):
    if form in ("samples", None):
        return lib.DUFM_FORM_SAMPLES
    if form == "means":
        return lib.DUFM_FORM_CLASS_MEANS
    raise InvalidArgument(f"form: {form!r} must be 'samples' (n columns per class) or 'means'")


def _fill(m, a):
    ffi.memmove(m.data, ffi.from_buffer("double[]", a), a.nbytes)


@contextlib.contextmanager
def config(h, ws):
    """A dufm_config holding copies of checked arrays (see matrices)."""
    c = ffi.new("dufm_config *")
    d = ffi.new("int[]", [h.shape[0]] + [w.shape[0] for w in ws])
    err = new_err()
    call(lib.dufm_config_init(c, len(ws), d, h.shape[1], err), err)
    try:
        _fill(c.H1, h)
        for i, w in enumerate(ws):
            _fill(c.W[i], w)
        yield c
    finally:
        lib.dufm_config_clear(c)


def mat_array(m):
    n = m.rows * m.cols
    return np.frombuffer(ffi.buffer(m.data, 8 * n), dtype=np.float64).reshape(m.rows,
                                                                              m.cols).copy()


def config_arrays(c):
    return mat_array(c.H1), [mat_array(c.W[l]) for l in range(c.L)]


@contextlib.contextmanager
def structure_ptr(spec, name="spec"):
    if not isinstance(spec, str):
        raise InvalidArgument(f"{name}: {spec!r} is not a structure spec string (e.g. 'srg:5')")
    out = ffi.new("dufm_structure **")
    err = new_err()
    call(lib.dufm_structure_parse(out, spec.encode(), err), err, f"{name} '{spec}'")
    try:
        # clique weights optimized now: their errors belong to the spec
        call(lib.dufm_structure_optimize(out[0], err), err, f"{name} '{spec}'")
        yield out[0]
    finally:
        lib.dufm_structure_free(out[0])


def structure_K(s, spec, K):
    """K of the problem: the structure's own (a given K must agree), or the
    given K for a bare 'dnc'."""
    sK = lib.dufm_structure_K(s)
    if sK == 0:
        if K is None:
            raise InvalidArgument(f"K: missing ('{spec}' takes K from the parameters)")
        return K
    if K is not None and K != sK:
        raise InvalidArgument(f"K: {K}, but structure '{spec}' has K = {sK} classes")
    if sK < 2:
        raise InvalidArgument(f"spec '{spec}': has K = {sK}; a problem needs K >= 2")
    return sK
