#!/usr/bin/python3
"""Independent reference values of g_L(Q) for tests/test_gl.c.

    g_L(Q) = min_{t >= 0} f(t),  f(t) = (1 - t)^2 / 2 + ((L + 1) / 2) Q t^(2/(L+1)).

Route (deliberately not the one of src/closed): take Q = q_pow^(1/(L+1)) in
high-precision decimal, scan the sign of f'(t) on a grid of (0, 1], bisect every
sign change from - to + (a local minimum of f), and return the smallest of f at
those points and f(0) = 1/2. Nothing here uses the s-parametrization, the
closed-form stationary value or the threshold formula to compute g: the
threshold only places grid points near the regime boundary, and the regime is
read off the computed minimum (tie when it equals 1/2 to 70 digits).

Standard library only. Writes data/gl_reference.tsv with the columns
L, q_pow (exact, "P" or "P/Q"), g and t (40 significant digits), regime.
Usage: /usr/bin/python3 tests/gl_reference.py [output path]
"""
import math
import os
import sys
from decimal import Decimal, localcontext
from fractions import Fraction

DIGITS = 40  # significant digits written
GRID = 256  # f' sign scan points on (0, 1]
TIE_DIGITS = 70  # |min f - 1/2| below 10^-70 counts as a tie (L = 1 nears 1/2 quadratically)


def log10_fraction(q):
    """Rough log10 of a positive Fraction (enough to pick a precision)."""
    return (
        math.log10(q.numerator / 10 ** (len(str(q.numerator)) - 1))
        + len(str(q.numerator))
        - 1
        - math.log10(q.denominator / 10 ** (len(str(q.denominator)) - 1))
        - len(str(q.denominator))
        + 1
    )


def g_reference(L, q_pow, extra_prec=0):
    """(g, t, regime) with g and t as Decimals."""
    if q_pow == 0:
        return Decimal(0), Decimal(1), "nonzero"
    log10_q = log10_fraction(q_pow) / (L + 1)
    # t = 1 - O(Q) near 1 must be resolved to about Q * 10^-40.
    prec = 85 + max(0, math.ceil(-log10_q)) + extra_prec
    with localcontext() as ctx:
        ctx.prec = prec
        ctx.Emin, ctx.Emax = -(10**8), 10**8
        Q = ((Decimal(q_pow.numerator) / Decimal(q_pow.denominator)).ln() / (L + 1)).exp()
        half = Decimal(1) / 2
        p = Decimal(2) / (L + 1)

        def f(t):
            pen = (L + 1) * Q * t**p / 2 if t > 0 else Decimal(0)
            return (1 - t) ** 2 / 2 + pen

        def fprime(t):
            # d/dt ((L+1)/2) Q t^p = Q t^(p-1); for L >= 2 it blows up at t = 0.
            return -(1 - t) + (Q if L == 1 else Q * t ** (p - 1))

        grid = [Decimal(i) / GRID for i in range(1, GRID + 1)]
        # L = 1 has f'(0) finite: the minimum may sit at t = 0 itself.
        if L == 1:
            grid = [Decimal(0)] + grid
        signs = [fprime(t) for t in grid]
        candidates = [(half, Decimal(0))]
        for i in range(len(grid) - 1):
            if signs[i] < 0 <= signs[i + 1] or (signs[i] == 0 and i == 0):
                lo, hi = grid[i], grid[i + 1]
                for _ in range(int((prec - 5) * 3.33) + 1):
                    mid = (lo + hi) / 2
                    if fprime(mid) < 0:
                        lo = mid
                    else:
                        hi = mid
                t = (lo + hi) / 2
                candidates.append((f(t), t))
        interior = candidates[1:]
        best = min(candidates, key=lambda c: c[0])
        tol = Decimal(10) ** -TIE_DIGITS
        if interior:
            g_in, t_in = min(interior, key=lambda c: c[0])
            if abs(g_in - half) <= tol:
                return half, t_in, "tie"
            if g_in < half:
                return g_in, t_in, "nonzero"
        return best[0], Decimal(0), "zero"


def threshold(L):
    """Q_0^(L+1): used only to place grid points near the regime boundary."""
    return Fraction((L - 1) ** (L - 1), L ** (2 * L))


def grid_points():
    ratios = [
        Fraction(0),
        Fraction(1, 10**40),
        Fraction(1, 10**10),
        Fraction(1, 1000),
        Fraction(1, 10),
        Fraction(1, 2),
        Fraction(9, 10),
        1 - Fraction(1, 10**6),
        Fraction(1),
        1 + Fraction(1, 10**6),
        Fraction(2),
        Fraction(1000),
    ]
    seen = set()
    for L in list(range(1, 51)) + [60, 64, 75, 100]:
        for r in ratios:
            yield L, threshold(L) * r
    for L in [1, 2, 3, 4, 10, 100]:
        for r in [1 - Fraction(1, 10**30), 1 + Fraction(1, 10**30)]:
            yield L, threshold(L) * r
    # Q^(L+1) of DNC: K^(L+1) n lambda^(L+1) with every lambda equal.
    for L in [1, 2, 3, 4, 5, 6, 8, 10, 16, 20, 32, 50, 100]:
        for K in [2, 3, 5, 10, 50, 1000]:
            for n in [1, 5]:
                for lam in ["1e-12", "1e-6", "0.004", "0.05", "0.1", "1"]:
                    q = Fraction(K) ** (L + 1) * n * Fraction(lam) ** (L + 1)
                    if (L, q) not in seen:
                        seen.add((L, q))
                        yield L, q


def fmt(d):
    if d == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = DIGITS
        return format(+d, ".%de" % (DIGITS - 1))


def qstr(q):
    return str(q.numerator) if q.denominator == 1 else "%d/%d" % (q.numerator, q.denominator)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data", "gl_reference.tsv")
    rows = []
    for i, (L, q) in enumerate(grid_points()):
        g, t, regime = g_reference(L, q)
        if i % 7 == 0:  # self-check: more digits must not move the answer
            g2, t2, regime2 = g_reference(L, q, extra_prec=25)
            assert regime2 == regime and abs(g2 - g) <= abs(g) * Decimal(10) ** -(DIGITS + 3), (L, q)
        rows.append("%d\t%s\t%s\t%s\t%s" % (L, qstr(q), fmt(g), fmt(t), regime))
    with open(out, "w") as fh:
        fh.write("# g_L(Q) reference from tests/gl_reference.py (direct minimization of f(t))\n")
        fh.write("# L\tq_pow\tg\tt\tregime\n")
        fh.write("\n".join(rows) + "\n")
    print("wrote %d rows to %s" % (len(rows), out))


if __name__ == "__main__":
    main()
