#!/usr/bin/env bash
# Build the Debian 12 cloud image of the tests from Debian packages, the way users upload
# cloud images: a whole-disk qcow2 (MBR, one ext4 partition, extlinux) with systemd, the
# cloud kernel, cloud-init reading the ConfigDrive datasource, openssh-server, and what
# cloud-init's network renderer for ifupdown needs (net-tools for routes, resolvconf for DNS,
# isc-dhcp-client), growpart + resize2fs to grow the root file system to the flavor's disk,
# locales with en_US.UTF-8 generated (cloud-init's locale module sets it with update-locale).
#   debian-12.qcow2   the image (~2 GiB virtual, ~250 MB on disk)
# Cached in $NOVALITE_CLOUD_IMAGE_DIR (default /var/cache/novalite/cloud-image), rebuilt only
# when this recipe (this script, the kernel package it resolves to) changes. ~4 min cold.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${NOVALITE_CLOUD_IMAGE_DIR:-/var/cache/novalite/cloud-image}
size_mb=2048
kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
  | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
if [ -z "$kernel_pkg" ]; then
  echo "cloud-image/build.sh: cannot resolve linux-image-cloud-amd64 (run apt-get update)" >&2
  exit 1
fi
recipe=$(cat "$here/build.sh" <(echo "$kernel_pkg") | sha256sum | cut -d' ' -f1)
if [ -f "$out/recipe.sha256" ] && [ "$(cat "$out/recipe.sha256")" = "$recipe" ] && [ -f "$out/debian-12.qcow2" ]; then
  echo "$out"
  exit 0
fi

work=$(mktemp -d /var/tmp/novalite-cloud-image.XXXXXX)
mnt=$work/root
loop=
cleanup() {
  set +e
  mountpoint -q "$mnt" && umount -R "$mnt"
  [ -z "$loop" ] || losetup -d "$loop"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$mnt"

# The disk: one bootable partition from 1 MiB to the end (losetup -P makes no partition
# nodes here, no udev: the partition is attached by its offset instead).
raw=$work/disk.raw
truncate -s ${size_mb}M "$raw"
echo 'start=2048, type=83, bootable' | sfdisk -q "$raw"
start=$((2048 * 512))
loop=$(losetup -f --show -o "$start" --sizelimit $(((size_mb - 1) * 1024 * 1024)) "$raw")
mkfs.ext4 -q -L cloudimg-rootfs -E root_owner=0:0 "$loop"
mount "$loop" "$mnt"

# Debian from its packages (SOURCE_DATE_EPOCH: the same files' times on every build).
export SOURCE_DATE_EPOCH=1700000000
mmdebstrap --quiet --variant=minbase --mode=root \
  --include="$kernel_pkg,systemd-sysv,udev,initramfs-tools,extlinux,locales,cloud-init,cloud-guest-utils,openssh-server,sudo,python3,ifupdown,isc-dhcp-client,net-tools,resolvconf,iproute2,netbase,e2fsprogs,procps,ca-certificates" \
  --customize-hook='echo localhost > "$1/etc/hostname"' \
  --customize-hook='echo "en_US.UTF-8 UTF-8" > "$1/etc/locale.gen" && chroot "$1" locale-gen >/dev/null' \
  bookworm "$mnt" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"

kver=$(ls "$mnt/lib/modules")
cat > "$mnt/etc/fstab" <<FSTAB
LABEL=cloudimg-rootfs / ext4 defaults,errors=remount-ro 0 1
FSTAB
# Only the config drive to look at (no network metadata service to wait for); no RSA host
# key (its generation takes ~25 s under TCG; ed25519 and ECDSA take well under one).
cat > "$mnt/etc/cloud/cloud.cfg.d/90-novalite.cfg" <<CFG
datasource_list: [ConfigDrive, None]
ssh_genkeytypes: [ed25519, ecdsa]
CFG
# The build host's resolver and machine id are not the image's; host keys are made at first boot.
rm -f "$mnt/etc/resolv.conf" "$mnt"/etc/ssh/ssh_host_*
: > "$mnt/etc/machine-id"
rm -f "$mnt/var/lib/dbus/machine-id"
ln -sf /run/resolvconf/resolv.conf "$mnt/etc/resolv.conf"
cat > "$mnt/etc/network/interfaces" <<IFACES
auto lo
iface lo inet loopback
source /etc/network/interfaces.d/*
IFACES
apt-get -o RootDir="$mnt" clean 2>/dev/null || rm -rf "$mnt"/var/cache/apt/archives/*.deb
rm -rf "$mnt"/var/lib/apt/lists/* "$mnt"/var/log/*.log "$mnt"/tmp/*

# The boot loader: extlinux in /boot, syslinux's MBR in front of the partition.
mkdir -p "$mnt/boot/extlinux"
cat > "$mnt/boot/extlinux/extlinux.conf" <<BOOT
DEFAULT debian
TIMEOUT 0
LABEL debian
  LINUX /boot/vmlinuz-$kver
  INITRD /boot/initrd.img-$kver
  APPEND root=LABEL=cloudimg-rootfs ro console=tty0 console=ttyS0,115200 net.ifnames=0
BOOT
extlinux --install "$mnt/boot/extlinux" 2>/dev/null
umount "$mnt"
losetup -d "$loop"
loop=
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$raw" bs=440 count=1 conv=notrunc status=none

mkdir -p "$out"
qemu-img convert -q -c -f raw -O qcow2 "$raw" "$out/debian-12.qcow2.new"
mv "$out/debian-12.qcow2.new" "$out/debian-12.qcow2"
(cd "$out" && sha256sum debian-12.qcow2 > SHA256SUMS)
echo "$kernel_pkg" > "$out/kernel.version"
echo "$recipe" > "$out/recipe.sha256"
echo "$out"
