#!/usr/bin/env bash
# A separate venv with OpenStack Nova itself, for the differential test of the scheduler
# (tests/parity). Idempotent: reinstalled only when the pinned version changes.
set -euo pipefail
venv=${NOVALITE_NOVA_VENV:-/var/tmp/novalite-nova-venv}
version=34.0.0
if [ "$(cat "$venv/.nova-version" 2>/dev/null)" != "$version" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q "nova==$version"
  echo "$version" > "$venv/.nova-version"
fi
echo "$venv/bin/python"
