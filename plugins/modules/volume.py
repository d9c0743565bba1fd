#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: volume
short_description: Persistent volumes of a hypervisor (Cinder-like)
version_added: 0.1.0
description:
  - Ensures a persistent volume exists in the hypervisor's volumes pool, blank or made from a
    cached image (a copy, independent of the image cache), or that it is gone; over the libvirt
    storage API only.
  - A volume is the pool volume C(volume-<id>). The id is O(id), or derived from O(name), so the
    same name always finds the same volume. Block device mappings refer to volumes by that id.
  - A larger O(size) grows the volume; a smaller one is refused (volumes are never shrunk).
  - O(state=absent) is refused while a domain uses the volume, naming it.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  name:
    description: The volume's name; its id is derived from it when O(id) is not given.
    type: str
  id:
    description: The volume's id (a UUID).
    type: str
  size:
    description: Size in GiB. Required to create.
    type: int
  image:
    description: A cached image (M(novalite.compute.image)'s RV(novalite.compute.image#module:volume)) to make the volume from.
    type: dict
  pool:
    description: The volumes pool.
    type: str
    default: novalite-volumes
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: A 20 GiB data volume
  novalite.compute.volume:
    name: db-data
    size: 20
  register: vol

- name: Attach it at boot, by id
  ansible.builtin.set_fact:
    block_device_mapping:
      - {source_type: volume, destination_type: volume, uuid: "{{ vol.volume.id }}"}

- name: Grow it
  novalite.compute.volume:
    name: db-data
    size: 40
'''

RETURN = r'''
volume:
  description: The volume after the change (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  contains:
    id:
      description: The volume's id.
      type: str
    volume:
      description: The pool volume's name, C(volume-<id>).
      type: str
    path:
      description: Its path on the hypervisor.
      type: str
    size_gb:
      description: Size in GiB.
      type: int
    attached_to:
      description: Domains that use it.
      type: list
      elements: str
actions:
  description: What was done (or would be), in order.
  returned: always
  type: list
  elements: str
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _block_device
from ansible_collections.novalite.compute.plugins.module_utils import _volume


class Volume(NovaliteModule):
    argument_spec = dict(
        name=dict(type='str'),
        id=dict(type='str'),
        size=dict(type='int'),
        image=dict(type='dict'),
        pool=dict(type='str', default='novalite-volumes'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    module_kwargs = dict(required_one_of=[('name', 'id')])

    def run(self):
        p, hv = self.params, self.hypervisor
        if p['size'] is not None and p['size'] < 1:
            raise InvalidInput('size must be at least 1 GiB, got %d' % p['size'])
        vid = _volume.volume_id(p['name'], p['id'])
        vols = hv.volumes(p['pool'])
        if vols is None:
            raise InvalidInput("storage pool '%s' not found on %s" % (p['pool'], hv.uri))
        found = vols.get(_block_device.volume_name(vid))
        domains = hv.domains()
        current = _volume.describe(found, domains) if found else None
        actions = _volume.plan(current, p['size'], p['image'], p['state'])
        if not self.check_mode:
            self.apply(actions, vid, found)
        after = None
        if p['state'] == 'present':
            vols = hv.volumes(p['pool']) if not self.check_mode else vols
            now = vols.get(_block_device.volume_name(vid))
            planned = {'id': vid, 'volume': _block_device.volume_name(vid), 'size_gb': p['size'], 'attached_to': []}
            after = _volume.describe(now, domains) if now else planned
            if self.check_mode and 'grow' in actions:
                after = dict(after, size_gb=p['size'])
        result = dict(changed=bool(actions), actions=actions, volume=after)
        if self.want_diff:
            result['diff'] = dict(before=current or {}, after=after or {})
        return result

    def apply(self, actions, vid, found):
        p, hv = self.params, self.hypervisor
        for action in actions:
            if action == 'create':
                hv.create_volume(p['pool'], _volume.volume_xml(vid, p['size']), _block_device.volume_name(vid))
            elif action == 'create_from_image':
                source = [v for pool in hv.active_pools() for v in (hv.volumes(pool) or {}).values()
                          if v['path'] == p['image']['path']]
                if not source:
                    raise InvalidInput('the image %s is not in any pool of %s' % (p['image']['path'], hv.uri))
                hv.create_volume_from(p['pool'], _volume.volume_xml(vid, p['size']), _block_device.volume_name(vid),
                                      source[0]['handle'], p['size'] * _block_device.GiB)
            elif action == 'grow':
                hv.resize_volume(found['handle'], p['size'] * _block_device.GiB)
            elif action == 'remove':
                hv.delete_volume(found['handle'])


def main():
    Volume.execute()


if __name__ == '__main__':
    main()
