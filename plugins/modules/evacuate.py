#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: evacuate
short_description: Rebuild an instance of a down host on this one (Nova's evacuate)
version_added: 0.3.0
description:
  - What Nova's compute manager does on the destination of C(openstack server evacuate)
    (C(rebuild_instance) with a new host) - the instance made again on the host of O(uri) from
    its O(record) (as C(host_facts) last wrote it for the down host) and its O(image) - a claim of
    its flavor (capacity and the server group's anti-affinity under the host's claim lock), its
    networks and ports with the same MAC and fixed IP, its security groups, a new root disk from
    the image (ephemeral data is lost, as in Nova), a new config drive, the guest spawned with the
    same name and UUID. A stopped instance is evacuated stopped.
  - The record keeps its history (creation time, action log, migrations) with an C(evacuate)
    action and a migration of type C(evacuation) (status C(done)) from O(source) - which is how a
    later run tells the down host's copies, when it answers again, for stale ones.
  - Run again after a run that was killed, an evacuation not finished goes on from its claim; one
    done does nothing. A failure removes what was made here.
  - The playbook C(novalite.compute.evacuate) chooses the hosts (the scheduler) and removes the
    stale copies.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
options:
  record:
    description: The instance's record (name, uuid, flavor, image, ports, groups, ...), as the records file has it.
    type: dict
    required: true
  image:
    description: The catalog entry of its image (C(novalite_images)).
    type: dict
    required: true
  source:
    description: The down host it is evacuated from.
    type: str
    required: true
  host:
    description: This host's name in the inventory.
    type: str
  networks:
    description: The network catalog entries (C(novalite_networks)) of its networks, to define them here if missing.
    type: list
    elements: dict
    default: []
  security_groups:
    description: The security group catalog (C(novalite_security_groups)).
    type: list
    elements: dict
    default: []
  public_key:
    description: The public key of its key pair, for the config drive.
    type: str
  settings:
    description: This host's claim settings and virt_type, as M(novalite.compute.build_instances) takes them.
    type: dict
    default: {}
  request_id:
    description: The request this is part of; by default a new one.
    type: str
  wait_for:
    description: What shows the guest is up (as M(novalite.compute.server)).
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
    details: Says whether it would rebuild the instance here; changes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - The user data the instance had is on its config drive on the down host and cannot be read,
    so the new config drive has none (Nova keeps it in its database).
  - An instance booted from a volume, or with volumes attached, is not evacuated (not built yet).
'''

EXAMPLES = r'''
- name: Rebuild web-1 of the down hv3 on hv1
  novalite.compute.evacuate:
    uri: "qemu+ssh://root@hv1/system"
    host: hv1
    source: hv3
    record: "{{ (lookup('file', '~/.cache/novalite/records/hv3.json') | from_json).records | selectattr('name', 'eq', 'web-1') | first }}"
    image: "{{ novalite_images | selectattr('id', 'eq', 'cirros') | first }}"
    networks: "{{ novalite_networks }}"
  delegate_to: localhost
'''

RETURN = r'''
msg:
  description: What happened, in a sentence.
  returned: always
  type: str
server:
  description: The instance's uuid, vm_state and power state.
  returned: always
  type: dict
ports:
  description: Its ports here (network, MAC, IP) - the same as on the down host.
  returned: when rebuilt
  type: list
  elements: dict
migration:
  description: The C(evacuation) migration on its record.
  returned: when rebuilt
  type: dict
novalite_events:
  description: The C(compute.instance.evacuate.start/.end/.error) notifications.
  returned: when something was done
  type: list
  elements: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils._evacuate import Evacuate


class EvacuateModule(NovaliteModule):
    step = Evacuate


def main():
    EvacuateModule.execute()


if __name__ == '__main__':
    main()
