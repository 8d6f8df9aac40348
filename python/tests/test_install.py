"""After scripts/run or scripts/test, `import dufm` works in Debian's python3
without PYTHONPATH, from any folder, and finds this clone's package."""
import os
import subprocess

import pytest

from conftest import ROOT


def test_import_in_debian_python3():
    if not os.path.exists("/usr/bin/python3"):
        pytest.skip("no /usr/bin/python3")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    r = subprocess.run(["/usr/bin/python3", "-c",
                        "import dufm; print(dufm.__file__); "
                        "print(dufm.compare(L=4, K=10, lam=0.004)['verdict'])"],
                       cwd="/", env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + "\n(run scripts/run or scripts/test: they install it)"
    path, verdict = r.stdout.split()
    assert os.path.realpath(path) == os.path.realpath(
        os.path.join(ROOT, "python", "dufm", "__init__.py")), \
        f"/usr/bin/python3 imports {path}, not this clone's package (scripts/run re-points it)"
    assert verdict == "dnc_not_optimal"
