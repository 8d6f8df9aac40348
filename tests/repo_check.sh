#!/usr/bin/env bash
# Usage: repo_check.sh SOURCE_ROOT
# Fails (exit 1, one line per hit) if a file of the repository cites the
# out-of-tree theory reference (the repository's own is docs/theory.md) or an
# absolute path of one machine (home, root or work folders). Files are the
# tracked ones when SOURCE_ROOT is the top of a git checkout, else every file
# outside build folders and hidden folders.
set -u
root="${1:?usage: repo_check.sh SOURCE_ROOT}"
cd "$root" || {
  echo "repo_check.sh: cannot enter $root" >&2
  exit 2
}

# The patterns are split so that this file does not match itself.
patterns=('shared''/theory' '/''work/' '/''home/' '/''root/')

top="$(git rev-parse --show-toplevel 2>/dev/null || true)"
if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(pwd -P)" ]; then
  list() { git ls-files -z; }
  how="git ls-files"
else
  list() {
    find . \( -name '.?*' -o -name 'build*' -o -name subprojects \) -prune -o -type f -print0
  }
  how="find"
fi

files=0
hits=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue # deleted in the working tree
  files=$((files + 1))
  for p in "${patterns[@]}"; do
    # -I: binary files (figures, .npy) are skipped
    if out="$(grep -I -n -F -- "$p" "$f")"; then
      while IFS= read -r line; do
        echo "$f:$line: cites '$p' (use docs/theory.md or a repository-relative path)"
        hits=$((hits + 1))
      done <<<"$out"
    fi
  done
done < <(list)

if [ "$files" -eq 0 ]; then
  echo "repo_check.sh: no files found under $root ($how)" >&2
  exit 1
fi
echo "repo_check.sh: $files files ($how), $hits forbidden references"
[ "$hits" -eq 0 ]
