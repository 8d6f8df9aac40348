#!/usr/bin/env python3
"""Usage: atlas_same.py A B [MIN_FILES]. Exit 0 when the atlas folders A and B
hold the same files with the same bytes (entry.json compared as JSON without
its "seconds"), and at least MIN_FILES of them; prints the count. The check of
tests/mpi_atlas.sh and bench/atlas_bench.sh (same entries whatever -n)."""
import glob
import json
import os
import sys


def files(root):
    return sorted(os.path.relpath(f, root) for f in glob.glob(root + "/**", recursive=True)
                  if os.path.isfile(f))


def main():
    a, b = sys.argv[1], sys.argv[2]
    least = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    fa, fb = files(a), files(b)
    if fa != fb or len(fa) < least:
        sys.exit(f"atlas folders differ in their files ({len(fa)} and {len(fb)}, "
                 f"at least {least} wanted)")
    for f in fa:
        x, y = open(os.path.join(a, f), "rb").read(), open(os.path.join(b, f), "rb").read()
        if f.endswith("entry.json"):
            x, y = json.loads(x), json.loads(y)
            x.pop("seconds")
            y.pop("seconds")
        if x != y:
            sys.exit("differs: " + f)
    print("identical entries: %d files" % len(fa))


main()
