#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: image
short_description: A checksummed image cache on every hypervisor (Nova's _base)
version_added: 0.1.0
description:
  - Ensures an image of the catalog is in the hypervisor's image pool, over the libvirt API
    only (the bytes go through a libvirt stream), so it works the same against the local
    hypervisor and against a remote URI, the module running on the controller.
  - The source (an http/https URL or a file on the host that runs the module) is read once, as
    a stream; its checksum is computed on the way and its first bytes tell its real format,
    so a file whose format differs from the entry's C(disk_format), or a qcow2 with a backing file, is
    refused as soon as its header is in.
  - "The bytes are written, exactly as downloaded, to a volume C(data-<algo>-<hex>-<id>).
    Only once they are verified is the image published under its final name C(<algo>-<hex>)
    (for example C(sha256-3f5a...)): a read-only qcow2 view backed by them. So the presence of
    the final name means the right bytes are on the host, and a second run moves zero bytes."
  - A failed transfer (bad checksum, source cut short, wrong format, full pool) removes what it
    wrote. A run that was killed leaves a data volume no view uses; the next run removes such
    leftovers once they are O(stale_partial_age) seconds old.
  - O(state=absent) removes the image unless a volume or a domain on the host still uses it.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  name:
    description: Name or id of the image in O(catalog).
    type: str
  catalog:
    description:
      - The image catalog, usually C(novalite_images) from the inventory. Each entry has
        C(name), C(id), C(source), C(checksum) (C(sha256:<hex>), C(sha512:<hex>), C(md5:<hex>)
        or bare sha256 hex), C(disk_format) (C(qcow2), C(raw), or C(aki)/C(ari) for a kernel or
        ramdisk), C(min_ram), C(min_disk) and C(properties).
    type: list
    elements: dict
  image:
    description: One catalog entry given directly, instead of O(name) and O(catalog).
    type: dict
  pool:
    description: Storage pool of the image cache.
    type: str
    default: novalite-images
  state:
    description: V(present) caches the image, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  timeout:
    description: Seconds to wait for an http(s) source to answer.
    type: int
    default: 600
  validate_certs:
    description: Verify the certificate of an https source.
    type: bool
    default: true
  stale_partial_age:
    description: Data volumes that no published image uses and that were not written to for this many seconds are removed as leftovers of a killed run.
    type: int
    default: 3600
notes:
  - The data volume and the published view are both counted by the pool; the view itself is a few hundred KB.
  - Kernel and ramdisk images (C(aki), C(ari)) are used by direct kernel boot through RV(volume.data_path), the exact bytes.
'''

EXAMPLES = r'''
- name: Cache the image on a hypervisor, from the controller
  novalite.compute.image:
    uri: "qemu+ssh://root@{{ inventory_hostname }}/system"
    name: debian-12
    catalog: "{{ novalite_images }}"
  delegate_to: localhost

- name: An image given directly
  novalite.compute.image:
    image:
      name: cirros
      source: https://images.example.com/cirros-0.6.2-x86_64-disk.img
      checksum: sha256:7d6355852aeb6dbcd191bcda7cd74f1536cfe5cbf8a10495a7283a8396e4b75b
      disk_format: qcow2

- name: Remove an image no instance uses any more
  novalite.compute.image:
    name: debian-11
    catalog: "{{ novalite_images }}"
    state: absent
'''

RETURN = r'''
volume:
  description: The cached image (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Volume name, from the checksum.
      type: str
      sample: sha256-7d6355852aeb6dbcd191bcda7cd74f1536cfe5cbf8a10495a7283a8396e4b75b
    pool:
      description: Storage pool.
      type: str
    path:
      description: Path of the published image on the hypervisor (the base for instance disks).
      type: str
    data_path:
      description: Path of the exact bytes (what direct kernel boot uses for aki/ari images).
      type: str
    format:
      description: The real format of the bytes (qcow2 or raw).
      type: str
    virtual_size:
      description: Virtual size in bytes (qcow2 header, or the file size for raw).
      type: int
    size:
      description: Size of the bytes.
      type: int
    checksum:
      description: Checksum of the bytes, C(<algo>:<hex>).
      type: str
bytes_transferred:
  description: Bytes sent to the hypervisor by this run (0 on a cache hit).
  returned: always
  type: int
removed:
  description: Volumes removed (leftovers of killed runs, or the image with O(state=absent)).
  returned: always
  type: list
  elements: str
image:
  description: The catalog entry, validated.
  returned: always
  type: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._image_step import CacheImage


class CacheImageModule(NovaliteModule):
    step = CacheImage


def main():
    CacheImageModule.execute()


if __name__ == '__main__':
    main()
