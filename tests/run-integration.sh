#!/usr/bin/env bash
# Integration tests against real libvirt hypervisors: bring up the harness, run the
# ansible-test integration targets on a staged copy of the collection, tear the harness
# down (always) and check it left nothing behind. Extra arguments go to ansible-test
# (for example a target name).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$top/.venv/bin:$PATH
harness=$top/tests/harness/hypervisors.py
count=${NOVALITE_HARNESS_HOSTS:-3}

cleanup() {
  python3 "$harness" down || { echo "harness teardown left something behind" >&2; exit 1; }
}
trap cleanup EXIT
python3 "$harness" up "$count" >/dev/null
coll=$("$top/scripts/stage-collection.sh" "${NOVALITE_STAGE_DIR:-/var/tmp/novalite-stage}")
# The targets' own settings (long versions, parts) travel in the config: ansible-test does
# not pass the environment on.
python3 - "${NOVALITE_HARNESS_DIR:-/var/tmp/novalite-harness}/integration_config.yml" \
  "$coll/tests/integration/integration_config.yml" <<'PY'
import json, os, sys
config = json.load(open(sys.argv[1]))
config['novalite_test_env'] = {k: v for k, v in os.environ.items() if k.startswith('NOVALITE_')}
json.dump(config, open(sys.argv[2], 'w'), indent=2)
PY
cd "$coll"
# Each target's time is printed at the end (tests/target_times.py).
ansible-test integration --local --python 3.11 --color no --allow-destructive "$@" 2>&1 | python3 "$top/tests/target_times.py"
