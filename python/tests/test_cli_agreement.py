"""Every result of the Python API equals the CLI's --json on the fields they
share: same parameters, same library, a different front end."""
import fractions
import os

import numpy as np
import pytest

import dufm
from conftest import like_cli, run_cli

SETTINGS = [
    # (L, K, n, python lambda arguments, CLI flags)
    (4, 10, 1, {"lam": 0.004}, ["--lambda", "0.004"]),
    (3, 45, 1, {"lam": "0.0001"}, ["--lambda", "0.0001"]),
    (2, 78, 1, {"lam": fractions.Fraction(1, 10000)}, ["--lambda", "1/10000"]),
    (5, 6, 3, {"lam": 0.004, "lam_h": "1e-3"}, ["--lambda", "0.004", "--lambda-h", "1e-3"]),
    (3, 21, 2, {"lam_h": 0.001, "lam_w": [0.002, 0.003, 0.004]},
     ["--lambda-h", "0.001", "--lambda-w", "0.002,0.003,0.004"]),
    (5, 45, 1, {"lam": 0.004}, ["--lambda", "0.004"]),  # DNC at the zero solution
    (1, 10, 1, {"lam": 0.004}, ["--lambda", "0.004"]),  # edge constructions not applicable
]


@pytest.mark.parametrize("L,K,n,lams,flags", SETTINGS)
def test_compare_equals_cli(cli, L, K, n, lams, flags):
    py = dufm.compare(L, K, n=n, **lams)
    like_cli(py, cli("compare", "--L", L, "--K", K, "--n", n, *flags))
    assert py["candidates"][0]["loss"] <= py["dnc"]["loss"]


def test_headline_verdict_and_best_loss(cli):
    py = dufm.compare(L=4, K=10, lam=0.004)
    c = cli("compare", "--L", 4, "--K", 10, "--lambda", "0.004")
    assert (py["verdict"], py["best"], py["best_loss"]) == (c["verdict"], c["best"], c["best_loss"])
    assert py["verdict"] == "dnc_not_optimal"
    assert py["lambda_h"] == fractions.Fraction(1, 250)


def test_compare_options_equal_cli(cli):
    py = dufm.compare(4, 15, 0.004, max_r=5, blocks=False, cliques=False)
    like_cli(py, cli("compare", "--K", 15, "--max-r", 5, "--no-blocks", "--no-cliques"))


ATLAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "atlas")


# The committed atlas: L4_K5 is certified below DNC, L3_K4 is not (both exist).
@pytest.mark.parametrize("L,K", [(4, 5), (3, 4), (4, 10)])
def test_compare_with_default_atlas_equals_cli(cli, monkeypatch, L, K):
    monkeypatch.delenv("DUFM_ATLAS", raising=False)
    py = dufm.compare(L, K, 0.004)
    c = cli("compare", "--L", L, "--K", K, "--lambda", "0.004")
    like_cli(py, c)
    assert py["search"] is not None and py["search"]["origin"] == "search"
    assert (py["verdict"], py["evidence"]) == {
        (4, 5): ("dnc_not_optimal", "certificate"), (3, 4): ("dnc_best_known", "none"),
        (4, 10): ("dnc_not_optimal", "closed_form")}[(L, K)]


def test_compare_atlas_argument_equals_cli(cli, tmp_path):
    like_cli(dufm.compare(4, 5, "1/250", atlas=ATLAS), cli("compare", "--L", 4, "--K", 5,
                                                           "--lambda", "1/250", "--atlas", ATLAS))
    py = dufm.compare(4, 5, 0.004, atlas=False, sets=False)
    like_cli(py, cli("compare", "--L", 4, "--K", 5, "--no-atlas", "--no-sets"))
    assert py["search"] is None and py["verdict"] == "dnc_best_known"
    # An empty atlas: no entry.
    py = dufm.compare(4, 5, 0.004, atlas=tmp_path)
    like_cli(py, cli("compare", "--L", 4, "--K", 5, "--atlas", tmp_path))
    assert py["searched"].endswith("; no atlas entry, no search")
    with pytest.raises(dufm.InvalidArgument, match="atlas"):
        dufm.compare(4, 5, 0.004, atlas=tmp_path / "missing")


