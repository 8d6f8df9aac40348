"""dufm.evaluate against independent paths: closed forms, exact references of
stored configurations, PyTorch's autograd, and the CLI on a folder."""
import csv
import os

import numpy as np
import pytest

import dufm
from conftest import ROOT, run_cli

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("spec,L,n,lams", [
    ("srg:5", 4, 1, {"lam": 0.004}),
    ("srg:5", 3, 3, {"lam": 0.004}),
    ("clique:6:2,3", 3, 1, {"lam": "0.001"}),
    ("srg:5+dnc:3", 4, 2, {"lam_h": 0.001, "lam_w": [0.002, 0.003, 0.004, 0.005]}),
    ("graph:0-1,1-2,2-0,2-3", 2, 1, {"lam": 0.0001}),
    ("dnc", 4, 1, {"lam": 0.004}),
])
def test_evaluate_of_export_equals_closed_form(spec, L, n, lams):
    K = 10 if spec == "dnc" else None
    closed = dufm.structure(spec, L, n=n, K=K, **lams)
    H1, Ws = dufm.export(spec, L, n=n, K=K, **lams)
    e = dufm.evaluate(H1, Ws, **lams)
    assert (e["L"], e["K"], e["n"]) == (L, closed["K"], n)
    assert abs(e["loss"] - closed["loss"]) <= 1e-12 * closed["loss"]
    assert abs(e["rescaled_loss"] - closed["loss"]) <= 1e-12 * closed["loss"]
    # the class-mean form of the same structure has the same loss
    Hm, Wm = dufm.export(spec, L, n=n, K=K, form="means", **lams)
    m = dufm.evaluate(Hm, Wm, n=n, form="means", **lams)
    assert abs(m["loss"] - closed["loss"]) <= 1e-12 * closed["loss"]


def reference_rows():
    with open(os.path.join(ROOT, "data", "configs", "reference.tsv")) as f:
        return list(csv.DictReader((line for line in f if not line.startswith("#")),
                                   delimiter="\t"))


@pytest.mark.parametrize("row", reference_rows(), ids=lambda r: f"{r['config']}-{r['lambda_H']}-"
                                                              f"{r['lambda_W']}")
def test_evaluate_equals_exact_references(row):
    """Stored float32/float64, C/Fortran-order arrays, read by NumPy (not by
    libdufm), against losses computed exactly by tests/make_npy_fixtures.py."""
    folder = os.path.join(ROOT, "data", "configs", row["config"])
    H1 = np.load(os.path.join(folder, "H1.npy"))
    Ws = [np.load(os.path.join(folder, f"W{l}.npy")) for l in range(1, int(row["L"]) + 1)]
    e = dufm.evaluate(H1, Ws, lam_h=row["lambda_H"], lam_w=row["lambda_W"].split(","))
    for k in ("loss", "fit", "reg"):
        assert abs(e[k] - float(row[k])) <= 1e-12 * abs(float(row[k])) + 1e-300, k
    assert (e["L"], e["K"], e["n"]) == (int(row["L"]), int(row["K"]), int(row["n"]))
    loaded = dufm.load_config(folder)
    assert np.array_equal(loaded.H1, H1.astype(np.float64))


def random_config(rng, d=(6, 5, 4), K=3, n=2):
    H1 = rng.standard_normal((d[0], K * n))
    dims = list(d) + [K]
    Ws = [rng.standard_normal((dims[i + 1], dims[i])) / 2 for i in range(len(d))]
    return H1, Ws


def test_array_kinds_give_the_same_result():
    rng = np.random.default_rng(1)
    H1, Ws = random_config(rng)
    H32, W32 = H1.astype(np.float32), [w.astype(np.float32) for w in Ws]
    base = dufm.evaluate(H32.astype(np.float64), [w.astype(np.float64) for w in W32], lam=0.01)
    kinds = {
        "float32": (H32, W32),
        "fortran": (np.asfortranarray(H32), [np.asfortranarray(w) for w in W32]),
        "strided": (np.repeat(H32, 2, axis=1)[:, ::2], [w.T.copy().T for w in W32]),
        "torch": (torch.from_numpy(H32), [torch.from_numpy(w) for w in W32]),
        "torch64": (torch.from_numpy(H32).double(), tuple(torch.from_numpy(w) for w in W32)),
        "lists": (H32.tolist(), [w.tolist() for w in W32]),
    }
    for name, (h, ws) in kinds.items():
        assert dufm.evaluate(h, ws, lam=0.01) == base, name
    assert dufm.evaluate(H1, Ws, lam=0.01)["loss"] != base["loss"]  # float32 rounding is visible


def test_gradient_equals_torch_autograd():
    rng = np.random.default_rng(2)
    H1, Ws = random_config(rng, d=(7, 6, 5, 4), K=4, n=3)
    lam_h, lam_w = 0.003, [0.001, 0.002, 0.004, 0.005]
    e = dufm.evaluate(H1, Ws, lam_h=lam_h, lam_w=lam_w, grad=True)
    h = torch.tensor(H1, requires_grad=True)
    ws = [torch.tensor(w, requires_grad=True) for w in Ws]
    K, n = 4, 3
    x = h
    for l, w in enumerate(ws):
        x = w @ x
        if l < len(ws) - 1:
            x = torch.relu(x)
    Y = torch.eye(K, dtype=torch.float64).repeat_interleave(n, dim=1)
    loss = ((x - Y) ** 2).sum() / (2 * K * n) + lam_h / 2 * (h ** 2).sum() + sum(
        lw / 2 * (w ** 2).sum() for lw, w in zip(lam_w, ws))
    loss.backward()
    assert abs(e["loss"] - loss.item()) <= 1e-13 * loss.item()
    gH, gWs = e["grad"]
    assert np.allclose(gH, h.grad.numpy(), rtol=1e-12, atol=1e-15)
    for g, w in zip(gWs, ws):
        assert np.allclose(g, w.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_evaluate_equals_cli_eval_of_folders(tmp_path):
    rng = np.random.default_rng(3)
    H1, Ws = random_config(rng, K=4, n=3)
    py = dufm.evaluate(H1, Ws, lam=0.002)
    dufm.save_config(tmp_path / "lib", H1, Ws)
    os.makedirs(tmp_path / "np")
    np.save(tmp_path / "np" / "H1.npy", H1)
    for l, w in enumerate(Ws, start=1):
        np.save(tmp_path / "np" / f"W{l}.npy", w)
    for folder in ("lib", "np"):
        c = run_cli("eval", tmp_path / folder, "--lambda", "0.002")
        for k in ("L", "K", "n", "widths", "loss", "fit", "reg", "rescaled_loss", "rescale_t"):
            assert py[k] == c[k], (folder, k)


def test_columns_by_class_groups_samples():
    rng = np.random.default_rng(4)
    K, n, d = 3, 4, 5
    labels = rng.permutation(np.repeat(np.arange(K), n))
    feats = rng.standard_normal((K * n, d))
    H1 = dufm.columns_by_class(torch.from_numpy(feats), torch.from_numpy(labels))
    assert H1.shape == (d, K * n)
    for c in range(K):
        want = feats[labels == c]  # stable: the original order inside each class
        assert np.array_equal(H1[:, c * n:(c + 1) * n], want.T)
    with pytest.raises(ValueError, match="labels: classes have different sample counts"):
        dufm.columns_by_class(feats[:-1], labels[:-1])
