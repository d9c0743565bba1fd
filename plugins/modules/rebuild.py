#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: rebuild
short_description: Rebuild an instance from the same or another image on its host (Nova's rebuild)
version_added: 0.3.0
description:
  - What Nova's compute manager does for C(openstack server rebuild [--image IMAGE] [--user-data
    FILE] [--preserve-ephemeral]) (C(rebuild_instance) with the libvirt driver's default
    rebuild) - the image cached on the host (and checked against the flavor - C(min_ram),
    C(min_disk), its size against the root disk, Nova's wording); the guest powered off; its root
    disk made again from the image, its ephemeral disk too unless O(preserve_ephemeral), its swap
    disk; a new config drive with O(user_data), O(admin_password), O(metadata) when given, else
    what the old drive gave the guest (read from it); then the guest spawned again over its own
    definition.
  - The instance keeps its name, UUID, ports (MAC and fixed IP), flavor, security groups, server
    group and zone; its record keeps its creation time, action log and migrations, with a
    C(rebuild) action added, and C(launched_at) is new. A stopped instance is stopped again
    afterwards (Nova's rule).
  - The record shows Nova's task states (C(rebuilding), C(rebuild_block_device_mapping),
    C(rebuild_spawning)); run again after a run that was killed, the rebuild goes on from the
    start. A failure leaves the instance in vm_state C(error) with the fault, as Nova does; a
    rebuild again repairs it.
  - Every run rebuilds (it is an action, as Nova's API call); check mode says what it would do.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
options:
  name:
    description: The instance's name.
    type: str
    required: true
  image:
    description:
      - The image to rebuild from, a catalog entry as C(novalite_images) has it (the same image,
        or another).
    type: dict
    required: true
  user_data:
    description: New user data for the config drive; by default the user data the instance had.
    type: str
  admin_password:
    description: A new admin password for the config drive; by default the one the instance had.
    type: str
  metadata:
    description: New metadata (string values) for the config drive; by default the instance's.
    type: dict
  preserve_ephemeral:
    description: Keep the ephemeral disk (and its data) instead of making it again empty.
    type: bool
    default: false
  request_id:
    description: The request this is part of; by default a new one.
    type: str
  host:
    description: The host's name in the inventory (for the notifications).
    type: str
  virt_type:
    description: The hypervisor's virtualization type.
    type: str
    choices: [kvm, qemu]
    default: kvm
  wait_for:
    description: What shows the guest is up again (as M(novalite.compute.server)).
    type: str
    choices: [running, boot_marker, ip]
    default: running
  boot_marker:
    description: The console text that shows the guest booted, with O(wait_for=boot_marker).
    type: str
    default: 'login:|NOVALITE-GUEST-REPORT'
  timeout:
    description: Seconds to wait for the guest.
    type: int
    default: 300
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
    details: Checks the instance and the image (the image is not cached); changes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The instance's image before and after.
notes:
  - An instance booted from a volume, or with volumes attached, is refused (not built yet).
'''

EXAMPLES = r'''
- name: Rebuild web-1 from debian-12 with new user data
  novalite.compute.rebuild:
    uri: "qemu+ssh://root@hv1/system"
    name: web-1
    image: "{{ novalite_images | selectattr('name', 'eq', 'debian-12') | first }}"
    user_data: "{{ lookup('file', 'cloud-init.yml') }}"
  delegate_to: localhost
'''

RETURN = r'''
msg:
  description: What happened, in a sentence.
  returned: success
  type: str
image:
  description: The image id before and after (C(before), C(after)).
  returned: always
  type: dict
server:
  description: The instance's uuid, vm_state, task_state and power state after the run.
  returned: always
  type: dict
ports:
  description: The instance's ports (network, MAC, IP) - the same as before.
  returned: success
  type: list
  elements: dict
spawn_actions:
  description: What the spawn did (C(config_drive), C(define), C(start), C(wait)).
  returned: success
  type: list
  elements: str
novalite_events:
  description: The C(compute.instance.rebuild.start/.end/.error) notifications.
  returned: when a rebuild was done or failed
  type: list
  elements: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._rebuild import Rebuild


class RebuildModule(NovaliteModule):
    step = Rebuild


def main():
    RebuildModule.execute()


if __name__ == '__main__':
    main()
