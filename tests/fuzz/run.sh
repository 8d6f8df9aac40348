#!/bin/bash
# Builds the libFuzzer harnesses against the library sources with clang and runs
# each for SECONDS (default 60) from seed corpora made of the repository's
# fixtures. Not part of the meson build or of scripts/test.
#
#   tests/fuzz/run.sh [SECONDS [HARNESS...]]     HARNESS: npy cert structure rational
#
# Environment: CC (default clang), FUZZ_BUILD (default build-fuzz at the top of
# the repository), extra libFuzzer flags in FUZZ_FLAGS. Crashes are written to
# $FUZZ_BUILD/artifacts; the script exits nonzero if any harness failed.
set -eu

seconds=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-npy cert structure rational}

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CC:-clang}
out=${FUZZ_BUILD:-$top/build-fuzz}
mkdir -p "$out/obj" "$out/artifacts"

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$top/include -I$top/src"
pkgcflags=$(pkg-config --cflags gmp mpfr openblas lapacke)
deps=$(pkg-config --cflags --libs gmp mpfr openblas lapacke)
libs="$deps -lgsl -lm -lpthread"

# Library objects (everything under src/ except the CLI and the plots), rebuilt
# when the source is newer than the object; all of them when a header changed.
if [ -f "$out/obj/stamp" ] &&
  [ -n "$(find "$top/include" "$top/src" -name '*.h' -newer "$out/obj/stamp" | head -n 1)" ]; then
  rm -f "$out"/obj/*.o
fi
objs=""
for src in $(cd "$top" && find src -name '*.c' -not -path 'src/cli/*' -not -path 'src/plot/*' |
  sort); do
  obj="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
  objs="$objs $obj"
  if [ ! -f "$obj" ] || [ "$top/$src" -nt "$obj" ]; then
    echo "CC $src"
    # shellcheck disable=SC2086
    $cc $cflags $san -fsanitize=fuzzer-no-link $pkgcflags -c "$top/$src" -o "$obj"
  fi
done

touch "$out/obj/stamp"

seed() { # seed HARNESS: fills $out/corpus/HARNESS with the seeds
  dir="$out/corpus/$1"
  mkdir -p "$dir"
  case $1 in
  npy) cp "$top"/data/npy/*.npy "$top"/data/npy/bad/*.npy "$dir" ;;
  cert)
    for f in "$top"/proofs/certificates/*.cert; do
      case $f in *clique13*) continue ;; esac # 2.9 MB: too slow to mutate
      cp "$f" "$dir"
    done
    small="$top/proofs/certificates/srg4_L4_K6.cert"
    for n in 0 20 100 400 700 1000 1421; do
      head -c "$n" "$small" >"$dir/srg4_trunc_$n.cert"
    done
    ;;
  structure)
    i=0
    for s in dnc dnc:3 srg:5 graph:0-1,1-2,2-0,2-3 clique:5:2,3 clique:6:2..4 \
      clique:5:2@1,3@0.5 'clique:5:2@sqrt(2),3@1/2' srg:5+dnc:3 graph:0-1+dnc:2+srg:4; do
      printf '%s' "$s" >"$dir/seed$i"
      i=$((i + 1))
    done
    ;;
  rational)
    i=0
    for s in 0 -1 0.004 1/250 -3/4 1e-3 2.5E+7 .5 5. 1e-100000 -12.5e-2/3e4; do
      printf '%s' "$s" >"$dir/seed$i"
      i=$((i + 1))
    done
    ;;
  esac
  # Inputs that once failed are seeds too.
  if [ -d "$here/regressions/$1" ]; then cp "$here/regressions/$1"/* "$dir" 2>/dev/null || true; fi
}

status=0
for h in $harnesses; do
  exe="$out/fuzz_$h"
  echo "LD fuzz_$h"
  # shellcheck disable=SC2086
  $cc $cflags $san -fsanitize=fuzzer "$here/fuzz_$h.c" $objs $libs -o "$exe"
  seed "$h"
  extra=""
  [ "$h" = structure ] && extra="-max_len=200"
  echo "RUN fuzz_$h for ${seconds}s"
  # shellcheck disable=SC2086
  if ! "$exe" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$h-" $extra ${FUZZ_FLAGS:-} "$out/corpus/$h"; then
    echo "fuzz_$h FAILED (artifacts in $out/artifacts)"
    status=1
  fi
done
exit $status
