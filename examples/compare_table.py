# %% [markdown]
# # Where is deep neural collapse beaten? A comparison table as rows
#
# `dufm.compare` for a grid of depths L and class counts K, one row (a dict)
# per setting: the rows load straight into pandas (`pandas.DataFrame(rows)`)
# when it is installed, and are printed and written as CSV otherwise. Run as a
# script (`/usr/bin/python3 examples/compare_table.py [--out FILE.csv]`) or
# cell by cell in a notebook.

# %%
import argparse
import csv

import dufm

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", default="compare_table.csv", help="CSV file to write")
args, _ = parser.parse_known_args()  # notebooks pass their own flags

Ls = [2, 3, 4, 5]
Ks = [4, 6, 10, 15, 21, 45]
lam = "0.004"  # a string is exact; the float 0.004 means the same rational 1/250

# %%
rows = []
for L in Ls:
    for K in Ks:
        r = dufm.compare(L, K, lam, sets=False)  # as `dufm table`: closed forms only
        rows.append({
            "L": L,
            "K": K,
            "lambda": r["lambda_h"],  # a fractions.Fraction: 1/250
            "dnc_loss": r["dnc"]["loss"],
            "best": r["best"],
            "best_loss": r["best_loss"],
            "best_ratio": r["best_loss"] / r["dnc"]["loss"],
            "lower_bound": r["lower_bound"],
            "verdict": r["verdict"],
        })

# %% [markdown]
# pandas-style rows: a list of dicts with the same keys.

# %%
try:
    import pandas as pd
except ImportError:
    pd = None
if pd is not None:
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
else:
    print(" ".join(f"{k:>12}" for k in rows[0]))
    for row in rows:
        print(" ".join(f"{v:>12.6g}" if isinstance(v, float) else f"{str(v):>12}"
                       for v in row.values()))
beaten = [(row["L"], row["K"]) for row in rows if row["verdict"] == "dnc_not_optimal"]
print(f"DNC is beaten in {len(beaten)} of {len(rows)} settings:", beaten)

# %%
with open(args.out, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()}
                for row in rows)
print(f"wrote {args.out}")
