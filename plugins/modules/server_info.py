#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: server_info
short_description: The instances of a hypervisor - record, power state, IPs, console
version_added: 0.1.0
description:
  - Lists the novalite instances of one hypervisor (domains carrying an instance record) with
    their record (Nova's vm_state, task_state, flavor, image, ports, disks, times), libvirt's
    power state, the IPs their ports hold in the networks' DHCP leases, and on request the tail
    of their serial console; over the libvirt API only (the console log is read as a volume of
    the instances pool), so it works from the controller against each hypervisor's URI. Loop
    over the fleet's hosts for a view across hypervisors.
author:
  - novalite.compute developers (@novalite)
extends_documentation_fragment:
  - novalite.compute.connection
  - novalite.compute.attributes
  - novalite.compute.attributes.INFO_MODULE
options:
  name:
    description: Only this instance.
    type: str
  console_lines:
    description: How many of the last lines of each serial console to return (0 - none).
    type: int
    default: 0
  instances_pool:
    description: Pool of the instances' files (console logs).
    type: str
    default: novalite-instances
'''

EXAMPLES = r'''
- name: The instances of every hypervisor
  novalite.compute.server_info:
    uri: "{{ novalite_uri }}"
  delegate_to: localhost
  register: servers

- name: One instance with the end of its console
  novalite.compute.server_info:
    name: web-1
    console_lines: 20
  register: web1

- name: What was done to it, and how it went
  ansible.builtin.debug:
    msg: "{{ web1.servers[0].actions | map(attribute='action') | zip(web1.servers[0].actions | map(attribute='result')) }}"
'''

RETURN = r'''
servers:
  description: The instances.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The instance's name.
      type: str
    uuid:
      description: Its UUID.
      type: str
    vm_state:
      description: Nova's vm_state.
      type: str
    task_state:
      description: Nova's task_state.
      type: str
    power_state:
      description: libvirt's state (running, shutoff, ...).
      type: str
    flavor:
      description: The flavor's name.
      type: str
    addresses:
      description: Per port - network, MAC, fixed IP, and the IP leased to that MAC (null until the guest asked).
      type: list
      elements: dict
    reservation_id:
      description: The reservation of the boot request that made it (C(r-) and 8 characters).
      type: str
    project_id:
      description: Its project.
      type: str
    actions:
      description:
        - Its action log (Nova's instance actions), oldest first - one entry per create, delete,
          stop, start and reboot, with C(action), C(request_id), C(start_time), C(finish_time),
          C(result) (C(Success) or C(Error)) and C(message) on failure. An unfinished entry (no
          C(finish_time)) is an action in progress, or one a killed run left.
      type: list
      elements: dict
    migration:
      description:
        - The move in progress, if any (Nova's migration) - C(uuid), C(migration_type)
          (C(live-migration)), C(status) (C(accepted), C(preparing), C(running), C(post-migrating)),
          C(source_compute), C(dest_compute), C(request_id), C(created_at), C(updated_at). None otherwise.
      type: dict
    migrations:
      description: The record's migrations, oldest first (the newest ten), closed ones with their statistics and error.
      type: list
      elements: dict
    console:
      description: The last O(console_lines) lines of the serial console.
      type: list
      elements: str
    record:
      description: The whole instance record.
      type: dict
'''

from ansible_collections.novalite.compute.plugins.module_utils._base import NovaliteModule
from ansible_collections.novalite.compute.plugins.module_utils import _server_list


class ServerInfo(NovaliteModule):
    argument_spec = dict(
        name=dict(type='str'),
        console_lines=dict(type='int', default=0),
        instances_pool=dict(type='str', default='novalite-instances'),
    )

    def run(self):
        p = self.params
        return dict(changed=False, servers=_server_list.servers(self.hypervisor, p['name'], p['console_lines'],
                                                                p['instances_pool']))


def main():
    ServerInfo.execute()


if __name__ == '__main__':
    main()
