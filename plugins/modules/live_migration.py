#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: live_migration
short_description: Live-migrate a running instance to another hypervisor (Nova's live_migration)
version_added: 0.3.0
description:
  - What Nova's compute manager does for C(openstack server migrate --live-migration), on the
    two hosts the caller chose (the playbook C(novalite.compute.live_migrate) has the scheduler
    choose the destination) - C(pre_live_migration) on O(dest) - a claim of the instance's
    flavor (a placeholder of the same name and UUID, checked against the host's capacity and the
    server group's anti-affinity under the host's claim lock), its networks and ports with the
    same MAC and fixed IP, its network filters, the cached images its disks are overlays of,
    empty disks of the same sizes at the same paths, a copy of its config drive - then libvirt's
    live migration with the disks copied (storage is never shared between novalite hosts - Nova's
    block migration), driven from the controller while the memory and the disks go straight
    from one QEMU to the other, watched every half second, aborted past the completion timeout;
    then C(_post_live_migration) - the source's ports, filter, disks and console log go, and the
    record on the destination is closed (C(task_state) none, the migration C(completed)).
  - The guest does not stop or reboot; it keeps its MAC and IP addresses.
  - A failure at any step leaves the guest running on the source, removes what was made on the
    destination, and closes the migration in C(error) with the fault; the module fails with Nova's
    wording where Nova has it.
  - The instance record shows C(task_state) C(migrating) and the migration (uuid, status
    C(accepted), C(preparing), C(running), then C(completed) or C(error), source and destination,
    memory and disk statistics) from the start, and the action log a C(live-migration) entry.
    Run again after a run that was killed, it finishes a migration that libvirt completed, or
    rolls back one it did not and migrates again.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
options:
  instance:
    description: The instance's name.
    type: str
    required: true
  source:
    description: The host the instance runs on.
    type: dict
    required: true
    suboptions:
      host:
        description: Its name in the inventory.
        type: str
        required: true
      uri:
        description: Its libvirt URI, as the controller reaches it.
        type: str
        required: true
  dest:
    description: The host to move it to.
    type: dict
    required: true
    suboptions:
      host:
        description: Its name in the inventory.
        type: str
        required: true
      uri:
        description: Its libvirt URI, as the controller reaches it.
        type: str
        required: true
      address:
        description:
          - The address the source's QEMU sends the memory and the disks to (Nova's
            C([libvirt] live_migration_inbound_addr)); by default the host part of O(dest.uri).
            Without one libvirt uses the destination's host name.
        type: str
      settings:
        description:
          - The destination's claim settings (allocation ratios, reserved amounts), as
            M(novalite.compute.build_instances) takes them.
        type: dict
        default: {}
  cleanup:
    description:
      - Other hosts that may hold the destination copy of an earlier migration of the instance
        that was interrupted (the one its record names); removed there first.
    type: list
    elements: dict
    default: []
    suboptions:
      host:
        description: Its name in the inventory.
        type: str
        required: true
      uri:
        description: Its libvirt URI.
        type: str
        required: true
  networks:
    description:
      - The network catalog entries (C(novalite_networks)) of the instance's networks, to define
        them on the destination if it lacks them.
    type: list
    elements: dict
    default: []
  request_id:
    description: The request this is part of; by default a new one.
    type: str
  completion_timeout:
    description:
      - Seconds allowed per GiB of memory (at least 2 counted) and disk to copy before the
        migration is aborted (Nova's C([libvirt] live_migration_completion_timeout), action
        C(abort)). V(0) waits for ever.
    type: int
    default: 800
  instances_pool:
    description: The storage pool of instance disks.
    type: str
    default: novalite-instances
  images_pool:
    description: The storage pool of the image cache.
    type: str
    default: novalite-images
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Says whether it would migrate (or finish or roll back an interrupted migration first); changes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The instance's host before and after.
notes:
  - The destination's network must leave the instance's fixed IP free (each host's libvirt
    network hands out its own addresses); a taken address fails the migration before it starts.
  - The hypervisors must reach each other at O(dest.address) (TCP, libvirt's migration ports
    49152-49215 and NBD); the controller reaches both by their URIs. No SSH between hypervisors.
'''

EXAMPLES = r'''
- name: Move web-1 from hv1 to hv2 while it runs
  novalite.compute.live_migration:
    instance: web-1
    source: {host: hv1, uri: "qemu+ssh://root@hv1/system"}
    dest: {host: hv2, uri: "qemu+ssh://root@hv2/system", address: 10.0.0.12}
    networks: "{{ novalite_networks }}"
  delegate_to: localhost
'''

RETURN = r'''
msg:
  description: What happened, in a sentence.
  returned: always
  type: str
migration:
  description:
    - The migration as the record keeps it (uuid, migration_type C(live-migration), status,
      source_compute, dest_compute, request_id, created_at, updated_at, memory_* and disk_*
      statistics, error). None when nothing was done.
  returned: always
  type: dict
progress:
  description:
    - Samples every 2 seconds while libvirt migrates - seconds elapsed, percent of memory and of
      disk left to copy, MiB sent.
  returned: always
  type: list
  elements: dict
timings:
  description: Seconds each step took (C(pre_live_migration), C(live_migration), C(post_live_migration)).
  returned: always
  type: dict
server:
  description: The instance's uuid, vm_state and task_state after the run.
  returned: always
  type: dict
novalite_events:
  description: The C(compute.instance.live_migration.start/.end/.error) notifications.
  returned: when a migration was started or finished
  type: list
  elements: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._live_migration import LiveMigration


class LiveMigrationModule(NovaliteModule):
    step = LiveMigration


def main():
    LiveMigrationModule.execute()


if __name__ == '__main__':
    main()
