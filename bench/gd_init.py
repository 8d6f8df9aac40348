#!/usr/bin/python3
"""Writes a random initial L-DUFM configuration folder for the optimizer benchmark.

H1 (d_1 x K n) and W_l (d_{l+1} x d_l), d_1 = ... = d_L = width, d_{L+1} = K,
every entry N(0, std^2), float64, C order, as H1.npy, W1.npy, ..., WL.npy
(the layout `dufm optimize --init DIR` and bench/gd_peer.py read).

    /usr/bin/python3 bench/gd_init.py --L 4 --K 10 --n 1 --width 30 --seed 1 --out DIR
"""
import argparse
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, required=True)
    ap.add_argument("--K", type=int, required=True)
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--width", type=int, required=True)
    ap.add_argument("--std", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True, help="folder to create (must not exist or be empty)")
    a = ap.parse_args()
    if a.L < 1 or a.K < 2 or a.n < 1 or a.width < 1:
        ap.error("need L >= 1, K >= 2, n >= 1, width >= 1")
    os.makedirs(a.out, exist_ok=True)
    if os.listdir(a.out):
        ap.error(f"--out {a.out}: folder is not empty")
    rng = np.random.default_rng(a.seed)
    d = [a.width] * a.L + [a.K]
    np.save(os.path.join(a.out, "H1.npy"), a.std * rng.standard_normal((d[0], a.K * a.n)))
    for l in range(a.L):
        np.save(os.path.join(a.out, f"W{l + 1}.npy"), a.std * rng.standard_normal((d[l + 1], d[l])))


if __name__ == "__main__":
    main()
