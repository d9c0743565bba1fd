# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: libvirt_instances
short_description: Every novalite instance of the fleet as an Ansible host
version_added: 0.1.0
description:
  - Reads every hypervisor of the fleet over the libvirt API and makes each novalite instance
    (a domain carrying an instance record) a host, named after the instance, with the first
    IP of its ports as C(ansible_host) (the address its DHCP lease holds, else its fixed IP).
  - The hypervisors come from O(hypervisors) and from the hosts of O(compute_group) in the
    inventory file O(inventory_file) (their C(novalite_uri)), so the inventory that boots the
    instances also finds them.
  - Groups - C(novalite) (every instance), C(hypervisor_<host>), C(flavor_<name>),
    C(image_<id>), C(server_group_<name>), C(az_<zone>), C(state_<vm_state>) - plus
    O(compose), O(groups) and O(keyed_groups) as in the constructed inventory.
  - Host variables - C(novalite_hypervisor), C(novalite_uri), C(novalite_uuid),
    C(novalite_flavor), C(novalite_image), C(novalite_vm_state), C(novalite_task_state),
    C(novalite_power_state), C(novalite_server_group), C(novalite_availability_zone),
    C(novalite_project_id), C(novalite_reservation_id), C(novalite_addresses),
    C(novalite_created_at), C(novalite_launched_at), and C(novalite_migration) (a move in
    progress - C(migration_type), C(status), C(source_compute), C(dest_compute); none otherwise).
    The destination's claim of a move in progress is not listed - the instance is where it runs.
  - A hypervisor that cannot be read is skipped with a warning (an error with O(strict_hypervisors)).
  - Works as an AWX/Tower inventory source (a source file in the project, the collection in
    the execution environment; see docs/awx.md).
  - The file must be named C(*.libvirt_instances.yml) or C(*.libvirt_instances.yaml).
author:
  - novalite.compute developers (@novalite)
requirements:
  - libvirt-python on the controller
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; makes the file an inventory source of it.
    required: true
    choices: [novalite.compute.libvirt_instances]
    type: str
  hypervisors:
    description: Hypervisors to read - libvirt URIs, or C({name, uri}) entries.
    type: list
    elements: raw
    default: []
  inventory_file:
    description:
      - A YAML inventory whose hosts in O(compute_group) are the hypervisors (each at its
        C(novalite_uri), or C(qemu:///system)). A relative path is relative to this file.
    type: str
  compute_group:
    description: The group of O(inventory_file) that holds the hypervisors.
    type: str
    default: compute_hosts
  strict_hypervisors:
    description: Fail when a hypervisor cannot be read, instead of warning and going on.
    type: bool
    default: false
'''

EXAMPLES = r'''
# fleet.libvirt_instances.yml - the instances of the hypervisors of fleet.yml
plugin: novalite.compute.libvirt_instances
inventory_file: fleet.yml
keyed_groups:
  - key: novalite_project_id
    prefix: project
compose:
  ansible_user: "'debian'"
groups:
  broken: novalite_vm_state == 'error'
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/novalite-inventory

---
# two hypervisors by URI (another file, say uris.libvirt_instances.yml)
plugin: novalite.compute.libvirt_instances
hypervisors:
  - qemu+ssh://root@hv1.example.com/system
  - {name: hv2, uri: "qemu+ssh://root@hv2.example.com/system"}
'''

import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.novalite.compute.plugins.module_utils import _libvirt
from ansible_collections.novalite.compute.plugins.module_utils import _server_list
from ansible_collections.novalite.compute.plugins.module_utils._errors import NovaliteError
from ansible_collections.novalite.compute.plugins.plugin_utils import instances_inventory


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'novalite.compute.libvirt_instances'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and \
            path.endswith(('.libvirt_instances.yml', '.libvirt_instances.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if _libvirt.libvirt is None:
            raise AnsibleParserError('novalite.compute.libvirt_instances needs libvirt-python on the controller')
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        fleet = None
        if use_cache:
            try:
                fleet = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if fleet is None:
            fleet = self._read_fleet(path)
        if update_cache:
            self._cache[cache_key] = fleet
        self._populate(fleet)

    def _read_fleet(self, path):
        """[{hypervisor, servers}] read from every hypervisor now."""
        data = None
        if self.get_option('inventory_file'):
            source = os.path.join(os.path.dirname(os.path.abspath(path)),
                                  os.path.expanduser(self.get_option('inventory_file')))
            data = self.loader.load_from_file(source)
            if not isinstance(data, dict):
                raise AnsibleParserError('inventory_file %s is not a YAML inventory' % source)
        try:
            hypervisors = instances_inventory.hypervisors(self.get_option('hypervisors'), data,
                                                          self.get_option('compute_group'))
        except ValueError as err:
            raise AnsibleParserError('%s: %s' % (path, err))
        fleet = []
        for hv in hypervisors:
            try:
                with _libvirt.Hypervisor(hv['uri'], readonly=True) as conn:
                    servers = _server_list.servers(conn)
            except NovaliteError as err:
                if self.get_option('strict_hypervisors'):
                    raise AnsibleParserError('hypervisor %s: %s' % (hv['name'], err.msg))
                self.display.warning('novalite.compute.libvirt_instances: hypervisor %s skipped: %s'
                                     % (hv['name'], err.msg))
                continue
            fleet.append({'hypervisor': hv, 'servers': servers})
        return fleet

    def _populate(self, fleet):
        strict = self.get_option('strict')
        for entry in fleet:
            for server in entry['servers']:
                if instances_inventory.moving_copy(server, entry['hypervisor']['name']):
                    continue
                name, hostvars, groups = instances_inventory.instance_host(entry['hypervisor'], server)
                self.inventory.add_host(name)
                for key, value in hostvars.items():
                    self.inventory.set_variable(name, key, value)
                for group in groups:
                    self.inventory.add_group(group)
                    self.inventory.add_child(group, name)
                self._set_composite_vars(self.get_option('compose'), hostvars, name, strict=strict)
                self._add_host_to_composed_groups(self.get_option('groups'), hostvars, name, strict=strict)
                self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, name, strict=strict)
