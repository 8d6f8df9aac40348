# %% [markdown]
# # A PyTorch L-DUFM, trained and checked with dufm
#
# The paper's setting: L = 4 bias-free layers, K = 10 classes, width 30,
# weight decay lambda = 0.004 on the free features and every layer, plain
# gradient descent with lr 0.5 (as `dufm optimize --method gd`). Here n = 2
# samples per class, in shuffled order, to show how the features become dufm's
# H1. Run as a script (`/usr/bin/python3 examples/torch_dufm.py [--out DIR]`)
# or cell by cell in a notebook (VS Code, Jupyter with jupytext).

# %%
import argparse
import json
import os

import numpy as np
import torch

import dufm
import dufm.testing

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", default="torch_dufm_out", help="folder for the exported model")
parser.add_argument("--steps", type=int, default=10000)
args, _ = parser.parse_known_args()  # notebooks pass their own flags

L, K, n, width, lam, lr = 4, 10, 2, 30, 0.004, 0.5
torch.manual_seed(0)
torch.set_num_threads(1)  # a small model: threads only add overhead

# %% [markdown]
# The model: free features (one row per sample), labels, L linear layers.
# The loss is dufm's (theory section 1): 1/(2N) ||W_L ... H_1 - Y||^2 plus
# lambda/2 times the squared norms, so SGD without weight_decay on this loss
# is the same as SGD with weight_decay = lambda on the fit alone.

# %%
N = K * n
labels = torch.randperm(N) % K
features = torch.nn.Parameter(0.1 * torch.randn(N, width, dtype=torch.float64))
layers = torch.nn.ModuleList(
    torch.nn.Linear(width, K if l == L - 1 else width, bias=False).double() for l in range(L))
with torch.no_grad():
    for lin in layers:
        lin.weight.normal_(0, 0.1)
targets = torch.nn.functional.one_hot(labels, K).double()


def dufm_loss():
    h = features
    for l, lin in enumerate(layers):
        h = lin(h)
        if l < L - 1:
            h = torch.relu(h)
    fit = ((h - targets) ** 2).sum() / (2 * N)
    reg = lam / 2 * ((features ** 2).sum() + sum((lin.weight ** 2).sum() for lin in layers))
    return fit + reg


opt = torch.optim.SGD([features, *layers.parameters()], lr=lr)
for step in range(args.steps):
    opt.zero_grad()
    loss = dufm_loss()
    loss.backward()
    opt.step()
torch_loss = dufm_loss().item()
print(f"PyTorch loss after {args.steps} steps: {torch_loss:.12g}")

# %% [markdown]
# dufm takes H1 as d_1 x N with the samples grouped by class, and the weights
# W_l = `nn.Linear.weight`, all as detached tensors (or NumPy arrays).

# %%
H1 = dufm.columns_by_class(features.detach(), labels)
Ws = [lin.weight.detach() for lin in layers]
report = dufm.check(H1, Ws, lam=lam, expect_below="dnc")
print(f"dufm loss {report['loss']:.12g}, DNC {report['dnc_loss']:.12g}, best known "
      f"{report['best_structure']['name']} {report['best_structure']['loss']:.12g}")
print("class-mean ranks per layer:", [layer["rank_mean"] for layer in report["layers"]],
      "->", report["classification"])
for x in report["expectations"]:
    print(f"expect {x['kind']} {x['target']}: {'held' if x['held'] else 'FAILED'}: {x['detail']}")

# %% [markdown]
# The same assertions in an optimizer's pytest suite (they raise
# AssertionError with the numbers when they fail):

# %%
dufm.testing.assert_below_dnc(H1, Ws, lam=lam)
dufm.testing.assert_classification(H1, Ws, "low_rank", lam=lam)
dufm.testing.assert_close_to_best_known(H1, Ws, lam=lam, rtol=0.10)

# %% [markdown]
# For the command line (`dufm eval DIR`, `dufm check DIR`, `dufm plot gram DIR`):
# the folder as docs/check.md writes it, with NumPy alone.

# %%
os.makedirs(args.out, exist_ok=True)
np.save(os.path.join(args.out, "H1.npy"), np.asarray(H1))
for l, w in enumerate(Ws, start=1):
    np.save(os.path.join(args.out, f"W{l}.npy"), w.numpy())
summary = {"torch_loss": torch_loss, "dufm_loss": report["loss"], "lambda": str(lam),
           "classification": report["classification"], "dnc_loss": report["dnc_loss"]}
with open(os.path.join(args.out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
print(f"wrote {args.out}/H1.npy, W1.npy .. W{L}.npy and summary.json")
