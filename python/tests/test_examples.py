"""The examples in examples/ run as scripts (matplotlib's Agg backend), and
what they compute agrees with the CLI."""
import csv
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, like_cli, run_cli

EXAMPLES = os.path.join(ROOT, "examples")


def run_example(name, cwd, *args):
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.path.join(ROOT, "python") + os.pathsep +
               os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *map(str, args)], cwd=cwd,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{name}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r.stdout


def test_torch_example_matches_cli_eval(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "model"
    text = run_example("torch_dufm.py", tmp_path, "--out", out)
    assert "expect below dnc: held" in text
    s = json.loads((out / "summary.json").read_text())
    # the folder was written by NumPy alone; the CLI reads and evaluates it
    ev = run_cli("eval", out, "--lambda", "0.004")
    assert ev["loss"] == s["dufm_loss"]
    assert (ev["L"], ev["K"], ev["n"]) == (4, 10, 2)
    ck = run_cli("check", out, "--lambda", "0.004", "--expect-below", "dnc", "--expect-class",
                 "low_rank")
    assert ck["loss"] == s["dufm_loss"] and ck["classification"] == s["classification"]
    assert ck["dnc_loss"] == s["dnc_loss"]
    # PyTorch's own float64 loss of the same model
    assert abs(s["torch_loss"] - s["dufm_loss"]) <= 1e-12 * s["dufm_loss"]


def test_compare_table_example_matches_cli_table(tmp_path):
    run_example("compare_table.py", tmp_path, "--out", tmp_path / "t.csv")
    with open(tmp_path / "t.csv") as f:
        rows = list(csv.DictReader(f))
    table = run_cli("table", "--L", "2..5", "--K", "4,6,10,15,21,45", "--lambda", "0.004")
    assert len(rows) == len(table["rows"]) == 24
    for mine, ref in zip(rows, table["rows"]):
        assert (int(mine["L"]), int(mine["K"])) == (ref["L"], ref["K"])
        assert (mine["best"], mine["verdict"]) == (ref["best"], ref["verdict"])
        assert mine["lambda"] == "1/250"
        for k in ("dnc_loss", "best_loss", "best_ratio", "lower_bound"):  # table: 12 digits
            assert abs(float(mine[k]) - ref[k]) <= 1e-11 * abs(ref[k]), k


def test_figure3_example_matches_cli_plot_ratio(tmp_path):
    run_example("figure3_left.py", tmp_path, "--out", tmp_path / "f.png", "--json",
                tmp_path / "f.json")
    png = (tmp_path / "f.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20000
    mine = json.loads((tmp_path / "f.json").read_text())
    ref = run_cli("plot", "ratio", "--L", "3,4,5", "--r", "3..30", "--lambda", "0.0001", "--out",
                  tmp_path / "ref.svg")
    assert mine["lambda"] == ref["lambda"]
    like_cli(mine["curves"], ref["curves"])
    # the paper's criterion 2^(L-3) r < (r-1)^(L-2) for srg:r below DNC (theory section 4)
    for cv in mine["curves"]:
        if cv["curve"] == "srg":
            for r, y in zip(cv["r"], cv["ratio"]):
                assert (y < 1) == (2 ** (cv["L"] - 3) * r < (r - 1) ** (cv["L"] - 2)), (cv["L"], r)
    # redrawn from the CLI's JSON file
    with open(tmp_path / "ref.json", "w") as f:
        json.dump(ref, f)
    run_example("figure3_left.py", tmp_path, "--from-json", tmp_path / "ref.json", "--out",
                tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
