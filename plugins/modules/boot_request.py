#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: boot_request
short_description: Validate a whole boot request before any work (Nova's API and _create_instance checks)
version_added: 0.1.0
description:
  - The first step of C(playbooks/boot.yml). Checks everything a boot asks for against the
    inventory's catalogs before anything is created - the flavor against the image (min_ram,
    min_disk), the networks and fixed IPs, the block device mappings (Nova's BDM v2 rules),
    the instance names (Nova's C(name-1), C(name-2) for several), the counts, metadata, user
    data, the server group - and returns what the rest of the boot needs, the scheduler's
    request among it. Pure logic; run it on the controller. It changes nothing.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.attributes.INFO_MODULE
options:
  name:
    description: The instance's name (with C(max_count) > 1, the prefix of C(name-1), C(name-2), ...).
    type: str
    required: true
  flavor:
    description: Flavor name or id in O(flavors).
    type: str
    required: true
  image:
    description: Image name or id in O(images); omit to boot from a volume of O(block_device_mapping).
    type: str
  networks:
    description: One entry per interface, C({network, fixed_ip}).
    type: list
    elements: dict
    default: []
  block_device_mapping:
    description: BDM v2 entries as Nova's API takes them.
    type: list
    elements: dict
    default: []
  min_count:
    description: Fewest instances to build.
    type: int
    default: 1
  max_count:
    description: Most instances to build (default O(min_count)).
    type: int
  metadata:
    description: Server metadata (string keys and values, at most 255 characters).
    type: dict
    default: {}
  user_data:
    description: User data, checked against Nova's 65535-byte limit.
    type: str
  availability_zone:
    description: Availability zone (C(zone) or C(zone:host)).
    type: str
  scheduler_hints:
    description: Scheduler hints.
    type: dict
  server_group:
    description: C({name, policy, rules}).
    type: dict
  project_id:
    description: The project.
    type: str
  config_drive:
    description: Attach a config drive.
    type: bool
    default: false
  reservation_id:
    description: The request's reservation id (made when not given).
    type: str
  flavors:
    description: The flavor catalog (C(novalite_flavors)).
    type: list
    elements: dict
    required: true
  images:
    description: The image catalog (C(novalite_images)).
    type: list
    elements: dict
    default: []
  network_catalog:
    description: The network catalog (C(novalite_networks)).
    type: list
    elements: dict
    default: []
'''

EXAMPLES = r'''
- name: Validate the request
  novalite.compute.boot_request:
    name: web
    flavor: m1.small
    image: debian-12
    networks: [{network: tenant}]
    max_count: 3
    flavors: "{{ novalite_flavors }}"
    images: "{{ novalite_images }}"
    network_catalog: "{{ novalite_networks }}"
  register: boot
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
instances:
  description: The instances to build, C({name, uuid, launch_index}).
  returned: success
  type: list
  elements: dict
scheduler_request:
  description: The request for the filter P(novalite.compute.select_hosts#filter).
  returned: success
  type: dict
flavor:
  description: The resolved flavor.
  returned: success
  type: dict
image:
  description: The resolved image (null when booting from a volume).
  returned: success
  type: dict
networks:
  description: The networks, C({network, fixed_ip, device}).
  returned: success
  type: list
  elements: dict
reservation_id:
  description: The request's reservation id.
  returned: success
  type: str
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils import _boot_request


class BootRequest(NovaliteModule):
    uses_hypervisor = False
    argument_spec = dict(
        name=dict(type='str', required=True),
        flavor=dict(type='str', required=True),
        image=dict(type='str'),
        networks=dict(type='list', elements='dict', default=[]),
        block_device_mapping=dict(type='list', elements='dict', default=[]),
        min_count=dict(type='int', default=1),
        max_count=dict(type='int'),
        metadata=dict(type='dict', default={}),
        user_data=dict(type='str', no_log=True),
        availability_zone=dict(type='str'),
        scheduler_hints=dict(type='dict'),
        server_group=dict(type='dict'),
        project_id=dict(type='str'),
        config_drive=dict(type='bool', default=False),
        reservation_id=dict(type='str'),
        flavors=dict(type='list', elements='dict', required=True),
        images=dict(type='list', elements='dict', default=[]),
        network_catalog=dict(type='list', elements='dict', default=[]),
    )

    def run(self):
        p = self.params
        result = _boot_request.validate(p, p['flavors'], p['images'], p['network_catalog'])
        result['changed'] = False
        return result


def main():
    BootRequest.execute()


if __name__ == '__main__':
    main()
