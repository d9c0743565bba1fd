#!/usr/bin/env bash
# Build the novalite test guest from Debian packages only, without mounting anything:
#   guest.qcow2   a ~15 MB disk SeaBIOS boots (syslinux on vfat, kernel + initramfs on it)
#   vmlinuz, initrd.gz   the same kernel and initramfs, for direct kernel boot
# The result is cached in $NOVALITE_GUEST_DIR (default /var/cache/novalite/guest) and rebuilt
# only when this recipe (this script, the init, the kernel package) changes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${NOVALITE_GUEST_DIR:-/var/cache/novalite/guest}
kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
  | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
if [ -z "$kernel_pkg" ]; then
  echo "build.sh: cannot resolve linux-image-cloud-amd64 (run apt-get update)" >&2
  exit 1
fi
recipe=$(cat "$here/build.sh" "$here/init" <(echo "$kernel_pkg") | sha256sum | cut -d' ' -f1)

if [ -f "$out/recipe.sha256" ] && [ "$(cat "$out/recipe.sha256")" = "$recipe" ] \
   && [ -f "$out/guest.qcow2" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.gz" ]; then
  # The image catalog of inventory/local.yml reads the checksums from here.
  [ -f "$out/SHA256SUMS" ] || (cd "$out" && sha256sum guest.qcow2 vmlinuz initrd.gz > SHA256SUMS)
  echo "$out"
  exit 0
fi

work=$(mktemp -d)
chmod 755 "$work"   # apt-get download drops privileges to _apt
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download "$kernel_pkg" busybox-static >/dev/null
dpkg-deb -x linux-image-*.deb kernel
dpkg-deb -x busybox-static_*.deb bb
kver=$(ls kernel/lib/modules)

root=$work/root
mkdir -p "$root/bin" "$root/lib/modules/$kver"
cp bb/bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"   # the kernel runs /init with its #!/bin/sh
install -m 0755 "$here/init" "$root/init"
# The cloud kernel has these drivers as modules; modprobe resolves their order via depmod.
modules="virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk
  failover net_failover virtio_net scsi_common scsi_mod libata ata_piix cdrom sr_mod isofs
  fat vfat nls_cp437 nls_iso8859-1"
for m in $modules; do
  src=$(find "kernel/lib/modules/$kver" -name "$m.ko*" | head -n 1)
  [ -n "$src" ] || continue   # built into this kernel
  mkdir -p "$root/$(dirname "${src#kernel/}")"
  cp "$src" "$root/${src#kernel/}"
done
cp "kernel/lib/modules/$kver/modules.order" "kernel/lib/modules/$kver/modules.builtin" \
  "kernel/lib/modules/$kver/modules.builtin.modinfo" \
  "$root/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$root" "$kver"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9n) > initrd.gz
cp "kernel/boot/vmlinuz-$kver" vmlinuz

cat > syslinux.cfg <<'EOF'
DEFAULT guest
TIMEOUT 0
PROMPT 0
LABEL guest
  KERNEL vmlinuz
  APPEND initrd=initrd.gz console=ttyS0 quiet panic=-1
EOF
truncate -s 64M disk.img
mkfs.vfat -n NOVALITE disk.img >/dev/null
printf guest > image-name     # the guest reports it (a rebuild from another image shows)
mcopy -i disk.img vmlinuz initrd.gz syslinux.cfg image-name ::
syslinux --install disk.img
qemu-img convert -c -O qcow2 disk.img guest.qcow2

mkdir -p "$out"
for f in guest.qcow2 vmlinuz initrd.gz; do
  install -m 0644 "$f" "$out/$f.tmp" && mv -f "$out/$f.tmp" "$out/$f"
done
(cd "$out" && sha256sum guest.qcow2 vmlinuz initrd.gz > SHA256SUMS)
echo "$kver" > "$out/kernel.version"
echo "$recipe" > "$out/recipe.sha256"
echo "$out"
