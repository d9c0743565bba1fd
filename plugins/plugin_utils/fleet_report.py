# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The capacity and placement report of the fleet (playbooks/report.yml): per hypervisor,
each resource's use against what Placement would allow - (total - reserved) x allocation
ratio - its instances, and the server groups across the fleet. Pure."""

from __future__ import annotations

from ansible_collections.novalite.compute.plugins.module_utils import _migration

from ansible_collections.novalite.compute.plugins.plugin_utils.scheduler.options import DEFAULTS

RESOURCES = (('VCPU', 'vCPU', 'cpu_allocation_ratio', ''), ('MEMORY_MB', 'RAM', 'ram_allocation_ratio', ' MB'),
             ('DISK_GB', 'disk', 'disk_allocation_ratio', ' GB'))


def _ratio(state, options, key):
    return float(state.get(key) if state.get(key) is not None else options.get(key, DEFAULTS[key]))


def resource(facts, state, options, rc, label, ratio_key, unit):
    inv = (facts.get('resources') or {}).get(rc) or {'total': 0, 'reserved': 0, 'used': 0}
    ratio = _ratio(state, options, ratio_key)
    capacity = (inv['total'] - inv['reserved']) * ratio
    used = inv['used']
    return {'resource': rc, 'label': label, 'unit': unit, 'total': inv['total'], 'reserved': inv['reserved'],
            'ratio': ratio, 'capacity': capacity, 'used': used,
            'percent': round(100.0 * used / capacity, 1) if capacity > 0 else (0.0 if not used else 100.0)}


def build(states, servers, options=None):
    """`states`: {host: scheduler host state} (scheduler_hosts); `servers`: {host: server_info
    servers, or None when they could not be read}. Returns {hosts: [...], server_groups: [...],
    totals: {...}, lines: [the compact table]}."""
    options = options or {}
    hosts, groups = [], {}
    for name in sorted(states):
        state = states[name]
        entry = {'name': name, 'error': state.get('unreachable'), 'resources': [], 'instances': [],
                 'enabled': state.get('enabled', True) is not False,
                 'hypervisor': state.get('hypervisor_hostname'), 'failed_builds': state.get('failed_builds', 0)}
        if not entry['error']:
            entry['resources'] = [resource(state, state, options, *r) for r in RESOURCES]
        for server in sorted(servers.get(name) or [], key=lambda s: s['name']):
            rec = server.get('record') or {}
            flavor = rec.get('flavor') or {}
            # A move's second copy (a resize's source until confirm, a claim on a destination)
            # holds resources here; the instance itself is listed on its own host.
            role = _migration.copy_role(server.get('migration'), name, server.get('power_state') != 'shutoff')
            entry['instances'].append({'name': server['name'], 'flavor': server.get('flavor'),
                                       'vcpus': int(flavor.get('vcpus') or 0),
                                       'memory_mb': int(flavor.get('memory_mb') or 0),
                                       'vm_state': server.get('vm_state'), 'power_state': server.get('power_state'),
                                       'task_state': server.get('task_state') or None,
                                       'move': _move(server.get('migration')), 'copy': role,
                                       'server_group': rec.get('server_group') or None,
                                       'ips': [a.get('leased_ip') or a.get('fixed_ip')
                                               for a in server.get('addresses') or []]})
            if rec.get('server_group') and role == 'instance':
                groups.setdefault(rec['server_group'], []).append({'name': server['name'], 'host': name})
        if servers.get(name) is None and not entry['error']:
            entry['error'] = 'its instances could not be read'
        hosts.append(entry)
    totals = {}
    for h in hosts:
        for r in h['resources']:
            t = totals.setdefault(r['resource'], {'label': r['label'], 'unit': r['unit'], 'capacity': 0, 'used': 0})
            t['capacity'] += r['capacity']
            t['used'] += r['used']
    group_list = [{'name': g, 'members': sorted(m, key=lambda x: x['name']),
                   'hosts': sorted({x['host'] for x in m})} for g, m in sorted(groups.items())]
    return {'hosts': hosts, 'server_groups': group_list, 'totals': totals, 'lines': table(hosts)}


def _move(migration):
    """A move in progress as a cell: 'live-migration hv1 -> hv2 (running)', or None."""
    if not migration:
        return None
    return '%s %s -> %s (%s)' % (migration.get('migration_type'), migration.get('source_compute'),
                                 migration.get('dest_compute'), migration.get('status'))


def table(hosts):
    """The compact table for the playbook's output: one line per host."""
    lines = ['%-14s %-18s %-22s %-20s %s' % ('host', 'vCPU used/cap', 'RAM MB used/cap', 'disk GB used/cap',
                                             'instances')]
    for h in hosts:
        if h['error']:
            lines.append('%-14s %s' % (h['name'], 'not read: %s' % h['error']))
            continue
        cells = ['%g/%g (%.0f%%)' % (r['used'], r['capacity'], r['percent']) for r in h['resources']]
        lines.append('%-14s %-18s %-22s %-20s %d' % (h['name'], cells[0], cells[1], cells[2], len(h['instances'])))
    return lines
