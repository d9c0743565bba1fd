#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: volume_info
short_description: The persistent volumes of a hypervisor and what uses them
version_added: 0.1.0
description:
  - Lists the volumes of the hypervisor's volumes pool with their id, size and the domains they
    are attached to; over the libvirt API only.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.INFO_MODULE
options:
  pool:
    description: The volumes pool.
    type: str
    default: novalite-volumes
  id:
    description: Only this volume.
    type: str
'''

EXAMPLES = r'''
- name: Every volume and where it is attached
  novalite.compute.volume_info:
  register: volumes

- name: Volumes nothing uses
  ansible.builtin.debug:
    msg: "{{ volumes.volumes | rejectattr('attached_to') | map(attribute='id') | list }}"
'''

RETURN = r'''
volumes:
  description: The volumes.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The volume's id.
      type: str
    volume:
      description: The pool volume's name.
      type: str
    path:
      description: Its path.
      type: str
    size_gb:
      description: Size in GiB.
      type: int
    capacity:
      description: Size in bytes.
      type: int
    allocation:
      description: Bytes actually used.
      type: int
    format:
      description: qcow2 or raw.
      type: str
    attached_to:
      description: Domains that use it (empty when detached).
      type: list
      elements: str
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._errors import InvalidInput
from ansible_collections.novalite.compute.plugins.module_utils import _volume


class VolumeInfo(NovaliteModule):
    argument_spec = dict(
        pool=dict(type='str', default='novalite-volumes'),
        id=dict(type='str'),
    )

    def run(self):
        hv = self.hypervisor
        vols = hv.volumes(self.params['pool'])
        if vols is None:
            raise InvalidInput("storage pool '%s' not found on %s" % (self.params['pool'], hv.uri))
        domains = hv.domains()
        found = [_volume.describe(v, domains) for name, v in sorted(vols.items()) if name.startswith('volume-')]
        if self.params['id']:
            found = [v for v in found if v['id'] == self.params['id']]
        return dict(changed=False, volumes=found)


def main():
    VolumeInfo.execute()


if __name__ == '__main__':
    main()
