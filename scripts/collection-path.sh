#!/usr/bin/env bash
# Make this checkout loadable as the collection novalite.compute without installing it:
# build/collections/ansible_collections/novalite/compute -> the checkout (ansible.cfg points
# collections_path there). Prints the collections path.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
link=$top/build/collections/ansible_collections/novalite/compute
mkdir -p "$(dirname "$link")"
[ "$(readlink "$link" 2>/dev/null)" = "$top" ] || ln -sfn "$top" "$link"
echo "$top/build/collections"
