"""Writes a small certificate (about 1.4 MB) whose exact loss recomputation
would need tens of GB of rationals: H_1 has two entries with 500000-digit
denominators, and W_1 copies them into 100000 rows. The checker must refuse it
from its work bound, before computing (certificate.h, DUFM_CERT_MAX_WORK_BITS).
Usage: make_wide_cert.py OUT [ROWS] (ROWS = 2000: within the bound, about 800 MB)"""
import sys

K, digits = 2, 500000
wide = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
den1 = "1" + "0" * (digits - 1) + "1"  # 10^(digits-1) + 1 and + 3: odd, coprime to 1
den2 = "1" + "0" * (digits - 1) + "3"
lines = ["dufm-certificate 1", "structure user", "L 3", f"K {K}", "n 1", "lambda-H 1/250",
         "lambda 1 1/250", "lambda 2 1/250", "lambda 3 1/250", f"widths 1 {wide} {K}",
         f"matrix M1 1 {K}", f"row 1/{den1} 1/{den2}",
         f"matrix W1 {wide} 1"] + ["row 1"] * wide + [f"matrix W2 {K} {wide}"]
lines += ["row " + " ".join(["1"] * wide)] * K
lines += [f"matrix W3 {K} {K}", "row 1 0", "row 0 1",
          "loss 1/7", "dnc-qpow 1/3", "dnc-regime nonzero", "dnc-s-lo 1/9", "dnc-bound 1/5",
          "claim loss < dnc-bound", "end"]
with open(sys.argv[1], "w") as f:
    f.write("\n".join(lines) + "\n")
