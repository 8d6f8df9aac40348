#!/usr/bin/env python3
"""`dufm dnc --json` against an independent high-precision g_L.

For a grid of (L, K, n, lambda), Q^(L+1) = K^(L+1) n lambda^(L+1) is formed with
Python's Fraction (independently of dufm's parser), g_L is minimized directly
in decimal arithmetic by tests/gl_reference.py, and the CLI's loss must agree
to 1e-12 relative, its regime must match, and its enclosure must contain the
reference. Usage: cli_dnc_check.py PATH/TO/dufm
"""
import json
import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gl_reference  # noqa: E402


def main():
    dufm = sys.argv[1]
    passed = failed = 0
    for L in (1, 2, 3, 5, 8, 13, 21, 34, 50):
        for K in (2, 10, 100):
            for n in (1, 7):
                for lam in ("0.000001", "0.004", "0.05", "1"):
                    q_pow = Fraction(K) ** (L + 1) * n * Fraction(lam) ** (L + 1)
                    ref = gl_reference.g_reference(L, q_pow)
                    g_ref, regime_ref = Decimal(ref[0]), ref[2]
                    out = subprocess.run([dufm, "dnc", "--L", str(L), "--K", str(K), "--n", str(n),
                                          "--lambda", lam, "--json"], capture_output=True, text=True)
                    d = json.loads(out.stdout)
                    ok = (abs(Decimal(d["loss"]) - g_ref) <= Decimal("1e-12") * abs(g_ref)
                          and Decimal(d["loss_lower"]) <= g_ref <= Decimal(d["loss_upper"])
                          and d["regime"] == regime_ref
                          and Fraction(d["Q_pow_exact"]) == q_pow)
                    if ok:
                        passed += 1
                    else:
                        failed += 1
                        print(f"FAIL L={L} K={K} n={n} lambda={lam}: dufm {d['loss']!r} "
                              f"[{d['loss_lower']!r}, {d['loss_upper']!r}] {d['regime']}, "
                              f"reference {g_ref} {regime_ref}")
    print(f"dnc vs reference: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
