#!/usr/bin/env bash
# Copy the checkout (tracked files and untracked, not ignored ones, as they are in the work
# tree) to a real directory DEST/ansible_collections/novalite/compute, which ansible-test
# needs (it refuses a symlink). DEST must be outside the checkout: inside it, ansible-test
# would ask git which files there are, and git ignores build output. Prints the path.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: stage-collection.sh DEST}/ansible_collections/novalite/compute
rm -rf "$dest"
mkdir -p "$dest"
# Files deleted in the work tree but still tracked are skipped (--ignore-failed-read).
(cd "$top" && git ls-files -z --cached --others --exclude-standard \
  | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$dest" -xf -
echo "$dest"
