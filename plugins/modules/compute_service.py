#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: compute_service
short_description: Enable or disable a hypervisor's compute service (openstack compute service set --disable)
version_added: 0.3.0
description:
  - Nova keeps each compute service's status in its database; novalite keeps it on the
    hypervisor itself - a disabled host has a small volume C(novalite-service.disabled) in its
    instances pool with the reason and the time. M(novalite.compute.host_facts) reports it
    (C(service), and C(enabled) false with C(disabled_reason)), and the scheduler's
    ComputeFilter then drops the host with that reason, for boots and moves alike - as it does
    for a host the inventory disables (C(novalite_enabled) false). Its instances keep running.
  - Idempotent; check mode and diff mode tell what would change.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  status:
    description: V(disabled) takes the host out of scheduling; V(enabled) puts it back.
    type: str
    choices: [enabled, disabled]
    required: true
  disabled_reason:
    description: Why (Nova's C(--disable-reason)), at most 255 characters; only with V(disabled).
    type: str
  instances_pool:
    description: The storage pool of instance disks, where the marker lives.
    type: str
    default: novalite-instances
'''

EXAMPLES = r'''
- name: Take hv3 out of scheduling for a disk swap
  novalite.compute.compute_service:
    uri: qemu+ssh://root@hv3/system
    status: disabled
    disabled_reason: disk swap, ticket 4711

- name: Back in
  novalite.compute.compute_service:
    uri: qemu+ssh://root@hv3/system
    status: enabled
'''

RETURN = r'''
service:
  description: The service after the run - C(status), C(disabled_reason), C(updated_at).
  returned: always
  type: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._compute_service import ComputeService


class ComputeServiceModule(NovaliteModule):
    step = ComputeService


def main():
    ComputeServiceModule.execute()


if __name__ == '__main__':
    main()
