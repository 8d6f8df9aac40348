"""Bad input raises a dufm.Error carrying libdufm's one-line message (the same
message the CLI prints after the flag), or a ValueError naming the argument."""
import math

import numpy as np
import pytest

import dufm
from conftest import cli_error

torch = pytest.importorskip("torch")


def lib_message(cli_line, prefix, suffix=""):
    """The library's message inside the CLI's line: after the flag, and before
    the echoed value where the CLI puts it last (a long value is shortened
    there, never the rule)."""
    assert cli_line.startswith(prefix) and cli_line.endswith(suffix), cli_line
    return cli_line[len(prefix):len(cli_line) - len(suffix)]


@pytest.mark.parametrize("call,cli_args,name", [
    (lambda: dufm.dnc(4, 10, "0.0x"), ["dnc", "--lambda", "0.0x"], "lam"),
    (lambda: dufm.compare(4, 10, -1), ["compare", "--lambda", "-1"], "lam"),
    (lambda: dufm.compare(4, 10, 0.004, lam_h="1/0"), ["compare", "--lambda-h", "1/0"], "lam_h"),
])
def test_lambda_message_as_the_cli_prints_it(call, cli_args, name):
    """The rule comes before the echoed value, on the CLI and in Python."""
    cli_line = cli_error(*cli_args)
    flag = cli_args[1]
    assert cli_line.startswith(f"dufm: {flag}: "), cli_line
    with pytest.raises(dufm.Error) as e:
        call()
    assert str(e.value) == f"{name}: " + cli_line[len(f"dufm: {flag}: "):]


@pytest.mark.parametrize("call,cls,cli_args,cli_prefix,py_prefix,cli_suffix", [
    (lambda: dufm.structure("srg:2", 4, 0.004), dufm.InvalidArgument,
     ["structure", "--structure", "srg:2"], "dufm: --structure: 'srg:2': ", "spec 'srg:2': ", ""),
    (lambda: dufm.export("clique:5:2,9", 4, 0.004), dufm.InvalidArgument,
     ["export", "--structure", "clique:5:2,9", "--out", "/nonexistent/x"],
     "dufm: --structure: 'clique:5:2,9': ", "spec 'clique:5:2,9': ", ""),
    (lambda: dufm.structure("srg:5", 1, 0.004), dufm.NotApplicable,
     ["structure", "--structure", "srg:5", "--L", "1"],
     "dufm: --structure: srg:5 is not applicable: ", "spec 'srg:5' is not applicable: ", ""),
    (lambda: dufm.load_config("/nonexistent-dufm-folder"), dufm.FileError,
     ["eval", "/nonexistent-dufm-folder"], "dufm: ", "", ""),
    (lambda: dufm.compare(0, 10, 0.004), dufm.InvalidArgument, ["compare", "--L", "0"],
     "dufm: --L: ", "L: ", ""),
])
def test_library_message_as_the_cli_prints_it(call, cls, cli_args, cli_prefix, py_prefix,
                                              cli_suffix):
    msg = lib_message(cli_error(*cli_args), cli_prefix, cli_suffix)
    with pytest.raises(cls) as e:
        call()
    assert str(e.value) == py_prefix + msg
    assert "\n" not in str(e.value) and isinstance(e.value, dufm.Error)


def test_exception_classes():
    assert issubclass(dufm.InvalidArgument, ValueError)
    assert issubclass(dufm.FormatError, ValueError)
    assert issubclass(dufm.FileError, OSError)
    with pytest.raises(dufm.FormatError) as e:
        dufm.dnc(4, 10, "nan")
    assert e.value.status == "format_error"


@pytest.mark.parametrize("kwargs,match", [
    ({"lam": None}, r"^lam: missing"),
    ({"lam": True}, r"^lam: True is a bool"),
    ({"lam": math.nan}, r"^lam: nan is not finite"),
    ({"lam": object()}, r"^lam: .* is not a number"),
    ({"lam": 0.004, "lam_w": [0.1, 0.2]}, r"^lam_w: gave 2 values; give one value or exactly L = 4"),
    ({"lam": 0.004, "lam_w": [0.1, 0.2, 0.3, "x"]}, r"^lam_w\[3\]: .*: 'x'$"),
    ({"lam": 0.004, "n": 0}, r"^n: 0 is outside 1\.\.1000000"),
    ({"lam": 0.004, "K": 2.5}, r"^K: 2\.5 is not a whole number"),
])
def test_parameter_errors_name_the_argument(kwargs, match):
    args = {"L": 4, "K": 10}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        dufm.compare(**args)


