"""The last reliability rules of issue 11 on the Python side: a lambda whose
double underflows to 0 is refused with the CLI's message, and save_config
writes meta.json when it is given the parameters (read back by the CLI)."""
import decimal
import fractions
import json
import os

import numpy as np
import pytest

import dufm
from conftest import cli_error, run_cli


@pytest.mark.parametrize("value", ["1e-400", fractions.Fraction(1, 10**400),
                                   decimal.Decimal("1e-400")])
def test_lambda_underflow_is_refused_as_the_cli_refuses_it(value):
    cli_line = cli_error("dnc", "--lambda", "1e-400")
    assert cli_line == "dufm: --lambda: underflows to 0 as a double: '1e-400'"
    with pytest.raises(dufm.InvalidArgument) as e:
        dufm.dnc(4, 10, value)
    msg = str(e.value)
    assert msg.startswith("lam: underflows to 0 as a double: '"), msg
    with pytest.raises(dufm.InvalidArgument, match="^lam_h: underflows to 0 as a double"):
        dufm.compare(3, 6, 0.004, lam_h=value)
    with pytest.raises(dufm.InvalidArgument, match=r"^lam_w\[1\]: underflows to 0 as a double"):
        dufm.evaluate(np.eye(3), [np.eye(3), np.eye(3)], lam_h=0.01, lam_w=[0.01, value])


def test_smallest_subnormal_lambda_is_accepted():
    """5e-324 is a positive double: only an exact zero double is refused."""
    assert dufm.dnc(4, 10, "5e-324")["loss"] == run_cli("dnc", "--lambda", "5e-324")["loss"]


def random_config(rng, K=4, n=3, widths=(5, 6)):
    H1 = rng.standard_normal((widths[0], K * n))
    Ws = [rng.standard_normal((widths[1], widths[0])), rng.standard_normal((K, widths[1]))]
    return H1, Ws


def test_save_config_with_parameters_writes_meta_json_the_cli_reads(tmp_path):
    rng = np.random.default_rng(11)
    H1, Ws = random_config(rng)
    dufm.save_config(tmp_path / "cfg", H1, Ws, lam_h="1/300", lam_w=[0.002, "3e-3"],
                     source="test")
    meta = json.loads((tmp_path / "cfg" / "meta.json").read_text())
    assert meta["format"] == "dufm-meta 1"
    assert (meta["L"], meta["K"], meta["n"]) == (2, 4, 3)
    assert fractions.Fraction(meta["lambda_h"]) == fractions.Fraction(1, 300)
    assert [fractions.Fraction(x) for x in meta["lambda_w"]] == [fractions.Fraction(1, 500),
                                                                fractions.Fraction(3, 1000)]
    assert meta["widths"] == [5, 6, 4] and meta["form"] == "samples"
    assert meta["command"] == "python save_config" and meta["source"] == "test"
    # The CLI takes every parameter from meta.json (no flags), and agrees with
    # the library's evaluation at the same exact parameters.
    c = run_cli("eval", tmp_path / "cfg")
    py = dufm.evaluate(H1, Ws, lam_h="1/300", lam_w=["0.002", "0.003"])
    for k in ("L", "K", "n", "widths", "loss", "fit", "reg", "rescaled_loss"):
        assert py[k] == c[k], k


def test_save_config_means_form_and_n(tmp_path):
    rng = np.random.default_rng(12)
    H1, Ws = random_config(rng, K=3, n=1)
    dufm.save_config(tmp_path / "m", H1, Ws, 0.004, n=7, form="means")
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert (meta["n"], meta["form"], meta["lambda_h"]) == (7, "means", "0.004")
    c = run_cli("eval", tmp_path / "m")
    py = dufm.evaluate(H1, Ws, 0.004, n=7, form="means")
    assert (c["n"], c["loss"]) == (7, py["loss"])


def test_save_config_refusals_write_nothing(tmp_path):
    rng = np.random.default_rng(13)
    H1, Ws = random_config(rng, K=4, n=3)
    with pytest.raises(dufm.InvalidArgument, match="^n: 2 disagrees"):
        dufm.save_config(tmp_path / "a", H1, Ws, 0.004, n=2)
    with pytest.raises(dufm.InvalidArgument, match="^lam: underflows to 0 as a double"):
        dufm.save_config(tmp_path / "b", H1, Ws, "1e-400")
    with pytest.raises(dufm.InvalidArgument, match="^lam: missing"):
        dufm.save_config(tmp_path / "c", H1, Ws, n=3)
    assert os.listdir(tmp_path) == []
    # Without parameters: the folder as before, no meta.json.
    dufm.save_config(tmp_path / "d", H1, Ws)
    assert sorted(os.listdir(tmp_path / "d")) == ["H1.npy", "W1.npy", "W2.npy"]


def test_compare_block_rule_as_the_cli():
    for args, kw in (([2, 1000, "0.0001"], {"dp_limit": 999}), ([3, 12, "0.004"], {})):
        py = dufm.compare(*args, **kw)
        flags = ["--dp-limit", str(kw["dp_limit"])] if kw else []
        cli = run_cli("compare", "--L", args[0], "--K", args[1], "--lambda", args[2], *flags)
        assert py["block_rule"] == cli["block_rule"] == ("large-K" if kw else "full")
        assert py["best"] == cli["best"] and py["best_loss"] == cli["best_loss"]
