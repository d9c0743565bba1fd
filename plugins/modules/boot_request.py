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
  request:
    description:
      - The boot request - the fields of C(playbooks/boot.yml)'s C(server) (docs/boot.md), in one dict.
      - An unknown field is an error naming it.
      - An optional text field given as an empty string counts as not given (a form's blank
        answer, such as an AWX survey's); a required one left empty is refused.
    type: dict
    required: true
    suboptions:
      name:
        description: The instance's name (with C(max_count) > 1, the prefix of C(name-1), C(name-2), ...).
        type: str
        required: true
      flavor:
        description: Flavor name or id in O(catalog.flavors).
        type: str
        required: true
      image:
        description: Image name or id in O(catalog.images); omit to boot from a volume of O(request.block_device_mapping).
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
        description: Most instances to build (default O(request.min_count)).
        type: int
      metadata:
        description: Server metadata (string keys and values, at most 255 characters).
        type: dict
        default: {}
      user_data:
        description: User data, checked against Nova's 65535-byte limit.
        type: str
      admin_password:
        description: The admin password for the config drive; checked to be a string, never returned.
        type: str
      key_name:
        description: The key pair to inject, by name in O(catalog.keypairs) unless O(request.public_key) is given.
        type: str
      public_key:
        description: An OpenSSH public key to inject (under O(request.key_name), or C(default)).
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
      security_groups:
        description:
          - The instances' security groups, by name, of the project's (O(catalog.security_groups)
            and C(default)); Nova's default - V([default]).
          - With neither this nor O(catalog.security_groups), the instances get no filter (Nova's
            NoopFirewallDriver).
        type: list
        elements: str
      wait_for:
        description:
          - What each instance's build waits for - V(running), V(boot_marker) (O(request.boot_marker) on its serial console)
            or V(ip) (every port has its DHCP lease).
        type: str
        choices: [running, boot_marker, ip]
        default: running
      boot_marker:
        description: The regular expression the serial console shows once the guest booted (with O(request.wait_for=boot_marker)).
        type: str
      timeout:
        description: Seconds each instance's build waits.
        type: int
        default: 300
      keep_failed:
        description: Keep an instance whose last attempt failed on its host, in error, for debugging (by default everything of it is removed).
        type: bool
        default: false
  catalog:
    description: The inventory's catalogs the request is resolved against.
    type: dict
    required: true
    suboptions:
      flavors:
        description: The flavor catalog (C(novalite_flavors)).
        type: list
        elements: dict
        default: []
      images:
        description: The image catalog (C(novalite_images)).
        type: list
        elements: dict
        default: []
      networks:
        description: The network catalog (C(novalite_networks)).
        type: list
        elements: dict
        default: []
      keypairs:
        description: The key pair catalog (C(novalite_keypairs)), C({name, public_key}).
        type: list
        elements: dict
        default: []
      security_groups:
        description:
          - The security group catalog (C(novalite_security_groups)) - C({name, project_id, description,
            rules}); see M(novalite.compute.security_group) for the rules. Every rule is checked here.
        type: list
        elements: dict
'''

EXAMPLES = r'''
- name: Validate the request
  novalite.compute.boot_request:
    request:
      name: web
      flavor: m1.small
      image: debian-12
      networks: [{network: tenant}]
      max_count: 3
    catalog:
      flavors: "{{ novalite_flavors }}"
      images: "{{ novalite_images }}"
      networks: "{{ novalite_networks }}"
  register: boot
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
project_id:
  description: The instances' project (null when none).
  returned: success
  type: str
metadata:
  description: The server metadata, checked.
  returned: success
  type: dict
availability_zone:
  description: The requested availability zone (null when none).
  returned: success
  type: str
wait_for:
  description: What each build waits for.
  returned: success
  type: str
boot_marker:
  description: The boot marker each build waits for (null for the server module's default).
  returned: success
  type: str
timeout:
  description: Seconds each build waits.
  returned: success
  type: int
keep_failed:
  description: Whether a last failed attempt is kept in error.
  returned: success
  type: bool
security_groups:
  description: The instances' security groups; null without security groups.
  returned: success
  type: list
  elements: str
security_group_catalog:
  description: The project's security groups with their checked rules (C(default) among them); null without security groups.
  returned: success
  type: list
  elements: dict
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
image_properties:
  description:
    - The properties the instance is placed and built with - the image's, or without an image those of the boot
      device's image (Nova's get_bdm_image_metadata).
  returned: success
  type: dict
networks:
  description: The networks, C({network, fixed_ip, device}).
  returned: success
  type: list
  elements: dict
key_name:
  description: The key pair's name (null when none).
  returned: success
  type: str
public_key:
  description: The public key to inject (null when none).
  returned: success
  type: str
min_count:
  description: Fewest instances to build.
  returned: success
  type: int
max_count:
  description: Most instances to build.
  returned: success
  type: int
config_drive:
  description: Whether the instances get a config drive (asked, or the image's C(img_config_drive) is C(mandatory)).
  returned: success
  type: bool
name:
  description: The instance name (the prefix with several instances).
  returned: success
  type: str
kernel:
  description: The image's kernel (C(kernel_id)) resolved in the catalog, or null.
  returned: success
  type: dict
ramdisk:
  description: The image's ramdisk (C(ramdisk_id)) resolved in the catalog, or null.
  returned: success
  type: dict
network_catalog:
  description: The catalog entries of the requested networks, in interface order.
  returned: success
  type: list
  elements: dict
image_catalog:
  description: The catalog entries of the image, its kernel and its ramdisk (those there are), as M(novalite.compute.image) takes them.
  returned: success
  type: list
  elements: dict
block_device_mapping:
  description: The block device mapping as given (validated).
  returned: success
  type: list
  elements: dict
boot_from_volume:
  description: Whether the root disk is a volume.
  returned: success
  type: bool
server_group:
  description: The server group's name, or null.
  returned: success
  type: str
request_id:
  description: This request's id (C(req-) and a UUID), recorded on every instance and claim.
  returned: success
  type: str
reservation_id:
  description: The request's reservation id, C(r-) and 8 characters (Nova's reservation_id), on every instance of it.
  returned: success
  type: str
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils import _boot_request


class BootRequest(NovaliteModule):
    uses_hypervisor = False
    argument_spec = _boot_request.ARGUMENT_SPEC

    def run(self):
        p = self.params
        result = _boot_request.from_request(p['request'], p['catalog'])
        result['changed'] = False
        return result


def main():
    BootRequest.execute()


if __name__ == '__main__':
    main()
