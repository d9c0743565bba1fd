#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: storage_pool
short_description: Directory storage pools of a libvirt hypervisor
version_added: 0.1.0
description:
  - Ensures a directory storage pool is defined persistently, built, active and autostarted,
    or that it is gone. Over the libvirt API only.
  - novalite keeps its image cache, instance disks and persistent volumes in three such pools
    (C(novalite-images), C(novalite-instances), C(novalite-volumes)); the role
    C(novalite.compute.compute_host) creates them.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  name:
    description: Name of the pool.
    type: str
    required: true
  path:
    description:
      - Directory that holds the pool's volumes; created when the pool is built.
      - Required when O(state=present). The path of an existing pool is never changed; a
        different path is an error.
    type: path
  mode:
    description: Permissions of the directory when the pool creates it.
    type: str
    default: '0711'
  autostart:
    description: Whether libvirtd starts the pool when it starts.
    type: bool
    default: true
  state:
    description:
      - V(present) defines, builds and starts the pool.
      - V(absent) stops and undefines it; the directory and any files in it are left alone.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: The instance disk pool of a hypervisor
  novalite.compute.storage_pool:
    name: novalite-instances
    path: /var/lib/libvirt/novalite/instances

- name: A remote hypervisor, from the controller
  novalite.compute.storage_pool:
    uri: qemu+ssh://root@hv2/system
    name: novalite-images
    path: /var/lib/libvirt/novalite/images

- name: Remove a pool (its files stay)
  novalite.compute.storage_pool:
    name: scratch
    state: absent
'''

RETURN = r'''
pool:
  description: The pool after the change (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Pool name.
      type: str
    type:
      description: Pool type.
      type: str
      sample: dir
    path:
      description: Target directory.
      type: str
    active:
      description: Whether the pool is running.
      type: bool
    autostart:
      description: Whether the pool starts with libvirtd.
      type: bool
actions:
  description: What was done (or would be in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [define, start, autostart]
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils import _storage_pool


class StoragePool(NovaliteModule):
    argument_spec = dict(
        name=dict(type='str', required=True),
        path=dict(type='path'),
        mode=dict(type='str', default='0711'),
        autostart=dict(type='bool', default=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
    )
    module_kwargs = dict(required_if=[('state', 'present', ['path'])])

    def run(self):
        p = self.params
        _storage_pool.validate(p['name'], p['path'], p['mode'])
        current = _storage_pool.describe(self.hypervisor.pool_state(p['name']), p['name'])
        actions = _storage_pool.plan(current, p['name'], p['path'], p['autostart'], p['state'])
        desired = _storage_pool.after(current, p['name'], p['path'], p['autostart'], actions)
        if not self.check_mode:
            self.apply(actions)
        result = dict(changed=bool(actions), actions=actions, pool=desired)
        if self.want_diff:
            result['diff'] = dict(before=current or {}, after=desired or {})
        return result

    def apply(self, actions):
        p, hv = self.params, self.hypervisor
        for action in actions:
            if action == 'define':
                hv.define_pool(_storage_pool.desired_xml(p['name'], p['path'], p['mode']), p['name'])
            elif action == 'start':
                hv.start_pool(p['name'])
            elif action == 'autostart':
                hv.set_pool_autostart(p['name'], p['autostart'])
            elif action == 'remove':
                hv.remove_pool(p['name'])


def main():
    StoragePool.execute()


if __name__ == '__main__':
    main()