def test_structure_K_rules():
    with pytest.raises(ValueError, match=r"^K: 9, but structure 'srg:5' has K = 10 classes$"):
        dufm.structure("srg:5", 4, 0.004, K=9)
    with pytest.raises(ValueError, match=r"^K: missing \('dnc' takes K"):
        dufm.structure("dnc", 4, 0.004)
    with pytest.raises(ValueError, match=r"^spec 'dnc:1': has K = 1"):
        dufm.structure("dnc:1", 4, 0.004)
    with pytest.raises(ValueError, match=r"^spec: 5 is not a structure spec"):
        dufm.export(5, 4, 0.004)
    with pytest.raises(ValueError, match=r"^form: 'x' must be"):
        dufm.export("srg:5", 4, 0.004, form="x")


H1 = np.ones((5, 10))
WS = [np.ones((5, 5)), np.ones((5, 5)), np.ones((10, 5)), np.eye(10)]


@pytest.mark.parametrize("h,ws,kwargs,match", [
    (np.ones(5), WS, {}, r"^H1: must be a 2-D array, got shape \(5,\)"),
    (np.ones((5, 10, 1)), WS, {}, r"^H1: must be a 2-D array"),
    (np.ones((0, 10)), WS, {}, r"^H1: is empty"),
    (H1, WS[:1] + [np.ones((5, 4))] + WS[2:], {},
     r"^Ws\[1\]: has 4 columns but Ws\[0\] has 5 rows"),
    (np.ones((4, 10)), WS, {}, r"^Ws\[0\]: has 5 columns but H1 has 4 rows"),
    (H1, WS[:3] + [np.ones((1, 10))], {}, r"^Ws\[3\]: has 1 row; K = rows of W_L must be >= 2"),
    (np.ones((5, 15)), WS, {}, r"^H1: has 15 columns, not a multiple of K = 10"),
    (H1, WS, {"n": 2}, r"^n: 2 disagrees with the arrays, which have n = 1"),
    (H1, WS, {"K": 5}, r"^K: 5 disagrees with the arrays, which have K = 10"),
    (H1, WS, {"L": 3}, r"^L: 3 disagrees with the arrays, which have L = 4"),
    (H1, [], {}, r"^Ws: is empty"),
    (H1, np.eye(5), {}, r"^Ws: must be a sequence of 2-D arrays W_1..W_L, got one 2-D array"),
    (H1, 3, {}, r"^Ws: must be a sequence"),
    (np.where(np.eye(5, 10) > 0, np.nan, 1.0), WS, {}, r"^H1: entry \(0, 0\) is nan, not finite"),
    (H1, WS[:2] + [np.full((10, 5), np.inf)] + WS[3:], {}, r"^Ws\[2\]: entry \(0, 0\) is inf"),
    ([["a"]], WS, {}, r"^H1: not a numeric array"),
    (torch.ones(5, 10, requires_grad=True), WS, {}, r"^H1: .*requires grad.*tensor\.detach\(\)"),
])
def test_array_errors_name_the_argument(h, ws, kwargs, match):
    for fn in (dufm.evaluate, dufm.check):
        with pytest.raises(ValueError, match=match):
            fn(h, ws, 0.004, **kwargs)


@pytest.mark.parametrize("kwargs,match", [
    ({"rank_tol": 0}, r"^rank_tol: 0 must be strictly between 0 and 1"),
    ({"kink_tol": 1}, r"^kink_tol: 1 must be in \[0, 1\)"),
    ({"nc2_tol": -1}, r"^nc2_tol: -1 must be positive"),
    ({"expect_stationary": -1}, r"^expect_stationary: -1 must be a gradient norm"),
    ({"expect_class": "lowrank"}, r"^expect_class: 'lowrank' must be dnc, low_rank, other, zero or underfit"),
    ({"expect_below": "srg:x"}, r"^expect_below 'srg:x': "),
    ({"expect_below": "srg:5"}, r"^expect_below 'srg:5': .*K"),
    ({"expect_below": math.inf}, r"^expect_below: inf is not a finite number"),
])
def test_check_option_errors(kwargs, match):
    H, W = dufm.export("dnc", 2, 0.004, K=3)
    with pytest.raises(ValueError, match=match):
        dufm.check(H, W, 0.004, **kwargs)
