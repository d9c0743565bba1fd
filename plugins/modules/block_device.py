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

import xml.etree.ElementTree as ET

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _bdm
from ansible_collections.novalite.compute.plugins.module_utils import _block_device
from ansible_collections.novalite.compute.plugins.module_utils import _domain_xml
from ansible_collections.novalite.compute.plugins.module_utils import _flavor


class BlockDevice(NovaliteModule):
    argument_spec = dict(
        instance=dict(type='str', required=True),
        flavor=dict(type='dict', required=True),
        image_id=dict(type='str'),
        image=dict(type='dict'),
        image_properties=dict(type='dict', default={}),
        images=dict(type='dict', default={}),
        block_device_mapping=dict(type='list', elements='dict', default=[]),
        machine_type=dict(type='str', default='pc'),
        config_drive=dict(type='bool', default=False),
        instances_pool=dict(type='str', default='novalite-instances'),
        volumes_pool=dict(type='str', default='novalite-volumes'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )

    def run(self):
        p, hv = self.params, self.hypervisor
        _domain_xml.check_name(p['instance'], 'instance')
        _flavor.check_sizes(p['flavor'])
        pools = {name: hv.volumes(name) for name in (p['instances_pool'], p['volumes_pool'])}
        for name, vols in pools.items():
            if vols is None and p['state'] == 'absent':
                pools[name] = {}            # no pool, no disk of this instance in it
            elif vols is None:
                raise InvalidInput("storage pool '%s' not found on %s: prepare the host with the role "
                                   "novalite.compute.compute_host" % (name, hv.uri))
        existing_volumes = {n[len('volume-'):]: {'size': _capacity(v['xml']) // _block_device.GiB}
                            for n, v in pools[p['volumes_pool']].items() if n.startswith('volume-')}
        images = dict(p['images'])
        image = p['image']
        if p['state'] == 'absent':
            # Removing needs only the disks' names, which come from the instance and the
            # mapping: the cached images need not be given (a rollback may not have them).
            image = image or _ANY_IMAGE
            for entry in p['block_device_mapping']:
                if isinstance(entry, dict) and entry.get('source_type') == 'image' and entry.get('uuid'):
                    images.setdefault(entry['uuid'], _ANY_IMAGE)
        if p['image_id'] and image:
            images.setdefault(p['image_id'], image)
        bdms = _bdm.build(p['flavor'], _bdm.with_image_root(p['block_device_mapping'], p['image_id']) or None,
                          None, p['image_id'], images={i: {} for i in images}, volumes=existing_volumes)
        info = _bdm.block_device_info(bdms, p['image_properties'], p['machine_type'], p['config_drive'])
        disks = _block_device.plan(p['instance'], info, p['flavor'], image, images, p['instances_pool'],
                                   p['volumes_pool'])
        if p['state'] == 'absent':
            return self.remove(disks, pools)
        return self.create(disks, pools, info['root_device_name'])

    def create(self, disks, pools, root_device_name):
        hv, created, paths = self.hypervisor, [], {}
        for disk in disks:
            found = pools[disk['pool']].get(disk['name'])
            if found is not None:
                problems = _block_device.existing_matches(disk, found['xml']) if disk['make'] != 'existing' else []
                if problems:
                    raise InvalidInput("instance '%s': volume '%s' exists with %s; it is not this instance's %s "
                                       "(remove it, or use another instance name)"
                                       % (self.params['instance'], disk['name'], ', '.join(problems), disk['dev']))
                paths[disk['name']] = found['path']
                continue
            if disk['make'] == 'existing':
                raise InvalidInput("volume %s (%s) is not in storage pool '%s'" % (disk['volume_id'], disk['name'],
                                                                                   disk['pool']))
            created.append('%s/%s' % (disk['pool'], disk['name']))
            if self.check_mode:
                continue
            xml = _block_device.volume_xml(disk)
            if disk['make'] == 'copy':
                source = hv.volumes(self._pool_of(disk['source']['path']))
                src = [v for v in source.values() if v['path'] == disk['source']['path']][0]['handle']
                vol = hv.create_volume_from(disk['pool'], xml, disk['name'], src, disk['capacity'])
            else:
                vol = hv.create_volume(disk['pool'], xml, disk['name'])
            paths[disk['name']] = vol.path()
        return dict(changed=bool(created), created=created, removed=[],
                    block_device_info=_block_device.block_device_info(disks, paths, root_device_name))

    def remove(self, disks, pools):
        removed = []
        for disk in disks:
            found = pools[disk['pool']].get(disk['name'])
            if found is None or not disk['delete_on_termination']:
                continue
            removed.append('%s/%s' % (disk['pool'], disk['name']))
            if not self.check_mode:
                self.hypervisor.delete_volume(found['handle'])
        return dict(changed=bool(removed), created=[], removed=removed)

    def _pool_of(self, path):
        for name in self.hypervisor.active_pools():
            vols = self.hypervisor.volumes(name) or {}
            if any(v['path'] == path for v in vols.values()):
                return name
        raise InvalidInput('no storage pool holds %s' % path)


_ANY_IMAGE = {'path': '', 'data_path': '', 'format': 'qcow2', 'virtual_size': 0}


def _capacity(xml):
    return int(ET.fromstring(xml).findtext('capacity'))


def main():
    BlockDevice.execute()


if __name__ == '__main__':
    main()
