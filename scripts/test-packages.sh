#!/usr/bin/env bash
# The system packages only the tests need, installed when missing (idempotent):
#   openssh-server   an sshd in each harness hypervisor's namespaces (qemu+ssh, as in production)
#   mmdebstrap, extlinux, syslinux-common, e2fsprogs, fdisk
#                    the Debian cloud image of tests/cloud-image/build.sh
# Installing openssh-server must not start an sshd on this machine: the package's init script
# is held back by a policy-rc.d for the duration of the install.
set -euo pipefail
need=(openssh-server openssh-client mmdebstrap extlinux syslinux-common e2fsprogs fdisk qemu-utils)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
printf '\033[1m== apt-get install %s\033[0m\n' "${missing[*]}"
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && own_policy=1
fi
trap '[ -z "$own_policy" ] || rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confnew "${missing[@]}"
