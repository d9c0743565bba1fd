#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: build_instances
short_description: Build instances on one hypervisor, with rollback (Nova's build_and_run_instance)
version_added: 0.2.0
description:
  - A round of a boot in one module invocation - on each hypervisor of O(shares), what Nova's
    compute manager does in C(_build_and_run_instance) with its C(_build_resources) context.
    First the unfinished copies an earlier run left there (C(leftovers)) are removed; then the
    request's networks and images are made ready there once; then every instance of its
    C(instances) is built at the same time as the others, and the hosts at the same time - claim (M(novalite.compute.claim)), ports
    (M(novalite.compute.port)), security groups, disks (M(novalite.compute.block_device)),
    spawn and wait (M(novalite.compute.server)); these are the same steps the step modules
    run, called in process.
  - A build that fails at any step removes what this attempt made here - ports, disks, config
    drive, then the domain last, so that a rollback cut short is finished by the next run - and
    counts in the host's C(failed_builds). On an instance's last host with the request's
    C(keep_failed), the failed instance is kept in error instead. An instance of that name that
    another request made is never removed.
  - Each build's result says built or failed, why, what it made and how long each step took
    (C(claim), C(networking), C(block_device_mapping), C(spawning), and the host's
    C(prepare)). The module fails when any build failed, with every result in RV(builds); the
    playbook C(novalite.compute.boot) reschedules those to their next alternates.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
options:
  boot:
    description:
      - The validated request - the result of M(novalite.compute.boot_request).
    type: dict
    required: true
  shares:
    description:
      - Each hypervisor's share of the round - all of them are built at the same time, in this
        one invocation (a thread per host, and per instance within it).
    type: list
    elements: dict
    required: true
    suboptions:
      host:
        description: The hypervisor's name as the fleet knows it (its inventory name), recorded in results and notifications.
        type: str
        required: true
      uri:
        description: Its libvirt URI; by default O(uri).
        type: str
      instances:
        description:
          - The instances to build there, each C({name, uuid, launch_index, hosts}) as the conductor
            plans them (filter P(novalite.compute.boot_plan#filter)); C(hosts) is the selected host
            then the alternates, so the build knows whether this is the instance's last attempt.
        type: list
        elements: dict
        default: []
      leftovers:
        description:
          - Instances of this request whose unfinished copy (a claim or build an interrupted run
            left) is there, C({name}); removed first.
        type: list
        elements: dict
        default: []
      settings:
        description:
          - The host's settings - C(cpu_allocation_ratio), C(ram_allocation_ratio),
            C(disk_allocation_ratio), C(reserved_host_memory_mb), C(reserved_host_disk_mb),
            C(reserved_host_cpus) (for the claim) and C(virt_type) (C(kvm) or C(qemu)). Unset ones
            take Nova's defaults.
        type: dict
        default: {}
  round:
    description: The attempt this is (1 for the selected hosts, 2 for the first alternates, ...).
    type: int
    default: 1
  quota_limits:
    description:
      - The project's quota limits (C(instances), C(cores), C(ram); -1 unlimited), as the boot plan
        resolved them (P(novalite.compute.boot_plan#filter)'s C(quota.limits)). Given, every claim
        is followed by Nova's quota recheck - the project's instance records on every host of
        O(fleet) counted again, in the order they were claimed - and an instance over the quota
        withdraws its claim with Nova's message and is not rescheduled (another host would not
        do better). So racing runs of one project end with exactly their quota.
    type: dict
  fleet:
    description: The libvirt URIs of every compute host, where the quota recheck counts; by default the shares' URIs.
    type: list
    elements: str
  user_data:
    description: The request's user data, for the config drive.
    type: str
  admin_password:
    description: The request's admin password, for the config drive.
    type: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Reports what would be built and removed; reads and changes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''

EXAMPLES = r'''
# boot.yml chooses the hosts with the scheduler and runs the rounds; here the host is given.
- name: Build the validated request (novalite.compute.boot_request's result) on hv1
  novalite.compute.build_instances:
    boot: "{{ boot }}"
    shares:
      - host: hv1
        uri: qemu+ssh://root@hv1/system
        instances: "{{ boot.instances }}"
        settings: {virt_type: kvm}
    user_data: "{{ lookup('file', 'cloud-init.yml') }}"
  register: built
'''

RETURN = r'''
builds:
  description: One result per instance, share by share, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The instance.
      type: str
    host:
      description: The share's host.
      type: str
    round:
      description: O(round).
      type: int
    status:
      description: V(built), V(failed), or in check mode V(would build).
      type: str
    reason:
      description: Why it failed (null when built).
      type: str
    kept:
      description: The failed instance was kept in error (C(keep_failed) on its last attempt).
      type: bool
    reschedule:
      description: V(false) when no other host would do better (the project is over its quota); absent otherwise.
      type: bool
    made:
      description: What the attempt made here (C(claim), C(port NETWORK/NAME), C(disks), C(domain)), in order.
      type: list
      elements: str
    timings:
      description: Seconds each step took - C(prepare) (the host's, shared), C(claim), C(networking), C(block_device_mapping), C(spawning).
      type: dict
    uuid:
      description: The instance's UUID (when built).
      type: str
removed:
  description: The leftovers removed, as C(HOST/NAME).
  returned: always
  type: list
  elements: str
novalite_events:
  description: The notifications of the spawns, rollbacks and removals (see M(novalite.compute.server)).
  returned: when an instance action was taken
  type: list
  elements: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._compute_manager import BuildRound


class BuildInstancesModule(NovaliteModule):
    step = BuildRound


def main():
    BuildInstancesModule.execute()


if __name__ == '__main__':
    main()
