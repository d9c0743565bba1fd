#!/usr/bin/env bash
# The docs site: antsibull-docs renders every module, plugin and role from the documentation
# in the code (DOCUMENTATION, EXAMPLES, RETURN, meta/argument_specs.yml) as RST, the guides of
# docs/*.md join it, and Sphinx builds the HTML into build/docs/html (open index.html).
# Warnings are errors: a broken reference in a plugin's documentation fails the build.
#   scripts/build-docs.sh [OUT]      (make docs)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/docs}
src=$out/src
export PATH=$top/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$("$top/scripts/collection-path.sh")

rm -rf "$out" && mkdir -p "$src/guides"
chmod og-w "$src"    # antsibull-docs wants its destination writable by its owner only
cp "$top"/docs/site/*.rst "$src/"
cp "$top"/docs/*.md "$src/guides/"
cp "$top"/docs/*.png "$src/guides/" 2>/dev/null || true

# antsibull-docs writes an error page and goes on when a plugin's documentation is invalid;
# here that fails the build.
log=$out/antsibull-docs.log
antsibull-docs --config-file "$top/docs/site/antsibull-docs.cfg" collection \
  --use-current --dest-dir "$src" novalite.compute 2>"$log"
if grep -q 'ERROR' "$log"; then
  cat "$log" >&2
  echo "antsibull-docs found invalid documentation (above)" >&2
  exit 1
fi
sphinx-build -q -b html -c "$top/docs/site" -W --keep-going "$src" "$out/html"
echo "docs site: $out/html/index.html"
