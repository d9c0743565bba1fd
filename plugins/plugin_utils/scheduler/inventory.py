# -*- coding: utf-8 -*-
# Copyright: novalite.compute contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The scheduler's view of the fleet from an Ansible inventory: each compute host's facts
(novalite_host, from host_facts) merged with its inventory settings, and aggregates from
inventory groups. Pure: plain dicts in, plain dicts out."""

from __future__ import annotations

SETTINGS = ('enabled', 'disabled_reason', 'forced_down', 'cpu_allocation_ratio', 'ram_allocation_ratio',
            'disk_allocation_ratio', 'reserved_host_memory_mb', 'reserved_host_disk_mb', 'reserved_host_cpus')


def scheduler_hosts(hostvars, hosts, aggregates=None):
    """{host: state}: novalite_host facts, settings from novalite_<setting> host vars, and the
    aggregates (novalite_aggregates: {group: metadata}) of the groups the host is in. A host
    whose facts are missing, or could not be gathered this time (novalite_facts_error), is
    given as unreachable with that reason. A host its own compute service says is disabled
    (host_facts' service) is disabled, with that reason, whatever novalite_enabled says."""
    aggregates = aggregates or {}
    result = {}
    for name in hosts:
        hv = hostvars.get(name) or {}
        facts = hv.get('novalite_host') or (hv.get('ansible_facts') or {}).get('novalite_host')
        error = hv.get('novalite_facts_error')
        state = dict(facts) if facts and not error else {'unreachable': error or 'no facts gathered'}
        # A host disabled on the hypervisor (compute_service) stays disabled whatever the
        # inventory says; one disabled in the inventory is disabled with the inventory's reason.
        host_disabled = (state.get('service') or {}).get('status') == 'disabled'
        for key in SETTINGS:
            value = hv.get('novalite_' + key)
            if value is not None and not (host_disabled and key in ('enabled', 'disabled_reason')):
                state[key] = value
        groups = hv.get('group_names') or []
        state['aggregates'] = [{'name': g, 'metadata': aggregates[g]} for g in groups if g in aggregates]
        result[name] = state
    return result
