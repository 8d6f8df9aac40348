# %% [markdown]
# # The paper's figure 3 (left), redrawn with matplotlib
#
# Loss of the paper's construction srg:r (solid) and of the best candidate
# structure (dashed) over the DNC loss, against r (K = r(r-1)/2 classes), one
# curve per depth L, lambda = 0.0001. The curves are JSON in the shape of
# `dufm plot ratio --json` ("curves": L, curve, r, ratio, names), computed here
# with `dufm.compare`, or read from a file that command wrote:
#
#     dufm plot ratio --L 3,4,5 --r 3..30 --lambda 0.0001 --out ratio.svg --json > ratio.json
#     /usr/bin/python3 examples/figure3_left.py --from-json ratio.json
#
# Run as a script (`--out figure.png`, `--json curves.json`) or cell by cell.

# %%
import argparse
import json

import matplotlib.pyplot as plt  # the backend MPLBACKEND names (the tests: Agg)

import dufm

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--from-json", help="curves from `dufm plot ratio --json` instead of computing")
parser.add_argument("--json", default="figure3_left.json", help="where to write the curves")
parser.add_argument("--out", default="figure3_left.png", help="the figure (PNG, SVG, PDF)")
parser.add_argument("--r-max", type=int, default=30)
args, _ = parser.parse_known_args()  # notebooks pass their own flags

Ls, lam = [3, 4, 5], "0.0001"
rs = list(range(3, args.r_max + 1))


# %%
def curves_from_dufm():
    """The curves of `dufm plot ratio`: srg:r (the candidate of origin 'paper')
    and the best candidate of dufm.compare, each over the DNC loss."""
    curves = []
    for L in Ls:
        srg, best, names = [], [], []
        for r in rs:
            c = dufm.compare(L, r * (r - 1) // 2, lam, sets=False)  # closed forms, as plot ratio
            paper = [x for x in c["candidates"] if x["origin"] == "paper" and x["applicable"]]
            srg.append(paper[0]["ratio_to_dnc"] if paper else None)
            top = next(x for x in c["candidates"] if x["name"] == c["best"])
            best.append(top["ratio_to_dnc"])
            names.append(c["best"])
        curves.append({"L": L, "curve": "srg", "r": rs, "ratio": srg})
        curves.append({"L": L, "curve": "best", "r": rs, "ratio": best, "names": names})
    return {"kind": "ratio", "lambda": lam, "curves": curves}


if args.from_json:
    with open(args.from_json) as f:
        data = json.load(f)
else:
    data = curves_from_dufm()
    with open(args.json, "w") as f:
        json.dump(data, f, indent=1)

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
colors = {}
for cv in data["curves"]:
    pts = [(r, y) for r, y in zip(cv["r"], cv["ratio"]) if y is not None]
    style = "-" if cv["curve"] == "srg" else "--"
    label = f"L = {cv['L']}, " + ("srg:r" if cv["curve"] == "srg" else "best candidate")
    line, = ax.plot(*zip(*pts), style, color=colors.get(cv["L"]), label=label, lw=1.6)
    colors[cv["L"]] = line.get_color()
ax.axhline(1.0, color="grey", lw=0.8, ls=":")
ax.set_xlabel("r  (K = r(r-1)/2 classes)")
ax.set_ylabel("loss / DNC loss")
ax.set_title(f"Loss relative to DNC, lambda = {data['lambda']} (paper, figure 3 left)")
ax.legend(fontsize=8, ncol=2)
fig.tight_layout()
fig.savefig(args.out, dpi=120)
below = {cv["L"]: min(r for r, y in zip(cv["r"], cv["ratio"]) if y is not None and y < 1)
         for cv in data["curves"] if cv["curve"] == "srg" and any(
             y is not None and y < 1 for y in cv["ratio"])}
print("smallest r where srg:r is below DNC, per L:", below)
print(f"wrote {args.out}")
