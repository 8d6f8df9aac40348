"""Shared helpers: the dufm CLI (the second path every result is checked
against) and the repository root."""
import fractions
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("DUFM_CLI", os.path.join(ROOT, "build", "dufm"))


def run_cli(*args, status=0):
    """Runs `dufm ARGS --json` and returns the parsed JSON (status checked)."""
    r = subprocess.run([CLI, *map(str, args), "--json"], capture_output=True, text=True)
    assert r.returncode == status, f"dufm {' '.join(map(str, args))}: exit {r.returncode}: " \
                                   f"{r.stderr}"
    return json.loads(r.stdout) if r.stdout.strip() else None


def cli_error(*args):
    """stderr of a `dufm ARGS` that must fail with exit status 2 (one line)."""
    r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def like_cli(py, cli, path="$"):
    """Asserts py (a dufm result) equals cli (the CLI's JSON) on every field
    the CLI has: exact strings against Fractions, doubles bit for bit (the CLI
    prints 17 significant digits)."""
    if isinstance(cli, dict):
        assert isinstance(py, dict), path
        for k, v in cli.items():
            assert k in py, f"{path}.{k} missing in the Python result"
            like_cli(py[k], v, f"{path}.{k}")
    elif isinstance(cli, list):
        assert isinstance(py, list) and len(py) == len(cli), path
        for i, (a, b) in enumerate(zip(py, cli)):
            like_cli(a, b, f"{path}[{i}]")
    elif isinstance(py, fractions.Fraction):
        assert isinstance(cli, str) and py == fractions.Fraction(cli), (path, py, cli)
    elif isinstance(cli, (int, float)) and not isinstance(cli, bool) and isinstance(py, float):
        # a double the CLI printed as "1" or "0" parses as an int
        assert py == cli, (path, py, cli)
    else:
        assert py == cli and type(py) is type(cli), (path, py, cli)


@pytest.fixture
def cli():
    assert os.access(CLI, os.X_OK), f"{CLI}: build the CLI first (scripts/test does)"
    return run_cli