@pytest.mark.parametrize("L,K,n,lams,flags", SETTINGS)
def test_dnc_equals_cli(cli, L, K, n, lams, flags):
    py = dufm.dnc(L, K, n=n, **lams)
    like_cli(py, cli("dnc", "--L", L, "--K", K, "--n", n, *flags))
    assert py["loss_lower"] <= py["loss"] <= py["loss_upper"]


@pytest.mark.parametrize("spec,L,lam", [
    ("srg:5", 4, 0.004), ("clique:6:2,3", 3, 0.004), ("graph:0-1,1-2,2-0,2-3", 3, 0.001),
    ("srg:5+dnc:3", 4, 0.004), ("clique:5:2@1,3@1/2", 4, "0.004"), ("dnc", 3, 0.01),
])
def test_structure_equals_cli(cli, spec, L, lam):
    K = 7 if spec == "dnc" else None
    py = dufm.structure(spec, L, lam, K=K)
    flags = ["--K", 7] if K else []
    like_cli(py, cli("structure", "--structure", spec, "--L", L, "--lambda", lam, *flags))


def test_lambda_forms_are_exact():
    a = dufm.dnc(4, 10, 0.004)
    for lam in ("0.004", "4e-3", "1/250", fractions.Fraction(1, 250), np.float64(0.004)):
        assert dufm.dnc(4, 10, lam) == a
    assert dufm.dnc(4, 10, 1)["lambda_h"] == 1
    per_layer = dufm.dnc(3, 10, lam_h="1/1000", lam_w=["1/500", 0.003, fractions.Fraction(1, 250)])
    assert per_layer["lambda_w"] == [fractions.Fraction(1, 500), fractions.Fraction(3, 1000),
                                     fractions.Fraction(1, 250)]
    # Q^(L+1) = K^(L+1) n lam_H lam_1 ... lam_L, exactly
    assert per_layer["Q_pow_exact"] == fractions.Fraction(10**4, 1000 * 500 * 1000 * 250) * 3


def test_export_equals_cli_files(tmp_path):
    for unscaled in (False, True):
        folder = tmp_path / f"x{int(unscaled)}"
        flags = ["--unscaled"] if unscaled else []
        run_cli("export", "--structure", "srg:5+dnc:2", "--L", 3, "--n", 2, "--lambda", "0.001",
                "--out", folder, *flags)
        H1, Ws = dufm.export("srg:5+dnc:2", 3, 0.001, n=2, rescaled=not unscaled)
        assert np.array_equal(np.load(folder / "H1.npy"), H1)
        assert len(Ws) == 3
        for l, w in enumerate(Ws, start=1):
            assert np.array_equal(np.load(folder / f"W{l}.npy"), w)
    H1, Ws = dufm.export("srg:5", 4, 0.004, form="means")
    assert H1.shape == (5, 10) and [w.shape for w in Ws] == [(5, 5), (5, 5), (10, 5), (10, 10)]


def test_certify_equals_cli(cli, tmp_path):
    out_cli, out_py = tmp_path / "cli.cert", tmp_path / "py.cert"
    c = cli("certify", "--structure", "clique:5:2,3", "--L", 3, "--lambda", "0.004",
            "--out", out_cli)
    py = dufm.certify("clique:5:2,3", 3, 0.004, out=out_py)
    like_cli(py, {k: v for k, v in c.items() if k != "out"})
    assert py["valid"] and py["out"] == str(out_py)
    assert py["loss_exact"] < py["dnc_bound_exact"]
    assert out_py.read_bytes() == out_cli.read_bytes()
    checked = cli("check-cert", out_py)
    assert checked.pop("file") == str(out_py)
    like_cli(py, checked)


def test_certify_false_claim_writes_nothing(tmp_path):
    out = tmp_path / "no.cert"
    py = dufm.certify("srg:5", 3, 0.004, out=out)  # srg:5 is above DNC at L = 3
    assert not py["valid"] and py["check"] == "claim" and py["out"] is None
    assert py["loss_exact"] >= py["dnc_bound_exact"]
    assert not out.exists()
