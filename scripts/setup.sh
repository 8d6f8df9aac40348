# Sourced by scripts/run and scripts/test: installs missing Debian packages
# (quietly, only when something is missing) and builds into build/.
set -euo pipefail
DUFM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# libplplot-dev, plplot-driver-cairo (PNG output) and a font: figures of 'dufm plot', CLI only.
# libopenmpi-dev and openmpi-bin: 'dufm atlas' under mpirun (the executable only).
dufm_packages=(build-essential meson ninja-build pkg-config libgsl-dev liblapacke-dev
  libopenblas-dev libgmp-dev libmpfr-dev libcunit1-dev libplplot-dev plplot-driver-cairo
  fonts-dejavu-core libopenmpi-dev openmpi-bin)

dufm_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
}

# dufm_build DIR [meson options...]: configure once, then build incrementally.
dufm_build() {
  local dir="$1"
  shift
  if [ ! -f "$DUFM_ROOT/$dir/build.ninja" ]; then
    meson setup "$DUFM_ROOT/$dir" "$DUFM_ROOT" "$@" >"$DUFM_ROOT/$dir.setup.log" 2>&1 || {
      cat "$DUFM_ROOT/$dir.setup.log" >&2
      return 1
    }
    rm -f "$DUFM_ROOT/$dir.setup.log"
  fi
  ninja -C "$DUFM_ROOT/$dir" >"$DUFM_ROOT/$dir.log" 2>&1 || {
    cat "$DUFM_ROOT/$dir.log" >&2
    return 1
  }
}

# The Python package (python/dufm): Debian's python3 with NumPy and cffi.
dufm_python_packages=(python3 python3-dev python3-cffi python3-numpy)

# dufm_python DIR: builds the package's C extension against the libdufm of the
# build folder DIR (rpath into DIR) and makes `import dufm` work in
# /usr/bin/python3: a dufm.pth in its first site-packages folder
# (/usr/local/lib/python3.X/dist-packages) names this clone's python/ folder.
dufm_python() {
  local dir="$1"
  /usr/bin/python3 "$DUFM_ROOT/python/dufm/_build.py" "$DUFM_ROOT/$dir" \
    >"$DUFM_ROOT/$dir.python.log" 2>&1 || {
    cat "$DUFM_ROOT/$dir.python.log" >&2
    return 1
  }
  local site sudo=""
  site="$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')"
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ "$(cat "$site/dufm.pth" 2>/dev/null)" != "$DUFM_ROOT/python" ]; then
    $sudo mkdir -p "$site"
    echo "$DUFM_ROOT/python" | $sudo tee "$site/dufm.pth" >/dev/null
  fi
}
