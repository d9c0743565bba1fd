#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: block_device
short_description: An instance's disks from its block device mappings (Nova's _prep_block_device)
version_added: 0.1.0
description:
  - Validates the request's block device mappings with Nova's rules (BDM v2; the flavor's
    ephemeral and swap disks added; boot indexes, sizes, one swap, device names), names the
    devices as Nova's libvirt driver does, and creates on the hypervisor, over the libvirt
    storage API only, what the mappings ask for.
  - The root disk from an image is a qcow2 overlay on the cached image (from
    M(novalite.compute.image)), sized to the flavor's C(root_gb) (never smaller than the image).
    Ephemeral and swap disks are blank qcow2 volumes; their filesystems (C(guest_format)) are
    left for the guest to make, as libvirt cannot format a volume. Volumes go to the volumes
    pool - blank, copied from a cached image, or existing ones attached by id; a volume with
    C(boot_index) 0 is boot from volume.
  - Idempotent. Disks that exist with the same size and backing are kept; one with the same name
    but a different size or backing is an error, never replaced. Returns Nova's
    C(block_device_info) for the spawn step.
  - O(state=absent) deletes the instance's local disks and the volumes whose mapping says
    C(delete_on_termination), and keeps the others.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  instance:
    description: The instance's name (the disks are named after it).
    type: str
    required: true
  instance_uuid:
    description:
      - The instance's UUID; the ids of the volumes its mappings create derive from it, so that a
        new instance of the same name gets new volumes and never takes over those an earlier one
        kept (C(delete_on_termination) false).
      - By default derived from O(instance), as M(novalite.compute.server) derives its UUID; give the
        instance's real UUID (M(novalite.compute.boot_request) makes a new one for every instance).
    type: str
  flavor:
    description: The flavor (M(novalite.compute.flavor)'s RV(novalite.compute.flavor#module:flavor)); C(root_gb), C(ephemeral_gb) and C(swap) are used.
    type: dict
    required: true
  image_id:
    description: The request's image (Nova's imageRef); its root mapping is added first unless a mapping boots first.
    type: str
  image:
    description:
      - The cached image of O(image_id) on this host (M(novalite.compute.image)'s RV(novalite.compute.image#module:volume)).
      - Not needed with O(state=absent), nor are O(images) - the disks' names come from the instance and the mapping.
    type: dict
  image_properties:
    description: The image's properties (C(hw_disk_bus) chooses the bus).
    type: dict
    default: {}
  images:
    description: Cached images by id, for mappings of an image to a volume.
    type: dict
    default: {}
  block_device_mapping:
    description: The request's block device mappings (BDM v2 entries, as Nova's API takes them).
    type: list
    elements: dict
    default: []
  machine_type:
    description: The machine type (the config drive's bus depends on it).
    type: str
    default: pc
  config_drive:
    description: Reserve the config drive's device name (it is made by the spawn step).
    type: bool
    default: false
  instances_pool:
    description: Pool of the instances' local disks.
    type: str
    default: novalite-instances
  volumes_pool:
    description: Pool of persistent volumes.
    type: str
    default: novalite-volumes
  delete_created:
    description:
      - With O(state=absent), also delete the volumes the mappings create (blank, or from an image),
        whatever their C(delete_on_termination) - the rollback of a build that never finished, whose
        instance nobody used; volumes attached by id are always kept.
    type: bool
    default: false
  state:
    description: V(present) creates the disks, V(absent) deletes them.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The disks of web-1
  novalite.compute.block_device:
    instance: web-1
    flavor: "{{ flavor.flavor }}"
    image_id: debian-12
    image: "{{ cached.volume }}"
    block_device_mapping:
      - {source_type: blank, destination_type: volume, volume_size: 10, delete_on_termination: true}
  register: disks
'''

RETURN = r'''
block_device_info:
  description: Nova's block_device_info for the spawn step; every disk with its device name, bus, pool, volume and path.
  returned: state is present
  type: dict
  contains:
    root_device_name:
      description: The root disk's device.
      type: str
      sample: /dev/vda
    boot_from_volume:
      description: Whether the root disk is a volume.
      type: bool
    disks:
      description: Every disk in order (root, ephemerals, swap, volumes).
      type: list
      elements: dict
created:
  description: Volumes created (or that would be in check mode).
  returned: always
  type: list
  elements: str
removed:
  description: Volumes deleted (or that would be in check mode).
  returned: always
  type: list
  elements: str
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._disks import Disks


class DisksModule(NovaliteModule):
    step = Disks


def main():
    DisksModule.execute()


if __name__ == '__main__':
    main()
