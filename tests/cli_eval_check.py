#!/usr/bin/env python3
"""`dufm eval DIR --json` against data/configs/reference.tsv (losses of stored
configurations computed exactly and checked against NumPy by
tests/make_npy_fixtures.py), for every dtype and memory order.
Usage: cli_eval_check.py PATH/TO/dufm SOURCE_ROOT
"""
import csv
import json
import os
import subprocess
import sys


def main():
    dufm, root = sys.argv[1], sys.argv[2]
    passed = failed = 0
    with open(os.path.join(root, "data", "configs", "reference.tsv")) as f:
        rows = list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))
    for r in rows:
        folder = os.path.join(root, "data", "configs", r["config"])
        out = subprocess.run([dufm, "eval", folder, "--lambda-h", r["lambda_H"], "--lambda-w",
                              r["lambda_W"], "--json"], capture_output=True, text=True)
        if out.returncode != 0:
            failed += 1
            print(f"FAIL {r['config']}: exit {out.returncode}: {out.stderr.strip()}")
            continue
        d = json.loads(out.stdout)
        bad = [k for k in ("loss", "fit", "reg")
               if abs(d[k] - float(r[k])) > 1e-12 * abs(float(r[k])) + 1e-300]
        bad += [k for k in ("L", "K", "n") if d[k] != int(r[k])]
        if d["rescaled_loss"] > d["loss"]:
            bad.append("rescaled_loss > loss")
        if bad:
            failed += 1
            print(f"FAIL {r['config']} ({r['lambda_H']}, {r['lambda_W']}): {bad}: {d}")
        else:
            passed += 1
    print(f"eval vs NumPy reference: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
