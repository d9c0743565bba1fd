# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the libvirt_instances inventory makes of the fleet: the hypervisors to read (from a
list, or from the compute hosts of an inventory file) and, for each novalite instance, its
host variables and the groups it belongs to. Pure."""

from __future__ import annotations

import re

from ansible_collections.novalite.compute.plugins.module_utils import _migration

DEFAULT_URI = 'qemu:///system'
_UNSAFE = re.compile(r'[^A-Za-z0-9_]')


def group_name(prefix, value):
    """A group name Ansible accepts (letters, digits, '_'), as to_safe_group_name makes them."""
    return _UNSAFE.sub('_', '%s_%s' % (prefix, value))


def hypervisors(listed, inventory_data, group):
    """[{name, uri}]: `listed` (URIs, or {name, uri}) then the hosts of `group` in a YAML
    inventory's data (their novalite_uri, qemu:///system when they have none)."""
    found = []
    for i, entry in enumerate(listed or []):
        if isinstance(entry, str):
            found.append({'name': _host_of(entry, i), 'uri': entry})
        elif isinstance(entry, dict) and entry.get('uri'):
            found.append({'name': str(entry.get('name') or _host_of(entry['uri'], i)), 'uri': str(entry['uri'])})
        else:
            raise ValueError('hypervisors[%d] must be a URI or {name, uri}, got %r' % (i, entry))
    if inventory_data is not None:
        inherited = ((inventory_data.get('all') or {}).get('vars') or {}).get('novalite_uri')
        hosts = _group_hosts(inventory_data, group)
        if hosts is None:
            raise ValueError("the inventory file has no group '%s'" % group)
        for name, hostvars in sorted(hosts.items()):
            found.append({'name': name, 'uri': (hostvars or {}).get('novalite_uri') or inherited or DEFAULT_URI})
    names = [h['name'] for h in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError('hypervisor name(s) %s given more than once' % ', '.join(twice))
    return found


def _host_of(uri, index):
    """The host part of a URI; 'localhost' for a local one (qemu:///system)."""
    match = re.match(r'^[a-z0-9+]+://(?:[^@/]*@)?([^/:?]*)', uri)
    if not match:
        return 'hypervisor%d' % index
    return match.group(1) or 'localhost'


def _group_hosts(data, group):
    """{host: vars} of `group` anywhere in a YAML inventory (its own hosts and its children's)."""
    def walk(node, inside):
        if not isinstance(node, dict):
            return None
        hosts = {}
        here = inside
        for name, child in (node.get('children') or {}).items():
            below = walk(child, inside or name == group)
            if below is not None:
                hosts.update(below)
                here = True
        if inside:
            hosts.update(node.get('hosts') or {})
            return hosts
        return hosts if here else None

    top = data.get('all', data)
    if group == 'all':
        return walk(top, True)
    return walk(top, False)


def moving_copy(server, host):
    """A copy on `host` that a move in progress holds and that is not the instance itself - a
    destination's claim, a resize's source copy until confirm or revert (_migration.copy_role):
    the instance is listed where it is, once."""
    return _migration.copy_role(server.get('migration'), host, server.get('power_state') != 'shutoff') != 'instance'


def instance_host(hypervisor, server):
    """The inventory host of one instance: (name, vars, groups). `server`: an entry of
    novalite.compute.server_info's `servers`."""
    rec = server.get('record') or {}
    addresses = server.get('addresses') or []
    ips = [a.get('leased_ip') or a.get('fixed_ip') for a in addresses if a.get('leased_ip') or a.get('fixed_ip')]
    hostvars = {
        'novalite_hypervisor': hypervisor['name'],
        'novalite_uri': hypervisor['uri'],
        'novalite_uuid': server.get('uuid'),
        'novalite_flavor': server.get('flavor'),
        'novalite_image': server.get('image'),
        'novalite_vm_state': server.get('vm_state'),
        'novalite_task_state': server.get('task_state'),
        # A move in progress (Nova's migration): its type, status, source and destination.
        'novalite_migration': {k: (server.get('migration') or {}).get(k) for k in
                               ('migration_type', 'status', 'source_compute', 'dest_compute')}
        if server.get('migration') else None,
        'novalite_power_state': server.get('power_state'),
        'novalite_server_group': rec.get('server_group') or None,
        'novalite_availability_zone': rec.get('availability_zone') or None,
        'novalite_project_id': rec.get('project_id') or None,
        'novalite_reservation_id': rec.get('reservation_id') or None,
        'novalite_addresses': addresses,
        'novalite_created_at': server.get('created_at'),
        'novalite_launched_at': server.get('launched_at'),
    }
    if ips:
        hostvars['ansible_host'] = ips[0]
    groups = ['novalite', group_name('hypervisor', hypervisor['name'])]
    for prefix, value in (('flavor', server.get('flavor')), ('image', server.get('image')),
                          ('server_group', rec.get('server_group')), ('az', rec.get('availability_zone')),
                          ('state', server.get('vm_state'))):
        if value:
            groups.append(group_name(prefix, value))
    return server['name'], hostvars, groups
