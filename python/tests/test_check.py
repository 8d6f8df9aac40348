"""dufm.check against `dufm check DIR --json` of the same arrays saved with
NumPy, and the dufm.testing assertions on configurations whose answer is
known from closed forms."""
import os

import numpy as np
import pytest

import dufm
import dufm.testing as dt
from conftest import like_cli, run_cli


def save_np(folder, H1, Ws):
    os.makedirs(folder)
    np.save(os.path.join(folder, "H1.npy"), np.asarray(H1))
    for l, w in enumerate(Ws, start=1):
        np.save(os.path.join(folder, f"W{l}.npy"), np.asarray(w))


def noisy_srg5(n=2, seed=5):
    H1, Ws = dufm.export("srg:5", 4, 0.004, n=n)
    rng = np.random.default_rng(seed)
    return H1 + 1e-3 * rng.standard_normal(H1.shape), [w + 1e-3 * rng.standard_normal(w.shape)
                                                       for w in Ws]


@pytest.mark.parametrize("case", ["srg5", "noisy", "dnc", "random"])
def test_check_equals_cli(tmp_path, case):
    flags, kwargs = ["--lambda", "0.004"], {"lam": 0.004}
    if case == "srg5":
        H1, Ws = dufm.export("srg:5", 4, 0.004, n=2)
        exp = {"expect_below": "dnc", "expect_class": "low_rank", "expect_stationary": 1e-6}
    elif case == "noisy":
        H1, Ws = noisy_srg5()
        exp = {"expect_below": "clique:5:2,3", "expect_class": "dnc", "rank_tol": 1e-3}
    elif case == "dnc":
        H1, Ws = dufm.export("dnc", 3, 0.004, K=6, n=3)
        exp = {"expect_below": 0.5, "expect_class": "dnc", "nc2_tol": 1e-6, "kink_tol": 0.0}
    else:
        rng = np.random.default_rng(7)
        H1 = rng.standard_normal((8, 12))
        Ws = [rng.standard_normal((6, 8)), rng.standard_normal((4, 6))]
        flags, kwargs = ["--lambda-h", "0.01", "--lambda-w", "0.002,1/300"], \
            {"lam_h": 0.01, "lam_w": [0.002, "1/300"]}
        exp = {"expect_below": "0.01", "expect_stationary": 0.5}
    save_np(tmp_path / "c", H1, Ws)
    cli_flags = []
    for k, v in exp.items():
        cli_flags += ["--" + k.replace("_", "-"), str(v)]
    ok = dufm.check(H1, Ws, **kwargs, **exp)
    c = run_cli("check", tmp_path / "c", *flags, *cli_flags, status=0 if ok["ok"] else 1)
    assert c.pop("dir") == str(tmp_path / "c")
    like_cli(ok, c)
    assert len(ok["expectations"]) == len(exp) - sum(k.endswith("_tol") for k in exp)


def test_check_results_against_closed_forms():
    H1, Ws = dufm.export("srg:5", 4, 0.004, n=2)
    r = dufm.check(H1, Ws, 0.004, expect_below="dnc", expect_class="low_rank")
    assert r["ok"] and r["classification"] == "low_rank"
    closed = dufm.structure("srg:5", 4, 0.004, n=2)
    assert [layer["rank_mean"] for layer in r["layers"]] == closed["ranks"]["hidden"]
    assert abs(r["loss"] - closed["loss"]) <= 1e-12 * closed["loss"]
    assert r["dnc_loss"] == dufm.dnc(4, 10, 0.004, 2)["loss"]
    assert r["best_structure"]["loss"] == dufm.compare(4, 10, 0.004, 2)["best_loss"]
    bad = dufm.check(H1, Ws, 0.004, expect_below="clique:5:2,3", expect_class="dnc")
    assert not bad["ok"] and [x["held"] for x in bad["expectations"]] == [False, False]


def test_testing_helpers_pass_and_fail():
    H1, Ws = dufm.export("srg:5", 4, 0.004)
    assert dt.assert_below_dnc(H1, Ws, lam=0.004)["ok"]
    dt.assert_classification(H1, Ws, "low_rank", lam=0.004)
    ratio = 0.090350205581579 / 0.08193419422949441  # srg:5 over clique:5:2,3, closed forms
    dt.assert_close_to_best_known(H1, Ws, lam=0.004, rtol=ratio - 1 + 1e-9)
    with pytest.raises(AssertionError, match=r"is 1\.1027\d+ x the best known clique:5:2,3"):
        dt.assert_close_to_best_known(H1, Ws, lam=0.004, rtol=0.1)
    with pytest.raises(AssertionError, match=r"classification is low_rank, expected dnc"):
        dt.assert_classification(H1, Ws, "dnc", lam=0.004)
    Hd, Wd = dufm.export("dnc", 4, 0.004, K=10)
    dt.assert_classification(Hd, Wd, "dnc", lam=0.004)
    with pytest.raises(AssertionError, match=r"^not below DNC: loss .* is not below the closed "
                                             r"form .* of dnc"):
        dt.assert_below_dnc(Hd, Wd, lam=0.004)
    with pytest.raises(ValueError, match=r"^rtol: -1 must be a number >= 0"):
        dt.assert_close_to_best_known(H1, Ws, lam=0.004, rtol=-1)


def test_certify_config():
    if not dufm.has_certify_config():
        pytest.skip("libdufm has no dufm_cert_from_config yet (cert branch); "
                    "dufm.certify_config raises NotImplementedError until it is merged")
    for spec, L in (("clique:5:2,3", 3), ("srg:5", 4)):
        H1, Ws = dufm.export(spec, L, 0.004, form="means")
        r = dufm.certify_config(H1, Ws, 0.004)
        assert r["valid"], r["detail"]
        assert abs(r["loss"] - dufm.structure(spec, L, 0.004)["loss"]) <= 1e-9
        assert r["dnc_bound"] <= dufm.dnc(L, 10, 0.004)["loss_lower"]
    Hd, Wd = dufm.export("dnc", 4, 0.004, K=10)
    assert not dufm.certify_config(Hd, Wd, 0.004)["valid"]


def test_certify_config_without_the_c_function():
    if dufm.has_certify_config():
        pytest.skip("dufm_cert_from_config is present")
    H1, Ws = dufm.export("srg:5", 4, 0.004)
    with pytest.raises(NotImplementedError, match="dufm_cert_from_config"):
        dufm.certify_config(H1, Ws, 0.004)
