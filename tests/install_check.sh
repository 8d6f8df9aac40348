#!/usr/bin/env bash
# Installs the build into a staging folder (meson install --destdir) and checks
# what a user of the library gets: libdufm.so.MAJOR, the headers, dufm.pc, no
# internal (dufm_i_) symbol in the dynamic symbol table, and a small program
# (tests/install/consumer.c) that compiles, links and runs with the flags of
# `pkg-config --cflags --libs dufm` alone, in C and in C++.
# Usage: install_check.sh BUILD_DIR SOURCE_DIR PREFIX LIBDIR INCLUDEDIR CC [SANITIZE]
set -euo pipefail
build="$1" src="$2" prefix="$3" libdir="$4" includedir="$5" cc="$6" sanitize="${7:-none}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
fail() { echo "install check: $*" >&2; exit 1; }

meson install -C "$build" --destdir "$stage" --no-rebuild >"$stage/install.log" 2>&1 ||
  { cat "$stage/install.log" >&2; fail "meson install failed"; }
case "$libdir" in /*) lib="$stage$libdir" ;; *) lib="$stage$prefix/$libdir" ;; esac
case "$includedir" in /*) inc="$stage$includedir" ;; *) inc="$stage$prefix/$includedir" ;; esac
major="$(sed -n 's/^#define DUFM_SOVERSION \([0-9]*\)$/\1/p' "$inc/dufm/version.h")"
[ -n "$major" ] || fail "no DUFM_SOVERSION in the installed dufm/version.h"
[ -f "$lib/libdufm.so.$major" ] || [ -L "$lib/libdufm.so.$major" ] ||
  fail "no $lib/libdufm.so.$major"
for h in "$src"/include/dufm/*.h; do
  [ -f "$inc/dufm/$(basename "$h")" ] || fail "header $(basename "$h") not installed"
done
[ -f "$lib/pkgconfig/dufm.pc" ] || fail "no dufm.pc in $lib/pkgconfig"

# Only the public API is exported.
syms="$(nm -D --defined-only "$lib/libdufm.so.$major")"
if grep -q ' dufm_i_' <<<"$syms"; then
  grep ' dufm_i_' <<<"$syms" | head -5 >&2
  fail "libdufm.so exports internal dufm_i_ symbols"
fi
for s in dufm_version dufm_compare dufm_structure_parse dufm_dnc_eval; do
  grep -q " $s\$" <<<"$syms" || fail "libdufm.so does not export $s"
done

export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
flags="$(pkg-config --cflags --libs dufm)" || fail "pkg-config --cflags --libs dufm failed"
extra=()
[ "$sanitize" != none ] && extra=(-fsanitize="$sanitize")
# shellcheck disable=SC2086 # the flags are a word list
"$cc" -std=c11 -Wall -Wextra -Werror "${extra[@]}" "$src/tests/install/consumer.c" $flags \
  -o "$stage/consumer" || fail "the consumer program does not build with pkg-config's flags"
out="$(LD_LIBRARY_PATH="$lib" "$stage/consumer")" || fail "the consumer program failed"
# The DNC loss inside its enclosure, and the paper's verdict at this setting.
read -r version lower value upper verdict <<<"$out"
[ "$version" = "$(sed -n 's/^#define DUFM_VERSION_STRING "\(.*\)"$/\1/p' "$inc/dufm/version.h")" ] ||
  fail "version $version"
awk -v l="$lower" -v v="$value" -v u="$upper" 'BEGIN { exit !(l <= v && v <= u) }' ||
  fail "DNC loss $lower <= $value <= $upper"
[ "$verdict" = dnc_not_optimal ] || fail "verdict $verdict"
if command -v c++ >/dev/null; then
  # shellcheck disable=SC2086
  c++ -x c++ -std=c++11 -Wall -Werror "${extra[@]}" "$src/tests/install/consumer.c" $flags \
    -o "$stage/consumer_cxx" || fail "the consumer program does not build as C++"
  [ "$(LD_LIBRARY_PATH="$lib" "$stage/consumer_cxx")" = "$out" ] || fail "C++ consumer differs"
fi
echo "installed: libdufm.so.$major, $(ls "$inc/dufm" | wc -l) headers, dufm.pc; consumer: $out"
