#!/usr/bin/python3
"""PyTorch peer of `dufm optimize --method gd`: full-batch gradient descent on the L-DUFM loss.

Reads a configuration folder (H1.npy, W1.npy, ..., WL.npy; K = rows of WL,
n = columns of H1 / K), and runs torch.optim.SGD(lr, momentum=0) on

    F = 1/(2N) ||W_L relu(... relu(W_1 H_1)) - Y||_F^2
        + lam_H/2 ||H_1||_F^2 + sum_l lam_l/2 ||W_l||_F^2,   Y = I_K kron 1_n^T,

in float64 on the CPU, the way a researcher would write it (loss.backward();
opt.step(); opt.zero_grad()). Prints one JSON object: the loss at the final
iterate (after `iters` steps, as dufm reports it), the loop's time per
iteration (setup and the final evaluation excluded), and the thread counts.

    /usr/bin/python3 bench/gd_peer.py --init DIR --lr 0.5 --iters 20000 [--threads 1] [--save OUT]

--threads T (default 1) calls torch.set_num_threads(T) and, unless the
environment already sets it, OPENBLAS_NUM_THREADS=T (torch's float64 matmul
goes to the system BLAS, OpenBLAS on Debian, which has its own thread pool);
--threads 0 leaves both at their defaults.
"""
import argparse
import json
import os
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--init", required=True, help="configuration folder")
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--iters", type=int, default=20000)
    ap.add_argument("--lambda", dest="lam", type=float, default=0.004, help="every lambda")
    ap.add_argument("--lambda-h", type=float, default=None, help="lambda_H (default --lambda)")
    ap.add_argument("--lambda-w", default=None,
                    help="lambda_1..lambda_L: one value or L comma-separated (default --lambda)")
    ap.add_argument("--threads", type=int, default=1, help="0: torch's default")
    ap.add_argument("--save", default=None, help="folder for the final H1.npy, W1.npy, ...")
    a = ap.parse_args()
    if a.iters < 0 or not a.lr > 0 or a.threads < 0:
        ap.error("need iters >= 0, lr > 0, threads >= 0")
    return a


def openblas_threads():
    """Thread count of the OpenBLAS that torch's float64 matmul calls (the
    system libblas.so.3 on Debian), or None when it cannot be asked."""
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "libblas.so" in line}
        for path in sorted(paths):
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_get_num_threads"):
                return int(lib.openblas_get_num_threads())
    except OSError:
        pass
    return None


def main():
    a = parse_args()
    if a.threads > 0:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))
    import numpy as np  # after the environment is set: both load OpenBLAS
    import torch

    default_threads = torch.get_num_threads()
    if a.threads > 0:
        torch.set_num_threads(a.threads)

    # ---- setup (not timed)
    h1 = np.load(os.path.join(a.init, "H1.npy")).astype(np.float64)
    ws = []
    while os.path.exists(os.path.join(a.init, f"W{len(ws) + 1}.npy")):
        ws.append(np.load(os.path.join(a.init, f"W{len(ws) + 1}.npy")).astype(np.float64))
    L = len(ws)
    if L == 0:
        sys.exit(f"gd_peer: {a.init}/W1.npy missing")
    K = ws[-1].shape[0]
    N = h1.shape[1]
    n = N // K
    if n * K != N:
        sys.exit(f"gd_peer: H1 has {N} columns, not a multiple of K = {K}")
    lam_h = a.lam if a.lambda_h is None else a.lambda_h
    if a.lambda_w is None:
        lam_w = [a.lam] * L
    else:
        lam_w = [float(x) for x in a.lambda_w.split(",")]
        lam_w = lam_w * L if len(lam_w) == 1 else lam_w
        if len(lam_w) != L:
            sys.exit(f"gd_peer: --lambda-w needs 1 or L = {L} values")

    H = torch.tensor(h1, dtype=torch.float64, requires_grad=True)
    W = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in ws]
    Y = torch.kron(torch.eye(K, dtype=torch.float64), torch.ones(1, n, dtype=torch.float64))
    opt = torch.optim.SGD([H] + W, lr=a.lr, momentum=0)

    def loss_fn():
        x = H
        for l in range(L - 1):
            x = torch.relu(W[l] @ x)
        out = W[L - 1] @ x
        fit = ((out - Y) ** 2).sum() / (2 * N)
        reg = lam_h / 2 * (H ** 2).sum()
        for l in range(L):
            reg = reg + lam_w[l] / 2 * (W[l] ** 2).sum()
        return fit + reg, fit, reg

    with torch.no_grad():
        loss0 = loss_fn()[0].item()

    # ---- the timed loop
    t0 = time.perf_counter()
    for _ in range(a.iters):
        loss, _, _ = loss_fn()
        loss.backward()
        opt.step()
        opt.zero_grad()
    seconds = time.perf_counter() - t0

    with torch.no_grad():
        loss, fit, reg = (t.item() for t in loss_fn())
    if a.save:
        os.makedirs(a.save, exist_ok=True)
        np.save(os.path.join(a.save, "H1.npy"), H.detach().numpy())
        for l in range(L):
            np.save(os.path.join(a.save, f"W{l + 1}.npy"), W[l].detach().numpy())
    print(json.dumps({
        "L": L, "K": K, "n": n, "widths": [h1.shape[0]] + [w.shape[0] for w in ws],
        "lr": a.lr, "iters": a.iters,
        "initial_loss": loss0, "loss": loss, "fit": fit, "reg": reg,
        "seconds": seconds, "us_per_iter": 1e6 * seconds / a.iters if a.iters else None,
        "torch_threads": torch.get_num_threads(), "torch_default_threads": default_threads,
        "openblas_num_threads_env": os.environ.get("OPENBLAS_NUM_THREADS"),
        "openblas_threads": openblas_threads(),
        "torch_version": torch.__version__,
    }))


if __name__ == "__main__":
    main()
