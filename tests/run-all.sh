#!/usr/bin/env bash
# Every test suite of the collection, in order, each timed; a summary at the end; a non-zero
# exit when any suite failed. `make test` runs this after the set-up. Suites can be picked:
#   tests/run-all.sh units integration
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export PATH=$top/.venv/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$("$top/scripts/collection-path.sh")
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
stage=${NOVALITE_STAGE_DIR:-/var/tmp/novalite-stage}

suite_sanity() {
  local coll
  coll=$(scripts/stage-collection.sh "$stage") &&
    (cd "$coll" && ansible-test sanity --venv --python 3.11 --color no)
}
suite_docs() {
  python tests/check_docs.py &&
    antsibull-docs lint-collection-docs --plugin-docs . &&
    scripts/build-docs.sh &&
    rm -rf build/galaxy "$stage/ee" && mkdir -p build/galaxy &&
    antsibull-changelog lint &&
    ansible-galaxy collection build --force --output-path build/galaxy . &&
    ls build/galaxy/novalite-compute-*.tar.gz &&
    check_installed_collection &&
    check_execution_environment
}
# The tarball installs, and a playbook runs from the installed copy (not from this checkout):
# report.yml against this machine's libvirt.
check_installed_collection() {
  local dest=$top/build/installed
  rm -rf "$dest" && mkdir -p "$dest" &&
    ansible-galaxy collection install --force --no-deps -p "$dest" build/galaxy/novalite-compute-*.tar.gz >/dev/null 2>&1 &&
    ANSIBLE_COLLECTIONS_PATH=$dest ansible-galaxy collection list novalite.compute 2>/dev/null | grep -q "$dest" &&
    ANSIBLE_COLLECTIONS_PATH=$dest ansible-playbook -i inventory/local.yml novalite.compute.report \
      -e report_output="$dest/report.html" >"$dest/report.log" 2>&1 &&
    grep -q '<title>novalite fleet report</title>' "$dest/report.html" &&
    grep -q "$dest/ansible_collections/novalite/compute" <(ANSIBLE_COLLECTIONS_PATH=$dest ansible-doc -t module \
      novalite.compute.audit --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["novalite.compute.audit"]["doc"]["filename"])') &&
    echo "installed from the tarball into $dest; report.yml ran from it" ||
    { echo "the installed collection did not work; see $dest/report.log" >&2; return 1; }
}
# execution-environment.yml: ansible-builder makes the build context (building the image
# needs a container runtime, which these machines do not have); check what it made.
check_execution_environment() {
  ansible-builder create -f execution-environment.yml -c "$stage/ee" --output-filename Containerfile >/dev/null &&
    grep -q 'novalite-collections/' "$stage/ee/Containerfile" &&
    grep -q 'ansible-galaxy collection install' "$stage/ee/Containerfile" &&
    ls "$stage"/ee/_build/collections/novalite-compute-*.tar.gz "$stage/ee/_build/requirements.txt" \
      "$stage/ee/_build/bindep.txt" >/dev/null &&
    echo "ansible-builder create: build context in $stage/ee"
}
suite_lint() { ansible-lint --profile production --offline -q --nocolor; }
suite_units() { pytest -q -p no:cacheprovider tests/unit; }
suite_parity() {
  NOVALITE_NOVA_PYTHON=$(scripts/nova-venv.sh) pytest -q -s -p no:cacheprovider tests/parity
}
suite_harness() { pytest -q -p no:cacheprovider tests/harness; }
suite_integration() { bash tests/run-integration.sh; }
suite_molecule() { molecule test --all; }

all=(sanity lint docs units parity harness integration molecule)
suites=("${@:-${all[@]}}")
passed=() failed=()
for s in "${suites[@]}"; do
  printf '\n\033[1m==== suite %s\033[0m\n' "$s"
  start=$SECONDS
  if "suite_$s"; then passed+=("$s ($((SECONDS - start)) s)"); else failed+=("$s ($((SECONDS - start)) s)"); fi
done
printf '\n==== summary\n'
for s in "${passed[@]}"; do echo "passed: $s"; done
for s in "${failed[@]}"; do echo "FAILED: $s"; done
echo "suites: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
