#!/usr/bin/env bash
# Integration tests against real libvirt hypervisors: bring up a harness, run the
# ansible-test integration targets on a staged copy of the collection, tear the harness
# down (always) and check it left nothing behind.
#
#   tests/run-integration.sh              every target, in two streams at once: each stream
#                                         has a harness (3 hypervisors) and a staged copy of
#                                         its own, and runs its targets one after another
#   tests/run-integration.sh TARGET...    those targets (and any ansible-test option), one
#                                         stream, on the default harness
#
# The streams share nothing but the machine (harness directories, namespaces, management
# subnets, staged copies are apart). Measured on two cores (2026-12-02): 1865 s for both
# streams against ~2010 s for the same targets one after another - only ~7 % less: the
# targets keep both cores busy (TCG guests, ansible-playbook starts), so each target takes
# about twice as long beside the other stream (vmstat: 0 % idle throughout). 2026-12-07: 1297 s
# with the live_migration target added, once fleet_state.py read libvirt directly instead of
# running dozens of virsh processes over ssh per call (5-20 s a call, now ~0.3 s). Each target's
# time and the 25 slowest tasks are printed at the end of its stream (tests/target_times.py).
# ansible-test makes its own SSH key on first use; the two streams would race for it on a fresh
# machine, so it is made here first.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$top/.venv/bin:$PATH
harness=$top/tests/harness/hypervisors.py
count=${NOVALITE_HARNESS_HOSTS:-3}
# The second stream: the long fault target, and targets that are mostly waiting for guests.
stream_b=(faults cloud_image awx_jobs compute_host_ssh live_migration image network_port select_hosts
          storage_pool volume fleet_views host_facts evacuate)

# stream HARNESS_DIR STAGE_DIR ARGS...: one ansible-test run on a harness of its own.
stream() {
  local dir=$1 stage=$2 rc
  shift 2
  export NOVALITE_HARNESS_DIR=$dir
  trap 'python3 "$harness" down || { echo "harness $NOVALITE_HARNESS_DIR: teardown left something behind" >&2; exit 1; }' EXIT
  python3 "$harness" up "$count" >/dev/null || return 1
  local coll
  coll=$("$top/scripts/stage-collection.sh" "$stage")
  # The targets' own settings (long versions, parts) travel in the config: ansible-test does
  # not pass the environment on.
  python3 - "$dir/integration_config.yml" "$coll/tests/integration/integration_config.yml" <<'PY'
import json, os, sys
config = json.load(open(sys.argv[1]))
config['novalite_test_env'] = {k: v for k, v in os.environ.items() if k.startswith('NOVALITE_')}
json.dump(config, open(sys.argv[2], 'w'), indent=2)
PY
  cd "$coll" || return 1
  ansible-test integration --local --python 3.11 --color no --allow-destructive "$@" 2>&1 | python3 "$top/tests/target_times.py"
  rc=${PIPESTATUS[0]}
  return "$rc"
}

# ansible-test makes its SSH key on its first run; two first runs at once (the streams on a
# fresh machine) race for the file and one fails ("already exists. Overwrite (y/n)?"): make it
# once, before them, as ansible-test would.
if [ ! -f ~/.ansible/test/id_rsa ] || [ ! -f ~/.ansible/test/id_rsa.pub ]; then
  mkdir -p ~/.ansible/test
  rm -f ~/.ansible/test/id_rsa ~/.ansible/test/id_rsa.pub
  ssh-keygen -m PEM -q -t rsa -N '' -f ~/.ansible/test/id_rsa
  sed -i -E 's/(BEGIN|END) PRIVATE KEY/\1 RSA PRIVATE KEY/' ~/.ansible/test/id_rsa
fi

if [ $# -gt 0 ]; then
  (stream "${NOVALITE_HARNESS_DIR:-/var/tmp/novalite-harness}" "${NOVALITE_STAGE_DIR:-/var/tmp/novalite-stage}" "$@")
  exit $?
fi

all=()
for t in "$top"/tests/integration/targets/*/; do
  t=$(basename "$t")
  grep -qx hidden "$top/tests/integration/targets/$t/aliases" 2>/dev/null || all+=("$t")
done
stream_a=()
for t in "${all[@]}"; do
  [[ " ${stream_b[*]} " == *" $t "* ]] || stream_a+=("$t")
done
logs=$(mktemp -d)
start=$SECONDS
(stream /var/tmp/novalite-harness /var/tmp/novalite-stage "${stream_a[@]}") >"$logs/a.log" 2>&1 &
a=$!
(stream /var/tmp/novalite-harness-b /var/tmp/novalite-stage-b "${stream_b[@]}") >"$logs/b.log" 2>&1 &
b=$!
wait $a; rc_a=$?
wait $b; rc_b=$?
for s in a b; do
  printf '\n==== integration stream %s\n' "$s"
  cat "$logs/$s.log"
done
printf '\n==== integration: stream a %s, stream b %s, %d s in all\n' \
  "$([ $rc_a -eq 0 ] && echo passed || echo FAILED)" "$([ $rc_b -eq 0 ] && echo passed || echo FAILED)" $((SECONDS - start))
rm -rf "$logs"
[ $rc_a -eq 0 ] && [ $rc_b -eq 0 ]
