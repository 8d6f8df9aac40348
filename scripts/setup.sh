# Sourced by scripts/run and scripts/test: installs missing Debian packages
# (quietly, only when something is missing) and builds into build/.
set -euo pipefail
DUFM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# libplplot-dev, plplot-driver-cairo (PNG output) and a font: figures of 'dufm plot', CLI only.
dufm_packages=(build-essential meson ninja-build pkg-config libgsl-dev liblapacke-dev
  libopenblas-dev libgmp-dev libmpfr-dev libcunit1-dev libplplot-dev plplot-driver-cairo
  fonts-dejavu-core)

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
