#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: claim
short_description: Claim an instance's resources on a hypervisor, race-safe (Nova's instance_claim)
version_added: 0.1.0
description:
  - The scheduler decides on facts that may be stale; the claim decides for real. It defines
    the instance's domain at once, holding only its instance record (C(vm_state) building,
    C(task_state) claimed), so libvirt itself now counts it; then it recounts the host's usage
    with its own claim included and checks Placement's formula
    C((total - reserved) * allocation_ratio >= used), and that the flavor fits the host's total
    (max_unit), for vCPUs, memory and disk - the same rule the scheduler placed with - and, for
    an anti-affinity server group, Nova's late check (members on the host within
    C(max_server_per_host)).
  - If the host is over, the claim withdraws (undefines its domain) and fails with the reason,
    so the build moves on to an alternate host. Claims on one host are made one at a time under
    the host's claim lock in libvirt (O(lock_timeout)), so racing claims fill its last room
    exactly and none is over capacity. No lock on the controller - AWX may run two jobs on
    different nodes.
  - An instance already defined on the host (claimed or built) by the same O(request_id) is not
    claimed again; one defined by another request fails the claim with that request named (two
    runs building the same name at once), as does a domain of that name that is not a novalite
    instance.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.STATEFUL
options:
  name:
    description: The instance's name.
    type: str
    required: true
  uuid:
    description: The instance's UUID (derived from the name by default, as the server module does).
    type: str
  flavor:
    description: The flavor.
    type: dict
    required: true
  boot_from_volume:
    description: The root disk is a volume (not counted as local disk).
    type: bool
    default: false
  server_group:
    description: The instance's server group.
    type: str
  group_policy:
    description: The server group's policy; C(anti-affinity) is checked here.
    type: str
  max_server_per_host:
    description: Members of an anti-affinity group allowed on one host.
    type: int
    default: 1
  cpu_allocation_ratio:
    description: The host's vCPU allocation ratio.
    type: float
    default: 4.0
  ram_allocation_ratio:
    description: The host's memory allocation ratio.
    type: float
    default: 1.0
  disk_allocation_ratio:
    description: The host's disk allocation ratio.
    type: float
    default: 1.0
  reserved_host_memory_mb:
    description: Memory kept for the host.
    type: int
    default: 512
  reserved_host_disk_mb:
    description: Disk kept for the host.
    type: int
    default: 0
  reserved_host_cpus:
    description: vCPUs kept for the host.
    type: int
    default: 0
  instances_pool:
    description: The instances pool (the host's local disk).
    type: str
    default: novalite-instances
  project_id:
    description: The instance's project.
    type: str
  request_id:
    description: The request; an instance already there from another request is not taken.
    type: str
  lock_timeout:
    description:
      - Claims on one host are made one at a time, under the host's claim lock (an empty volume
        C(novalite-claim.lock) of O(instances_pool), which libvirt creates for exactly one of
        several callers); so racing claims fill the host's last room exactly and never all
        withdraw. Seconds to wait for it; a lock held longer is taken as left by a claim that
        was killed, and broken once.
    type: int
    default: 30
  move:
    description:
      - The claim of a move on its destination (a live migration, M(novalite.compute.live_migration);
        a resize or cold migration, M(novalite.compute.resize)) - the placeholder carries the
        instance's O(move.vm_state), the move's O(move.task_state) and the migration, so that the
        scheduler and the audit see a move in progress, not a build.
    type: dict
    suboptions:
      vm_state:
        description: The instance's vm_state on its source.
        type: str
        required: true
      task_state:
        description: The move's task state (C(migrating) for a live migration, C(resize_prep) for a resize).
        type: str
        default: migrating
      migration:
        description: The migration entry (uuid, type, status, source and destination).
        type: dict
        required: true
'''

EXAMPLES = r'''
- name: Claim web-1 on its host
  novalite.compute.claim:
    uri: "{{ novalite_uri }}"
    name: web-1
    flavor: "{{ boot.flavor }}"
    cpu_allocation_ratio: "{{ cpu_allocation_ratio | default(4.0) }}"
'''

RETURN = r'''
lock_wait:
  description: Seconds the claim waited for the host's claim lock (other claims were being made).
  returned: when a claim was made
  type: float
usage:
  description: The host's Placement usage with this claim, per resource class - C(total), C(reserved), C(used), C(allocation_ratio), C(capacity).
  returned: success
  type: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._claim import Claim


class ClaimModule(NovaliteModule):
    step = Claim


def main():
    ClaimModule.execute()


if __name__ == '__main__':
    main()
