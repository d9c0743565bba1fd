#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: resize
short_description: Resize or cold-migrate an instance to another hypervisor, confirm or revert it (Nova's resize)
version_added: 0.3.0
description:
  - What Nova's compute manager does for C(openstack server resize --flavor FLAVOR) and
    C(openstack server migrate) (a resize to the same flavor), on the two hosts the caller chose
    (the playbooks C(novalite.compute.resize) and C(novalite.compute.migrate) have the scheduler
    choose the destination).
  - O(operation=resize) - C(prep_resize) on O(dest) - a claim of the new flavor (a placeholder
    of the instance's name and UUID, checked against the host's capacity and the server group's
    anti-affinity under the host's claim lock; the source keeps the old flavor's); then
    C(resize_instance) on O(source) - the guest shut down cleanly (at most
    O(shutdown_timeout) seconds, then powered off); the instance's networks, ports with the
    same MAC and fixed IP and network filters made on the destination; the cached images its
    disks are overlays of copied where missing; every disk streamed through libvirt
    (C(virStorageVolDownload) into C(virStorageVolUpload), no scp) to the same pool and path;
    then C(finish_resize) on O(dest) - the root and ephemeral disks grown to the new flavor's
    sizes, the domain defined with the new flavor's memory, vCPUs and CPU topology, started if
    the guest ran before. The instance is then C(resized) (Nova's C(VERIFY_RESIZE)) on O(dest),
    the source keeping its stopped copy with the old flavor.
  - O(operation=confirm) - C(confirm_resize) - removes the source's copy (domain, ports, network
    filter, disks, console log); the instance is C(active) (or C(stopped)) again.
  - O(operation=revert) - C(revert_resize) and C(finish_revert_resize) - removes the
    destination's copy and starts the source's again with the old flavor, as it was.
  - A failure at any step of a resize removes what was made on the destination and leaves the
    guest running on its source as before (Nova's C(InstanceFaultRollback)); the migration is
    closed in C(error) with the fault. Nova's refusals and wording - C(When resizing, instances
    must change flavor!), C(Resize error - Unable to resize disk down.), C(Cannot 'resize'
    instance UUID while it is in vm_state STATE), C(Cannot 'confirmResize' ...).
  - The record shows Nova's task states (C(resize_prep), C(resize_migrating),
    C(resize_migrated), C(resize_finish), C(resize_reverting)), the migration (type C(resize)
    or C(migration); status C(pre-migrating), C(migrating), C(post-migrating), C(finished),
    C(confirming)/C(confirmed), C(reverting)/C(reverted), C(error); the old and new flavor) and an
    action entry (C(resize), C(migrate), C(confirmResize), C(revertResize)). Killed and run
    again, a resize not finished is rolled back and made again; a finished one is left as it
    is; a confirm or a revert goes on where it stopped.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
options:
  operation:
    description: Resize (or cold-migrate), or confirm or revert the resize waiting on O(dest).
    type: str
    choices: [resize, confirm, revert]
    default: resize
  instance:
    description: The instance's name.
    type: str
    required: true
  flavor:
    description:
      - The new flavor (a catalog entry, as C(novalite_flavors) has it). Without it a resize is a
        cold migration (Nova's migration_type C(migration)). Only with O(operation=resize).
    type: dict
  source:
    description: The host the instance is on before the resize (and goes back to on a revert).
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
    description: The host the resize moves it to.
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
      settings:
        description:
          - The destination's claim settings (allocation ratios, reserved amounts), as
            M(novalite.compute.build_instances) takes them.
        type: dict
        default: {}
  cleanup:
    description:
      - Other hosts that may hold the destination copy of an earlier resize of the instance that
        was interrupted (the one its record names); removed there first.
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
  shutdown_timeout:
    description:
      - Seconds the guest has to shut down cleanly (ACPI) before it is powered off (Nova's
        C([DEFAULT] shutdown_timeout), or the image's C(os_shutdown_timeout)). V(0) powers it off at once.
    type: int
    default: 60
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
    details: Says what it would do (and whether it would roll back an interrupted resize first); changes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The instance's host before and after.
notes:
  - A resize on the instance's own host (Nova's C(allow_resize_to_same_host)) is not built; O(dest)
    must be another host.
  - The destination's network must leave the instance's fixed IP free (each host's libvirt
    network hands out its own addresses).
  - The disks go through the controller (two libvirt streams); a guest's downtime grows with its
    disks' written size, not their virtual size.
'''

EXAMPLES = r'''
- name: Resize web-1 to m1.large on hv2
  novalite.compute.resize:
    instance: web-1
    flavor: "{{ novalite_flavors | selectattr('name', 'eq', 'm1.large') | first }}"
    source: {host: hv1, uri: "qemu+ssh://root@hv1/system"}
    dest: {host: hv2, uri: "qemu+ssh://root@hv2/system"}
    networks: "{{ novalite_networks }}"
  delegate_to: localhost

- name: Confirm it (the copy on hv1 goes)
  novalite.compute.resize:
    operation: confirm
    instance: web-1
    source: {host: hv1, uri: "qemu+ssh://root@hv1/system"}
    dest: {host: hv2, uri: "qemu+ssh://root@hv2/system"}
  delegate_to: localhost
'''

RETURN = r'''
msg:
  description: What happened, in a sentence.
  returned: always
  type: str
host:
  description: The host the instance is on after the run.
  returned: always
  type: str
migration:
  description:
    - The migration as the record keeps it (uuid, migration_type C(resize) or C(migration),
      status, source_compute, dest_compute, old_flavor, new_flavor, old_vm_state, request_id,
      created_at, updated_at, error). None when nothing was done.
  returned: always
  type: dict
timings:
  description:
    - Seconds each step took (C(prep_resize), C(power_off), C(migrate_disks), C(finish_resize),
      C(confirm_resize), C(revert_resize), C(finish_revert_resize)); C(shutdown) says whether the
      guest stopped C(clean) or was C(forced).
  returned: always
  type: dict
server:
  description: The instance's uuid, vm_state, task_state and flavor name after the run.
  returned: always
  type: dict
novalite_events:
  description: The C(compute.instance.resize/resize_confirm/resize_revert.start/.end/.error) notifications.
  returned: when something was done
  type: list
  elements: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._resize import Resize


class ResizeModule(NovaliteModule):
    step = Resize


def main():
    ResizeModule.execute()


if __name__ == '__main__':
    main()
