#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: audit
short_description: The leak checker - what novalite made on a hypervisor and what accounts for it
version_added: 0.1.0
description:
  - Lists every libvirt object of one hypervisor that novalite made - domains carrying an
    instance record, the disks, config drives, console logs and failed-build markers of the
    instances pool, the volumes of the volumes pool, the cached images, the DHCP reservations
    of the networks and the NVRAM files - and says which instance record accounts for each.
  - Reports C(orphans) (objects no record accounts for), C(missing) (objects a finished record
    lists that are not there), C(unfinished) (instances still building or only claimed, with
    what their build has made so far) and C(conflicts) (one address reserved twice in a
    network). An unused volume of the volumes pool is C(available), as in Cinder, not a leak.
  - Objects are recognised by the names novalite gives them; a domain without an instance
    record, or a volume or reservation named otherwise, is never reported as ours.
  - Only reads. The playbook C(playbooks/audit.yml) runs it across the fleet.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.INFO_MODULE
options:
  instances_pool:
    description: Pool of the instances' local disks, config drives and console logs.
    type: str
    default: novalite-instances
  volumes_pool:
    description: Pool of persistent volumes.
    type: str
    default: novalite-volumes
  images_pool:
    description: Pool of the image cache.
    type: str
    default: novalite-images
  nvram_dir:
    description:
      - Directory of the domains' UEFI variable stores, as the machine running the module sees it.
      - NVRAM files are only a filesystem's, not libvirt API objects; they are checked when this
        directory can be read. Defaults to C(/var/lib/libvirt/qemu/nvram) for the local
        C(qemu:///system); for a remote hypervisor run the module on it, or leave them unchecked
        (RV(audit.nvram_checked) says which).
    type: path
'''

EXAMPLES = r'''
- name: What novalite made on each hypervisor, and what leaked
  novalite.compute.audit:
    uri: "{{ novalite_uri }}"
  delegate_to: localhost
  register: audit

- name: Nothing leaked
  ansible.builtin.assert:
    that: audit.audit.clean
    fail_msg: "{{ audit.audit.orphans + audit.audit.missing + audit.audit.unfinished }}"
'''

RETURN = r'''
audit:
  description: The audit of the hypervisor.
  returned: always
  type: dict
  contains:
    host:
      description: The URI audited.
      type: str
    instances:
      description: The names of the novalite instances on the host.
      type: list
      elements: str
    objects:
      description:
        - Every object novalite made - C(kind) (domain, disk, config_drive, console_log, marker,
          volume, dhcp_host, nvram, image), C(where) (pool, network or directory), C(name),
          C(instance) (the instance it belongs to by its name; null for images and available volumes).
      type: list
      elements: dict
    orphans:
      description: Objects no instance record accounts for, each with a C(reason).
      type: list
      elements: dict
    missing:
      description: Objects a finished instance's record lists that are not there, each with a C(reason).
      type: list
      elements: dict
    unfinished:
      description: Instances still building or only claimed, with C(request_id) and the C(objects) made so far.
      type: list
      elements: dict
    conflicts:
      description: Addresses reserved twice in one network.
      type: list
      elements: dict
    available_volumes:
      description: Volumes of the volumes pool no instance uses (not a leak).
      type: list
      elements: str
    moves:
      description:
        - The open move (migration) of each instance that has one, by name - the fleet's verdict
          tells with it the instance from the second copy a move holds (a resize's source until
          confirm or revert, a claim on a destination).
      type: dict
    foreign_domains:
      description: Domains without an instance record (left alone).
      type: list
      elements: str
    nvram_checked:
      description: Whether the NVRAM directory could be read.
      type: bool
    counts:
      description: Objects per kind.
      type: dict
    clean:
      description: No orphan, nothing missing, nothing unfinished, no conflict.
      type: bool
  sample:
    host: qemu:///system
    instances: [web-1]
    orphans:
      - {kind: disk, where: novalite-instances, name: web-2_disk, instance: web-2,
         reason: "no instance 'web-2' on this host"}
    missing: []
    unfinished: []
    conflicts: []
    clean: false
'''

import os

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils import _audit
from ansible_collections.novalite.compute.plugins.module_utils import _network

LOCAL_NVRAM_DIR = '/var/lib/libvirt/qemu/nvram'


class Audit(NovaliteModule):
    readonly = False     # a pool refresh (a re-scan) shows the files QEMU made itself, such as console logs
    argument_spec = dict(
        instances_pool=dict(type='str', default='novalite-instances'),
        volumes_pool=dict(type='str', default='novalite-volumes'),
        images_pool=dict(type='str', default='novalite-images'),
        nvram_dir=dict(type='path'),
    )

    def run(self):
        hv, p = self.hypervisor, self.params
        nvram_dir = p['nvram_dir'] or (LOCAL_NVRAM_DIR if p['uri'] == 'qemu:///system' else None)
        nvram_files = None
        if nvram_dir and os.path.isdir(nvram_dir):
            nvram_files = sorted(os.listdir(nvram_dir))

        def names(pool):
            vols = hv.volumes(pool)
            return None if vols is None else sorted(vols)

        networks = {net: _network.describe(xml)[1] for net, xml in hv.network_xmls().items()}
        # Persistent XML: the record as saved, whether the domain runs or not.
        domains = []
        for dom in hv.domains():
            state = hv.domain_state(dom['name'])
            if state is not None:                 # gone while listing
                domains.append({'name': dom['name'], 'xml': state['xml']})
        result = _audit.audit(p['uri'], domains, p['instances_pool'], names(p['instances_pool']),
                              p['volumes_pool'], names(p['volumes_pool']), p['images_pool'], names(p['images_pool']),
                              networks, nvram_dir, nvram_files)
        for pool in (p['instances_pool'], p['volumes_pool'], p['images_pool']):
            if hv.pool(pool) is None:
                self.module.warn("storage pool '%s' is missing on %s: its volumes are not audited" % (pool, hv.uri))
        return dict(changed=False, audit=result)


def main():
    Audit.execute()


if __name__ == '__main__':
    main()
