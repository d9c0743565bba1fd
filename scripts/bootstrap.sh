#!/usr/bin/env bash
# Prepare this machine as a novalite hypervisor and development host, starting from nothing
# but python3 and apt. Idempotent: a second run installs nothing and changes nothing.
#   1. the few system packages the Python venv needs to build libvirt-python
#   2. the venv .venv with requirements.txt (re-installed only when requirements change)
#   3. the role novalite.compute.compute_host applied to localhost: packages, kvm device,
#      libvirtd/virtlogd, storage pools
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
venv=$top/.venv
say() { printf '\033[1m== %s\033[0m\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "bootstrap: run as root (it installs packages and starts libvirtd)" >&2
  exit 1
fi

# 1. system packages the venv needs (the role installs everything else)
python=${PYTHON:-python3}
pyinc=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
need=(gcc pkg-config libvirt-dev)
[ -f "$pyinc/Python.h" ] || need+=(python3-dev)
"$python" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confnew "${missing[@]}"
fi

# 2. the venv
stamp=$venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "venv $venv from requirements.txt"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

# ansible-test --venv fetches get-pip.py from a host these machines cannot reach; a stand-in
# with the same interface bootstraps pip from the interpreter's own ensurepip instead.
getpip=$("$venv/bin/python" - <<'EOF'
import os, types
from ansible_test._internal.python_requirements import get_venv_packages
version = get_venv_packages(types.SimpleNamespace(version="3.11"))["pip"]
print(os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % version.replace(".", "_")))
EOF
)
if ! cmp -s scripts/get_pip_standin.py "$getpip"; then
  mkdir -p "$(dirname "$getpip")"
  cp scripts/get_pip_standin.py "$getpip"
fi

# 3. the hypervisor itself, by the collection's own role
"$top/scripts/collection-path.sh" >/dev/null
say "role compute_host on localhost"
"$venv/bin/ansible-playbook" -i inventory/local.yml playbooks/compute_host.yml ${BOOTSTRAP_ANSIBLE_ARGS:-}
